#include "quality/anomaly.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>

namespace weft::quality {

namespace {

// A weekday's level is the median of its most recent points: up to five
// weeks of them, so that a past outlier among them is ignored outright
// (bench_anomaly: always three made twice as many false positives on the
// series with spikes), and at least three, so that a weekly pattern is
// learnt after three weeks.
constexpr size_t kLevelPoints = 5;
constexpr size_t kMinLevelPoints = 3;
// Fewer forecast errors than this and the same-weekday model is not used:
// the spread of a handful of points is too uncertain (with 5 points a 3.5
// threshold flags ~9% of normal points, measured). Two weeks of daily points.
constexpr size_t kMinErrors = 14;
constexpr double kTiny = 1e-9;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Spread {
  double center = 0;
  double scale = 0;  // in the units of a standard deviation
};

// The median, and Rousseeuw and Croux's Qn ("Alternatives to the median
// absolute deviation", 1993): the first quartile of the distances between
// pairs of points, 2.2219 * {|xi - xj|, i < j}_(k), k = C(n/2 + 1, 2), with
// their small-sample factor d_n. Like the MAD of Iglewicz and Hoaglin's
// modified z-score, 0.6745 * (x - median) / MAD, it ignores up to half the
// points as outliers; unlike it, it is efficient (82% against 37% for
// normal data), so its estimate varies less from one month of history to
// the next, and too small an estimate is what flags a normal point. The
// scale is also widened by the error of the sample median,
// sqrt(1 + pi / 2n), which a new point's distance to it includes. On the
// flat series of bench_anomaly (3% noise) a 3.5 threshold, which promises
// 0.05%, flagged 0.62% of normal days with the MAD (0.41% with its
// small-sample factors) and 0.21% with this. When Qn is 0 (about half the
// points are equal), the mean absolute deviation * 1.2533 stands in.
// O(n^2) in the points: 435 pairs for the default window of 30.
Spread RobustSpread(const std::vector<double>& xs) {
  Spread s{.center = Median(xs)};
  const size_t n = xs.size();
  double mean_deviation = 0;
  for (double x : xs) mean_deviation += std::fabs(x - s.center);
  mean_deviation /= static_cast<double>(n);
  std::vector<double> distances;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) distances.push_back(std::fabs(xs[i] - xs[j]));
  const size_t h = n / 2 + 1;
  const size_t k = h * (h - 1) / 2;
  double qn = 0;
  if (k >= 1 && k <= distances.size()) {
    std::nth_element(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(k - 1), distances.end());
    qn = distances[k - 1];
  }
  // d_n: Croux and Rousseeuw's table up to 9 points, their formula beyond.
  static constexpr double kSmall[] = {0, 0, 0.399, 0.994, 0.512, 0.844, 0.611, 0.857, 0.669, 0.872};
  const double size = static_cast<double>(n);
  const double d = n <= 9 ? kSmall[n] : n % 2 ? size / (size + 1.4) : size / (size + 3.8);
  s.scale = (qn > 0 ? 2.2219 * d * qn : mean_deviation * 1.2533) * std::sqrt(1 + std::numbers::pi / (2 * size));
  return s;
}

double RelativeError(double value, double level) { return (value - level) / std::max(std::fabs(level), kTiny); }

struct WeekdayForecast {
  double level = 0;  // the candidate's
  int level_points = 0;
  std::vector<double> errors;
};

// The same-weekday forecast: a point's level is the median of the
// kLevelPoints points of its weekday before it. `errors` are the relative
// errors of that forecast for the window's points that have one; none when
// the candidate has no level or too few points have one. `history` newest
// first.
std::optional<WeekdayForecast> ForecastByWeekday(const std::vector<SeriesPoint>& history, const SeriesPoint& candidate,
                                                 size_t window) {
  std::array<std::vector<double>, 7> by_day;  // each newest first
  std::vector<size_t> rank(history.size());   // a point's place in its weekday's list
  for (size_t i = 0; i < history.size(); ++i) {
    auto& day = by_day[static_cast<size_t>(WeekdayOf(history[i].at_ms))];
    rank[i] = day.size();
    day.push_back(history[i].value);
  }
  // The level from the points of `day` after position `from` (older ones).
  auto level = [&](const std::vector<double>& day, size_t from) -> std::optional<double> {
    if (day.size() < from + kMinLevelPoints) return std::nullopt;
    const auto begin = day.begin() + static_cast<std::ptrdiff_t>(from);
    return Median({begin, begin + static_cast<std::ptrdiff_t>(std::min(kLevelPoints, day.size() - from))});
  };
  const auto& own = by_day[static_cast<size_t>(WeekdayOf(candidate.at_ms))];
  const std::optional<double> candidate_level = level(own, 0);
  if (!candidate_level) return std::nullopt;
  WeekdayForecast f{.level = *candidate_level,
                    .level_points = static_cast<int>(std::min(kLevelPoints, own.size())),
                    .errors = {}};
  for (size_t i = 0; i < std::min(window, history.size()); ++i) {
    const auto& day = by_day[static_cast<size_t>(WeekdayOf(history[i].at_ms))];
    if (std::optional<double> l = level(day, rank[i] + 1)) f.errors.push_back(RelativeError(history[i].value, *l));
  }
  if (f.errors.size() < kMinErrors) return std::nullopt;
  return f;
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
  const size_t window = s.window > 0 ? static_cast<size_t>(s.window) : history.size();
  const size_t in_window = std::min(window, history.size());
  if (in_window < static_cast<size_t>(std::max(1, s.min_history))) return v;
  v.judged = true;

  if (std::optional<WeekdayForecast> f = s.weekly ? ForecastByWeekday(history, candidate, window) : std::nullopt) {
    // The candidate's error against the window's errors: relative, because
    // a volume's noise grows with it, so the weekdays' errors can be pooled
    // (the spread of one weekday's five points alone is too uncertain).
    // The center of the errors absorbs a trend: the level lags a growing
    // series by about three weeks, every week alike.
    const Spread e = RobustSpread(f->errors);
    const double scale = std::max({e.scale, s.min_relative_spread, kTiny});
    v.weekday = true;
    v.baseline = f->level_points;
    v.median = f->level;
    v.score = (RelativeError(candidate.value, f->level) - e.center) / scale;
    v.low = f->level + std::fabs(f->level) * (e.center - s.sensitivity * scale);
    v.high = f->level + std::fabs(f->level) * (e.center + s.sensitivity * scale);
  } else {
    std::vector<double> base;
    for (size_t i = 0; i < in_window; ++i) base.push_back(history[i].value);
    const Spread b = RobustSpread(base);
    const double scale = std::max({b.scale, s.min_relative_spread * std::fabs(b.center), kTiny});
    v.baseline = static_cast<int>(base.size());
    v.median = b.center;
    v.score = (candidate.value - b.center) / scale;
    v.low = b.center - s.sensitivity * scale;
    v.high = b.center + s.sensitivity * scale;
  }
  v.anomalous = std::fabs(v.score) > s.sensitivity;
  return v;
}

}  // namespace weft::quality
