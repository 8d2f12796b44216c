// The publisher end to end on a temporary workspace with the fixture tree of
// tests/fixtures/publish/ applied: clean, row failures, rejection,
// duplicates, append, bad input, and the demo mesh's planted violations.
#include "quality/publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <utility>

#include "catalog/store.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/testing/status_matchers.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/snapshot_hook.h"
#include "spec/loader.h"

namespace weft::quality {
namespace {

using ::testing::HasSubstr;

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

  // The publish guards are off in the tests of the checks (their tiny
  // fixtures quarantine far more than 5%); the guard tests turn them on.
  PublishRequest Request(const std::string& target, const std::vector<fs::path>& files,
                         const std::string& mode = "replace") {
    return {.target = target,
            .files = files,
            .mode = mode,
            .actor = "tester",
            .threads = 2,
            .temp_dir = root_ / "ws/tmp",
            .guards = GuardSettings::Off()};
  }
  Result<PublishReport> Publish(const std::string& target, const std::vector<fs::path>& files,
                                const std::string& mode = "replace") {
    return quality::Publish(*store_, Request(target, files, mode));
  }

  // n clean orders O<from>.. as a CSV.
  fs::path Orders(const std::string& name, int from, int n) {
    std::string text = "order_id,customer_id,amount,status,note,ordered_on\n";
    for (int i = from; i < from + n; ++i)
      text += "O" + std::to_string(i) + ",C" + std::to_string(1 + i % 3) + ",10.00,new,n,2025-01-01\n";
    fs::path f = root_ / "in" / name;
    EXPECT_OK(WriteStringToFile(f, text, true));
    return f;
  }

  std::vector<catalog::AuditEvent> Audit(const std::string& action) {
    auto events = store_->ListAudit({.object = "product:shop.orders"});
    EXPECT_OK(events);
    std::vector<catalog::AuditEvent> out;
    for (const auto& e : *events)
      if (e.action == action) out.push_back(e);
    return out;
  }

  std::string Current(const std::string& product) {
    auto snaps = store_->ListSnapshots(product);
    EXPECT_OK(snaps);
    return snaps->empty() ? "" : (*snaps)[0].id;
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

// An attack: a link named like a CSV that points at a file the publisher
// may not mean to share (here /etc/passwd) would be read and copied into the
// domain's archive. Links, directories and devices are refused, and the
// publish leaves nothing behind.
TEST_F(PublisherTest, ALinkADirectoryOrADeviceIsNoInput) {
  ApplyTree(kFixtures / "tree");
  const fs::path link = root_ / "orders.csv";
  fs::create_symlink("/etc/passwd", link);
  const std::string before = *store_->Dump();
  auto linked = Publish("shop.orders", {link});
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(linked.status().message(), HasSubstr("is a symbolic link (to '/etc/passwd')"));
  const fs::path dir_link = root_ / "dir.csv";
  fs::create_directory_symlink(root_, dir_link);
  EXPECT_THAT(Publish("shop.orders", {dir_link}).status().message(), HasSubstr("is a symbolic link"));
  EXPECT_THAT(Publish("shop.orders", {root_}).status().message(), HasSubstr("is not a regular file"));
  EXPECT_THAT(Publish("shop.orders", {"/dev/zero"}).status().message(), HasSubstr("is not a regular file"));
  EXPECT_THAT(Publish("shop.orders", {root_ / "missing.csv"}).status().message(), HasSubstr("does not exist"));
  EXPECT_EQ(*store_->Dump(), before);
  EXPECT_TRUE(Tree(ws_.root / "domains/shop/archive").empty());  // provisioned by apply, nothing archived
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
  std::vector<std::pair<std::string, std::string>> expected = {{"2", "orders.customer_id:relationship"},
                                                               {"3", "orders.amount:minimum"},
                                                               {"4", "orders.status:invalidValues"},
                                                               {"5", "orders:primaryKey"},
                                                               {"6", "orders:primaryKey"},
                                                               {"7", "orders.amount:type"},
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

// Runs `interleave` once, between a publish's checks and its commit: what
// another process (or a server replica on the same catalog) committing at
// that moment would do.
class InterleavingHook final : public SnapshotHook {
 public:
  explicit InterleavingHook(std::function<void()> interleave) : interleave_(std::move(interleave)) {}
  Result<std::string> CopyOptions(engine::Connection&, const SnapshotContext&) override { return std::string(); }
  Status BeforeSeal(engine::Connection*, const SnapshotContext&, const fs::path&) override {
    if (interleave_) std::exchange(interleave_, nullptr)();
    ++seals;
    return Status::Ok();
  }
  Result<std::string> AfterCommit(const SnapshotContext&) override { return std::string(); }
  int seals = 0;

 private:
  std::function<void()> interleave_;
};

TEST_F(PublisherTest, TwoAppendsCommittingAtOnceKeepBothTheirRows) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK(Publish("shop.orders", {Data("orders_clean.csv")}));
  std::string other;
  InterleavingHook hook([&] {
    auto r = Publish("shop.orders", {Orders("other.csv", 20, 2)}, "append");
    ASSERT_OK(r);
    other = r->snapshot_id;
  });
  PublishRequest req = Request("shop.orders", {Orders("mine.csv", 10, 2)}, "append");
  req.snapshot_hook = &hook;
  ASSERT_OK_AND_ASSIGN(PublishReport mine, quality::Publish(*store_, req));
  // The first try found the other append current at its commit, and started
  // again on it: its snapshot is parent + other + mine, with nothing lost.
  EXPECT_EQ(hook.seals, 2);
  EXPECT_EQ(mine.parent_snapshot_id, other);
  EXPECT_EQ(mine.snapshot_rows, 3 + 2 + 2);
  EXPECT_EQ(Current("shop.orders"), mine.snapshot_id);
  auto rows = Rows("SELECT string_agg(order_id, ',' ORDER BY order_id) FROM read_parquet(" + SnapshotGlob(mine) + ")");
  EXPECT_EQ(*rows[0][0], "O1,O10,O11,O2,O20,O21,O3");
  // One publish record per publish that committed, none for the lost try,
  // whose files are gone.
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("shop.orders", 0));
  EXPECT_EQ(publishes.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("shop.orders"));
  EXPECT_EQ(snapshots.size(), 3u);
  const fs::path snapshot_dir = fs::path(snapshots[0].path).parent_path();
  EXPECT_EQ(std::distance(fs::directory_iterator(snapshot_dir), fs::directory_iterator()), 3) << snapshot_dir;
}

TEST_F(PublisherTest, ARollbackRacingAPublishIsRefusedAndChangesNothing) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK(Publish("shop.orders", {Data("orders_more.csv")}, "append"));
  std::string other;
  InterleavingHook hook([&] {
    auto r = Publish("shop.orders", {Orders("other.csv", 20, 2)}, "append");
    ASSERT_OK(r);
    other = r->snapshot_id;
  });
  Result<PublishReport> r = quality::Rollback(
      *store_, {.product = "shop.orders", .snapshot = first.snapshot_id, .reason = "bad data", .actor = "tester",
                .snapshot_hook = &hook});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("another publish of shop.orders_v1 committed snapshot " + other));
  EXPECT_EQ(Current("shop.orders"), other);
  EXPECT_TRUE(Audit("product.rollback").empty());
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("shop.orders"));
  EXPECT_EQ(std::distance(fs::directory_iterator(fs::path(snapshots[0].path).parent_path()), fs::directory_iterator()), 3);
}

// Inputs that cannot be read as the contract's rows: a clear error naming
// what is wrong, no new snapshot, the previous one current, and the input
// archived with a "failed" publish in the history.
// The bad-input catalogue (issue 18, part 4), publish side. What the first
// pass over the input (input_limits.h) refuses changes nothing: the catalog
// Dump and the workspace's files are as they were and the input stays.
// BOM and CRLF are no errors (CsvLayoutVariantsPublishTheSameRows); limits
// and bombs: AnInputOverItsLimitsChangesNothing.
TEST_F(PublisherTest, BadInputIsRefusedBeforeAnythingChanges) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  const std::set<std::string> files = Tree(root_ / "ws");
  const std::string header = "order_id,customer_id,amount,status,note,ordered_on\n";
  std::string numbers;
  for (int i = 0; i < 20000; ++i) numbers += std::to_string(i * 7919 % 100003) + "\n";
  struct Case {
    std::string name, content, expected;
  };
  const std::vector<Case> cases = {
      {"empty.csv", "", "empty.csv is empty (not even a header row)"},
      {"ragged.csv", header + "O1,C1,10.50,new,a,2025-01-01\nO2,C1,10.50,new\n",
       "ragged.csv: the record starting at line 3 has 4 fields, the header has 6; a value holding ',' or a line "
       "break must be \"-quoted"},
      {"unclosed.csv", header + "O1,C1,\"10.50,new,a,2025-01-01\nO2,C1,1,new,b,2025-01-01\n",
       "unclosed.csv: field 3 ('amount') of the record starting at line 2 opens a quote that is never closed"},
      {"latin1.csv", header + "O1,C1,10.50,new,caf\xe9,2025-01-01\n",
       "latin1.csv: line 2, column 20 is not valid UTF-8 (the byte 0xe9); weft reads text input as UTF-8"},
      {"latin1.ndjson", "{\"order_id\": \"O1\"}\n{\"order_id\": \"O2\", \"note\": \"\xff\"}\n",
       "latin1.ndjson: line 2, column 29 is not valid UTF-8 (the byte 0xff)"},
      {"wide.csv", "order_id" + std::string(20'000, ',') + "\n",
       "wide.csv: the header has more than 20000 columns, which weft does not read"},
      {"plain.csv.gz", header + "O1,C1,10.50,new,a,2025-01-01\n",
       "plain.csv.gz is named .gz but is not gzip-compressed"},
      {"cut.csv.gz", "", "cut.csv.gz is not valid gzip"},  // written below
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path file = root_ / "in" / c.name;
    ASSERT_OK(WriteStringToFile(file, c.content, true));
    if (c.name == "cut.csv.gz") {
      gzFile out = gzopen(file.c_str(), "wb");
      ASSERT_NE(out, nullptr);
      gzwrite(out, numbers.data(), static_cast<unsigned>(numbers.size()));
      gzclose(out);
      fs::resize_file(file, fs::file_size(file) / 2);
    }
    auto r = Publish("shop.orders", {file});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.expected));
    EXPECT_THAT(r.status().message(), HasSubstr("nothing was published"));
    EXPECT_TRUE(fs::exists(file));
  }
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(after, before);
  EXPECT_EQ(Tree(root_ / "ws"), files);
  EXPECT_EQ(Current("shop.orders"), first.snapshot_id);
}

// What only the reader finds (a header without a contract column, a
// truncated or foreign Parquet file) is an attempt kept for inspection: its
// archive copy stays and a "failed" publish records why, so `weft history`
// shows it; nothing else changes and the current snapshot stays current.
TEST_F(PublisherTest, UnreadableInputIsAClearErrorKeptForInspection) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_EQ(first.outcome, "published");
  fs::create_directories(root_ / "in");
  const fs::path truncated = root_ / "in/truncated.parquet", foreign = root_ / "in/foreign.parquet";
  ASSERT_OK(
      conn_->Execute("COPY (SELECT 'O' || i AS order_id, 'C1' AS customer_id, 10.5 AS amount, 'new' AS status, "
                     "'n' AS note, DATE '2025-01-01' AS ordered_on FROM range(1000) t(i)) TO " +
                     SqlQuote(truncated.string()) + " (FORMAT parquet)"));
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  ASSERT_OK(
      conn_->Execute("COPY (SELECT 1 AS id, 'x' AS label) TO " + SqlQuote(foreign.string()) + " (FORMAT parquet)"));
  struct Case {
    fs::path file;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {root_ / "in/missing.csv", "no column customer_id"},
      {truncated, "cannot read " + truncated.string() + " as parquet"},
      {foreign, "no column order_id"},
  };
  ASSERT_OK(WriteStringToFile(cases[0].file, "order_id,amount,status,note,ordered_on\nO1,10.50,new,first,2025-01-01\n",
                              true));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file.string());
    auto r = Publish("shop.orders", {c.file});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.expected));
    EXPECT_THAT(r.status().message(), HasSubstr("the input is archived at"));
    EXPECT_LT(r.status().message().size(), 1000u) << "a reader's message is clipped, not the input quoted";
  }
  // Nothing new is visible: the first snapshot is the only one, and current.
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("shop.orders"));
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].id, first.snapshot_id);
  // Every attempt is in the history with its reason and its archived input.
  ASSERT_OK_AND_ASSIGN(auto history, store_->ListPublishes("shop.orders", 0));
  ASSERT_EQ(history.size(), cases.size() + 1);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(history[i].outcome, "failed");
    EXPECT_FALSE(history[i].message.empty());
    EXPECT_TRUE(fs::exists(history[i].input_archive)) << history[i].input_archive;
  }
}

// A gzip bomb and a runaway field fail before anything is staged, archived
// or recorded: the catalog and the workspace's files are as they were, and
// the input stays where it was (input_limits_test.cc has the cases).
TEST_F(PublisherTest, AnInputOverItsLimitsChangesNothing) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  const std::set<std::string> files = Tree(root_ / "ws");

  // 4 MB of one repeated row in a few KB: more than 100 times its size.
  const fs::path bomb = root_ / "in/bomb.csv.gz";
  fs::create_directories(bomb.parent_path());
  gzFile out = gzopen(bomb.c_str(), "wb9");
  ASSERT_NE(out, nullptr);
  const std::string header = "order_id,customer_id,amount,status,note,ordered_on\n";
  const std::string row = "O1,C1,10.00,new,n,2025-01-01\n";
  gzwrite(out, header.data(), static_cast<unsigned>(header.size()));
  for (int i = 0; i < 4'000'000 / static_cast<int>(row.size()); ++i)
    gzwrite(out, row.data(), static_cast<unsigned>(row.size()));
  gzclose(out);
  auto r = Publish("shop.orders", {bomb});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("bomb.csv.gz expands to more than"));
  EXPECT_THAT(r.status().message(), HasSubstr("raise publish.maxExpansion in weft.yaml"));

  const fs::path wide = Orders("wide.csv", 1, 3);
  ASSERT_OK(WriteStringToFile(
      wide, ReadFileToString(wide).value() + "O9,C1,10.00,new," + std::string(5000, 'w') + ",2025-01-01\n", true));
  PublishRequest req = Request("shop.orders", {wide});
  req.limits.max_field_bytes = 1000;
  r = quality::Publish(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("wide.csv: field 5 ('note') of the record starting at line 5 is longer "
                                              "than publish.maxFieldBytes (1 KB)"));

  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(after, before);
  EXPECT_EQ(Tree(root_ / "ws"), files);
  EXPECT_TRUE(fs::exists(bomb));
  EXPECT_TRUE(fs::exists(wide));
  EXPECT_EQ(Current("shop.orders"), first.snapshot_id);
}

// A field under maxFieldBytes but over DuckDB's own 2 MB line default is
// read: the reader is told the bound weft checks.
TEST_F(PublisherTest, AFieldOfSeveralMegabytesWithinTheLimitPublishes) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  const fs::path file = Orders("long_note.csv", 1, 2);
  ASSERT_OK(WriteStringToFile(
      file, ReadFileToString(file).value() + "O9,C1,10.00,new," + std::string(3'000'000, 'n') + ",2025-01-01\n", true));
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {file}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.snapshot_rows, 3);
}

// A gzip input is read as its inner format (orders.csv.gz as CSV).
TEST_F(PublisherTest, AGzipInputIsReadAsTheFormatBeforeGz) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  const fs::path gz = root_ / "in/orders.csv.gz";
  fs::create_directories(gz.parent_path());
  ASSERT_OK_AND_ASSIGN(std::string csv, ReadFileToString(Data("orders_clean.csv")));
  gzFile out = gzopen(gz.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  gzwrite(out, csv.data(), static_cast<unsigned>(csv.size()));
  gzclose(out);
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {gz}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_GT(r.snapshot_rows, 0);
}

// What a reader of the contract's columns gets regardless of how the file
// is laid out: reordered and extra columns, CRLF line ends, a UTF-8 byte
// order mark, quoted commas and newlines.
TEST_F(PublisherTest, CsvLayoutVariantsPublishTheSameRows) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  fs::create_directories(root_ / "in");
  const std::string reordered =
      "ordered_on,status,amount,customer_id,order_id,note,extra\n"
      "2025-01-01,new,10.50,C1,O1,\"first, with a comma\",x\n"
      "2025-01-02,shipped,20.00,C2,O2,\"two\nlines\",y\n";
  std::string crlf = reordered;
  for (size_t pos = 0; (pos = crlf.find('\n', pos)) != std::string::npos; pos += 2) crlf.replace(pos, 1, "\r\n");
  // Quoted newlines stay newlines inside the value; only line ends change.
  crlf.replace(crlf.find("two\r\nlines"), 10, "two\nlines");
  const std::vector<std::pair<std::string, std::string>> files = {
      {"reordered.csv", reordered}, {"crlf.csv", crlf}, {"bom.csv", "\xEF\xBB\xBF" + reordered}};
  for (const auto& [name, content] : files) {
    ASSERT_OK(WriteStringToFile(root_ / "in" / name, content, true));
    ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {root_ / "in" / name}));
    EXPECT_EQ(r.outcome, "published") << name;
    EXPECT_EQ(r.checks.rows_in, 2) << name;
    EXPECT_EQ(r.checks.rows_valid, 2) << name;
    EXPECT_NE(std::find_if(
                  r.warnings.begin(), r.warnings.end(),
                  [](const std::string& w) { return w.find("'extra' is not in the contract") != std::string::npos; }),
              r.warnings.end())
        << name;
    auto rows = Rows("SELECT order_id, note FROM read_parquet(" + SnapshotGlob(r) + ") ORDER BY order_id");
    ASSERT_EQ(rows.size(), 2u) << name;
    EXPECT_EQ(*rows[0][1], "first, with a comma") << name;
    EXPECT_EQ(*rows[1][1], "two\nlines") << name;
  }
}

// Several files are one input: matched to the contract by column name each,
// rows numbered across the files in order.
TEST_F(PublisherTest, SeveralFilesWithColumnsInAnyOrderAreOneInput) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  fs::create_directories(root_ / "in");
  ASSERT_OK(WriteStringToFile(root_ / "in/a.csv",
                              "order_id,customer_id,amount,status,note,ordered_on\n"
                              "O1,C1,10.50,new,a,2025-01-01\n",
                              true));
  ASSERT_OK(WriteStringToFile(root_ / "in/b.csv",
                              "ordered_on,note,status,amount,customer_id,order_id\n"
                              "2025-01-02,b,shipped,20.00,C2,O2\n2025-01-03,c,bad,5.00,C3,O3\n",
                              true));
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {root_ / "in/a.csv", root_ / "in/b.csv"}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_in, 3);
  EXPECT_EQ(r.checks.rows_quarantined, 1);
  auto rows = Rows("SELECT order_id, amount, status FROM read_parquet(" + SnapshotGlob(r) + ") ORDER BY order_id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1][1], "20.00");
  EXPECT_EQ(*rows[1][2], "shipped");
  auto quarantined = Rows("SELECT __row FROM read_parquet(" + SqlQuote(r.quarantine_path) + ")");
  ASSERT_EQ(quarantined.size(), 1u);
  EXPECT_EQ(*quarantined[0][0], "3");  // the second data row of b.csv is input row 3
}

// A Parquet file whose columns have other types than the contract's: the
// values that do not convert are failing rows; a missing column is an error.
TEST_F(PublisherTest, ParquetWithAnotherSchemaIsCheckedValueByValue) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  fs::create_directories(root_ / "in");
  fs::path typed = root_ / "in/typed.parquet", missing = root_ / "in/missing.parquet";
  ASSERT_OK(
      conn_->Execute("COPY (SELECT 'O1' AS order_id, 'C1' AS customer_id, 'ten' AS amount, 'new' AS status, "
                     "NULL AS note, DATE '2025-01-01' AS ordered_on UNION ALL SELECT 'O2', 'C2', '5', 'new', 'n', "
                     "DATE '2025-01-02') TO " +
                     SqlQuote(typed.string()) + " (FORMAT parquet)"));
  ASSERT_OK_AND_ASSIGN(PublishReport r, Publish("shop.orders", {typed}));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_EQ(r.checks.rows_quarantined, 1);  // 'ten' is not a DECIMAL
  ASSERT_OK(conn_->Execute("COPY (SELECT 'O1' AS order_id, 10 AS amount) TO " + SqlQuote(missing.string()) +
                           " (FORMAT parquet)"));
  auto bad = Publish("shop.orders", {missing});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no column customer_id"), std::string::npos) << bad.status().message();
}

TEST_F(PublisherTest, UnknownProductAndRetiredVersionsAreRefused) {
  ApplyTree(kFixtures / "tree");
  auto r = Publish("shop.order", {Data("orders_clean.csv")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("did you mean 'shop.orders'"), std::string::npos);
  auto v9 = Publish("shop.orders@v9", {Data("orders_clean.csv")});
  EXPECT_EQ(v9.status().code(), StatusCode::kNotFound);
  // A retired major takes no more data: publishing to it names the way out.
  ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
  for (auto pv : ports) {
    if (pv.product_id != "shop.orders") continue;
    pv.status = "retired";
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertPortVersion(pv));
    ASSERT_OK(txn->Commit());
  }
  auto retired = Publish("shop.orders@v1", {Data("orders_clean.csv")});
  EXPECT_EQ(retired.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(retired.status().message().find("is retired; publish to a newer major"), std::string::npos);
  EXPECT_EQ(Publish("shop.orders", {Data("orders_clean.csv")}).status().code(), StatusCode::kNotFound);
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
  for (const std::string p :
       {"customer.customers", "inventory.warehouses", "inventory.stock_levels", "inventory.inventory_snapshots",
        "marketing.campaigns", "marketing.leads", "sales.orders", "sales.order_items"}) {
    auto dot = p.find('.');
    fs::path file = data / p.substr(0, dot) / (p.substr(dot + 1) + ".csv");
    auto r = Publish(p, {file});
    ASSERT_OK(r) << p;
    EXPECT_EQ(r->outcome, "published") << p;
    for (const auto& x : r->checks.results)
      if (!x.passed && x.check.skipped.empty()) failed[p].insert(x.check.id);
  }
  auto has = [&](const std::string& p, const std::string& id) {
    EXPECT_TRUE(failed[p].count(id)) << p << " should fail " << id
                                     << "; failed: " << Join({failed[p].begin(), failed[p].end()}, ", ");
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
  has("marketing.leads", "leads.score:maximum");                  // score_in_range
  has("inventory.stock_levels", "stock_levels.on_hand:minimum");  // no_negative_stock
  has("inventory.inventory_snapshots", "inventory_snapshots.warehouse_id,sku:relationship");
}

TEST_F(PublisherTest, AGuardRefusesAPublishThatQuarantinesTooManyRowsAndKeepsTheCurrentSnapshot) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  PublishRequest req = Request("shop.orders", {Data("orders_bad_rows.csv")});
  req.guards = GuardSettings{};  // the defaults: at most 5% quarantined
  ASSERT_OK_AND_ASSIGN(PublishReport r, quality::Publish(*store_, req));
  EXPECT_EQ(r.outcome, "rejected");
  EXPECT_FALSE(r.checks.rejected);  // no rule rejected it: the guard did
  EXPECT_NE(r.refused_by.find("guard:quarantinedShare: 7 of 9 rows (77.8%) were quarantined; at most 5.0% may be"),
            std::string::npos)
      << r.refused_by;
  EXPECT_TRUE(r.snapshot_id.empty());
  EXPECT_EQ(Current("shop.orders"), first.snapshot_id);
  EXPECT_TRUE(fs::exists(fs::path(r.archive_path) / "orders_bad_rows.csv"));  // the input is kept
  EXPECT_TRUE(fs::exists(r.quarantine_path));                                 // and why its rows failed
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("shop.orders", 1));
  EXPECT_EQ(publishes[0].outcome, "rejected");
  EXPECT_NE(publishes[0].message.find("refused by guard:quarantinedShare"), std::string::npos) << publishes[0].message;
}

TEST_F(PublisherTest, ForceWithAReasonPublishesPastAGuardAndIsAudited) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  PublishRequest req = Request("shop.orders", {Data("orders_bad_rows.csv")});
  req.guards = GuardSettings{};
  req.force = true;
  EXPECT_EQ(quality::Publish(*store_, req).status().code(), StatusCode::kInvalidArgument);  // no reason
  req.force_reason = "   ";
  EXPECT_EQ(quality::Publish(*store_, req).status().code(), StatusCode::kInvalidArgument);
  req.force_reason = "the upstream export is known to be partial today";
  ASSERT_OK_AND_ASSIGN(PublishReport r, quality::Publish(*store_, req));
  EXPECT_EQ(r.outcome, "published");
  EXPECT_TRUE(r.forced);
  EXPECT_EQ(Current("shop.orders"), r.snapshot_id);
  auto forced = Audit("publish.forced");
  ASSERT_EQ(forced.size(), 1u);
  EXPECT_EQ(forced[0].actor, "tester");
  EXPECT_NE(forced[0].detail.find("reason: the upstream export is known to be partial today"), std::string::npos);
  EXPECT_NE(forced[0].detail.find("guard:quarantinedShare"), std::string::npos);
  // Nothing to force: no forced audit, nothing marked.
  PublishRequest clean = Request("shop.orders", {Data("orders_clean.csv")});
  clean.guards = GuardSettings{};
  clean.force = true;
  clean.force_reason = "habit";
  ASSERT_OK_AND_ASSIGN(PublishReport ok, quality::Publish(*store_, clean));
  EXPECT_FALSE(ok.forced);
  EXPECT_EQ(Audit("publish.forced").size(), 1u);
}

TEST_F(PublisherTest, AReplaceThatShrinksTheProductTooMuchIsRefused) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  PublishRequest big = Request("shop.orders", {Orders("big.csv", 1, 100)});
  big.guards = GuardSettings{};
  ASSERT_OK_AND_ASSIGN(PublishReport first, quality::Publish(*store_, big));
  ASSERT_EQ(first.outcome, "published");
  PublishRequest small = Request("shop.orders", {Orders("small.csv", 1, 10)});
  small.guards = GuardSettings{};
  ASSERT_OK_AND_ASSIGN(PublishReport r, quality::Publish(*store_, small));
  EXPECT_EQ(r.outcome, "rejected");
  EXPECT_NE(r.refused_by.find("guard:shrink: the new snapshot has 10 rows, the current one 100 (90.0% fewer)"),
            std::string::npos)
      << r.refused_by;
  EXPECT_EQ(Current("shop.orders"), first.snapshot_id);
  // Half as many rows is within the default 50%; an append never shrinks.
  PublishRequest half = Request("shop.orders", {Orders("half.csv", 1, 50)});
  half.guards = GuardSettings{};
  ASSERT_OK_AND_ASSIGN(PublishReport h, quality::Publish(*store_, half));
  EXPECT_EQ(h.outcome, "published") << h.refused_by;
}

TEST_F(PublisherTest, TheVolumeGuardRefusesAnAppendFarBelowItsHistory) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  int next = 1;
  const int sizes[] = {100, 104, 97, 101, 99, 103};
  for (int n : sizes) {
    PublishRequest req = Request("shop.orders", {Orders("batch" + std::to_string(next) + ".csv", next, n)}, "append");
    req.guards = GuardSettings{};
    ASSERT_OK_AND_ASSIGN(PublishReport r, quality::Publish(*store_, req));
    ASSERT_EQ(r.outcome, "published") << r.refused_by;
    next += n;
  }
  const std::string before = Current("shop.orders");
  PublishRequest tiny = Request("shop.orders", {Orders("tiny.csv", next, 5)}, "append");
  tiny.guards = GuardSettings{};
  ASSERT_OK_AND_ASSIGN(PublishReport r, quality::Publish(*store_, tiny));
  EXPECT_EQ(r.outcome, "rejected");
  EXPECT_NE(r.refused_by.find("guard:volume: this publish adds 5 rows"), std::string::npos) << r.refused_by;
  EXPECT_EQ(Current("shop.orders"), before);
  // With the guard off (volumeSensitivity 0) the same batch is published.
  tiny.guards.volume_sensitivity = 0;
  ASSERT_OK_AND_ASSIGN(PublishReport off, quality::Publish(*store_, tiny));
  EXPECT_EQ(off.outcome, "published");
}

TEST_F(PublisherTest, RollbackMakesAnEarlierSnapshotCurrentWithoutCopyingIt) {
  ApplyTree(kFixtures / "tree");
  PublishCustomers();
  ASSERT_OK_AND_ASSIGN(PublishReport first, Publish("shop.orders", {Data("orders_clean.csv")}));
  ASSERT_OK_AND_ASSIGN(PublishReport second, Publish("shop.orders", {Data("orders_more.csv")}));
  ASSERT_EQ(Current("shop.orders"), second.snapshot_id);
  RollbackRequest req{.product = "shop.orders", .snapshot = first.snapshot_id, .reason = "", .actor = "carol"};
  EXPECT_EQ(Rollback(*store_, req).status().code(), StatusCode::kInvalidArgument);  // a reason is required
  req.reason = "the second export was truncated";
  ASSERT_OK_AND_ASSIGN(PublishReport r, Rollback(*store_, req));
  EXPECT_EQ(r.mode, "rollback");
  EXPECT_EQ(r.parent_snapshot_id, second.snapshot_id);
  EXPECT_EQ(r.snapshot_rows, 3);
  EXPECT_EQ(Current("shop.orders"), r.snapshot_id);
  auto rows = Rows("SELECT order_id FROM read_parquet(" + SnapshotGlob(r) + ") ORDER BY order_id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(*rows[0][0], "O1");
  // The files are the earlier snapshot's, linked, not copied.
  ASSERT_OK_AND_ASSIGN(auto snaps, store_->ListSnapshots("shop.orders"));
  std::string old_path, new_path;
  for (const auto& s : snaps) {
    if (s.id == first.snapshot_id) old_path = s.path;
    if (s.id == r.snapshot_id) new_path = s.path;
  }
  EXPECT_TRUE(fs::equivalent(fs::path(old_path) / "part-00000.parquet", fs::path(new_path) / "part-00000.parquet"));
  auto audit = Audit("product.rollback");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "carol");
  EXPECT_NE(audit[0].detail.find("restored snapshot " + first.snapshot_id), std::string::npos);
  EXPECT_NE(audit[0].detail.find("reason: the second export was truncated"), std::string::npos);
  // The rollback is in the history, and the next publish replaces it as usual.
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("shop.orders", 1));
  EXPECT_EQ(publishes[0].mode, "rollback");
  // Restoring the current snapshot, or one that was never kept, is refused.
  req.snapshot = r.snapshot_id;
  EXPECT_EQ(Rollback(*store_, req).status().code(), StatusCode::kFailedPrecondition);
  req.snapshot = "01NOSUCHSNAPSHOT";
  EXPECT_EQ(Rollback(*store_, req).status().code(), StatusCode::kNotFound);
  req.product = "shop.nothing";
  EXPECT_EQ(Rollback(*store_, req).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace weft::quality
