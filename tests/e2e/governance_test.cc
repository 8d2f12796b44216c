// Governance tried as an attacker with a consumer's identity would: apply
// can only write what its author owns, whatever document kind carries the
// write, and --prune removes only that; waivers are for stewards.
// The server runs these same commands in-process as the token's principal.
#include <gtest/gtest.h>

#include "e2e/cli_runner.h"

namespace weft::e2e {
namespace {

class GovernanceE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = (tmp_ / "ws").string();
    ASSERT_EQ(e2e::Run({"init", ws_, "--as", "root"}).exit_code, 0);
    WriteSettings(tmp_ / "ws", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                                     "masking: {pii: hash, restricted: redact}\n");
    RunResult applied = Weft({"apply", "-f", RepoPath("tests/fixtures/query/tree").string()}, "root");
    ASSERT_EQ(applied.exit_code, 0) << applied;
    RunResult bob = Weft({"principal", "add", "bob", "--group", "team:finance", "--attr", "region=EU"}, "root");
    ASSERT_EQ(bob.exit_code, 0) << bob;
  }

  RunResult Weft(std::vector<std::string> args, const std::string& as) {
    args.insert(args.end(), {"--workspace", ws_, "--as", as});
    return e2e::Run(args);
  }

  std::string Get(const std::string& what) { return Weft({"get", what, "-o", "json"}, "root").out; }

  TempDir tmp_;
  std::string ws_;
};

// Finding: a consumer applied a contract whose team lists itself as owner,
// and became an owner of the domain.
TEST_F(GovernanceE2e, AContractsTeamCannotMakeItsAuthorAnOwner) {
  const std::string contract = R"(apiVersion: v3.1.0
kind: DataContract
id: crm.customers
name: customers
version: 1.0.1
status: active
domain: crm
dataProduct: customers
team:
  name: crm
  members:
    - username: bob
      role: owner
schema:
  - name: customers
    properties:
      - name: customer_id
        logicalType: string
        physicalType: VARCHAR
        primaryKey: true
        primaryKeyPosition: 1
        classification: internal
)";
  WriteFile(tmp_ / "evil/contract.odcs.yaml", contract);
  RunResult r = Weft({"apply", "-f", (tmp_ / "evil").string()}, "bob");
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_NE((r.out + r.err).find("does not own domain crm"), std::string::npos) << r;
  // Nothing changed: bob is still no owner, and cannot grant.
  RunResult grant = Weft({"access", "grant", "crm.customers", "--to", "bob", "--purpose", "x"}, "bob");
  EXPECT_NE(grant.exit_code, 0) << grant;
  // A product descriptor or a domain file naming bob fares no better.
  WriteFile(tmp_ / "evil2/domain.yaml", "apiVersion: weft/v1\nkind: Domain\nname: crm\nowners: [bob]\n");
  r = Weft({"apply", "-f", (tmp_ / "evil2").string()}, "bob");
  EXPECT_EQ(r.exit_code, 3) << r;
  WriteFile(tmp_ / "evil3/domain.yaml", "apiVersion: weft/v1\nkind: Domain\nname: bobland\nowners: [bob]\n");
  r = Weft({"apply", "-f", (tmp_ / "evil3").string()}, "bob");
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_NE((r.out + r.err).find("needs a platform admin"), std::string::npos) << r;
}

// Finding: `apply --prune` of an empty tree, by a consumer, removed every
// product and domain.
TEST_F(GovernanceE2e, PruneRemovesOnlyWhatItsAuthorOwns) {
  const std::string before = Get("products");
  std::filesystem::create_directories(tmp_ / "empty");
  WriteFile(tmp_ / "empty/README.md", "nothing here\n");
  RunResult r = Weft({"apply", "-f", (tmp_ / "empty").string(), "--prune"}, "bob");
  EXPECT_EQ(Get("products"), before) << r;
  EXPECT_NE(Get("domains").find("\"crm\""), std::string::npos);
  // The owner of crm prunes crm only: shop survives.
  r = Weft({"apply", "-f", (tmp_ / "empty").string(), "--prune"}, "olga@example.com");
  const std::string after = Get("products");
  EXPECT_EQ(after.find("crm.customers"), std::string::npos) << r << after;
  EXPECT_NE(after.find("shop.orders"), std::string::npos) << r << after;
}

TEST_F(GovernanceE2e, OnlyStewardsAndAdminsWaivePolicies) {
  RunResult r = Weft({"waiver", "add", "some-policy", "product:crm.customers", "--reason", "mine", "--approver", "bob",
                      "--expires", "2099-01-01"},
                     "bob");
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_NE(r.err.find("stewards and admins"), std::string::npos) << r;
  r = Weft({"waiver", "add", "some-policy", "product:crm.customers", "--reason", "ok", "--approver", "root", "--expires",
            "2099-01-01"},
           "root");
  EXPECT_EQ(r.exit_code, 0) << r;
}

// The approver sees what the requester holds and what approving would add;
// widening needs --widen.
TEST_F(GovernanceE2e, TheApproverSeesWhatAnApprovalWouldWiden) {
  RunResult g = Weft({"access", "grant", "crm.customers", "--to", "bob", "--purpose", "eu", "--row-filter",
                      "region = $principal.region"},
                     "olga@example.com");
  ASSERT_EQ(g.exit_code, 0) << g;
  RunResult r = Weft({"access", "request", "crm.customers", "--purpose", "everything"}, "bob");
  ASSERT_EQ(r.exit_code, 0) << r;
  RunResult inbox = Weft({"access", "list", "--pending", "-o", "json"}, "olga@example.com");
  ASSERT_EQ(inbox.exit_code, 0) << inbox;
  EXPECT_NE(inbox.out.find("\"existingGrants\""), std::string::npos) << inbox;
  EXPECT_NE(inbox.out.find("every row instead of the filtered ones"), std::string::npos) << inbox;
  RunResult approve = Weft({"access", "approve", "1"}, "olga@example.com");
  EXPECT_NE(approve.exit_code, 0) << approve;
  EXPECT_NE(approve.err.find("--widen"), std::string::npos) << approve;
  approve = Weft({"access", "approve", "1", "--widen"}, "olga@example.com");
  EXPECT_EQ(approve.exit_code, 0) << approve;
  // Grants to nobody are refused, with a did-you-mean.
  RunResult typo = Weft({"access", "grant", "crm.customers", "--to", "domain:finanse", "--purpose", "x"}, "olga@example.com");
  EXPECT_NE(typo.exit_code, 0) << typo;
  EXPECT_NE(typo.err.find("did you mean 'domain:finance'"), std::string::npos) << typo;
}

}  // namespace
}  // namespace weft::e2e
