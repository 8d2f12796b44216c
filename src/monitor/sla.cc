#include "monitor/sla.h"

#include <cmath>
#include <cstdio>
#include <set>

#include "common/strings.h"
#include "common/time.h"
#include "spec/sla.h"

namespace weft::monitor {

namespace {

constexpr int64_t kDayMs = 86400000;

// A compaction (quality/compactor.h) rewrites files, not data: it is no
// publish to the SLAs, and never makes a stalled product look fresh.
bool IsCompaction(const catalog::PublishRecord& p) { return p.mode == "compact"; }

bool Succeeded(const catalog::PublishRecord& p) { return p.outcome == "published" && !IsCompaction(p); }

int64_t EndOf(const catalog::PublishRecord& p) {
  return ParseIsoMillis(p.finished_at.empty() ? p.started_at : p.finished_at).value_or(0);
}

std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v);
  return buf;
}

SlaResult Judge(const spec::SlaProperty& sla, const SlaInput& in) {
  SlaResult r{.property = sla.property, .id = sla.id};
  // By the standard's name, whichever synonym the contract wrote.
  const spec::SlaPropertyInfo* info = spec::FindSlaProperty(sla.property);
  const std::string_view kind = info ? info->name : std::string_view();
  const int64_t window_start = in.now_ms - static_cast<int64_t>(in.window_days) * kDayMs;
  const catalog::PublishRecord* last_good = nullptr;
  for (const auto& p : in.publishes)
    if (Succeeded(p)) {
      last_good = &p;
      break;
    }
  auto duration_target = [&]() -> bool {
    auto seconds = spec::SlaDurationSeconds(sla);
    if (!seconds) {
      r.state = SlaState::kUnknown;
      r.detail = "value " + sla.value.dump() + " " + sla.unit + " is not a duration";
      return false;
    }
    r.target = *seconds;
    r.unit = "seconds";
    return true;
  };
  auto percent_target = [&]() -> bool {
    auto value = spec::SlaPercent(sla);
    if (!value) {
      r.state = SlaState::kUnknown;
      r.detail = "value " + sla.value.dump() + " is not a percentage";
      return false;
    }
    r.target = *value;
    r.unit = "percent";
    return true;
  };

  if (kind == "latency") {
    if (!duration_target()) return r;
    if (in.snapshots.empty()) {
      r.detail = "never published";
      return r;
    }
    auto created = ParseIsoMillis(in.snapshots.front().created_at);
    if (!created) return r;
    r.actual = static_cast<double>(in.now_ms - *created) / 1000;
    r.state = *r.actual <= *r.target ? SlaState::kMet : SlaState::kBreached;
    r.detail = "the current snapshot is " + DurationText(*r.actual) + " old; at most " + DurationText(*r.target) + " promised";
  } else if (kind == "frequency") {
    if (!duration_target()) return r;
    if (!last_good) {
      r.detail = "never published";
      return r;
    }
    r.actual = static_cast<double>(in.now_ms - EndOf(*last_good)) / 1000;
    r.state = *r.actual <= *r.target ? SlaState::kMet : SlaState::kBreached;
    r.detail = "last successful publish " + DurationText(*r.actual) + " ago; one every " + DurationText(*r.target) + " promised";
  } else if (kind == "availability") {
    if (!percent_target()) return r;
    int64_t attempts = 0, good = 0;
    for (const auto& p : in.publishes) {
      if (EndOf(p) < window_start || p.mode == "rollback" || IsCompaction(p)) continue;
      ++attempts;
      good += Succeeded(p) ? 1 : 0;
    }
    if (attempts == 0) {
      r.detail = "no publish in the last " + std::to_string(in.window_days) + " days";
      return r;
    }
    r.actual = 100.0 * static_cast<double>(good) / static_cast<double>(attempts);
    r.state = *r.actual >= *r.target ? SlaState::kMet : SlaState::kBreached;
    r.detail = std::to_string(good) + " of " + std::to_string(attempts) + " publishes in the last " +
               std::to_string(in.window_days) + " days succeeded (" + Percent(*r.actual) + "); " + Percent(*r.target) + " promised";
  } else if (kind == "retention") {
    if (!duration_target()) return r;
    std::set<std::string> kept;
    for (const auto& s : in.snapshots) kept.insert(s.id);
    int64_t expired_young = 0;
    for (const auto& p : in.publishes)
      if (Succeeded(p) && !p.snapshot_id.empty() && !kept.count(p.snapshot_id) &&
          static_cast<double>(in.now_ms - EndOf(p)) / 1000 < *r.target)
        ++expired_young;
    if (!in.snapshots.empty())
      if (auto oldest = ParseIsoMillis(in.snapshots.back().created_at)) r.actual = static_cast<double>(in.now_ms - *oldest) / 1000;
    r.state = expired_young ? SlaState::kBreached : SlaState::kMet;
    r.detail = expired_young ? std::to_string(expired_young) + " snapshot(s) younger than " + DurationText(*r.target) +
                                   " were expired (gc retention is shorter than the SLA)"
                             : "no snapshot younger than " + DurationText(*r.target) + " was expired";
  } else if (kind == "timeOfAvailability") {
    auto tod = sla.value.is_string() ? spec::ParseTimeOfDay(sla.value.get<std::string>(), spec::SlaZone(sla)) : std::nullopt;
    if (!tod) {
      r.detail = "value " + sla.value.dump() + " is not a time of day (HH:MM, optionally with a UTC offset)";
      return r;
    }
    const int64_t offset_ms = tod->offset_seconds * 1000;
    const int64_t local_now = in.now_ms + offset_ms;
    int64_t deadline_local = (local_now >= 0 ? local_now / kDayMs : (local_now - kDayMs + 1) / kDayMs) * kDayMs + tod->seconds * 1000;
    if (deadline_local > local_now) deadline_local -= kDayMs;
    const int64_t deadline = deadline_local - offset_ms;
    r.unit = "seconds";
    r.target = static_cast<double>(tod->seconds);
    const catalog::PublishRecord* first = in.publishes.empty() ? nullptr : &in.publishes.back();
    if (!first || EndOf(*first) > deadline) {
      r.detail = "no deadline has passed since the first publish";
      return r;
    }
    bool on_time = false;
    for (const auto& p : in.publishes)
      if (Succeeded(p) && EndOf(p) > deadline - kDayMs && EndOf(p) <= deadline) on_time = true;
    r.state = on_time ? SlaState::kMet : SlaState::kBreached;
    r.detail = std::string(on_time ? "published" : "no successful publish") + " in the 24 h before the deadline " +
               IsoOfMillis(deadline);
  } else if (kind == "qualityPassRate") {
    if (!percent_target()) return r;
    int64_t in_rows = 0, kept = 0;
    for (const auto& p : in.publishes) {
      if (EndOf(p) < window_start || p.mode == "rollback" || IsCompaction(p) || p.outcome == "failed") continue;
      in_rows += p.rows_in;
      kept += p.rows_in - p.rows_quarantined;
    }
    if (in_rows == 0) {
      r.detail = "no rows checked in the last " + std::to_string(in.window_days) + " days";
      return r;
    }
    r.actual = 100.0 * static_cast<double>(kept) / static_cast<double>(in_rows);
    r.state = *r.actual >= *r.target ? SlaState::kMet : SlaState::kBreached;
    r.detail = std::to_string(kept) + " of " + std::to_string(in_rows) + " rows passed in the last " +
               std::to_string(in.window_days) + " days (" + Percent(*r.actual) + "); " + Percent(*r.target) + " promised";
  } else {
    r.state = SlaState::kNotMonitored;
    r.detail = "a date or a property weft does not measure";
  }
  return r;
}

}  // namespace

const char* SlaStateName(SlaState s) {
  switch (s) {
    case SlaState::kMet: return "met";
    case SlaState::kBreached: return "breached";
    case SlaState::kUnknown: return "unknown";
    case SlaState::kNotMonitored: return "not monitored";
  }
  return "unknown";
}

std::string DurationText(double seconds) {
  const double a = std::fabs(seconds);
  char buf[48];
  if (a >= 2 * 86400) std::snprintf(buf, sizeof buf, "%.1f d", seconds / 86400);
  else if (a >= 2 * 3600) std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  else if (a >= 120) std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  return buf;
}

std::vector<SlaResult> EvaluateSla(const SlaInput& in) {
  std::vector<SlaResult> out;
  for (const auto& s : in.sla) out.push_back(Judge(s, in));
  return out;
}

}  // namespace weft::monitor
