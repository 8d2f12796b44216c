#include "service/monitor.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <regex>

#include "access/principals.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "quality/guards.h"
#include "service/authorizer.h"
#include "service/catalog.h"
#include "service/publish.h"
#include "service/stream.h"
#include "monitor/schedules.h"

namespace weft::service {
namespace {

using json = nlohmann::json;

int64_t MillisOf(const Caller& caller) { return ParseIsoMillis(caller.now).value_or(SystemClock().NowMillis()); }

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string EventSource(const Mesh& mesh) { return "weft://" + mesh.workspace().settings.name; }

// --- SLA status --------------------------------------------------------------

Result<SlaStatusView> MonitorService::SlaStatus(const Caller& caller, const std::string& product, int history) {
  if (!product.empty()) RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(product));
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto watched,
                   monitor::WatchedProducts(store, quality::WorkspaceGuards(mesh_.workspace().settings), product));
  const int64_t now = MillisOf(caller);
  SlaStatusView view{.at = IsoOfMillis(now), .products = {}};
  for (const auto& w : watched) {
    if (!product.empty() && w.product.id != product) continue;
    ASSIGN_OR_RETURN(monitor::ProductWatch watch, monitor::LoadWatch(store, w));
    SlaStatusView::Product p{.id = w.product.id, .major = w.major, .contract_version = w.contract_version,
                             .results = monitor::EvaluateSla({.sla = watch.sla, .snapshots = watch.snapshots,
                                                              .publishes = watch.publishes, .now_ms = now}),
                             .history = {}};
    if (history > 0) {
      ASSIGN_OR_RETURN(p.history, store.ListSlaChecks(w.product.id, history));
    }
    view.products.push_back(std::move(p));
  }
  return view;
}

LiveInputs LiveInputsOf(const ProductPage& page) {
  LiveInputs in{.product = page.product.id, .major = 0, .freshness = page.freshness, .sla = {}};
  for (const auto& v : page.versions)
    if (v.port.status != "retired" && v.port.major >= in.major) {
      in.major = v.port.major;
      in.sla = v.sla;
    }
  return in;
}

Result<LiveRecords> LoadLiveRecords(Mesh& mesh, const LiveInputs& in) {
  // The rate SLAs' 30-day window at one publish a minute would be 43,200
  // publishes; a page judges from the latest 2,000 (hourly for 80 days).
  constexpr int kPublishesJudged = 2000;
  catalog::Store& store = mesh.store();
  LiveRecords r;
  ASSIGN_OR_RETURN(r.snapshots, store.ListSnapshots(in.product));
  ASSIGN_OR_RETURN(r.publishes, store.ListPublishes(in.product, kPublishesJudged));
  std::erase_if(r.snapshots, [&](const auto& s) { return s.major != in.major; });
  std::erase_if(r.publishes, [&](const auto& p) { return p.major != in.major; });
  ASSIGN_OR_RETURN(r.incidents, store.ListIncidents({.product_id = in.product, .status = "unresolved"}));
  return r;
}

json LivePageParts(const Caller& caller, const LiveInputs& in, const LiveRecords& records) {
  json out = {{"freshness", FreshnessJson(in.freshness, caller.now)}, {"sla", json::array()}, {"incidents", json::array()}};
  for (const auto& r : monitor::EvaluateSla({.sla = in.sla, .snapshots = records.snapshots,
                                             .publishes = records.publishes, .now_ms = MillisOf(caller)}))
    out["sla"].push_back(ToJson(r));
  for (const auto& i : records.incidents) out["incidents"].push_back(ToJson(i));
  return out;
}

// --- the pass ------------------------------------------------------------------

Result<std::unique_ptr<catalog::Lease>> MonitorService::Lease() {
  constexpr auto kWait = std::chrono::seconds(60);
  ASSIGN_OR_RETURN(auto lease, mesh_.store().AcquireLease("monitor", kWait));
  if (!lease)
    return Status::ResourceExhausted(
        "another monitor pass (of this server, another server on the same catalog, or `weft monitor`) has held the "
        "catalog for over a minute; try again later");
  return lease;
}

Result<PassView> MonitorService::Pass(const Caller& caller, int64_t now_ms) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kRunMonitor, Resource::Workspace()));
  ASSIGN_OR_RETURN(auto lease, Lease());
  Notifier notifier(mesh_);
  ASSIGN_OR_RETURN(auto audience, notifier.AudienceFunction());
  ASSIGN_OR_RETURN(auto schedules, monitor::ScheduleWatches(mesh_.store()));
  auto schedule_findings = [&](const std::string& product) {
    std::vector<monitor::Finding> out;
    for (const auto& w : schedules)
      if (w.product_id == product)
        if (auto f = monitor::ScheduleFinding(w, now_ms)) out.push_back(*f);
    return out;
  };
  PassView view{.at = IsoOfMillis(now_ms), .pass = {}, .runs = {}, .delivery = {}};
  ASSIGN_OR_RETURN(view.pass, monitor::RunPass(mesh_.store(),
                                               {.now_ms = now_ms,
                                                .source = EventSource(mesh_),
                                                .defaults = quality::WorkspaceGuards(mesh_.workspace().settings),
                                                .recipients = std::move(audience),
                                                .more_findings = schedule_findings}));
  for (const auto& w : schedules) {
    if (static_cast<int>(view.runs.size()) >= kScheduledRunsPerPass) break;
    auto reason = monitor::DueReason(w, now_ms);
    if (!reason) continue;
    auto report = PublishService(mesh_).Run(caller, w.product_id);
    PassView::Run run{.product = w.product_id, .reason = *reason, .outcome = "error", .detail = ""};
    if (report.ok()) {
      run.outcome = report->outcome;
      run.detail = report->outcome == "rejected" ? PublishStatus(*report).message() : report->snapshot_id;
    } else {
      run.detail = report.status().message();
    }
    view.runs.push_back(std::move(run));
  }
  RETURN_IF_ERROR(AnnounceBudgets(now_ms));
  ASSIGN_OR_RETURN(view.delivery, monitor::DeliverDue(mesh_.store(), HttpTransport(), now_ms, {}));
  return view;
}

Status MonitorService::AnnounceBudgets(int64_t now_ms) {
  catalog::Store& store = mesh_.store();
  const std::string month = IsoOfMillis(now_ms).substr(0, 7);
  const std::string currency = mesh_.workspace().settings.currency.empty() ? "USD" : mesh_.workspace().settings.currency;
  ASSIGN_OR_RETURN(auto domains, store.ListDomains());
  Notifier notifier(mesh_);
  for (const auto& d : domains) {
    // A budget in another currency is not enforced (lint refuses it now): nothing to say.
    if (!d.monthly_budget || *d.monthly_budget <= 0 || (!d.currency.empty() && d.currency != currency)) continue;
    ASSIGN_OR_RETURN(double spent, store.SumUsageCost({.consumer_domain = d.name, .since = month + "-01"}));
    const double soft = d.soft_limit_percent.value_or(80);
    for (const double percent : {soft, 100.0}) {
      if (spent < *d.monthly_budget * percent / 100) continue;
      const std::string id = fmt::format("ev_budget_{}_{}_{:.0f}", d.name, month, percent);
      ASSIGN_OR_RETURN(auto sent, store.ListDeliveries({.event_id = id, .limit = 1}));
      if (!sent.empty()) continue;  // announced already this month
      ASSIGN_OR_RETURN(auto owners, notifier.DomainOwners(d.name));
      RETURN_IF_ERROR(notifier.Emit({.id = id, .type = "budget.threshold", .product_id = "", .time = IsoOfMillis(now_ms),
                                     .data = {{"domain", d.name}, {"month", month}, {"percent", percent},
                                              {"spent", spent}, {"budget", *d.monthly_budget},
                                              {"currency", currency}}},
                                    owners));
    }
  }
  return Status::Ok();
}

// --- incidents -----------------------------------------------------------------

Result<std::vector<catalog::IncidentRecord>> MonitorService::Incidents(const Caller&,
                                                                      const catalog::IncidentFilter& filter) {
  static const std::set<std::string> kStatuses = {"", "open", "acknowledged", "resolved", "unresolved"};
  if (!kStatuses.contains(filter.status))
    return Status::InvalidArgument("status must be open, acknowledged, resolved or unresolved, not '" +
                                   filter.status + "'");
  if (!filter.product_id.empty()) RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(filter.product_id));
  return mesh_.store().ListIncidents(filter);
}

Result<IncidentView> MonitorService::Incident(const Caller&, int64_t id) {
  ASSIGN_OR_RETURN(auto all, mesh_.store().ListIncidents({}));
  auto it = std::find_if(all.begin(), all.end(), [&](const catalog::IncidentRecord& i) { return i.id == id; });
  if (it == all.end()) return Status::NotFound(fmt::format("there is no incident {} (weft incidents list)", id));
  IncidentView view{.incident = *it, .timeline = {}};
  ASSIGN_OR_RETURN(view.timeline, mesh_.store().ListIncidentEvents(id));
  return view;
}

Result<IncidentView> MonitorService::Change(const Caller& caller, int64_t id, const IncidentChange& change) {
  ASSIGN_OR_RETURN(IncidentView view, Incident(caller, id));
  catalog::IncidentRecord& i = view.incident;
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kHandleIncidents, Resource::Product(i.product_id)));
  using Kind = IncidentChange::Kind;
  if (i.status == "resolved" && change.kind != Kind::kNote)
    return Status::FailedPrecondition(fmt::format("incident {} is already resolved ({})", id, i.resolution));
  catalog::IncidentEventRecord event{.incident_id = id, .at = caller.now, .actor = caller.principal.name,
                                     .kind = "note", .message = change.note};
  switch (change.kind) {
    case Kind::kAcknowledge:
      if (i.status == "acknowledged")
        return Status::FailedPrecondition(fmt::format("incident {} is already acknowledged", id));
      i.status = "acknowledged";
      event.kind = "acknowledged";
      break;
    case Kind::kAssign: {
      if (change.assignee.empty()) return Status::InvalidArgument("say whom to assign the incident to");
      RETURN_IF_ERROR(access::LoadPrincipal(mesh_.store(), change.assignee).status());
      i.assignee = change.assignee;
      event.kind = "assigned";
      event.message = change.note.empty() ? "assigned to " + change.assignee
                                          : "assigned to " + change.assignee + ": " + change.note;
      break;
    }
    case Kind::kResolve:
      if (change.false_positive && i.kind != "anomaly")
        return Status::InvalidArgument(fmt::format(
            "only an anomaly can be a false positive; incident {} is a {} incident — resolve it with a note", id,
            i.kind));
      i.status = "resolved";
      i.resolved_at = caller.now;
      i.false_positive = change.false_positive;
      i.resolution = change.false_positive ? "false-positive" : change.note.empty() ? "fixed" : change.note;
      event.kind = "resolved";
      if (change.false_positive)
        event.message = "false positive: the point leaves the detector's history" +
                        (change.note.empty() ? "" : "; " + change.note);
      break;
    case Kind::kNote:
      if (change.note.empty()) return Status::InvalidArgument("a note needs text");
      break;
  }
  i.updated_at = caller.now;
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->UpdateIncident(i));
  RETURN_IF_ERROR(txn->AppendIncidentEvent(event));
  RETURN_IF_ERROR(txn->Commit());
  if (change.kind == Kind::kResolve) {
    Notifier notifier(mesh_);
    ASSIGN_OR_RETURN(auto audience, notifier.Audience(i.product_id));
    RETURN_IF_ERROR(notifier.Emit({.id = "", .type = "incident.resolved", .product_id = i.product_id, .time = "",
                                   .data = {{"incident", i.id}, {"condition", i.condition},
                                            {"resolution", i.resolution}, {"by", caller.principal.name}}},
                                  audience));
  }
  return Incident(caller, id);
}

// --- subscriptions and webhooks ----------------------------------------------

Result<std::vector<catalog::SubscriptionRecord>> MonitorService::Subscriptions(const Caller& caller) {
  ASSIGN_OR_RETURN(auto all, mesh_.store().ListSubscriptions());
  std::erase_if(all, [&](const auto& s) { return s.principal != caller.principal.name; });
  return all;
}

Result<std::vector<catalog::SubscriptionRecord>> MonitorService::Subscribe(const Caller& caller,
                                                                          const std::string& product, bool on) {
  if (product != "*") RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(product));
  ASSIGN_OR_RETURN(auto mine, Subscriptions(caller));
  auto it = std::find_if(mine.begin(), mine.end(), [&](const auto& s) { return s.product_id == product; });
  if (on == (it != mine.end())) {
    if (on) return mine;  // already subscribed: nothing to do
    return Status::NotFound(caller.principal.name + " is not subscribed to " + product);
  }
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  if (on)
    RETURN_IF_ERROR(txn->InsertSubscription(
                            {.principal = caller.principal.name, .product_id = product, .created_at = caller.now})
                        .status());
  else
    RETURN_IF_ERROR(txn->DeleteSubscription(it->id));
  RETURN_IF_ERROR(txn->Commit());
  return Subscriptions(caller);
}

Result<std::vector<WebhookView>> MonitorService::Webhooks(const Caller& caller) {
  const bool everyone = Authorizer::Allowed(caller.principal, Action::kSeeWebhooks, Resource::Workspace());
  ASSIGN_OR_RETURN(auto hooks, mesh_.store().ListWebhooks());
  std::vector<WebhookView> out;
  for (auto& h : hooks) {
    if (!h.removed_at.empty() || (!everyone && h.principal != caller.principal.name)) continue;
    h.secret.clear();
    WebhookView v{.hook = std::move(h), .deliveries = {}};
    ASSIGN_OR_RETURN(v.deliveries, mesh_.store().ListDeliveries({.webhook_id = v.hook.id, .limit = 20}));
    out.push_back(std::move(v));
  }
  return out;
}

Result<WebhookView> MonitorService::AddWebhook(const Caller& caller, const std::string& url,
                                               const std::vector<std::string>& events) {
  // http(s)://host[:port][/path]: what the deliverer can POST to.
  static const std::regex kUrl(R"(https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?)");
  if (!std::regex_match(url, kUrl))
    return Status::InvalidArgument("'" + url + "' is not an http(s) URL such as https://hooks.example.com/weft");
  for (const auto& e : events) {
    if (monitor::IsEventType(e)) continue;
    std::vector<std::string> known(std::begin(monitor::kEventTypes), std::end(monitor::kEventTypes));
    const std::string hint = ClosestMatch(e, known);
    return Status::InvalidArgument("'" + e + "' is not an event type" +
                                   (hint.empty() ? "" : " (did you mean " + hint + "?)") + "; known: " +
                                   Join(known, ", "));
  }
  catalog::WebhookRecord hook{.id = "wh_" + RandomHex(8), .principal = caller.principal.name, .url = url,
                              .secret = "whsec_" + RandomHex(24), .events = events, .created_at = caller.now,
                              .removed_at = ""};
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->InsertWebhook(hook));
  RETURN_IF_ERROR(txn->Commit());
  return WebhookView{.hook = std::move(hook), .deliveries = {}};
}

Result<catalog::WebhookRecord> MonitorService::OwnWebhook(const Caller& caller, const std::string& id) {
  ASSIGN_OR_RETURN(auto hooks, mesh_.store().ListWebhooks());
  auto it = std::find_if(hooks.begin(), hooks.end(), [&](const auto& h) { return h.id == id && h.removed_at.empty(); });
  // Another principal's webhook is as unknown as a missing one, unless the caller is an admin.
  if (it == hooks.end() ||
      (it->principal != caller.principal.name &&
       !Authorizer::Allowed(caller.principal, Action::kSeeWebhooks, Resource::Workspace())))
    return Status::NotFound("there is no webhook " + id + " of " + caller.principal.name + " (weft webhooks list)");
  return *it;
}

Status MonitorService::RemoveWebhook(const Caller& caller, const std::string& id) {
  RETURN_IF_ERROR(OwnWebhook(caller, id).status());
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->RemoveWebhook(id, caller.now));
  return txn->Commit();
}

Result<WebhookView> MonitorService::TestWebhook(const Caller& caller, const std::string& id) {
  ASSIGN_OR_RETURN(catalog::WebhookRecord hook, OwnWebhook(caller, id));
  const int64_t now = MillisOf(caller);
  const monitor::Event e{.id = monitor::NewEventId(), .type = "webhook.test", .product_id = "",
                         .time = IsoOfMillis(now), .data = {{"webhook", hook.id}, {"by", caller.principal.name}}};
  {
    ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
    // The test goes to this webhook whatever types it takes.
    hook.events.clear();
    RETURN_IF_ERROR(monitor::Enqueue(*txn, {hook}, {hook.principal}, e, EventSource(mesh_)));
    RETURN_IF_ERROR(txn->Commit());
  }
  {
    ASSIGN_OR_RETURN(auto lease, Lease());
    RETURN_IF_ERROR(monitor::DeliverDue(mesh_.store(), HttpTransport(), now, {.only_webhook = hook.id}).status());
  }
  hook.secret.clear();
  WebhookView v{.hook = std::move(hook), .deliveries = {}};
  ASSIGN_OR_RETURN(v.deliveries, mesh_.store().ListDeliveries({.webhook_id = id, .limit = 1}));
  return v;
}

// --- the loop in weft serve ------------------------------------------------------

MonitorLoop::MonitorLoop(Mesh& mesh, std::chrono::seconds interval, std::ostream* log)
    : mesh_(mesh), interval_(interval), log_(log), thread_([this] { Loop(); }) {}

MonitorLoop::~MonitorLoop() { Stop(); }

void MonitorLoop::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void MonitorLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void MonitorLoop::Loop() {
  // The system itself, acting as an admin: the pass reads every product and
  // writes monitoring records only.
  access::Principal system{.name = "weft", .kind = "service", .attributes = {},
                           .roles = {{access::kAdminsGroup, {"member"}}}, .domain = ""};
  // Streaming products promise freshness in seconds (docs/streaming.md):
  // while there is one, a stalled stream is seen within seconds.
  constexpr std::chrono::seconds kStreamingInterval{5};
  std::chrono::seconds wait = interval_;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
    lock.unlock();
    const int64_t now = SystemClock().NowMillis();
    auto pass = MonitorService(mesh_).Pass({.principal = system, .now = IsoOfMillis(now)}, now);
    if (!pass.ok() && log_) *log_ << "weft serve: monitor pass: " << pass.status().message() << std::endl;
    auto streaming = AnyStreamingProduct(mesh_);
    wait = streaming.ok() && *streaming ? std::min(interval_, kStreamingInterval) : interval_;
    lock.lock();
  }
}

// --- the notifier ----------------------------------------------------------------

Result<std::function<std::set<std::string>(const std::string&)>> Notifier::AudienceFunction() {
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto hooks, store.ListWebhooks());
  ASSIGN_OR_RETURN(auto subscriptions, store.ListSubscriptions());
  ASSIGN_OR_RETURN(auto ac, mesh_.Access());
  // Only principals with a webhook can hear anything: load just those.
  std::vector<access::Principal> listeners;
  std::set<std::string> seen;
  for (const auto& h : hooks) {
    if (!h.removed_at.empty() || !seen.insert(h.principal).second) continue;
    auto p = access::LoadPrincipal(store, h.principal);
    // A webhook of a principal since removed hears as an unregistered name:
    // its explicit subscriptions only.
    listeners.push_back(p.ok() ? *std::move(p) : access::Principal{.name = h.principal});
  }
  const std::string now = NowIso();
  return std::function<std::set<std::string>(const std::string&)>([listeners = std::move(listeners), subscriptions = std::move(subscriptions), ac,
          now](const std::string& product_id) {
    std::set<std::string> out;
    for (const auto& p : listeners) {
      bool hears = ac->IsOwner(p, product_id);
      for (const auto& s : subscriptions)
        hears = hears || (s.principal == p.name && (s.product_id == product_id || s.product_id == "*"));
      for (const auto& g : ac->grants())
        hears = hears || (g.product_id == product_id && access::AccessControl::InForce(g, now) && p.Matches(g.grantee));
      if (hears) out.insert(p.name);
    }
    return out;
  });
}

Result<std::set<std::string>> Notifier::DomainOwners(const std::string& domain) {
  ASSIGN_OR_RETURN(auto domains, mesh_.store().ListDomains());
  ASSIGN_OR_RETURN(auto hooks, mesh_.store().ListWebhooks());
  std::set<std::string> out;
  for (const auto& d : domains) {
    if (d.name != domain) continue;
    for (const auto& h : hooks) {
      if (!h.removed_at.empty() || out.contains(h.principal)) continue;
      auto p = access::LoadPrincipal(mesh_.store(), h.principal);
      if (!p.ok()) continue;
      // owners lists principals and groups ("team:sales").
      for (const auto& o : d.owners)
        if (o == p->name || p->InGroup(o)) out.insert(p->name);
    }
  }
  return out;
}

Result<std::set<std::string>> Notifier::Audience(const std::string& product_id) {
  ASSIGN_OR_RETURN(auto f, AudienceFunction());
  return f(product_id);
}

Status Notifier::Emit(monitor::Event e, const std::set<std::string>& recipients) {
  if (recipients.empty()) return Status::Ok();
  if (e.id.empty()) e.id = monitor::NewEventId();
  if (e.time.empty()) e.time = NowIso();
  ASSIGN_OR_RETURN(auto hooks, mesh_.store().ListWebhooks());
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(monitor::Enqueue(*txn, hooks, recipients, e, EventSource(mesh_)));
  return txn->Commit();
}

monitor::Transport HttpTransport(int timeout_ms) {
  return [timeout_ms](const std::string& url, const std::map<std::string, std::string>& headers,
                      const std::string& body) -> monitor::HttpReply {
    // scheme://host[:port] and the path after it.
    const size_t host_start = url.find("://");
    const size_t path_start = host_start == std::string::npos ? std::string::npos : url.find('/', host_start + 3);
    const std::string origin = url.substr(0, path_start);
    const std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
    httplib::Client client(origin);
    client.set_connection_timeout(std::chrono::milliseconds(timeout_ms));
    client.set_read_timeout(std::chrono::milliseconds(timeout_ms));
    client.set_write_timeout(std::chrono::milliseconds(timeout_ms));
    httplib::Headers h;
    std::string content_type = "application/json";
    for (const auto& [k, v] : headers) {
      if (k == "Content-Type") content_type = v;
      else h.emplace(k, v);
    }
    auto res = client.Post(path, h, body, content_type);
    if (!res) return {.status = 0, .error = "no answer from " + origin + ": " + httplib::to_string(res.error())};
    return {.status = res->status, .error = ""};
  };
}

// --- JSON ------------------------------------------------------------------------

json ToJson(const monitor::SlaResult& r) {
  return {{"property", r.property}, {"id", r.id},         {"state", monitor::SlaStateName(r.state)},
          {"target", Optional(r.target)}, {"actual", Optional(r.actual)}, {"unit", r.unit},
          {"detail", r.detail}};
}

json ToJson(const catalog::SlaCheckRecord& c) {
  return {{"at", c.at},         {"sla", c.sla},   {"property", c.property},       {"state", c.state},
          {"target", Optional(c.target)}, {"actual", Optional(c.actual)}, {"unit", c.unit}, {"detail", c.detail}};
}

json ToJson(const SlaStatusView& v) {
  json products = json::array();
  for (const auto& p : v.products) {
    json results = json::array(), history = json::array();
    for (const auto& r : p.results) results.push_back(ToJson(r));
    for (const auto& h : p.history) history.push_back(ToJson(h));
    products.push_back({{"product", p.id}, {"major", p.major}, {"contractVersion", p.contract_version},
                        {"sla", results}, {"history", history}});
  }
  return {{"at", v.at}, {"products", products}};
}

json ToJson(const catalog::IncidentRecord& i) {
  return {{"id", i.id},
          {"product", i.product_id},
          {"major", i.major},
          {"kind", i.kind},
          {"condition", i.condition},
          {"subject", i.subject},
          {"severity", i.severity},
          {"title", i.title},
          {"status", i.status},
          {"assignee", i.assignee},
          {"openedAt", i.opened_at},
          {"updatedAt", i.updated_at},
          {"resolvedAt", i.resolved_at},
          {"resolution", i.resolution},
          {"falsePositive", i.false_positive},
          {"detail", i.detail}};
}

json ToJson(const IncidentView& v) {
  json out = ToJson(v.incident);
  json timeline = json::array();
  for (const auto& e : v.timeline)
    timeline.push_back({{"at", e.at}, {"actor", e.actor}, {"kind", e.kind}, {"message", e.message}});
  out["timeline"] = timeline;
  return out;
}

json ToJson(const PassView& v) {
  json runs = json::array();
  for (const auto& r : v.runs)
    runs.push_back({{"product", r.product}, {"reason", r.reason}, {"outcome", r.outcome}, {"detail", r.detail}});
  auto list = [](const std::vector<catalog::IncidentRecord>& incidents) {
    json out = json::array();
    for (const auto& i : incidents) out.push_back(ToJson(i));
    return out;
  };
  return {{"at", v.at},
          {"products", v.pass.products},
          {"slaChanges", v.pass.sla_changes},
          {"opened", list(v.pass.opened)},
          {"updated", list(v.pass.updated)},
          {"resolved", list(v.pass.resolved)},
          {"runs", runs},
          {"deliveries",
           {{"delivered", v.delivery.delivered}, {"retrying", v.delivery.retrying}, {"failed", v.delivery.failed}}}};
}

json ToJson(const catalog::SubscriptionRecord& s) {
  return {{"id", s.id}, {"principal", s.principal}, {"product", s.product_id}, {"createdAt", s.created_at}};
}

json ToJson(const WebhookView& v) {
  json deliveries = json::array();
  for (const auto& d : v.deliveries)
    deliveries.push_back({{"id", d.id},
                          {"event", d.event_id},
                          {"type", d.event_type},
                          {"subject", d.subject},
                          {"status", d.status},
                          {"attempts", d.attempts},
                          {"createdAt", d.created_at},
                          {"lastAttemptAt", d.last_attempt_at},
                          {"nextAttemptAt", d.status == "pending" ? json(d.next_attempt_at) : json(nullptr)},
                          {"httpStatus", d.last_http_status},
                          {"error", d.last_error}});
  json out = {{"id", v.hook.id},         {"principal", v.hook.principal}, {"url", v.hook.url},
              {"events", v.hook.events}, {"createdAt", v.hook.created_at}, {"deliveries", deliveries}};
  if (!v.hook.secret.empty()) out["secret"] = v.hook.secret;
  return out;
}

}  // namespace weft::service
