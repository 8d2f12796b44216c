// `weft serve` as a user runs it, and the CLI talking to it
// (`weft --server URL`, $WEFT_SERVER + $WEFT_TOKEN): uploads, roles, the
// server's paths out of reach, and SIGTERM stopping it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "e2e/cli_runner.h"

namespace weft::e2e {
namespace {

TEST(ServeE2e, TheCliTalksToAServerAndSigtermStopsItCleanly) {
  TempDir tmp;
  const std::string ws = (tmp / "ws").string();
  RunResult init = e2e::Run({"init", ws, "--as", "root"});
  ASSERT_EQ(init.exit_code, 0) << init;
  std::string admin_token;
  for (size_t at = init.out.find("token"); at != std::string::npos;) {
    size_t start = init.out.find("weft_", at);
    admin_token = init.out.substr(start, init.out.find(' ', start) - start);
    break;
  }
  ASSERT_EQ(admin_token.size(), 78u) << init;
  // The query fixture is a test tree: no policy pack.
  WriteSettings(tmp / "ws", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                                  "masking: {pii: hash, restricted: redact}\n");
  ASSERT_EQ(e2e::Run({"apply", "-f", RepoPath("tests/fixtures/query/tree").string(), "--workspace", ws, "--as", "root"}).exit_code, 0);
  RunResult olga = e2e::Run({"token", "create", "--for", "olga@example.com", "--workspace", ws, "--as", "root"});
  ASSERT_EQ(olga.exit_code, 0) << olga;
  const std::string olga_token = LastLine(olga.out);

  const std::string url = "http://127.0.0.1:" + std::to_string(FreePort());
  Process server({"serve", "--listen", url.substr(7), "--workspace", ws, "--access-log", "off"}, RunOptions{.timeout = std::chrono::seconds(120)});
  auto remote = [&](const std::vector<std::string>& args, const std::string& token) {
    return e2e::Run(args, Env{{"WEFT_SERVER", url}, {"WEFT_TOKEN", token}});
  };
  RunResult ready;
  for (int i = 0; i < 200; ++i) {
    ready = remote({"get", "domains"}, admin_token);
    if (ready.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ready.exit_code, 0) << ready << server.OutputSoFar();
  EXPECT_NE(server.OutputSoFar().find("serving " + url), std::string::npos);

  // The owner publishes a local file: it is uploaded, checked and published.
  RunResult pub = remote({"publish", "crm.customers", RepoPath("tests/fixtures/query/data/customers.csv").string(), "-o", "json"}, olga_token);
  EXPECT_EQ(pub.exit_code, 0) << pub;
  EXPECT_NE(pub.out.find("\"published\""), std::string::npos) << pub;
  // A query from a file, as the owner: masks do not apply to her own product.
  WriteFile(tmp / "q.sql", "SELECT count(*) AS n FROM crm.customers");
  RunResult q = remote({"query", "-f", (tmp / "q.sql").string(), "-o", "csv"}, olga_token);
  EXPECT_EQ(q.exit_code, 0) << q;
  EXPECT_NE(q.out.find("3"), std::string::npos) << q;
  // Roles are the token's: olga owns crm, not the whole tree; the admin may apply it.
  RunResult refused = remote({"apply", "-f", RepoPath("tests/fixtures/query/tree").string()}, olga_token);
  EXPECT_EQ(refused.exit_code, 3) << refused;
  EXPECT_NE((refused.out + refused.err).find("does not own domain"), std::string::npos) << refused;
  EXPECT_EQ(remote({"plan", "-f", RepoPath("tests/fixtures/query/tree").string()}, admin_token).exit_code, 0);
  // --out writes the answer here, on the client; -o parquet needs the
  // workspace's own engine; commands on local files run locally.
  RunResult out = remote({"query", "SELECT count(*) AS n FROM crm.customers", "-o", "csv", "--out", (tmp / "n.csv").string()}, olga_token);
  EXPECT_EQ(out.exit_code, 0) << out;
  EXPECT_EQ(ReadFile(tmp / "n.csv"), "n\n3\n");
  EXPECT_EQ(remote({"query", "SELECT 1 AS x FROM crm.customers", "-o", "parquet", "--out", (tmp / "x.parquet").string()}, olga_token).exit_code, 2);
  EXPECT_EQ(remote({"gc"}, admin_token).exit_code, 2);
  RunResult as = remote({"get", "products", "--as", "root"}, olga_token);
  EXPECT_EQ(as.exit_code, 2) << as;  // the token says who acts
  // The same views as locally: the product page, history, lineage, access.
  RunResult page = remote({"describe", "product", "crm.customers", "-o", "json"}, olga_token);
  ASSERT_EQ(page.exit_code, 0) << page;
  EXPECT_NE(page.out.find("\"freshness\""), std::string::npos) << page;
  EXPECT_EQ(remote({"history", "crm.customers"}, olga_token).exit_code, 0);
  EXPECT_EQ(remote({"lineage", "crm.customers"}, olga_token).exit_code, 0);
  EXPECT_EQ(remote({"access", "list"}, olga_token).exit_code, 0);
  // The server's monitor wakes after a publish: a refused one (a replace
  // shrinking the product to nothing) opens an incident without anyone
  // running `weft monitor`.
  const std::string csv = ReadFile(RepoPath("tests/fixtures/query/data/customers.csv"));
  WriteFile(tmp / "empty.csv", csv.substr(0, csv.find('\n') + 1));
  RunResult shrink = remote({"publish", "crm.customers", (tmp / "empty.csv").string()}, olga_token);
  EXPECT_EQ(shrink.exit_code, 1) << shrink;
  RunResult incidents;
  for (int i = 0; i < 100; ++i) {
    incidents = remote({"incidents", "list", "--product", "crm.customers", "-o", "json"}, olga_token);
    if (incidents.out.find("publish:refused") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(incidents.out.find("publish:refused"), std::string::npos) << incidents << server.OutputSoFar();
  RunResult typo = remote({"describe", "product", "crm.customer"}, olga_token);
  EXPECT_EQ(typo.exit_code, 2) << typo;
  EXPECT_NE(typo.err.find("did you mean 'crm.customers'"), std::string::npos) << typo;
  // No token, a wrong one.
  EXPECT_EQ(remote({"get", "products"}, "").exit_code, 2);
  RunResult wrong = remote({"get", "products"}, "weft_00000000_" + std::string(64, '0'));
  EXPECT_EQ(wrong.exit_code, 3);  // unauthenticated
  EXPECT_NE(wrong.err.find("token"), std::string::npos) << wrong;

  server.Signal(SIGTERM);
  const RunResult& stopped = server.Wait();
  EXPECT_EQ(stopped.exit_code, 0) << stopped;
  EXPECT_NE(stopped.out.find("weft: stopped"), std::string::npos) << stopped;
}

}  // namespace
}  // namespace weft::e2e
