#include "service/authorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::service {
namespace {

using ::testing::HasSubstr;

access::Principal Make(const std::string& name, std::map<std::string, std::set<std::string>> roles) {
  return {.name = name, .kind = "user", .attributes = {}, .roles = std::move(roles), .domain = ""};
}

TEST(AuthorizerTest, OwnersApplyTheirDomainsOnly) {
  auto alice = Make("alice", {{"team:sales", {"owner"}}, {"team:crm", {"member"}}});
  EXPECT_TRUE(Authorizer::Allowed(alice, Action::kApply, Resource::Domain("sales")));
  Status s = Authorizer::Check(alice, Action::kApply, Resource::Domain("crm"));  // a member is not an owner
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("owners of domain crm"));
  EXPECT_FALSE(Authorizer::Allowed(alice, Action::kCreateDomain, Resource::Workspace()));
  auto scope = Authorizer::WritableDomains(alice, {"sales", "crm", "finance"});
  ASSERT_TRUE(scope);
  EXPECT_EQ(*scope, std::set<std::string>{"sales"});
}

TEST(AuthorizerTest, AdminsMayEverything) {
  auto root = Make("root", {{std::string(access::kAdminsGroup), {"member"}}});
  for (Action a : {Action::kApply, Action::kCreateDomain, Action::kSeeGrantees, Action::kSeeAttributes, Action::kWaive,
                   Action::kManagePrincipals, Action::kReadAudit, Action::kPublish, Action::kReadQuarantine, Action::kSeeUsage})
    EXPECT_TRUE(Authorizer::Allowed(root, a, Resource::Domain("any")));
  EXPECT_FALSE(Authorizer::WritableDomains(root, {"a"}).has_value());
}

TEST(AuthorizerTest, ConsumersSeeNoGranteesAndWaiveNothing) {
  auto grace = Make("grace", {{"team:finance", {"member"}}});
  EXPECT_FALSE(Authorizer::Allowed(grace, Action::kSeeGrantees, Resource::Product("crm.customers")));
  EXPECT_FALSE(Authorizer::Allowed(grace, Action::kWaive, Resource::Workspace()));
  EXPECT_FALSE(Authorizer::Allowed(grace, Action::kSeeAttributes, Resource::Workspace()));
  EXPECT_FALSE(Authorizer::Allowed(grace, Action::kManagePrincipals, Resource::Workspace()));
  auto owner = Make("olga", {{"team:crm", {"owner"}}});
  EXPECT_TRUE(Authorizer::Allowed(owner, Action::kSeeGrantees, Resource::Product("crm.customers")));
  EXPECT_FALSE(Authorizer::Allowed(owner, Action::kSeeGrantees, Resource::Product("sales.orders")));
  auto steward = Make("sam", {{std::string(access::kStewardsGroup), {"member"}}});
  EXPECT_TRUE(Authorizer::Allowed(steward, Action::kSeeGrantees, Resource::Product("sales.orders")));
  EXPECT_TRUE(Authorizer::Allowed(steward, Action::kWaive, Resource::Workspace()));
}

TEST(AuthorizerTest, AProductsAuditIsItsOwnersAndStewardsButNotItsConsumers) {
  auto owner = Make("olga", {{"team:crm", {"owner"}}});
  EXPECT_TRUE(Authorizer::Allowed(owner, Action::kReadProductAudit, Resource::Product("crm.customers")));
  EXPECT_FALSE(Authorizer::Allowed(owner, Action::kReadProductAudit, Resource::Product("sales.orders")));
  EXPECT_FALSE(Authorizer::Allowed(owner, Action::kReadAudit, Resource::Workspace()));
  auto member = Make("mia", {{"team:crm", {"member"}}});
  EXPECT_FALSE(Authorizer::Allowed(member, Action::kReadProductAudit, Resource::Product("crm.customers")));
  auto steward = Make("sam", {{std::string(access::kStewardsGroup), {"member"}}});
  EXPECT_TRUE(Authorizer::Allowed(steward, Action::kReadProductAudit, Resource::Product("crm.customers")));
}

}  // namespace
}  // namespace weft::service
