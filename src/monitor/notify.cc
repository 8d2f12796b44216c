#include "monitor/notify.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/hashing.h"
#include "common/time.h"

namespace weft::monitor {

bool IsEventType(const std::string& type) {
  return std::any_of(std::begin(kEventTypes), std::end(kEventTypes), [&](const char* t) { return type == t; });
}

std::string NewEventId() { return "ev_" + RandomHex(16); }

nlohmann::json CloudEvent(const Event& e, const std::string& source) {
  nlohmann::json out = {
      {"specversion", "1.0"},
      {"id", e.id},
      {"source", source},
      // Reverse-DNS types, as CloudEvents recommends; webhooks filter on the short name.
      {"type", "dev.weft." + e.type},
      {"time", e.time},
      {"datacontenttype", "application/json"},
      {"data", e.data},
  };
  if (!e.product_id.empty()) out["subject"] = e.product_id;
  return out;
}

std::string SignatureHeader(const std::string& secret, int64_t unix_seconds, const std::string& body) {
  return fmt::format("t={},v1={}", unix_seconds, HmacSha256Hex(secret, fmt::format("{}.{}", unix_seconds, body)));
}

Status Enqueue(catalog::Transaction& txn, const std::vector<catalog::WebhookRecord>& hooks,
               const std::set<std::string>& recipients, const Event& e, const std::string& source) {
  const std::string payload = CloudEvent(e, source).dump();
  for (const auto& h : hooks) {
    if (!h.removed_at.empty() || !recipients.contains(h.principal)) continue;
    if (!h.events.empty() && std::find(h.events.begin(), h.events.end(), e.type) == h.events.end()) continue;
    RETURN_IF_ERROR(txn.InsertDelivery({.webhook_id = h.id,
                                        .event_id = e.id,
                                        .event_type = e.type,
                                        .subject = e.product_id,
                                        .payload = payload,
                                        .status = "pending",
                                        .created_at = e.time,
                                        .next_attempt_at = e.time})
                        .status());
  }
  return Status::Ok();
}

namespace {

int64_t Backoff(const DeliverySettings& s, int64_t attempts) {
  int64_t wait = s.base_backoff_ms;
  for (int64_t i = 1; i < attempts && wait < s.max_backoff_ms; ++i) wait *= 2;
  return std::min(wait, s.max_backoff_ms);
}

}  // namespace

Result<DeliveryReport> DeliverDue(catalog::Store& store, const Transport& transport, int64_t now_ms,
                                  const DeliverySettings& settings) {
  const std::string now = IsoOfMillis(now_ms);
  ASSIGN_OR_RETURN(auto due, store.ListDeliveries(
                                 {.webhook_id = settings.only_webhook, .due_by = now, .limit = settings.batch}));
  ASSIGN_OR_RETURN(auto hooks, store.ListWebhooks());
  DeliveryReport report;
  // Oldest first: a receiver sees events in the order they happened.
  std::reverse(due.begin(), due.end());
  for (auto& d : due) {
    auto hook = std::find_if(hooks.begin(), hooks.end(), [&](const auto& h) { return h.id == d.webhook_id; });
    ++d.attempts;
    d.last_attempt_at = now;
    HttpReply reply;
    if (hook == hooks.end() || !hook->removed_at.empty()) {
      reply.error = "the webhook was removed";
      d.attempts = settings.max_attempts;  // nothing to retry against
    } else {
      const std::map<std::string, std::string> headers = {
          {"Content-Type", "application/cloudevents+json"},
          {"Weft-Signature", SignatureHeader(hook->secret, now_ms / 1000, d.payload)},
          {"Weft-Event-Id", d.event_id},
          {"Weft-Delivery-Attempt", std::to_string(d.attempts)},
      };
      reply = transport(hook->url, headers, d.payload);
    }
    d.last_http_status = reply.status;
    if (reply.status >= 200 && reply.status < 300) {
      d.status = "delivered";
      d.last_error.clear();
      ++report.delivered;
    } else {
      d.last_error = reply.status != 0 ? fmt::format("the receiver answered HTTP {}", reply.status) : reply.error;
      if (d.attempts >= settings.max_attempts) {
        d.status = "failed";
        ++report.failed;
      } else {
        d.next_attempt_at = IsoOfMillis(now_ms + Backoff(settings, d.attempts));
        ++report.retrying;
      }
    }
    // One transaction per attempt: a crash between two sends loses no record
    // of the ones already made.
    ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
    RETURN_IF_ERROR(txn->UpdateDelivery(d));
    RETURN_IF_ERROR(txn->Commit());
  }
  return report;
}

}  // namespace weft::monitor
