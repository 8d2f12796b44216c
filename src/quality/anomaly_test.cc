// The detector on synthetic series: what it flags, and what it must not.
#include "quality/anomaly.h"

#include <gtest/gtest.h>

#include <cmath>

#include "quality/anomaly_scenarios.h"

namespace weft::quality {
namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kMonday = 1764547200000;  // 2025-12-01T00:00:00Z, a Monday

std::vector<SeriesPoint> Daily(const std::vector<double>& values, int64_t start = kMonday) {
  std::vector<SeriesPoint> out;
  for (size_t i = 0; i < values.size(); ++i) out.push_back({start + static_cast<int64_t>(i) * kDay, values[i]});
  return out;
}

TEST(AnomalyTest, WeekdayOfKnownDates) {
  EXPECT_EQ(WeekdayOf(0), 4);  // 1970-01-01, a Thursday
  EXPECT_EQ(WeekdayOf(kMonday), 1);
  EXPECT_EQ(WeekdayOf(kMonday + 6 * kDay), 0);
  EXPECT_EQ(WeekdayOf(-1), 3);
}

TEST(AnomalyTest, TooLittleHistoryGivesNoVerdict) {
  AnomalyVerdict v = DetectAnomaly(Daily({100, 100, 100}), {kMonday + 3 * kDay, 0}, {.min_history = 5});
  EXPECT_FALSE(v.judged);
  EXPECT_FALSE(v.anomalous);
}

TEST(AnomalyTest, ADropAndASpikeAreFlaggedAndNoiseIsNot) {
  auto h = Daily({100, 104, 97, 101, 99, 103, 98, 102});
  AnomalySettings s{.weekly = false};
  const int64_t t = kMonday + 8 * kDay;
  EXPECT_TRUE(DetectAnomaly(h, {t, 10}, s).anomalous);
  EXPECT_LT(DetectAnomaly(h, {t, 10}, s).score, 0);
  EXPECT_TRUE(DetectAnomaly(h, {t, 400}, s).anomalous);
  EXPECT_FALSE(DetectAnomaly(h, {t, 95}, s).anomalous);
  EXPECT_FALSE(DetectAnomaly(h, {t, 106}, s).anomalous);
}

TEST(AnomalyTest, AFlatSeriesToleratesAWobbleButNotADrop) {
  auto h = Daily(std::vector<double>(10, 1000));
  const int64_t t = kMonday + 10 * kDay;
  AnomalySettings s{.weekly = false};
  EXPECT_FALSE(DetectAnomaly(h, {t, 1001}, s).anomalous);  // the 1% floor on the spread
  EXPECT_FALSE(DetectAnomaly(h, {t, 970}, s).anomalous);
  EXPECT_TRUE(DetectAnomaly(h, {t, 900}, s).anomalous);
}

TEST(AnomalyTest, OnePastOutlierDoesNotWidenTheRange) {
  auto h = Daily({100, 101, 99, 100, 5000, 100, 102, 98});
  AnomalyVerdict v = DetectAnomaly(h, {kMonday + 8 * kDay, 10}, {.weekly = false});
  EXPECT_TRUE(v.anomalous);
  EXPECT_NEAR(v.median, 100, 0.6);
}

TEST(AnomalyTest, AWeeklyPatternIsJudgedAgainstTheSameWeekday) {
  // Weekdays ~1000 rows, Sundays ~100: six weeks of it.
  std::vector<double> values;
  for (int week = 0; week < 6; ++week)
    for (int d = 0; d < 7; ++d) values.push_back(d == 6 ? 100 + week : 1000 + 3 * d + week);
  auto h = Daily(values);
  const int64_t sunday = kMonday + 6 * 7 * kDay + 6 * kDay;
  AnomalyVerdict usual = DetectAnomaly(h, {sunday, 103}, {.min_history = 5, .window = 60});
  EXPECT_TRUE(usual.judged);
  EXPECT_TRUE(usual.weekday);
  EXPECT_FALSE(usual.anomalous);
  // Without the weekly baseline the usual Sunday looks like a collapse.
  EXPECT_TRUE(DetectAnomaly(h, {sunday, 103}, {.min_history = 5, .weekly = false, .window = 60}).anomalous);
  // A Monday as small as a Sunday is an anomaly.
  EXPECT_TRUE(DetectAnomaly(h, {sunday + kDay, 103}, {.min_history = 5, .window = 60}).anomalous);
}

TEST(AnomalyTest, OnlyTheRecentWindowCounts) {
  // A level shift long ago: the window forgets the old level.
  std::vector<double> values(40, 10);
  for (int i = 0; i < 30; ++i) values.push_back(1000);
  AnomalyVerdict v = DetectAnomaly(Daily(values), {kMonday + 70 * kDay, 1000}, {.weekly = false, .window = 30});
  EXPECT_FALSE(v.anomalous);
  EXPECT_EQ(v.baseline, 30);
}

// The measurements of bench_anomaly (docs/quality.md), smaller: five series
// of a year per scenario, the first 35 days a warm-up, default settings.
// Fewer would leave the precision to chance: a series plants ~12 anomalies.
DetectionCounts Measured(ScenarioKind kind, const AnomalySettings& settings = {}) {
  DetectionCounts total;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const ScenarioOptions o{.points = 365, .seed = seed};
    total += Evaluate(MakeScenario(kind, o), settings, o.warmup);
  }
  return total;
}

TEST(AnomalyScenariosTest, SeriesAreReproducibleAndPlantWhatTheySay) {
  const Scenario a = MakeScenario(ScenarioKind::kDrop, {.points = 100, .seed = 9});
  const Scenario b = MakeScenario(ScenarioKind::kDrop, {.points = 100, .seed = 9});
  ASSERT_EQ(a.points.size(), 100u);
  int planted = 0;
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].value, b.points[i].value);
    if (!a.planted[i]) continue;
    ++planted;
    EXPECT_GE(i, 35u) << "nothing is planted in the warm-up";
    EXPECT_LT(a.points[i].value, 10000 * 0.3 * 1.2) << "a drop is to 10-30% of the usual ~10,000";
  }
  EXPECT_GT(planted, 0);
  EXPECT_NE(MakeScenario(ScenarioKind::kDrop, {.points = 100, .seed = 10}).points[0].value, a.points[0].value);
  for (const auto& p : MakeScenario(ScenarioKind::kFreshnessGap, {.points = 100, .seed = 9}).points)
    EXPECT_GT(p.value, 20) << "hours between daily publishes";
}

TEST(AnomalyScenariosTest, PlantedSpikesDropsAndGapsAreFound) {
  for (ScenarioKind kind : {ScenarioKind::kSpike, ScenarioKind::kDrop, ScenarioKind::kFreshnessGap}) {
    const DetectionCounts c = Measured(kind);
    ASSERT_GT(c.true_positives + c.false_negatives, 5) << NameOf(kind);
    EXPECT_GE(c.Precision().value_or(0), 0.9) << NameOf(kind) << ": " << c.false_positives << " false positives";
    EXPECT_GE(c.Recall().value_or(0), 0.9) << NameOf(kind) << ": " << c.false_negatives << " missed";
  }
}

TEST(AnomalyScenariosTest, FlatWeeklyAndTrendingSeriesRaiseAtMostOneFalseAlarmIn100) {
  for (ScenarioKind kind : {ScenarioKind::kFlat, ScenarioKind::kWeekly, ScenarioKind::kTrend}) {
    const DetectionCounts c = Measured(kind);
    EXPECT_EQ(c.judged, 5 * (365 - 35)) << NameOf(kind);
    EXPECT_LE(c.false_positives * 100, c.judged) << NameOf(kind);
  }
}

TEST(AnomalyScenariosTest, AWeeklyPatternNeedsTheWeekdayForecast) {
  // Judged against the whole window, every weekend looks like a collapse.
  const DetectionCounts c = Measured(ScenarioKind::kWeekly, {.weekly = false});
  EXPECT_GT(c.false_positives * 100, 20 * c.judged);
}

TEST(AnomalyTest, ASteadyTrendIsNotAnAnomalyButABreakInItIs) {
  // Growing 2% a day for ten weeks, with 1% noise: the window's median is a
  // quarter below the next day, yet that day is as expected.
  std::vector<double> values;
  for (int i = 0; i < 70; ++i) values.push_back(1000 * std::pow(1.02, i) * (i % 2 ? 1.01 : 0.99));
  const auto h = Daily(values);
  const int64_t next = kMonday + 70 * kDay;
  const double expected = 1000 * std::pow(1.02, 70);
  AnomalyVerdict v = DetectAnomaly(h, {next, expected}, {});
  EXPECT_TRUE(v.weekday);
  EXPECT_FALSE(v.anomalous) << v.score;
  EXPECT_LT(v.low, expected);
  EXPECT_GT(v.high, expected);
  EXPECT_TRUE(DetectAnomaly(h, {next, expected * 0.6}, {}).anomalous);
}

}  // namespace
}  // namespace weft::quality
