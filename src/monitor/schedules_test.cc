// Schedules firing on time, on an upstream publish, and runs missed, at
// hand-set times.
#include "monitor/schedules.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace weft::monitor {
namespace {

int64_t At(const char* iso) { return *ParseIsoMillis(iso); }

ScheduleWatch Hourly() {
  return {.product_id = "finance.revenue_daily", .schedule = *spec::ParseSchedule("0 * * * *"), .schedule_error = "",
          .on_upstream = false, .last_run_ms = At("2026-12-05T10:00:05Z"), .newest_input_ms = std::nullopt};
}

TEST(SchedulesTest, ACronScheduleIsDueAtItsNextTimeAndNotBefore) {
  ScheduleWatch w = Hourly();
  EXPECT_FALSE(DueReason(w, At("2026-12-05T10:59:59Z")));
  EXPECT_EQ(DueReason(w, At("2026-12-05T11:00:00Z")).value_or(""), "schedule 0 * * * *");
  w.last_run_ms.reset();
  EXPECT_EQ(DueReason(w, At("2026-12-05T10:30:00Z")).value_or(""), "schedule 0 * * * * (first run)");
}

TEST(SchedulesTest, AnUpstreamPublishMakesARunDue) {
  ScheduleWatch w{.product_id = "finance.revenue_daily", .schedule = std::nullopt, .schedule_error = "",
                  .on_upstream = true, .last_run_ms = At("2026-12-05T10:00:00Z"),
                  .newest_input_ms = At("2026-12-05T09:00:00Z")};
  EXPECT_FALSE(DueReason(w, At("2026-12-05T12:00:00Z")));
  w.newest_input_ms = At("2026-12-05T11:00:00Z");
  EXPECT_EQ(DueReason(w, At("2026-12-05T11:00:01Z")).value_or(""), "an input committed a new snapshot");
}

TEST(SchedulesTest, ARunNotStartedWithinTheGraceIsMissed) {
  ScheduleWatch w = Hourly();
  EXPECT_FALSE(ScheduleFinding(w, At("2026-12-05T11:10:00Z")));
  auto missed = ScheduleFinding(w, At("2026-12-05T11:20:00Z"));
  ASSERT_TRUE(missed);
  EXPECT_EQ(missed->condition, "schedule:missed");
  EXPECT_EQ(missed->subject, "2026-12-05T11:00:00.000Z");
  // A run since clears it.
  w.last_run_ms = At("2026-12-05T11:21:00Z");
  EXPECT_FALSE(ScheduleFinding(w, At("2026-12-05T11:22:00Z")));
  // An unreadable schedule is a finding of its own.
  ScheduleWatch bad{.product_id = "x.y", .schedule = std::nullopt, .schedule_error = "'hourly': a schedule is …"};
  EXPECT_EQ(ScheduleFinding(bad, 0)->condition, "schedule:invalid");
}

}  // namespace
}  // namespace weft::monitor
