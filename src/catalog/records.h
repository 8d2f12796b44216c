// The control-plane records the catalog keeps: what `weft apply` registers
// and every later milestone reads. Plain values; the Store (store.h) persists
// them. Spec bodies are kept as canonical JSON (keys sorted) so a digest of
// the text identifies a spec version exactly.
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft::catalog {

// A domain: an isolated "account" with its own storage root and service principal.
struct DomainRecord {
  std::string name;
  std::string description;
  std::vector<std::string> owners;
  std::string storage_root;       // absolute path
  std::string service_principal;  // "svc.<domain>"
  std::optional<double> monthly_budget;
  std::optional<double> soft_limit_percent;
  std::string currency;
  std::string cost_center;
  std::string spec_json;  // canonical JSON of domain.yaml
  std::string digest;     // SHA-256 of spec_json
};

// A user, a service principal or a group (a domain team).
struct PrincipalRecord {
  std::string name;
  std::string kind;  // user | service | group
  std::string display_name;
  std::map<std::string, std::string> attributes;  // e.g. region=EU (row filters)
};

// Membership of a principal in a group, with the role it holds there.
struct MembershipRecord {
  std::string group;      // e.g. "team:sales"
  std::string principal;  // e.g. "carol@retail.example"
  std::string role;       // owner | member | steward | ...
  std::string source;     // the object that declared it (domain.yaml, product id): replaced on re-apply
};

struct ProductRecord {
  std::string id;  // "<domain>.<product>"
  std::string domain;
  std::string name;
  std::string status;  // ODPS status as written
  std::string version;
  std::string tier;  // weft.tier
  std::string description;
  std::vector<std::string> tags;
  std::string spec_json;
  // A derived product's transform (the file its weft.transform names), as
  // applied; empty for a source product.
  std::string transform_sql;
  // SHA-256 of spec_json, and of the transform when there is one: editing
  // transform.sql alone is a change to apply.
  std::string digest;
};

// One major version of one output port: what consumers address as
// `domain.product` (newest) or `domain.product_v<major>`.
struct PortVersionRecord {
  std::string product_id;
  std::string port;
  int64_t major = 0;
  std::string version;      // the contract version currently served under this major
  std::string contract_id;
  std::string status;       // active | deprecated | retired
  std::string end_of_support;
  std::string end_of_life;
  std::string storage_path;  // <domain root>/products/<product>/v<major>
};

// An applied contract version. Immutable: the same (id, version) can never
// be applied with a different spec.
struct ContractVersionRecord {
  std::string contract_id;
  std::string version;
  int64_t major = 0;
  std::string product_id;
  std::string port;
  std::string spec_json;
  std::string digest;
  std::string applied_at;  // ISO 8601 UTC
};

struct ReferenceEntityRecord {
  std::string name;
  std::string mastered_by;
  std::string identifier_name;
  std::string spec_json;
  std::string digest;
};

// A business glossary term (spec GlossaryTerm). `domain` empty: global.
struct GlossaryTermRecord {
  std::string name;
  std::string title;
  std::string domain;
  std::string definition;
  std::vector<std::string> owners;
  std::vector<std::string> synonyms;
  std::vector<std::string> related;
  std::string spec_json;
  std::string digest;
};

// One column of a served port version that names a glossary term. Derived
// at apply time from the served contracts and the glossary (spec/glossary.h);
// apply replaces them all.
struct GlossaryLinkRecord {
  std::string term;
  std::string product_id;
  std::string port;
  int64_t major = 0;
  std::string contract_id;
  std::string contract_version;
  std::string object;
  std::string column;  // a nested column as parent.child
  std::string via;     // weft.term | authoritativeDefinitions | businessName
};

struct GlossaryLinkFilter {
  std::string term;     // empty: every term
  std::string product;  // empty: every product
};

// An immutable snapshot of one product major: a directory of Parquet files
// under <domain root>/products/<product>/v<major>/snapshots/<id>/ (format in
// docs/storage.md). Only snapshots with a catalog row exist for readers; the
// newest committed one of a (product, major) is current.
struct SnapshotRecord {
  std::string id;  // sortable: time-ordered, unique
  std::string product_id;
  int64_t major = 0;
  std::string parent_id;  // the snapshot this one replaced or appended to
  std::string created_at;
  std::string path;  // the snapshot directory (absolute)
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t files = 0;
  std::string contract_version;
  std::string input_checksum;  // SHA-256 of the input file(s); empty for derived runs
  std::string publish_id;
  std::string quality_json;  // summary: rules run/passed/failed, rows quarantined
};

// Column statistics of one committed snapshot, computed when the publish
// wrote it (quality/profile.h). Raw values: service::CatalogService::Profile
// withholds the value-revealing ones from a caller who does not read the
// column in clear over every row.
struct SnapshotProfileRecord {
  std::string snapshot_id;
  std::string product_id;
  std::string computed_at;  // ISO 8601 UTC
  // [{name, type, rows, nulls, distinct, min, max, top: [{value, count}]}]
  std::string columns_json;
};

// One publish (or derived run) attempt, published or not: the history.
struct PublishRecord {
  std::string id;
  std::string product_id;
  int64_t major = 0;
  std::string actor;
  std::string started_at;
  std::string finished_at;
  std::string outcome;  // published | rejected | duplicate | failed
  std::string mode;     // replace | append | run
  std::string snapshot_id;  // when published
  int64_t rows_in = 0;
  int64_t rows_valid = 0;
  int64_t rows_quarantined = 0;
  std::string input_checksum;
  std::string input_archive;  // where the input was archived
  std::string quarantine_path;
  std::string message;
};

// How far one producer's stream into a streaming product is committed
// (service/stream.h): the lines it sent before `offset` are in snapshot
// `snapshot_id` or an earlier one. Written in the batch's own publish
// transaction, so a producer that reconnects resumes at `offset` and nothing
// is lost or doubled.
struct StreamOffsetRecord {
  std::string product_id;
  int64_t major = 0;
  std::string producer;  // the producer's own name for its stream
  int64_t offset = 0;    // lines of the stream committed: the index of the next one
  std::string publish_id;
  std::string snapshot_id;
  std::string updated_at;
};

// The result of one quality rule in one publish.
struct QualityResultRecord {
  std::string publish_id;
  std::string rule_id;   // the rule's id, or a stable generated one (e.g. "orders.amount:nullValues")
  std::string kind;      // metric (nullValues, ...), sql, type, required, unique, primaryKey, relationship, option
  std::string object;
  std::string column;    // empty for dataset rules
  std::string severity;  // error | warning | info
  std::string dimension;
  int64_t failing_rows = 0;
  int64_t checked_rows = 0;
  double value = 0;       // the measured metric (count or percent)
  std::string threshold;  // e.g. "mustBe 0 rows"
  bool passed = true;
  bool row_level = false;  // failing rows went to quarantine
};

// A principal's request to read a product (governed sharing, access/).
struct AccessRequestRecord {
  int64_t id = 0;  // assigned by the store
  std::string product_id;
  int64_t major = 0;  // the major asked for
  std::string principal;  // who asks
  std::string grantee;    // who the grant would go to: the principal, one of its groups, or domain:<d>
  std::vector<std::string> columns;  // empty: every column
  std::string purpose;
  std::string until;  // ISO 8601 date the grant should end; empty: no end asked
  std::string status;  // pending | approved | denied
  std::string created_at;
  std::string decided_by;
  std::string decided_at;
  std::string reason;
  int64_t grant_id = 0;  // approved: the grant it made
};

// Read access to one product major for a principal, a group ("team:sales")
// or a whole domain ("domain:sales"). In force while not revoked and not
// expired; both are checked on every use.
struct GrantRecord {
  int64_t id = 0;  // assigned by the store
  std::string product_id;
  int64_t major = 0;
  std::string grantee;
  std::vector<std::string> columns;     // empty: every column
  std::string purpose;
  std::string expires_at;               // ISO 8601 UTC; empty: never
  std::vector<std::string> clearances;  // classifications whose masks it lifts (e.g. "pii")
  std::string row_filter;               // a predicate over the product's columns, may use $principal.<attribute>
  std::string granted_by;
  std::string granted_at;
  int64_t request_id = 0;  // 0: granted directly
  std::string revoked_by;
  std::string revoked_at;  // set: revoked
};

// An API token of a principal (docs/security.md). Only the SHA-256 of the
// secret is kept: the token is shown once, when it is made.
struct TokenRecord {
  std::string id;  // public, e.g. "tok_3f9a0c1d"; part of the token text
  std::string principal;
  std::string hash;  // SHA-256 hex of the whole token text
  std::string description;
  std::string created_by;
  std::string created_at;  // ISO 8601 UTC
  std::string expires_at;  // empty: never
  std::string revoked_by;
  std::string revoked_at;  // set: revoked
};

// One governed read: a query, or a derived run's read of its inputs.
struct UsageRecord {
  int64_t id = 0;  // assigned by the store
  std::string at;  // ISO 8601 UTC
  std::string principal;
  std::string consumer_domain;  // whose budget pays; empty when the principal has no domain
  std::string kind;             // query | run
  std::vector<std::string> products;  // addresses read, "sales.orders_v1"
  std::vector<std::string> columns;   // "sales.orders_v1.amount"
  int64_t rows_scanned = 0;
  int64_t bytes_scanned = 0;
  int64_t rows_returned = 0;
  double cpu_seconds = 0;
  double wall_seconds = 0;
  double cost = 0;  // from the workspace rate card, in its currency
  std::string status;  // ok | refused | error
  std::string message;
};

struct UsageFilter {
  std::string product_id;       // reads of this product (any major); empty: all
  std::string consumer_domain;  // empty: all
  std::string since;            // ISO 8601; at or after
  std::string until;            // ISO 8601; before
};

struct AuditEvent {
  int64_t id = 0;  // assigned by the store
  std::string time;  // ISO 8601 UTC; the store fills it when empty
  std::string actor;
  std::string action;  // e.g. "apply.create", "apply.update", "waiver.add"
  std::string object;  // e.g. "product:sales.orders", "contract:sales.orders@1.1.0"
  std::string before_digest;
  std::string after_digest;
  std::string detail;  // a short human-readable note
};

struct AuditFilter {
  std::string object;  // exact, or a prefix ending in '*'
  std::string since;   // ISO 8601; events at or after
  int64_t after_id = 0;  // events appended after this one (an event's time is when its change was planned)
  int limit = 1000;
  bool newest_first = false;
};

// A policy waiver: this policy does not apply to this subject until expiry.
struct WaiverRecord {
  int64_t id = 0;
  std::string policy_id;
  std::string subject;
  std::string reason;
  std::string approver;
  std::string expires_at;  // ISO 8601 UTC
  std::string created_at;
};

// What search indexes for one product (one row per product).
struct SearchDocument {
  std::string product_id;
  std::string domain;
  std::string name;
  std::string status;
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> classifications;
  std::vector<std::string> column_tags;  // the columns' ODCS tags
  std::string columns;              // column names, space separated
  std::string column_descriptions;  // column descriptions, joined
  bool golden_record = false;       // masters a reference entity
  std::vector<std::string> references;  // reference entities it points at
};

struct SearchQuery {
  std::string text;
  std::string domain;
  std::string tag;
  std::string classification;
  std::string column_tag;
  std::string status;
  int limit = 20;
};

struct SearchHit {
  std::string product_id;
  std::string domain;
  std::string name;
  std::string status;
  double score = 0;     // higher is better
  std::string snippet;  // why it matched, with [matches] marked
};

// A glossary term the search text matched (by name, title, synonyms or definition).
struct TermHit {
  std::string name;
  std::string title;
  std::string domain;
  std::string definition;
  double score = 0;     // higher is better
  std::string snippet;  // why it matched, with [matches] marked
};

// Facet counts cover the best this many matches of a search (the first this
// many of a listing by name), not every match: counting all 100,000 matches
// of a common word costs far more than finding the best 20
// (docs/benchmarks.md, bench_search). SearchResult::facets_complete says
// when matches were left out.
inline constexpr int kSearchFacetWindow = 200;

struct SearchResult {
  std::vector<SearchHit> hits;
  // facet name (domain, tag, classification, column_tag, status) -> value ->
  // count among the best `facets_counted` matches (rank order; a listing: by
  // name). When more matched (facets_complete false), the counts leave out
  // the rest: bounding them keeps a search's cost with its result, not the
  // catalog's size.
  std::map<std::string, std::map<std::string, int64_t>> facets;
  int64_t facets_counted = 0;
  bool facets_complete = true;
  std::vector<TermHit> terms;  // only for a text search; the filters do not apply to terms
};

// --- Monitoring (monitor/): how products behave over time. Writing these
// records does not start a new catalog generation (store.h).

// One change of an SLA's state for a product: the SLA history keeps a row
// when a monitor pass finds the state different from the last row.
struct SlaCheckRecord {
  int64_t id = 0;  // assigned by the store
  std::string at;  // ISO 8601 UTC of the pass
  std::string product_id;
  int64_t major = 0;
  std::string sla;       // the SLA's id, or its property when it has none
  std::string property;  // latency, frequency, ...
  std::string state;     // met | breached | unknown
  std::optional<double> target;
  std::optional<double> actual;
  std::string unit;  // seconds | percent
  std::string detail;
};

// Something wrong with a product that a person should look at.
struct IncidentRecord {
  int64_t id = 0;  // assigned by the store
  std::string product_id;
  int64_t major = 0;
  std::string kind;       // sla | quality | publish | run | anomaly | schedule
  std::string condition;  // what opened it, e.g. "sla:latency", "publish:refused"
  std::string subject;    // what it is about (a publish id); empty for a state such as an SLA
  std::string severity;   // critical | error | warning
  std::string title;
  std::string status;  // open | acknowledged | resolved
  std::string assignee;
  std::string opened_at;
  std::string updated_at;
  std::string resolved_at;
  std::string resolution;  // cleared (the condition went away) | fixed | false-positive | a person's words
  bool false_positive = false;
  std::string detail;  // the latest figures
};

// One line of an incident's timeline.
struct IncidentEventRecord {
  int64_t id = 0;  // assigned by the store
  int64_t incident_id = 0;
  std::string at;
  std::string actor;  // a principal, or "weft" for the monitor
  std::string kind;   // opened | updated | acknowledged | assigned | note | resolved
  std::string message;
};

struct IncidentFilter {
  std::string product_id;  // empty: every product
  std::string status;      // open | acknowledged | resolved | unresolved (open or acknowledged); empty: all
  int limit = 0;           // <= 0: all
};

// A principal's subscription to a product's events.
struct SubscriptionRecord {
  int64_t id = 0;  // assigned by the store
  std::string principal;
  std::string product_id;  // "*": every product
  std::string created_at;
};

// Where a principal's notifications are delivered.
struct WebhookRecord {
  std::string id;  // "wh_" + random
  std::string principal;
  std::string url;
  std::string secret;               // the HMAC-SHA256 key; shown once, at creation
  std::vector<std::string> events;  // event types; empty: every type
  std::string created_at;
  std::string removed_at;  // empty: in use
};

// One event for one webhook: the outbox the deliverer sends from and the
// delivery log.
struct DeliveryRecord {
  int64_t id = 0;  // assigned by the store
  std::string webhook_id;
  std::string event_id;  // the CloudEvent's id
  std::string event_type;
  std::string subject;  // the product, when the event is about one
  std::string payload;  // the CloudEvent JSON, as sent
  std::string status;   // pending | delivered | failed (gave up)
  int64_t attempts = 0;
  std::string created_at;
  std::string next_attempt_at;
  std::string last_attempt_at;
  int64_t last_http_status = 0;
  std::string last_error;
};

struct DeliveryFilter {
  std::string webhook_id;  // empty: every webhook
  std::string event_id;    // empty: every event
  std::string status;      // empty: all
  std::string due_by;      // pending ones whose next attempt is at or before this time; empty: any
  int limit = 0;           // <= 0: all
};

}  // namespace weft::catalog
