// End to end: init, apply, and reading the catalog back (get, describe,
// search, audit) on a workspace holding the demo mesh.
#include <algorithm>
#include <memory>

#include "e2e/e2e_util.h"
#include "e2e/postgres_catalogs.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr size_t kDemoProducts = 10;

TEST(Init, CreatesWorkspaceAndRefusesASecondInit) {
  TempDir tmp;
  const fs::path ws = tmp / "W";
  RunResult r = e2e::Run({"init", ws.string()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(fs::is_regular_file(ws / "weft.yaml"));
  EXPECT_TRUE(OnPostgres() || fs::is_regular_file(ws / "catalog.db"));  // the PostgreSQL run's catalog is a database
  EXPECT_TRUE(fs::is_directory(ws / "domains"));
  const std::string settings = ReadFile(ws / "weft.yaml");

  RunResult again = e2e::Run({"init", ws.string()});
  EXPECT_EQ(again.exit_code, 2) << again;
  EXPECT_THAT(again.err, HasSubstr("already")) << again;
  EXPECT_EQ(ReadFile(ws / "weft.yaml"), settings) << "a refused init must not rewrite the settings";

  // An empty workspace reads as empty, not as an error.
  RunResult products = e2e::Run({"get", "products", "-o", "json", "--workspace", ws.string()});
  EXPECT_EQ(products.exit_code, 0) << products;
  EXPECT_EQ(ParseJson(products), nlohmann::json::array());
}

// One workspace with the demo mesh applied, shared by the tests that only read.
class AppliedMesh : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    ws_ = tmp_->path() / "W";
    RunResult init = e2e::Run({"init", ws_.string()});
    ASSERT_EQ(init.exit_code, 0) << init;
    first_apply_ = new RunResult(Apply(RepoPath("examples/mesh"), ws_));
  }
  static void TearDownTestSuite() {
    delete first_apply_;
    delete tmp_;
    first_apply_ = nullptr;
    tmp_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(first_apply_->exit_code, 0) << *first_apply_; }

  static RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }

  static TempDir* tmp_;
  static fs::path ws_;
  static RunResult* first_apply_;
};
TempDir* AppliedMesh::tmp_ = nullptr;
fs::path AppliedMesh::ws_;
RunResult* AppliedMesh::first_apply_ = nullptr;

TEST_F(AppliedMesh, FirstApplyCreatesEverything) {
  EXPECT_THAT(first_apply_->out, HasSubstr("Applied")) << *first_apply_;
  EXPECT_THAT(first_apply_->out, HasSubstr("product:sales.orders")) << *first_apply_;
  // Storage is provisioned inside the workspace.
  EXPECT_TRUE(fs::is_directory(ws_ / "domains/sales/products/orders/v1"));
}

TEST_F(AppliedMesh, SecondApplyChangesNothing) {
  RunResult audit_before = Weft({"audit", "-o", "json"});
  ASSERT_EQ(audit_before.exit_code, 0) << audit_before;
  nlohmann::json before = ParseJson(audit_before);
  ASSERT_TRUE(before.is_array());
  EXPECT_FALSE(before.empty()) << "the first apply left no audit trail";

  RunResult again = Apply(RepoPath("examples/mesh"), ws_);
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("No changes")) << again;

  RunResult audit_after = Weft({"audit", "-o", "json"});
  ASSERT_EQ(audit_after.exit_code, 0) << audit_after;
  EXPECT_EQ(ParseJson(audit_after).size(), before.size()) << audit_after;

  RunResult plan = Plan(RepoPath("examples/mesh"), ws_);
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("0 to create, 0 to update")) << plan;
}

TEST_F(AppliedMesh, GetProductsListsTheTenProducts) {
  RunResult r = Weft({"get", "products", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json products = ParseJson(r);
  ASSERT_TRUE(products.is_array());
  EXPECT_EQ(products.size(), kDemoProducts) << r;
  std::vector<std::string> ids;
  for (const auto& p : products) ids.push_back(p.value("id", ""));
  EXPECT_THAT(ids, ::testing::IsSupersetOf({"sales.orders", "customer.customers", "finance.revenue_daily"}));
  for (const auto& p : products) {
    ASSERT_TRUE(p["versions"].is_array()) << p;
    ASSERT_EQ(p["versions"].size(), 1u) << p;
    EXPECT_EQ(p["versions"][0].value("status", ""), "active") << p;
  }
}

TEST_F(AppliedMesh, EveryListingWorksInEveryFormat) {
  for (const char* what : {"domains", "products", "versions", "policies", "waivers"}) {
    for (const char* format : {"table", "json", "yaml"}) {
      RunResult r = Weft({"get", what, "-o", format});
      EXPECT_EQ(r.exit_code, 0) << r;
      EXPECT_FALSE(r.out.empty()) << r;
      if (std::string(format) == "json") {
        EXPECT_TRUE(ParseJson(r).is_array()) << r;
      }
    }
  }
  nlohmann::json domains = ParseJson(Weft({"get", "domains", "-o", "json"}));
  EXPECT_EQ(domains.size(), 5u) << domains;
  nlohmann::json versions = ParseJson(Weft({"get", "versions", "-o", "json"}));
  EXPECT_EQ(versions.size(), kDemoProducts) << versions;
  RunResult yaml = Weft({"get", "products", "-o", "yaml"});
  EXPECT_THAT(yaml.out, HasSubstr("sales.orders")) << yaml;
  RunResult bad = Weft({"get", "products", "-o", "xml"});
  EXPECT_EQ(bad.exit_code, 2) << bad;
}

TEST_F(AppliedMesh, DescribeShowsOwnersAndColumns) {
  RunResult r = Weft({"describe", "product", "sales.orders"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("carol@retail.example")) << r;
  EXPECT_THAT(r.out, HasSubstr("dan@retail.example")) << r;
  for (const char* column : {"order_id", "customer_id", "order_ts", "amount", "currency", "channel"})
    EXPECT_THAT(r.out, HasSubstr(column)) << r;
  EXPECT_THAT(r.out, HasSubstr("confidential")) << r;

  RunResult j = Weft({"describe", "product", "sales.orders", "-o", "json"});
  ASSERT_EQ(j.exit_code, 0) << j;
  nlohmann::json d = ParseJson(j);
  ASSERT_TRUE(d.is_object()) << j;
  EXPECT_EQ(d["owners"], nlohmann::json({"carol@retail.example", "dan@retail.example"})) << j;
  ASSERT_EQ(d["versions"].size(), 1u) << j;
  EXPECT_EQ(d["versions"][0]["columns"].size(), 7u) << j;
}

TEST_F(AppliedMesh, DescribeUnknownProductSuggestsTheClosest) {
  RunResult typo = Weft({"describe", "product", "sales.ordrs"});
  EXPECT_EQ(typo.exit_code, 2) << typo;  // not found: the caller's input (service/outcome.h)
  EXPECT_THAT(typo.err, HasSubstr("did you mean 'sales.orders'")) << typo;

  RunResult far = Weft({"describe", "product", "sales.nope"});
  EXPECT_EQ(far.exit_code, 2) << far;
  EXPECT_THAT(far.err, HasSubstr("no product 'sales.nope'")) << far;
}

std::vector<std::string> HitIds(const nlohmann::json& result) {
  std::vector<std::string> ids;
  for (const auto& h : result["hits"]) ids.push_back(h.value("product", ""));
  return ids;
}

TEST_F(AppliedMesh, SearchRanksTheGoldenRecordFirst) {
  RunResult r = Weft({"search", "customer", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json result = ParseJson(r);
  auto ids = HitIds(result);
  ASSERT_FALSE(ids.empty()) << r;
  EXPECT_EQ(ids[0], "customer.customers") << r;
  // Products that reference the customer are found too.
  EXPECT_THAT(ids, ::testing::Contains("sales.orders")) << r;
  EXPECT_TRUE(result["facets"].is_object()) << r;

  RunResult table = Weft({"search", "customer"});
  EXPECT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("customer.customers")) << table;
}

TEST_F(AppliedMesh, SearchFilters) {
  auto ids_of = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "search");
    args.push_back("-o");
    args.push_back("json");
    RunResult r = Weft(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return HitIds(ParseJson(r));
  };
  auto in_sales = ids_of({"customer", "--domain", "sales"});
  EXPECT_THAT(in_sales, ::testing::Contains("sales.orders"));
  for (const auto& id : in_sales) EXPECT_EQ(id.rfind("sales.", 0), 0u) << id;

  auto tagged = ids_of({"--tag", "golden-record"});
  EXPECT_EQ(tagged, std::vector<std::string>{"customer.customers"});

  auto pii = ids_of({"--classification", "pii"});
  EXPECT_THAT(pii, ::testing::Contains("customer.customers"));
  EXPECT_THAT(pii, ::testing::Not(::testing::Contains("sales.orders")));

  auto none = ids_of({"customer", "--domain", "inventory"});
  EXPECT_TRUE(none.empty()) << ::testing::PrintToString(none);
}

TEST_F(AppliedMesh, SearchTakesFtsSyntaxAsPlainWords) {
  for (const char* q : {"\"a\" OR (b* -c", "\"", "(", "*", "NEAR(", "customer:", "AND", "-", "'; DROP TABLE x; --"}) {
    RunResult r = Weft({"search", q});
    EXPECT_EQ(r.exit_code, 0) << r;
    RunResult j = Weft({"search", q, "-o", "json"});
    EXPECT_EQ(j.exit_code, 0) << j;
    EXPECT_TRUE(ParseJson(j).is_object()) << j;
  }
}

TEST_F(AppliedMesh, AuditRecordsTheApply) {
  RunResult r = Weft({"audit", "-o", "json", "--object", "product:sales.orders"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json events = ParseJson(r);
  ASSERT_EQ(events.size(), 1u) << r;
  EXPECT_EQ(events[0].value("action", ""), "apply.create") << r;
  EXPECT_EQ(events[0].value("object", ""), "product:sales.orders") << r;
}

}  // namespace
}  // namespace weft::e2e
