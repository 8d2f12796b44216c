#include "monitor/schedules.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/strings.h"
#include "common/time.h"
#include "monitor/sla.h"
#include "spec/loader.h"

namespace weft::monitor {
namespace {

// An input port names a product as "domain.product", optionally with
// "@vN" or "_vN" for a major.
std::string InputProduct(const std::string& name, const std::map<std::string, int64_t>& newest) {
  std::string id = Split(name, '@')[0];
  if (newest.contains(id)) return id;
  if (auto v = id.rfind("_v"); v != std::string::npos) id = id.substr(0, v);
  return id;
}

const spec::Json* Custom(const spec::DataProduct& d, std::string_view name) {
  for (const auto& cp : d.custom_properties)
    if (cp.property == name) return &cp.value;
  return nullptr;
}

}  // namespace

Result<std::vector<ScheduleWatch>> ScheduleWatches(catalog::Store& store) {
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  ASSIGN_OR_RETURN(auto snapshots, store.ListAllSnapshots());
  std::map<std::string, int64_t> newest;  // product -> its newest snapshot's time
  for (const auto& s : snapshots) {
    const int64_t at = ParseIsoMillis(s.created_at).value_or(0);
    newest[s.product_id] = std::max(newest[s.product_id], at);
  }
  std::vector<ScheduleWatch> out;
  for (const auto& p : products) {
    if (p.transform_sql.empty()) continue;
    auto doc = spec::LoadText(p.spec_json, "catalog:product:" + p.id);
    const spec::DataProduct* d = doc.documents.empty() ? nullptr : doc.documents[0].product();
    if (!d) continue;
    ScheduleWatch w{.product_id = p.id};
    if (const spec::Json* s = Custom(*d, "weft.schedule")) {
      auto parsed = s->is_string() ? spec::ParseSchedule(s->get<std::string>())
                                   : Result<spec::Schedule>(Status::InvalidArgument("it must be a string"));
      if (parsed.ok()) w.schedule = *parsed;
      else w.schedule_error = parsed.status().message();
    }
    if (const spec::Json* u = Custom(*d, "weft.runOnUpstream")) w.on_upstream = u->is_boolean() && u->get<bool>();
    if (!w.schedule && !w.on_upstream && w.schedule_error.empty()) continue;
    for (const auto& in : d->input_ports) {
      auto it = newest.find(InputProduct(in.name, newest));
      if (it != newest.end()) w.newest_input_ms = std::max(w.newest_input_ms.value_or(0), it->second);
    }
    ASSIGN_OR_RETURN(auto publishes, store.ListPublishes(p.id, 0));
    for (const auto& r : publishes)
      if (r.mode == "run") {
        w.last_run_ms = ParseIsoMillis(r.started_at);
        break;  // newest first
      }
    out.push_back(std::move(w));
  }
  return out;
}

std::optional<std::string> DueReason(const ScheduleWatch& w, int64_t now_ms) {
  if (w.schedule) {
    if (!w.last_run_ms) return "schedule " + w.schedule->text + " (first run)";
    auto next = w.schedule->NextAfter(*w.last_run_ms);
    if (next && *next <= now_ms) return "schedule " + w.schedule->text;
  }
  if (w.on_upstream && w.newest_input_ms && (!w.last_run_ms || *w.newest_input_ms > *w.last_run_ms))
    return "an input committed a new snapshot";
  return std::nullopt;
}

std::optional<Finding> ScheduleFinding(const ScheduleWatch& w, int64_t now_ms) {
  if (!w.schedule_error.empty())
    return Finding{.kind = "schedule", .condition = "schedule:invalid", .subject = "", .severity = "warning",
                   .title = "weft.schedule cannot be read", .detail = w.schedule_error};
  if (!w.schedule || !w.last_run_ms) return std::nullopt;
  auto next = w.schedule->NextAfter(*w.last_run_ms);
  if (!next || now_ms - *next <= kMissedRunGraceMs) return std::nullopt;
  return Finding{.kind = "schedule", .condition = "schedule:missed", .subject = IsoOfMillis(*next),
                 .severity = "error", .title = "scheduled run missed",
                 .detail = fmt::format("the run due at {} ({}) had not started {} later", IsoOfMillis(*next),
                                       w.schedule->text, DurationText(static_cast<double>(now_ms - *next) / 1000))};
}

}  // namespace weft::monitor
