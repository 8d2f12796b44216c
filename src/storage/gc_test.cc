// gc: staging leftovers, orphan snapshot directories, retention (count, age,
// both, per product), dry runs, hard-linked files and paths gc must not touch.
#include "common/time.h"
#include "storage/gc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalog/store.h"
#include "common/testing/status_matchers.h"

namespace weft::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// Snapshot creation times, one day apart: day(0) is 2026-01-10.
std::string Day(int n) { return "2026-01-" + std::to_string(10 + n) + "T12:00:00.000Z"; }
Clock::time_point AtDay(int n) {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 0;
  tm.tm_mday = 10 + n;
  tm.tm_hour = 12;
  return Clock::from_time_t(timegm(&tm));
}

std::string ProductJson(const std::string& name, const std::string& retention_value) {
  std::string json = R"({"apiVersion":"v1.0.0","kind":"DataProduct","id":")" + name +
                     R"(","name":")" + name + R"(","status":"active","domain":"sales")";
  if (!retention_value.empty())
    json += R"(,"customProperties":[{"property":"weft.retention","value":)" + retention_value + "}]";
  return json + "}";
}

class GcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("weft-gc-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "domains/sales";
    fs::create_directories(root_);
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore((base_ / "catalog.db").string()));
    ASSERT_OK(AddProduct("orders", ""));
    options_.now = Clock::now() + std::chrono::hours(2);  // every directory made by the test is past the grace
    options_.actor = "gc-test";
  }
  void TearDown() override { fs::remove_all(base_); }

  Status AddProduct(const std::string& name, const std::string& retention_value) {
    ASSIGN_OR_RETURN(auto txn, store_->BeginWrite());
    RETURN_IF_ERROR(txn->UpsertDomain({.name = "sales", .storage_root = root_.string()}));
    RETURN_IF_ERROR(txn->UpsertProduct({.id = "sales." + name, .domain = "sales", .name = name,
                                        .spec_json = ProductJson(name, retention_value)}));
    return txn->Commit();
  }

  fs::path VersionDir(const std::string& product = "orders", int major = 1) const {
    return root_ / "products" / product / ("v" + std::to_string(major));
  }

  // A snapshot directory with one file, committed in the catalog unless `orphan`.
  fs::path Snapshot(const std::string& id, const std::string& created_at, bool orphan = false,
                    const std::string& product = "orders", int major = 1, const std::string& bytes = "rows") {
    const fs::path dir = VersionDir(product, major) / "snapshots" / id;
    fs::create_directories(dir);
    std::ofstream(dir / "part-0.parquet") << bytes;
    if (!orphan) {
      auto txn = store_->BeginWrite();
      EXPECT_OK(txn.status());
      EXPECT_OK((*txn)->InsertSnapshot({.id = id, .product_id = "sales." + product, .major = major,
                                        .created_at = created_at, .path = dir.string()}));
      EXPECT_OK((*txn)->Commit());
    }
    return dir;
  }

  std::vector<std::string> CatalogIds() {
    std::vector<std::string> ids;
    auto all = store_->ListAllSnapshots();
    EXPECT_OK(all.status());
    for (const auto& s : *all) ids.push_back(s.id);
    return ids;
  }

  Result<GcReport> Run() { return CollectGarbage(*store_, DefaultFileSystem(), {{"sales", root_}}, options_); }

  static std::vector<std::string> Removed(const GcReport& report, GcKind kind) {
    std::vector<std::string> ids;
    for (const auto& r : report.removals)
      if (r.kind == kind) ids.push_back(r.snapshot_id);
    return ids;
  }

  fs::path base_;
  fs::path root_;
  std::unique_ptr<catalog::Store> store_;
  GcOptions options_;
};

TEST_F(GcTest, RemovesOldStagingButNotFreshOnes) {
  fs::create_directories(VersionDir() / ".staging/old");
  std::ofstream(VersionDir() / ".staging/old/part-0.parquet") << "12345";
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kStaging), ElementsAre("old"));
  EXPECT_EQ(report.bytes_freed, 5);
  EXPECT_TRUE(report.removals[0].removed);
  EXPECT_THAT(report.removals[0].reason, HasSubstr("never sealed"));
  EXPECT_FALSE(fs::exists(VersionDir() / ".staging/old"));

  // Made just now: a running publish may own it.
  fs::create_directories(VersionDir() / ".staging/running");
  options_.now = Clock::now();
  ASSERT_OK_AND_ASSIGN(GcReport fresh, Run());
  EXPECT_TRUE(fresh.removals.empty());
  EXPECT_TRUE(fs::exists(VersionDir() / ".staging/running"));
}

TEST_F(GcTest, RemovesOrphansButNotCommittedOrFreshSnapshots) {
  Snapshot("committed", Day(0));
  const fs::path orphan = Snapshot("orphan", Day(1), /*orphan=*/true);
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kOrphan), ElementsAre("orphan"));
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_TRUE(fs::exists(VersionDir() / "snapshots/committed"));
  EXPECT_THAT(CatalogIds(), ElementsAre("committed"));

  // An orphan renamed into place a moment ago may be a publish about to commit.
  Snapshot("committing", Day(2), /*orphan=*/true);
  options_.now = Clock::now();
  ASSERT_OK_AND_ASSIGN(GcReport fresh, Run());
  EXPECT_TRUE(fresh.removals.empty());
}

// A publish killed before its commit leaves its input archive and maybe a
// quarantine file (or its .tmp) that no publish record names; recorded ones
// (a rejected publish's, a removed product's) are kept, and so is anything a
// running publish may still be writing.
TEST_F(GcTest, RemovesArchivesAndQuarantineFilesNoPublishRecordNames) {
  auto file = [](const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  };
  file(root_ / "archive/pub-killed/orders.csv", "a,b\n");
  file(root_ / "archive/pub-kept/orders.csv", "a,b\n");
  file(root_ / "archive/pub-of-removed/orders.csv", "a,b\n");
  file(root_ / "quarantine/orders/pub-killed.parquet.tmp", "q");
  file(root_ / "quarantine/orders/pub-renamed.parquet", "q");
  file(root_ / "quarantine/orders/pub-kept.parquet", "q");
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertPublish({.id = "pub-kept", .product_id = "sales.orders", .major = 1, .actor = "a",
                                  .started_at = Day(0), .finished_at = Day(0), .outcome = "rejected", .mode = "replace"}));
    ASSERT_OK(txn->InsertPublish({.id = "pub-of-removed", .product_id = "sales.gone", .major = 1, .actor = "a",
                                  .started_at = Day(0), .finished_at = Day(0), .outcome = "published", .mode = "replace"}));
    ASSERT_OK(txn->Commit());
  }
  options_.dry_run = true;
  ASSERT_OK_AND_ASSIGN(GcReport dry, Run());
  EXPECT_THAT(Removed(dry, GcKind::kUnrecorded), ElementsAre("pub-killed", "pub-killed", "pub-renamed"));
  EXPECT_TRUE(fs::exists(root_ / "archive/pub-killed"));
  options_.dry_run = false;
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kUnrecorded), ElementsAre("pub-killed", "pub-killed", "pub-renamed"));
  EXPECT_THAT(report.removals[0].reason, HasSubstr("never recorded"));
  EXPECT_FALSE(fs::exists(root_ / "archive/pub-killed"));
  EXPECT_FALSE(fs::exists(root_ / "quarantine/orders/pub-killed.parquet.tmp"));
  EXPECT_FALSE(fs::exists(root_ / "quarantine/orders/pub-renamed.parquet"));
  EXPECT_TRUE(fs::exists(root_ / "archive/pub-kept/orders.csv"));
  EXPECT_TRUE(fs::exists(root_ / "archive/pub-of-removed/orders.csv"));
  EXPECT_TRUE(fs::exists(root_ / "quarantine/orders/pub-kept.parquet"));

  // An archive whose copy is still being written: its file changed just now.
  file(root_ / "archive/pub-running/orders.csv", "a,b\n");
  options_.now = Clock::now();
  ASSERT_OK_AND_ASSIGN(GcReport fresh, Run());
  EXPECT_TRUE(Removed(fresh, GcKind::kUnrecorded).empty());
  EXPECT_TRUE(fs::exists(root_ / "archive/pub-running/orders.csv"));
}

TEST_F(GcTest, KeepsTheNewestNSnapshotsWithAuditEvents) {
  options_.default_retention = {.snapshots = 2};
  for (int i = 0; i < 4; ++i) Snapshot("s" + std::to_string(i), Day(i));
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("s0", "s1"));
  EXPECT_THAT(CatalogIds(), ElementsAre("s3", "s2"));
  EXPECT_FALSE(fs::exists(VersionDir() / "snapshots/s0"));
  EXPECT_TRUE(fs::exists(VersionDir() / "snapshots/s2"));
  EXPECT_EQ(report.bytes_freed, 8);
  ASSERT_OK_AND_ASSIGN(auto audit, store_->ListAudit({.object = "product:sales.orders"}));
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "gc.expire");
  EXPECT_EQ(audit[0].actor, "gc-test");
  EXPECT_THAT(audit[0].detail, HasSubstr("snapshot s0 of v1"));
  EXPECT_THAT(audit[0].detail, HasSubstr("keep the newest 2 snapshots"));
}

// A query that resolved s1 just before s2 committed may still be reading
// s1's files: s1 is kept until s2 is older than the grace (the soak saw
// queries fail with "No files found" when gc expired at once).
TEST_F(GcTest, ASnapshotSupersededWithinTheGraceIsKeptForItsReaders) {
  options_.default_retention = {.snapshots = 1};
  options_.now = AtDay(10);
  Snapshot("s0", Day(0));
  Snapshot("s1", Day(9));
  const auto superseded = AtDay(10) - std::chrono::minutes(30);  // s2 committed 30 minutes before gc
  Snapshot("s2", IsoOfMillis(std::chrono::duration_cast<std::chrono::milliseconds>(superseded.time_since_epoch()).count()));
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("s0"));  // its successor s1 is a day old
  EXPECT_EQ(report.deferred, 1);
  EXPECT_TRUE(fs::exists(VersionDir() / "snapshots/s1/part-0.parquet"));
  EXPECT_THAT(CatalogIds(), ElementsAre("s2", "s1"));

  options_.now = superseded + options_.grace;  // the grace has passed
  ASSERT_OK_AND_ASSIGN(GcReport later, Run());
  EXPECT_THAT(Removed(later, GcKind::kExpired), ElementsAre("s1"));
  EXPECT_EQ(later.deferred, 0);
  EXPECT_THAT(CatalogIds(), ElementsAre("s2"));
}

TEST_F(GcTest, NeverRemovesTheCurrentSnapshotOfEachMajor) {
  options_.default_retention = {.snapshots = 0, .days = 0};
  Snapshot("v1-old", Day(0));
  Snapshot("v1-new", Day(1));
  Snapshot("v2-only", Day(0), false, "orders", 2);
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("v1-old"));
  EXPECT_THAT(CatalogIds(), ElementsAre("v1-new", "v2-only"));
}

TEST_F(GcTest, DaysAndCountKeepASnapshotWhenEitherDoes) {
  options_.now = AtDay(10);
  for (int i = 0; i < 10; ++i) Snapshot("s" + std::to_string(i), Day(i));
  // Kept: the newest 2 (s9, s8) or younger than 4 days (s7 is 3 days old; s6, 4 days, is not).
  options_.default_retention = {.snapshots = 2, .days = 4};
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(CatalogIds(), ElementsAre("s9", "s8", "s7"));
  EXPECT_EQ(Removed(report, GcKind::kExpired).size(), 7u);
  // Days alone: s8 is 2 days old, s7 3.
  options_.default_retention = {.days = 3};
  ASSERT_OK_AND_ASSIGN(GcReport by_days, Run());
  EXPECT_THAT(Removed(by_days, GcKind::kExpired), ElementsAre("s7"));
  EXPECT_THAT(CatalogIds(), ElementsAre("s9", "s8"));
}

TEST_F(GcTest, NoRetentionSetKeepsEverything) {
  for (int i = 0; i < 3; ++i) Snapshot("s" + std::to_string(i), Day(i));
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_TRUE(report.removals.empty());
  EXPECT_EQ(CatalogIds().size(), 3u);
}

TEST_F(GcTest, ProductRetentionOverridesTheWorkspaceDefault) {
  options_.default_retention = {.snapshots = 1};
  ASSERT_OK(AddProduct("orders", "3"));
  ASSERT_OK(AddProduct("returns", R"({"snapshots": 2, "days": 0})"));
  for (int i = 0; i < 4; ++i) Snapshot("o" + std::to_string(i), Day(i));
  for (int i = 0; i < 4; ++i) Snapshot("r" + std::to_string(i), Day(i), false, "returns");
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("o0", "r0", "r1"));
}

TEST_F(GcTest, MalformedProductRetentionKeepsAllAndWarns) {
  options_.default_retention = {.snapshots = 1};
  ASSERT_OK(AddProduct("orders", R"({"snapshots": "five"})"));
  for (int i = 0; i < 3; ++i) Snapshot("s" + std::to_string(i), Day(i));
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_TRUE(report.removals.empty());
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_THAT(report.warnings[0], HasSubstr("product sales.orders: weft.retention.snapshots is \"five\""));
}

TEST(RetentionOfProductTest, Shapes) {
  const Retention fallback{.snapshots = 10, .days = 30};
  catalog::ProductRecord p{.id = "sales.orders"};
  p.spec_json = ProductJson("orders", "");
  ASSERT_OK_AND_ASSIGN(Retention none, RetentionOfProduct(p, fallback));
  EXPECT_EQ(none.snapshots, 10);
  p.spec_json = ProductJson("orders", "5");
  ASSERT_OK_AND_ASSIGN(Retention count, RetentionOfProduct(p, fallback));
  EXPECT_EQ(count.snapshots, 5);
  EXPECT_FALSE(count.days.has_value());
  p.spec_json = ProductJson("orders", R"({"days": 14})");
  ASSERT_OK_AND_ASSIGN(Retention days, RetentionOfProduct(p, fallback));
  EXPECT_FALSE(days.snapshots.has_value());
  EXPECT_EQ(days.days, 14);
  p.spec_json = ProductJson("orders", R"({"weeks": 2})");
  EXPECT_THAT(RetentionOfProduct(p, fallback).status().message(), HasSubstr("unknown key 'weeks'"));
  p.spec_json = ProductJson("orders", "-1");
  EXPECT_EQ(RetentionOfProduct(p, fallback).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GcTest, DryRunChangesNothing) {
  options_.default_retention = {.snapshots = 1};
  Snapshot("s0", Day(0));
  Snapshot("s1", Day(1));
  Snapshot("orphan", Day(2), /*orphan=*/true);
  fs::create_directories(VersionDir() / ".staging/old");
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  options_.dry_run = true;
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_TRUE(report.dry_run);
  EXPECT_THAT(Removed(report, GcKind::kStaging), ElementsAre("old"));
  EXPECT_THAT(Removed(report, GcKind::kOrphan), ElementsAre("orphan"));
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("s0"));
  for (const auto& r : report.removals) EXPECT_FALSE(r.removed);
  EXPECT_EQ(report.bytes_freed, 8);  // would free: two 4-byte files
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);
  EXPECT_TRUE(fs::exists(VersionDir() / "snapshots/s0"));
  EXPECT_TRUE(fs::exists(VersionDir() / "snapshots/orphan"));
  EXPECT_TRUE(fs::exists(VersionDir() / ".staging/old"));
}

TEST_F(GcTest, HardLinkedFilesSurviveAndCountOnlyWhenTheLastLinkGoes) {
  options_.default_retention = {.snapshots = 1};
  const fs::path old_dir = Snapshot("s0", Day(0), false, "orders", 1, "shared rows");
  const fs::path new_dir = VersionDir() / "snapshots/s1";
  fs::create_directories(new_dir);
  fs::create_hard_link(old_dir / "part-0.parquet", new_dir / "part-0.parquet");
  std::ofstream(new_dir / "part-1.parquet") << "new";
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertSnapshot({.id = "s1", .product_id = "sales.orders", .major = 1, .parent_id = "s0",
                                   .created_at = Day(1), .path = new_dir.string()}));
    ASSERT_OK(txn->Commit());
  }
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("s0"));
  EXPECT_EQ(report.removals[0].bytes, 11);
  EXPECT_EQ(report.bytes_freed, 0);  // the file lives on in s1
  std::ifstream in(new_dir / "part-0.parquet");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "shared rows");
}

TEST_F(GcTest, NeverRemovesAPathOutsideTheDomainRoots) {
  options_.default_retention = {.snapshots = 1};
  const fs::path elsewhere = base_ / "elsewhere";
  fs::create_directories(elsewhere);
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertSnapshot({.id = "s0", .product_id = "sales.orders", .major = 1, .created_at = Day(0),
                                   .path = elsewhere.string()}));
    ASSERT_OK(txn->Commit());
  }
  Snapshot("s1", Day(1));
  ASSERT_OK_AND_ASSIGN(GcReport report, Run());
  EXPECT_THAT(Removed(report, GcKind::kExpired), ElementsAre("s0"));
  EXPECT_TRUE(fs::exists(elsewhere));
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_THAT(report.warnings[0], HasSubstr("the path is left alone"));
}

TEST_F(GcTest, FailedRemovalIsAWarningAndTheNextRunFinishes) {
  options_.default_retention = {.snapshots = 1};
  Snapshot("s0", Day(0));
  Snapshot("s1", Day(1));
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  faulty.FailNth(FileOp::kRemove, "snapshots/s0");
  ASSERT_OK_AND_ASSIGN(GcReport report,
                       CollectGarbage(*store_, faulty, {{"sales", root_}}, options_));
  ASSERT_EQ(report.removals.size(), 1u);
  EXPECT_FALSE(report.removals[0].removed);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_THAT(report.warnings[0], HasSubstr("injected fault: remove"));
  EXPECT_THAT(CatalogIds(), ElementsAre("s1"));  // the row went; the directory is now an orphan
  ASSERT_OK_AND_ASSIGN(GcReport next, Run());
  EXPECT_THAT(Removed(next, GcKind::kOrphan), ElementsAre("s0"));
  EXPECT_FALSE(fs::exists(VersionDir() / "snapshots/s0"));
}

TEST_F(GcTest, MissingRootsAreSkipped) {
  ASSERT_OK_AND_ASSIGN(GcReport report,
                       CollectGarbage(*store_, DefaultFileSystem(), {{"ghost", base_ / "nowhere"}}, options_));
  EXPECT_TRUE(report.removals.empty());
}

}  // namespace
}  // namespace weft::storage
