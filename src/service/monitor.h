// The monitoring service: SLA status and history, incidents and their
// lifecycle, subscriptions and webhooks, and the monitor pass itself.
//
//   ASSIGN_OR_RETURN(SlaStatusView v, MonitorService(mesh).SlaStatus(caller, "sales.orders"));
//   ASSIGN_OR_RETURN(PassView p, MonitorService(mesh).Pass(caller, clock.NowMillis()));
//   RETURN_IF_ERROR(Notifier(mesh).Emit(event, Notifier(mesh).Audience("sales.orders")));
//
// Who may do what: anyone reads SLA status and incidents (they are the
// catalog's trust signals); a product's domain owners acknowledge, assign
// and resolve its incidents; a principal manages its own subscriptions and
// webhooks; admins run the monitor and see every webhook.
//
// Thread safety: as the Mesh.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "monitor/notify.h"
#include "monitor/pass.h"
#include "service/caller.h"
#include "service/catalog.h"
#include "service/mesh.h"

namespace weft::service {

struct SlaStatusView {
  struct Product {
    std::string id;
    int64_t major = 0;
    std::string contract_version;
    std::vector<monitor::SlaResult> results;
    std::vector<catalog::SlaCheckRecord> history;  // changes of state, newest first
  };
  std::string at;
  std::vector<Product> products;
};

struct IncidentView {
  catalog::IncidentRecord incident;
  std::vector<catalog::IncidentEventRecord> timeline;
};

struct PassView {
  struct Run {
    std::string product, reason, outcome, detail;  // outcome: published | rejected | duplicate | error
  };
  std::string at;
  monitor::PassReport pass;
  std::vector<Run> runs;  // the scheduled runs this pass started, one at a time
  monitor::DeliveryReport delivery;
};

// Scheduled runs one pass starts at most, one after another: a slow run
// delays the next pass rather than piling up engines.
inline constexpr int kScheduledRunsPerPass = 4;

struct WebhookView {
  catalog::WebhookRecord hook;  // the secret is blanked except when just created
  std::vector<catalog::DeliveryRecord> deliveries;  // newest first
};

// The change an incident command makes.
struct IncidentChange {
  enum class Kind { kAcknowledge, kAssign, kResolve, kNote } kind = Kind::kNote;
  std::string assignee;  // kAssign
  std::string note;      // a note, or the resolution's words
  bool false_positive = false;  // kResolve
};

class MonitorService {
 public:
  explicit MonitorService(Mesh& mesh) : mesh_(mesh) {}

  // Every watched product, or one; each with up to `history` changes of state.
  Result<SlaStatusView> SlaStatus(const Caller& caller, const std::string& product, int history = 20);
  // One pass at `now_ms` (missed scheduled runs are findings), then the
  // scheduled runs due, then the deliveries due. Admins. Passes run one at
  // a time over the catalog, across processes and servers (the catalog's
  // "monitor" lease): a second waits for the first.
  Result<PassView> Pass(const Caller& caller, int64_t now_ms);
  // `filter.status`: open, acknowledged, resolved, unresolved or "".
  Result<std::vector<catalog::IncidentRecord>> Incidents(const Caller& caller, const catalog::IncidentFilter& filter);
  Result<IncidentView> Incident(const Caller& caller, int64_t id);
  Result<IncidentView> Change(const Caller& caller, int64_t id, const IncidentChange& change);

  Result<std::vector<catalog::SubscriptionRecord>> Subscriptions(const Caller& caller);
  // `product` DOMAIN.PRODUCT or "*"; on = false unsubscribes.
  Result<std::vector<catalog::SubscriptionRecord>> Subscribe(const Caller& caller, const std::string& product, bool on);

  // The caller's webhooks (admins: everyone's), with their recent deliveries.
  Result<std::vector<WebhookView>> Webhooks(const Caller& caller);
  // A new webhook of the caller; the view carries the secret, shown this once.
  Result<WebhookView> AddWebhook(const Caller& caller, const std::string& url, const std::vector<std::string>& events);
  Status RemoveWebhook(const Caller& caller, const std::string& id);
  // Sends a webhook.test event now and answers with its delivery.
  Result<WebhookView> TestWebhook(const Caller& caller, const std::string& id);

 private:
  // budget.threshold, once per domain, month and threshold (the soft limit, 100%).
  Status AnnounceBudgets(int64_t now_ms);
  Result<catalog::WebhookRecord> OwnWebhook(const Caller& caller, const std::string& id);
  // The catalog's "monitor" lease, waiting up to a minute for another holder.
  Result<std::unique_ptr<catalog::Lease>> Lease();
  Mesh& mesh_;
};

// Events the services emit after the writes that cause them commit.
class Notifier {
 public:
  explicit Notifier(Mesh& mesh) : mesh_(mesh) {}

  // Who hears of a product's events: its domain's owners, the principals
  // a grant in force names (directly, by group or by domain) and its
  // subscribers. Only principals with a webhook matter.
  Result<std::set<std::string>> Audience(const std::string& product_id);
  // Queues `e` (id and time filled when empty) for `recipients`' webhooks.
  // A failure is the caller's to log: what caused the event has happened.
  Status Emit(monitor::Event e, const std::set<std::string>& recipients);
  // The principals with a webhook among a domain's owners.
  Result<std::set<std::string>> DomainOwners(const std::string& domain);
  // The function a monitor pass asks for each product's audience.
  Result<std::function<std::set<std::string>(const std::string&)>> AudienceFunction();

 private:
  Mesh& mesh_;
};

// The monitor inside `weft serve`: a pass every `interval` and soon after
// each Wake() (a publish, run or rollback), as the system's own admin
// principal; errors go to `log`. Stop() waits for a pass in progress.
class MonitorLoop {
 public:
  MonitorLoop(Mesh& mesh, std::chrono::seconds interval, std::ostream* log);
  ~MonitorLoop();  // stops
  MonitorLoop(const MonitorLoop&) = delete;
  MonitorLoop& operator=(const MonitorLoop&) = delete;

  void Wake();
  void Stop();

 private:
  void Loop();
  Mesh& mesh_;
  const std::chrono::seconds interval_;
  std::ostream* log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false, stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

// The real transport: an HTTP(S) POST with cpp-httplib, `timeout_ms` to
// connect and to read.
monitor::Transport HttpTransport(int timeout_ms = 5000);

// What a product page needs to work out its live parts, kept with a cached
// page: the freshness inputs and the SLAs of its newest served major.
struct LiveInputs {
  std::string product;
  int64_t major = 0;
  ProductPage::Freshness freshness;
  std::vector<spec::SlaProperty> sla;
};
LiveInputs LiveInputsOf(const ProductPage& page);

// The records the live parts are judged from: the product's snapshots and
// recent publishes (of the major) and its unresolved incidents. A server
// may keep them a moment: snapshots and publishes change only with the
// catalog generation, incidents with the monitor.
struct LiveRecords {
  std::vector<catalog::SnapshotRecord> snapshots;
  std::vector<catalog::PublishRecord> publishes;
  std::vector<catalog::IncidentRecord> incidents;
};
Result<LiveRecords> LoadLiveRecords(Mesh& mesh, const LiveInputs& in);

// The parts of a product page that change with the clock and the monitor,
// not with the catalog generation (so a cached page gets them per request):
// {"freshness": ..., "sla": [SlaResult...], "incidents": [unresolved...]}.
nlohmann::json LivePageParts(const Caller& caller, const LiveInputs& in, const LiveRecords& records);

// The CloudEvents source of this workspace: "weft://<name>".
std::string EventSource(const Mesh& mesh);

nlohmann::json ToJson(const monitor::SlaResult& r);
nlohmann::json ToJson(const catalog::SlaCheckRecord& c);
nlohmann::json ToJson(const SlaStatusView& v);
nlohmann::json ToJson(const catalog::IncidentRecord& i);
nlohmann::json ToJson(const IncidentView& v);
nlohmann::json ToJson(const PassView& v);
nlohmann::json ToJson(const catalog::SubscriptionRecord& s);
nlohmann::json ToJson(const WebhookView& v);

}  // namespace weft::service
