// How well the anomaly detector (src/quality/anomaly.h) finds what it is for,
// measured on synthetic daily series with planted anomalies
// (src/quality/anomaly_scenarios.h): a flat volume, a weekly pattern and a
// growing trend, where every flag is a false positive; spikes to 3-5x and
// drops to 10-30%; and the hours between publishes with outages of 3-7 days.
// Each point after the warm-up is judged against every point before it, as
// the monitor judges each publish; a flag is any anomalous verdict.
//
// Not a timing benchmark: the figures are counts, the same on every machine.
// Targets (issue 13): precision and recall >= 0.9 where anomalies are
// planted, and at most 1 false positive per 100 points where none are. The
// weekly series is also judged with weekly = false, to show what the
// same-weekday baseline is worth.
//
//   bench_anomaly [--series N (20)] [--points N (365)] [--sensitivity X (3.5)]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "quality/anomaly_scenarios.h"

using weft::quality::AnomalySettings;
using weft::quality::DetectionCounts;
using weft::quality::ScenarioKind;

namespace {

struct Options {
  int series = 20;
  int points = 365;
  double sensitivity = AnomalySettings{}.sensitivity;
};

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    if (i + 1 >= argc) return false;
    const char* flag = argv[i];
    const char* value = argv[++i];
    if (std::strcmp(flag, "--series") == 0) o.series = std::atoi(value);
    else if (std::strcmp(flag, "--points") == 0) o.points = std::atoi(value);
    else if (std::strcmp(flag, "--sensitivity") == 0) o.sensitivity = std::atof(value);
    else return false;
  }
  const weft::quality::ScenarioOptions defaults;
  return o.series > 0 && o.points > defaults.warmup && o.sensitivity > 0;
}

// `series` series of the kind (seeds 1..series), summed.
DetectionCounts Measure(ScenarioKind kind, const Options& o, const AnomalySettings& settings) {
  DetectionCounts total;
  for (int seed = 1; seed <= o.series; ++seed) {
    const weft::quality::ScenarioOptions so{.points = o.points, .seed = static_cast<uint64_t>(seed)};
    total += Evaluate(MakeScenario(kind, so), settings, so.warmup);
  }
  return total;
}

std::string Ratio(std::optional<double> r) {
  if (!r) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", *r);
  return buf;
}

// Where anomalies are planted, precision and recall; where none are, the
// false positives per 100 judged points.
bool Met(const DetectionCounts& c, bool planted) {
  if (planted) return c.Precision().value_or(0) >= 0.9 && c.Recall().value_or(0) >= 0.9;
  return c.false_positives * 100 <= c.judged;
}

// `target`: met, MISSED, or empty for a row without one.
void PrintRow(const std::string& name, const DetectionCounts& c, const char* target) {
  std::printf("%-24s %7d %7d %5d %5d %5d %9s %7s %7.2f  %s\n", name.c_str(), c.judged,
              c.true_positives + c.false_negatives, c.true_positives, c.false_positives, c.false_negatives,
              Ratio(c.Precision()).c_str(), Ratio(c.Recall()).c_str(),
              c.judged ? 100.0 * c.false_positives / c.judged : 0.0, target);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fprintf(stderr, "usage: bench_anomaly [--series N (20)] [--points N (365)] [--sensitivity X (3.5)]\n");
    return 2;
  }
  const AnomalySettings settings{.sensitivity = o.sensitivity};
  std::printf("anomaly detection: %d series x %d daily points per scenario, the first %d of each a warm-up;\n"
              "  sensitivity %.2f, min_history %d, window %d, weekly %s\n",
              o.series, o.points, weft::quality::ScenarioOptions{}.warmup, settings.sensitivity, settings.min_history,
              settings.window, settings.weekly ? "on" : "off");
  std::printf("%-24s %7s %7s %5s %5s %5s %9s %7s %7s  %s\n", "scenario", "judged", "planted", "TP", "FP", "FN",
              "precision", "recall", "FP/100", "target");
  DetectionCounts total;
  bool missed = false;
  for (ScenarioKind kind : weft::quality::kAllScenarios) {
    const DetectionCounts c = Measure(kind, o, settings);
    const bool met = Met(c, c.true_positives + c.false_negatives > 0);
    PrintRow(std::string(NameOf(kind)), c, met ? "met" : "MISSED");
    missed = missed || !met;
    total += c;
  }
  PrintRow("total", total, "");

  AnomalySettings no_weekly = settings;
  no_weekly.weekly = false;
  std::printf("\nthe weekly series without the weekday forecast:\n");
  PrintRow("weekly, weekly=false", Measure(ScenarioKind::kWeekly, o, no_weekly), "");
  if (missed) std::printf("TARGET MISSED\n");
  return 0;
}
