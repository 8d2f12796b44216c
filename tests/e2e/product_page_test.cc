// The product page's parts over HTTP, as the web catalog reads them: the one
// access state per caller, the changelog and diff between two applied
// versions, column profiles masked per caller, and the owners' quarantine,
// audit and consumers - each attacked by callers who must not get them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/cli_runner.h"

namespace weft::e2e {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

class ProductPageE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = (tmp_ / "ws").string();
    ASSERT_EQ(Weft({"init", ws_}, "root").exit_code, 0);
    WriteSettings(tmp_ / "ws", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                                     "masking: {pii: hash, restricted: redact}\n");
    tree_ = tmp_ / "tree";
    CopyTree(RepoPath("tests/fixtures/query/tree"), tree_);
    ASSERT_EQ(Weft({"apply", "-f", tree_.string()}, "root").exit_code, 0);
    ASSERT_EQ(Weft({"principal", "add", "sam", "--group", "platform:stewards"}, "root").exit_code, 0);
    ASSERT_EQ(Weft({"principal", "add", "rita", "--attr", "region=EU"}, "root").exit_code, 0);
    for (const char* p : {"bob", "nick"}) ASSERT_EQ(Weft({"principal", "add", p}, "root").exit_code, 0);
    for (const char* p : {"olga@example.com", "bob", "rita", "nick", "sam"}) {
      RunResult t = Weft({"token", "create", "--for", p}, "root");
      ASSERT_EQ(t.exit_code, 0) << t;
      tokens_[p] = LastLine(t.out);
    }
    RunResult root = Weft({"token", "create", "--for", "root"}, "root");
    ASSERT_EQ(root.exit_code, 0) << root;
    tokens_["root"] = LastLine(root.out);
    // bob reads every column with the default masks; rita every column in
    // clear, but only the EU rows; nick nothing.
    ASSERT_EQ(Weft({"access", "grant", "crm.customers", "--to", "bob", "--purpose", "reports"}, "olga@example.com").exit_code, 0);
    RunResult rita = Weft({"access", "grant", "crm.customers", "--to", "rita", "--purpose", "EU reports", "--clearance", "pii",
                           "--clearance", "restricted", "--row-filter", "region = 'EU'"},
                          "olga@example.com");
    ASSERT_EQ(rita.exit_code, 0) << rita;
    // One row without a customer_id is quarantined.
    WriteFile(tmp_ / "customers.csv", ReadFile(RepoPath("tests/fixtures/query/data/customers.csv")) +
                                          ",zed@example.com,Zed Null,4000000000000002,2000-01-01,US\n");
    // 1 of 4 rows is over the default quarantine guard (5%): forced, on purpose.
    RunResult pub = Weft({"publish", "crm.customers", (tmp_ / "customers.csv").string(), "--force", "--reason", "test data"},
                         "olga@example.com");
    ASSERT_EQ(pub.exit_code, 0) << pub;

    url_ = "127.0.0.1:" + std::to_string(FreePort());
    server_ = std::make_unique<Process>(std::vector<std::string>{"serve", "--listen", url_, "--workspace", ws_, "--access-log", "off"},
                                        RunOptions{.timeout = std::chrono::seconds(300)});
    for (int i = 0; i < 200 && Get("root", "/api/v1/domains").status != 200; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(Get("root", "/api/v1/domains").status, 200) << server_->OutputSoFar();
  }

  RunResult Weft(std::vector<std::string> args, const std::string& as) {
    if (args[0] != "init") {
      args.push_back("--workspace");
      args.push_back(ws_);
    }
    args.push_back("--as");
    args.push_back(as);
    return e2e::Run(args);
  }

  Answer Get(const std::string& who, const std::string& path) {
    httplib::Client client("http://" + url_);
    auto res = client.Get(path, httplib::Headers{{"Authorization", "Bearer " + tokens_[who]}});
    if (!res) return {};
    return {res->status, res->body};
  }

  TempDir tmp_;
  std::string ws_, url_;
  std::filesystem::path tree_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Process> server_;
};

TEST_F(ProductPageE2e, EachCallerHasExactlyOneAccessState) {
  const auto state = [&](const std::string& who) {
    Answer a = Get(who, "/api/v1/products/crm.customers");
    EXPECT_EQ(a.status, 200) << a.body;
    return a.Json()["viewer"];
  };
  EXPECT_EQ(state("olga@example.com")["state"], "owner");
  json bob = state("bob");
  EXPECT_EQ(bob["state"], "access");
  EXPECT_EQ(bob["isOwner"], false);
  EXPECT_EQ(bob["columns"]["email"], "hash");
  EXPECT_EQ(state("rita")["rowFilter"], true);
  EXPECT_EQ(state("nick")["state"], "none");
  // The admin manages every product but owns none and has no grant here:
  // not "owner" and "no access" at once.
  json root = state("root");
  EXPECT_EQ(root["state"], "none");
  EXPECT_EQ(root["isOwner"], false);
  EXPECT_EQ(root["may"]["readAudit"], true);
  ASSERT_EQ(Weft({"access", "request", "crm.customers", "--purpose", "churn model"}, "nick").exit_code, 0);
  json pending = state("nick");
  EXPECT_EQ(pending["state"], "pending");
  EXPECT_GT(pending["pendingRequest"].get<int64_t>(), 0);
  // The descriptor's purpose is on the page.
  EXPECT_EQ(Get("bob", "/api/v1/products/crm.customers").Json()["purpose"], "One row per customer, with personal data masked for readers.");
}

TEST_F(ProductPageE2e, ProfilesShowValuesOnlyToCallersWhoReadTheColumnInClearOverEveryRow) {
  const auto column = [](const json& profile, const std::string& name) {
    for (const auto& c : profile["columns"])
      if (c["name"] == name) return c;
    return json();
  };
  Answer owner = Get("olga@example.com", "/api/v1/products/crm.customers/profile");
  ASSERT_EQ(owner.status, 200) << owner.body;
  json email = column(owner.Json(), "email");
  EXPECT_EQ(email["stats"]["min"], "ada@example.com");
  EXPECT_EQ(email["stats"]["nulls"], 0);
  EXPECT_EQ(column(owner.Json(), "region")["stats"]["distinct"], 2);
  // Attack 1: bob sees email hashed; its profile must not give the addresses.
  Answer bob = Get("bob", "/api/v1/products/crm.customers/profile");
  ASSERT_EQ(bob.status, 200) << bob.body;
  EXPECT_EQ(column(bob.Json(), "email")["withheld"], "values");
  EXPECT_EQ(column(bob.Json(), "email")["stats"]["distinct"], 3);
  EXPECT_EQ(bob.body.find("@example.com"), std::string::npos) << bob.body;
  EXPECT_EQ(bob.body.find("4111"), std::string::npos) << bob.body;
  EXPECT_EQ(column(bob.Json(), "region")["stats"]["min"], "EU");  // clear, every row: shown
  // Attack 2: rita reads EU rows only: no value of a US row, nor any min/max.
  Answer rita = Get("rita", "/api/v1/products/crm.customers/profile");
  ASSERT_EQ(rita.status, 200) << rita.body;
  EXPECT_EQ(rita.body.find("bob@example.com"), std::string::npos) << rita.body;
  EXPECT_EQ(rita.body.find("\"US\""), std::string::npos) << rita.body;
  // Named: a range-for over a member of a temporary reads freed memory (ASan).
  const auto rita_json = rita.Json();
  for (const auto& c : rita_json["columns"]) {
    EXPECT_EQ(c["withheld"], "values") << c;
    EXPECT_FALSE(c["stats"].contains("min")) << c;
  }
  // Attack 3: nick has no grant: nothing but the column names.
  Answer nick = Get("nick", "/api/v1/products/crm.customers/profile");
  ASSERT_EQ(nick.status, 200) << nick.body;
  const auto nick_json = nick.Json();
  for (const auto& c : nick_json["columns"]) {
    EXPECT_EQ(c["withheld"], "all") << c;
    EXPECT_TRUE(c["stats"].empty()) << c;
  }
  EXPECT_EQ(nick.body.find("example.com"), std::string::npos) << nick.body;
}

TEST_F(ProductPageE2e, QuarantineAuditAndConsumersAreTheOwnersOnly) {
  Answer q = Get("olga@example.com", "/api/v1/products/crm.customers/quarantine");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.Json()["rowsQuarantined"], 1);
  EXPECT_NE(q.body.find("zed@example.com"), std::string::npos);
  Answer audit = Get("olga@example.com", "/api/v1/products/crm.customers/audit");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("publish.published"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("access.grant"), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find("product:shop."), std::string::npos) << audit.body;  // only this product's
  EXPECT_EQ(Get("sam", "/api/v1/products/crm.customers/audit").status, 200);
  // Consumers, with a grant or without, get neither the rows nor the trail.
  for (const char* who : {"bob", "rita", "nick"}) {
    Answer rows = Get(who, "/api/v1/products/crm.customers/quarantine");
    EXPECT_EQ(rows.status, 403) << who << rows.body;
    EXPECT_EQ(rows.body.find("zed@example.com"), std::string::npos);
    EXPECT_EQ(Get(who, "/api/v1/products/crm.customers/audit").status, 403) << who;
    json viewer = Get(who, "/api/v1/products/crm.customers").Json()["viewer"];
    EXPECT_EQ(viewer["may"]["readQuarantine"], false) << who;
    EXPECT_EQ(viewer["may"]["readAudit"], false) << who;
  }
  // The owners see each grant's row filter; bob sees only his own grant.
  json consumers = Get("olga@example.com", "/api/v1/products/crm.customers").Json()["consumers"];
  ASSERT_EQ(consumers.size(), 2u) << consumers;
  bool filtered = false;
  for (const auto& g : consumers) filtered |= g["grantee"] == "rita" && g["rowFilter"] == "region = 'EU'";
  EXPECT_TRUE(filtered) << consumers;
  json mine = Get("bob", "/api/v1/products/crm.customers").Json()["consumers"];
  ASSERT_EQ(mine.size(), 1u) << mine;
  EXPECT_EQ(mine[0]["grantee"], "bob");
}

TEST_F(ProductPageE2e, TheChangelogListsAppliedVersionsAndDiffsAnyTwo) {
  const auto contract = tree_ / "domains/crm/products/customers/customers.odcs.yaml";
  const auto product = tree_ / "domains/crm/products/customers/product.odps.yaml";
  ASSERT_TRUE(ReplaceOnce(contract, "\nversion: 1.0.0\n", "\nversion: 1.1.0\n"));
  ASSERT_TRUE(ReplaceOnce(product, "\n    version: 1.0.0\n", "\n    version: 1.1.0\n"));
  // An optional column at the end of the schema: a minor change.
  WriteFile(contract, ReadFile(contract) + "      - name: segment\n        logicalType: string\n"
                                           "        physicalType: VARCHAR\n        description: Marketing segment.\n");
  RunResult apply = Weft({"apply", "-f", tree_.string()}, "root");
  ASSERT_EQ(apply.exit_code, 0) << apply;
  Answer log = Get("bob", "/api/v1/products/crm.customers/changelog");
  ASSERT_EQ(log.status, 200) << log.body;
  json versions = log.Json()["versions"];
  ASSERT_EQ(versions.size(), 2u) << versions;
  EXPECT_EQ(versions[0]["version"], "1.1.0");  // newest first
  EXPECT_EQ(versions[0]["previous"], "1.0.0");
  EXPECT_EQ(versions[0]["bump"], "minor");
  EXPECT_NE(versions[0]["changes"].dump().find("segment"), std::string::npos) << versions;
  EXPECT_EQ(versions[1]["bump"], "initial");
  Answer diff = Get("nick", "/api/v1/products/crm.customers/diff?from=1.0.0&to=1.1.0");  // metadata: any reader
  ASSERT_EQ(diff.status, 200) << diff.body;
  json doc = diff.Json()["documents"][0];
  EXPECT_EQ(doc["oldVersion"], "1.0.0");
  EXPECT_EQ(doc["newVersion"], "1.1.0");
  EXPECT_NE(doc["changes"].dump().find("property-added"), std::string::npos) << doc;
  Answer backwards = Get("bob", "/api/v1/products/crm.customers/diff?from=1.1.0&to=1.0.0");
  EXPECT_NE(backwards.Json()["documents"][0]["changes"].dump().find("segment"), std::string::npos) << backwards.body;
  Answer latest = Get("bob", "/api/v1/products/crm.customers/diff");  // the newest change by default
  ASSERT_EQ(latest.status, 200) << latest.body;
  EXPECT_EQ(latest.Json()["from"], "1.0.0");
  EXPECT_EQ(latest.Json()["to"], "1.1.0");
  Answer unknown = Get("bob", "/api/v1/products/crm.customers/diff?from=1.0.0&to=1.2.0");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("1.0.0, 1.1.0"), std::string::npos) << unknown.body;
}

}  // namespace
}  // namespace weft::e2e
