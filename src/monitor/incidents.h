// Incidents: what is wrong with a product now, and the reconciliation that
// keeps the incident table in step with it.
//
//   std::vector<Finding> f = FindingsOf(watch, now_ms);         // pure: the conditions that hold
//   IncidentPlan plan = Reconcile(f, incidents_of_product);   // pure: open, update, resolve
//
// The monitor does not remember events: each pass derives the conditions
// from the catalog's record (snapshots, publishes, quality results) and the
// clock, and reconciles. A condition that appears opens an incident; one that
// goes away resolves it ("cleared"); one that persists updates its figures.
//
// A finding names a condition ("sla:latency", "publish:refused") and, for
// conditions about one event, a subject (the publish id). A state such as an
// SLA breach has no subject: resolving it by hand while it still holds opens
// a new incident on the next pass, as an alert that is still firing should.
// An event's incident resolved by hand stays resolved.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "monitor/sla.h"
#include "quality/anomaly.h"
#include "spec/model.h"

namespace weft::monitor {

struct Finding {
  std::string kind;       // sla | quality | publish | run | anomaly | schedule
  std::string condition;  // e.g. "sla:latency", "anomaly:volume"
  std::string subject;    // a publish id; empty for a state
  std::string severity;   // critical | error | warning
  std::string title;
  std::string detail;
};

// What a pass knows about one product (its newest major).
struct ProductWatch {
  std::string product_id;
  int64_t major = 0;
  std::vector<spec::SlaProperty> sla;
  std::vector<catalog::SnapshotRecord> snapshots;  // of the major, newest first
  std::vector<catalog::PublishRecord> publishes;   // of the major, newest first
  std::vector<catalog::QualityResultRecord> latest_results;  // of publishes.front()
  // Points a person marked false positives (publish ids): not used as history.
  std::set<std::string> excluded;
  quality::AnomalySettings anomaly;  // sensitivity 0: no anomaly findings
};

// The SLA results and every condition that holds at `now_ms`.
struct Findings {
  std::vector<SlaResult> sla;
  std::vector<Finding> findings;
};
Findings FindingsOf(const ProductWatch& w, int64_t now_ms);

// What to write so the incidents of one product match its findings.
struct IncidentPlan {
  std::vector<Finding> open;
  std::vector<std::pair<catalog::IncidentRecord, Finding>> update;  // unresolved, figures changed
  std::vector<catalog::IncidentRecord> resolve;                     // unresolved, condition gone
};
// `incidents`: the product's incidents, resolved ones too.
IncidentPlan Reconcile(const std::vector<Finding>& findings, const std::vector<catalog::IncidentRecord>& incidents);

}  // namespace weft::monitor
