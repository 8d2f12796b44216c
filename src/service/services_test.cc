// The services as a front end calls them, tried by a consumer (eve), a
// member of another domain (bob), an owner (olga) and an admin: every rule
// of the Authorizer holds inside the service, whatever front end calls it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "service/testing.h"
#include "service/views.h"

namespace weft::service {
namespace {

using ServicesTest = testing::MeshFixture;

TEST_F(ServicesTest, AConsumerIsRefusedWhatOnlyOwnersAndStewardsSee) {
  const Caller eve = As("eve");
  EXPECT_EQ(CatalogService(*mesh_).Audit(eve, {}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(FinopsService(*mesh_).Usage(eve, "crm.customers", "").status().code(), StatusCode::kPermissionDenied);
  // The quarantine holds raw input: not even a grant lets a consumer read it.
  EXPECT_EQ(PublishService(*mesh_).Quarantine(eve, "crm.customers", "", 10).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(GovernanceService(*mesh_).AddWaiver(eve, {.policy_id = "p", .subject = "s", .reason = "r", .expires_at = "2099-01-01"})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(AccessService(*mesh_).SavePrincipal(eve, {.name = "eve", .groups = {"platform:admins"}}, false).status().code(),
            StatusCode::kPermissionDenied);
  // Attributes decide row filters: eve sees only her own.
  ASSERT_OK_AND_ASSIGN(auto principals, AccessService(*mesh_).Principals(eve));
  for (const auto& p : principals) {
    if (p.name == "bob") {
      EXPECT_TRUE(p.attributes.empty());
    }
  }
}

TEST_F(ServicesTest, AMemberOfAnotherDomainCannotPublishOrPlanItsProducts) {
  const Caller bob = As("bob");
  quality::PublishRequest req{.target = "crm.customers", .files = {Fixtures() / "data/customers.csv"}};
  EXPECT_EQ(PublishService(*mesh_).Publish(bob, req).status().code(), StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(PlanView plan, ControlService(*mesh_).Plan(bob, Fixtures() / "tree", {.apply = true}));
  EXPECT_TRUE(plan.plan.refused());
  EXPECT_EQ(PlanStatus(plan).code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(plan.applied.has_value());
}

TEST_F(ServicesTest, TheProductPageShowsGranteesToOwnersOnly) {
  ASSERT_OK_AND_ASSIGN(auto ac, mesh_->Access());
  ASSERT_OK(ac->Grant(*store_, As("olga@example.com").principal, "crm.customers",
                      {.grantee = "bob", .columns = {}, .clearances = {}, .row_filter = "region = $principal.region", .purpose = "churn",
                       .until = ""},
                      NowIso())
                .status());
  mesh_->CatalogChanged();
  ASSERT_OK_AND_ASSIGN(ProductPage owner, CatalogService(*mesh_).Page(As("olga@example.com"), "crm.customers"));
  EXPECT_EQ(owner.consumers.size(), 1u);
  EXPECT_TRUE(owner.viewer.is_owner);
  ASSERT_OK_AND_ASSIGN(ProductPage other, CatalogService(*mesh_).Page(As("eve"), "crm.customers"));
  EXPECT_TRUE(other.consumers.empty());
  EXPECT_FALSE(other.viewer.can_read);
  // The grantee sees its own grant, masked columns named as masked.
  ASSERT_OK_AND_ASSIGN(ProductPage grantee, CatalogService(*mesh_).Page(As("bob"), "crm.customers"));
  EXPECT_EQ(grantee.consumers.size(), 1u);
  EXPECT_TRUE(grantee.viewer.can_read);
  EXPECT_EQ(grantee.viewer.row_filter, true);
  // The view's JSON is the REST body and the CLI's -o json.
  nlohmann::json j = ToJson(grantee);
  EXPECT_EQ(j["viewer"]["canRead"], true);
  EXPECT_FALSE(j.contains("freshness"));  // added at request time (FreshnessJson)
}

TEST_F(ServicesTest, UnknownNamesAreNotFoundWithASuggestion) {
  const Caller olga = As("olga@example.com");
  auto page = CatalogService(*mesh_).Page(olga, "crm.customer");
  EXPECT_EQ(page.status().code(), StatusCode::kNotFound);
  EXPECT_NE(page.status().message().find("did you mean 'crm.customers'"), std::string::npos) << page.status().ToString();
  EXPECT_EQ(CatalogService(*mesh_).Publishes(olga, "crm.custmers", 5).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LineageService(*mesh_).Lineage(olga, "crm.custmers", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FinopsService(*mesh_).Cost(olga, "2026-13", "").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServicesTest, AQueryAnswersWithinTheCallersRights) {
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer a, QueryService(*mesh_).Run(As("olga@example.com"), {.sql = "SELECT count(*) FROM crm.customers"}));
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(QueryService(*mesh_).Run(As("eve"), {.sql = "SELECT * FROM crm.customers"}).status().code(), StatusCode::kPermissionDenied);
}

// Every cost and budget a view shows is in the workspace's one currency. A
// budget recorded in another (weft.yaml's currency changed after apply) is
// neither shown as if it were nor enforced, and every view says why.
TEST_F(ServicesTest, CostViewsCarryTheWorkspacesCurrencyOnly) {
  const Caller olga = As("olga@example.com");
  ASSERT_OK_AND_ASSIGN(CostView cost, FinopsService(*mesh_).Cost(olga, "", ""));
  EXPECT_EQ(cost.currency, "USD");
  EXPECT_TRUE(cost.warnings.empty());
  for (const auto& c : cost.consumers) EXPECT_EQ(c.budget, std::optional<double>(100)) << c.name;
  ASSERT_OK_AND_ASSIGN(MonthlyCostView monthly, FinopsService(*mesh_).Monthly(olga, "finance"));
  EXPECT_EQ(monthly.currency, "USD");
  EXPECT_EQ(monthly.budget, std::optional<double>(100));
  ASSERT_OK_AND_ASSIGN(UsageView usage, FinopsService(*mesh_).Usage(olga, "crm.customers", ""));
  EXPECT_EQ(usage.currency, "USD");
  EXPECT_EQ(ToJson(usage)["currency"], "USD");

  // The workspace now counts in EUR; the domains were applied in USD.
  mesh_->Close();
  ASSERT_OK(WriteStringToFile(
      root_ / "ws/weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: EUR\n", true));
  ASSERT_OK_AND_ASSIGN(mesh_, Mesh::Open((root_ / "ws").string()));
  ASSERT_OK_AND_ASSIGN(cost, FinopsService(*mesh_).Cost(As("olga@example.com"), "", ""));
  EXPECT_EQ(cost.currency, "EUR");
  for (const auto& c : cost.consumers) EXPECT_FALSE(c.budget.has_value()) << c.name;
  ASSERT_FALSE(cost.warnings.empty());
  EXPECT_NE(cost.warnings[0].find("is in USD, not in the workspace's EUR"), std::string::npos) << cost.warnings[0];
  ASSERT_OK_AND_ASSIGN(auto domains, CatalogService(*mesh_).Domains(As("olga@example.com")));
  for (const auto& d : domains) {
    EXPECT_EQ(d.currency, "EUR") << d.name;
    EXPECT_FALSE(d.monthly_budget.has_value()) << d.name;
  }
  ASSERT_OK_AND_ASSIGN(query::QueryAnswer a,
                       QueryService(*mesh_).Run(As("bob"), {.sql = "SELECT count(*) FROM shop.orders"}));
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_NE(a.warnings[0].find("not enforced"), std::string::npos) << a.warnings[0];
}

// Another process's grant and revoke (a second Mesh on the workspace: its
// own catalog connections) are seen by this one's next request, even while
// other requests keep loading rules: a request that had read the new
// generation stamped it fresh before its load was in place, and requests
// of the next millisecond were handed the rules it replaced (the 30-minute
// soak: a revoked grant honoured).
TEST_F(ServicesTest, AnotherProcesssGrantsAndRevokesAreSeenByTheNextRequest) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Mesh> other, Mesh::Open((root_ / "ws").string()));
  ASSERT_OK_AND_ASSIGN(Caller olga, other->CallerFor("olga@example.com"));
  const Caller bob = As("bob");
  std::atomic<bool> stop{false};
  // The other requests of a busy server: some need the rules, some read
  // the catalog (and so make loading the rules slower).
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i)
    busy.emplace_back([&] {
      while (!stop) EXPECT_OK(mesh_->Access().status());
    });
  busy.emplace_back([&] {
    while (!stop) EXPECT_OK(mesh_->store().ListProducts().status());
  });
  auto bob_reads = [&] { return QueryService(*mesh_).Run(bob, {.sql = "SELECT count(*) FROM crm.customers"}).status(); };
  // The freshness a reading is trusted for (Mesh::kAccessFreshFor), past.
  auto settle = [] { std::this_thread::sleep_for(std::chrono::microseconds(1500)); };
  for (int i = 0; i < 100 && !HasFailure(); ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t grant, AccessService(*other).Grant(olga, "crm.customers", {.grantee = "bob", .purpose = "test"}));
    settle();
    EXPECT_OK(bob_reads()) << "round " << i << ": the grant was not seen";
    ASSERT_OK(AccessService(*other).Revoke(olga, grant));
    settle();
    EXPECT_EQ(bob_reads().code(), StatusCode::kPermissionDenied) << "round " << i << ": the revoked grant was honoured";
  }
  stop = true;
  for (auto& t : busy) t.join();
  other->Close();
}

}  // namespace
}  // namespace weft::service
