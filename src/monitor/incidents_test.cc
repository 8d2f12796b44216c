// The conditions a product's record shows at a hand-set time, and the
// reconciliation of incidents with them: open, update, clear.
#include "monitor/incidents.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace weft::monitor {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1764547200000;  // 2025-12-01T00:00:00Z (a Monday)

catalog::PublishRecord Pub(const std::string& id, int64_t at, const std::string& outcome, int64_t rows = 1000,
                           const std::string& mode = "replace") {
  return {.id = id, .started_at = IsoOfMillis(at), .finished_at = IsoOfMillis(at), .outcome = outcome, .mode = mode,
          .snapshot_id = outcome == "published" ? "s-" + id : "", .rows_in = rows, .rows_valid = rows};
}

// Daily publishes of ~1000 rows for `days` days, newest first.
ProductWatch Daily(int days) {
  ProductWatch w{.product_id = "sales.orders", .major = 1};
  for (int d = days - 1; d >= 0; --d) {
    const std::string id = "p" + std::to_string(d);
    w.publishes.push_back(Pub(id, kT0 + d * kDay, "published", 1000 + (d % 3) * 10));
    w.snapshots.push_back({.id = "s-" + id, .created_at = IsoOfMillis(kT0 + d * kDay)});
  }
  return w;
}

std::vector<std::string> Conditions(const std::vector<Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.condition);
  return out;
}

TEST(FindingsTest, AHealthyProductHasNone) {
  ProductWatch w = Daily(20);
  w.sla = {{.property = "latency", .value = 1, .unit = "d"}};
  Findings f = FindingsOf(w, kT0 + 19 * kDay + kHour);
  EXPECT_TRUE(f.findings.empty()) << testing::PrintToString(Conditions(f.findings));
  ASSERT_EQ(f.sla.size(), 1u);
  EXPECT_EQ(f.sla[0].state, SlaState::kMet);
}

TEST(FindingsTest, AStaleProductBreachesItsLatencyAndItsUsualRhythm) {
  ProductWatch w = Daily(20);
  w.sla = {{.property = "latency", .value = 1, .unit = "d"}};
  Findings f = FindingsOf(w, kT0 + 22 * kDay);
  EXPECT_EQ(Conditions(f.findings), (std::vector<std::string>{"sla:latency", "anomaly:freshness"}));
  EXPECT_EQ(f.findings[1].subject, "p19");  // the gap started with the last publish
  // The gap a person called a false positive does not fire again.
  w.excluded.insert("p19");
  EXPECT_EQ(Conditions(FindingsOf(w, kT0 + 22 * kDay).findings), std::vector<std::string>{"sla:latency"});
}

TEST(FindingsTest, RefusalsFailuresAndErrorRulesAreConditionsOfTheLatestAttempt) {
  ProductWatch w = Daily(3);
  w.publishes.insert(w.publishes.begin(), Pub("bad", kT0 + 3 * kDay, "rejected"));
  w.publishes.front().message = "refused by guard:quarantinedShare";
  EXPECT_EQ(Conditions(FindingsOf(w, kT0 + 3 * kDay).findings), std::vector<std::string>{"publish:refused"});
  // A duplicate after it changes nothing; a failed run is a run condition.
  w.publishes.insert(w.publishes.begin(), Pub("dup", kT0 + 3 * kDay + 1, "duplicate"));
  EXPECT_EQ(FindingsOf(w, kT0 + 3 * kDay).findings.at(0).subject, "bad");
  w.publishes.insert(w.publishes.begin(), Pub("run", kT0 + 3 * kDay + 2, "failed", 0, "run"));
  EXPECT_EQ(Conditions(FindingsOf(w, kT0 + 3 * kDay).findings), std::vector<std::string>{"run:failed"});
  // A good publish whose error rule quarantined rows: a warning.
  w.publishes.insert(w.publishes.begin(), Pub("ok", kT0 + 3 * kDay + 3, "published"));
  w.latest_results = {{.publish_id = "ok", .rule_id = "amount:positive", .severity = "error", .failing_rows = 4,
                       .passed = false, .row_level = true},
                      {.publish_id = "ok", .rule_id = "style", .severity = "warning", .passed = false}};
  auto f = FindingsOf(w, kT0 + 3 * kDay).findings;
  ASSERT_EQ(Conditions(f), std::vector<std::string>{"quality:errors"});
  EXPECT_EQ(f[0].severity, "warning");
  EXPECT_EQ(f[0].detail, "amount:positive (4 rows)");
}

TEST(FindingsTest, AVolumeOutlierIsAnAnomalyAndSensitivityZeroTurnsDetectionOff) {
  ProductWatch w = Daily(20);
  w.publishes.insert(w.publishes.begin(), Pub("spike", kT0 + 20 * kDay, "published", 9000));
  auto f = FindingsOf(w, kT0 + 20 * kDay + kHour).findings;
  ASSERT_EQ(Conditions(f), std::vector<std::string>{"anomaly:volume"});
  EXPECT_EQ(f[0].subject, "spike");
  w.anomaly.sensitivity = 0;
  EXPECT_TRUE(FindingsOf(w, kT0 + 20 * kDay + kHour).findings.empty());
}

TEST(ReconcileTest, OpensUpdatesAndClears) {
  const Finding stale{.kind = "sla", .condition = "sla:latency", .severity = "error", .title = "t", .detail = "2 d"};
  IncidentPlan plan = Reconcile({stale}, {});
  ASSERT_EQ(plan.open.size(), 1u);

  catalog::IncidentRecord open{.id = 1, .condition = "sla:latency", .severity = "error", .title = "t",
                               .status = "acknowledged", .detail = "2 d"};
  plan = Reconcile({stale}, {open});
  EXPECT_TRUE(plan.open.empty() && plan.update.empty() && plan.resolve.empty());
  Finding older = stale;
  older.detail = "3 d";
  plan = Reconcile({older}, {open});
  ASSERT_EQ(plan.update.size(), 1u);
  EXPECT_EQ(plan.update[0].first.id, 1);
  plan = Reconcile({}, {open});
  ASSERT_EQ(plan.resolve.size(), 1u);
}

TEST(ReconcileTest, AStateResolvedByHandReopensButAnEventStaysResolved) {
  catalog::IncidentRecord sla{.id = 1, .condition = "sla:latency", .status = "resolved"};
  catalog::IncidentRecord refused{.id = 2, .condition = "publish:refused", .subject = "p9", .status = "resolved"};
  const Finding still_stale{.condition = "sla:latency"};
  const Finding still_refused{.condition = "publish:refused", .subject = "p9"};
  IncidentPlan plan = Reconcile({still_stale, still_refused}, {sla, refused});
  ASSERT_EQ(plan.open.size(), 1u);
  EXPECT_EQ(plan.open[0].condition, "sla:latency");
  // A new refusal is a new event.
  plan = Reconcile({{.condition = "publish:refused", .subject = "p10"}}, {refused});
  EXPECT_EQ(plan.open.size(), 1u);
}

}  // namespace
}  // namespace weft::monitor
