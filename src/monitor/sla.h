// A product's ODCS slaProperties judged against what the catalog recorded,
// at a given time (the caller's clock: tests set it, `weft monitor` reads
// the system's).
//
//   SlaReport r = EvaluateSla({.sla = contract.sla_properties, .snapshots = s, .publishes = p, .now_ms = now});
//   for (const SlaResult& x : r.results) if (x.state == SlaState::kBreached) ...
//
// Units, synonyms and value forms are spec/sla.h's. What each property means
// here:
//   latency (or freshness)  the age of the current snapshot <= value x unit
//   frequency               the time since the last successful publish <= the interval
//   availability            successful publishes / attempts over the window >= value %
//   retention               no snapshot younger than value x unit was expired
//   timeOfAvailability      a successful publish in the 24 h before the latest
//                           deadline ("HH:MM" with an optional UTC offset,
//                           "09:00-08:00", or unit/valueExt naming the offset)
//   qualityPassRate         rows kept / rows in over the window >= value %
// The window of the rates is `window_days` (30). Other properties
// (generalAvailability, endOfLife, ...) are dates, not measurements: they
// are reported as not monitored.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "spec/model.h"

namespace weft::monitor {

enum class SlaState { kMet, kBreached, kUnknown, kNotMonitored };
const char* SlaStateName(SlaState s);

struct SlaResult {
  std::string property;  // as the contract writes it
  std::string id;        // the SLA's id, if it has one
  SlaState state = SlaState::kUnknown;
  std::optional<double> target;  // seconds or percent
  std::optional<double> actual;
  std::string unit;  // "seconds" or "percent"
  std::string detail;
};

struct SlaInput {
  std::vector<spec::SlaProperty> sla;
  std::vector<catalog::SnapshotRecord> snapshots;  // of the judged major, newest first
  std::vector<catalog::PublishRecord> publishes;   // of the judged major, newest first
  int64_t now_ms = 0;
  int window_days = 30;
};

std::vector<SlaResult> EvaluateSla(const SlaInput& in);

// "1 d", "36 h": a duration in the largest unit that keeps it whole-ish.
std::string DurationText(double seconds);

}  // namespace weft::monitor
