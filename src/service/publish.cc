#include "service/publish.h"

#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "query/runner.h"
#include "service/authorizer.h"
#include "service/catalog.h"

namespace weft::service {

namespace {

using nlohmann::json;

std::string ResultWord(const quality::RuleResult& r) {
  if (!r.check.skipped.empty()) return "skipped";
  if (r.passed) return "pass";
  if (r.check.scope == quality::RuleScope::kRow) return r.check.severity == "error" ? "quarantined" : "warn";
  return r.check.severity == "error" ? "FAIL" : "warn";
}

}  // namespace

Result<std::string> PublishService::ProductOf(const Caller& caller, const std::string& target) {
  const std::string product = Split(target, '@')[0];
  if (product.find('.') == std::string::npos)
    return Status::InvalidArgument("'" + target + "' is not DOMAIN.PRODUCT (e.g. sales.orders)");
  RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(product));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kPublish, Resource::Product(product)));
  return product;
}

Result<quality::PublishReport> PublishService::Publish(const Caller& caller, quality::PublishRequest request) {
  RETURN_IF_ERROR(ProductOf(caller, request.target).status());
  const control::Workspace& ws = mesh_.workspace();
  request.actor = caller.principal.name;
  request.memory_limit = ws.settings.query_memory_limit;
  request.threads = static_cast<int>(ws.settings.query_threads.value_or(0));
  request.temp_dir = ws.root / "tmp";
  request.guards = quality::WorkspaceGuards(ws.settings);
  auto report = quality::Publish(mesh_.store(), request);
  mesh_.CatalogChanged();
  return report;
}

Result<quality::PublishReport> PublishService::Run(const Caller& caller, const std::string& product, const Force& force,
                                                   std::function<void(const quality::PublishProgress&)> on_progress) {
  if (product.find('@') != std::string::npos)
    return Status::InvalidArgument("'" + product + "' is not DOMAIN.PRODUCT (e.g. finance.revenue_daily)");
  RETURN_IF_ERROR(ProductOf(caller, product).status());
  const control::Workspace& ws = mesh_.workspace();
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_.parser());
  ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
  quality::PublishRequest request{.target = product};
  request.actor = caller.principal.name;
  request.memory_limit = ws.settings.query_memory_limit;
  request.threads = static_cast<int>(ws.settings.query_threads.value_or(0));
  request.temp_dir = ws.root / "tmp";
  request.on_progress = std::move(on_progress);
  request.guards = quality::WorkspaceGuards(ws.settings);
  request.force = force.force;
  request.force_reason = force.reason;
  auto report = query::RunDerived(mesh_.store(), *parser, *access, runtime->copies(), std::move(request));
  mesh_.CatalogChanged();
  return report;
}

Result<quality::PublishReport> PublishService::Rollback(const Caller& caller, const std::string& product,
                                                        const std::string& snapshot, const std::string& reason) {
  if (product.find('@') != std::string::npos)
    return Status::InvalidArgument("'" + product + "' is not DOMAIN.PRODUCT; the snapshot names the version");
  RETURN_IF_ERROR(ProductOf(caller, product).status());
  if (snapshot.empty()) return Status::InvalidArgument("say which snapshot to restore (--to SNAPSHOT; `weft history " + product + "` lists them)");
  auto report = quality::Rollback(mesh_.store(), {.product = product, .snapshot = snapshot, .reason = reason,
                                                   .actor = caller.principal.name});
  mesh_.CatalogChanged();
  return report;
}

Result<QuarantineView> PublishService::Quarantine(const Caller& caller, const std::string& product, const std::string& publish,
                                                  int limit) {
  RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(product));
  // The rows are the input as it came, before any mask: the owners'.
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kReadQuarantine, Resource::Product(product)));
  if (limit < 1 || limit > 100000) return Status::InvalidArgument("limit must be 1 to 100000");
  ASSIGN_OR_RETURN(auto publishes, mesh_.store().ListPublishes(product, 0));
  QuarantineView v;
  v.product = product;
  for (const auto& p : publishes) {
    if (publish.empty() ? !p.quarantine_path.empty() : p.id == publish) {
      v.publish = p;
      break;  // newest first
    }
  }
  if (!v.publish) {
    if (publish.empty()) return v;
    std::vector<std::string> ids;
    for (const auto& p : publishes) ids.push_back(p.id);
    std::string hint = ClosestMatch(publish, ids);
    return Status::NotFound("no publish '" + publish + "' of " + product + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  if (v.publish->quarantine_path.empty()) return v;
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({.threads = 1}));
  ASSIGN_OR_RETURN(auto conn, engine::Connection::Open(db));
  auto result = conn.Query("SELECT __row AS \"row\", array_to_string(__rules, ', ') AS rules, "
                           "array_to_string(__reasons, '; ') AS reasons, * EXCLUDE (__row, __rules, __reasons) FROM read_parquet(" +
                           SqlQuote(v.publish->quarantine_path) + ") ORDER BY __row LIMIT " + std::to_string(limit));
  if (!result.ok()) return Status::IoError("cannot read the quarantine of publish " + v.publish->id + ": " + result.status().message());
  for (size_t i = 0; i < result->column_count(); ++i) v.columns.push_back(result->column_name(i));
  ASSIGN_OR_RETURN(v.rows, result->FetchAllAsStrings());
  return v;
}

Status PublishStatus(const quality::PublishReport& r) {
  if (r.outcome != "rejected") return Status::Ok();
  std::vector<std::string> why;
  if (r.checks.rejected) why.push_back("the contract's checks rejected the input: " + Join(r.checks.rejected_by, ", ") + " failed");
  if (!r.refused_by.empty())
    why.push_back("refused by " + r.refused_by + "; the current snapshot stays current (--force --reason TEXT overrides)");
  return Status::Rejected(Join(why, "; "));
}

json ToJson(const quality::PublishReport& r) {
  json rules = json::array();
  for (const auto& x : r.checks.results) {
    json sample = json::array();
    for (const auto& s : x.sample) sample.push_back({{"row", s.row}, {"reason", s.reason}});
    rules.push_back({{"id", x.check.id}, {"kind", x.check.kind}, {"column", x.check.column},
                     {"severity", x.check.severity}, {"scope", x.check.scope == quality::RuleScope::kRow ? "row" : "dataset"},
                     {"threshold", x.check.ThresholdText()}, {"hasThreshold", x.check.threshold.has_value()},
                     {"failingRows", x.failing_rows}, {"checkedRows", x.checked_rows}, {"value", x.value}, {"passed", x.passed},
                     {"result", ResultWord(x)}, {"note", x.check.skipped}, {"sample", sample}});
  }
  json guards = json::array();
  for (const auto& g : r.guards)
    guards.push_back({{"name", g.name}, {"passed", g.passed}, {"judged", g.judged}, {"value", g.value},
                      {"limit", g.limit}, {"detail", g.detail}});
  return {{"publishId", r.publish_id}, {"product", r.product_id}, {"major", r.major},
          {"contractVersion", r.contract_version}, {"object", r.object}, {"outcome", r.outcome}, {"mode", r.mode},
          {"snapshotId", r.snapshot_id}, {"parentSnapshotId", r.parent_snapshot_id}, {"snapshotRows", r.snapshot_rows},
          {"rowsIn", r.checks.rows_in}, {"rowsValid", r.checks.rows_valid},
          {"rowsQuarantined", r.checks.rows_quarantined}, {"rowsWarned", r.checks.rows_warned},
          {"rejectedBy", r.checks.rejected_by}, {"inputChecksum", r.input_checksum},
          {"archive", r.archive_path}, {"quarantine", r.quarantine_path}, {"warnings", r.warnings},
          {"seconds", r.seconds}, {"rules", rules}, {"guards", guards}, {"refusedBy", r.refused_by}, {"forced", r.forced}};
}

json ToJson(const QuarantineView& v) {
  json rows = json::array();
  for (const auto& row : v.rows) {
    json object = json::object();
    for (size_t i = 0; i < row.size() && i < v.columns.size(); ++i) object[v.columns[i]] = row[i] ? json(*row[i]) : json();
    rows.push_back(std::move(object));
  }
  json out = {{"product", v.product}, {"columns", v.columns}, {"rows", rows}};
  out["publishId"] = v.publish ? json(v.publish->id) : json();
  out["file"] = v.publish ? json(v.publish->quarantine_path) : json();
  out["rowsQuarantined"] = v.publish ? v.publish->rows_quarantined : 0;
  return out;
}

}  // namespace weft::service
