#include "spec/schedule.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace weft::spec {
namespace {

int64_t At(const char* iso) { return *ParseIsoMillis(iso); }
std::string Next(const std::string& schedule, const char* after) {
  auto s = ParseSchedule(schedule);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto next = s->NextAfter(At(after));
  return next ? IsoOfMillis(*next) : "never";
}

TEST(ScheduleTest, IntervalsAddToTheLastRun) {
  EXPECT_EQ(Next("every 30m", "2026-12-05T10:00:00Z"), "2026-12-05T10:30:00.000Z");
  EXPECT_EQ(Next("every 6h", "2026-12-05T10:00:00Z"), "2026-12-05T16:00:00.000Z");
  EXPECT_EQ(Next("every 1d", "2026-12-05T10:00:00Z"), "2026-12-06T10:00:00.000Z");
}

TEST(ScheduleTest, CronFieldsInUtc) {
  EXPECT_EQ(Next("0 * * * *", "2026-12-05T10:00:00Z"), "2026-12-05T11:00:00.000Z");  // strictly after
  EXPECT_EQ(Next("*/15 * * * *", "2026-12-05T10:07:30Z"), "2026-12-05T10:15:00.000Z");
  EXPECT_EQ(Next("0 6 * * 1-5", "2026-12-05T10:00:00Z"), "2026-12-07T06:00:00.000Z");  // Saturday -> Monday
  EXPECT_EQ(Next("30 2 1,15 * *", "2026-12-05T10:00:00Z"), "2026-12-15T02:30:00.000Z");
  EXPECT_EQ(Next("0 0 * * 7", "2026-12-05T10:00:00Z"), "2026-12-06T00:00:00.000Z");  // 7 is Sunday
  // Both day fields restricted: either matches (cron's rule).
  EXPECT_EQ(Next("0 0 13 * 5", "2026-12-05T10:00:00Z"), "2026-12-11T00:00:00.000Z");
  EXPECT_EQ(Next("0 0 31 2 *", "2026-12-05T10:00:00Z"), "never");
}

TEST(ScheduleTest, BadSchedulesSayWhatAGoodOneIs) {
  for (const char* bad : {"", "hourly", "every", "every 0h", "every 5s", "0 * * *", "61 * * * *", "* 24 * * *",
                          "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "a * * * *", "5-1 * * * *"}) {
    auto s = ParseSchedule(bad);
    EXPECT_FALSE(s.ok()) << bad;
  }
  EXPECT_NE(ParseSchedule("hourly").status().message().find("every 30m"), std::string::npos);
}

}  // namespace
}  // namespace weft::spec
