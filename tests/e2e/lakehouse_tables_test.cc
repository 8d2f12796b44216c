// Iceberg tables through the CLI: weft publish writes them, a lost table
// metadata file is written again by `weft lakehouse repair` (once), and the
// metadata names the same snapshots as the catalog; a product whose columns
// Iceberg cannot hold publishes all the same, with a warning, locally and
// through `weft serve`, whose REST catalog says why it is no table.
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LakehouseTablesTest : public DemoDataTest {
 protected:
  // The snapshot id a `weft publish` printed ("PUBLISHED sales.orders_v1 snapshot ID (...").
  static std::string SnapshotOf(const RunResult& r) {
    const std::string key = "_v1 snapshot ";
    const size_t at = r.out.find(key);
    if (at == std::string::npos) return "";
    const size_t from = at + key.size();
    return r.out.substr(from, r.out.find(' ', from) - from);
  }
  nlohmann::json Metadata(const fs::path& table) {
    std::ifstream hint(table / "metadata/version-hint.text");
    std::string n;
    hint >> n;
    std::ifstream in(table / "metadata" / ("v" + n + ".metadata.json"));
    return nlohmann::json::parse(in, nullptr, false);
  }
};

TEST_F(LakehouseTablesTest, PublishWritesTheTableAndRepairRestoresLostMetadata) {
  RunResult first = Weft({"publish", "sales.orders", File("sales.orders")});
  ASSERT_EQ(first.exit_code, 0) << first;
  // A second snapshot that appends a few of the same rows.
  const fs::path part = tmp_ / "orders-part.csv";
  {
    std::ifstream in(File("sales.orders"));
    std::ofstream out(part);
    std::string line;
    for (int i = 0; i < 6 && std::getline(in, line); ++i) out << line << "\n";
  }
  RunResult second = Weft({"publish", "sales.orders", part.string(), "--mode", "append", "--force", "--reason", "e2e"});
  ASSERT_EQ(second.exit_code, 0) << second;
  const std::vector<std::string> ids = {SnapshotOf(first), SnapshotOf(second)};

  const fs::path table = ws_ / "domains/sales/products/orders/v1";
  auto named = [](const nlohmann::json& m) {
    std::vector<std::string> out;
    for (const auto& s : m["snapshots"]) out.push_back(s["summary"]["weft.snapshot-id"]);
    return out;
  };
  nlohmann::json m = Metadata(table);
  ASSERT_FALSE(m.is_discarded());
  EXPECT_EQ(named(m), ids);
  EXPECT_EQ(m["properties"]["weft.snapshot-id"], ids[1]);
  EXPECT_EQ(m["snapshots"][1]["summary"]["operation"], "append");

  // The table metadata is lost (the snapshots' own Iceberg files stay).
  fs::remove_all(table / "metadata");
  RunResult repair = Weft({"lakehouse", "repair"});
  ASSERT_EQ(repair.exit_code, 0) << repair;
  EXPECT_THAT(repair.out, HasSubstr("Rewrote the metadata of"));
  EXPECT_EQ(named(Metadata(table)), ids);
  RunResult again = Weft({"lakehouse", "repair"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("Rewrote the metadata of 0 table(s)"));
}

TEST(NotIcebergE2e, HugeintUbigintAndIntervalColumnsPublishWithAWarningAndTheCatalogSaysWhy) {
  TempDir tmp;
  const fs::path ws = tmp / "ws";
  ASSERT_EQ(e2e::Run({"init", ws.string(), "--as", "root"}).exit_code, 0);
  // The query fixture's tree (no policy pack) plus shop.ledger
  // (tests/fixtures/lakehouse/ledger: HUGEINT, UBIGINT and INTERVAL columns).
  WriteSettings(ws, "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n");
  CopyTree(RepoPath("tests/fixtures/query/tree"), tmp / "tree");
  fs::create_directories(tmp / "tree/domains/shop/products/ledger");
  for (const char* f : {"ledger.odcs.yaml", "product.odps.yaml"})
    fs::copy_file(RepoPath("tests/fixtures/lakehouse/ledger") / f, tmp / "tree/domains/shop/products/ledger" / f);
  auto weft = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", ws.string()});
    return e2e::Run(args);
  };
  RunResult apply = weft({"apply", "-f", (tmp / "tree").string(), "--as", "root"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const std::string csv = RepoPath("tests/fixtures/lakehouse/ledger/ledger.csv").string();

  RunResult pub = weft({"publish", "shop.ledger", csv, "--as", "sam@example.com"});
  ASSERT_EQ(pub.exit_code, 0) << pub;
  EXPECT_THAT(pub.out, HasSubstr("PUBLISHED shop.ledger_v1"));
  EXPECT_THAT(pub.out, HasSubstr("warning: shop.ledger_v1 is not offered as an Iceberg table"));
  for (const char* column : {"column 'amount' has DuckDB type HUGEINT", "column 'units' has DuckDB type UBIGINT",
                             "column 'held_for' has DuckDB type INTERVAL", "declare DECIMAL(38,0)"})
    EXPECT_THAT(pub.out, HasSubstr(column)) << pub;
  RunResult query = weft(
      {"query", "SELECT max(units) AS u, max(held_for) AS h FROM shop.ledger", "-o", "csv", "--as", "sam@example.com"});
  ASSERT_EQ(query.exit_code, 0) << query;
  EXPECT_EQ(query.out, "u,h\n18446744073709551615,1 day\n");
  for (int i = 0; i < 2; ++i) {
    RunResult repair = weft({"lakehouse", "repair", "--as", "root"});
    EXPECT_EQ(repair.exit_code, 0) << repair;
  }

  // Through weft serve: the publish report keeps its warning, and the REST
  // catalog answers loadTable with a 404 saying why.
  const std::string sam_token = LastLine(weft({"token", "create", "--for", "sam@example.com", "--as", "root"}).out);
  const int port = FreePort();
  Process server(
      {"serve", "--listen", "127.0.0.1:" + std::to_string(port), "--workspace", ws.string(), "--access-log", "off"},
      RunOptions{.timeout = std::chrono::seconds(120)});
  const Env remote = {{"WEFT_SERVER", "http://127.0.0.1:" + std::to_string(port)}, {"WEFT_TOKEN", sam_token}};
  RunResult ready;
  for (int i = 0; i < 200 && ready.exit_code != 0; ++i) {
    ready = e2e::Run({"get", "domains"}, remote);
    if (ready.exit_code != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ready.exit_code, 0) << ready << server.OutputSoFar();
  WriteFile(tmp / "more.csv", "entry_id,amount,units,held_for\nE4,1,1,1 minute\n");
  RunResult appended = e2e::Run(
      {"publish", "shop.ledger", (tmp / "more.csv").string(), "--mode", "append", "--force", "--reason", "e2e"},
      remote);
  EXPECT_EQ(appended.exit_code, 0) << appended;
  EXPECT_THAT(appended.out, HasSubstr("warning: shop.ledger_v1 is not offered as an Iceberg table")) << appended;
  httplib::Client client("127.0.0.1", port);
  auto load = client.Get("/iceberg/v1/namespaces/shop/tables/ledger", {{"Authorization", "Bearer " + sam_token}});
  ASSERT_TRUE(load);
  EXPECT_EQ(load->status, 404) << load->body;
  const nlohmann::json error = nlohmann::json::parse(load->body, nullptr, false);
  EXPECT_EQ(error["error"]["type"], "NoSuchTableException") << load->body;
  EXPECT_THAT(error["error"]["message"].get<std::string>(),
              HasSubstr("no table shop.ledger_v1: not an Iceberg table: column 'amount' has DuckDB type HUGEINT"));
  server.Signal(SIGTERM);
  server.Wait();
}

}  // namespace
}  // namespace weft::e2e
