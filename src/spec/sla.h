// The one SLA model: what an ODCS v3.1 slaProperties entry means. Lint checks
// entries against it, diff ranks two versions of an entry with it, the monitor
// turns it into targets and the catalog page reads the freshness promise from
// it; none of them keeps a unit table or a property list of its own.
//
//   const SlaPropertyInfo* info = FindSlaProperty(sla.property);  // "ly" -> latency
//   if (auto seconds = SlaDurationSeconds(sla)) ...              // 1 M -> 2629746
//   if (auto c = CompareSla(old_sla, new_sla); c && *c < 0) ...  // NEW promises less
//
// Properties. The standard lists its names as case-insensitive and gives each
// a two-letter synonym (availability/av, latency/ly, ...); FindSlaProperty
// accepts both. weft reads `freshness` as latency (the standard: latency is
// "preferred to freshness") and `uptime` as availability, and adds
// `qualityPassRate` (rows kept / rows in, percent).
//
// Units. ODCS: "d, day, days for days; y, yr, years for years, etc. Units use
// the ISO standard." The table:
//   ms  millisecond(s)                       0.001 s
//   s   sec(s), second(s)                    1 s
//   m   min(s), minute(s)                    60 s
//   h   hr(s), hour(s)                       3600 s
//   d   day(s)                               86400 s
//   w   wk(s), week(s)                       604800 s
//   M   mo, month(s)                         2629746 s (1/12 of the Gregorian year)
//   y   yr(s), year(s)                       31556952 s (365.2425 days)
//   %   percent, pct                         percentages
// Unit names are case-insensitive except `m` and `M`: `m` is the minute (the
// standard's own SLA examples and SI), `M` the month, as in ISO 8601's date
// part (P1M) and the usual date patterns. A month and a year are the Gregorian
// averages so that 12 M == 1 y, whatever month it is.
//
// Values. A number with the entry's unit, or a string: "4" (a number), "4h",
// "4 days", "99.9%" (the suffix overrides the unit field). A duration needs a
// unit; a percentage may omit it. Dates are YYYY-MM-DD[THH:MM:SS...]; a time of
// day is HH:MM[:SS] with an optional offset ("09:00-08:00", "09:00Z") or the
// offset in the unit or valueExt field.
//
// Thread safety: pure functions over values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/model.h"

namespace weft::spec {

enum class SlaKind {
  kDuration,   // latency, frequency, retention, timeTo*: value x unit
  kPercent,    // availability, errorRate, qualityPassRate
  kDate,       // generalAvailability, endOfSupport, endOfLife
  kTimeOfDay,  // timeOfAvailability
  kQuantity,   // throughput: a number in a unit weft does not interpret
};

// Which way a promise gets stronger.
enum class SlaDirection {
  kSmallerIsStronger,  // latency 1 h promises more than 4 h; an earlier deadline more than a later one
  kLargerIsStronger,   // availability 99.9 more than 99; a later end of life more than an earlier one
  kUnranked,           // generalAvailability: moving it says nothing about what consumers got
};

struct SlaPropertyInfo {
  std::string_view name;                   // as the standard spells it: "timeToDetect"
  std::vector<std::string_view> synonyms;  // the standard's two-letter synonym, weft's aliases
  SlaKind kind;
  SlaDirection direction;
};

// The properties the model knows, in the standard's order, then weft's.
const std::vector<SlaPropertyInfo>& SlaProperties();
// By name or synonym, case-insensitive; nullptr for a property the model does
// not know (ODCS allows any).
const SlaPropertyInfo* FindSlaProperty(std::string_view property);

// Seconds in one `unit` (see the table above), or nullopt for a unit that is
// not a duration.
std::optional<double> DurationUnitSeconds(std::string_view unit);
bool IsPercentUnit(std::string_view unit);
// The short duration unit names (ms, s, m, h, d, w, M, y), for "expected
// one of" messages.
const std::vector<std::string>& DurationUnitNames();

// A value with its unit, normalised: seconds for a duration, percent for a
// percentage, the number as written otherwise.
struct SlaQuantity {
  enum class Dimension { kSeconds, kPercent, kNone, kOther };
  double value = 0;
  Dimension dimension = Dimension::kNone;
  std::string other_unit;  // kOther: the unit as written, lower-cased

  bool SameDimension(const SlaQuantity& o) const { return dimension == o.dimension && other_unit == o.other_unit; }
};
// A number, or a numeric string with an optional unit suffix; nullopt for a
// value that is no quantity ("09:00-08:00", "soon", a suffix that is no known
// unit).
std::optional<SlaQuantity> ParseSlaQuantity(const Json& value, std::string_view unit);

// A value written with its unit ("24h", "1 d", "99.9%") split into the
// number and the unit as written; a number (or a numeric string) has an empty
// unit; nullopt for anything else.
std::optional<std::pair<double, std::string>> SplitSlaValue(const Json& value);

// The entry's value as seconds (nullopt unless it is a duration with a
// known unit) and as a percentage within 0..100.
std::optional<double> SlaDurationSeconds(const SlaProperty& sla);
std::optional<double> SlaPercent(const SlaProperty& sla);

// "YYYY-MM-DD" with an optional time part.
bool IsSlaDate(const Json& value);

// A time of day: seconds after local midnight and the offset from UTC in
// seconds. The offset follows the time ("09:00-08:00", "09:00Z", "09:00+0130")
// or, when the value has none, comes from `zone` ("UTC", "+01:00"; empty: UTC).
struct TimeOfDay {
  int64_t seconds = 0;
  int64_t offset_seconds = 0;
};
std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text, std::string_view zone);
// The zone of a timeOfAvailability entry: its unit, else its valueExt.
std::string SlaZone(const SlaProperty& sla);

// How NEW's promise compares with OLD's for the same property: >0 stronger,
// <0 weaker, 0 the same, nullopt when they cannot be ranked (different
// dimensions, unknown property, unranked property, a time of day 12 hours or
// more apart in UTC).
std::optional<int> CompareSla(const SlaProperty& old_sla, const SlaProperty& new_sla);

}  // namespace weft::spec
