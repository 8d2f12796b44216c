#include "spec/sla.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "common/strings.h"

namespace weft::spec {

namespace {

constexpr double kDay = 86400;
constexpr double kYear = 365.2425 * kDay;

struct UnitInfo {
  double factor;
  SlaQuantity::Dimension dimension;
};

struct UnitGroup {
  std::vector<const char*> names;  // the first is the one messages show
  UnitInfo info;
};

// The table of sla.h, in size order.
const std::vector<UnitGroup>& UnitGroups() {
  using D = SlaQuantity::Dimension;
  static const std::vector<UnitGroup> k = {
      {{"ms", "millisecond", "milliseconds"}, {0.001, D::kSeconds}},
      {{"s", "sec", "secs", "second", "seconds"}, {1, D::kSeconds}},
      {{"m", "min", "mins", "minute", "minutes"}, {60, D::kSeconds}},
      {{"h", "hr", "hrs", "hour", "hours"}, {3600, D::kSeconds}},
      {{"d", "day", "days"}, {kDay, D::kSeconds}},
      {{"w", "wk", "wks", "week", "weeks"}, {7 * kDay, D::kSeconds}},
      {{"M", "mo", "month", "months"}, {kYear / 12, D::kSeconds}},
      {{"y", "yr", "yrs", "year", "years"}, {kYear, D::kSeconds}},
      {{"%", "percent", "pct"}, {1, D::kPercent}},
  };
  return k;
}

// Keys are lower-case, except "M", which is looked up before lower-casing.
const std::map<std::string, UnitInfo>& Units() {
  static const std::map<std::string, UnitInfo> k = [] {
    std::map<std::string, UnitInfo> m;
    for (const auto& g : UnitGroups())
      for (const char* name : g.names) m[name] = g.info;
    return m;
  }();
  return k;
}

const UnitInfo* FindUnit(std::string_view unit) {
  unit = Trim(unit);
  const auto& units = Units();
  // "M" is the month and "m" the minute; every other name ignores case.
  auto it = unit == "M" ? units.find("M") : units.find(ToLower(unit));
  return it == units.end() ? nullptr : &it->second;
}

}  // namespace

const std::vector<SlaPropertyInfo>& SlaProperties() {
  using K = SlaKind;
  using D = SlaDirection;
  static const std::vector<SlaPropertyInfo> k = {
      {"availability", {"av", "uptime"}, K::kPercent, D::kLargerIsStronger},
      {"throughput", {"th"}, K::kQuantity, D::kLargerIsStronger},
      {"errorRate", {"er"}, K::kPercent, D::kSmallerIsStronger},
      {"generalAvailability", {"ga"}, K::kDate, D::kUnranked},
      {"endOfSupport", {"es"}, K::kDate, D::kLargerIsStronger},
      {"endOfLife", {"el"}, K::kDate, D::kLargerIsStronger},
      {"retention", {"re"}, K::kDuration, D::kLargerIsStronger},
      {"frequency", {"fy"}, K::kDuration, D::kSmallerIsStronger},
      {"latency", {"ly", "freshness"}, K::kDuration, D::kSmallerIsStronger},
      {"timeToDetect", {"td"}, K::kDuration, D::kSmallerIsStronger},
      {"timeToNotify", {"tn"}, K::kDuration, D::kSmallerIsStronger},
      {"timeToRepair", {"tr"}, K::kDuration, D::kSmallerIsStronger},
      {"timeOfAvailability", {}, K::kTimeOfDay, D::kSmallerIsStronger},
      {"qualityPassRate", {}, K::kPercent, D::kLargerIsStronger},
  };
  return k;
}

const SlaPropertyInfo* FindSlaProperty(std::string_view property) {
  const std::string key = ToLower(Trim(property));
  for (const auto& info : SlaProperties()) {
    if (ToLower(info.name) == key) return &info;
    for (std::string_view s : info.synonyms)
      if (s == key) return &info;
  }
  return nullptr;
}

std::optional<double> DurationUnitSeconds(std::string_view unit) {
  const UnitInfo* u = FindUnit(unit);
  if (!u || u->dimension != SlaQuantity::Dimension::kSeconds) return std::nullopt;
  return u->factor;
}

bool IsPercentUnit(std::string_view unit) {
  const UnitInfo* u = FindUnit(unit);
  return u && u->dimension == SlaQuantity::Dimension::kPercent;
}

const std::vector<std::string>& DurationUnitNames() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> names;
    for (const auto& g : UnitGroups())
      if (g.info.dimension == SlaQuantity::Dimension::kSeconds) names.emplace_back(g.names.front());
    return names;
  }();
  return k;
}

std::optional<std::pair<double, std::string>> SplitSlaValue(const Json& value) {
  double v = 0;
  std::string suffix;
  if (value.is_number()) {
    v = value.get<double>();
  } else if (value.is_string()) {
    std::string_view s = Trim(value.get_ref<const std::string&>());
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc()) return std::nullopt;
    suffix = std::string(Trim(std::string_view(end, static_cast<size_t>(s.data() + s.size() - end))));
    if (!suffix.empty() && !FindUnit(suffix)) return std::nullopt;  // "09:00-17:00" is no quantity
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(v)) return std::nullopt;
  return std::pair<double, std::string>{v, suffix};
}

std::optional<SlaQuantity> ParseSlaQuantity(const Json& value, std::string_view unit) {
  auto split = SplitSlaValue(value);
  if (!split) return std::nullopt;
  const double v = split->first;
  std::string_view u = split->second.empty() ? Trim(unit) : std::string_view(split->second);
  if (u.empty()) return SlaQuantity{.value = v, .dimension = SlaQuantity::Dimension::kNone, .other_unit = ""};
  if (const UnitInfo* known = FindUnit(u))
    return SlaQuantity{.value = v * known->factor, .dimension = known->dimension, .other_unit = ""};
  return SlaQuantity{.value = v, .dimension = SlaQuantity::Dimension::kOther, .other_unit = ToLower(u)};
}

std::optional<double> SlaDurationSeconds(const SlaProperty& sla) {
  auto q = ParseSlaQuantity(sla.value, sla.unit);
  if (!q || q->dimension != SlaQuantity::Dimension::kSeconds) return std::nullopt;
  return q->value;
}

std::optional<double> SlaPercent(const SlaProperty& sla) {
  auto q = ParseSlaQuantity(sla.value, sla.unit);
  if (!q || (q->dimension != SlaQuantity::Dimension::kPercent && q->dimension != SlaQuantity::Dimension::kNone))
    return std::nullopt;
  if (q->value < 0 || q->value > 100) return std::nullopt;
  return q->value;
}

bool IsSlaDate(const Json& value) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  if (s.size() < 10) return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return s[4] == '-' && s[7] == '-' && (s.size() == 10 || s[10] == 'T' || s[10] == ' ');
}

std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text_in, std::string_view zone) {
  const std::string text(Trim(text_in));
  int h = 0, m = 0, s = 0, n = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d%n", &h, &m, &n) != 2) return std::nullopt;
  size_t at = static_cast<size_t>(n);
  if (at < text.size() && text[at] == ':') {
    int k = 0;
    if (std::sscanf(text.c_str() + at, ":%2d%n", &s, &k) != 1) return std::nullopt;
    at += static_cast<size_t>(k);
  }
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
  auto offset_of = [](std::string z) -> std::optional<int64_t> {
    z = std::string(Trim(z));
    if (z.empty() || z == "Z" || z == "UTC" || z == "GMT") return 0;
    int oh = 0, om = 0;
    char sign = z[0];
    if (sign != '+' && sign != '-') return std::nullopt;
    if (std::sscanf(z.c_str() + 1, "%2d:%2d", &oh, &om) < 1 && std::sscanf(z.c_str() + 1, "%2d%2d", &oh, &om) < 1)
      return std::nullopt;
    if (oh > 14 || om > 59) return std::nullopt;
    return (sign == '-' ? -1 : 1) * static_cast<int64_t>(oh * 3600 + om * 60);
  };
  std::optional<int64_t> offset = offset_of(at < text.size() ? text.substr(at) : std::string(zone));
  if (!offset) return std::nullopt;
  return TimeOfDay{.seconds = h * 3600 + m * 60 + s, .offset_seconds = *offset};
}

std::string SlaZone(const SlaProperty& sla) {
  return sla.unit.empty() && sla.value_ext.is_string() ? sla.value_ext.get<std::string>() : sla.unit;
}

std::optional<int> CompareSla(const SlaProperty& a, const SlaProperty& b) {
  const SlaPropertyInfo* info = FindSlaProperty(a.property);
  // A new-minus-old difference in the property's own measure; its sign and
  // the property's direction give the verdict.
  std::optional<double> delta;
  if (IsSlaDate(a.value) && IsSlaDate(b.value)) {
    int c = b.value.get_ref<const std::string&>().compare(a.value.get_ref<const std::string&>());
    delta = c;
  } else if (info && info->kind == SlaKind::kTimeOfDay) {
    auto ta = a.value.is_string() ? ParseTimeOfDay(a.value.get<std::string>(), SlaZone(a)) : std::nullopt;
    auto tb = b.value.is_string() ? ParseTimeOfDay(b.value.get<std::string>(), SlaZone(b)) : std::nullopt;
    if (ta && tb) {
      // Deadlines in UTC, on a circle: the shorter way round says which is
      // earlier; twelve hours apart either way is no ranking.
      int64_t d = ((tb->seconds - tb->offset_seconds) - (ta->seconds - ta->offset_seconds)) % 86400;
      if (d > 43200) d -= 86400;
      if (d < -43200) d += 86400;
      if (d == 43200 || d == -43200) return std::nullopt;
      delta = static_cast<double>(d);
    }
  } else if (info && info->kind == SlaKind::kPercent) {
    auto pa = SlaPercent(a), pb = SlaPercent(b);  // 99 and "99.9%" are both percentages
    if (pa && pb) delta = *pb - *pa;
  } else {
    auto qa = ParseSlaQuantity(a.value, a.unit), qb = ParseSlaQuantity(b.value, b.unit);
    if (qa && qb && qa->SameDimension(*qb)) delta = qb->value - qa->value;
  }
  if (!delta) {
    if (a.value == b.value && a.unit == b.unit) return 0;
    return std::nullopt;
  }
  if (*delta == 0) return 0;
  if (!info || info->direction == SlaDirection::kUnranked) return std::nullopt;
  int sign = *delta > 0 ? 1 : -1;
  return info->direction == SlaDirection::kLargerIsStronger ? sign : -sign;
}

}  // namespace weft::spec
