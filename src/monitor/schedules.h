// Scheduled derived products: which are due to run and which missed a run.
// A derived product runs on its own when its descriptor says so
// (spec/schedule.h: weft.schedule, weft.runOnUpstream); the monitor pass
// finds the due ones and the service runs them, one at a time.
//
//   for (const ScheduleWatch& w : ScheduleWatches(store)) if (auto why = DueReason(w, now)) run(w.product_id);
//
// Thread safety: pure functions, and one store read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "monitor/incidents.h"
#include "spec/schedule.h"

namespace weft::monitor {

struct ScheduleWatch {
  std::string product_id;
  std::optional<spec::Schedule> schedule;
  std::string schedule_error;  // weft.schedule that does not parse
  bool on_upstream = false;
  std::optional<int64_t> last_run_ms;      // the latest run attempt, whatever its outcome
  std::optional<int64_t> newest_input_ms;  // the newest snapshot of any input
};

// Derived products with a schedule or weft.runOnUpstream.
Result<std::vector<ScheduleWatch>> ScheduleWatches(catalog::Store& store);

// Why `w` should run at `now_ms` ("schedule every 1h", "input snapshot"),
// or nothing.
std::optional<std::string> DueReason(const ScheduleWatch& w, int64_t now_ms);

// How late a run may start before it counts as missed.
inline constexpr int64_t kMissedRunGraceMs = 15 * 60'000;

// A run the schedule asked for that did not start within the grace period
// (the scheduler was down), or a schedule that cannot be read.
std::optional<Finding> ScheduleFinding(const ScheduleWatch& w, int64_t now_ms);

}  // namespace weft::monitor
