// The catalog's rows as records, for both store implementations: the JSON
// text columns, the column lists of the wider tables, and one decoder per
// record, generic over the row type (`s.Text(i)`, `s.Int(i)`, `s.Double(i)`,
// `s.OptionalDouble(i)`: sqlite::Statement, postgres::Row). Both stores
// keep the same columns in the same order, so a record reads alike from
// either.
//
// Decoders of records holding file-system paths take a `paths` object whose
// Resolve(stored) gives the path to return (the SQLite store keeps them
// relative to the catalog file; see sqlite/stored_paths.h).
//
// Thread safety: pure functions.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"

namespace weft::catalog::catalog_internal {

inline constexpr const char* kProductColumns =
    "id, domain, name, status, version, tier, description, tags, spec_json, digest, transform_sql";

// --- JSON columns -------------------------------------------------------------

inline std::string ToJson(const nlohmann::json& value) {
  // Replace invalid UTF-8 rather than throw; inputs are validated upstream.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T>
Result<T> FromJson(const std::string& text, const char* column) {
  try {
    return nlohmann::json::parse(text).get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(fmt::format("the catalog column {} holds invalid JSON: {}", column, e.what()));
  }
}

inline Status RequireKey(const std::string& value, const char* what) {
  if (value.empty()) return Status::InvalidArgument(fmt::format("{} is empty", what));
  return Status::Ok();
}

// --- row decoding ---------------------------------------------------------------

template <typename Row, typename Paths>
Result<DomainRecord> DecodeDomain(const Row& s, const Paths& paths) {
  DomainRecord d;
  d.name = s.Text(0);
  d.description = s.Text(1);
  ASSIGN_OR_RETURN(d.owners, FromJson<std::vector<std::string>>(s.Text(2), "domains.owners"));
  d.storage_root = paths.Resolve(s.Text(3));
  d.service_principal = s.Text(4);
  d.monthly_budget = s.OptionalDouble(5);
  d.soft_limit_percent = s.OptionalDouble(6);
  d.currency = s.Text(7);
  d.cost_center = s.Text(8);
  d.spec_json = s.Text(9);
  d.digest = s.Text(10);
  return d;
}

template <typename Row>
Result<PrincipalRecord> DecodePrincipal(const Row& s) {
  PrincipalRecord p;
  p.name = s.Text(0);
  p.kind = s.Text(1);
  p.display_name = s.Text(2);
  ASSIGN_OR_RETURN(p.attributes, (FromJson<std::map<std::string, std::string>>(s.Text(3), "principals.attributes")));
  return p;
}

template <typename Row>
Result<MembershipRecord> DecodeMembership(const Row& s) {
  return MembershipRecord{.group = s.Text(0), .principal = s.Text(1), .role = s.Text(2), .source = s.Text(3)};
}

template <typename Row>
Result<ProductRecord> DecodeProduct(const Row& s) {
  ProductRecord p;
  p.id = s.Text(0);
  p.domain = s.Text(1);
  p.name = s.Text(2);
  p.status = s.Text(3);
  p.version = s.Text(4);
  p.tier = s.Text(5);
  p.description = s.Text(6);
  ASSIGN_OR_RETURN(p.tags, FromJson<std::vector<std::string>>(s.Text(7), "products.tags"));
  p.spec_json = s.Text(8);
  p.digest = s.Text(9);
  p.transform_sql = s.Text(10);
  return p;
}

template <typename Row, typename Paths>
Result<PortVersionRecord> DecodePortVersion(const Row& s, const Paths& paths) {
  return PortVersionRecord{.product_id = s.Text(0),
                           .port = s.Text(1),
                           .major = s.Int(2),
                           .version = s.Text(3),
                           .contract_id = s.Text(4),
                           .status = s.Text(5),
                           .end_of_support = s.Text(6),
                           .end_of_life = s.Text(7),
                           .storage_path = paths.Resolve(s.Text(8))};
}

template <typename Row>
Result<ContractVersionRecord> DecodeContractVersion(const Row& s) {
  return ContractVersionRecord{.contract_id = s.Text(0),
                               .version = s.Text(1),
                               .major = s.Int(2),
                               .product_id = s.Text(3),
                               .port = s.Text(4),
                               .spec_json = s.Text(5),
                               .digest = s.Text(6),
                               .applied_at = s.Text(7)};
}

template <typename Row>
Result<ReferenceEntityRecord> DecodeReferenceEntity(const Row& s) {
  return ReferenceEntityRecord{.name = s.Text(0),
                               .mastered_by = s.Text(1),
                               .identifier_name = s.Text(2),
                               .spec_json = s.Text(3),
                               .digest = s.Text(4)};
}

template <typename Row>
Result<GlossaryTermRecord> DecodeGlossaryTerm(const Row& s) {
  GlossaryTermRecord t{.name = s.Text(0), .title = s.Text(1), .domain = s.Text(2), .definition = s.Text(3),
                       .owners = {}, .synonyms = {}, .related = {}, .spec_json = s.Text(7), .digest = s.Text(8)};
  ASSIGN_OR_RETURN(t.owners, FromJson<std::vector<std::string>>(s.Text(4), "glossary_terms.owners"));
  ASSIGN_OR_RETURN(t.synonyms, FromJson<std::vector<std::string>>(s.Text(5), "glossary_terms.synonyms"));
  ASSIGN_OR_RETURN(t.related, FromJson<std::vector<std::string>>(s.Text(6), "glossary_terms.related"));
  return t;
}

template <typename Row>
Result<GlossaryLinkRecord> DecodeGlossaryLink(const Row& s) {
  return GlossaryLinkRecord{.term = s.Text(0), .product_id = s.Text(1), .port = s.Text(2), .major = s.Int(3),
                            .contract_id = s.Text(4), .contract_version = s.Text(5), .object = s.Text(6),
                            .column = s.Text(7), .via = s.Text(8)};
}

template <typename Row>
Result<TermHit> DecodeTermHit(const Row& s) {
  return TermHit{.name = s.Text(0), .title = s.Text(1), .domain = s.Text(2), .definition = s.Text(3),
                 .score = s.Double(4), .snippet = s.Text(5)};
}

template <typename Row>
Result<WaiverRecord> DecodeWaiver(const Row& s) {
  return WaiverRecord{.id = s.Int(0),
                      .policy_id = s.Text(1),
                      .subject = s.Text(2),
                      .reason = s.Text(3),
                      .approver = s.Text(4),
                      .expires_at = s.Text(5),
                      .created_at = s.Text(6)};
}

template <typename Row>
Result<AuditEvent> DecodeAuditEvent(const Row& s) {
  return AuditEvent{.id = s.Int(0),
                    .time = s.Text(1),
                    .actor = s.Text(2),
                    .action = s.Text(3),
                    .object = s.Text(4),
                    .before_digest = s.Text(5),
                    .after_digest = s.Text(6),
                    .detail = s.Text(7)};
}

// Column lists shared by the writers and the readers, in decoder order.
inline constexpr const char* kSnapshotColumns =
    "id, product_id, major, parent_id, created_at, path, row_count, byte_count, file_count, contract_version, "
    "input_checksum, publish_id, quality_json";
inline constexpr const char* kPublishColumns =
    "id, product_id, major, actor, started_at, finished_at, outcome, mode, snapshot_id, rows_in, rows_valid, "
    "rows_quarantined, input_checksum, input_archive, quarantine_path, message";
inline constexpr const char* kQualityResultColumns =
    "publish_id, rule_id, kind, object, column_name, severity, dimension, failing_rows, checked_rows, value, "
    "threshold, passed, row_level";

inline constexpr const char* kAccessRequestColumns =
    "id, product_id, major, principal, grantee, columns, purpose, until, status, created_at, decided_by, decided_at, "
    "reason, grant_id";
inline constexpr const char* kGrantColumns =
    "id, product_id, major, grantee, columns, purpose, expires_at, clearances, row_filter, granted_by, granted_at, "
    "request_id, revoked_by, revoked_at";
inline constexpr const char* kUsageColumns =
    "id, at, principal, consumer_domain, kind, products, columns, rows_scanned, bytes_scanned, rows_returned, "
    "cpu_seconds, wall_seconds, cost, status, message";

inline constexpr const char* kTokenColumns =
    "id, principal, hash, description, created_by, created_at, expires_at, revoked_by, revoked_at";

inline constexpr const char* kSlaCheckColumns =
    "id, at, product_id, major, sla, property, state, target, actual, unit, detail";
inline constexpr const char* kIncidentColumns =
    "id, product_id, major, kind, condition, subject, severity, title, status, assignee, opened_at, updated_at, "
    "resolved_at, resolution, false_positive, detail";
inline constexpr const char* kIncidentEventColumns = "id, incident_id, at, actor, kind, message";
inline constexpr const char* kWebhookColumns = "id, principal, url, secret, events, created_at, removed_at";
inline constexpr const char* kDeliveryColumns =
    "id, webhook_id, event_id, event_type, subject, payload, status, attempts, created_at, next_attempt_at, "
    "last_attempt_at, last_http_status, last_error";

inline constexpr const char* kStreamOffsetColumns =
    "product_id, major, producer, committed_lines, publish_id, snapshot_id, updated_at";

template <typename Row>
Result<StreamOffsetRecord> DecodeStreamOffset(const Row& s) {
  return StreamOffsetRecord{.product_id = s.Text(0), .major = s.Int(1), .producer = s.Text(2), .offset = s.Int(3),
                            .publish_id = s.Text(4), .snapshot_id = s.Text(5), .updated_at = s.Text(6)};
}

template <typename Row>
Result<SlaCheckRecord> DecodeSlaCheck(const Row& s) {
  return SlaCheckRecord{.id = s.Int(0), .at = s.Text(1), .product_id = s.Text(2), .major = s.Int(3),
                        .sla = s.Text(4), .property = s.Text(5), .state = s.Text(6),
                        .target = s.OptionalDouble(7), .actual = s.OptionalDouble(8), .unit = s.Text(9),
                        .detail = s.Text(10)};
}

template <typename Row>
Result<IncidentRecord> DecodeIncident(const Row& s) {
  return IncidentRecord{.id = s.Int(0), .product_id = s.Text(1), .major = s.Int(2), .kind = s.Text(3),
                        .condition = s.Text(4), .subject = s.Text(5), .severity = s.Text(6), .title = s.Text(7),
                        .status = s.Text(8), .assignee = s.Text(9), .opened_at = s.Text(10),
                        .updated_at = s.Text(11), .resolved_at = s.Text(12), .resolution = s.Text(13),
                        .false_positive = s.Int(14) != 0, .detail = s.Text(15)};
}

template <typename Row>
Result<IncidentEventRecord> DecodeIncidentEvent(const Row& s) {
  return IncidentEventRecord{.id = s.Int(0), .incident_id = s.Int(1), .at = s.Text(2), .actor = s.Text(3),
                             .kind = s.Text(4), .message = s.Text(5)};
}

template <typename Row>
Result<SubscriptionRecord> DecodeSubscription(const Row& s) {
  return SubscriptionRecord{.id = s.Int(0), .principal = s.Text(1), .product_id = s.Text(2),
                            .created_at = s.Text(3)};
}

template <typename Row>
Result<WebhookRecord> DecodeWebhook(const Row& s) {
  WebhookRecord w{.id = s.Text(0), .principal = s.Text(1), .url = s.Text(2), .secret = s.Text(3)};
  ASSIGN_OR_RETURN(w.events, FromJson<std::vector<std::string>>(s.Text(4), "webhooks.events"));
  w.created_at = s.Text(5);
  w.removed_at = s.Text(6);
  return w;
}

template <typename Row>
Result<DeliveryRecord> DecodeDelivery(const Row& s) {
  return DeliveryRecord{.id = s.Int(0), .webhook_id = s.Text(1), .event_id = s.Text(2), .event_type = s.Text(3),
                        .subject = s.Text(4), .payload = s.Text(5), .status = s.Text(6), .attempts = s.Int(7),
                        .created_at = s.Text(8), .next_attempt_at = s.Text(9), .last_attempt_at = s.Text(10),
                        .last_http_status = s.Int(11), .last_error = s.Text(12)};
}

template <typename Row>
Result<TokenRecord> DecodeToken(const Row& s) {
  return TokenRecord{.id = s.Text(0), .principal = s.Text(1), .hash = s.Text(2), .description = s.Text(3),
                     .created_by = s.Text(4), .created_at = s.Text(5), .expires_at = s.Text(6),
                     .revoked_by = s.Text(7), .revoked_at = s.Text(8)};
}

template <typename Row>
Result<AccessRequestRecord> DecodeAccessRequest(const Row& s) {
  AccessRequestRecord r{
      .id = s.Int(0), .product_id = s.Text(1), .major = s.Int(2), .principal = s.Text(3), .grantee = s.Text(4)};
  ASSIGN_OR_RETURN(r.columns, FromJson<std::vector<std::string>>(s.Text(5), "access_requests.columns"));
  r.purpose = s.Text(6);
  r.until = s.Text(7);
  r.status = s.Text(8);
  r.created_at = s.Text(9);
  r.decided_by = s.Text(10);
  r.decided_at = s.Text(11);
  r.reason = s.Text(12);
  r.grant_id = s.Int(13);
  return r;
}

template <typename Row>
Result<GrantRecord> DecodeGrant(const Row& s) {
  GrantRecord g{.id = s.Int(0), .product_id = s.Text(1), .major = s.Int(2), .grantee = s.Text(3)};
  ASSIGN_OR_RETURN(g.columns, FromJson<std::vector<std::string>>(s.Text(4), "grants.columns"));
  g.purpose = s.Text(5);
  g.expires_at = s.Text(6);
  ASSIGN_OR_RETURN(g.clearances, FromJson<std::vector<std::string>>(s.Text(7), "grants.clearances"));
  g.row_filter = s.Text(8);
  g.granted_by = s.Text(9);
  g.granted_at = s.Text(10);
  g.request_id = s.Int(11);
  g.revoked_by = s.Text(12);
  g.revoked_at = s.Text(13);
  return g;
}

template <typename Row>
Result<UsageRecord> DecodeUsage(const Row& s) {
  UsageRecord u{.id = s.Int(0), .at = s.Text(1), .principal = s.Text(2), .consumer_domain = s.Text(3), .kind = s.Text(4)};
  ASSIGN_OR_RETURN(u.products, FromJson<std::vector<std::string>>(s.Text(5), "usage.products"));
  ASSIGN_OR_RETURN(u.columns, FromJson<std::vector<std::string>>(s.Text(6), "usage.columns"));
  u.rows_scanned = s.Int(7);
  u.bytes_scanned = s.Int(8);
  u.rows_returned = s.Int(9);
  u.cpu_seconds = s.Double(10);
  u.wall_seconds = s.Double(11);
  u.cost = s.Double(12);
  u.status = s.Text(13);
  u.message = s.Text(14);
  return u;
}

template <typename Row, typename Paths>
Result<SnapshotRecord> DecodeSnapshot(const Row& s, const Paths& paths) {
  return SnapshotRecord{.id = s.Text(0),
                        .product_id = s.Text(1),
                        .major = s.Int(2),
                        .parent_id = s.Text(3),
                        .created_at = s.Text(4),
                        .path = paths.Resolve(s.Text(5)),
                        .rows = s.Int(6),
                        .bytes = s.Int(7),
                        .files = s.Int(8),
                        .contract_version = s.Text(9),
                        .input_checksum = s.Text(10),
                        .publish_id = s.Text(11),
                        .quality_json = s.Text(12)};
}

template <typename Row, typename Paths>
Result<PublishRecord> DecodePublish(const Row& s, const Paths& paths) {
  return PublishRecord{.id = s.Text(0),
                       .product_id = s.Text(1),
                       .major = s.Int(2),
                       .actor = s.Text(3),
                       .started_at = s.Text(4),
                       .finished_at = s.Text(5),
                       .outcome = s.Text(6),
                       .mode = s.Text(7),
                       .snapshot_id = s.Text(8),
                       .rows_in = s.Int(9),
                       .rows_valid = s.Int(10),
                       .rows_quarantined = s.Int(11),
                       .input_checksum = s.Text(12),
                       .input_archive = paths.Resolve(s.Text(13)),
                       .quarantine_path = paths.Resolve(s.Text(14)),
                       .message = s.Text(15)};
}

template <typename Row>
Result<QualityResultRecord> DecodeQualityResult(const Row& s) {
  return QualityResultRecord{.publish_id = s.Text(0),
                             .rule_id = s.Text(1),
                             .kind = s.Text(2),
                             .object = s.Text(3),
                             .column = s.Text(4),
                             .severity = s.Text(5),
                             .dimension = s.Text(6),
                             .failing_rows = s.Int(7),
                             .checked_rows = s.Int(8),
                             .value = s.Double(9),
                             .threshold = s.Text(10),
                             .passed = s.Int(11) != 0,
                             .row_level = s.Int(12) != 0};
}

// True when `filter` selects whole months from `since` on, for any product:
// what the usage_monthly table of both stores answers (a budget check's
// question) without summing usage rows.
inline bool WholeMonthsFrom(const UsageFilter& filter) {
  const std::string& s = filter.since;
  return filter.product_id.empty() && filter.until.empty() && s.size() == 10 && s[4] == '-' && s.ends_with("-01");
}

// Whether a statement writes (or reads to write) a table the planner reads
// (control/planner.cc: ReadCurrent, memberships, waivers). Decided from the
// statement's text rather than by each method declaring it, so a new write
// to one of these tables cannot forget to advance the control generation;
// a false match only costs a needless apply conflict.
inline bool WritesPlanInputs(std::string_view sql) {
  static constexpr std::string_view kTables[] = {"domains",           "memberships",   "products",
                                                 "port_versions",     "contract_versions", "reference_entities",
                                                 "glossary_terms",    "waivers"};
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::string_view table : kTables) {
    for (size_t at = sql.find(table); at != std::string_view::npos; at = sql.find(table, at + 1)) {
      const size_t end = at + table.size();
      if ((at == 0 || !word_char(sql[at - 1])) && (end == sql.size() || !word_char(sql[end]))) return true;
    }
  }
  return false;
}

}  // namespace weft::catalog::catalog_internal
