// Every SLA kind judged at hand-set times: met, breached, and met again.
#include "monitor/sla.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace weft::monitor {
namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kT0 = 1764547200000;  // 2025-12-01T00:00:00Z

spec::SlaProperty Sla(const std::string& property, spec::Json value, const std::string& unit = "") {
  spec::SlaProperty s;
  s.property = property;
  s.value = std::move(value);
  s.unit = unit;
  return s;
}

catalog::PublishRecord Pub(int64_t at, const std::string& outcome, const std::string& snapshot = "", int64_t in = 100,
                           int64_t quarantined = 0) {
  return {.id = "p" + std::to_string(at), .finished_at = IsoOfMillis(at), .outcome = outcome, .mode = "replace",
          .snapshot_id = snapshot, .rows_in = in, .rows_valid = in - quarantined, .rows_quarantined = quarantined};
}

catalog::SnapshotRecord Snap(const std::string& id, int64_t at) { return {.id = id, .created_at = IsoOfMillis(at)}; }

SlaResult One(const spec::SlaProperty& sla, std::vector<catalog::SnapshotRecord> snaps,
              std::vector<catalog::PublishRecord> pubs, int64_t now) {
  auto r = EvaluateSla({.sla = {sla}, .snapshots = std::move(snaps), .publishes = std::move(pubs), .now_ms = now});
  return r.at(0);
}

TEST(SlaTest, LatencyIsBreachedWhenTheCurrentSnapshotAgesPastItAndMetAfterAPublish) {
  auto sla = Sla("latency", 1, "h");
  EXPECT_EQ(One(sla, {}, {}, kT0).state, SlaState::kUnknown);  // never published
  std::vector<catalog::SnapshotRecord> snaps = {Snap("s1", kT0)};
  EXPECT_EQ(One(sla, snaps, {}, kT0 + kHour / 2).state, SlaState::kMet);
  SlaResult late = One(sla, snaps, {}, kT0 + 3 * kHour);
  EXPECT_EQ(late.state, SlaState::kBreached);
  EXPECT_DOUBLE_EQ(*late.actual, 3 * 3600);
  EXPECT_DOUBLE_EQ(*late.target, 3600);
  snaps.insert(snaps.begin(), Snap("s2", kT0 + 3 * kHour));
  EXPECT_EQ(One(sla, snaps, {}, kT0 + 3 * kHour + 1000).state, SlaState::kMet);  // newest first counts
}

TEST(SlaTest, FrequencyCountsOnlySuccessfulPublishes) {
  auto sla = Sla("frequency", 1, "d");
  std::vector<catalog::PublishRecord> pubs = {Pub(kT0 + 20 * kHour, "rejected"), Pub(kT0, "published", "s1")};
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 23 * kHour).state, SlaState::kMet);
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 25 * kHour).state, SlaState::kBreached);
  pubs.insert(pubs.begin(), Pub(kT0 + 26 * kHour, "published", "s2"));
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 27 * kHour).state, SlaState::kMet);
}

TEST(SlaTest, AvailabilityIsTheShareOfSuccessfulPublishesInTheWindow) {
  auto sla = Sla("availability", "90%");
  std::vector<catalog::PublishRecord> pubs;
  for (int i = 0; i < 9; ++i) pubs.push_back(Pub(kT0 - i * kHour, "published"));
  pubs.push_back(Pub(kT0 - 9 * kHour, "failed"));
  EXPECT_EQ(One(sla, {}, pubs, kT0).state, SlaState::kMet);  // 9 of 10
  pubs.insert(pubs.begin(), Pub(kT0 + kHour, "rejected"));
  SlaResult r = One(sla, {}, pubs, kT0 + kHour);
  EXPECT_EQ(r.state, SlaState::kBreached);  // 9 of 11
  EXPECT_NEAR(*r.actual, 81.8, 0.1);
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 40LL * 24 * kHour).state, SlaState::kUnknown);  // all outside 30 days
}

TEST(SlaTest, RetentionIsBreachedWhenAYoungSnapshotWasExpired) {
  auto sla = Sla("retention", 7, "d");
  std::vector<catalog::PublishRecord> pubs = {Pub(kT0, "published", "s2"), Pub(kT0 - kHour, "published", "s1")};
  std::vector<catalog::SnapshotRecord> kept = {Snap("s2", kT0), Snap("s1", kT0 - kHour)};
  EXPECT_EQ(One(sla, kept, pubs, kT0).state, SlaState::kMet);
  kept.pop_back();  // gc expired s1, one hour old
  EXPECT_EQ(One(sla, kept, pubs, kT0).state, SlaState::kBreached);
  EXPECT_EQ(One(sla, kept, pubs, kT0 + 8 * 24 * kHour).state, SlaState::kMet);  // s1 would be past retention by now
}

TEST(SlaTest, TimeOfAvailabilityHonoursTheUtcOffset) {
  // 09:00 at UTC-08:00 is 17:00 UTC.
  auto sla = Sla("timeOfAvailability", "09:00-08:00");
  std::vector<catalog::PublishRecord> pubs = {Pub(kT0 + 16 * kHour, "published"), Pub(kT0 - 30 * kHour, "published")};
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 18 * kHour).state, SlaState::kMet);  // published 16:00 UTC, due 17:00 UTC
  // The next day's deadline passes with no publish.
  EXPECT_EQ(One(sla, {}, pubs, kT0 + 42 * kHour).state, SlaState::kBreached);
  // The same publish times against 09:00 UTC: 16:00 was late for day one.
  auto utc = Sla("timeOfAvailability", "09:00Z");
  EXPECT_EQ(One(utc, {}, pubs, kT0 + 10 * kHour).state, SlaState::kBreached);
  EXPECT_EQ(One(Sla("timeOfAvailability", "nine"), {}, pubs, kT0).state, SlaState::kUnknown);
}

TEST(SlaTest, QualityPassRateCountsRowsNotRules) {
  auto sla = Sla("qualityPassRate", 95);
  std::vector<catalog::PublishRecord> pubs = {Pub(kT0, "published", "s1", 1000, 10)};
  EXPECT_EQ(One(sla, {}, pubs, kT0).state, SlaState::kMet);  // 99%
  pubs.insert(pubs.begin(), Pub(kT0 + kHour, "rejected", "", 20000, 18409));
  SlaResult r = One(sla, {}, pubs, kT0 + kHour);
  EXPECT_EQ(r.state, SlaState::kBreached);
  EXPECT_LT(*r.actual, 20);
}

TEST(SlaTest, DatesAndUnknownUnitsAreNotJudged) {
  EXPECT_EQ(One(Sla("endOfLife", "2027-01-01"), {}, {}, kT0).state, SlaState::kNotMonitored);
  EXPECT_EQ(One(Sla("latency", 1, "fortnights"), {Snap("s", kT0)}, {}, kT0).state, SlaState::kUnknown);
  EXPECT_EQ(One(Sla("latency", "4", "h"), {Snap("s", kT0)}, {}, kT0 + kHour).state, SlaState::kMet);  // "4" is a number
}

}  // namespace
}  // namespace weft::monitor
