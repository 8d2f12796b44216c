// Events, signatures, the outbox and delivery with retries and backoff, at
// hand-set times and with a transport the test controls. The real HTTP
// client against a loopback receiver is tested in service/.
#include "monitor/notify.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"
#include "common/hashing.h"
#include "common/time.h"

namespace weft::monitor {
namespace {

using catalog::catalog_internal::ScratchDir;

constexpr int64_t kT0 = 1764547200000;  // 2025-12-01T00:00:00Z

TEST(CloudEventTest, CarriesTheRequiredAttributes) {
  Event e{.id = "ev_1", .type = "incident.opened", .product_id = "sales.orders", .time = IsoOfMillis(kT0),
          .data = {{"incident", 7}}};
  nlohmann::json ce = CloudEvent(e, "weft://retail");
  EXPECT_EQ(ce["specversion"], "1.0");
  EXPECT_EQ(ce["id"], "ev_1");
  EXPECT_EQ(ce["source"], "weft://retail");
  EXPECT_EQ(ce["type"], "dev.weft.incident.opened");
  EXPECT_EQ(ce["subject"], "sales.orders");
  EXPECT_EQ(ce["time"], "2025-12-01T00:00:00.000Z");
  EXPECT_EQ(ce["data"]["incident"], 7);
  e.product_id.clear();
  EXPECT_FALSE(CloudEvent(e, "weft://retail").contains("subject"));
}

TEST(SignatureTest, IsTheHmacOfTimestampDotBody) {
  // RFC 4231 test case 2's key and a body: recomputed independently here.
  const std::string header = SignatureHeader("Jefe", 1700000000, "{}");
  EXPECT_EQ(header, "t=1700000000,v1=" + HmacSha256Hex("Jefe", "1700000000.{}"));
  EXPECT_NE(header, SignatureHeader("Jefe", 1700000001, "{}"));  // the timestamp is signed
  EXPECT_NE(header, SignatureHeader("jefe", 1700000000, "{}"));
}

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto store = catalog::OpenStore(dir_.File("catalog.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->InsertWebhook({.id = "wh_bob", .principal = "bob", .url = "http://bob/hook", .secret = "s3"}).ok());
    ASSERT_TRUE((*txn)->InsertWebhook({.id = "wh_carol", .principal = "carol", .url = "http://carol/hook",
                                       .secret = "c", .events = {"incident.resolved"}}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  void Queue(const std::string& id, const std::string& type) {
    auto hooks = store_->ListWebhooks();
    ASSERT_TRUE(hooks.ok());
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    Event e{.id = id, .type = type, .product_id = "sales.orders", .time = IsoOfMillis(kT0), .data = {}};
    ASSERT_TRUE(Enqueue(**txn, *hooks, {"bob", "carol"}, e, "weft://t").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  ScratchDir dir_;
  std::unique_ptr<catalog::Store> store_;
};

TEST_F(DeliveryTest, AWebhookTakesOnlyTheTypesItAskedFor) {
  Queue("e1", "incident.opened");
  auto all = store_->ListDeliveries({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);  // carol takes incident.resolved only
  EXPECT_EQ((*all)[0].webhook_id, "wh_bob");
  Queue("e2", "incident.resolved");
  EXPECT_EQ(store_->ListDeliveries({})->size(), 3u);
}

TEST_F(DeliveryTest, AFailingReceiverIsRetriedWithBackoffUntilItRecovers) {
  Queue("e1", "incident.opened");
  int calls = 0;
  std::map<std::string, std::string> seen_headers;
  std::string seen_body;
  auto flaky = [&](const std::string& url, const std::map<std::string, std::string>& headers,
                   const std::string& body) -> HttpReply {
    EXPECT_EQ(url, "http://bob/hook");
    seen_headers = headers;
    seen_body = body;
    return ++calls <= 2 ? HttpReply{.status = 503, .error = ""} : HttpReply{.status = 204, .error = ""};
  };
  const DeliverySettings s{.max_attempts = 5, .base_backoff_ms = 1000, .max_backoff_ms = 60000, .batch = 100};
  auto r = DeliverDue(*store_, flaky, kT0, s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->retrying, 1);
  auto d = store_->ListDeliveries({});
  EXPECT_EQ((*d)[0].last_error, "the receiver answered HTTP 503");
  EXPECT_EQ((*d)[0].next_attempt_at, IsoOfMillis(kT0 + 1000));
  // Not due yet: nothing is sent.
  r = DeliverDue(*store_, flaky, kT0 + 999, s);
  EXPECT_EQ(calls, 1);
  r = DeliverDue(*store_, flaky, kT0 + 1000, s);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store_->ListDeliveries({})->at(0).next_attempt_at, IsoOfMillis(kT0 + 1000 + 2000));  // doubled
  r = DeliverDue(*store_, flaky, kT0 + 3000, s);
  EXPECT_EQ(r->delivered, 1);
  d = store_->ListDeliveries({});
  EXPECT_EQ((*d)[0].status, "delivered");
  EXPECT_EQ((*d)[0].attempts, 3);
  EXPECT_EQ((*d)[0].last_http_status, 204);
  // What was sent is signed with bob's secret at the time of sending.
  EXPECT_EQ(seen_headers["Weft-Signature"], SignatureHeader("s3", (kT0 + 3000) / 1000, seen_body));
  EXPECT_EQ(seen_headers["Content-Type"], "application/cloudevents+json");
  EXPECT_EQ(nlohmann::json::parse(seen_body)["id"], "e1");
  // Delivered is delivered: nothing more is sent.
  r = DeliverDue(*store_, flaky, kT0 + 100000, s);
  EXPECT_EQ(calls, 3);
}

TEST_F(DeliveryTest, AReceiverThatNeverAnswersIsGivenUpOnAndLogged) {
  Queue("e1", "incident.opened");
  auto down = [](const std::string&, const std::map<std::string, std::string>&, const std::string&) {
    return HttpReply{.status = 0, .error = "connection refused"};
  };
  const DeliverySettings s{.max_attempts = 3, .base_backoff_ms = 10, .max_backoff_ms = 15, .batch = 100};
  int64_t now = kT0;
  for (int i = 0; i < 5; ++i, now += 1000) ASSERT_TRUE(DeliverDue(*store_, down, now, s).ok());
  auto d = store_->ListDeliveries({});
  EXPECT_EQ((*d)[0].status, "failed");
  EXPECT_EQ((*d)[0].attempts, 3);
  EXPECT_EQ((*d)[0].last_error, "connection refused");
}

}  // namespace
}  // namespace weft::monitor
