#include "spec/schedule.h"

#include <charconv>
#include <ctime>
#include <vector>

#include "common/strings.h"

namespace weft::spec {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr const char* kForm =
    "a schedule is 'every N' with a unit m, h or d (\"every 30m\"), or a 5-field cron in UTC (\"0 6 * * 1-5\")";

std::optional<int> Int(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// One cron field into `bits` (values lo..hi).
template <size_t N>
Status Field(std::string_view text, int lo, int hi, const char* name, std::bitset<N>& bits) {
  for (const auto& part : Split(std::string(text), ',')) {
    std::string range = part;
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      auto s = Int(std::string_view(part).substr(slash + 1));
      if (!s || *s < 1) return Status::InvalidArgument(std::string("the step of the ") + name + " field must be 1 or more");
      step = *s;
      range = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (range != "*") {
      auto dash = range.find('-');
      auto first = Int(std::string_view(range).substr(0, dash));
      auto last = dash == std::string::npos ? first : Int(std::string_view(range).substr(dash + 1));
      if (!first || !last) return Status::InvalidArgument(std::string("the ") + name + " field '" + std::string(text) + "' is not a number, range or *");
      a = *first;
      b = dash == std::string::npos && part.find('/') != std::string::npos ? hi : *last;
    }
    if (a < lo || b > hi || a > b)
      return Status::InvalidArgument(std::string("the ") + name + " field must be within " + std::to_string(lo) + "-" +
                                     std::to_string(hi) + ", not '" + std::string(text) + "'");
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(v == 7 && hi == 7 ? 0 : v));
  }
  return Status::Ok();
}

}  // namespace

Result<Schedule> ParseSchedule(const std::string& text) {
  Schedule s;
  s.text = text;
  const std::string t(Trim(text));
  if (StartsWith(t, "every ")) {
    std::string n(Trim(t.substr(6)));
    if (n.empty()) return Status::InvalidArgument("'" + text + "': " + kForm);
    const char unit = n.back();
    auto count = Int(std::string_view(n).substr(0, n.size() - 1));
    const int64_t unit_ms = unit == 'm' ? kMinuteMs : unit == 'h' ? 60 * kMinuteMs : unit == 'd' ? 1440 * kMinuteMs : 0;
    if (!count || *count < 1 || unit_ms == 0) return Status::InvalidArgument("'" + text + "': " + kForm);
    s.interval_ms = *count * unit_ms;
    return s;
  }
  std::vector<std::string> f;
  for (const auto& p : Split(t, ' '))
    if (!p.empty()) f.push_back(p);
  if (f.size() != 5) return Status::InvalidArgument("'" + text + "': " + kForm);
  RETURN_IF_ERROR(Field(f[0], 0, 59, "minute", s.minutes));
  RETURN_IF_ERROR(Field(f[1], 0, 23, "hour", s.hours));
  RETURN_IF_ERROR(Field(f[2], 1, 31, "day-of-month", s.days));
  RETURN_IF_ERROR(Field(f[3], 1, 12, "month", s.months));
  RETURN_IF_ERROR(Field(f[4], 0, 7, "day-of-week", s.weekdays));
  s.any_day = f[2] == "*";
  s.any_weekday = f[4] == "*";
  return s;
}

std::optional<int64_t> Schedule::NextAfter(int64_t after_ms) const {
  if (interval_ms > 0) return after_ms + interval_ms;
  // Minute by minute, skipping whole days and hours that cannot match.
  int64_t t = (after_ms / kMinuteMs + 1) * kMinuteMs;
  const int64_t limit = after_ms + int64_t{5} * 366 * 1440 * kMinuteMs;
  while (t < limit) {
    const time_t secs = static_cast<time_t>(t / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    const bool day_ok = any_day && any_weekday ? true
                        : any_day              ? weekdays.test(static_cast<size_t>(tm.tm_wday))
                        : any_weekday          ? days.test(static_cast<size_t>(tm.tm_mday))
                                               : days.test(static_cast<size_t>(tm.tm_mday)) ||
                                        weekdays.test(static_cast<size_t>(tm.tm_wday));
    if (!months.test(static_cast<size_t>(tm.tm_mon + 1)) || !day_ok) {
      t += (1440 - tm.tm_hour * 60 - tm.tm_min) * kMinuteMs;  // the next midnight
      continue;
    }
    if (!hours.test(static_cast<size_t>(tm.tm_hour))) {
      t += (60 - tm.tm_min) * kMinuteMs;
      continue;
    }
    if (minutes.test(static_cast<size_t>(tm.tm_min))) return t;
    t += kMinuteMs;
  }
  return std::nullopt;
}

}  // namespace weft::spec
