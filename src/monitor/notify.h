// Notifications: events as CloudEvents 1.0, queued per webhook in the same
// catalog transaction as what caused them (an outbox), and delivered with a
// signature, retries and a delivery log.
//
//   RETURN_IF_ERROR(Enqueue(txn, hooks, {"bob"}, event, "weft://retail"));   // inside the causing write
//   ASSIGN_OR_RETURN(auto report, DeliverDue(store, transport, clock.NowMillis(), {}));
//
// Signature (docs/notifications.md): the header
//   Weft-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// A receiver recomputes it with the webhook's secret, compares in constant
// time and refuses a timestamp older than its tolerance (replays).
//
// Retries: a delivery that fails (transport error or a status outside 2xx)
// is tried again after base * 2^(attempts-1), capped at max_backoff, until
// max_attempts; then it is "failed" and stays in the log.
//
// Thread safety: Enqueue uses the caller's transaction; DeliverDue may run
// in one thread at a time per store (the server's monitor thread, or one
// `weft monitor --once`). Two deliverers could both send a due delivery
// (at least once, never lost); receivers dedupe by the CloudEvent id.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/store.h"
#include "common/status.h"

namespace weft::monitor {

// The event types weft emits; a webhook may take a subset.
inline constexpr const char* kEventTypes[] = {
    "incident.opened",    "incident.resolved", "publish.refused", "change.breaking",  "version.major",
    "lifecycle.deprecation", "lifecycle.endOfLife", "access.requested", "access.decided", "budget.threshold",
    "webhook.test",
};
bool IsEventType(const std::string& type);

struct Event {
  std::string id;    // unique; the receiver's dedupe key
  std::string type;  // one of kEventTypes
  std::string product_id;  // the CloudEvent subject; empty when about no product
  std::string time;        // ISO 8601 UTC
  nlohmann::json data = nlohmann::json::object();
};

// A fresh event id: "ev_" + 16 random bytes as hex.
std::string NewEventId();

// The CloudEvents 1.0 structured-mode JSON of `e`; `source` is the
// workspace's URI reference ("weft://retail").
nlohmann::json CloudEvent(const Event& e, const std::string& source);

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>"
std::string SignatureHeader(const std::string& secret, int64_t unix_seconds, const std::string& body);

// Queues `e` for every in-use webhook of `recipients` that takes its type.
Status Enqueue(catalog::Transaction& txn, const std::vector<catalog::WebhookRecord>& hooks,
               const std::set<std::string>& recipients, const Event& e, const std::string& source);

struct HttpReply {
  int status = 0;      // 0: no answer
  std::string error;   // why there was no answer
};
// POSTs `body` to `url` with `headers`; the real one is service's httplib client.
using Transport = std::function<HttpReply(const std::string& url, const std::map<std::string, std::string>& headers,
                                          const std::string& body)>;

struct DeliverySettings {
  int max_attempts = 8;
  int64_t base_backoff_ms = 30'000;
  int64_t max_backoff_ms = 3'600'000;
  int batch = 100;  // deliveries sent per call
  std::string only_webhook;  // send only this webhook's (weft webhooks test); empty: all
};

struct DeliveryReport {
  int delivered = 0;
  int retrying = 0;
  int failed = 0;  // gave up
};

// Sends every pending delivery due at `now_ms` and records each attempt.
Result<DeliveryReport> DeliverDue(catalog::Store& store, const Transport& transport, int64_t now_ms,
                                  const DeliverySettings& settings);

}  // namespace weft::monitor
