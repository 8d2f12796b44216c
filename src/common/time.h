// Wall-clock time as the catalog records it, and the clock the monitors read.
// Thread safety: pure functions; a ManualClock is for one test thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

// The current UTC time, ISO 8601 with milliseconds: "2026-11-22T01:33:54.123Z".
// Such strings order as the times they name, which the catalog relies on
// (expiries, "since", usage by month).
std::string NowIso();

// Milliseconds since the Unix epoch <-> that ISO form. ParseIsoMillis takes
// "YYYY-MM-DDTHH:MM:SS", an optional fraction and an optional Z (UTC either
// way); anything else is nullopt.
std::string IsoOfMillis(int64_t ms);
std::optional<int64_t> ParseIsoMillis(std::string_view iso);

// Days since 1970-01-01 of a proleptic Gregorian date and back, for any
// year (astronomical numbering: 1 BC is year 0, 2 BC is -1), as Parquet,
// DuckDB and PostgreSQL count dates (Howard Hinnant's algorithms).
struct CivilDate {
  int64_t year = 1970, month = 1, day = 1;
};
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days);

// What "now" is to code that judges time (SLA evaluation, anomaly windows,
// schedules): the system clock in production, a hand-set one in tests, so a
// test can advance three days without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
  std::string NowIso() const { return IsoOfMillis(NowMillis()); }
};

const Clock& SystemClock();

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t ms) : ms_(ms) {}
  int64_t NowMillis() const override { return ms_; }
  void Set(int64_t ms) { ms_ = ms; }
  void Advance(int64_t ms) { ms_ += ms; }

 private:
  int64_t ms_;
};

}  // namespace weft
