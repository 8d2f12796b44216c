#include "quality/anomaly.h"

#include <algorithm>
#include <cmath>

namespace weft::quality {

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int WeekdayOf(int64_t at_ms) {
  // 1970-01-01 was a Thursday (4).
  int64_t days = at_ms >= 0 ? at_ms / 86400000 : (at_ms - 86399999) / 86400000;
  return static_cast<int>(((days % 7) + 7 + 4) % 7);
}

AnomalyVerdict DetectAnomaly(std::vector<SeriesPoint> history, const SeriesPoint& candidate, const AnomalySettings& s) {
  AnomalyVerdict v;
  v.value = candidate.value;
  std::sort(history.begin(), history.end(), [](const auto& a, const auto& b) { return a.at_ms > b.at_ms; });
  if (s.window > 0 && history.size() > static_cast<size_t>(s.window)) history.resize(static_cast<size_t>(s.window));
  std::vector<double> base;
  if (s.weekly) {
    const int day = WeekdayOf(candidate.at_ms);
    for (const auto& p : history)
      if (WeekdayOf(p.at_ms) == day) base.push_back(p.value);
    v.weekday = static_cast<int>(base.size()) >= s.min_history;
  }
  if (!v.weekday) {
    base.clear();
    for (const auto& p : history) base.push_back(p.value);
  }
  v.baseline = static_cast<int>(base.size());
  if (v.baseline < std::max(1, s.min_history)) return v;
  v.judged = true;
  v.median = Median(base);
  std::vector<double> deviations;
  double mean_deviation = 0;
  for (double x : base) {
    deviations.push_back(std::fabs(x - v.median));
    mean_deviation += std::fabs(x - v.median);
  }
  mean_deviation /= static_cast<double>(base.size());
  const double mad = Median(deviations);
  // The scale is in the units of a standard deviation: MAD / 0.6745, or the
  // mean absolute deviation * 1.2533 when more than half the points agree.
  double scale = mad > 0 ? mad / 0.6745 : mean_deviation * 1.2533;
  scale = std::max({scale, s.min_relative_spread * std::fabs(v.median), 1e-9});
  v.score = (candidate.value - v.median) / scale;
  v.low = v.median - s.sensitivity * scale;
  v.high = v.median + s.sensitivity * scale;
  v.anomalous = std::fabs(v.score) > s.sensitivity;
  return v;
}

}  // namespace weft::quality
