// Governed sharing through the CLI on the demo mesh, as the "done"
// describes it: a consumer without a grant is refused with the request
// command; after a request and an owner's approval the same query returns
// rows with PII masked and rows outside the filter absent; after a revoke it
// is refused again; the query is charged to the consumer's domain, and a
// hard budget refuses.
#include <string>
#include <vector>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SharingTest : public AppliedMeshTest {
 protected:
  void SetUp() override {
    AppliedMeshTest::SetUp();
    std::string data = (tmp_ / "data").string();
    RunResult gen = e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data, "--threads", "2"});
    ASSERT_EQ(gen.exit_code, 0) << gen;
    for (const std::string p : {"customer.customers", "sales.orders"}) {
      auto dot = p.find('.');
      RunResult r = Weft({"publish", p, data + "/" + p.substr(0, dot) + "/" + p.substr(dot + 1) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << r;
    }
    // The admin who ran `weft init` (the test runs as $USER) registers grace's region.
    RunResult set = Weft({"principal", "set", kGrace, "--attr", "region=DE"});
    ASSERT_EQ(set.exit_code, 0) << set;
  }

  RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }
  RunResult As(const std::string& who, std::vector<std::string> args) {
    args.push_back("--as");
    args.push_back(who);
    return Weft(std::move(args));
  }

  static constexpr const char* kGrace = "grace@retail.example";  // finance
  static constexpr const char* kAlice = "alice@retail.example";  // owns customer
  static constexpr const char* kQuery =
      "SELECT c.email, c.full_name, c.country, sum(o.amount) AS amount FROM sales.orders o "
      "JOIN customer.customers c USING (customer_id) GROUP BY ALL";
};

TEST_F(SharingTest, RequestApproveQueryMaskedRevokeRefused) {
  RunResult refused = As(kGrace, {"query", kQuery});
  EXPECT_EQ(refused.exit_code, 3) << refused;  // not permitted (service/outcome.h)
  EXPECT_THAT(refused.err, HasSubstr("no grant on customer.customers_v1 for grace@retail.example"));
  EXPECT_THAT(refused.err, HasSubstr("weft access request customer.customers --purpose"));

  ASSERT_EQ(As(kGrace, {"access", "request", "customer.customers", "--purpose", "top customers"}).exit_code, 0);
  ASSERT_EQ(As(kGrace, {"access", "request", "sales.orders", "--purpose", "top customers"}).exit_code, 0);
  // Not grace's to decide; not carol's either (she owns sales, not customer).
  EXPECT_EQ(As(kGrace, {"access", "approve", "1"}).exit_code, 3);
  EXPECT_EQ(As("carol@retail.example", {"access", "approve", "1"}).exit_code, 3);
  RunResult inbox = As(kAlice, {"access", "list", "--pending", "-o", "json"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox;
  nlohmann::json pending = ParseJson(inbox);
  ASSERT_EQ(pending["requests"].size(), 1u);
  EXPECT_EQ(pending["requests"][0]["grantee"], kGrace);
  ASSERT_EQ(As(kAlice, {"access", "approve", "1", "--row-filter", "country = $principal.region"}).exit_code, 0);
  ASSERT_EQ(As("carol@retail.example", {"access", "approve", "2"}).exit_code, 0);

  RunResult masked = As(kGrace, {"query", kQuery, "-o", "json"});
  ASSERT_EQ(masked.exit_code, 0) << masked;
  nlohmann::json j = ParseJson(masked);
  ASSERT_FALSE(j["rows"].empty());
  for (const auto& row : j["rows"]) {
    EXPECT_EQ(row["country"], "DE");                          // the row filter
    EXPECT_EQ(row["full_name"], "***");                       // redact
    EXPECT_EQ(row["email"].get<std::string>().size(), 64u);   // hash
    EXPECT_EQ(row["email"].get<std::string>().find('@'), std::string::npos);
  }

  RunResult grants = As(kGrace, {"access", "list", "--mine", "-o", "json"});
  nlohmann::json mine = ParseJson(grants);
  ASSERT_EQ(mine["grants"].size(), 2u);
  ASSERT_EQ(As(kAlice, {"access", "revoke", std::to_string(mine["grants"][0]["id"].get<int64_t>())}).exit_code, 0);
  RunResult again = As(kGrace, {"query", kQuery});
  EXPECT_EQ(again.exit_code, 3) << again;
  EXPECT_THAT(again.err, HasSubstr("no grant on customer.customers_v1"));

  RunResult audit = Weft({"audit", "--object", "product:customer.customers"});
  EXPECT_THAT(audit.out, HasSubstr("access.request"));
  EXPECT_THAT(audit.out, HasSubstr("access.approve"));
  EXPECT_THAT(audit.out, HasSubstr("access.revoke"));
}

TEST_F(SharingTest, QueriesAreChargedToTheConsumersDomainAndAHardBudgetRefuses) {
  ASSERT_EQ(As("carol@retail.example", {"access", "grant", "sales.orders", "--to", "domain:finance", "--purpose", "reporting"})
                .exit_code,
            0);
  RunResult q = As(kGrace, {"query", "SELECT channel, sum(amount) FROM sales.orders GROUP BY 1"});
  ASSERT_EQ(q.exit_code, 0) << q;
  RunResult cost = Weft({"cost", "-o", "json"});
  ASSERT_EQ(cost.exit_code, 0) << cost;
  nlohmann::json c = ParseJson(cost);
  bool charged = false;
  for (const auto& d : c["consumers"])
    if (d["domain"] == "finance") charged = d["queries"].get<int64_t>() == 1 && d["cost"].get<double>() > 0;
  EXPECT_TRUE(charged) << c.dump();
  RunResult usage = Weft({"usage", "sales.orders", "-o", "json"});
  EXPECT_THAT(usage.out, HasSubstr("grace@retail.example (finance)"));
  EXPECT_THAT(usage.out, HasSubstr("\"amount\""));

  // A budget smaller than what finance has spent: the next query is refused.
  std::string domain = ReadFile(tree_ / "domains/finance/domain.yaml");
  auto at = domain.find("monthlyBudget:");
  ASSERT_NE(at, std::string::npos);
  domain.replace(at, domain.find('\n', at) - at, "monthlyBudget: 0.0000000001");
  WriteFile(tree_ / "domains/finance/domain.yaml", domain);
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  RunResult over = As(kGrace, {"query", "SELECT count(*) FROM sales.orders"});
  EXPECT_EQ(over.exit_code, 3) << over;
  EXPECT_THAT(over.err, HasSubstr("has spent its monthly query budget"));
}

}  // namespace
}  // namespace weft::e2e
