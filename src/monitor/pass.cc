#include "monitor/pass.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/time.h"
#include "monitor/notify.h"
#include "spec/loader.h"

namespace weft::monitor {
namespace {

constexpr int64_t kDayMs = 86'400'000;
// How long before a port's end of support or end of life its consumers hear of it.
constexpr int64_t kLifecycleNoticeMs = 30 * kDayMs;

// A deprecation or end of life within the notice period: a warning incident,
// its subject the date, so it is raised once per date.
void AddLifecycleFindings(const catalog::PortVersionRecord& port, int64_t now_ms, std::vector<Finding>& out) {
  const std::pair<const std::string*, const char*> dates[] = {{&port.end_of_support, "endOfSupport"},
                                                              {&port.end_of_life, "endOfLife"}};
  for (const auto& [date, name] : dates) {
    if (date->empty()) continue;
    auto at = ParseIsoMillis(date->size() == 10 ? *date + "T00:00:00Z" : *date);
    if (!at || *at - now_ms > kLifecycleNoticeMs) continue;
    const bool passed = *at <= now_ms;
    out.push_back({.kind = "lifecycle", .condition = fmt::format("lifecycle:{}", name), .subject = *date,
                   .severity = "warning",
                   .title = fmt::format("{} of major {} {} {}", name, port.major, passed ? "passed on" : "on", *date),
                   .detail = passed ? fmt::format("major {} reached its {} on {}", port.major, name, *date)
                                    : fmt::format("major {} reaches its {} in {} ({})", port.major, name,
                                                  DurationText(static_cast<double>(*at - now_ms) / 1000), *date)});
  }
}

// What a newly opened incident is announced as.
std::string OpenedEventType(const catalog::IncidentRecord& i) {
  if (i.condition == "lifecycle:endOfSupport") return "lifecycle.deprecation";
  if (i.condition == "lifecycle:endOfLife") return "lifecycle.endOfLife";
  return "incident.opened";
}

nlohmann::json IncidentData(const catalog::IncidentRecord& i) {
  return {{"incident", i.id},     {"product", i.product_id}, {"major", i.major},       {"kind", i.kind},
          {"condition", i.condition}, {"severity", i.severity}, {"title", i.title},   {"status", i.status},
          {"detail", i.detail},   {"openedAt", i.opened_at},  {"resolvedAt", i.resolved_at},
          {"resolution", i.resolution}};
}

}  // namespace

Result<std::vector<WatchedProduct>> WatchedProducts(catalog::Store& store, const quality::GuardSettings& defaults,
                                                    const std::string& only) {
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(auto contracts, store.ListContractVersions());
  std::vector<WatchedProduct> out;
  for (const auto& product : products) {
    if (!only.empty() && product.id != only) continue;
    const catalog::PortVersionRecord* newest = nullptr;
    for (const auto& v : ports)
      if (v.product_id == product.id && v.status != "retired" && (!newest || v.major > newest->major)) newest = &v;
    if (!newest) continue;
    WatchedProduct w{.product = product, .major = newest->major, .contract_version = newest->version, .sla = {},
                     .anomaly = {}};
    auto product_doc = spec::LoadText(product.spec_json, "catalog:product:" + product.id);
    const spec::DataProduct* descriptor =
        product_doc.documents.empty() ? nullptr : product_doc.documents[0].product();
    spec::LoadedFile contract_doc;
    const spec::DataContract* contract = nullptr;
    for (const auto& c : contracts)
      if (c.contract_id == newest->contract_id && c.version == newest->version) {
        contract_doc = spec::LoadText(c.spec_json, "catalog:contract:" + c.contract_id);
        contract = contract_doc.documents.empty() ? nullptr : contract_doc.documents[0].contract();
      }
    if (contract) w.sla = contract->sla_properties;
    // The volume guard's settings are the detector's: one sensitivity per product.
    // A bad setting is lint's and publish's to report; the monitor keeps watching with the defaults.
    auto settings = quality::GuardSettingsFor(defaults, descriptor, contract);
    const quality::GuardSettings& g = settings.ok() ? *settings : defaults;
    w.anomaly.sensitivity = g.volume_sensitivity;
    w.anomaly.min_history = g.min_history;
    out.push_back(std::move(w));
  }
  return out;
}

Result<ProductWatch> LoadWatch(catalog::Store& store, const WatchedProduct& w) {
  ProductWatch watch{.product_id = w.product.id, .major = w.major, .sla = w.sla, .snapshots = {}, .publishes = {},
                     .latest_results = {}, .excluded = {}, .anomaly = w.anomaly};
  ASSIGN_OR_RETURN(auto snapshots, store.ListSnapshots(w.product.id));
  for (auto& s : snapshots)
    if (s.major == w.major) watch.snapshots.push_back(std::move(s));
  ASSIGN_OR_RETURN(auto publishes, store.ListPublishes(w.product.id, 0));
  for (auto& p : publishes)
    if (p.major == w.major) watch.publishes.push_back(std::move(p));
  auto latest = std::find_if(watch.publishes.begin(), watch.publishes.end(),
                             [](const catalog::PublishRecord& p) { return p.outcome != "duplicate"; });
  if (latest != watch.publishes.end()) {
    ASSIGN_OR_RETURN(watch.latest_results, store.ListQualityResults(latest->id));
  }
  ASSIGN_OR_RETURN(auto incidents, store.ListIncidents({.product_id = w.product.id}));
  for (const auto& i : incidents)
    if (i.false_positive && i.kind == "anomaly") watch.excluded.insert(i.subject);
  return watch;
}

Result<PassReport> RunPass(catalog::Store& store, const PassOptions& options) {
  const std::string now = IsoOfMillis(options.now_ms);
  ASSIGN_OR_RETURN(auto watched, WatchedProducts(store, options.defaults));
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(auto hooks, store.ListWebhooks());

  // Read everything first, then write in one short transaction: the write
  // lock is held for the writes only.
  struct Work {
    const WatchedProduct* product;
    std::vector<SlaResult> sla;
    std::vector<catalog::SlaCheckRecord> history;
    std::vector<catalog::IncidentRecord> incidents;
    std::vector<Finding> findings;
  };
  std::vector<Work> work;
  for (const auto& w : watched) {
    ASSIGN_OR_RETURN(ProductWatch watch, LoadWatch(store, w));
    Findings f = FindingsOf(watch, options.now_ms);
    for (const auto& port : ports)
      if (port.product_id == w.product.id && port.status != "retired")
        AddLifecycleFindings(port, options.now_ms, f.findings);
    if (options.more_findings)
      for (auto& extra : options.more_findings(w.product.id)) f.findings.push_back(std::move(extra));
    Work item{.product = &w, .sla = std::move(f.sla), .history = {}, .incidents = {}, .findings = std::move(f.findings)};
    ASSIGN_OR_RETURN(item.history, store.ListSlaChecks(w.product.id, 0));
    ASSIGN_OR_RETURN(item.incidents, store.ListIncidents({.product_id = w.product.id}));
    work.push_back(std::move(item));
  }

  PassReport report;
  report.products = static_cast<int>(work.size());
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  auto announce = [&](const catalog::IncidentRecord& i, const std::string& type) -> Status {
    if (!options.recipients) return Status::Ok();
    const Event e{.id = NewEventId(), .type = type, .product_id = i.product_id, .time = now, .data = IncidentData(i)};
    return Enqueue(*txn, hooks, options.recipients(i.product_id), e, options.source);
  };
  for (const Work& item : work) {
    const std::string& id = item.product->product.id;
    // SLA history: a row when a state differs from the last one recorded.
    for (const SlaResult& r : item.sla) {
      if (r.state == SlaState::kNotMonitored) continue;
      const std::string key = r.id.empty() ? r.property : r.id;
      auto last = std::find_if(item.history.begin(), item.history.end(),
                               [&](const catalog::SlaCheckRecord& c) { return c.sla == key; });
      if (last != item.history.end() && last->state == SlaStateName(r.state)) continue;
      RETURN_IF_ERROR(txn->InsertSlaCheck({.at = now, .product_id = id, .major = item.product->major, .sla = key,
                                           .property = r.property, .state = SlaStateName(r.state),
                                           .target = r.target, .actual = r.actual, .unit = r.unit,
                                           .detail = r.detail}));
      ++report.sla_changes;
    }

    IncidentPlan plan = Reconcile(item.findings, item.incidents);
    for (const Finding& f : plan.open) {
      catalog::IncidentRecord i{.product_id = id, .major = item.product->major, .kind = f.kind,
                                .condition = f.condition, .subject = f.subject, .severity = f.severity,
                                .title = f.title, .status = "open", .opened_at = now, .updated_at = now,
                                .detail = f.detail};
      ASSIGN_OR_RETURN(i.id, txn->InsertIncident(i));
      RETURN_IF_ERROR(txn->AppendIncidentEvent(
          {.incident_id = i.id, .at = now, .actor = "weft", .kind = "opened", .message = f.detail}));
      RETURN_IF_ERROR(announce(i, OpenedEventType(i)));
      report.opened.push_back(std::move(i));
    }
    for (auto& [incident, f] : plan.update) {
      incident.severity = f.severity;
      incident.title = f.title;
      incident.detail = f.detail;
      incident.updated_at = now;
      RETURN_IF_ERROR(txn->UpdateIncident(incident));
      RETURN_IF_ERROR(txn->AppendIncidentEvent(
          {.incident_id = incident.id, .at = now, .actor = "weft", .kind = "updated", .message = f.detail}));
      report.updated.push_back(incident);
    }
    for (auto& incident : plan.resolve) {
      incident.status = "resolved";
      incident.resolution = "cleared";
      incident.resolved_at = incident.updated_at = now;
      RETURN_IF_ERROR(txn->UpdateIncident(incident));
      RETURN_IF_ERROR(txn->AppendIncidentEvent({.incident_id = incident.id, .at = now, .actor = "weft",
                                                .kind = "resolved", .message = "the condition cleared"}));
      RETURN_IF_ERROR(announce(incident, "incident.resolved"));
      report.resolved.push_back(incident);
    }
  }
  RETURN_IF_ERROR(txn->Commit());
  return report;
}

}  // namespace weft::monitor
