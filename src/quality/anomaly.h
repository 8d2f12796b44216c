// Is a new value (rows in a publish, hours since the last one) out of line
// with its history? A robust z-score, (x - median) / scale, in the manner of
// Iglewicz and Hoaglin's modified z-score but with Rousseeuw and Croux's Qn
// for the scale instead of the MAD: both ignore up to half the points as
// outliers, so a few past outliers do not drag them the way they would a
// mean and standard deviation; Qn varies less from sample to sample, which
// halves the false alarms (anomaly.cc says by how much).
//
//   AnomalyVerdict v = DetectAnomaly(history, {.at_ms = now, .value = 1591}, {});
//   if (v.anomalous && v.value < v.low) ...  // fewer rows than the history allows
//
// Seasonality (`weekly`): once the history is long enough, each point is
// forecast by the median of the last 5 points on its day of the week (UTC;
// at least 3), and the candidate's relative error against its forecast is
// judged against the errors of the same forecast for the window's points.
// So a product that is always small on Sundays is judged against Sundays,
// with a spread measured on a month of errors rather than on five Sundays
// alone, which would flag ~9% of normal points; and a steady trend, which
// every forecast lags alike, is not an anomaly. It needs 14 such errors
// (about 5 weeks of daily points); before that, and with weekly = false,
// the baseline is the window's values. The spread is pooled across
// weekdays in relative terms: a weekday whose volumes vary relatively more
// than the others' (a few rows on Sundays, thousands on weekdays) is judged
// by the others' spread.
// A flat history (Qn 0) falls back to the mean absolute deviation, and the
// scale never falls below `min_relative_spread` of the median (or of the
// forecast), so a constant series does not flag a 0.1% wobble.
// Measured on synthetic series in docs/quality.md (bench/anomaly_eval.cc).
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
  double sensitivity = 3.5;  // the |robust z-score| above which a value is anomalous
  int min_history = 5;       // fewer points than this: no verdict
  bool weekly = true;        // forecast by weekday once the history is long enough
  double min_relative_spread = 0.01;
  int window = 30;  // the most recent points judged against (their weekday forecasts reach further back)
};

struct AnomalyVerdict {
  bool judged = false;     // enough history to say
  bool anomalous = false;
  double value = 0;
  double median = 0;         // of the baseline: the window, or with `weekday` the forecast
  double low = 0, high = 0;  // the expected range: the |score| of either is the sensitivity
  double score = 0;          // the robust z-score
  int baseline = 0;          // how many points the median rests on
  bool weekday = false;      // the median is of the candidate's weekday's last points
};

// `history` in any order: the `window` most recent points, and with `weekly`
// the five weeks before them for their forecasts.
AnomalyVerdict DetectAnomaly(std::vector<SeriesPoint> history, const SeriesPoint& candidate, const AnomalySettings& s);

// 0 = Sunday .. 6 = Saturday, UTC.
int WeekdayOf(int64_t at_ms);

}  // namespace weft::quality
