#include "access/tokens.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"
#include "common/hashing.h"
#include "common/time.h"

namespace weft::access {
namespace {

using catalog::catalog_internal::ScratchDir;

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore(dir_.File("catalog.db")));
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    for (const char* name : {"root", "carol", "grace"}) ASSERT_OK(txn->EnsurePrincipal({.name = name, .kind = "user"}));
    ASSERT_OK(txn->ReplaceMemberships(PrincipalSource("root"),
                                      {{.group = kAdminsGroup, .principal = "root", .role = "admin",
                                        .source = PrincipalSource("root")}}));
    ASSERT_OK(txn->Commit());
    ASSERT_OK_AND_ASSIGN(admin_, LoadPrincipal(*store_, "root"));
    ASSERT_OK_AND_ASSIGN(carol_, LoadPrincipal(*store_, "carol"));
  }

  ScratchDir dir_;
  std::unique_ptr<catalog::Store> store_;
  Principal admin_, carol_;
};

TEST_F(TokensTest, IssuedTokenVerifiesAndOnlyItsHashIsStored) {
  ASSERT_OK_AND_ASSIGN(IssuedToken t, IssueToken(*store_, admin_, "carol", "", "laptop", NowIso()));
  EXPECT_EQ(t.record.principal, "carol");
  ASSERT_OK_AND_ASSIGN(catalog::TokenRecord who, VerifyToken(*store_, t.text, NowIso()));
  EXPECT_EQ(who.principal, "carol");
  EXPECT_EQ(who.id, t.record.id);
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  EXPECT_EQ(dump.find(t.text.substr(t.text.size() - 64)), std::string::npos) << "the secret is in the catalog";
  EXPECT_NE(dump.find(Sha256Hex(t.text)), std::string::npos);
}

TEST_F(TokensTest, ForgedTruncatedAndAlteredTokensAreRefused) {
  ASSERT_OK_AND_ASSIGN(IssuedToken t, IssueToken(*store_, admin_, "carol", "", "", NowIso()));
  std::string altered = t.text;
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  std::string upper = t.text;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad : {std::string(), std::string("weft_"), t.text.substr(0, t.text.size() - 1), t.text + "0",
                                 altered, upper, std::string("Bearer ") + t.text, Sha256Hex(t.text)}) {
    auto r = VerifyToken(*store_, bad, NowIso());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  }
}

TEST_F(TokensTest, RevokedAndExpiredTokensAreRefused) {
  ASSERT_OK_AND_ASSIGN(IssuedToken t, IssueToken(*store_, admin_, "carol", "1h", "", NowIso()));
  ASSERT_OK(VerifyToken(*store_, t.text, NowIso()).status());
  // An hour and a second later it has expired.
  auto later = VerifyToken(*store_, t.text, "9999-01-01T00:00:00.000Z");
  ASSERT_FALSE(later.ok());
  EXPECT_NE(later.status().message().find("expired"), std::string::npos);

  ASSERT_OK(RevokeToken(*store_, carol_, t.record.id, NowIso()));  // her own
  auto revoked = VerifyToken(*store_, t.text, NowIso());
  ASSERT_FALSE(revoked.ok());
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  EXPECT_FALSE(RevokeToken(*store_, carol_, t.record.id, NowIso()).ok()) << "revoked twice";
}

TEST_F(TokensTest, OnlyAdminsMakeOrRevokeOthersTokens) {
  EXPECT_EQ(IssueToken(*store_, carol_, "grace", "", "", NowIso()).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK(IssueToken(*store_, carol_, "carol", "", "", NowIso()).status());
  ASSERT_OK_AND_ASSIGN(IssuedToken g, IssueToken(*store_, admin_, "grace", "", "", NowIso()));
  EXPECT_EQ(RevokeToken(*store_, carol_, g.record.id, NowIso()).code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto mine, ListTokens(*store_, carol_));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_TRUE(mine[0].hash.empty());
  ASSERT_OK_AND_ASSIGN(auto all, ListTokens(*store_, admin_));
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(IssueToken(*store_, admin_, "nobody", "", "", NowIso()).status().code(), StatusCode::kNotFound);
}

TEST_F(TokensTest, ExpiryForms) {
  std::string now = NowIso();
  ASSERT_OK_AND_ASSIGN(std::string d, TokenExpiry("30d", now));
  EXPECT_GT(d, now);
  ASSERT_OK_AND_ASSIGN(std::string date, TokenExpiry("2999-12-31", now));
  EXPECT_EQ(date, "2999-12-31T23:59:59.999Z");
  for (const char* bad : {"0d", "d", "30m", "-1d", "2001-01-01", "tomorrow", "999999d"})
    EXPECT_FALSE(TokenExpiry(bad, now).ok()) << bad;
}

}  // namespace
}  // namespace weft::access
