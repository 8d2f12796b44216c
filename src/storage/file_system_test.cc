#include "storage/file_system.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace weft::storage {
namespace {

namespace fs = std::filesystem;

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-fs-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(FileSystemTest, CreateDirectoriesIsOwnerOnlyAndReportsWhatItCreated) {
  std::vector<fs::path> created;
  ASSERT_TRUE(DefaultFileSystem().CreateDirectories(root_ / "a/b/c", kOwnerOnly, &created).ok());
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(created.front(), root_ / "a");
  EXPECT_EQ(fs::status(root_ / "a/b").permissions() & fs::perms::all, fs::perms::owner_all);
  created.clear();
  ASSERT_TRUE(DefaultFileSystem().CreateDirectories(root_ / "a/b/c", kOwnerOnly, &created).ok());
  EXPECT_TRUE(created.empty());  // idempotent
}

TEST_F(FileSystemTest, CreateDirectoriesOverAFileFails) {
  std::ofstream(root_ / "file") << "x";
  Status s = DefaultFileSystem().CreateDirectories(root_ / "file", kOwnerOnly, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

TEST_F(FileSystemTest, WriteSyncRename) {
  auto& f = DefaultFileSystem();
  ASSERT_TRUE(f.WriteFile(root_ / "tmp", "hello").ok());
  ASSERT_TRUE(f.Sync(root_).ok());
  ASSERT_TRUE(f.Rename(root_ / "tmp", root_ / "final").ok());
  std::ifstream in(root_ / "final");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "hello");
  EXPECT_FALSE(f.Rename(root_ / "missing", root_ / "x").ok());
}

TEST_F(FileSystemTest, FaultInjectionFailsTheNthMatchingCallOnce) {
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  faulty.FailNth(FileOp::kCreateDir, "sales", 2);
  EXPECT_TRUE(faulty.CreateDirectories(root_ / "sales", kOwnerOnly, nullptr).ok());
  EXPECT_TRUE(faulty.CreateDirectories(root_ / "marketing", kOwnerOnly, nullptr).ok());  // does not match
  Status s = faulty.CreateDirectories(root_ / "sales/products", kOwnerOnly, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("injected fault"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "sales/products"));
  EXPECT_TRUE(faulty.CreateDirectories(root_ / "sales/products", kOwnerOnly, nullptr).ok());  // only once
}

TEST_F(FileSystemTest, FaultInjectionCoversEveryOperation) {
  FaultInjectingFileSystem faulty(DefaultFileSystem());
  for (FileOp op : {FileOp::kWrite, FileOp::kSync, FileOp::kRename, FileOp::kRemove, FileOp::kLink}) faulty.FailNth(op, "x");
  EXPECT_FALSE(faulty.WriteFile(root_ / "x", "data").ok());
  ASSERT_TRUE(faulty.WriteFile(root_ / "x", "data").ok());
  EXPECT_FALSE(faulty.Sync(root_ / "x").ok());
  EXPECT_FALSE(faulty.Rename(root_ / "x", root_ / "y").ok());
  EXPECT_FALSE(faulty.RemoveAll(root_ / "x").ok());
  EXPECT_TRUE(fs::exists(root_ / "x"));
  EXPECT_FALSE(faulty.Link(root_ / "x", root_ / "x2").ok());
  EXPECT_FALSE(fs::exists(root_ / "x2"));
}

TEST_F(FileSystemTest, LinkSharesTheFile) {
  auto& f = DefaultFileSystem();
  ASSERT_TRUE(f.WriteFile(root_ / "a", "bytes").ok());
  ASSERT_TRUE(f.Link(root_ / "a", root_ / "b").ok());
  EXPECT_EQ(fs::hard_link_count(root_ / "a"), 2u);
  ASSERT_TRUE(f.RemoveAll(root_ / "a").ok());
  EXPECT_EQ(fs::file_size(root_ / "b"), 5u);  // the bytes live while a name does
  Status exists = f.Link(root_ / "b", root_ / "b");
  EXPECT_EQ(exists.code(), StatusCode::kIoError);
  EXPECT_FALSE(f.Link(root_ / "missing", root_ / "c").ok());
}

}  // namespace
}  // namespace weft::storage
