// A product fed from an operational PostgreSQL database (its descriptor's
// weft.source): `weft secret set`, then `weft publish D.P --from-source`
// reads the rows through the same contract checks, quarantine, archive and
// snapshot as a file. The "/postgres" run only: the source is a database of
// the test cluster (postgres_catalogs.h).
#include <libpq-fe.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "e2e/e2e_util.h"
#include "e2e/postgres_catalogs.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class PostgresSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPostgres()) GTEST_SKIP() << "the PostgreSQL run only (WEFT_TEST_POSTGRES)";
    password_ = PostgresPassword();
    const std::string url = NewPostgresCatalog();  // an empty database: the application's
    source_url_ = "postgres://weft:" + password_ + "@" + url.substr(std::string("postgres://weft@").size());
    // The application's table: text columns, so a bad date reaches the checks.
    ASSERT_EQ(Sql("CREATE TABLE app_customers (id text, mail text, name text, card text, born text, region text);"
                  "INSERT INTO app_customers VALUES "
                  "('C1', 'ada@example.com', 'Ada', '4111111111111111', '1815-12-10', 'EU'),"
                  "('C2', 'bob@example.com', 'Bob', '5500000000000004', '1980-05-17', 'US'),"
                  "('C3', 'cy@example.com', 'Cy', '340000000000009', '1990-07-01', NULL),"
                  "('C4', 'di@example.com', 'Di', '340000000000009', 'not-a-date', 'EU')"),
              "");
    ws_ = tmp_ / "ws";
    ASSERT_EQ(e2e::Run({"init", ws_.string(), "--as", "root"}).exit_code, 0);
    WriteSettings(ws_, "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                       "masking: {pii: hash, restricted: redact}\n");
    tree_ = tmp_ / "tree";
    CopyTree(RepoPath("tests/fixtures/query/tree"), tree_);
    std::ofstream(tree_ / "domains/crm/products/customers/product.odps.yaml", std::ios::app)
        << "customProperties:\n"
           "  - property: weft.maxQuarantinedShare\n"  // half the rows below break the contract
           "    value: 0.6\n"
           "  - property: weft.source\n"
           "    value:\n"
           "      postgres: secret:crm-db\n"
           "      query: >-\n"
           "        SELECT id AS customer_id, mail AS email, name AS full_name, card, born AS birth_date, region\n"
           "        FROM app_customers ORDER BY id;\n";
    RunResult apply = Weft({"apply", "-f", tree_.string(), "--as", "root"});
    ASSERT_EQ(apply.exit_code, 0) << apply;
  }

  RunResult Weft(std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", ws_.string()});
    return e2e::Run(args);
  }
  // `weft secret set NAME` with `value` on standard input, as a user pipes it.
  int SetSecret(const std::string& name, const std::string& value) {
    ::setenv("WEFT_TEST_SECRET", value.c_str(), 1);
    const std::string command = "printf '%s' \"$WEFT_TEST_SECRET\" | '" + WeftBinary() + "' secret set " + name +
                                " --workspace '" + ws_.string() + "' > /dev/null";
    const int status = std::system(command.c_str());
    ::unsetenv("WEFT_TEST_SECRET");
    return WEXITSTATUS(status);
  }
  // Runs `sql` on the source database; the error, or "".
  std::string Sql(const std::string& sql) {
    PGconn* conn = PQconnectdb(source_url_.c_str());
    std::string error = PQstatus(conn) == CONNECTION_OK ? "" : PQerrorMessage(conn);
    if (error.empty()) {
      PGresult* r = PQexec(conn, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
      PQclear(r);
    }
    PQfinish(conn);
    return error;
  }
  void ExpectNoPassword(const RunResult& r) { EXPECT_THAT(r.out + r.err, Not(HasSubstr(password_))) << r; }

  TempDir tmp_;
  fs::path ws_, tree_;
  std::string password_, source_url_;
};

TEST_F(PostgresSourceTest, PublishFromSourceChecksQuarantinesAndArchivesLikeAFile) {
  // No secret yet: a clear refusal naming the command that sets it.
  RunResult missing = Weft({"publish", "crm.customers", "--from-source", "--as", "olga@example.com"});
  EXPECT_EQ(missing.exit_code, 2) << missing;
  EXPECT_THAT(missing.err, HasSubstr("weft secret set crm-db"));

  ASSERT_EQ(SetSecret("crm-db", source_url_), 0);
  RunResult listed = Weft({"secret", "list"});
  EXPECT_EQ(listed.out, "crm-db\n") << listed;
  RunResult pub = Weft({"publish", "crm.customers", "--from-source", "-o", "json", "--as", "olga@example.com"});
  ASSERT_EQ(pub.exit_code, 0) << pub;
  nlohmann::json report = ParseJson(pub);
  EXPECT_EQ(report["outcome"], "published");
  EXPECT_EQ(report["rowsIn"], 4);
  EXPECT_EQ(report["rowsValid"], 2);
  EXPECT_EQ(report["rowsQuarantined"], 2);
  // The failing rows, with their reasons, as for a file.
  RunResult quarantine = Weft({"quarantine", "show", "crm.customers", "-o", "json", "--as", "olga@example.com"});
  ASSERT_EQ(quarantine.exit_code, 0) << quarantine;
  EXPECT_THAT(quarantine.out, HasSubstr("C3"));
  EXPECT_THAT(quarantine.out, HasSubstr("region"));
  EXPECT_THAT(quarantine.out, HasSubstr("C4"));
  EXPECT_THAT(quarantine.out, HasSubstr("birth_date"));
  RunResult count = Weft({"query", "SELECT string_agg(customer_id, ' ' ORDER BY customer_id) AS ids FROM crm.customers",
                          "-o", "csv", "--as", "olga@example.com"});
  EXPECT_EQ(count.out, "ids\nC1 C2\n") << count;
  // The rows read are archived, as an uploaded file is; no temporary file is left.
  ASSERT_TRUE(report.contains("archive")) << report;
  const std::string archive = report["archive"].get<std::string>();
  EXPECT_TRUE(fs::exists(archive)) << archive;
  for (const auto& e : fs::directory_iterator(ws_ / "tmp")) ADD_FAILURE() << "left behind: " << e.path();
  // The same rows again: a duplicate, nothing published.
  RunResult again = Weft({"publish", "crm.customers", "--from-source", "-o", "json", "--as", "olga@example.com"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(ParseJson(again)["outcome"], "duplicate");
  // The password is in no output and no file weft wrote outside the secret.
  for (const RunResult* r : {&pub, &quarantine, &again}) ExpectNoPassword(*r);
  for (const auto& entry : fs::recursive_directory_iterator(ws_)) {
    if (!entry.is_regular_file() || entry.path().parent_path().filename() == "secrets") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, Not(HasSubstr(password_))) << entry.path();
  }
}

TEST_F(PostgresSourceTest, BadSourcesAreClearErrorsThatChangeNothing) {
  // The wrong password: the source named, never the password.
  ASSERT_EQ(SetSecret("crm-db", "postgres://weft:wrong-" + password_ + "@" +
                                    source_url_.substr(source_url_.find('@') + 1)),
            0);
  RunResult denied = Weft({"publish", "crm.customers", "--from-source", "--as", "olga@example.com"});
  EXPECT_EQ(denied.exit_code, 1) << denied;
  EXPECT_THAT(denied.err, HasSubstr("cannot connect to the PostgreSQL source of crm.customers postgres://weft@"));
  ExpectNoPassword(denied);
  // A query the source refuses (the table is gone): the product's, with PostgreSQL's words.
  ASSERT_EQ(SetSecret("crm-db", source_url_), 0);
  ASSERT_EQ(Sql("ALTER TABLE app_customers RENAME TO customers_old"), "");
  RunResult refused = Weft({"publish", "crm.customers", "--from-source", "--as", "olga@example.com"});
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_THAT(refused.err, HasSubstr("reading the source of crm.customers (secret crm-db) failed"));
  EXPECT_THAT(refused.err, HasSubstr("app_customers"));
  ASSERT_EQ(Sql("ALTER TABLE customers_old RENAME TO app_customers"), "");
  // Files and --from-source together, and a product without a source.
  EXPECT_EQ(Weft({"publish", "crm.customers", "x.csv", "--from-source", "--as", "olga@example.com"}).exit_code, 2);
  RunResult none = Weft({"publish", "shop.orders", "--from-source", "--as", "root"});
  EXPECT_EQ(none.exit_code, 2) << none;
  EXPECT_THAT(none.err, HasSubstr("declares no source"));
  RunResult history = Weft({"history", "crm.customers", "-o", "json"});
  EXPECT_EQ(history.exit_code, 0) << history;
  EXPECT_THAT(history.out, Not(HasSubstr("\"published\""))) << "nothing was published";
  // Another domain's secret: refused, whatever the descriptor says.
  ASSERT_TRUE(ReplaceOnce(tree_ / "domains/crm/products/customers/product.odps.yaml", "secret:crm-db", "secret:shop-db"));
  ASSERT_EQ(Weft({"apply", "-f", tree_.string(), "--as", "root"}).exit_code, 0);
  ASSERT_EQ(SetSecret("shop-db", source_url_), 0);
  RunResult foreign = Weft({"publish", "crm.customers", "--from-source", "--as", "olga@example.com"});
  EXPECT_EQ(foreign.exit_code, 3) << foreign;
  EXPECT_THAT(foreign.err, HasSubstr("may use only secrets named crm"));
  ASSERT_TRUE(ReplaceOnce(tree_ / "domains/crm/products/customers/product.odps.yaml", "secret:shop-db", "secret:crm-db"));
  ASSERT_EQ(Weft({"apply", "-f", tree_.string(), "--as", "root"}).exit_code, 0);
  // A secret others may read is refused until chmod 600.
  fs::permissions(ws_ / "secrets/crm-db", fs::perms::others_read, fs::perm_options::add);
  RunResult open = Weft({"publish", "crm.customers", "--from-source", "--as", "olga@example.com"});
  EXPECT_EQ(open.exit_code, 1) << open;
  EXPECT_THAT(open.err, HasSubstr("chmod 600"));
}

}  // namespace
}  // namespace weft::e2e
