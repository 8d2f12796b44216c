#include "monitor/incidents.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/time.h"

namespace weft::monitor {
namespace {

int64_t MillisOf(const std::string& iso) { return ParseIsoMillis(iso).value_or(0); }

// The latest attempt that did something: a duplicate publish (the same input
// again) changes nothing, so it neither hides nor clears a refusal.
const catalog::PublishRecord* LatestAttempt(const std::vector<catalog::PublishRecord>& publishes) {
  for (const auto& p : publishes)
    if (p.outcome != "duplicate") return &p;
  return nullptr;
}

void AddSlaFindings(const std::vector<SlaResult>& results, std::vector<Finding>& out) {
  for (const auto& r : results) {
    if (r.state != SlaState::kBreached) continue;
    out.push_back({.kind = "sla",
                   .condition = "sla:" + (r.id.empty() ? r.property : r.id),
                   .subject = "",
                   .severity = "error",
                   .title = fmt::format("{} SLA breached", r.property),
                   .detail = r.detail});
  }
}

void AddPublishFindings(const ProductWatch& w, const catalog::PublishRecord& latest, std::vector<Finding>& out) {
  const bool run = latest.mode == "run";
  if (latest.outcome == "rejected" && !run) {
    out.push_back({.kind = "publish", .condition = "publish:refused", .subject = latest.id, .severity = "error",
                   .title = "publish refused", .detail = latest.message});
  } else if (latest.outcome == "failed" || (latest.outcome == "rejected" && run)) {
    out.push_back({.kind = run ? "run" : "publish", .condition = run ? "run:failed" : "publish:failed",
                   .subject = latest.id, .severity = "error", .title = run ? "run failed" : "publish failed",
                   .detail = latest.message});
  }
  // Error-severity rules that failed in the latest attempt. When every one
  // of them is row-level, the failing rows went to quarantine and the
  // snapshot is sound: a warning. A dataset-level failure is an error.
  std::vector<std::string> failed;
  bool dataset_level = false;
  for (const auto& r : w.latest_results) {
    if (r.passed || r.severity != "error") continue;
    failed.push_back(r.row_level ? fmt::format("{} ({} rows)", r.rule_id, r.failing_rows) : r.rule_id);
    dataset_level = dataset_level || !r.row_level;
  }
  if (!failed.empty()) {
    std::string list;
    for (const auto& f : failed) list += (list.empty() ? "" : ", ") + f;
    out.push_back({.kind = "quality", .condition = "quality:errors", .subject = latest.id,
                   .severity = dataset_level ? "error" : "warning",
                   .title = fmt::format("{} error-severity rule{} failed", failed.size(), failed.size() == 1 ? "" : "s"),
                   .detail = list});
  }
}

// Rows added by the latest published publish against earlier ones of its mode.
void AddVolumeFinding(const ProductWatch& w, const catalog::PublishRecord& latest, std::vector<Finding>& out) {
  if (latest.outcome != "published" || w.excluded.contains(latest.id)) return;
  std::vector<quality::SeriesPoint> history;
  for (const auto& p : w.publishes)
    if (&p != &latest && p.outcome == "published" && p.mode == latest.mode && !w.excluded.contains(p.id))
      history.push_back({.at_ms = MillisOf(p.started_at), .value = static_cast<double>(p.rows_valid)});
  const quality::SeriesPoint candidate{.at_ms = MillisOf(latest.started_at),
                                       .value = static_cast<double>(latest.rows_valid)};
  const quality::AnomalyVerdict v = quality::DetectAnomaly(std::move(history), candidate, w.anomaly);
  if (!v.judged || !v.anomalous) return;
  out.push_back({.kind = "anomaly", .condition = "anomaly:volume", .subject = latest.id, .severity = "warning",
                 .title = fmt::format("unusual volume: {} rows", latest.rows_valid),
                 .detail = fmt::format("publish {} ({}) kept {} rows; the history says {:.0f} to {:.0f} (median "
                                       "{:.0f}, {} points{})",
                                       latest.id, latest.mode, latest.rows_valid, std::max(0.0, v.low), v.high,
                                       v.median, v.baseline, v.weekday ? ", same weekday" : "")});
}

// The time since the last published publish against the gaps between earlier ones.
void AddFreshnessFinding(const ProductWatch& w, int64_t now_ms, std::vector<Finding>& out) {
  std::vector<const catalog::PublishRecord*> published;  // oldest first
  for (auto it = w.publishes.rbegin(); it != w.publishes.rend(); ++it)
    if (it->outcome == "published") published.push_back(&*it);
  if (published.empty()) return;
  std::vector<quality::SeriesPoint> gaps;
  for (size_t i = 1; i < published.size(); ++i) {
    // A gap a person called a false positive (its incident named the
    // publish that started it) is not what "usual" means.
    if (w.excluded.contains(published[i - 1]->id)) continue;
    const int64_t end = MillisOf(published[i]->started_at);
    gaps.push_back({.at_ms = end, .value = static_cast<double>(end - MillisOf(published[i - 1]->started_at))});
  }
  const catalog::PublishRecord& last = *published.back();
  if (w.excluded.contains(last.id)) return;
  const double waited = static_cast<double>(now_ms - MillisOf(last.started_at));
  const quality::AnomalyVerdict v = quality::DetectAnomaly(std::move(gaps), {.at_ms = now_ms, .value = waited}, w.anomaly);
  if (!v.judged || !v.anomalous || waited <= v.high) return;
  out.push_back({.kind = "anomaly", .condition = "anomaly:freshness", .subject = last.id, .severity = "warning",
                 .title = fmt::format("no publish for {}", DurationText(waited / 1000)),
                 .detail = fmt::format("the last publish was {} ({}); publishes usually come every {} (expected "
                                       "within {})",
                                       last.id, last.started_at, DurationText(v.median / 1000),
                                       DurationText(v.high / 1000))});
}

bool SameKey(const catalog::IncidentRecord& i, const Finding& f) {
  return i.condition == f.condition && i.subject == f.subject;
}

}  // namespace

Findings FindingsOf(const ProductWatch& w, int64_t now_ms) {
  Findings out;
  out.sla = EvaluateSla({.sla = w.sla, .snapshots = w.snapshots, .publishes = w.publishes, .now_ms = now_ms});
  AddSlaFindings(out.sla, out.findings);
  if (const catalog::PublishRecord* latest = LatestAttempt(w.publishes)) {
    AddPublishFindings(w, *latest, out.findings);
    if (w.anomaly.sensitivity > 0) AddVolumeFinding(w, *latest, out.findings);
  }
  if (w.anomaly.sensitivity > 0) AddFreshnessFinding(w, now_ms, out.findings);
  return out;
}

IncidentPlan Reconcile(const std::vector<Finding>& findings, const std::vector<catalog::IncidentRecord>& incidents) {
  IncidentPlan plan;
  for (const auto& f : findings) {
    auto open = std::find_if(incidents.begin(), incidents.end(), [&](const catalog::IncidentRecord& i) {
      return i.status != "resolved" && SameKey(i, f);
    });
    if (open != incidents.end()) {
      if (open->detail != f.detail || open->severity != f.severity || open->title != f.title)
        plan.update.emplace_back(*open, f);
      continue;
    }
    // An event (a subject) is looked at once: resolved by hand, it stays so.
    const bool seen = !f.subject.empty() && std::any_of(incidents.begin(), incidents.end(), [&](const auto& i) {
      return SameKey(i, f);
    });
    if (!seen) plan.open.push_back(f);
  }
  for (const auto& i : incidents) {
    if (i.status == "resolved") continue;
    if (std::none_of(findings.begin(), findings.end(), [&](const Finding& f) { return SameKey(i, f); }))
      plan.resolve.push_back(i);
  }
  return plan;
}

}  // namespace weft::monitor
