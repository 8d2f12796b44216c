// When a derived product runs on its own: the descriptor's customProperties
//   weft.schedule       "every 30m" | "every 6h" | "every 1d" | a 5-field cron
//                       ("0 6 * * 1-5": minute hour day-of-month month day-of-week, UTC)
//   weft.runOnUpstream  true: also run when an input commits a new snapshot
//
//   ASSIGN_OR_RETURN(Schedule s, ParseSchedule("15 */2 * * *"));
//   std::optional<int64_t> next = s.NextAfter(last_run_ms);
//
// Cron fields take *, N, A-B, */S, A-B/S and lists of those; day-of-week 0
// or 7 is Sunday. As in cron, when both day fields are restricted a day
// matching either one is a match.
//
// Thread safety: pure.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace weft::spec {

struct Schedule {
  std::string text;          // as written
  int64_t interval_ms = 0;   // "every …"; 0: cron
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday
  bool any_day = true, any_weekday = true;

  // The first scheduled time strictly after `after_ms`; nullopt when none
  // within about five years (e.g. "0 0 31 2 *").
  std::optional<int64_t> NextAfter(int64_t after_ms) const;
};

// A bad schedule is an error that says what a good one looks like.
Result<Schedule> ParseSchedule(const std::string& text);

}  // namespace weft::spec
