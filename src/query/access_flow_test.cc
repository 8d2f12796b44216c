// The access workflow (access/access_control.h) on the query fixture:
// requests, decisions, direct grants and revocation, with what each refuses;
// and how versions and time pinning bind in the gateway.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "access/access_control.h"
#include "query/testing.h"

namespace weft::query {
namespace {

using ::testing::HasSubstr;

class AccessFlowTest : public testing::QueryFixture {
 protected:
  access::AccessControl Control() {
    auto ac = access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = Key()});
    EXPECT_OK(ac);
    return std::move(*ac);
  }
  access::Principal As(const std::string& name) {
    auto p = access::LoadPrincipal(*store_, name);
    EXPECT_OK(p);
    return *p;
  }
};

TEST_F(AccessFlowTest, ARequestIsCheckedThenDecidedByAnOwnerOnly) {
  const std::string now = NowIso();
  auto bad = [&](access::RequestArgs args) { return Control().Request(*store_, As("bob"), args, now).status(); };
  EXPECT_THAT(bad({.product = "crm.customers"}).message(), HasSubstr("--purpose"));
  EXPECT_THAT(bad({.product = "crm.customer", .purpose = "x"}).message(), HasSubstr("did you mean 'crm.customers'"));
  EXPECT_THAT(bad({.product = "crm.customers", .columns = {"emial"}, .purpose = "x"}).message(),
              HasSubstr("did you mean 'email'"));
  EXPECT_THAT(bad({.product = "crm.customers", .purpose = "x", .until = "2001-01-01"}).message(), HasSubstr("in the past"));
  EXPECT_THAT(bad({.product = "crm.customers", .purpose = "x", .until = "soon"}).message(), HasSubstr("YYYY-MM-DD"));
  EXPECT_EQ(bad({.product = "crm.customers", .purpose = "x", .grantee = "team:crm"}).code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(bad({.product = "shop.orders", .purpose = "x"}).message(), HasSubstr("open to every principal"));
  EXPECT_EQ(bad({.product = "crm.customers@v7", .purpose = "x"}).code(), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(int64_t id, Control().Request(*store_, As("bob"), {.product = "crm.customers", .columns = {"email"},
                                                                          .purpose = "churn", .grantee = "domain:finance"},
                                                     now));
  EXPECT_EQ(bad({.product = "crm.customers", .purpose = "again", .grantee = "domain:finance"}).code(),
            StatusCode::kAlreadyExists);
  // Only crm's owner (or an admin) decides.
  EXPECT_EQ(Control().Approve(*store_, As("bob"), id, {}, "", now).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Control().Approve(*store_, As("sam@example.com"), id, {}, "", now).status().code(),
            StatusCode::kPermissionDenied);
  // A row filter that reads anything but the product's own columns is refused.
  for (const std::string filter : {"region IN (SELECT region FROM shop.orders)", "nope = 1",
                                   "region = (SELECT column0 FROM read_csv('/etc/passwd'))", "1=1; DROP TABLE x"}) {
    auto r = Control().Approve(*store_, As("olga@example.com"), id, {.row_filter = filter}, "", now);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << filter;
  }
  ASSERT_OK_AND_ASSIGN(int64_t grant, Control().Approve(*store_, As("olga@example.com"), id,
                                                        {.clearances = {"pii"}}, "ok", now));
  EXPECT_EQ(Control().Approve(*store_, As("olga@example.com"), id, {}, "", now).status().code(),
            StatusCode::kFailedPrecondition);  // already decided
  // The domain-wide grant with its clearance: fay (finance) reads raw email.
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("fay@example.com", "SELECT email FROM crm.customers ORDER BY 1"));
  EXPECT_EQ(*a.rows[0][0], "ada@example.com");
  EXPECT_FALSE(Query("eve", "SELECT email FROM crm.customers").ok());
  // bob may give up a grant made for his domain only if he is its grantee: he is not.
  EXPECT_EQ(Control().Revoke(*store_, As("bob"), grant, now).code(), StatusCode::kPermissionDenied);
  ASSERT_OK(Control().Revoke(*store_, As("olga@example.com"), grant, now));
  EXPECT_EQ(Control().Revoke(*store_, As("olga@example.com"), grant, now).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Query("fay@example.com", "SELECT email FROM crm.customers").ok());
}

TEST_F(AccessFlowTest, ADeniedRequestGrantsNothing) {
  const std::string now = NowIso();
  ASSERT_OK_AND_ASSIGN(int64_t id, Control().Request(*store_, As("bob"), {.product = "crm.customers", .purpose = "x"}, now));
  ASSERT_OK(Control().Deny(*store_, As("olga@example.com"), id, "not for this purpose", now));
  EXPECT_FALSE(Query("bob", "SELECT count(*) FROM crm.customers").ok());
  ASSERT_OK_AND_ASSIGN(auto audit, store_->ListAudit({.object = "product:crm.customers"}));
  bool denied = false;
  for (const auto& e : audit) denied |= e.action == "access.deny";
  EXPECT_TRUE(denied);
}

TEST_F(AccessFlowTest, DeprecatedVersionsWarnAndRetiredOnesNameTheNewer) {
  Grant({.grantee = "bob"});
  ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
  catalog::PortVersionRecord v1;
  for (const auto& p : ports)
    if (p.product_id == "crm.customers") v1 = p;
  catalog::PortVersionRecord v2 = v1;
  v2.major = 2;
  v1.status = "deprecated";
  v1.end_of_life = "2027-01-01";
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->UpsertPortVersion(v1));
  ASSERT_OK(txn->UpsertPortVersion(v2));
  ASSERT_OK(txn->Commit());
  // "crm.customers" is the newest major bob may read: v1 (no grant on v2).
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("bob", "SELECT count(*) FROM crm.customers"));
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_THAT(a.warnings[0], HasSubstr("crm.customers_v1 is deprecated (end of life 2027-01-01)"));
  v1.status = "retired";
  ASSERT_OK_AND_ASSIGN(txn, store_->BeginWrite());
  ASSERT_OK(txn->UpsertPortVersion(v1));
  ASSERT_OK(txn->Commit());
  auto r = Query("bob", "SELECT count(*) FROM crm.customers_v1");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("crm.customers_v1 is retired; read crm.customers_v2 instead"));
}

TEST_F(AccessFlowTest, ATimeReadsTheSnapshotsCurrentThen) {
  ASSERT_OK_AND_ASSIGN(auto before, store_->ListSnapshots("shop.orders"));
  PublishFile("shop.orders", "more.csv", "order_id,customer_id,amount,region\nO9,C1,1.00,EU\n");
  ASSERT_OK_AND_ASSIGN(QueryAnswer then, Query("bob", "SELECT count(*) FROM shop.orders", before[0].created_at));
  EXPECT_EQ(*then.rows[0][0], "3");
  auto ancient = Query("bob", "SELECT count(*) FROM shop.orders", "2001-01-01");
  EXPECT_EQ(ancient.status().code(), StatusCode::kNotFound);
}

// Finding: approving a second request without a row filter silently
// widened an existing filtered grant (grants add up).
TEST_F(AccessFlowTest, WideningAFilteredGrantNeedsToBeSaidOutLoud) {
  const std::string now = NowIso();
  auto olga = As("olga@example.com");
  ASSERT_OK(Control().Grant(*store_, olga, "crm.customers",
                            {.grantee = "bob", .row_filter = "region = $principal.region", .purpose = "eu only"}, now)
                .status());
  ASSERT_OK_AND_ASSIGN(int64_t id, Control().Request(*store_, As("bob"), {.product = "crm.customers", .purpose = "all of it"},
                                                     now));
  auto wide = Control().Approve(*store_, olga, id, {}, "", now);
  ASSERT_EQ(wide.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wide.status().message(), HasSubstr("every row instead of the filtered ones"));
  EXPECT_THAT(wide.status().message(), HasSubstr("--widen"));
  EXPECT_EQ(Query("bob", "SELECT count(*) FROM crm.customers")->rows[0][0], "2");  // still filtered
  // Kept narrow, it passes; said out loud, it widens.
  EXPECT_OK(Control().Approve(*store_, olga, id, {.row_filter = "region = 'EU'"}, "", now).status());
  ASSERT_OK_AND_ASSIGN(int64_t id2, Control().Request(*store_, As("bob"), {.product = "crm.customers", .purpose = "all"}, now));
  EXPECT_OK(Control().Approve(*store_, olga, id2, {.widen = true}, "", now).status());
  EXPECT_EQ(Query("bob", "SELECT count(*) FROM crm.customers")->rows[0][0], "3");
}

TEST_F(AccessFlowTest, WideningAColumnGrantNeedsToBeSaidOutLoudToo) {
  const std::string now = NowIso();
  auto olga = As("olga@example.com");
  ASSERT_OK(Control().Grant(*store_, olga, "crm.customers", {.grantee = "bob", .columns = {"customer_id"}, .purpose = "ids"}, now)
                .status());
  auto more = Control().Grant(*store_, olga, "crm.customers", {.grantee = "bob", .columns = {"email"}, .purpose = "x"}, now);
  ASSERT_EQ(more.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(more.status().message(), HasSubstr("columns email too"));
  EXPECT_OK(Control().Grant(*store_, olga, "crm.customers", {.widen = true, .grantee = "bob", .columns = {"email"}, .purpose = "x"}, now)
                .status());
}

// Finding: grants to unknown principals, groups and domains were accepted.
TEST_F(AccessFlowTest, GrantsToNobodyAreRefusedWithADidYouMean) {
  const std::string now = NowIso();
  auto olga = As("olga@example.com");
  auto typo = Control().Grant(*store_, olga, "crm.customers", {.grantee = "domain:finanse", .purpose = "x"}, now);
  ASSERT_EQ(typo.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(typo.status().message(), HasSubstr("did you mean 'domain:finance'"));
  EXPECT_EQ(Control().Grant(*store_, olga, "crm.customers", {.grantee = "team:nobody", .purpose = "x"}, now).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Control().Grant(*store_, olga, "crm.customers", {.grantee = "mallory", .purpose = "x"}, now).status().code(),
            StatusCode::kNotFound);
  EXPECT_OK(Control().Grant(*store_, olga, "crm.customers", {.grantee = "domain:finance", .purpose = "x"}, now).status());
  EXPECT_OK(Control().Grant(*store_, olga, "crm.customers", {.grantee = "eve", .purpose = "x"}, now).status());
}

// Rules loaded over the previous ones reuse the specs they parsed only
// while a spec is unchanged: a product made open reads as open at once.
TEST_F(AccessFlowTest, ReloadingOverThePreviousRulesSeesAChangedSpec) {
  const auto previous = Control();
  const auto eve = As("eve");
  EXPECT_EQ(previous.Authorize(eve, "crm.customers", 1, "1.0.0", NowIso()).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(std::optional<catalog::ProductRecord> product, store_->FindProduct("crm.customers"));
  ASSERT_TRUE(product.has_value());
  nlohmann::json spec = nlohmann::json::parse(product->spec_json);
  ASSERT_TRUE(spec.contains("outputPorts"));
  for (auto& port : spec["outputPorts"])
    port["customProperties"] = nlohmann::json::array({{{"property", "weft.access"}, {"value", "open"}}});
  product->spec_json = spec.dump();
  product->digest = "changed";
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->UpsertProduct(*product));
  ASSERT_OK(txn->Commit());

  ASSERT_OK_AND_ASSIGN(auto reloaded, access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = Key()},
                                                                  &previous));
  EXPECT_OK(reloaded.Authorize(eve, "crm.customers", 1, "1.0.0", NowIso()).status());
  // Another reload over those: the changed spec stays changed, the
  // unchanged product (reused twice) answers as it did at first.
  ASSERT_OK_AND_ASSIGN(auto again, access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = Key()},
                                                               &reloaded));
  EXPECT_OK(again.Authorize(eve, "crm.customers", 1, "1.0.0", NowIso()).status());
  EXPECT_EQ(again.Authorize(eve, "shop.orders", 1, "1.0.0", NowIso()).status().code(),
            previous.Authorize(eve, "shop.orders", 1, "1.0.0", NowIso()).status().code());
}

}  // namespace
}  // namespace weft::query
