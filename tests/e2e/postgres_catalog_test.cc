// weft on a PostgreSQL catalog, as a user runs it: `weft init --catalog
// postgres://…`, then the demo mesh applied, its data published, granted,
// run, queried, searched and audited, with the password only ever in
// PGPASSWORD. The "/postgres" run only (postgres_catalogs.h).
#include <fstream>
#include <string>
#include <vector>

#include "e2e/e2e_util.h"
#include "e2e/postgres_catalogs.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PostgresCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPostgres()) GTEST_SKIP() << "the PostgreSQL run only (WEFT_TEST_POSTGRES)";
    url_ = NewPostgresCatalog();
    password_ = PostgresPassword();
    ws_ = tmp_ / "W";
  }

  // `weft ARGS --workspace W` (cli_runner sets PGPASSWORD in this run).
  RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }

  TempDir tmp_;
  std::string url_, password_;
  std::filesystem::path ws_;
};

TEST_F(PostgresCatalogTest, InitApplyPublishRunQuerySearchAndAuditTheDemoMesh) {
  // A password in the URL would be kept in clear in weft.yaml: refused,
  // without repeating it, and nothing is created.
  const std::string with_password = "postgres://weft:" + password_ + "@" + url_.substr(std::string("postgres://weft@").size());
  RunResult refused = e2e::Run({"init", ws_.string(), "--catalog", with_password});
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_THAT(refused.err, HasSubstr("PGPASSWORD or a passfile"));
  EXPECT_THAT(refused.err + refused.out, Not(HasSubstr(password_)));
  EXPECT_FALSE(std::filesystem::exists(ws_ / "weft.yaml"));

  // Without the password: a clear refusal naming the catalog, nothing created.
  RunResult no_password = e2e::Run({"init", ws_.string(), "--catalog", url_}, Env{{"PGPASSWORD", "wrong"}});
  EXPECT_EQ(no_password.exit_code, 1) << no_password;
  EXPECT_THAT(no_password.err, HasSubstr("cannot connect to the PostgreSQL catalog " + url_));
  EXPECT_FALSE(std::filesystem::exists(ws_ / "weft.yaml"));

  RunResult init = e2e::Run({"init", ws_.string(), "--catalog", url_});
  ASSERT_EQ(init.exit_code, 0) << init;
  EXPECT_THAT(init.out, HasSubstr("catalog   " + url_));
  std::ifstream settings(ws_ / "weft.yaml");
  const std::string yaml((std::istreambuf_iterator<char>(settings)), std::istreambuf_iterator<char>());
  EXPECT_THAT(yaml, HasSubstr("catalog: \"" + url_ + "\""));
  EXPECT_FALSE(std::filesystem::exists(ws_ / "catalog.db"));

  RunResult apply = Weft({"apply", "-f", RepoPath("examples/mesh").string()});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  RunResult again = Weft({"apply", "-f", RepoPath("examples/mesh").string()});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("No changes"));

  const std::filesystem::path data = tmp_ / "data";
  RunResult gen = e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data.string(), "--threads", "2"});
  ASSERT_EQ(gen.exit_code, 0) << gen;
  for (const auto& [product, owner] : std::vector<std::pair<std::string, std::string>>{
           {"customer.customers", "alice@retail.example"}, {"sales.orders", "carol@retail.example"}}) {
    const std::string file = (data / product.substr(0, product.find('.')) /
                              (product.substr(product.find('.') + 1) + ".csv")).string();
    RunResult publish = Weft({"publish", product, file, "--as", owner});
    ASSERT_EQ(publish.exit_code, 0) << publish;
    EXPECT_THAT(publish.out, HasSubstr("PUBLISHED " + product));
  }
  RunResult history = Weft({"history", "sales.orders"});
  ASSERT_EQ(history.exit_code, 0) << history;
  EXPECT_THAT(history.out, HasSubstr("published"));

  // Governed sharing and a derived run, as in the README's tour.
  for (const auto& [product, owner] : std::vector<std::pair<std::string, std::string>>{
           {"sales.orders", "carol@retail.example"}, {"customer.customers", "alice@retail.example"}}) {
    RunResult grant = Weft({"access", "grant", product, "--to", "svc.finance", "--purpose", "revenue report", "--as", owner});
    ASSERT_EQ(grant.exit_code, 0) << grant;
  }
  RunResult run = Weft({"run", "finance.revenue_daily", "--as", "frank@retail.example"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_THAT(run.out, HasSubstr("PUBLISHED finance.revenue_daily_v1 snapshot"));
  RunResult query = Weft({"query", "SELECT count(*) AS n FROM sales.orders", "--as", "carol@retail.example"});
  ASSERT_EQ(query.exit_code, 0) << query;
  RunResult usage = Weft({"usage", "sales.orders", "--as", "carol@retail.example"});
  ASSERT_EQ(usage.exit_code, 0) << usage;

  RunResult search = Weft({"search", "customer", "--classification", "pii"});
  ASSERT_EQ(search.exit_code, 0) << search;
  EXPECT_THAT(search.out, HasSubstr("customer.customers"));

  RunResult audit = Weft({"audit", "--object", "product:*", "-o", "json"});
  ASSERT_EQ(audit.exit_code, 0) << audit;
  EXPECT_THAT(audit.out, HasSubstr("product:sales.orders"));

  // The password is nowhere weft writes: not in the workspace's files, not in any output.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(ws_)) {
    if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, Not(HasSubstr(password_))) << entry.path();
  }
  for (const RunResult* r : {&init, &apply, &again, &history, &run, &query, &usage, &search, &audit}) {
    EXPECT_THAT(r->out + r->err, Not(HasSubstr(password_))) << *r;
  }
}

}  // namespace
}  // namespace weft::e2e
