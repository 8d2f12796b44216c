// A monitor pass over a real catalog at hand-set times: a product that stops
// publishing breaches its latency SLA, opens an incident and queues a
// notification; a new publish resolves both. None of it starts a new
// catalog generation.
#include "monitor/pass.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"
#include "common/time.h"
#include "monitor/notify.h"

namespace weft::monitor {
namespace {

using catalog::catalog_internal::SampleDomain;
using catalog::catalog_internal::SampleProduct;
using catalog::catalog_internal::ScratchDir;

constexpr int64_t kHour = 3600000;
constexpr int64_t kT0 = 1764547200000;  // 2025-12-01T00:00:00Z

class PassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto store = catalog::OpenStore(dir_.File("catalog.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Write([](catalog::Transaction& txn) {
      RETURN_IF_ERROR(txn.UpsertDomain(SampleDomain("sales")));
      RETURN_IF_ERROR(txn.UpsertProduct(SampleProduct("sales", "orders")));
      RETURN_IF_ERROR(txn.UpsertPortVersion({.product_id = "sales.orders", .port = "orders", .major = 1,
                                             .version = "1.0.0", .contract_id = "orders", .status = "active"}));
      RETURN_IF_ERROR(txn.InsertContractVersion(
          {.contract_id = "orders", .version = "1.0.0", .major = 1, .product_id = "sales.orders", .port = "orders",
           .spec_json = R"({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "orders", "version": "1.0.0",
                            "status": "active",
                            "slaProperties": [{"property": "latency", "value": 1, "unit": "h"}]})",
           .digest = "c1"}));
      return txn.InsertWebhook({.id = "wh_1", .principal = "bob", .url = "http://127.0.0.1:9/", .secret = "k"});
    });
    Publish("p1", kT0);
  }

  template <typename F>
  void Write(F f) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    ASSERT_TRUE(f(**txn).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  void Publish(const std::string& id, int64_t at) {
    Write([&](catalog::Transaction& txn) {
      RETURN_IF_ERROR(txn.InsertSnapshot({.id = "s-" + id, .product_id = "sales.orders", .major = 1,
                                          .created_at = IsoOfMillis(at), .rows = 10, .contract_version = "1.0.0",
                                          .publish_id = id}));
      return txn.InsertPublish({.id = id, .product_id = "sales.orders", .major = 1, .started_at = IsoOfMillis(at),
                                .finished_at = IsoOfMillis(at), .outcome = "published", .mode = "replace",
                                .snapshot_id = "s-" + id, .rows_in = 10, .rows_valid = 10});
    });
  }

  PassReport Pass(int64_t now) {
    auto r = RunPass(*store_, {.now_ms = now,
                               .source = "weft://test",
                               .defaults = {},
                               .recipients = [](const std::string&) { return std::set<std::string>{"bob"}; },
                               .more_findings = nullptr});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PassReport{};
  }

  ScratchDir dir_;
  std::unique_ptr<catalog::Store> store_;
};

TEST_F(PassTest, AStaleProductOpensAnIncidentAndAPublishResolvesIt) {
  const int64_t g0 = *store_->Generation();
  PassReport r = Pass(kT0 + kHour / 2);
  EXPECT_TRUE(r.opened.empty());
  EXPECT_EQ(r.sla_changes, 1);  // first recorded state: met

  r = Pass(kT0 + 3 * kHour);
  ASSERT_EQ(r.opened.size(), 1u);
  EXPECT_EQ(r.opened[0].condition, "sla:latency");
  EXPECT_EQ(r.opened[0].status, "open");
  EXPECT_EQ(r.sla_changes, 1);  // met -> breached
  auto deliveries = store_->ListDeliveries({});
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ((*deliveries)[0].event_type, "incident.opened");
  EXPECT_EQ(nlohmann::json::parse((*deliveries)[0].payload)["subject"], "sales.orders");

  // A second pass while it holds: no new incident, no new history row.
  r = Pass(kT0 + 4 * kHour);
  EXPECT_TRUE(r.opened.empty());
  EXPECT_EQ(r.updated.size(), 1u);  // the age in the figures grew
  EXPECT_EQ(r.sla_changes, 0);

  EXPECT_EQ(*store_->Generation(), g0);  // the passes wrote monitoring only
  Publish("p2", kT0 + 5 * kHour);
  const int64_t g1 = *store_->Generation();
  r = Pass(kT0 + 5 * kHour + 60000);
  ASSERT_EQ(r.resolved.size(), 1u);
  EXPECT_EQ(r.resolved[0].resolution, "cleared");
  auto incidents = store_->ListIncidents({});
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].status, "resolved");
  auto timeline = store_->ListIncidentEvents((*incidents)[0].id);
  std::vector<std::string> kinds;
  for (const auto& e : *timeline) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"opened", "updated", "resolved"}));
  deliveries = store_->ListDeliveries({});
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[0].event_type, "incident.resolved");

  auto history = store_->ListSlaChecks("sales.orders", 0);
  std::vector<std::string> states;
  for (const auto& h : *history) states.push_back(h.state);
  EXPECT_EQ(states, (std::vector<std::string>{"met", "breached", "met"}));
  EXPECT_EQ(*store_->Generation(), g1);
}

TEST_F(PassTest, AnEndOfLifeWithinThirtyDaysIsAnnouncedOnce) {
  Write([](catalog::Transaction& txn) {
    return txn.UpsertPortVersion({.product_id = "sales.orders", .port = "orders", .major = 1, .version = "1.0.0",
                                  .contract_id = "orders", .status = "deprecated", .end_of_life = "2025-12-20"});
  });
  PassReport r = Pass(kT0 + kHour / 2);
  ASSERT_EQ(r.opened.size(), 1u);
  EXPECT_EQ(r.opened[0].condition, "lifecycle:endOfLife");
  EXPECT_EQ(store_->ListDeliveries({})->at(0).event_type, "lifecycle.endOfLife");
  EXPECT_TRUE(Pass(kT0 + kHour / 2 + 1000).opened.empty());
}

}  // namespace
}  // namespace weft::monitor
