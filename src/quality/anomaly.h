// Is a new value (rows in a publish, hours since the last one) out of line
// with its history? A robust detector: the modified z-score of Iglewicz and
// Hoaglin, 0.6745 * (x - median) / MAD, which a few past outliers do not
// drag the way a mean and standard deviation would.
//
//   AnomalyVerdict v = DetectAnomaly(history, {.at_ms = now, .value = 1591}, {});
//   if (v.anomalous && v.value < v.low) ...  // fewer rows than the history allows
//
// Seasonality: when the history holds at least `min_history` points on the
// candidate's day of the week (UTC), only those are the baseline, so a
// product that is always small on Sundays is judged against Sundays.
// A flat history (MAD 0) falls back to the mean absolute deviation, and the
// scale never falls below `min_relative_spread` of the median, so a
// constant series does not flag a 0.1% wobble (docs/quality.md).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::quality {

struct SeriesPoint {
  int64_t at_ms = 0;  // when (for the day of the week)
  double value = 0;
};

struct AnomalySettings {
  double sensitivity = 3.5;  // the |modified z-score| above which a value is anomalous
  int min_history = 5;       // fewer points than this: no verdict
  bool weekly = true;        // use the same-weekday baseline when it is long enough
  double min_relative_spread = 0.01;
  int window = 30;  // the most recent points considered
};

struct AnomalyVerdict {
  bool judged = false;     // enough history to say
  bool anomalous = false;
  double value = 0;
  double median = 0;
  double low = 0, high = 0;  // the expected range: median -/+ sensitivity * scale
  double score = 0;          // the modified z-score
  int baseline = 0;          // how many points the verdict rests on
  bool weekday = false;      // the baseline was the candidate's weekday only
};

// `history` in any order; only the `window` most recent points are used.
AnomalyVerdict DetectAnomaly(std::vector<SeriesPoint> history, const SeriesPoint& candidate, const AnomalySettings& s);

// 0 = Sunday .. 6 = Saturday, UTC.
int WeekdayOf(int64_t at_ms);

}  // namespace weft::quality
