// Synthetic series with known anomalies, to measure the detector of
// anomaly.h: how many of the planted anomalies it finds (recall) and how
// many of its flags are planted ones (precision). Shared by the test
// (anomaly_test.cc, 5 series a scenario) and bench/anomaly_eval.cc (20 by
// default), so both measure the same thing; docs/quality.md has figures.
//
//   ScenarioOptions o{.points = 200, .seed = 7};
//   DetectionCounts c = Evaluate(MakeScenario(ScenarioKind::kDrop, o), AnomalySettings{}, o.warmup);
//   if (c.Recall() && *c.Recall() < 0.9) ...
//
// The series are a pure function of the kind and the options:
// mt19937_64 with our own uniform and normal draws, because the standard
// library's distributions differ between implementations.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "quality/anomaly.h"

namespace weft::quality {

enum class ScenarioKind {
  kFlat,          // ~10,000 rows a day with 3% noise; nothing planted
  kWeekly,        // weekdays as flat, Saturdays 30% of that, Sundays 20%; nothing planted
  kTrend,         // from 2,000 rows, growing 1% a day (doubling in ~10 weeks); nothing planted
  kSpike,         // the flat series with some days at 3-5x
  kDrop,          // the flat series with some days at 10-30%
  kFreshnessGap,  // hours between publishes, ~24 h with jitter, some gaps of 3-7 days
};

inline constexpr ScenarioKind kAllScenarios[] = {ScenarioKind::kFlat,  ScenarioKind::kWeekly,
                                                 ScenarioKind::kTrend, ScenarioKind::kSpike,
                                                 ScenarioKind::kDrop,  ScenarioKind::kFreshnessGap};

std::string_view NameOf(ScenarioKind kind);

struct ScenarioOptions {
  int points = 365;
  uint64_t seed = 1;
  // Anomalies are planted only from here on, so that the first verdicts
  // rest on a clean history, and no closer than `min_spacing` points apart,
  // so that each one is judged against a history of mostly normal points.
  int warmup = 35;
  double anomaly_rate = 0.05;  // the chance that an eligible point is planted
  int min_spacing = 7;
};

struct Scenario {
  ScenarioKind kind;
  std::vector<SeriesPoint> points;  // oldest first
  std::vector<bool> planted;        // per point: the ground truth
};

Scenario MakeScenario(ScenarioKind kind, const ScenarioOptions& o);

struct DetectionCounts {
  int judged = 0;  // points with a verdict
  int true_positives = 0, false_positives = 0, false_negatives = 0;

  // Empty when undefined: no flags (precision), nothing planted (recall).
  std::optional<double> Precision() const;
  std::optional<double> Recall() const;
  DetectionCounts& operator+=(const DetectionCounts& o);
};

// Judges every point from `from` on against all the points before it (the
// detector keeps its own window), as a monitor run after each publish
// would; a flag is any anomalous verdict, high or low.
DetectionCounts Evaluate(const Scenario& s, const AnomalySettings& settings, int from);

}  // namespace weft::quality
