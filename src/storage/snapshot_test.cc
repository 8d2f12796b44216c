// The snapshot commit protocol under injected faults: every step that can
// fail leaves nothing under snapshots/ that a reader could take for a
// snapshot, says what failed, and can be retried.
#include "storage/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>

#include "common/testing/status_matchers.h"

namespace weft::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Parameterized test names hold a '/', which must not nest directories.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    root_ = fs::temp_directory_path() / ("weft-snapshot-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(root_);
    version_dir_ = root_ / "products/orders/v1";
    fs::create_directories(version_dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes a file into the staging directory as DuckDB's COPY would.
  static void Stage(const SnapshotWriter& w, const std::string& name, const std::string& bytes) {
    std::ofstream(w.staging_dir() / name, std::ios::binary) << bytes;
  }

  std::vector<std::string> Entries(const std::string& sub) const {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(version_dir_ / sub, ec), end; !ec && it != end; it.increment(ec))
      names.push_back(it->path().filename().string());
    return names;
  }

  fs::path root_;
  fs::path version_dir_;
};

TEST(NewSnapshotIdTest, SortsByTimeAndIsUnique) {
  std::set<std::string> ids;
  std::string previous;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewSnapshotId();
    EXPECT_TRUE(std::regex_match(id, std::regex(R"(\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8})"))) << id;
    // The time part never goes backwards (the suffix may order ids of one microsecond).
    EXPECT_GE(id.substr(0, 22), previous.substr(0, std::min<size_t>(22, previous.size())));
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TEST_F(SnapshotTest, SealMovesFilesIntoSnapshots) {
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1"));
  EXPECT_EQ(w.staging_dir(), version_dir_ / ".staging/s1");
  EXPECT_EQ(fs::status(w.staging_dir()).permissions() & fs::perms::all, fs::perms::owner_all);
  Stage(w, "part-1.parquet", "bbbb");
  Stage(w, "part-0.parquet", "aa");
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s, w.Seal());
  EXPECT_EQ(s.id, "s1");
  EXPECT_EQ(s.path, version_dir_ / "snapshots/s1");
  EXPECT_EQ(s.bytes, 6);
  ASSERT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.files[0], s.path / "part-0.parquet");
  EXPECT_TRUE(fs::exists(s.files[1]));
  EXPECT_TRUE(Entries(".staging").empty());
  EXPECT_FALSE(w.Seal().ok());  // the writer no longer owns the directory
  // What readers scan: the parts, in order, and nothing else in the directory.
  std::ofstream(s.path / "notes.txt") << "not data";
  EXPECT_EQ(SnapshotDataFiles(s.path),
            (std::vector<std::string>{(s.path / "part-0.parquet").string(), (s.path / "part-1.parquet").string()}));
  EXPECT_TRUE(SnapshotDataFiles(version_dir_ / "snapshots/missing").empty());
}

TEST_F(SnapshotTest, SealKeepsTheMetadataDirectoryOutOfTheDataFiles) {
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1"));
  Stage(w, "part-0.parquet", "aa");
  fs::create_directory(w.staging_dir() / kSnapshotMetadataDir);
  std::ofstream(w.staging_dir() / kSnapshotMetadataDir / "snap-1.avro") << "avro";
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s, w.Seal());
  EXPECT_EQ(s.bytes, 2);
  EXPECT_EQ(s.files, (std::vector<fs::path>{s.path / "part-0.parquet"}));
  EXPECT_TRUE(fs::exists(s.path / "metadata/snap-1.avro"));
  EXPECT_EQ(SnapshotDataFiles(s.path), (std::vector<std::string>{(s.path / "part-0.parquet").string()}));

  // Any other subdirectory, or one nested in metadata/, is refused by name.
  for (const char* bad : {"other", "metadata/nested"}) {
    ASSERT_OK_AND_ASSIGN(SnapshotWriter w2, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s2"));
    fs::create_directories(w2.staging_dir() / bad);
    auto sealed = w2.Seal();
    EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(sealed.status().message(), HasSubstr(fs::path(bad).filename().string())) << bad;
  }
}

TEST_F(SnapshotTest, AbortAndDestructorRemoveStaging) {
  {
    ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1"));
    Stage(w, "part-0.parquet", "x");
  }
  EXPECT_TRUE(Entries(".staging").empty());
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s2"));
  w.Abort();
  EXPECT_TRUE(Entries(".staging").empty());
  EXPECT_TRUE(Entries("snapshots").empty());
}

TEST_F(SnapshotTest, BeginRefusesAReusedIdAndBadNames) {
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1"));
  auto again = SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs::exists(w.staging_dir()));  // the refused writer did not remove the first one's files
  EXPECT_EQ(SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "../x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.LinkExisting(root_ / "f", "../escape").code(), StatusCode::kInvalidArgument);
}

TEST_F(SnapshotTest, LinkExistingSharesFilesBetweenSnapshots) {
  ASSERT_OK_AND_ASSIGN(SnapshotWriter first, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s1"));
  Stage(first, "part-0.parquet", "old rows");
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s1, first.Seal());
  ASSERT_OK_AND_ASSIGN(SnapshotWriter second, SnapshotWriter::Begin(DefaultFileSystem(), version_dir_, "s2"));
  ASSERT_OK(second.LinkExisting(s1.files[0], "part-0.parquet"));
  Stage(second, "part-1.parquet", "new");
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s2, second.Seal());
  EXPECT_EQ(s2.bytes, 11);
  EXPECT_EQ(fs::hard_link_count(s2.files[0]), 2u);
  // Removing the older snapshot leaves the newer one whole.
  ASSERT_OK(RemoveSealed(DefaultFileSystem(), s1));
  EXPECT_FALSE(fs::exists(s1.path));
  std::ifstream in(s2.files[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "old rows");
}

TEST_F(SnapshotTest, FailedLinkSaysWhatAndKeepsTheWriterOpen) {
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  std::ofstream(root_ / "shared.parquet") << "rows";
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(faulty, version_dir_, "s1"));
  faulty.FailNth(FileOp::kLink, "part-0");
  Status s = w.LinkExisting(root_ / "shared.parquet", "part-0.parquet");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("while adding part-0.parquet to snapshot s1"));
  EXPECT_THAT(s.message(), HasSubstr("injected fault: link"));
  ASSERT_OK(w.LinkExisting(root_ / "shared.parquet", "part-0.parquet"));
  ASSERT_OK(w.Seal().status());
}

// One case per step of the protocol: the operation and path that fail, and
// the words the error must carry.
struct FaultCase {
  const char* name;
  FileOp op;
  const char* path_part;
  const char* says;
  bool before_begin;  // fails in Begin rather than in Seal
  int nth = 1;        // which matching call fails
};

class SnapshotFaultTest : public SnapshotTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(SnapshotFaultTest, FailureLeavesNoVisibleSnapshotAndRetrySucceeds) {
  const FaultCase& c = GetParam();
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  faulty.FailNth(c.op, c.path_part, c.nth);
  if (c.before_begin) {
    auto begun = SnapshotWriter::Begin(faulty, version_dir_, "s1");
    ASSERT_FALSE(begun.ok());
    EXPECT_THAT(begun.status().message(), HasSubstr(c.says));
    EXPECT_THAT(begun.status().message(), HasSubstr("snapshot s1"));
    EXPECT_TRUE(Entries(".staging").empty());
    EXPECT_TRUE(Entries("snapshots").empty());
    ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(faulty, version_dir_, "s1"));
    Stage(w, "part-0.parquet", "rows");
    ASSERT_OK(w.Seal().status());
    EXPECT_EQ(Entries("snapshots"), std::vector<std::string>{"s1"});
    return;
  }
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(faulty, version_dir_, "s1"));
  Stage(w, "part-0.parquet", "rows");
  Stage(w, "part-1.parquet", "more");
  auto sealed = w.Seal();
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), StatusCode::kIoError);
  EXPECT_THAT(sealed.status().message(), HasSubstr("while sealing snapshot s1"));
  EXPECT_THAT(sealed.status().message(), HasSubstr(c.says));
  // Nothing a reader (or gc's catalog comparison) would take for a snapshot.
  EXPECT_TRUE(Entries("snapshots").empty());
  // The files are still staged: the same writer retries.
  EXPECT_EQ(Entries(".staging"), std::vector<std::string>{"s1"});
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s, w.Seal());
  EXPECT_EQ(s.bytes, 8);
  EXPECT_EQ(Entries("snapshots"), std::vector<std::string>{"s1"});
  EXPECT_TRUE(Entries(".staging").empty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, SnapshotFaultTest,
    ::testing::Values(FaultCase{"CreateStaging", FileOp::kCreateDir, ".staging", "injected fault: create directory", true},
                      FaultCase{"SyncFirstFile", FileOp::kSync, "part-0", "injected fault: fsync", false},
                      FaultCase{"SyncSecondFile", FileOp::kSync, "part-1", "injected fault: fsync", false},
                      FaultCase{"SyncStagingDir", FileOp::kSync, ".staging/s1", "injected fault: fsync", false, 3},
                      FaultCase{"SyncVersionDir", FileOp::kSync, "orders/v1", "injected fault: fsync", false, 4},
                      FaultCase{"CreateSnapshotsDir", FileOp::kCreateDir, "snapshots", "create directory", false},
                      FaultCase{"Rename", FileOp::kRename, ".staging/s1", "injected fault: rename", false},
                      FaultCase{"SyncParentAfterRename", FileOp::kSync, "v1/snapshots", "after the rename", false}),
    [](const ::testing::TestParamInfo<FaultCase>& param_info) { return std::string(param_info.param.name); });

TEST_F(SnapshotTest, ParentSyncFailureWithoutWayBackDiscardsTheSnapshot) {
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(faulty, version_dir_, "s1"));
  Stage(w, "part-0.parquet", "rows");
  faulty.FailNth(FileOp::kSync, "v1/snapshots");
  faulty.FailNth(FileOp::kRename, "snapshots/s1");  // moving it back fails too
  auto sealed = w.Seal();
  ASSERT_FALSE(sealed.ok());
  EXPECT_THAT(sealed.status().message(), HasSubstr("the snapshot was discarded"));
  EXPECT_TRUE(Entries("snapshots").empty());
  EXPECT_TRUE(Entries(".staging").empty());
}

TEST_F(SnapshotTest, RemoveSealedReportsFailure) {
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  ASSERT_OK_AND_ASSIGN(SnapshotWriter w, SnapshotWriter::Begin(faulty, version_dir_, "s1"));
  Stage(w, "part-0.parquet", "rows");
  ASSERT_OK_AND_ASSIGN(SealedSnapshot s, w.Seal());
  faulty.FailNth(FileOp::kRemove, "snapshots/s1");
  Status removed = RemoveSealed(faulty, s);
  EXPECT_THAT(removed.message(), HasSubstr("whose catalog commit failed"));
  EXPECT_TRUE(fs::exists(s.path));  // an orphan: gc removes it
  ASSERT_OK(RemoveSealed(faulty, s));
  EXPECT_TRUE(Entries("snapshots").empty());
}

}  // namespace
}  // namespace weft::storage
