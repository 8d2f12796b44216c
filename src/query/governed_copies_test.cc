#include "query/governed_copies.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/time.h"
#include "query/testing.h"

namespace weft::query {
namespace {

namespace fs = std::filesystem;

class GovernedCopiesTest : public testing::QueryFixture {
 protected:
  access::ReadAccess Read(const std::string& who) {
    auto p = access::LoadPrincipal(*store_, who);
    EXPECT_OK(p);
    auto ac = access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = Key()});
    EXPECT_OK(ac);
    auto r = ac->Authorize(*p, "crm.customers", 1, "1.0.0", NowIso());
    EXPECT_OK(r);
    return *r;
  }
  catalog::SnapshotRecord Snapshot() {
    auto s = store_->ListSnapshots("crm.customers");
    EXPECT_OK(s);
    return s->front();
  }
};

TEST_F(GovernedCopiesTest, WholeReadersAreZeroCopyOthersGetOneCopyPerProfile) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->UpsertPrincipal({.name = "olga", .kind = "user"}));
  ASSERT_OK(txn->ReplaceMemberships("principal:olga", {{.group = "team:crm", .principal = "olga", .role = "member",
                                                         .source = "principal:olga"}}));
  ASSERT_OK(txn->Commit());
  Grant({.grantee = "bob", .row_filter = "region = $principal.region"});
  const auto snap = Snapshot();
  GovernedCopies copies({.root = root_ / "copies", .key = Key(), .threads = 1});

  ASSERT_OK_AND_ASSIGN(ReadableSnapshot owner, copies.For(snap.id, snap.path, Read("olga")));
  EXPECT_FALSE(owner.copy);
  for (const auto& f : owner.files) EXPECT_EQ(fs::path(f).parent_path(), fs::path(snap.path));

  ASSERT_OK_AND_ASSIGN(ReadableSnapshot bob, copies.For(snap.id, snap.path, Read("bob")));
  EXPECT_TRUE(bob.copy);
  EXPECT_TRUE(bob.built);
  ASSERT_EQ(bob.files.size(), 1u);
  EXPECT_TRUE(fs::exists(bob.files[0]));
  ASSERT_OK_AND_ASSIGN(ReadableSnapshot again, copies.For(snap.id, snap.path, Read("bob")));
  EXPECT_EQ(again.files, bob.files);
  EXPECT_FALSE(again.built);  // the same profile reuses the copy
  // No half copy lingers beside it.
  for (const auto& e : fs::directory_iterator(root_ / "copies" / snap.id))
    EXPECT_EQ(e.path().filename().string().rfind(".building", 0), std::string::npos) << e.path();

  // A copy never outlives its snapshot once gc says so.
  ASSERT_OK(copies.RemoveCopiesExcept({snap.id}));
  EXPECT_TRUE(fs::exists(bob.files[0]));
  ASSERT_OK(copies.RemoveCopiesExcept({}));
  EXPECT_FALSE(fs::exists(root_ / "copies" / snap.id));
}

}  // namespace
}  // namespace weft::query
