// Who may write a storage root outside its workspace: the catalog that
// claimed it; a copy of that workspace is refused while the original exists,
// and takes the root over once it is gone (a move).
#include "storage/root_owner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/files.h"
#include "common/testing/status_matchers.h"

namespace weft::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

class RootOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("weft-root-owner-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    for (const char* d : {"ws/domains/sales", "ws2/domains/sales", "shared/hr"}) fs::create_directories(dir_ / d);
    for (const char* f : {"ws/catalog.db", "ws2/catalog.db"}) ASSERT_OK(WriteStringToFile(dir_ / f, ""));
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(RootOwnerTest, ARootInsideTheWorkspaceNeedsNoOwner) {
  ASSERT_OK(ClaimRoot(DefaultFileSystem(), dir_ / "ws/domains/sales", {dir_ / "ws/catalog.db", dir_ / "ws"}));
  EXPECT_FALSE(fs::exists(dir_ / "ws/domains/sales" / kRootOwnerFile));
}

TEST_F(RootOwnerTest, ACopyIsRefusedARootItsOriginalOwns) {
  const fs::path root = dir_ / "shared/hr";
  ASSERT_OK(ClaimRoot(DefaultFileSystem(), root, {dir_ / "ws/catalog.db", dir_ / "ws"}));
  ASSERT_OK_AND_ASSIGN(std::string owner, ReadFileToString(root / kRootOwnerFile));
  EXPECT_EQ(owner, (dir_ / "ws/catalog.db").string() + "\n");
  EXPECT_OK(ClaimRoot(DefaultFileSystem(), root, {dir_ / "ws/catalog.db", dir_ / "ws"}));

  Status s = ClaimRoot(DefaultFileSystem(), root, {dir_ / "ws2/catalog.db", dir_ / "ws2"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("the storage root " + root.string() + " belongs to the catalog " +
                                           (dir_ / "ws/catalog.db").string()),
                                 HasSubstr("a copy must not write into its original's storage"),
                                 HasSubstr("Give the domain a root of its own")));
  EXPECT_EQ(CheckRootOwner(root, {dir_ / "ws2/catalog.db", dir_ / "ws2"}).code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(owner, ReadFileToString(root / kRootOwnerFile));
  EXPECT_EQ(owner, (dir_ / "ws/catalog.db").string() + "\n");

  std::vector<std::string> refused;
  std::vector<GcRoot> writable =
      WritableRoots(DefaultFileSystem(), {{"sales", dir_ / "ws2/domains/sales"}, {"hr", root}},
                    {dir_ / "ws2/catalog.db", dir_ / "ws2"}, true, &refused);
  ASSERT_EQ(writable.size(), 1u);
  EXPECT_EQ(writable[0].domain, "sales");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_THAT(refused[0], AllOf(HasSubstr("domain hr: "), HasSubstr("its root is left alone")));
}

TEST_F(RootOwnerTest, AMovedWorkspaceTakesItsRootOver) {
  const fs::path root = dir_ / "shared/hr";
  ASSERT_OK(ClaimRoot(DefaultFileSystem(), root, {dir_ / "ws/catalog.db", dir_ / "ws"}));
  fs::remove_all(dir_ / "ws");  // moved to ws2
  EXPECT_OK(CheckRootOwner(root, {dir_ / "ws2/catalog.db", dir_ / "ws2"}));
  ASSERT_OK(ClaimRoot(DefaultFileSystem(), root, {dir_ / "ws2/catalog.db", dir_ / "ws2"}));
  ASSERT_OK_AND_ASSIGN(std::string owner, ReadFileToString(root / kRootOwnerFile));
  EXPECT_EQ(owner, (dir_ / "ws2/catalog.db").string() + "\n");
}

// A catalog copied before schema 12 names its original's default roots,
// which name no owner: lying inside the original workspace says whose they
// are. A workspace whose catalog file is kept elsewhere still owns its own.
TEST_F(RootOwnerTest, ARootInsideAnotherWorkspaceIsThatWorkspaces) {
  ASSERT_OK(WriteStringToFile(dir_ / "ws/weft.yaml", "kind: Workspace\n"));
  ASSERT_OK(WriteStringToFile(dir_ / "ws2/weft.yaml", "kind: Workspace\n"));
  Status s = ClaimRoot(DefaultFileSystem(), dir_ / "ws/domains/sales", {dir_ / "ws2/catalog.db", dir_ / "ws2"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), AllOf(HasSubstr("lies in the workspace " + (dir_ / "ws").string()),
                                 HasSubstr("Open the original once with this weft")));
  EXPECT_FALSE(fs::exists(dir_ / "ws/domains/sales" / kRootOwnerFile));

  fs::create_directories(dir_ / "elsewhere");
  EXPECT_OK(ClaimRoot(DefaultFileSystem(), dir_ / "ws/domains/sales", {dir_ / "elsewhere/catalog.db", dir_ / "ws"}));
}

}  // namespace
}  // namespace weft::storage
