#include "quality/anomaly_scenarios.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace weft::quality {

namespace {

constexpr int64_t kHour = 3600000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kStart = 1764547200000;  // 2025-12-01T00:00:00Z, a Monday
constexpr double kNoise = 0.03;            // day-to-day variation of a volume, relative

// Our own draws: std::uniform_real_distribution and std::normal_distribution
// are free to differ between standard libraries, and the figures in the docs
// should be reproducible anywhere.
class Draws {
 public:
  explicit Draws(uint64_t seed) : rng_(seed) {}
  double Uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Normal() {  // Box-Muller; 1 - u keeps the logarithm finite
    const double r = std::sqrt(-2 * std::log(1 - Uniform()));
    return r * std::cos(2 * std::numbers::pi * Uniform());
  }

 private:
  std::mt19937_64 rng_;
};

// The expected volume of day `i` (day 0 a Monday), before noise.
double Level(ScenarioKind kind, int i) {
  switch (kind) {
    case ScenarioKind::kWeekly: {
      const int weekday = i % 7;  // 0 = Monday
      return weekday == 5 ? 3000 : weekday == 6 ? 2000 : 10000;
    }
    case ScenarioKind::kTrend:
      return 2000 * std::pow(1.01, i);
    default:
      return 10000;
  }
}

// Publishes of a daily job scheduled at 02:00 that run 0-2 h late; a planted
// point is a publish that came 3-7 days after the one before (an outage).
// The value is the hours since the previous publish.
Scenario Gaps(const ScenarioOptions& o, Draws& d) {
  Scenario s{.kind = ScenarioKind::kFreshnessGap, .points = {}, .planted = {}};
  int64_t scheduled = kStart + 2 * kHour;
  int64_t previous = scheduled;
  int last_planted = -o.min_spacing;
  for (int i = 0; i < o.points; ++i) {
    const bool plant = i >= o.warmup && i - last_planted >= o.min_spacing && d.Uniform() < o.anomaly_rate;
    scheduled += plant ? static_cast<int64_t>(std::floor(d.Uniform(3, 8))) * kDay : kDay;
    const int64_t at = scheduled + static_cast<int64_t>(d.Uniform(0, 2) * static_cast<double>(kHour));
    s.points.push_back({.at_ms = at, .value = static_cast<double>(at - previous) / static_cast<double>(kHour)});
    s.planted.push_back(plant);
    if (plant) last_planted = i;
    previous = at;
  }
  return s;
}

}  // namespace

std::string_view NameOf(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::kFlat: return "flat";
    case ScenarioKind::kWeekly: return "weekly";
    case ScenarioKind::kTrend: return "trend";
    case ScenarioKind::kSpike: return "spike";
    case ScenarioKind::kDrop: return "drop";
    case ScenarioKind::kFreshnessGap: return "freshness-gap";
  }
  return "?";
}

Scenario MakeScenario(ScenarioKind kind, const ScenarioOptions& o) {
  Draws d(o.seed);
  if (kind == ScenarioKind::kFreshnessGap) return Gaps(o, d);
  Scenario s{.kind = kind, .points = {}, .planted = {}};
  const bool plants = kind == ScenarioKind::kSpike || kind == ScenarioKind::kDrop;
  int last_planted = -o.min_spacing;
  for (int i = 0; i < o.points; ++i) {
    double value = Level(kind, i) * (1 + kNoise * d.Normal());
    const bool plant = plants && i >= o.warmup && i - last_planted >= o.min_spacing && d.Uniform() < o.anomaly_rate;
    if (plant) {
      value *= kind == ScenarioKind::kSpike ? d.Uniform(3, 5) : d.Uniform(0.1, 0.3);
      last_planted = i;
    }
    s.points.push_back({.at_ms = kStart + i * kDay + 2 * kHour, .value = std::round(value)});
    s.planted.push_back(plant);
  }
  return s;
}

std::optional<double> DetectionCounts::Precision() const {
  const int flagged = true_positives + false_positives;
  if (flagged == 0) return std::nullopt;
  return static_cast<double>(true_positives) / flagged;
}

std::optional<double> DetectionCounts::Recall() const {
  const int planted = true_positives + false_negatives;
  if (planted == 0) return std::nullopt;
  return static_cast<double>(true_positives) / planted;
}

DetectionCounts& DetectionCounts::operator+=(const DetectionCounts& o) {
  judged += o.judged;
  true_positives += o.true_positives;
  false_positives += o.false_positives;
  false_negatives += o.false_negatives;
  return *this;
}

DetectionCounts Evaluate(const Scenario& s, const AnomalySettings& settings, int from) {
  DetectionCounts c;
  for (size_t i = static_cast<size_t>(std::max(from, 0)); i < s.points.size(); ++i) {
    const std::vector<SeriesPoint> history(s.points.begin(), s.points.begin() + static_cast<std::ptrdiff_t>(i));
    const AnomalyVerdict v = DetectAnomaly(history, s.points[i], settings);
    if (!v.judged) {
      c.false_negatives += s.planted[i] ? 1 : 0;
      continue;
    }
    ++c.judged;
    if (v.anomalous && s.planted[i]) ++c.true_positives;
    else if (v.anomalous) ++c.false_positives;
    else if (s.planted[i]) ++c.false_negatives;
  }
  return c;
}

}  // namespace weft::quality
