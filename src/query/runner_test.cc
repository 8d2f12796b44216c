// Derived runs end to end on a temporary workspace: the publish fixture tree
// (shop.orders, the customer golden record) plus tests/fixtures/run/ (two
// products of finance derived from them), applied through the planner, with
// svc.finance granted its inputs (the grants are what a run reads through).
#include "query/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "spec/loader.h"

namespace weft::query {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kPublish = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/publish";
const fs::path kRun = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/run";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-run-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_OK(control::InitWorkspace(root_ / "ws", "test"));
    ASSERT_OK(WriteStringToFile(root_ / "ws/weft.yaml",
                                "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\n", true));
    ASSERT_OK_AND_ASSIGN(ws_, control::LoadWorkspace(root_ / "ws"));
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore(ws_.CatalogLocation()));
    ASSERT_OK_AND_ASSIGN(parser_, engine::DuckDbSqlValidator::Create());
    std::vector<spec::Diagnostic> diags;
    std::vector<spec::Document> docs;
    for (const auto& f : spec::FindSpecFiles({kPublish / "tree", kRun}, diags)) {
      auto loaded = spec::LoadFile(f);
      for (auto& d : loaded.documents) docs.push_back(std::move(d));
    }
    auto plan = control::MakePlan(ws_, *store_, docs, diags, {.actor = "tester"});
    ASSERT_OK(plan);
    for (const auto& r : plan->refusals) ADD_FAILURE() << r.file << ": " << r.message;
    ASSERT_OK(control::Apply(ws_, *store_, storage::DefaultFileSystem(), *plan));
    for (const std::string product : {"shop.orders", "customer.customers"}) GrantFinance(product);
  }

  void GrantFinance(const std::string& product, const std::string& row_filter = "") {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertGrant({.product_id = product, .major = 1, .grantee = "svc.finance", .purpose = "derived products",
                                .row_filter = row_filter, .granted_by = "tester"})
                  .status());
    ASSERT_OK(txn->Commit());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  quality::PublishRequest Request(const std::string& target) {
    // The guards are the publisher's tests' subject; these fixtures are tiny.
    return {.target = target, .actor = "tester", .threads = 2, .temp_dir = root_ / "ws/tmp",
            .guards = quality::GuardSettings::Off()};
  }

  void PublishSources(const std::string& orders = "orders_clean.csv") {
    for (const auto& [target, file] : {std::pair<std::string, std::string>{"customer.customers", "customers.csv"},
                                       {"shop.orders", orders}}) {
      auto req = Request(target);
      req.files = {kPublish / "data" / file};
      ASSERT_OK_AND_ASSIGN(quality::PublishReport r, quality::Publish(*store_, req));
      ASSERT_EQ(r.outcome, "published") << target;
    }
  }

  Result<quality::PublishReport> Run(const std::string& target) {
    ASSIGN_OR_RETURN(auto access, access::AccessControl::Load(*store_, {.masking = {{"pii", "hash"}}, .key = kKey}));
    GovernedCopies copies({.root = root_ / "ws/cache/governed", .key = kKey, .threads = 1});
    return RunDerived(*store_, *parser_, access, copies, Request(target));
  }

  static constexpr const char* kKey = "0123456789abcdef0123456789abcdef";

  // The rows of a snapshot, as text, ordered.
  std::vector<std::vector<std::optional<std::string>>> SnapshotRows(const std::string& dir) {
    auto db = engine::Database::Open({});
    EXPECT_OK(db);
    auto conn = engine::Connection::Open(*db);
    EXPECT_OK(conn);
    auto r = conn->Query("SELECT * FROM read_parquet('" + dir + "/*.parquet') ORDER BY ALL");
    EXPECT_OK(r);
    return r.ok() ? *r->FetchAllAsStrings() : decltype(SnapshotRows(dir)){};
  }

  fs::path root_;
  control::Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  std::unique_ptr<engine::DuckDbSqlValidator> parser_;
};

TEST_F(RunnerTest, ApplyRegistersTheTransformSql) {
  ASSERT_OK_AND_ASSIGN(auto products, store_->ListProducts());
  for (const auto& p : products) {
    if (p.id == "finance.spend") {
      EXPECT_THAT(p.transform_sql, HasSubstr("FROM shop.orders o"));
    } else if (p.id == "shop.orders") {
      EXPECT_EQ(p.transform_sql, "");
    }
  }
}

TEST_F(RunnerTest, RunBuildsTheProductFromItsInputsCurrentSnapshots) {
  PublishSources();
  ASSERT_OK_AND_ASSIGN(quality::PublishReport r, Run("finance.spend"));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.mode, "run");
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("finance.spend"));
  ASSERT_EQ(snapshots.size(), 1u);
  auto rows = SnapshotRows(snapshots[0].path);
  ASSERT_FALSE(rows.empty());
  // Every customer of orders_clean.csv, with its country from the golden record.
  EXPECT_EQ(*rows[0][0], "C1");
  EXPECT_EQ(*rows[0][1], "DE");
  EXPECT_EQ(static_cast<int64_t>(rows.size()), r.snapshot_rows);
  // The archive says what was read: the SQL and the snapshot of each input.
  ASSERT_OK_AND_ASSIGN(std::string inputs, ReadFileToString(fs::path(r.archive_path) / "inputs.json"));
  ASSERT_OK_AND_ASSIGN(auto orders, store_->ListSnapshots("shop.orders"));
  EXPECT_THAT(inputs, HasSubstr(orders[0].id));
  ASSERT_OK_AND_ASSIGN(std::string sql, ReadFileToString(fs::path(r.archive_path) / "transform.sql"));
  EXPECT_THAT(sql, HasSubstr("GROUP BY ALL"));
  ASSERT_OK_AND_ASSIGN(auto history, store_->ListPublishes("finance.spend", 10));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].mode, "run");
}

TEST_F(RunnerTest, UnchangedInputsAreADuplicateAndANewInputSnapshotRunsAgain) {
  PublishSources();
  ASSERT_OK_AND_ASSIGN(quality::PublishReport first, Run("finance.spend"));
  ASSERT_OK_AND_ASSIGN(quality::PublishReport again, Run("finance.spend"));
  EXPECT_EQ(again.outcome, "duplicate");
  EXPECT_EQ(again.snapshot_id, first.snapshot_id);
  auto req = Request("shop.orders");
  req.files = {kPublish / "data/orders_more.csv"};
  ASSERT_OK_AND_ASSIGN(quality::PublishReport more, quality::Publish(*store_, req));
  ASSERT_EQ(more.outcome, "published");
  ASSERT_OK_AND_ASSIGN(quality::PublishReport third, Run("finance.spend"));
  EXPECT_EQ(third.outcome, "published");
  EXPECT_EQ(third.parent_snapshot_id, first.snapshot_id);
}

TEST_F(RunnerTest, RowsFailingTheDerivedContractAreQuarantined) {
  // A new golden record without C2's country: C2's row is quarantined there,
  // so the transform's LEFT JOIN gives C2 no country, which spend requires.
  PublishSources();
  fs::create_directories(root_ / "in");
  ASSERT_OK(WriteStringToFile(root_ / "in/customers.csv", "customer_id,country\nC1,DE\nC2,\nC3,NL\n", true));
  auto req = Request("customer.customers");
  req.files = {root_ / "in/customers.csv"};
  ASSERT_OK_AND_ASSIGN(quality::PublishReport golden, quality::Publish(*store_, req));
  ASSERT_EQ(golden.outcome, "published");
  ASSERT_OK_AND_ASSIGN(quality::PublishReport r, Run("finance.spend"));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_quarantined, 1);  // C2: no country
  EXPECT_FALSE(r.quarantine_path.empty());
}

TEST_F(RunnerTest, AnInputWithoutASnapshotIsRefusedWithWhatToDo) {
  auto r = Run("finance.spend");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("has no snapshot yet; publish it first: weft publish"));
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("finance.spend"));
  EXPECT_TRUE(snapshots.empty());
}

TEST_F(RunnerTest, SqlReadingAnUndeclaredInputIsRefused) {
  PublishSources();
  auto r = Run("finance.sneaky");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("customer.customers"));
  EXPECT_THAT(r.status().message(), HasSubstr("declared inputPorts: shop.orders"));
  ASSERT_OK_AND_ASSIGN(auto history, store_->ListPublishes("finance.sneaky", 10));
  EXPECT_TRUE(history.empty());
}

TEST_F(RunnerTest, TheRunReadsThroughTheServicePrincipalsGrants) {
  PublishSources();
  // Only rows of customers in DE: the grant's row filter holds inside the run.
  ASSERT_OK_AND_ASSIGN(auto grants, store_->ListGrants());
  for (const auto& g : grants) {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->RevokeGrant(g.id, "tester", ""));
    ASSERT_OK(txn->Commit());
  }
  auto refused = Run("finance.spend");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("reads as svc.finance: no grant on"));
  GrantFinance("shop.orders");
  GrantFinance("customer.customers", "country = 'DE'");
  ASSERT_OK_AND_ASSIGN(quality::PublishReport r, Run("finance.spend"));
  // C2 and C3 join no visible customer: no country, quarantined.
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_valid, 1);
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({.product_id = "customer.customers"}));
  ASSERT_FALSE(usage.empty());
  EXPECT_EQ(usage.back().kind, "run");
  EXPECT_EQ(usage.back().principal, "svc.finance");
  EXPECT_EQ(usage.back().consumer_domain, "finance");
}

TEST_F(RunnerTest, AChangedGrantIsANewRunNotADuplicate) {
  PublishSources();
  ASSERT_OK_AND_ASSIGN(quality::PublishReport first, Run("finance.spend"));
  ASSERT_EQ(first.outcome, "published");
  ASSERT_OK_AND_ASSIGN(auto grants, store_->ListGrants());
  for (const auto& g : grants) {
    if (g.product_id != "customer.customers") continue;
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->RevokeGrant(g.id, "tester", ""));
    ASSERT_OK(txn->Commit());
  }
  GrantFinance("customer.customers", "country = 'DE'");
  ASSERT_OK_AND_ASSIGN(quality::PublishReport second, Run("finance.spend"));
  EXPECT_EQ(second.outcome, "published");
  EXPECT_LT(second.checks.rows_valid, first.checks.rows_valid);
}

TEST_F(RunnerTest, ASourceProductCannotBeRun) {
  auto r = Run("shop.orders");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not a derived product"));
  EXPECT_EQ(Run("finance.nope").status().code(), StatusCode::kNotFound);
}

// The publisher's sandbox holds on its own, for SQL the runner never saw:
// files outside the bound snapshots cannot be read.
TEST_F(RunnerTest, TheRunSandboxReadsNoOtherFile) {
  PublishSources();
  ASSERT_OK_AND_ASSIGN(auto orders, store_->ListSnapshots("shop.orders"));
  for (const std::string& sql : std::vector<std::string>{"SELECT * FROM read_csv('/etc/passwd')",
                                "SELECT * FROM '" + (kPublish / "data/customers.csv").string() + "'",
                                "SELECT * FROM read_parquet('" + (root_ / "ws").string() + "/**/*.parquet')"}) {
    auto req = Request("finance.spend");
    req.transform = quality::TransformInput{
        .sql = sql,
        .bindings = {{.address = "shop.orders", .product_id = "shop.orders", .major = 1,
                      .snapshot_id = orders[0].id, .snapshot_dir = orders[0].path}}};
    auto r = quality::Publish(*store_, req);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_THAT(r.status().message(), HasSubstr("file system operations are disabled")) << sql;
  }
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("finance.spend"));
  EXPECT_TRUE(snapshots.empty());
}

}  // namespace
}  // namespace weft::query
