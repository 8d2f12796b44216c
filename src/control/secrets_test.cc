#include "control/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/files.h"
#include "common/testing/status_matchers.h"

namespace weft::control {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-secrets-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_OK_AND_ASSIGN(ws_, InitWorkspace(root_ / "ws", "test"));
  }
  void TearDown() override { fs::remove_all(root_); }
  static mode_t Mode(const fs::path& p) {
    struct stat st{};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }
  fs::path root_;
  Workspace ws_;
};

TEST_F(SecretsTest, ASecretIsOwnerOnlyAndReadBackWithoutItsNewline) {
  ASSERT_OK(WriteSecret(ws_, "orders-db", "postgres://app:s3cret@db/orders"));
  EXPECT_EQ(Mode(ws_.root / "secrets"), 0700u);
  EXPECT_EQ(Mode(ws_.root / "secrets/orders-db"), 0600u);
  ASSERT_OK_AND_ASSIGN(std::string value, ReadSecret(ws_, "orders-db"));
  EXPECT_EQ(value, "postgres://app:s3cret@db/orders");
  ASSERT_OK(WriteSecret(ws_, "orders-db", "postgres://app:other@db/orders"));
  EXPECT_EQ(*ReadSecret(ws_, "orders-db"), "postgres://app:other@db/orders");
  ASSERT_OK(WriteSecret(ws_, "crm", "x"));
  EXPECT_THAT(*ListSecrets(ws_), ElementsAre("crm", "orders-db"));
  ASSERT_OK(RemoveSecret(ws_, "crm"));
  EXPECT_THAT(*ListSecrets(ws_), ElementsAre("orders-db"));
  EXPECT_EQ(RemoveSecret(ws_, "crm").code(), StatusCode::kNotFound);
}

TEST_F(SecretsTest, MissingReadableByOthersAndBadNamesAreRefused) {
  Result<std::string> missing = ReadSecret(ws_, "nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("weft secret set nope"));
  ASSERT_OK(WriteSecret(ws_, "open", "postgres://app:pw@db/x"));
  fs::permissions(ws_.root / "secrets/open", fs::perms::group_read, fs::perm_options::add);
  Result<std::string> open = ReadSecret(ws_, "open");
  EXPECT_EQ(open.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(open.status().message(), HasSubstr("chmod 600"));
  EXPECT_THAT(open.status().message(), ::testing::Not(HasSubstr("pw@")));
  for (const char* bad : {"", "../x", "a/b", "UPPER", ".hidden", "x y"})
    EXPECT_EQ(WriteSecret(ws_, bad, "v").code(), StatusCode::kInvalidArgument) << bad;
  EXPECT_FALSE(fs::exists(ws_.root / "x"));
  // A link is no secret: it could point anywhere.
  fs::create_symlink("/etc/hostname", ws_.root / "secrets/link");
  EXPECT_EQ(ReadSecret(ws_, "link").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace weft::control
