// Monitoring through the CLI on the demo mesh, with a real HTTP receiver on
// loopback: the issue's "done" — a product with a 1-hour freshness SLA stops
// publishing, the clock moves on, an incident opens and a signed CloudEvent
// reaches the receiver (which fails once and recovers); publishing again
// resolves it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "common/time.h"
#include "e2e/e2e_util.h"
#include "e2e/receiver.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What a receiver does with the header: recompute the HMAC over "t.body".
bool SignatureValid(const std::string& header, const std::string& secret, const std::string& body) {
  const auto comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  return header.substr(comma + 4) == HmacSha256Hex(secret, t + "." + body);
}

class MonitorTest : public DemoDataTest {
 protected:
  RunResult PublishStockLevels() {
    return Weft({"publish", "inventory.stock_levels", File("inventory.stock_levels"), "--as",
                 kOwner});
  }

  static constexpr const char* kOwner = "heidi@retail.example";
};

TEST_F(MonitorTest, AStaleProductOpensAnIncidentDeliversASignedWebhookAndAPublishResolvesIt) {
  Receiver receiver(/*fail_first=*/1);
  RunResult hook = Weft({"webhooks", "add", receiver.Url(), "--as", kOwner});
  ASSERT_EQ(hook.exit_code, 0) << hook;
  const std::string secret = hook.out.substr(hook.out.rfind("whsec_"), 6 + 48);
  ASSERT_EQ(secret.size(), 54u) << hook;

  ASSERT_EQ(PublishStockLevels().exit_code, 0);
  const int64_t published = SystemClock().NowMillis();
  RunResult fresh = Weft({"sla", "status", "inventory.stock_levels", "-o", "json"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh;
  EXPECT_EQ(ParseJson(fresh)["products"][0]["sla"][0]["state"], "met") << fresh;

  // Two hours later nothing has been published: the 1-hour latency SLA is
  // breached. (The demo data's planted violations open a quality incident too.)
  const std::string later = IsoOfMillis(published + 2 * 3600 * 1000);
  RunResult pass = Weft({"monitor", "--once", "--now", later});
  ASSERT_EQ(pass.exit_code, 0) << pass;
  EXPECT_THAT(pass.out, HasSubstr("inventory.stock_levels: latency SLA breached")) << pass;
  EXPECT_THAT(pass.out, HasSubstr("1 to retry")) << pass;  // the receiver failed the first attempt

  // The retry is due 30 s later; the receiver has recovered.
  RunResult retry = Weft({"monitor", "--once", "--now", IsoOfMillis(published + 2 * 3600 * 1000 + 60 * 1000)});
  ASSERT_EQ(retry.exit_code, 0) << retry;
  EXPECT_THAT(retry.out, HasSubstr("1 delivered, 0 to retry")) << retry;
  auto find = [&](const std::string& type) -> std::optional<Receiver::Hit> {
    for (const auto& h : receiver.Hits()) {
      nlohmann::json e = nlohmann::json::parse(h.body);
      if (e["type"] == type && e["data"]["condition"] == "sla:latency") return h;
    }
    return std::nullopt;
  };
  std::optional<Receiver::Hit> opened = find("dev.weft.incident.opened");
  ASSERT_TRUE(opened.has_value()) << retry;
  EXPECT_TRUE(SignatureValid(opened->signature, secret, opened->body)) << opened->signature;
  EXPECT_FALSE(SignatureValid(opened->signature, secret + "x", opened->body));
  nlohmann::json event = nlohmann::json::parse(opened->body);
  EXPECT_EQ(event["specversion"], "1.0");
  EXPECT_EQ(event["subject"], "inventory.stock_levels");
  EXPECT_EQ(event["id"], opened->event_id);
  // Each event reached the receiver once, the failed one on its retry.
  EXPECT_EQ(receiver.Calls(), static_cast<int>(receiver.Hits().size()) + 1);

  RunResult open = Weft({"incidents", "list", "--product", "inventory.stock_levels", "--status", "open", "-o", "json"});
  ASSERT_EQ(open.exit_code, 0) << open;
  std::string id;
  for (const auto& i : ParseJson(open))
    if (i["condition"] == "sla:latency") id = std::to_string(i["id"].get<int64_t>());
  ASSERT_FALSE(id.empty()) << open;
  // A consumer may read incidents but not handle them; the owner may.
  RunResult denied = Weft({"incidents", "ack", id, "--as", "bob@retail.example"});
  EXPECT_EQ(denied.exit_code, 3) << denied;
  RunResult ack = Weft({"incidents", "ack", id, "--note", "looking", "--as", kOwner});
  ASSERT_EQ(ack.exit_code, 0) << ack;
  EXPECT_THAT(ack.out, HasSubstr("is acknowledged"));

  // Publishing again clears the condition: the next pass resolves it.
  ASSERT_EQ(PublishStockLevels().exit_code, 0);
  RunResult cleared = Weft({"monitor", "--once"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared;
  EXPECT_THAT(cleared.out, HasSubstr("resolved #" + id + " inventory.stock_levels")) << cleared;
  std::optional<Receiver::Hit> resolved = find("dev.weft.incident.resolved");
  ASSERT_TRUE(resolved.has_value()) << cleared;
  EXPECT_TRUE(SignatureValid(resolved->signature, secret, resolved->body));

  RunResult shown = Weft({"incidents", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("resolved (cleared)"));
  EXPECT_THAT(shown.out, HasSubstr("acknowledged"));
  // The product page carries the live SLA state and the freshness of the newest snapshot.
  RunResult page = Weft({"describe", "product", "inventory.stock_levels", "-o", "json"});
  ASSERT_EQ(page.exit_code, 0) << page;
  EXPECT_EQ(ParseJson(page)["sla"][0]["state"], "met") << page;
  // Named: a range-for over a member of a temporary reads freed memory (ASan).
  const auto page_json = ParseJson(page);
  for (const auto& i : page_json["incidents"]) EXPECT_NE(i["condition"], "sla:latency") << page;
  RunResult sla = Weft({"sla", "status", "inventory.stock_levels"});
  EXPECT_THAT(sla.out, HasSubstr("breached")) << sla;  // the history of changes
}

TEST_F(MonitorTest, WebhooksAreTheirOwnersAndTestReportsWhatTheReceiverSaid) {
  Receiver receiver(/*fail_first=*/0);
  EXPECT_EQ(Weft({"webhooks", "add", "ftp://example.com/x"}).exit_code, 2);
  RunResult typo = Weft({"webhooks", "add", receiver.Url(), "--events", "incident.opend"});
  EXPECT_EQ(typo.exit_code, 2) << typo;
  EXPECT_THAT(typo.err, HasSubstr("did you mean incident.opened"));
  RunResult hook = Weft({"webhooks", "add", receiver.Url(), "--events", "incident.opened", "--as", kOwner});
  ASSERT_EQ(hook.exit_code, 0) << hook;
  const std::string id = hook.out.substr(hook.out.find("wh_"), 3 + 16);
  RunResult test = Weft({"webhooks", "test", id, "--as", kOwner});
  ASSERT_EQ(test.exit_code, 0) << test;
  EXPECT_THAT(test.out, HasSubstr("HTTP 204"));
  ASSERT_EQ(receiver.Hits().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(receiver.Hits()[0].body)["type"], "dev.weft.webhook.test");
  // Another principal neither sees nor tests it.
  EXPECT_EQ(Weft({"webhooks", "test", id, "--as", "bob@retail.example"}).exit_code, 2);
  RunResult theirs = Weft({"webhooks", "list", "-o", "json", "--as", "bob@retail.example"});
  EXPECT_TRUE(ParseJson(theirs).empty()) << theirs;
  // The secret is never listed.
  RunResult mine = Weft({"webhooks", "list", "-o", "json", "--as", kOwner});
  EXPECT_EQ(mine.out.find("whsec_"), std::string::npos) << mine;
  // A receiver that is gone: the test says so and exits non-zero.
  RunResult gone_hook = Weft({"webhooks", "add", "http://127.0.0.1:1/nothing", "--as", kOwner});
  const std::string gone = gone_hook.out.substr(gone_hook.out.find("wh_"), 3 + 16);
  RunResult refused = Weft({"webhooks", "test", gone, "--as", kOwner});
  EXPECT_NE(refused.exit_code, 0) << refused;
  EXPECT_THAT(refused.err, HasSubstr("not delivered"));
}

TEST_F(MonitorTest, SubscribingNeedsAnExistingProductAndTheMonitorNeedsAnAdmin) {
  EXPECT_EQ(Weft({"subscribe", "sales.oders", "--as", "bob@retail.example"}).exit_code, 2);
  RunResult sub = Weft({"subscribe", "sales.orders", "--as", "bob@retail.example"});
  ASSERT_EQ(sub.exit_code, 0) << sub;
  RunResult list = Weft({"subscribe", "--list", "--as", "bob@retail.example"});
  EXPECT_THAT(list.out, HasSubstr("sales.orders"));
  EXPECT_EQ(Weft({"subscribe", "sales.orders", "--off", "--as", "bob@retail.example"}).exit_code, 0);
  EXPECT_EQ(Weft({"monitor", "--once", "--as", "bob@retail.example"}).exit_code, 3);
  EXPECT_EQ(Weft({"monitor"}).exit_code, 2);  // --once is required outside weft serve
}

// Every publish sends its OpenLineage START and COMPLETE (FAIL when refused)
// to the file weft.yaml names; a refused publish also reaches webhooks.
TEST_F(MonitorTest, PublishesEmitOpenLineageEventsAndARefusalIsAnnounced) {
  {
    std::ofstream yaml(ws_ / "weft.yaml", std::ios::app);
    yaml << "lineage:\n  openlineage:\n    file: lineage.ndjson\n";
  }
  Receiver receiver(/*fail_first=*/0);
  ASSERT_EQ(Weft({"webhooks", "add", receiver.Url(), "--events", "publish.refused", "--as", kOwner}).exit_code, 0);
  RunResult good = Weft({"publish", "inventory.warehouses", File("inventory.warehouses"), "--as", kOwner});
  ASSERT_EQ(good.exit_code, 0) << good;
  const std::filesystem::path bad = tmp_ / "warehouses_bad.csv";
  std::string text = "warehouse_id,name,city,country,capacity_units,opened_date\n";
  for (int i = 0; i < 9; ++i) text += "WH-BAD" + std::to_string(i) + ",Bad,Berlin,DE,lots,2026-01-01\n";
  WriteFile(bad, text);
  RunResult refused = Weft({"publish", "inventory.warehouses", bad.string(), "--as", kOwner});
  ASSERT_EQ(refused.exit_code, 1) << refused;

  std::vector<std::string> types;
  std::ifstream lines(ws_ / "lineage.ndjson");
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json e = nlohmann::json::parse(line);
    EXPECT_EQ(e["job"]["name"], "inventory.warehouses.publish") << line;
    types.push_back(e["eventType"]);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"START", "COMPLETE", "START", "FAIL"}));

  RunResult pass = Weft({"monitor", "--once"});  // delivers what is queued
  ASSERT_EQ(pass.exit_code, 0) << pass;
  bool announced = false;
  for (const auto& h : receiver.Hits())
    announced = announced || nlohmann::json::parse(h.body)["type"] == "dev.weft.publish.refused";
  EXPECT_TRUE(announced) << pass;
}

TEST_F(MonitorTest, AccessRequestsAndDecisionsReachTheOwnersWebhooks) {
  Receiver receiver(/*fail_first=*/0);
  ASSERT_EQ(Weft({"webhooks", "add", receiver.Url(), "--events", "access.requested,access.decided", "--as", kOwner})
                .exit_code,
            0);
  RunResult asked = Weft({"access", "request", "inventory.warehouses", "--purpose", "capacity report", "--as",
                          "bob@retail.example"});
  ASSERT_EQ(asked.exit_code, 0) << asked;
  RunResult approved = Weft({"access", "approve", "1", "--as", kOwner});
  ASSERT_EQ(approved.exit_code, 0) << approved;
  ASSERT_EQ(Weft({"monitor", "--once"}).exit_code, 0);
  std::vector<std::string> types;
  for (const auto& h : receiver.Hits()) {
    nlohmann::json e = nlohmann::json::parse(h.body);
    types.push_back(e["type"]);
    EXPECT_EQ(e["data"]["principal"], "bob@retail.example");
  }
  EXPECT_EQ(types, (std::vector<std::string>{"dev.weft.access.requested", "dev.weft.access.decided"}));
}

// A derived product with weft.schedule and weft.runOnUpstream runs from the
// monitor: first on its schedule, then when an input commits, then on time;
// a pass after the scheduler was "down" reports the missed run.
TEST_F(MonitorTest, ScheduledRunsFireOnTimeOnUpstreamPublishesAndMissedOnesAreIncidents) {
  const std::filesystem::path product = tree_ / "domains/finance/products/revenue_daily/product.odps.yaml";
  ASSERT_TRUE(ReplaceOnce(product, "  - property: weft.tier\n",
                          "  - property: weft.schedule\n    value: every 1h\n"
                          "  - property: weft.runOnUpstream\n    value: true\n"
                          "  - property: weft.tier\n"));
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  for (const auto& [p, owner] : std::vector<std::pair<std::string, std::string>>{
           {"sales.orders", "carol@retail.example"}, {"customer.customers", "alice@retail.example"}}) {
    ASSERT_EQ(Weft({"access", "grant", p, "--to", "svc.finance", "--purpose", "revenue", "--as", owner}).exit_code, 0);
    RunResult pub = Weft({"publish", p, File(p), "--as", owner});
    ASSERT_EQ(pub.exit_code, 0) << pub;
  }
  RunResult first = Weft({"monitor", "--once"});
  ASSERT_EQ(first.exit_code, 0) << first;
  EXPECT_THAT(first.out, HasSubstr("ran      finance.revenue_daily (schedule every 1h (first run)): published"));
  RunResult idle = Weft({"monitor", "--once"});
  EXPECT_THAT(idle.out, Not(HasSubstr("ran "))) << idle;

  RunResult again = Weft({"publish", "sales.orders", File("sales.orders"), "--mode", "append",
                          "--as", "carol@retail.example"});
  ASSERT_TRUE(again.exit_code == 0 || again.exit_code == 1) << again;  // a duplicate append may be refused
  const int64_t now = SystemClock().NowMillis();
  RunResult on_time = Weft({"monitor", "--once", "--now", IsoOfMillis(now + 3600 * 1000 + 1000)});
  EXPECT_THAT(on_time.out, HasSubstr("ran      finance.revenue_daily (")) << on_time;

  // Three hours with no scheduler: the run due an hour after the last one is missed.
  RunResult late = Weft({"monitor", "--once", "--now", IsoOfMillis(now + 4 * 3600 * 1000)});
  ASSERT_EQ(late.exit_code, 0) << late;
  EXPECT_THAT(late.out, HasSubstr("finance.revenue_daily: scheduled run missed")) << late;
  EXPECT_THAT(late.out, HasSubstr("ran      finance.revenue_daily (schedule every 1h)")) << late;
  RunResult incidents = Weft({"incidents", "list", "--product", "finance.revenue_daily", "-o", "json"});
  bool missed = false;
  for (const auto& i : ParseJson(incidents)) missed = missed || i["condition"] == "schedule:missed";
  EXPECT_TRUE(missed) << incidents;
  // (A run recorded since clears it: SchedulesTest. Here the runs are stamped
  // with the real clock, the passes with a later one.)
}

// A consuming domain that crosses its soft limit and then its budget hears
// of each once a month, through its owners' webhooks.
TEST_F(MonitorTest, CrossingABudgetThresholdIsAnnouncedOncePerMonth) {
  const std::filesystem::path domain = tree_ / "domains/finance/domain.yaml";
  ASSERT_TRUE(ReplaceOnce(domain, "monthlyBudget: 2000\n", "monthlyBudget: 0.000000000001\n"));
  ASSERT_EQ(Apply(tree_, ws_).exit_code, 0);
  Receiver receiver(/*fail_first=*/0);
  ASSERT_EQ(Weft({"webhooks", "add", receiver.Url(), "--events", "budget.threshold", "--as", "frank@retail.example"})
                .exit_code,
            0);
  RunResult pub = Weft({"publish", "sales.orders", File("sales.orders"), "--as", "carol@retail.example"});
  ASSERT_EQ(pub.exit_code, 0) << pub;
  ASSERT_EQ(Weft({"access", "grant", "sales.orders", "--to", "grace@retail.example", "--purpose", "report", "--as",
                  "carol@retail.example"})
                .exit_code,
            0);
  RunResult q = Weft({"query", "SELECT * FROM sales.orders", "--as", "grace@retail.example"});
  ASSERT_EQ(q.exit_code, 0) << q;
  ASSERT_EQ(Weft({"monitor", "--once"}).exit_code, 0);
  ASSERT_EQ(Weft({"monitor", "--once"}).exit_code, 0);  // already announced: nothing new
  std::vector<double> percents;
  for (const auto& h : receiver.Hits()) {
    nlohmann::json e = nlohmann::json::parse(h.body);
    EXPECT_EQ(e["type"], "dev.weft.budget.threshold");
    EXPECT_EQ(e["data"]["domain"], "finance");
    percents.push_back(e["data"]["percent"].get<double>());
  }
  std::sort(percents.begin(), percents.end());
  EXPECT_EQ(percents, (std::vector<double>{90, 100}));
}

}  // namespace
}  // namespace weft::e2e
