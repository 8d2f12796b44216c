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

// `weft catalog migrate`: a workspace that grew on SQLite moves to
// PostgreSQL with everything it holds, and goes on as before.
TEST_F(PostgresCatalogTest, CatalogMigrateMovesASqliteWorkspaceWithEverythingItHolds) {
  ASSERT_EQ(e2e::Run({"init", ws_.string(), "--catalog", "catalog.db", "--as", "root"}).exit_code, 0);
  ASSERT_EQ(Weft({"apply", "-f", RepoPath("examples/mesh").string(), "--as", "root"}).exit_code, 0);
  const std::filesystem::path data = tmp_ / "data";
  ASSERT_EQ(e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data.string(), "--threads", "2"}).exit_code, 0);
  ASSERT_EQ(Weft({"publish", "sales.orders", (data / "sales/orders.csv").string(), "--as", "carol@retail.example"}).exit_code, 0);
  ASSERT_EQ(Weft({"access", "grant", "sales.orders", "--to", "svc.finance", "--purpose", "revenue", "--as",
                  "carol@retail.example"}).exit_code, 0);
  ASSERT_EQ(Weft({"query", "SELECT count(*) AS n FROM sales.orders", "--as", "svc.finance"}).exit_code, 0);
  RunResult token = Weft({"token", "create", "--for", "svc.finance", "--as", "root"});
  ASSERT_EQ(token.exit_code, 0) << token;
  // What the workspace shows before, as JSON, to compare after.
  const std::vector<std::vector<std::string>> views = {
      {"get", "products", "-o", "json"},
      {"history", "sales.orders", "-o", "json"},
      {"access", "list", "-o", "json", "--as", "carol@retail.example"},
      {"usage", "sales.orders", "-o", "json", "--as", "carol@retail.example"},
      {"audit", "-o", "json", "--as", "root"},
      {"token", "list", "-o", "json", "--as", "root"},
      {"query", "SELECT count(*) AS n, sum(amount) AS total FROM sales.orders", "-o", "csv", "--as", "svc.finance"}};
  std::vector<std::string> before;
  for (const auto& v : views) {
    RunResult r = Weft(v);
    ASSERT_EQ(r.exit_code, 0) << r;
    before.push_back(r.out);
  }

  // A URL with a password, and a database that holds a catalog already: refused, nothing changed.
  const std::string with_password = "postgres://weft:" + password_ + "@" + url_.substr(std::string("postgres://weft@").size());
  RunResult refused = Weft({"catalog", "migrate", "--to", with_password});
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_THAT(refused.err + refused.out, Not(HasSubstr(password_)));
  const std::string taken = NewPostgresCatalog();
  TempDir other;
  ASSERT_EQ(e2e::Run({"init", (other / "ws").string(), "--catalog", taken}).exit_code, 0);
  RunResult full = Weft({"catalog", "migrate", "--to", taken});
  EXPECT_EQ(full.exit_code, 1) << full;
  EXPECT_THAT(full.err, HasSubstr("is not empty"));
  EXPECT_THAT(ReadFile(ws_ / "weft.yaml"), HasSubstr("catalog: \"catalog.db\""));

  RunResult migrate = Weft({"catalog", "migrate", "--to", url_});
  ASSERT_EQ(migrate.exit_code, 0) << migrate;
  EXPECT_THAT(migrate.out, HasSubstr("Copied the catalog"));
  EXPECT_THAT(ReadFile(ws_ / "weft.yaml"), HasSubstr("catalog: \"" + url_ + "\""));
  for (size_t i = 0; i < views.size(); ++i) {
    RunResult r = Weft(views[i]);
    ASSERT_EQ(r.exit_code, 0) << r;
    // The audit and usage grow by the views' own reads; everything else is equal.
    if (views[i][0] == "audit" || views[i][0] == "usage") continue;
    EXPECT_EQ(r.out, before[i]) << views[i][0] << " " << views[i][1];
  }
  // Search ranks differently on each store (BM25, ts_rank); it finds the same.
  RunResult search = Weft({"search", "orders"});
  ASSERT_EQ(search.exit_code, 0) << search;
  EXPECT_THAT(search.out, HasSubstr("sales.orders"));
  // It goes on: a new grant gets the id after the copied ones.
  RunResult grant = Weft({"access", "grant", "sales.orders", "--to", "frank@retail.example", "--purpose", "after",
                          "--as", "carol@retail.example"});
  ASSERT_EQ(grant.exit_code, 0) << grant;
  EXPECT_THAT(grant.out, HasSubstr("Grant 2:"));
  EXPECT_EQ(Weft({"check"}).exit_code, 0);
  // Again into the same database: it holds the catalog now.
  EXPECT_EQ(Weft({"catalog", "migrate", "--to", url_}).exit_code, 2);
}

}  // namespace
}  // namespace weft::e2e
