// The one SLA model: units (m is the minute, M the month), synonyms, value
// forms and which way each property gets stronger.
#include "spec/sla.h"

#include <gtest/gtest.h>

namespace weft::spec {
namespace {

SlaProperty Sla(const std::string& property, Json value, const std::string& unit = "") {
  SlaProperty s;
  s.property = property;
  s.value = std::move(value);
  s.unit = unit;
  return s;
}

TEST(SlaModelTest, LowerMIsTheMinuteAndUpperMTheMonth) {
  EXPECT_DOUBLE_EQ(*DurationUnitSeconds("m"), 60);
  EXPECT_DOUBLE_EQ(*DurationUnitSeconds("M"), 2629746);
  EXPECT_DOUBLE_EQ(*DurationUnitSeconds("months"), 2629746);
  EXPECT_DOUBLE_EQ(*DurationUnitSeconds("Min"), 60);
  EXPECT_DOUBLE_EQ(12 * *DurationUnitSeconds("M"), *DurationUnitSeconds("y"));
  EXPECT_DOUBLE_EQ(*SlaDurationSeconds(Sla("latency", "1M")), 2629746);
  EXPECT_DOUBLE_EQ(*SlaDurationSeconds(Sla("latency", "90 m")), 5400);
}

TEST(SlaModelTest, TheStandardsUnitSpellingsAreDurations) {
  for (const char* u : {"d", "day", "days", "D", "y", "yr", "years", "h", "hr", "hours", "s", "sec", "seconds", "ms"})
    EXPECT_TRUE(DurationUnitSeconds(u).has_value()) << u;
  EXPECT_FALSE(DurationUnitSeconds("fortnight").has_value());
  EXPECT_FALSE(DurationUnitSeconds("%").has_value());
  EXPECT_TRUE(IsPercentUnit("%"));
  EXPECT_TRUE(IsPercentUnit("percent"));
}

TEST(SlaModelTest, ValuesAreNumbersOrNumbersWithAUnit) {
  EXPECT_DOUBLE_EQ(*SlaDurationSeconds(Sla("latency", 4, "h")), 4 * 3600);
  EXPECT_DOUBLE_EQ(*SlaDurationSeconds(Sla("latency", "4", "h")), 4 * 3600);  // the schema allows a string
  EXPECT_DOUBLE_EQ(*SlaDurationSeconds(Sla("latency", "2 days", "h")), 2 * 86400);  // the suffix wins
  EXPECT_FALSE(SlaDurationSeconds(Sla("latency", 4)).has_value());  // a duration needs a unit
  EXPECT_FALSE(SlaDurationSeconds(Sla("latency", "soon", "h")).has_value());
  EXPECT_DOUBLE_EQ(*SlaPercent(Sla("availability", "99.9%")), 99.9);
  EXPECT_DOUBLE_EQ(*SlaPercent(Sla("availability", 99, "percent")), 99);
  EXPECT_DOUBLE_EQ(*SlaPercent(Sla("availability", 99)), 99);
  EXPECT_FALSE(SlaPercent(Sla("availability", 120)).has_value());
  EXPECT_FALSE(SlaPercent(Sla("availability", 1, "h")).has_value());
  EXPECT_FALSE(ParseSlaQuantity("09:00-08:00", "").has_value());
}

TEST(SlaModelTest, PropertiesAreCaseInsensitiveWithTheStandardsSynonyms) {
  EXPECT_EQ(FindSlaProperty("LATENCY")->name, "latency");
  EXPECT_EQ(FindSlaProperty("ly")->name, "latency");
  EXPECT_EQ(FindSlaProperty("freshness")->name, "latency");
  EXPECT_EQ(FindSlaProperty("av")->name, "availability");
  EXPECT_EQ(FindSlaProperty("td")->name, "timeToDetect");
  EXPECT_EQ(FindSlaProperty("el")->kind, SlaKind::kDate);
  EXPECT_EQ(FindSlaProperty("sparkle"), nullptr);
}

TEST(SlaModelTest, EachPropertyRanksInItsOwnDirection) {
  // Shorter latency, frequency and time to repair are stronger promises.
  EXPECT_EQ(CompareSla(Sla("latency", 1, "M"), Sla("latency", 90, "m")), 1);
  EXPECT_EQ(CompareSla(Sla("latency", 90, "m"), Sla("latency", 1, "M")), -1);
  EXPECT_EQ(CompareSla(Sla("frequency", 1, "d"), Sla("frequency", 1, "w")), -1);
  EXPECT_EQ(CompareSla(Sla("timeToRepair", 4, "h"), Sla("tr", 2, "h")), 1);
  // Longer retention, higher availability, lower error rate are stronger.
  EXPECT_EQ(CompareSla(Sla("retention", 1, "y"), Sla("retention", 6, "M")), -1);
  EXPECT_EQ(CompareSla(Sla("availability", 99), Sla("availability", "99.9%")), 1);
  EXPECT_EQ(CompareSla(Sla("errorRate", 1, "%"), Sla("errorRate", 2, "%")), -1);
  // A later end of life is stronger; a moved general availability is not ranked.
  EXPECT_EQ(CompareSla(Sla("endOfLife", "2030-01-01"), Sla("endOfLife", "2031-01-01")), 1);
  EXPECT_EQ(CompareSla(Sla("generalAvailability", "2030-01-01"), Sla("generalAvailability", "2031-01-01")),
            std::nullopt);
  // The same promise in other units is no change.
  EXPECT_EQ(CompareSla(Sla("latency", 4, "h"), Sla("latency", 240, "min")), 0);
  EXPECT_EQ(CompareSla(Sla("retention", 1, "years"), Sla("retention", 12, "M")), 0);
  // Different dimensions cannot be ranked.
  EXPECT_EQ(CompareSla(Sla("latency", 4, "h"), Sla("latency", 4)), std::nullopt);
  EXPECT_EQ(CompareSla(Sla("sparkle", 1, "h"), Sla("sparkle", 2, "h")), std::nullopt);
}

TEST(SlaModelTest, AnEarlierDeadlineIsStrongerAcrossOffsetsAndMidnight) {
  // 09:00-08:00 is 17:00 UTC; 18:00Z is an hour later.
  EXPECT_EQ(CompareSla(Sla("timeOfAvailability", "09:00-08:00"), Sla("timeOfAvailability", "18:00Z")), -1);
  EXPECT_EQ(CompareSla(Sla("timeOfAvailability", "09:00-08:00"), Sla("timeOfAvailability", "17:00")), 0);
  EXPECT_EQ(CompareSla(Sla("timeOfAvailability", "23:30Z"), Sla("timeOfAvailability", "00:30Z")), -1);
  EXPECT_EQ(CompareSla(Sla("timeOfAvailability", "00:00Z"), Sla("timeOfAvailability", "12:00Z")), std::nullopt);
}

TEST(SlaModelTest, TimesOfDayTakeTheirOffsetFromTheValueOrTheZone) {
  auto t = ParseTimeOfDay("09:30-08:00", "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->seconds, 9 * 3600 + 30 * 60);
  EXPECT_EQ(t->offset_seconds, -8 * 3600);
  EXPECT_EQ(ParseTimeOfDay("09:30", "+01:00")->offset_seconds, 3600);
  EXPECT_EQ(ParseTimeOfDay("09:30:15Z", "")->seconds, 9 * 3600 + 30 * 60 + 15);
  EXPECT_FALSE(ParseTimeOfDay("25:00", "").has_value());
  EXPECT_FALSE(ParseTimeOfDay("nine", "").has_value());
}

}  // namespace
}  // namespace weft::spec
