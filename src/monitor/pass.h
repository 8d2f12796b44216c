// One monitor pass over the catalog: judge every product's SLAs, record the
// changes of state (the SLA history), reconcile incidents and queue the
// notifications they cause — in one catalog transaction that, being
// monitoring, starts no new generation.
//
//   ASSIGN_OR_RETURN(PassReport r, RunPass(store, {.now_ms = clock.NowMillis(), .recipients = who}));
//
// `weft serve` runs a pass every interval and after each publish; `weft
// monitor --once` runs one (for cron-driven deployments). Delivering the
// queued notifications is DeliverDue's (notify.h).
//
// Thread safety: one pass at a time per catalog: a pass reconciles against
// what it read before it writes, so two at once would each open the same
// incident. Callers hold the catalog's "monitor" lease (Store::AcquireLease),
// as service::MonitorService::Pass does.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "monitor/incidents.h"
#include "quality/guards.h"

namespace weft::monitor {

struct PassOptions {
  int64_t now_ms = 0;
  std::string source = "weft://workspace";  // the CloudEvents source
  quality::GuardSettings defaults;          // the workspace's publish: settings (volume sensitivity, history)
  // Who hears about a product's events: its owners, grantees and subscribers.
  std::function<std::set<std::string>(const std::string& product_id)> recipients;
  // More conditions of a product the caller knows (missed schedules).
  std::function<std::vector<Finding>(const std::string& product_id)> more_findings;
};

struct PassReport {
  int products = 0;
  int sla_changes = 0;
  std::vector<catalog::IncidentRecord> opened, updated, resolved;
};

Result<PassReport> RunPass(catalog::Store& store, const PassOptions& options);

// The newest major of each product with the contract of its first port:
// what the pass and `weft sla status` judge.
struct WatchedProduct {
  catalog::ProductRecord product;
  int64_t major = 0;
  std::string contract_version;
  std::vector<spec::SlaProperty> sla;
  quality::AnomalySettings anomaly;
};
// `only`: just that product (a product page must not parse every contract).
Result<std::vector<WatchedProduct>> WatchedProducts(catalog::Store& store, const quality::GuardSettings& defaults,
                                                    const std::string& only = "");

// The snapshots, publishes and latest quality results of `w`'s major, and
// the points marked false positives: the input of FindingsOf.
Result<ProductWatch> LoadWatch(catalog::Store& store, const WatchedProduct& w);

}  // namespace weft::monitor
