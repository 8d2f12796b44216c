// The MCP endpoint against a real server on loopback, over the query
// fixture's workspace (query/testing.h): the transport's edge cases (no or
// a revoked token, a foreign Origin, no or another principal's session,
// bad JSON-RPC), and each tool as bob, who reads crm.customers masked and
// only his region's rows, and as eve, who reads nothing of it.
// tests/mcp/run drives the same endpoint with the MCP SDK's own client.
#include "server/mcp.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "access/tokens.h"
#include "common/strings.h"
#include "common/time.h"
#include "query/testing.h"
#include "server/server.h"

namespace weft::server {
namespace {

using nlohmann::json;

class McpTest : public query::testing::QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    if (HasFatalFailure()) return;
    // bob: crm.customers with its PII masked, only his region's rows.
    Grant({.grantee = "bob", .row_filter = "region = $principal.region"});
    // Tokens are an admin's to make for others.
    {
      ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
      ASSERT_OK(txn->UpsertPrincipal({.name = "ada", .kind = "user"}));
      ASSERT_OK(txn->ReplaceMemberships("principal:ada", {{.group = "platform:admins", .principal = "ada", .role = "admin",
                                                            .source = "principal:ada"}}));
      ASSERT_OK(txn->Commit());
    }
    ASSERT_OK_AND_ASSIGN(access::Principal ada, access::LoadPrincipal(*store_, "ada"));
    for (const char* who : {"bob", "eve", "olga@example.com"}) {
      ASSERT_OK_AND_ASSIGN(access::IssuedToken t, access::IssueToken(*store_, ada, who, "", "mcp test", NowIso()));
      tokens_[who] = t.text;
    }
    ASSERT_OK_AND_ASSIGN(access::IssuedToken revoked, access::IssueToken(*store_, ada, "bob", "", "mcp test", NowIso()));
    ASSERT_OK(access::RevokeToken(*store_, ada, revoked.record.id, NowIso()));
    tokens_["revoked"] = revoked.text;

    server_ = std::make_unique<Server>(ServerOptions{.host = "127.0.0.1", .port = 0, .workspace = root_ / "ws",
                                                     .threads = 8, .rate_per_minute = 1e9, .rate_burst = 1e9,
                                                     .monitor_interval_seconds = 0});
    ASSERT_OK_AND_ASSIGN(port_, server_->Bind());
    serving_ = std::thread([this] { served_ = server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);
    for (int i = 0; i < 200 && !(client_->Get("/readyz") && client_->Get("/readyz")->status == 200); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
      serving_.join();
      EXPECT_OK(served_);
    }
    QueryFixture::TearDown();
  }

  // A POST to /mcp as `who` (a name in tokens_, or "" for no token).
  httplib::Result Post(const std::string& who, const json& body, httplib::Headers headers = {}) {
    if (!who.empty()) headers.emplace("Authorization", "Bearer " + tokens_.at(who));
    if (!headers.count("Accept")) headers.emplace("Accept", "application/json, text/event-stream");
    return client_->Post("/mcp", headers, body.dump(), "application/json");
  }

  // initialize as `who`; the session id.
  std::string Open(const std::string& who, const std::string& revision = "2025-06-18") {
    auto r = Post(who, {{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                        {"params", {{"protocolVersion", revision}, {"capabilities", json::object()},
                                    {"clientInfo", {{"name", "mcp_test"}, {"version", "1"}}}}}});
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    return r ? r->get_header_value("Mcp-Session-Id") : "";
  }

  // One request in a session; the JSON-RPC response.
  json Rpc(const std::string& who, const std::string& session, const std::string& method, json params = json::object()) {
    auto r = Post(who, {{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}},
                  {{"Mcp-Session-Id", session}});
    EXPECT_TRUE(r && r->status == 200) << method << ": " << (r ? r->body : "no response");
    if (!r) return json();
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return json::parse(r->body, nullptr, false);
  }

  json Tool(const std::string& who, const std::string& name, json args) {
    return Rpc(who, Open(who), "tools/call", {{"name", name}, {"arguments", std::move(args)}});
  }

  static void ExpectNoRawPii(const std::string& text) {
    for (const auto& raw : RawPii()) EXPECT_EQ(text.find(raw), std::string::npos) << "'" << raw << "' leaked: " << text;
  }

  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Server> server_;
  std::thread serving_;
  Status served_;
  int port_ = 0;
  int id_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(McpTest, InitializeNegotiatesTheRevisionAndIssuesASession) {
  for (const auto& [asked, given] : std::vector<std::pair<std::string, std::string>>{
           {"2025-03-26", "2025-03-26"}, {"2025-06-18", "2025-06-18"}, {"2025-11-25", "2025-11-25"}, {"2024-11-05", "2025-11-25"}}) {
    auto r = Post("bob", {{"jsonrpc", "2.0"}, {"id", "init"}, {"method", "initialize"},
                          {"params", {{"protocolVersion", asked}, {"capabilities", json::object()}}}});
    ASSERT_TRUE(r && r->status == 200) << asked;
    json reply = json::parse(r->body);
    EXPECT_EQ(reply["id"], "init");
    EXPECT_EQ(reply["result"]["protocolVersion"], given) << asked;
    EXPECT_EQ(reply["result"]["serverInfo"]["name"], "weft");
    EXPECT_TRUE(reply["result"]["capabilities"].contains("tools"));
    EXPECT_TRUE(reply["result"]["capabilities"].contains("resources"));
    EXPECT_FALSE(reply["result"]["instructions"].get<std::string>().empty());
    EXPECT_EQ(r->get_header_value("Mcp-Session-Id").size(), 32u);
  }
  auto missing = Post("bob", {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(json::parse(missing->body)["error"]["code"], -32602);
  EXPECT_FALSE(missing->has_header("Mcp-Session-Id"));
  auto notification = Post("bob", {{"jsonrpc", "2.0"}, {"method", "initialize"}, {"params", {{"protocolVersion", "2025-06-18"}}}});
  ASSERT_TRUE(notification);
  EXPECT_EQ(notification->status, 400);
  EXPECT_FALSE(notification->has_header("Mcp-Session-Id"));
}

TEST_F(McpTest, TheTransportRefusesWhatTheSpecRefuses) {
  const json ping = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}};
  const std::string session = Open("bob");
  // No token, a revoked one: 401 with the scheme to use.
  for (const char* who : {"", "revoked"}) {
    auto r = Post(who, ping, {{"Mcp-Session-Id", session}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << who;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer realm=\"weft\"");
  }
  // A browser page elsewhere (DNS rebinding) is refused, even with a token.
  for (const std::string& origin : std::vector<std::string>{"http://evil.example", "http://evil.example:" + std::to_string(port_), "null"}) {
    auto r = Post("bob", ping, {{"Mcp-Session-Id", session}, {"Origin", origin}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << origin;
  }
  auto own = Post("bob", ping, {{"Mcp-Session-Id", session}, {"Origin", "http://127.0.0.1:" + std::to_string(port_)}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  // No session, an unknown one, another principal's.
  EXPECT_EQ(Post("bob", ping)->status, 400);
  EXPECT_EQ(Post("bob", ping, {{"Mcp-Session-Id", std::string(32, 'a')}})->status, 404);
  EXPECT_EQ(Post("eve", ping, {{"Mcp-Session-Id", session}})->status, 404);
  // A revision header that is not the session's.
  EXPECT_EQ(Post("bob", ping, {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-03-26"}})->status, 400);
  EXPECT_EQ(Post("bob", ping, {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-06-18"}})->status, 200);
  // Not JSON; not JSON-RPC; an unknown method; a notification.
  auto bad = client_->Post("/mcp", {{"Authorization", "Bearer " + tokens_["bob"]}, {"Mcp-Session-Id", session}}, "{nope", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["code"], -32700);
  auto old = Post("bob", {{"jsonrpc", "1.0"}, {"id", 2}, {"method", "ping"}}, {{"Mcp-Session-Id", session}});
  EXPECT_EQ(old->status, 400);
  EXPECT_EQ(json::parse(old->body)["error"]["code"], -32600);
  EXPECT_EQ(Rpc("bob", session, "sampling/createMessage")["error"]["code"], -32601);
  EXPECT_EQ(Rpc("bob", session, "tools/call", {{"name", "drop_everything"}})["error"]["code"], -32602);
  EXPECT_EQ(Post("bob", {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, {{"Mcp-Session-Id", session}})->status, 202);
  // Batches: 2025-03-26 only.
  EXPECT_EQ(Post("bob", json::array({ping}), {{"Mcp-Session-Id", session}})->status, 400);
  const std::string old_session = Open("bob", "2025-03-26");
  auto batch = Post("bob", json::array({ping, {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}}), {{"Mcp-Session-Id", old_session}});
  ASSERT_TRUE(batch);
  EXPECT_EQ(json::parse(batch->body).size(), 2u);
  // The wrong media types; no server-initiated stream.
  EXPECT_EQ(client_->Post("/mcp", {{"Authorization", "Bearer " + tokens_["bob"]}, {"Mcp-Session-Id", session}}, ping.dump(), "text/plain")->status, 415);
  EXPECT_EQ(Post("bob", ping, {{"Mcp-Session-Id", session}, {"Accept", "text/html"}})->status, 406);
  auto get = client_->Get("/mcp", {{"Authorization", "Bearer " + tokens_["bob"]}, {"Accept", "text/event-stream"}});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  // A session ends: then it is gone.
  httplib::Headers end = {{"Authorization", "Bearer " + tokens_["bob"]}, {"Mcp-Session-Id", session}};
  EXPECT_EQ(client_->Delete("/mcp", end)->status, 204);
  EXPECT_EQ(Post("bob", ping, {{"Mcp-Session-Id", session}})->status, 404);
}

TEST_F(McpTest, ToolsAreListedWithSchemasForTheirRevision) {
  json now = Rpc("bob", Open("bob"), "tools/list")["result"]["tools"];
  std::set<std::string> names;
  for (const auto& t : now) {
    names.insert(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object") << t["name"];
    EXPECT_EQ(t["outputSchema"]["type"], "object") << t["name"];
    EXPECT_TRUE(t["annotations"].contains("readOnlyHint")) << t["name"];
  }
  EXPECT_EQ(names, (std::set<std::string>{"search_products", "describe_product", "request_access", "query", "explain_policy"}));
  // Named: a range-for over a member of a temporary reads freed memory (ASan).
  const auto listed = Rpc("bob", Open("bob", "2025-03-26"), "tools/list");
  for (const auto& t : listed["result"]["tools"])
    EXPECT_FALSE(t.contains("outputSchema")) << t["name"];
}

TEST_F(McpTest, AGovernedQueryGivesMaskedFilteredRowsAndARefusalLeaksNothing) {
  json r = Tool("bob", "query", {{"sql", "SELECT customer_id, email, region FROM crm.customers ORDER BY customer_id"}});
  ExpectNoRawPii(r.dump());
  json out = r["result"];
  ASSERT_FALSE(out["isError"].get<bool>()) << r.dump();
  EXPECT_EQ(out["structuredContent"]["columns"], json::array({"customer_id", "email", "region"}));
  ASSERT_EQ(out["structuredContent"]["rows"].size(), 2u) << "only bob's region, EU";
  for (const auto& row : out["structuredContent"]["rows"]) EXPECT_EQ(row[2], "EU");
  EXPECT_FALSE(out["structuredContent"]["truncated"].get<bool>());
  EXPECT_NE(out["content"][0]["text"].get<std::string>().find("| customer_id | email | region |"), std::string::npos);

  json one = Tool("bob", "query", {{"sql", "SELECT customer_id FROM crm.customers"}, {"max_rows", 1}})["result"];
  EXPECT_EQ(one["structuredContent"]["rows"].size(), 1u);
  EXPECT_EQ(one["structuredContent"]["rowCount"], 2);
  EXPECT_TRUE(one["structuredContent"]["truncated"].get<bool>());
  EXPECT_EQ(Tool("bob", "query", {{"sql", "SELECT 1"}, {"max_rows", 5000}})["result"]["isError"], true);

  json refused = Tool("eve", "query", {{"sql", "SELECT email FROM crm.customers"}});
  ExpectNoRawPii(refused.dump());
  ASSERT_TRUE(refused["result"]["isError"].get<bool>()) << refused.dump();
  const std::string why = refused["result"]["content"][0]["text"];
  EXPECT_NE(why.find("forbidden"), std::string::npos) << why;
  EXPECT_FALSE(refused["result"].contains("structuredContent"));
  // Not SQL the gateway runs: refused, not run.
  json copy = Tool("bob", "query", {{"sql", "COPY (SELECT 1) TO '/tmp/x.csv'"}});
  EXPECT_TRUE(copy["result"]["isError"].get<bool>()) << copy.dump();
}

TEST_F(McpTest, DescribeAndExplainShowTheCallersViewOnly) {
  json bob = Tool("bob", "describe_product", {{"product", "crm.customers"}})["result"];
  ASSERT_FALSE(bob["isError"].get<bool>()) << bob.dump();
  ExpectNoRawPii(bob.dump());
  EXPECT_EQ(bob["structuredContent"]["viewer"]["state"], "access");
  EXPECT_EQ(bob["structuredContent"]["viewer"]["rowFilter"], true);
  EXPECT_NE(bob["structuredContent"]["viewer"]["columns"]["email"], "clear");
  EXPECT_NE(bob["content"][0]["text"].get<std::string>().find("## Schema of crm.customers_v1"), std::string::npos);

  json eve = Tool("eve", "describe_product", {{"product", "crm.customers"}})["result"];
  EXPECT_EQ(eve["structuredContent"]["viewer"]["canRead"], false);
  EXPECT_NE(eve["content"][0]["text"].get<std::string>().find("request_access"), std::string::npos);
  EXPECT_TRUE(Tool("eve", "describe_product", {{"product", "crm.nothing"}})["result"]["isError"].get<bool>());

  json why = Tool("bob", "explain_policy", {{"product", "crm.customers"}})["result"];
  ASSERT_FALSE(why["isError"].get<bool>()) << why.dump();
  EXPECT_TRUE(why["structuredContent"]["canRead"].get<bool>());
  EXPECT_TRUE(why["structuredContent"]["rowFilter"].get<bool>());
  bool email_masked = false;
  for (const auto& c : why["structuredContent"]["columns"])
    if (c["name"] == "email") email_masked = c["access"] != "clear" && !c["why"].get<std::string>().empty();
  EXPECT_TRUE(email_masked) << why.dump();
  // Another principal's view: the product's owners may ask, eve may not.
  json spying = Tool("eve", "explain_policy", {{"product", "crm.customers"}, {"principal", "bob"}})["result"];
  EXPECT_TRUE(spying["isError"].get<bool>());
  EXPECT_EQ(spying["content"][0]["text"].get<std::string>().find("region"), std::string::npos) << spying.dump();
  json owner = Tool("olga@example.com", "explain_policy", {{"product", "crm.customers"}, {"principal", "bob"}})["result"];
  ASSERT_FALSE(owner["isError"].get<bool>()) << owner.dump();
  EXPECT_EQ(owner["structuredContent"]["principal"], "bob");
  EXPECT_EQ(owner["structuredContent"]["state"], "access");
}

TEST_F(McpTest, SearchRequestAccessAndResources) {
  json found = Tool("eve", "search_products", {{"query", "customers"}})["result"];
  ASSERT_FALSE(found["isError"].get<bool>()) << found.dump();
  EXPECT_EQ(found["structuredContent"]["products"][0]["id"], "crm.customers");
  EXPECT_TRUE(Tool("eve", "search_products", {{"limit", "ten"}})["result"]["isError"].get<bool>());
  EXPECT_TRUE(Tool("eve", "search_products", {{"colour", "red"}})["result"]["isError"].get<bool>());

  json asked = Tool("eve", "request_access", {{"product", "crm.customers"}, {"purpose", "churn model"}})["result"];
  ASSERT_FALSE(asked["isError"].get<bool>()) << asked.dump();
  EXPECT_GT(asked["structuredContent"]["id"].get<int64_t>(), 0);
  EXPECT_EQ(asked["structuredContent"]["status"], "pending");
  EXPECT_TRUE(Tool("eve", "request_access", {{"product", "crm.customers"}})["result"]["isError"].get<bool>()) << "no purpose";

  const std::string session = Open("eve");
  json listed = Rpc("eve", session, "resources/list")["result"]["resources"];
  std::set<std::string> uris;
  for (const auto& r : listed) uris.insert(r["uri"]);
  EXPECT_TRUE(uris.count("weft://products/crm.customers") && uris.count("weft://products/shop.orders")) << listed.dump();
  EXPECT_EQ(Rpc("eve", session, "resources/templates/list")["result"]["resourceTemplates"][0]["uriTemplate"],
            "weft://products/{product}");
  json doc = Rpc("eve", session, "resources/read", {{"uri", "weft://products/crm.customers"}})["result"]["contents"][0];
  EXPECT_EQ(doc["mimeType"], "text/markdown");
  EXPECT_EQ(doc["text"].get<std::string>().rfind("# crm.customers", 0), 0u);
  ExpectNoRawPii(doc.dump());
  EXPECT_EQ(Rpc("eve", session, "resources/read", {{"uri", "weft://products/crm.nothing"}})["error"]["code"], -32002);
  EXPECT_EQ(Rpc("eve", session, "resources/read", {{"uri", "file:///etc/passwd"}})["error"]["code"], -32002);
}

TEST_F(McpTest, EveryToolCallIsAuditedUnderTheTokensPrincipal) {
  Tool("bob", "query", {{"sql", "SELECT email FROM crm.customers"}});
  Tool("eve", "query", {{"sql", "SELECT email FROM crm.customers"}});
  Tool("eve", "describe_product", {{"product", "shop.orders"}});
  ASSERT_OK_AND_ASSIGN(auto events, store_->ListAudit({.object = "", .since = "", .after_id = 0, .limit = 1000}));
  std::vector<std::string> seen;
  for (const auto& e : events)
    if (StartsWith(e.action, "mcp.")) seen.push_back(e.actor + " " + e.action + " " + e.object + " " + e.detail);
  auto has = [&](const std::string& needle) {
    return std::any_of(seen.begin(), seen.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("bob mcp.tools/call product:crm.customers query: sql sha256")) << testing::PrintToString(seen);
  EXPECT_TRUE(has("eve mcp.tools/call mcp:query query:")) << testing::PrintToString(seen);
  EXPECT_TRUE(has("refused: forbidden")) << testing::PrintToString(seen);
  EXPECT_TRUE(has("eve mcp.tools/call product:shop.orders describe_product")) << testing::PrintToString(seen);
  EXPECT_TRUE(has("bob mcp.initialize mcp:session client \"mcp_test\"")) << testing::PrintToString(seen);
  for (const auto& s : seen) {
    ExpectNoRawPii(s);
    EXPECT_EQ(s.find(tokens_["bob"]), std::string::npos) << "a token's text in the audit trail";
  }
}

}  // namespace
}  // namespace weft::server
