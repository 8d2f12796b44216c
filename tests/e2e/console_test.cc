// The SQL console's server side and `weft query` for people, as users meet
// them: the schema browser lists only what the caller may read, CSV and
// Parquet downloads go through the same governed path as the NDJSON stream
// (masks and row filters hold in both, attacked by consumers), the
// marketplace and the quality tab agree on a product's quality, and a
// table on a terminal stops at 1,000 rows and says how to get the rest.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <thread>

#include "e2e/cli_runner.h"
#include "engine/connection.h"

namespace weft::e2e {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
  json Json() const { return json::parse(body, nullptr, false); }
};

class ConsoleE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = (tmp_ / "ws").string();
    ASSERT_EQ(Weft({"init", ws_}, "root").exit_code, 0);
    WriteSettings(tmp_ / "ws", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                                     "masking: {pii: hash, restricted: redact}\n");
    ASSERT_EQ(Weft({"apply", "-f", RepoPath("tests/fixtures/query/tree").string()}, "root").exit_code, 0);
    ASSERT_EQ(Weft({"principal", "add", "rita", "--attr", "region=EU"}, "root").exit_code, 0);
    for (const char* p : {"bob", "eve", "nick"}) ASSERT_EQ(Weft({"principal", "add", p}, "root").exit_code, 0);
    for (const char* p : {"olga@example.com", "bob", "rita", "eve", "nick"}) {
      RunResult t = Weft({"token", "create", "--for", p}, "root");
      ASSERT_EQ(t.exit_code, 0) << t;
      tokens_[p] = LastLine(t.out);
    }
    // bob reads every column with the contract's masks; rita every column
    // in clear but only the EU rows; eve only customer_id; nick nothing.
    ASSERT_EQ(Weft({"access", "grant", "crm.customers", "--to", "bob", "--purpose", "reports"}, "olga@example.com").exit_code, 0);
    RunResult rita = Weft({"access", "grant", "crm.customers", "--to", "rita", "--purpose", "EU reports", "--clearance", "pii",
                           "--clearance", "restricted", "--row-filter", "region = 'EU'"},
                          "olga@example.com");
    ASSERT_EQ(rita.exit_code, 0) << rita;
    RunResult eve = Weft({"access", "grant", "crm.customers", "--to", "eve", "--purpose", "counts", "--columns", "customer_id"},
                         "olga@example.com");
    ASSERT_EQ(eve.exit_code, 0) << eve;
    RunResult pub = Weft({"publish", "crm.customers", RepoPath("tests/fixtures/query/data/customers.csv").string()}, "olga@example.com");
    ASSERT_EQ(pub.exit_code, 0) << pub;

    url_ = "127.0.0.1:" + std::to_string(FreePort());
    server_ = std::make_unique<Process>(std::vector<std::string>{"serve", "--listen", url_, "--workspace", ws_, "--access-log", "off"},
                                        RunOptions{.timeout = std::chrono::seconds(300)});
    for (int i = 0; i < 200 && Get("olga@example.com", "/api/v1/domains").status != 200; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(Get("olga@example.com", "/api/v1/domains").status, 200) << server_->OutputSoFar();
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
    return {res->status, res->body, res->get_header_value("Content-Type")};
  }

  Answer Query(const std::string& who, const std::string& sql, const std::string& format) {
    httplib::Client client("http://" + url_);
    auto res = client.Post("/api/v1/query?format=" + format, httplib::Headers{{"Authorization", "Bearer " + tokens_[who]}},
                           json{{"sql", sql}}.dump(), "application/json");
    if (!res) return {};
    return {res->status, res->body, res->get_header_value("Content-Type")};
  }

  // The relation `address` of a /query/schema answer, or null.
  static json Relation(const json& schema, const std::string& address) {
    for (const auto& r : schema["relations"])
      if (r["address"] == address) return r;
    return nullptr;
  }

  TempDir tmp_;
  std::string ws_, url_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Process> server_;
};

// The raw personal data of the fixture, which bob's masks must hide.
const std::vector<std::string> kRawPii = {"ada@example.com", "Ada Lovelace", "4111111111111111", "1815-12-10"};

TEST_F(ConsoleE2e, TheSchemaBrowserListsOnlyWhatTheCallerMayRead) {
  const auto columns = [](const json& relation) {
    std::map<std::string, std::string> out;
    for (const auto& c : relation["columns"]) out[c["name"]] = c["mask"];
    return out;
  };
  Answer owner = Get("olga@example.com", "/api/v1/query/schema");
  ASSERT_EQ(owner.status, 200) << owner.body;
  json customers = Relation(owner.Json(), "crm.customers_v1");
  ASSERT_TRUE(customers.is_object()) << owner.body;
  EXPECT_EQ(customers["newest"], true);
  EXPECT_EQ(customers["columns"].size(), 6u);
  EXPECT_EQ(customers["columns"][0]["type"], "VARCHAR");

  json bob = Relation(Get("bob", "/api/v1/query/schema").Json(), "crm.customers_v1");
  ASSERT_TRUE(bob.is_object());
  EXPECT_EQ(columns(bob)["email"], "hash");
  EXPECT_EQ(columns(bob)["customer_id"], "clear");
  EXPECT_EQ(bob["rowFilter"], false);

  json rita = Relation(Get("rita", "/api/v1/query/schema").Json(), "crm.customers_v1");
  ASSERT_TRUE(rita.is_object());
  EXPECT_EQ(columns(rita)["email"], "clear");
  EXPECT_EQ(rita["rowFilter"], true);

  // Attack: eve holds a grant on customer_id alone; the browser must not
  // name the other columns, nor their types.
  Answer eve = Get("eve", "/api/v1/query/schema");
  ASSERT_EQ(eve.status, 200) << eve.body;
  json eves = Relation(eve.Json(), "crm.customers_v1");
  ASSERT_TRUE(eves.is_object()) << eve.body;
  EXPECT_EQ(columns(eves), (std::map<std::string, std::string>{{"customer_id", "clear"}}));
  for (const char* hidden : {"email", "full_name", "card", "birth_date"})
    EXPECT_EQ(eve.body.find(hidden), std::string::npos) << hidden << " leaked to eve: " << eve.body;

  // nick has no grant: crm.customers is not listed at all.
  Answer nick = Get("nick", "/api/v1/query/schema");
  ASSERT_EQ(nick.status, 200) << nick.body;
  EXPECT_TRUE(Relation(nick.Json(), "crm.customers_v1").is_null()) << nick.body;
  EXPECT_EQ(nick.body.find("full_name"), std::string::npos);
  // No token, no schema.
  tokens_["anonymous"] = "";
  EXPECT_EQ(Get("anonymous", "/api/v1/query/schema").status, 401);
}

TEST_F(ConsoleE2e, CsvAndParquetDownloadsKeepMasksAndRowFilters) {
  const std::string sql = "SELECT customer_id, email, full_name, card, birth_date, region FROM crm.customers ORDER BY customer_id";
  Answer owner = Query("olga@example.com", sql, "csv");
  ASSERT_EQ(owner.status, 200) << owner.body;
  EXPECT_EQ(owner.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(owner.body.substr(0, owner.body.find('\n')), "customer_id,email,full_name,card,birth_date,region");
  EXPECT_NE(owner.body.find("C1,ada@example.com,Ada Lovelace,4111111111111111,1815-12-10,EU\n"), std::string::npos) << owner.body;

  // bob: masked in CSV.
  Answer bob = Query("bob", sql, "csv");
  ASSERT_EQ(bob.status, 200) << bob.body;
  EXPECT_EQ(std::count(bob.body.begin(), bob.body.end(), '\n'), 4) << bob.body;
  for (const auto& raw : kRawPii) EXPECT_EQ(bob.body.find(raw), std::string::npos) << raw << " in " << bob.body;
  // rita: the row filter holds in CSV.
  Answer rita = Query("rita", sql, "csv");
  ASSERT_EQ(rita.status, 200) << rita.body;
  EXPECT_NE(rita.body.find("C1,"), std::string::npos);
  EXPECT_EQ(rita.body.find("C2,"), std::string::npos) << "a US row reached rita: " << rita.body;
  // Refusals are problems, not files.
  Answer nick = Query("nick", sql, "csv");
  EXPECT_EQ(nick.status, 403) << nick.body;
  EXPECT_EQ(nick.content_type, "application/problem+json");
  // eve may read customer_id only: the other columns do not bind for her.
  Answer eve = Query("eve", sql, "csv");
  EXPECT_EQ(eve.status, 400) << eve.body;
  EXPECT_EQ(eve.body.find("ada@example.com"), std::string::npos);
  EXPECT_EQ(Query("eve", sql, "parquet").status, 400);
  EXPECT_EQ(Query("bob", sql, "xlsx").status, 400);

  // Parquet: the same rules, read back with DuckDB as any consumer would.
  const auto read_back = [&](const std::string& who) {
    Answer a = Query(who, sql, "parquet");
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.content_type, "application/vnd.apache.parquet");
    EXPECT_EQ(a.body.substr(0, 4), "PAR1");
    EXPECT_EQ(a.body.substr(a.body.size() - 4), "PAR1");
    WriteFile(tmp_ / (who + ".parquet"), a.body);
    auto db = engine::Database::Open({});
    EXPECT_TRUE(db.ok());
    auto conn = engine::Connection::Open(*db);
    auto result = conn->Query("SELECT * FROM read_parquet('" + (tmp_ / (who + ".parquet")).string() + "') ORDER BY customer_id");
    EXPECT_TRUE(result.ok()) << result.status().message();
    return *result->FetchAllAsStrings();
  };
  auto owner_rows = read_back("olga@example.com");
  ASSERT_EQ(owner_rows.size(), 3u);
  EXPECT_EQ(owner_rows[0][1], "ada@example.com");
  auto bob_rows = read_back("bob");
  ASSERT_EQ(bob_rows.size(), 3u);
  for (const auto& row : bob_rows)
    for (const auto& cell : row)
      for (const auto& raw : kRawPii) EXPECT_NE(cell.value_or(""), raw) << "bob's Parquet holds raw " << raw;
  auto rita_rows = read_back("rita");
  ASSERT_EQ(rita_rows.size(), 2u) << "rita reads the EU rows only";
  EXPECT_EQ(rita_rows[0][0], "C1");
  EXPECT_EQ(rita_rows[1][0], "C3");
  EXPECT_EQ(Query("nick", sql, "parquet").status, 403);
  // Every download is metered as a query of its reader.
  RunResult usage = Weft({"usage", "crm.customers", "-o", "json"}, "olga@example.com");
  ASSERT_EQ(usage.exit_code, 0) << usage;
  bool bob_counted = false;
  const json readers = json::parse(usage.out)["readers"];
  for (const auto& r : readers) bob_counted |= r["reader"] == "bob" && r["queries"].get<int>() >= 2;
  EXPECT_TRUE(bob_counted) << usage.out;
}

TEST_F(ConsoleE2e, TheMarketplaceAndTheQualityTabAgreeAndCardsSayWhatTheProductIs) {
  // One row without a customer_id fails an error-severity rule and goes to
  // quarantine: the product is failing there and on its quality tab.
  WriteFile(tmp_ / "customers.csv", ReadFile(RepoPath("tests/fixtures/query/data/customers.csv")) +
                                        ",zed@example.com,Zed Null,4000000000000002,2000-01-01,US\n");
  RunResult pub = Weft({"publish", "crm.customers", (tmp_ / "customers.csv").string(), "--force", "--reason", "test data"},
                       "olga@example.com");
  ASSERT_EQ(pub.exit_code, 0) << pub;
  for (const std::string q : {"", "customer"}) {
    Answer search = Get("bob", "/api/v1/search?q=" + q);
    ASSERT_EQ(search.status, 200) << search.body;
    json hit, body = search.Json();
    for (const auto& h : body["hits"])
      if (h["product"] == "crm.customers") hit = h;
    ASSERT_TRUE(hit.is_object()) << search.body;
    EXPECT_EQ(hit["quality"], "failing") << "q=" << q;
    EXPECT_FALSE(hit["description"].get<std::string>().empty());
    EXPECT_EQ(hit["owners"], json::array({"olga@example.com"}));
    EXPECT_TRUE(hit["lastSnapshot"].is_string());
    EXPECT_TRUE(hit.contains("tier"));
  }
  json publishes = Get("olga@example.com", "/api/v1/products/crm.customers/history?view=publishes").Json()["publishes"];
  ASSERT_FALSE(publishes.empty());
  Answer quality = Get("olga@example.com", "/api/v1/products/crm.customers/history?view=quality&publish=" +
                                               publishes[0]["id"].get<std::string>());
  ASSERT_EQ(quality.status, 200) << quality.body;
  EXPECT_EQ(quality.Json()["state"], "failing");
  EXPECT_EQ(Get("bob", "/api/v1/products/crm.customers").Json()["quality"], "failing");
}

// `weft query` under a pseudo-terminal (script(1)), as a person runs it.
std::string OnTerminal(const std::string& command) {
  std::string out;
  FILE* p = popen(("script -qec '" + command + "' /dev/null").c_str(), "r");
  if (!p) return out;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_F(ConsoleE2e, ATableOnATerminalShowsTheFirstThousandRowsAndSaysHowToGetAll) {
  // 3^7 = 2,187 rows.
  std::string sql = "SELECT a.customer_id FROM crm.customers a";
  for (char t = 'b'; t <= 'g'; ++t) sql += std::string(" CROSS JOIN crm.customers ") + t;
  const std::string weft = WeftBinary() + " query \"" + sql + "\" --workspace " + ws_ + " --as olga@example.com";
  std::string shown = OnTerminal(weft);
  EXPECT_NE(shown.find("(1,000 of 2,187 rows shown; 1,187 left out. Every row: add --all, or -o csv, or --out FILE)"), std::string::npos)
      << shown.substr(shown.size() > 400 ? shown.size() - 400 : 0);
  const auto rows = [](const std::string& text) {  // lines that start with a customer id
    size_t n = 0;
    for (size_t at = text.find("\nC"); at != std::string::npos; at = text.find("\nC", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(rows(shown), 1000u);
  std::string all = OnTerminal(weft + " --all");
  EXPECT_NE(all.find("(2187 rows)"), std::string::npos) << all.substr(all.size() > 400 ? all.size() - 400 : 0);
  EXPECT_EQ(rows(all), 2187u);
  // A pipe gets every row, as a program reads it.
  RunResult piped = Weft({"query", sql}, "olga@example.com");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find("(2187 rows)"), std::string::npos);
  RunResult csv = Weft({"query", sql, "-o", "csv"}, "olga@example.com");
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2188);
}

}  // namespace
}  // namespace weft::e2e
