// The lakehouse service as the REST routes call it (the routes, signed URLs
// over HTTP and the attacks on them: server/server_test.cc, IcebergServerTest).
#include "service/lakehouse.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "lakehouse/table_metadata.h"
#include "service/publish.h"
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

// shop.ledger: a product whose columns Iceberg may not hold. Each Apply
// writes the fixture tree plus the ledger at `version` with these amount,
// units and held_for types (empty: no such column), and applies it as
// `weft apply` does.
class NotIcebergTest : public LakehouseServiceTest {
 protected:
  void Apply(const std::string& version, const std::string& amount, const std::string& units = "",
             const std::string& held_for = "") {
    namespace fs = std::filesystem;
    const fs::path tree = root_ / "tree";
    fs::remove_all(tree);
    fs::copy(Fixtures() / "tree", tree, fs::copy_options::recursive);
    auto column = [](const std::string& name, const std::string& logical, const std::string& physical, bool key) {
      return "      - name: " + name + "\n        logicalType: " + logical + "\n        physicalType: " + physical +
             "\n        description: The " + name + ".\n        classification: internal\n" +
             (key ? "        required: true\n        primaryKey: true\n        primaryKeyPosition: 1\n" : "");
    };
    const fs::path dir = tree / "domains/shop/products/ledger";
    ASSERT_OK(WriteStringToFile(
        dir / "ledger.odcs.yaml",
        "apiVersion: v3.1.0\nkind: DataContract\nid: shop.ledger\nname: ledger\nversion: " + version +
            "\nstatus: active\ndomain: shop\ndataProduct: ledger\ndescription:\n  purpose: Entries.\n"
            "schema:\n  - name: ledger\n    properties:\n" +
            column("entry_id", "string", "VARCHAR", true) + column("amount", "integer", amount, false) +
            (units.empty() ? "" : column("units", "integer", units, false)) +
            (held_for.empty() ? "" : column("held_for", "string", held_for, false)),
        true));
    all_columns_ = !units.empty();
    ASSERT_OK(
        WriteStringToFile(dir / "product.odps.yaml",
                          "apiVersion: v1.0.0\nkind: DataProduct\nid: shop.ledger\nname: ledger\nversion: " + version +
                              "\nstatus: active\ndomain: shop\ndescription:\n  purpose: Entries.\noutputPorts:\n"
                              "  - name: ledger\n    version: " +
                              version +
                              "\n    type: tables\n    contractId: shop.ledger\n    customProperties:\n"
                              "      - property: weft.access\n        value: open\n",
                          true));
    std::vector<spec::Diagnostic> diags;
    std::vector<spec::Document> docs;
    for (const auto& f : spec::FindSpecFiles({tree}, diags))
      for (auto& d : spec::LoadFile(f).documents) docs.push_back(std::move(d));
    auto plan = control::MakePlan(ws_, *store_, docs, diags, {.actor = "tester"});
    ASSERT_OK(plan);
    for (const auto& r : plan->refusals) ADD_FAILURE() << r.file << ": " << r.message;
    ASSERT_OK(control::Apply(ws_, *store_, storage::DefaultFileSystem(), *plan));
    mesh_->CatalogChanged();
  }
  // Publishes rows "E<i>,<i>[,<i>,<i> days]" for i in [from, from + n) to `target`.
  quality::PublishReport Publish(const std::string& target, int from, int n, const std::string& mode = "replace") {
    std::string csv = all_columns_ ? "entry_id,amount,units,held_for\n" : "entry_id,amount\n";
    for (int i = from; i < from + n; ++i) {
      const std::string v = std::to_string(i);
      csv += "E" + v + "," + v + (all_columns_ ? "," + v + "," + v + " days" : "") + "\n";
    }
    const std::filesystem::path file = root_ / "in" / fmt::format("ledger-{}.csv", from);
    EXPECT_OK(WriteStringToFile(file, csv, true));
    auto r = PublishService(*mesh_).Publish(As("sam@example.com"), {.target = target, .files = {file}, .mode = mode});
    EXPECT_OK(r);
    mesh_->CatalogChanged();
    if (!r.ok()) return {};
    EXPECT_EQ(r->outcome, "published") << target;
    return *r;
  }
  Status LoadStatus(const std::string& table) {
    return Service().LoadTable(As("sam@example.com"), "shop", table, "http://h:1").status();
  }
  std::vector<std::string> Listed() {
    std::vector<std::string> names;
    auto listed = Service().Tables(As("eve"), "shop");
    EXPECT_OK(listed);
    if (listed.ok())
      for (const auto& id : (*listed)["identifiers"]) names.push_back(id["name"]);
    return names;
  }
  bool all_columns_ = false;  // the ledger has units and held_for
};

// A product with HUGEINT, UBIGINT and INTERVAL columns publishes as any
// other (warned that it is no Iceberg table, and why), answers queries, and
// the REST catalog says it is no Iceberg table instead of failing; an
// Iceberg table again when a rollback makes an Iceberg snapshot current,
// and its next major, with types Iceberg has, is one from the start.
TEST_F(NotIcebergTest, ProductWithTypesIcebergCannotHoldPublishesAndTheCatalogSaysWhy) {
  using ::testing::HasSubstr;
  // 1.0.0: every type one Iceberg has.
  Apply("1.0.0", "BIGINT");
  const quality::PublishReport first = Publish("shop.ledger", 0, 3);
  EXPECT_TRUE(first.warnings.empty()) << first.warnings.front();
  ASSERT_OK(LoadStatus("ledger"));

  // 1.1.0 widens amount to HUGEINT and adds units UBIGINT and held_for
  // INTERVAL (minor changes): published, with a warning saying why it is
  // no Iceberg table and what to declare instead.
  Apply("1.1.0", "HUGEINT", "UBIGINT", "INTERVAL");
  const quality::PublishReport second = Publish("shop.ledger", 10, 4);
  ASSERT_EQ(second.warnings.size(), 1u);
  const std::string& warning = second.warnings[0];
  EXPECT_THAT(warning, HasSubstr("shop.ledger_v1 is not offered as an Iceberg table"));
  EXPECT_THAT(warning, HasSubstr("column 'amount' has DuckDB type HUGEINT"));
  EXPECT_THAT(warning, HasSubstr("declare DECIMAL(38,0)"));
  EXPECT_THAT(warning, HasSubstr("column 'units' has DuckDB type UBIGINT"));
  EXPECT_THAT(warning, HasSubstr("declare BIGINT"));
  EXPECT_THAT(warning, HasSubstr("column 'held_for' has DuckDB type INTERVAL"));
  ASSERT_OK_AND_ASSIGN(auto answer,
                       Query("sam@example.com", "SELECT count(*), sum(units), max(held_for) FROM shop.ledger"));
  ASSERT_EQ(answer.rows.size(), 1u);
  EXPECT_EQ(answer.rows[0][0].value_or(""), "4");
  EXPECT_EQ(answer.rows[0][1].value_or(""), "46");
  EXPECT_EQ(answer.rows[0][2].value_or(""), "13 days");

  // The REST catalog: no table, and why (NoSuchTableException, a 404), to
  // loads, HEAD and plans; listings leave it out.
  for (const char* name : {"ledger", "ledger_v1"}) {
    const Status load = LoadStatus(name);
    EXPECT_EQ(IcebergErrorType(load), "NoSuchTableException") << name;
    EXPECT_THAT(load.message(),
                HasSubstr("no table shop.ledger_v1: not an Iceberg table: column 'amount' has DuckDB type HUGEINT"));
    EXPECT_EQ(IcebergErrorType(Service().TableExists(As("eve"), "shop", name)), "NoSuchTableException") << name;
    EXPECT_EQ(IcebergErrorType(Service().PlanScan(As("sam@example.com"), "shop", name, json::object(), "").status()),
              "NoSuchTableException");
  }
  EXPECT_EQ(Listed(), (std::vector<std::string>{"orders", "orders_v1"}));
  // A consumer whose copy would be governed gets the same answer.
  EXPECT_EQ(IcebergErrorType(Service().LoadTable(As("eve"), "shop", "ledger", "http://h:1").status()),
            "NoSuchTableException");
  // Readers by path find no table either: the version hint is gone.
  const std::filesystem::path table = root_ / "ws/domains/shop/products/ledger/v1";
  EXPECT_FALSE(std::filesystem::exists(table / "metadata/version-hint.text"));

  // Append to it: a snapshot that is none either (it keeps the files), warned again.
  const quality::PublishReport appended = Publish("shop.ledger", 20, 2, "append");
  ASSERT_EQ(appended.warnings.size(), 1u);
  EXPECT_THAT(appended.warnings[0], HasSubstr("not offered as an Iceberg table"));
  ASSERT_OK_AND_ASSIGN(auto appended_rows, Query("sam@example.com", "SELECT count(*) FROM shop.ledger"));
  EXPECT_EQ(appended_rows.rows[0][0].value_or(""), "6");
  // A repair neither fails nor loops on it.
  ASSERT_OK(lakehouse::SyncAllTables(*store_, storage::DefaultFileSystem()).status());
  ASSERT_OK_AND_ASSIGN(int again, lakehouse::SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_EQ(again, 0);

  // 2.0.0, a new major, declares the types Iceberg has: an Iceberg table
  // from its first publish, while v1 stays none.
  Apply("2.0.0", "DECIMAL(38,0)", "BIGINT", "VARCHAR");
  const quality::PublishReport v2 = Publish("shop.ledger@v2", 30, 2);
  EXPECT_TRUE(v2.warnings.empty()) << v2.warnings.front();
  ASSERT_OK_AND_ASSIGN(std::string body, Service().LoadTable(As("sam@example.com"), "shop", "ledger", "http://h:1"));
  const json loaded = json::parse(body);
  EXPECT_EQ(loaded["metadata"]["properties"]["weft.major"], "2");
  EXPECT_EQ(loaded["metadata"]["schemas"][0]["fields"][1]["type"], "decimal(38, 0)");
  EXPECT_EQ(IcebergErrorType(LoadStatus("ledger_v1")), "NoSuchTableException");
  EXPECT_EQ(Listed(), (std::vector<std::string>{"ledger", "ledger_v2", "orders", "orders_v1"}));

  // A rollback of v1 to its first snapshot, an Iceberg one: v1 is an
  // Iceberg table again, listing its Iceberg snapshots, the sequence
  // numbers going on past the ones that were none.
  ASSERT_OK_AND_ASSIGN(
      quality::PublishReport back,
      PublishService(*mesh_).Rollback(As("sam@example.com"), "shop.ledger", first.snapshot_id, "test"));
  mesh_->CatalogChanged();
  EXPECT_TRUE(back.warnings.empty()) << back.warnings.front();
  ASSERT_OK_AND_ASSIGN(std::string v1_body,
                       Service().LoadTable(As("sam@example.com"), "shop", "ledger_v1", "http://h:1"));
  const json v1 = json::parse(v1_body)["metadata"];
  ASSERT_EQ(v1["snapshots"].size(), 2u);
  EXPECT_EQ(v1["snapshots"][0]["summary"]["weft.snapshot-id"], first.snapshot_id);
  EXPECT_EQ(v1["snapshots"][1]["summary"]["weft.snapshot-id"], back.snapshot_id);
  EXPECT_EQ(v1["snapshots"][1]["sequence-number"], 2);
  EXPECT_EQ(v1["snapshots"][1]["parent-snapshot-id"], v1["snapshots"][0]["snapshot-id"]);
  EXPECT_EQ(v1["current-snapshot-id"], v1["snapshots"][1]["snapshot-id"]);
  ASSERT_OK_AND_ASSIGN(auto rolled, Query("sam@example.com", "SELECT count(*) FROM shop.ledger_v1"));
  EXPECT_EQ(rolled.rows[0][0].value_or(""), "3");
}

// Snapshots written before weft made Iceberg files (published with no
// hook, as the fixture publishes) with such columns: a repair writes why
// they are none, once, and fails on nothing.
TEST_F(NotIcebergTest, RepairOfSnapshotsWithoutIcebergFilesNeitherFailsNorLoops) {
  Apply("1.0.0", "HUGEINT", "UBIGINT", "INTERVAL");
  PublishFile("shop.ledger", "old.csv", "entry_id,amount,units,held_for\nE1,1,1,1 day\n");
  ASSERT_OK_AND_ASSIGN(int rewritten, lakehouse::SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_EQ(rewritten, 2);  // crm.customers and shop.orders, upgraded
  ASSERT_OK_AND_ASSIGN(int again, lakehouse::SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_EQ(again, 0);
  const Status load = LoadStatus("ledger");
  EXPECT_EQ(IcebergErrorType(load), "NoSuchTableException");
  // Told by the file, which holds the HUGEINT as a DOUBLE (a type Iceberg
  // has), so only the other two are named.
  EXPECT_THAT(load.message(), ::testing::HasSubstr("not an Iceberg table: column 'units' has DuckDB type UBIGINT"));
  EXPECT_THAT(load.message(), ::testing::HasSubstr("column 'held_for' has DuckDB type INTERVAL"));
}

}  // namespace
}  // namespace weft::service
