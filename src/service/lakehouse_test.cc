// The lakehouse service as the REST routes call it (the routes, signed URLs
// over HTTP and the attacks on them: server/server_test.cc, IcebergServerTest).
#include "service/lakehouse.h"

#include <gtest/gtest.h>

#include "service/testing.h"

namespace weft::service {
namespace {

using nlohmann::json;

class LakehouseServiceTest : public testing::MeshFixture {
 protected:
  void SetUp() override {
    MeshFixture::SetUp();
    if (HasFatalFailure()) return;
    catalog_ = std::make_unique<LakehouseCatalog>(mesh_->secret());
  }
  LakehouseService Service() { return LakehouseService(*mesh_, *catalog_); }
  Result<json> Load(const std::string& who, const std::string& table) {
    ASSIGN_OR_RETURN(std::string body, Service().LoadTable(As(who), "crm", table, "http://h:1"));
    return json::parse(body);
  }
  std::unique_ptr<LakehouseCatalog> catalog_;
};

TEST_F(LakehouseServiceTest, IdentifiersResolveAsWeftQueryReadsNames) {
  const Caller eve = As("eve");
  EXPECT_OK(Service().TableExists(eve, "crm", "customers"));
  EXPECT_OK(Service().TableExists(eve, "crm", "customers_v1"));
  for (const char* missing : {"customers_v2", "customers_v01", "customers_v", "nope", "customers_v1234567"}) {
    Status s = Service().TableExists(eve, "crm", missing);
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << missing;
    EXPECT_EQ(IcebergErrorType(s), "NoSuchTableException") << missing;
  }
  Status ns = Service().TableExists(eve, "nope", "customers");
  EXPECT_EQ(IcebergErrorType(ns), "NoSuchNamespaceException");
  for (const char* bad : {"cust.omers", "../x", "a b", ""})
    EXPECT_EQ(IcebergErrorType(Service().TableExists(eve, "crm", bad)), "BadRequestException") << bad;
  EXPECT_EQ(IcebergErrorType(Service().TableExists(eve, "crm\x1fx", "customers")), "BadRequestException");
}

TEST_F(LakehouseServiceTest, WhatALoadGivesFollowsTheCallersGrantAsItChanges) {
  // No grant: refused, and the refusal is in the usage log.
  EXPECT_EQ(Load("eve", "customers").status().code(), StatusCode::kPermissionDenied);
  // A masked grant: the governed table, whose masked columns are strings.
  const int64_t grant = Grant({.grantee = "eve"});
  ASSERT_OK_AND_ASSIGN(json governed, Load("eve", "customers"));
  const json& metadata = governed["metadata"];
  EXPECT_EQ(metadata["properties"]["weft.governed"], "true");
  EXPECT_EQ(metadata["snapshots"].size(), 1u) << "the current snapshot only";
  for (const auto& f : metadata["schemas"][0]["fields"]) {
    if (f["name"] == "email") {
      EXPECT_EQ(f["type"], "string");
    }
  }
  EXPECT_NE(governed["metadata-location"].get<std::string>().find("/governed/"), std::string::npos);
  // Revoked: refused again at once (a new catalog generation).
  Revoke(grant);
  mesh_->CatalogChanged();
  EXPECT_EQ(Load("eve", "customers").status().code(), StatusCode::kPermissionDenied);
  // The owner: the table as stored.
  ASSERT_OK_AND_ASSIGN(json raw, Load("olga@example.com", "customers"));
  EXPECT_FALSE(raw["metadata"]["properties"].contains("weft.governed"));
  EXPECT_EQ(raw["metadata-location"].get<std::string>().find("/governed/"), std::string::npos);

  ASSERT_OK_AND_ASSIGN(query::QueryRuntime * runtime, mesh_->runtime());
  runtime->usage().Flush();
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({.product_id = "crm.customers"}));
  int ok = 0, refused = 0;
  for (const auto& u : usage)
    if (u.kind == "iceberg") (u.status == "ok" ? ok : refused)++;
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(ok, 2);
}

TEST_F(LakehouseServiceTest, PlanTokensAreBoundToTableAndCaller) {
  ASSERT_OK_AND_ASSIGN(json plan, Service().PlanScan(As("olga@example.com"), "crm", "customers", json::object(), "http://h:1"));
  ASSERT_FALSE(plan["plan-tasks"].empty());
  const json task = {{"plan-task", plan["plan-tasks"][0]}};
  ASSERT_OK_AND_ASSIGN(json tasks, Service().ScanTasks(As("olga@example.com"), "crm", "customers_v1", task, "http://h:1"));
  EXPECT_FALSE(tasks["file-scan-tasks"].empty());
  Status other_caller = Service().ScanTasks(As("bob"), "crm", "customers", task, "http://h:1").status();
  EXPECT_EQ(IcebergErrorType(other_caller), "NoSuchPlanTaskException");
  Status other_table = Service().ScanTasks(As("olga@example.com"), "shop", "orders", task, "http://h:1").status();
  EXPECT_EQ(IcebergErrorType(other_table), "NoSuchPlanTaskException");
  EXPECT_OK(Service().PlanResult(As("olga@example.com"), "crm", "customers", plan["plan-id"], "http://h:1").status());
  EXPECT_EQ(IcebergErrorType(Service().CancelPlan(As("bob"), "crm", "customers", plan["plan-id"])), "NoSuchPlanIdException");
  for (const json& bad : {json::array(), json{{"snapshot-id", "1"}}, json{{"select", "x"}}, json{{"start-snapshot-id", 1}},
                          json{{"filter", 3}}})
    EXPECT_EQ(Service().PlanScan(As("olga@example.com"), "crm", "customers", bad, "").status().code(),
              StatusCode::kInvalidArgument)
        << bad.dump();
}

}  // namespace
}  // namespace weft::service
