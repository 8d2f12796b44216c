#include "service/publish.h"

#include "common/strings.h"
#include "common/time.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "lakehouse/iceberg_hook.h"
#include "lineage/openlineage.h"
#include "lineage/openlineage_sink.h"
#include "query/runner.h"
#include "service/authorizer.h"
#include "service/catalog.h"
#include "service/lineage.h"
#include "service/monitor.h"
#include "service/postgres_source.h"
#include "spec/loader.h"
#include "storage/file_system.h"
#include "storage/root_owner.h"

namespace weft::service {

namespace {

using nlohmann::json;

std::string ResultWord(const quality::RuleResult& r) {
  if (!r.check.skipped.empty()) return "skipped";
  if (r.passed) return "pass";
  if (r.check.scope == quality::RuleScope::kRow) return r.check.severity == "error" ? "quarantined" : "warn";
  return r.check.severity == "error" ? "FAIL" : "warn";
}

// A publish's or run's OpenLineage events: START at `started_at`, then
// COMPLETE (a snapshot committed, or the input was a duplicate) or FAIL
// (refused), sent together once the outcome is known.
Status EmitOpenLineage(Mesh& mesh, const quality::PublishReport& report, const std::string& started_at) {
  const control::Workspace& ws = mesh.workspace();
  const lineage::OpenLineageSink sink = lineage::OpenLineageSink::ForWorkspace(ws.settings, ws.root);
  if (!sink.enabled()) return Status::Ok();
  ASSIGN_OR_RETURN(auto datasets, lineage::DatasetsFromCatalog(mesh.store()));
  ASSIGN_OR_RETURN(auto graph, LineageService(mesh).Graph(nullptr));
  lineage::OpenLineageJob job = lineage::JobOf(graph, datasets, report.product_id, report.major);
  const std::string ns = lineage::OpenLineageNamespace(ws.settings);
  const std::string run_id = lineage::OpenLineageRunId(report.publish_id, started_at);
  RETURN_IF_ERROR(sink.Emit(lineage::RunEvent(
      ns, job, {.type = lineage::OpenLineageEventType::kStart, .event_time = started_at, .run_id = run_id,
                .statistics = std::nullopt, .error = ""})));
  lineage::OpenLineageRunState end{.type = lineage::OpenLineageEventType::kComplete, .event_time = NowIso(),
                                   .run_id = run_id, .statistics = std::nullopt, .error = ""};
  if (report.outcome == "published") {
    job.output.version = report.snapshot_id;
    end.statistics = lineage::OpenLineageStatistics{.rows = report.snapshot_rows, .bytes = 0, .files = 0};
  } else if (report.outcome == "rejected") {
    end.type = lineage::OpenLineageEventType::kFail;
    end.error = PublishStatus(report).message();
  }
  return sink.Emit(lineage::RunEvent(ns, job, end));
}

// What a finished publish or run tells the world: its OpenLineage events
// and, when refused, a publish.refused notification to the product's
// audience. The publish has happened either way: a failure here is a warning
// on the report, never an error.
void Announce(Mesh& mesh, quality::PublishReport& report, const std::string& started_at) {
  if (Status s = EmitOpenLineage(mesh, report, started_at); !s.ok())
    report.warnings.push_back("OpenLineage events not sent: " + s.message());
  if (report.outcome != "rejected") return;
  Notifier notifier(mesh);
  auto audience = notifier.Audience(report.product_id);
  Status s = audience.status();
  if (s.ok())
    s = notifier.Emit({.id = "", .type = "publish.refused", .product_id = report.product_id, .time = "",
                       .data = {{"publish", report.publish_id}, {"major", report.major}, {"mode", report.mode},
                                {"reason", PublishStatus(report).message()}}},
                      *audience);
  if (!s.ok()) report.warnings.push_back("publish.refused not queued for webhooks: " + s.message());
}

// A storage root outside the workspace is written by one workspace only, so
// a copy of the workspace cannot publish beside its original's snapshots
// (storage/root_owner.h). A catalog server (a URL) is one catalog for all.
Status ClaimDomainRoot(Mesh& mesh, const std::string& product) {
  const control::Workspace& ws = mesh.workspace();
  const std::string catalog = ws.CatalogLocation();
  if (catalog.find("://") != std::string::npos) return Status::Ok();
  ASSIGN_OR_RETURN(auto domains, mesh.store().ListDomains());
  const std::string domain = Split(product, '.')[0];
  for (const auto& d : domains)
    if (d.name == domain) return storage::ClaimRoot(storage::DefaultFileSystem(), d.storage_root, {catalog, ws.root});
  return Status::Ok();
}

}  // namespace

// The product a publish, run or rollback writes, once the caller may write
// it and its domain's storage root is this workspace's.
Result<std::string> PublishService::ProductOf(const Caller& caller, const std::string& target) {
  const std::string product = Split(target, '@')[0];
  if (product.find('.') == std::string::npos)
    return Status::InvalidArgument("'" + target + "' is not DOMAIN.PRODUCT (e.g. sales.orders)");
  RETURN_IF_ERROR(CatalogService(mesh_).CheckProduct(product));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kPublish, Resource::Product(product)));
  RETURN_IF_ERROR(ClaimDomainRoot(mesh_, product));
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
  request.limits = quality::WorkspaceInputLimits(ws.settings);
  lakehouse::IcebergHook iceberg(mesh_.store(), storage::DefaultFileSystem());
  request.snapshot_hook = &iceberg;
  const std::string started_at = NowIso();
  auto report = quality::Publish(mesh_.store(), request);
  mesh_.CatalogChanged();
  if (report.ok()) Announce(mesh_, *report, started_at);
  return report;
}

Result<quality::PublishReport> PublishService::PublishFromSource(const Caller& caller, quality::PublishRequest request) {
  ASSIGN_OR_RETURN(const std::string product, ProductOf(caller, request.target));
  if (!request.files.empty()) return Status::InvalidArgument("--from-source takes no input files: the source is the input");
  ASSIGN_OR_RETURN(std::optional<catalog::ProductRecord> record, mesh_.store().FindProduct(product));
  if (!record) return Status::NotFound("no product '" + product + "' in the catalog");
  spec::LoadedFile loaded = spec::LoadText(record->spec_json, "catalog:product:" + product);
  const spec::DataProduct* descriptor = loaded.documents.empty() ? nullptr : loaded.documents[0].product();
  const std::optional<spec::ProductSource> source = descriptor ? descriptor->Source() : std::nullopt;
  if (!source)
    return Status::InvalidArgument(product + " declares no source: give its descriptor customProperties weft.source "
                                             "({postgres: secret:NAME, query: SQL}) and apply it, or publish a file");
  // Secrets are the workspace's, so a descriptor must not reach another
  // domain's database through one: a domain's products use its own.
  const std::string domain = Split(product, '.')[0];
  if (source->secret != domain && source->secret.rfind(domain + "-", 0) != 0 && source->secret.rfind(domain + ".", 0) != 0)
    return Status::PermissionDenied("weft.source of " + product + " names the secret '" + source->secret +
                                    "'; a product of domain " + domain + " may use only secrets named " + domain + ", " +
                                    domain + "-… or " + domain + ".…");
  const control::Workspace& ws = mesh_.workspace();
  ASSIGN_OR_RETURN(SourceExtract extract, ExtractPostgresSource(ws, product, *source,
                                                                quality::WorkspaceInputLimits(ws.settings), ws.root / "tmp"));
  request.files = {extract.file};
  request.format = "csv";
  auto report = Publish(caller, std::move(request));
  // The publish archived its own copy (or refused the input before reading it).
  std::error_code ec;
  std::filesystem::remove(extract.file, ec);
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
  lakehouse::IcebergHook iceberg(mesh_.store(), storage::DefaultFileSystem());
  request.snapshot_hook = &iceberg;
  const std::string started_at = NowIso();
  auto report = query::RunDerived(mesh_.store(), *parser, *access, runtime->copies(), std::move(request));
  mesh_.CatalogChanged();
  if (report.ok()) Announce(mesh_, *report, started_at);
  return report;
}

Result<quality::PublishReport> PublishService::Rollback(const Caller& caller, const std::string& product,
                                                        const std::string& snapshot, const std::string& reason) {
  if (product.find('@') != std::string::npos)
    return Status::InvalidArgument("'" + product + "' is not DOMAIN.PRODUCT; the snapshot names the version");
  RETURN_IF_ERROR(ProductOf(caller, product).status());
  if (snapshot.empty()) return Status::InvalidArgument("say which snapshot to restore (--to SNAPSHOT; `weft history " + product + "` lists them)");
  lakehouse::IcebergHook iceberg(mesh_.store(), storage::DefaultFileSystem());
  auto report = quality::Rollback(mesh_.store(), {.product = product, .snapshot = snapshot, .reason = reason,
                                                   .actor = caller.principal.name, .snapshot_hook = &iceberg});
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
