#include "storage/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalog/store.h"
#include "common/hashing.h"
#include "common/testing/status_matchers.h"

namespace weft::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// Bytes framed as Parquet: the check reads the magic at both ends, not the pages.
const std::string kParquet = "PAR1-row-groups-and-footer-PAR1";

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("weft-check-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "domains/sales";
    fs::create_directories(root_);
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore((base_ / "catalog.db").string()));
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertDomain({.name = "sales", .storage_root = root_.string()}));
    ASSERT_OK(txn->UpsertProduct({.id = "sales.orders", .domain = "sales", .name = "orders"}));
    ASSERT_OK(txn->Commit());
    options_.now = Clock::now() + std::chrono::hours(2);  // past the grace
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

  // A committed snapshot of `parts` data files, each kParquet.
  fs::path Committed(const std::string& id, int parts = 1) {
    const fs::path dir = root_ / "products/orders/v1/snapshots" / id;
    for (int i = 0; i < parts; ++i) Write(dir / ("part-" + std::to_string(i) + ".parquet"), kParquet);
    auto txn = store_->BeginWrite();
    EXPECT_OK(txn.status());
    EXPECT_OK((*txn)->InsertSnapshot({.id = id, .product_id = "sales.orders", .major = 1, .created_at = "2026-01-01T00:00:00Z",
                                      .path = dir.string(), .bytes = static_cast<int64_t>(parts * kParquet.size()),
                                      .files = parts}));
    EXPECT_OK((*txn)->Commit());
    return dir;
  }

  // A recorded publish whose input (one file) was archived.
  fs::path Archived(const std::string& id, const std::string& input) {
    const fs::path dir = root_ / "archive" / id;
    Write(dir / "orders.csv", input);
    auto txn = store_->BeginWrite();
    EXPECT_OK(txn.status());
    EXPECT_OK((*txn)->InsertPublish({.id = id, .product_id = "sales.orders", .major = 1, .actor = "carol",
                                     .started_at = "2026-01-01T00:00:00Z", .finished_at = "2026-01-01T00:00:01Z",
                                     .outcome = "published", .mode = "replace", .input_checksum = Sha256Hex(input),
                                     .input_archive = dir.string()}));
    EXPECT_OK((*txn)->Commit());
    return dir;
  }

  Result<CheckReport> Run() { return CheckStorage(*store_, DefaultFileSystem(), {{"sales", root_}}, options_); }

  static std::vector<std::string> Problems(const CheckReport& r) {
    std::vector<std::string> out;
    for (const auto& p : r.problems) out.push_back(p.object + ": " + p.problem);
    return out;
  }

  fs::path base_, root_;
  std::unique_ptr<catalog::Store> store_;
  CheckOptions options_;
};

TEST_F(CheckTest, AConsistentWorkspaceIsClean) {
  Committed("s1", 2);
  Archived("p1", "id\n1\n");
  ASSERT_OK_AND_ASSIGN(CheckReport r, Run());
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(Problems(r));
  EXPECT_EQ(r.snapshots, 1);
  EXPECT_EQ(r.files, 2);
  EXPECT_EQ(r.archives, 1);
  EXPECT_TRUE(r.garbage.removals.empty());
}

// What a lost disk, a bad restore or a hand edit does to committed state:
// each is reported against the object it breaks, and nothing is repaired.
TEST_F(CheckTest, ReportsCommittedStateTheDiskDoesNotBack) {
  const fs::path gone = Committed("s-gone");
  const fs::path truncated = Committed("s-truncated");
  const fs::path extra = Committed("s-extra");
  const fs::path archive = Archived("p-changed", "id\n1\n");
  fs::remove_all(gone);
  fs::resize_file(truncated / "part-0.parquet", 10);
  Write(extra / "part-1.parquet", kParquet);
  Write(archive / "orders.csv", "id\n2\n");
  options_.repair = true;
  ASSERT_OK_AND_ASSIGN(CheckReport r, Run());
  EXPECT_THAT(Problems(r),
              ElementsAre(HasSubstr("publish:p-changed of sales.orders: the archived input's SHA-256"),
                          HasSubstr("snapshot:s-extra of sales.orders_v1: 2 data files on disk, the commit recorded 1"),
                          HasSubstr("snapshot:s-gone of sales.orders_v1: the committed snapshot's directory is missing"),
                          HasSubstr("snapshot:s-truncated of sales.orders_v1: 10 bytes of data files on disk"),
                          HasSubstr("snapshot:s-truncated of sales.orders_v1: data file is 10 bytes")));
  // Repair never touches committed state, broken or not.
  EXPECT_TRUE(fs::exists(truncated));
  EXPECT_TRUE(fs::exists(archive / "orders.csv"));
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListAllSnapshots());
  EXPECT_EQ(snapshots.size(), 3u);
}

// Garbage is what no committed state references; --repair removes it and
// only it: never a snapshot beyond retention (that is gc's, with its audit).
TEST_F(CheckTest, RepairRemovesOnlyWhatNothingCommittedReferences) {
  Committed("s1");
  Committed("s2");
  Write(root_ / "products/orders/v1/.staging/killed/part-0.parquet", "PAR1");
  Write(root_ / "products/orders/v1/snapshots/orphan/part-0.parquet", kParquet);
  Write(root_ / "archive/p-killed/orders.csv", "id\n");
  Write(root_ / "quarantine/orders/p-killed.parquet.tmp", "q");
  ASSERT_OK_AND_ASSIGN(CheckReport listed, Run());
  EXPECT_TRUE(listed.problems.empty());
  EXPECT_TRUE(listed.garbage.dry_run);
  EXPECT_EQ(listed.garbage.removals.size(), 4u);
  EXPECT_TRUE(fs::exists(root_ / "archive/p-killed"));

  options_.repair = true;
  ASSERT_OK_AND_ASSIGN(CheckReport repaired, Run());
  EXPECT_EQ(repaired.garbage.removals.size(), 4u);
  for (const auto& g : repaired.garbage.removals) EXPECT_TRUE(g.removed) << g.path;
  EXPECT_FALSE(fs::exists(root_ / "products/orders/v1/.staging/killed"));
  EXPECT_FALSE(fs::exists(root_ / "products/orders/v1/snapshots/orphan"));
  EXPECT_FALSE(fs::exists(root_ / "archive/p-killed"));
  EXPECT_FALSE(fs::exists(root_ / "quarantine/orders/p-killed.parquet.tmp"));
  EXPECT_TRUE(fs::exists(root_ / "products/orders/v1/snapshots/s1"));
  ASSERT_OK_AND_ASSIGN(CheckReport after, Run());
  EXPECT_TRUE(after.problems.empty());
  EXPECT_TRUE(after.garbage.removals.empty());
}

}  // namespace
}  // namespace weft::storage
