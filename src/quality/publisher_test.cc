// The publisher end to end on a temporary workspace with the fixture tree of
// tests/fixtures/publish/ applied: clean, row failures, rejection,
// duplicates, append, bad input, and the demo mesh's planted violations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "catalog/store.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/testing/status_matchers.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/publisher.h"
#include "spec/loader.h"

namespace weft::quality {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/publish";

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-publish-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_OK(control::InitWorkspace(root_ / "ws", "test"));
    ASSERT_OK(WriteStringToFile(root_ / "ws/weft.yaml",
                                "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\n", true));
    ASSERT_OK_AND_ASSIGN(ws_, control::LoadWorkspace(root_ / "ws"));
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore(ws_.CatalogLocation()));
    auto db = engine::Database::Open({});
    ASSERT_OK(db);
    db_.emplace(std::move(*db));
    auto conn = engine::Connection::Open(*db_);
    ASSERT_OK(conn);
    conn_.emplace(std::move(*conn));
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
    store_.reset();
    fs::remove_all(root_);
  }

  void ApplyTree(const fs::path& tree) {
    std::vector<spec::Diagnostic> diags;
    for (const auto& f : spec::FindSpecFiles({tree}, diags)) {
      auto loaded = spec::LoadFile(f);
      for (auto& d : loaded.documents) docs_.push_back(std::move(d));
      for (auto& d : loaded.diagnostics) diags.push_back(std::move(d));
    }
    auto plan = control::MakePlan(ws_, *store_, docs_, diags, {.actor = "tester"});
    ASSERT_OK(plan);
    for (const auto& r : plan->refusals) ADD_FAILURE() << r.file << ": " << r.message;
    ASSERT_OK(control::Apply(ws_, *store_, storage::DefaultFileSystem(), *plan));
  }

  Result<PublishReport> Publish(const std::string& target, const std::vector<fs::path>& files,
                                const std::string& mode = "replace") {
    PublishRequest req{.target = target, .files = files, .mode = mode, .actor = "tester", .threads = 2,
                       .temp_dir = root_ / "ws/tmp"};
    return quality::Publish(*store_, req);
  }

  fs::path Data(const std::string& name) { return kFixtures / "data" / name; }

  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_OK(r);
    if (!r.ok()) return {};
    return *r->FetchAllAsStrings();
  }

  // Every file under `dir`, relative, sorted.
  std::set<std::string> Tree(const fs::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      out.insert(fs::relative(it->path(), dir).string());
    return out;
  }

  std::string SnapshotGlob(const PublishReport& r) {
    auto snaps = store_->ListSnapshots(r.product_id);
    EXPECT_OK(snaps);
    for (const auto& s : *snaps)
      if (s.id == r.snapshot_id) return SqlQuote(s.path + "/*.parquet");
    ADD_FAILURE() << "no snapshot " << r.snapshot_id;
    return "''";
  }

  void PublishCustomers() {
    auto r = Publish("customer.customers", {Data("customers.csv")});
    ASSERT_OK(r);
    ASSERT_EQ(r->outcome, "published");
  }

  fs::path root_;
  control::Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  std::vector<spec::Document> docs_;
  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

TEST_F(PublisherTest, CleanPublishCommitsASnapshot) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_clean.csv")}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_in, 3);
  EXPECT_EQ(r.checks.rows_valid, 3);
  EXPECT_TRUE(r.quarantine_path.empty());
  for (const auto& x : r.checks.results) EXPECT_TRUE(x.passed) << x.check.id;
  // Typed by the contract, in the snapshot.
  auto rows = Rows("SELECT order_id, amount, typeof(amount), typeof(ordered_on) FROM read_parquet(" + SnapshotGlob(r) +
                   ") ORDER BY order_id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(*rows[0][1], "10.50");
  EXPECT_EQ(*rows[0][2], "DECIMAL(10,2)");
  EXPECT_EQ(*rows[0][3], "DATE");
  EXPECT_TRUE(fs::exists(fs::path(r.archive_path) / "orders_clean.csv"));
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("shop.orders", 0));
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].outcome, "published");
  EXPECT_EQ(publishes[0].snapshot_id, r.snapshot_id);
  ASSERT_OK_AND_ASSIGN(auto results, store_->ListQualityResults(r.publish_id));
  EXPECT_EQ(results.size(), r.checks.results.size());
}

TEST_F(PublisherTest, FailingRowsGoToQuarantineWithRulesAndRowNumbers) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_bad_rows.csv")}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_in, 9);
  EXPECT_EQ(r.checks.rows_valid, 2);
  EXPECT_EQ(r.checks.rows_quarantined, 7);
  EXPECT_NE(std::find(r.warnings.begin(), r.warnings.end(), "column 'extra' is not in the contract and is dropped"),
            r.warnings.end());
  auto q = Rows("SELECT __row, array_to_string(__rules, ','), order_id, amount FROM read_parquet(" +
                SqlQuote(r.quarantine_path) + ") ORDER BY __row");
  ASSERT_EQ(q.size(), 7u);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"2", "orders.customer_id:relationship"}, {"3", "orders.amount:minimum"},
      {"4", "orders.status:invalidValues"},     {"5", "orders:primaryKey"},
      {"6", "orders:primaryKey"},               {"7", "orders.amount:type"},
      {"8", "orders.customer_id:required"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(*q[i][0], expected[i].first);
    EXPECT_EQ(*q[i][1], expected[i].second) << "row " << expected[i].first;
  }
  EXPECT_EQ(*q[5][3], "abc");  // the raw value, as it came in
  auto kept = Rows("SELECT order_id FROM read_parquet(" + SnapshotGlob(r) + ") ORDER BY order_id");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(*kept[0][0], "O10");
  EXPECT_EQ(*kept[1][0], "O17");
}

TEST_F(PublisherTest, AValueThatDoesNotFitItsTypeIsAFailingRowWithAReason) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_bad_date.csv")}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_quarantined, 1);
  for (const auto& x : r.checks.results) {
    if (x.check.id != "orders.ordered_on:type") continue;
    ASSERT_EQ(x.sample.size(), 1u);
    EXPECT_EQ(x.sample[0].row, 1);
    EXPECT_EQ(x.sample[0].reason, "ordered_on: '2025-02-30' is not a valid DATE");
  }
}

TEST_F(PublisherTest, RejectedPublishKeepsThePreviousSnapshotCurrent) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  fs::path snapshots = fs::path(ws_.root) / "domains/shop/products/orders/v1/snapshots";
  auto before = Tree(snapshots);
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_reject.csv")}));
  EXPECT_EQ(r.outcome, "rejected");
  EXPECT_EQ(r.checks.rejected_by, (std::vector<std::string>{"orders.note:nullValues", "amounts_below_limit"}));
  EXPECT_EQ(Tree(snapshots), before);
  ASSERT_OK_AND_ASSIGN(auto snaps, store_->ListSnapshots("shop.orders"));
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].id, first.snapshot_id);
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("shop.orders", 0));
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[0].outcome, "rejected");
  EXPECT_TRUE(fs::exists(fs::path(r.archive_path) / "orders_reject.csv"));  // the input is kept
}

TEST_F(PublisherTest, IdenticalInputIsDetected) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  ASSERT_OK_AND_ASSIGN(PublishReport again, Publish("shop.orders", {Data("orders_clean.csv")}));
  EXPECT_EQ(again.outcome, "duplicate");
  EXPECT_EQ(again.snapshot_id, first.snapshot_id);
  EXPECT_EQ(*store_->Dump(), dump);
}

TEST_F(PublisherTest, AppendAddsRowsToTheParentSnapshot) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_more.csv")}, "append"));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.parent_snapshot_id, first.snapshot_id);
  EXPECT_EQ(r.snapshot_rows, 5);
  auto rows = Rows("SELECT string_agg(order_id, ',' ORDER BY order_id) FROM read_parquet(" + SnapshotGlob(r) + ")");
  EXPECT_EQ(*rows[0][0], "O1,O2,O3,O4,O5");
  auto old_rows = Rows("SELECT count(*) FROM read_parquet(" + SnapshotGlob(first) + ")");
  EXPECT_EQ(*old_rows[0][0], "3");  // the parent is untouched
}

TEST_F(PublisherTest, MalformedInputIsAClearErrorAndChangesNothing) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  auto files = Tree(ws_.root / "domains");
  auto r = Publish("shop.orders", {Data("orders_malformed.csv")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("orders_malformed.csv as csv"), std::string::npos) << r.status().message();
  auto missing = Publish("shop.orders", {Data("orders_missing_column.csv")});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no column customer_id"), std::string::npos) << missing.status().message();
  EXPECT_EQ(*store_->Dump(), dump);
  EXPECT_EQ(Tree(ws_.root / "domains"), files);
}

TEST_F(PublisherTest, UnknownProductAndRetiredVersionsAreRefused) {
  ApplyTree(kFixtures / "tree");
  auto r = Publish("shop.order", {Data("orders_clean.csv")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("did you mean 'shop.orders'"), std::string::npos);
  auto v9 = Publish("shop.orders@v9", {Data("orders_clean.csv")});
  EXPECT_EQ(v9.status().code(), StatusCode::kNotFound);
}

TEST_F(PublisherTest, ForeignKeyWithoutAGoldenRecordSnapshotIsAWarning) {
  ApplyTree(kFixtures / "tree");
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {Data("orders_clean.csv")}));
  EXPECT_EQ(r.outcome, "published");
  for (const auto& x : r.checks.results)
    if (x.check.kind == "relationship") {
      EXPECT_EQ(x.check.severity, "warning");
    }
}

// Every planted violation of examples/mesh/README.md shows up, as a
// quarantined row or a failed rule, when the demo data is published.
TEST_F(PublisherTest, DemoPlantedViolationsAreAllFound) {
  const char* weft = std::getenv("WEFT_BINARY");
  if (!weft || !fs::exists(weft)) GTEST_SKIP() << "WEFT_BINARY not set";
  fs::path data = root_ / "demo";
  std::string cmd = std::string(weft) + " demo generate --scale 0.01 --out " + data.string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ApplyTree(fs::path(WEFT_SOURCE_DIR) / "examples/mesh");
  // Failed rule ids (with a quarantined or failing count) per product.
  std::map<std::string, std::set<std::string>> failed;
  for (const std::string p : {"customer.customers", "inventory.warehouses", "inventory.stock_levels",
                              "inventory.inventory_snapshots", "marketing.campaigns", "marketing.leads", "sales.orders",
                              "sales.order_items"}) {
    auto dot = p.find('.');
    fs::path file = data / p.substr(0, dot) / (p.substr(dot + 1) + ".csv");
    auto r = Publish(p, {file});
    ASSERT_OK(r) << p;
    EXPECT_EQ(r->outcome, "published") << p;
    for (const auto& x : r->checks.results)
      if (!x.passed && x.check.skipped.empty()) failed[p].insert(x.check.id);
  }
  auto has = [&](const std::string& p, const std::string& id) {
    EXPECT_TRUE(failed[p].count(id)) << p << " should fail " << id << "; failed: " << Join({failed[p].begin(), failed[p].end()}, ", ");
  };
  has("customer.customers", "customers.email:invalidValues");
  has("sales.orders", "orders.customer_id:relationship");
  has("sales.orders", "orders.order_id:unique");
  has("sales.orders", "orders:duplicateValues");
  has("sales.orders", "orders.order_ts:required");
  has("sales.orders", "orders.amount:minimum");  // what no_negative_amounts would find
  has("sales.orders", "orders.status:invalidValues");
  has("sales.order_items", "order_items.quantity:minimum");  // positive_quantity
  has("marketing.leads", "leads.source:invalidValues");
  has("marketing.leads", "leads.score:maximum");  // score_in_range
  has("inventory.stock_levels", "stock_levels.on_hand:minimum");  // no_negative_stock
  has("inventory.inventory_snapshots", "inventory_snapshots.warehouse_id,sku:relationship");
}

}  // namespace
}  // namespace weft::quality
