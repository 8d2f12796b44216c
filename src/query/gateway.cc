#include "query/gateway.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <utility>

#include "common/hashing.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "engine/watchdog.h"
#include "lineage/sql_lineage.h"
#include "query/parameters.h"
#include "query/sql_allowlist.h"

namespace weft::query {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A string member of a parse-tree node, or "" (the tree uses "type" for
// objects too, e.g. a cast's target type).
std::string Text(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

void CollectRelations(const nlohmann::json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    if (Text(node, "type") == "BASE_TABLE") {
      std::string catalog = Text(node, "catalog_name"), schema = Text(node, "schema_name");
      std::string table = Text(node, "table_name");
      if (!schema.empty()) out.insert(ToLower((catalog.empty() ? "" : catalog + ".") + schema + "." + table));
    }
    for (const auto& [key, child] : node.items()) CollectRelations(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectRelations(child, out);
  }
}


// A snapshot id ("20261122T003614.191610Z-0e30cd5b") rather than a time ("2026-11-22T00:36:14Z").
bool IsSnapshotId(const std::string& at) { return at.size() > 8 && std::all_of(at.begin(), at.begin() + 8, ::isdigit); }

double Metric(const std::map<std::string, std::string>& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return 0;
  try {
    return std::stod(it->second);
  } catch (...) {
    return 0;
  }
}

double Rate(const std::map<std::string, double>& card, const char* name) {
  auto it = card.find(name);
  return it == card.end() ? 0 : it->second;
}

// An empty directory of this request's own beside `target`, where the
// engine may write; removed with everything in it when it goes.
struct PrivateDir {
  fs::path path;
  static Result<PrivateDir> Beside(const fs::path& target) {
    std::string rnd = RandomHex(8);
    if (rnd.empty()) return Status::Internal("the system's random generator failed");
    PrivateDir d{target.parent_path() / ("." + target.filename().string() + ".weft-" + rnd)};
    std::error_code ec;
    if (!fs::create_directory(d.path, ec) || ec)
      return Status::IoError("cannot create " + d.path.string() + ": " + (ec ? ec.message() : "it exists"));
    fs::permissions(d.path, fs::perms::owner_all, fs::perm_options::replace, ec);
    return d;
  }
  Status MoveOut(const std::string& name, const fs::path& to) const {
    std::error_code ec;
    fs::rename(path / name, to, ec);
    if (ec) return Status::IoError("cannot write " + to.string() + ": " + ec.message());
    return Status::Ok();
  }
  PrivateDir(PrivateDir&& o) noexcept : path(std::exchange(o.path, {})) {}
  explicit PrivateDir(fs::path p) : path(std::move(p)) {}
  ~PrivateDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

// The request's parameters against the `count` the SQL takes: as many
// values (none for a statement described before its values are known),
// and no more declared types.
Status CheckParameterCount(const QueryRequest& request, size_t count) {
  auto counted = [](size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  const std::string takes = "the query takes " + counted(count, "parameter") +
                            (count == 0 ? "" : count == 1 ? " ($1)" : " ($1.." + ("$" + std::to_string(count)) + ")");
  if (request.parameter_types.size() > count)
    return Status::InvalidArgument(takes + ", but " + counted(request.parameter_types.size(), "parameter type") +
                                   " were given");
  if (request.parameters.size() != count && !(request.describe_only && request.parameters.empty()))
    return Status::InvalidArgument(takes + ", but " + counted(request.parameters.size(), "value") +
                                   (request.parameters.size() == 1 ? " was" : " were") + " given");
  return Status::Ok();
}

// Each parameter's type: as the request declares it, else as DuckDB
// inferred it from where it is used, else "".
std::vector<std::string> ParameterTypes(const engine::PreparedStatement& stmt, const QueryRequest& request,
                                        size_t count) {
  std::vector<std::string> types;
  for (size_t i = 0; i < count; ++i) {
    const bool declared = i < request.parameter_types.size() && !request.parameter_types[i].empty();
    types.push_back(declared ? request.parameter_types[i] : stmt.parameter_type_text(i + 1));
  }
  return types;
}

}  // namespace


std::optional<double> MonthlyBudget(const catalog::DomainRecord& domain, const std::string& currency) {
  if (!domain.currency.empty() && domain.currency != currency) return std::nullopt;
  return domain.monthly_budget;
}

std::vector<std::string> RelationNames(const nlohmann::json& ast) {
  std::set<std::string> names;
  CollectRelations(ast, names);
  return {names.begin(), names.end()};
}

Status Gateway::CheckBudget(const access::Principal& principal, const std::string& now,
                            std::vector<std::string>& warnings) {
  if (principal.domain.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto domains, reads_->ListDomains());
  auto d = std::find_if(domains.begin(), domains.end(), [&](const auto& x) { return x.name == principal.domain; });
  if (d == domains.end() || !d->monthly_budget) return Status::Ok();
  const std::optional<double> in_currency = MonthlyBudget(*d, options_.currency);
  if (!in_currency) {
    warnings.push_back("domain " + principal.domain + "'s monthlyBudget is in " + d->currency + ", not in the workspace's " +
                       options_.currency + ", so it is not enforced; re-apply its domain.yaml with currency " +
                       options_.currency);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(double spent, store_.SumUsageCost({.consumer_domain = principal.domain, .since = now.substr(0, 7) + "-01"}));
  const double budget = *in_currency;
  char figures[160];
  std::snprintf(figures, sizeof figures, "%.4f of %.2f %s", spent, budget, options_.currency.c_str());
  if (spent >= budget)
    return Status(StatusCode::kPermissionDenied,
                  "domain " + principal.domain + " has spent its monthly query budget (" + figures +
                      "); new queries are refused until next month or until an owner raises monthlyBudget in domain.yaml");
  double soft = d->soft_limit_percent.value_or(80);
  if (spent >= budget * soft / 100)
    warnings.push_back("domain " + principal.domain + " has spent " + figures + " this month, over its soft limit of " +
                       std::to_string(static_cast<int>(soft)) + "%");
  return Status::Ok();
}

Result<std::vector<BoundRelation>> Gateway::Bind(const access::Principal& principal, const nlohmann::json& ast,
                                                 const QueryRequest& request, const std::string& now,
                                                 std::vector<std::string>& warnings) {
  std::vector<BoundRelation> out;
  bool pinned = false;
  // Looked up by name: a query must not cost a read of the whole catalog.
  Status lookup;
  auto is_product = [&](const std::string& x) {
    auto found = reads_->FindProduct(x);
    if (!found.ok() && lookup.ok()) lookup = found.status();
    return found.ok() && found->has_value();
  };
  for (const auto& name : RelationNames(ast)) {
    std::string id = name;
    std::optional<int64_t> major;
    if (!is_product(id)) {
      auto v = name.rfind("_v");
      // Only the canonical spelling: "_v1", never "_v01".
      if (v == std::string::npos || v + 2 >= name.size() || name.find_first_not_of("0123456789", v + 2) != std::string::npos ||
          name[v + 2] == '0' || !is_product(name.substr(0, v)))
        continue;  // not a product name (or the catalog could not say: below)
      id = name.substr(0, v);
      major = std::stoll(name.substr(v + 2));
    }
    ASSIGN_OR_RETURN(auto snapshots, reads_->ListSnapshots(id));  // newest first
    // "domain.product" is the newest major this principal may read.
    std::vector<int64_t> candidates;
    if (major) {
      candidates.push_back(*major);
    } else {
      ASSIGN_OR_RETURN(auto ports, reads_->ListPortVersions());
      for (const auto& pv : ports)
        if (pv.product_id == id && pv.status != "retired") candidates.push_back(pv.major);
      std::sort(candidates.rbegin(), candidates.rend());
      if (candidates.empty()) return Status::FailedPrecondition(id + " serves no version");
    }
    Status first_refusal;
    std::optional<BoundRelation> bound;
    for (int64_t m : candidates) {
      const catalog::SnapshotRecord* snap = nullptr;
      for (const auto& s : snapshots) {
        if (s.major != m) continue;
        if (request.at.empty()) {
          snap = &s;
        } else if (IsSnapshotId(request.at)) {
          if (s.id == request.at) snap = &s;
          else continue;
        } else {
          std::string at = request.at.size() == 10 ? request.at + "T23:59:59.999Z" : request.at;
          if (s.created_at > at) continue;
          snap = &s;
        }
        break;
      }
      std::string contract_version;
      if (snap) contract_version = snap->contract_version;
      if (!snap) {
        // Authorize anyway, so a principal without a grant learns that first.
        ASSIGN_OR_RETURN(auto ports, reads_->ListPortVersions());
        for (const auto& pv : ports)
          if (pv.product_id == id && pv.major == m) contract_version = pv.version;
      }
      auto access = access_.Authorize(principal, id, m, contract_version, now);
      if (!access.ok()) {
        if (first_refusal.ok()) first_refusal = access.status();
        continue;
      }
      if (!snap) {
        std::string where = id + "_v" + std::to_string(m);
        if (request.at.empty())
          return Status::FailedPrecondition(where + " has no snapshot yet; its owners publish it with: weft publish " + id);
        if (IsSnapshotId(request.at)) {
          if (first_refusal.ok())
            first_refusal = Status::NotFound("snapshot " + request.at + " is not a snapshot of " + where);
          continue;
        }
        return Status::NotFound(where + " has no snapshot at or before " + request.at);
      }
      if (request.at == snap->id) pinned = true;
      bound = BoundRelation{.address = name, .product_id = id, .major = m, .snapshot_id = snap->id,
                            .snapshot_dir = snap->path, .access = std::move(*access)};
      break;
    }
    if (!bound) return first_refusal;
    if (!request.since.empty())
      for (const auto& s : snapshots)
        if (s.id == request.since && s.major == bound->major) bound->since_snapshot_id = s.id;
    for (const auto& w : bound->access.warnings) warnings.push_back(w);
    out.push_back(std::move(*bound));
  }
  RETURN_IF_ERROR(lookup);
  if (!request.since.empty()) {
    if (!IsSnapshotId(request.since)) return Status::InvalidArgument("since must be a snapshot id, not '" + request.since + "'");
    if (std::none_of(out.begin(), out.end(), [](const BoundRelation& r) { return !r.since_snapshot_id.empty(); }))
      return Status::NotFound("snapshot " + request.since +
                              " belongs to no product version this query reads (or is no longer kept: read the product "
                              "whole and follow on from its current snapshot)");
  }
  if (!request.at.empty() && IsSnapshotId(request.at) && !pinned)
    return Status::NotFound("snapshot " + request.at + " belongs to no product version this query reads");
  return out;
}

void Gateway::Record(catalog::UsageRecord usage) { runtime_.usage().Add(store_, std::move(usage)); }

namespace {

// What fixes a query's answer: the statement, its parameters and the files
// each of its relations reads (result_cache.h).
std::string ResultKey(const QueryRequest& request, const std::vector<ViewFiles>& views) {
  nlohmann::json key = {{"sql", request.sql}, {"at", request.at}, {"since", request.since}, {"types", request.parameter_types}};
  nlohmann::json& parameters = key["parameters"] = nlohmann::json::array();
  for (const auto& p : request.parameters) parameters.push_back(p ? nlohmann::json(*p) : nlohmann::json());
  nlohmann::json& relations = key["views"] = nlohmann::json::array();
  for (const auto& v : views) relations.push_back({v.address, v.files, v.no_rows});
  return Sha256Hex(key.dump());
}

}  // namespace

Result<std::vector<ViewFiles>> Gateway::Readable(const std::vector<BoundRelation>& relations) {
  std::vector<ViewFiles> views;
  for (const auto& r : relations) {
    if (!r.since_snapshot_id.empty()) {
      ASSIGN_OR_RETURN(auto snapshots, reads_->ListSnapshots(r.product_id));
      auto since = std::find_if(snapshots.begin(), snapshots.end(),
                                [&](const catalog::SnapshotRecord& s) { return s.id == r.since_snapshot_id; });
      if (since == snapshots.end()) return Status::NotFound("snapshot " + r.since_snapshot_id + " is no longer kept");
      ASSIGN_OR_RETURN(ReadableSnapshot changes, runtime_.copies().ForChanges(since->id, since->path, r.snapshot_id,
                                                                               r.snapshot_dir, r.access));
      views.push_back({.address = r.address, .files = std::move(changes.files), .no_rows = changes.no_rows});
      continue;
    }
    ASSIGN_OR_RETURN(ReadableSnapshot readable, runtime_.copies().For(r.snapshot_id, r.snapshot_dir, r.access));
    views.push_back({.address = r.address, .files = std::move(readable.files)});
  }
  return views;
}

Result<QueryAnswer> Gateway::Run(const access::Principal& principal, const QueryRequest& request) {
  const auto start = Clock::now();
  const std::string now = NowIso();
  QueryAnswer answer;
  answer.usage = {.at = now, .principal = principal.name, .consumer_domain = principal.domain, .kind = request.kind};
  auto refuse = [&](Status s) -> Status {
    answer.usage.status = "refused";
    answer.usage.message = std::string(s.message());
    answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Record(answer.usage);
    return s;
  };

  if (Status s = CheckBudget(principal, now, answer.warnings); !s.ok()) return refuse(s);
  auto tree = parser_.Parse(request.sql);
  if (!tree.ok()) return refuse(Status::InvalidArgument(std::string(tree.status().message())));
  const nlohmann::json* ast = tree->get();
  if (Status s = CheckAllowed(*ast, request.sql); !s.ok()) return refuse(s);
  const size_t parameter_count = ParameterCount(*ast);
  if (Status s = CheckParameterCount(request, parameter_count); !s.ok()) return refuse(s);
  auto bound = Bind(principal, *ast, request, now, answer.warnings);
  if (!bound.ok()) return refuse(bound.status());
  answer.relations = std::move(*bound);

  lineage::InputSchemas schemas;
  for (const auto& r : answer.relations)
    for (const auto& c : r.access.columns) schemas[r.address].push_back(c.name);
  lineage::RelationNaming naming{.noun = "a product", .list_declared = false};
  auto analyzed = lineage::AnalyzeSelect(*ast, schemas, request.sql, naming);
  if (!analyzed.ok()) {
    // Again with every product's name, so that a typo is offered the
    // closest one (only when refusing: the catalog is not read per query).
    if (auto products = store_.ListProducts(); products.ok()) {
      for (const auto& p : *products) naming.candidates.push_back(p.id);
      analyzed = lineage::AnalyzeSelect(*ast, schemas, request.sql, naming);
    }
  }
  if (!analyzed.ok()) {
    std::string message(analyzed.status().message());
    std::vector<std::string> readable;
    for (const auto& [address, cols] : schemas) readable.push_back(address + " (" + Join(cols, ", ") + ")");
    if (!readable.empty()) message += "; you may read: " + Join(readable, "; ");
    return refuse(Status::InvalidArgument("query refused: " + message));
  }
  for (const auto& r : answer.relations) answer.usage.products.push_back(r.product_id + "_v" + std::to_string(r.major));
  for (const auto& ref : analyzed->referenced)
    for (const auto& r : answer.relations)
      if (r.address == ref.relation)
        answer.usage.columns.push_back(r.product_id + "_v" + std::to_string(r.major) + "." + ref.column);

  auto admission = runtime_.Admit(principal.name);
  if (!admission.ok()) return refuse(admission.status());
  auto views = Readable(answer.relations);
  if (!views.ok()) return refuse(views.status());
  // Asked before over the same files: the kept answer (result_cache.h).
  // Everything above — budget, parse, allow-list, authorization, admission —
  // ran for this query as for any other.
  const std::string cache_key = !request.describe_only && request.parquet_out.empty() &&
                                        runtime_.results().max_entry_bytes() > 0 && IsRepeatable(*ast)
                                    ? ResultKey(request, *views)
                                    : "";
  if (!cache_key.empty())
    if (auto hit = runtime_.results().Find(cache_key)) return Replay(*hit, request, std::move(answer), start);
  // The answer as it streams, kept while it is small enough.
  std::optional<CachedAnswer> keep;
  size_t keep_bytes = 0;
  if (!cache_key.empty()) keep.emplace();
  // COPY writes into a private directory beside the target, then the file moves.
  std::optional<PrivateDir> out_dir;
  if (!request.parquet_out.empty() && !request.describe_only) {
    auto dir = PrivateDir::Beside(fs::absolute(request.parquet_out));
    if (!dir.ok()) return refuse(dir.status());
    out_dir.emplace(std::move(*dir));
  }
  auto lease = runtime_.engines().Acquire(*views, out_dir ? out_dir->path : fs::path());
  if (!lease.ok()) return refuse(lease.status().WithContext("while preparing the query's engine"));
  engine::Connection& conn = lease->conn();
  answer.overhead_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  if (request.describe_only) {
    // Prepared, never run: DuckDB binds and plans it against the views, so
    // it knows the columns and types, and reads no row.
    auto stmt = conn.PrepareSelect(request.sql);
    if (stmt.ok()) {
      for (size_t c = 0; c < stmt->column_count(); ++c) {
        answer.columns.push_back(stmt->column_name(c));
        answer.column_types.push_back(stmt->column_type_text(c));
      }
      answer.parameter_types = ParameterTypes(*stmt, request, parameter_count);
      return answer;
    }
    return refuse(stmt.status());
  }

  std::string sql = out_dir ? "COPY (" + request.sql + "\n) TO " + SqlQuote((out_dir->path / "out.parquet").string()) +
                                  " (FORMAT parquet, COMPRESSION zstd)"
                            : request.sql;
  Status fetched;
  bool timed_out = false, cancelled = false;
  {
    engine::Watchdog watchdog(conn, runtime_.options().timeout_seconds, [this, &request] {
      return runtime_.stopping() || (request.cancelled && request.cancelled());
    });
    // Rows leave a chunk at a time, converted as they go. DuckDB 1.4's C API
    // streams only through deprecated calls (engine/ builds without them), so
    // DuckDB itself still materializes the result first.
    auto result = [&]() -> Result<engine::QueryResult> {
      // Only a SELECT runs (or weft's own COPY around one); parameters are
      // bound by DuckDB, never spliced into `sql`.
      // DuckDB binds a prepared statement over read_parquet views again when
      // it executes it, so a statement without parameters runs directly,
      // bound once: the parse tree checked above is DuckDB's own, and
      // json_serialize_sql serializes a single SELECT and nothing else.
      if (parameter_count == 0 && !out_dir) return conn.Query(sql);
      ASSIGN_OR_RETURN(engine::PreparedStatement stmt, out_dir ? conn.Prepare(sql) : conn.PrepareSelect(sql));
      answer.parameter_types = ParameterTypes(stmt, request, parameter_count);
      RETURN_IF_ERROR(BindParameters(stmt, request.parameters, request.parameter_types));
      return stmt.Execute();
    }();
    fetched = result.status();
    if (result.ok() && !out_dir) {
      for (size_t c = 0; c < result->column_count(); ++c) {
        answer.columns.push_back(result->column_name(c));
        answer.column_types.push_back(result->column_type_text(c));
      }
      if (request.on_columns) fetched = request.on_columns(answer.columns, answer.column_types);
      while (fetched.ok()) {
        auto chunk = result->NextChunk();
        if (!chunk.ok()) {
          fetched = chunk.status();
          break;
        }
        if (!*chunk) break;
        std::vector<std::vector<std::optional<std::string>>> rows;
        for (size_t r = 0; r < (*chunk)->size(); ++r) {
          auto& out = rows.emplace_back();
          for (size_t c = 0; c < (*chunk)->column_count(); ++c)
            out.push_back((*chunk)->IsNull(c, r) ? std::nullopt : std::optional<std::string>((*chunk)->GetAsString(c, r)));
        }
        answer.usage.rows_returned += static_cast<int64_t>(rows.size());
        if (keep) {
          for (const auto& row : rows) keep_bytes += RowBytes(row);
          if (keep_bytes > runtime_.results().max_entry_bytes()) keep.reset();
          else keep->rows.insert(keep->rows.end(), rows.begin(), rows.end());
        }
        if (request.on_rows) {
          fetched = request.on_rows(answer.columns, rows);
        } else {
          for (auto& row : rows) answer.rows.push_back(std::move(row));
        }
      }
    } else if (result.ok()) {
      auto copied = result->FetchAllAsStrings();  // COPY returns the row count
      if (!copied.ok()) fetched = copied.status();
      else if (!copied->empty() && !copied->front().empty() && copied->front().front())
        answer.usage.rows_returned = std::stoll(*copied->front().front());
    }
    timed_out = watchdog.timed_out();
    cancelled = watchdog.cancelled() || runtime_.stopping();
  }
  if (fetched.ok() && out_dir) fetched = out_dir->MoveOut("out.parquet", fs::absolute(request.parquet_out));
  auto metrics = conn.ProfilingMetrics();
  answer.usage.cpu_seconds = Metric(metrics, "CPU_TIME");
  answer.usage.rows_scanned = static_cast<int64_t>(Metric(metrics, "CUMULATIVE_ROWS_SCANNED"));
  // Bytes scanned: the column data of the columns the query names, in the
  // files it read (docs/security.md, "Metering"). DuckDB's TOTAL_BYTES_READ
  // is no measure of it: it counts Parquet footers only (2,254 bytes for a
  // 1.26 MB snapshot), and nothing once an engine has them cached.
  for (const auto& r : answer.relations) {
    std::vector<std::string> columns;
    for (const auto& ref : analyzed->referenced)
      if (ref.relation == r.address) columns.push_back(ref.column);
    answer.usage.bytes_scanned += lease->ScanBytes(r.address, columns);
  }
  if (!fetched.ok()) {
    Status failed(fetched.code() == StatusCode::kIoError ? StatusCode::kIoError : StatusCode::kInvalidArgument,
                  std::string(fetched.message()));
    if (timed_out) {
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", runtime_.options().timeout_seconds);
      failed = Status::DeadlineExceeded(std::string("the query was stopped at its time limit of ") + limit +
                                        " s (query.timeoutSeconds in weft.yaml); narrow it, or ask an admin to raise the limit");
    } else if (cancelled) {
      failed = Status::Cancelled(runtime_.stopping() ? "the query was stopped: the server is shutting down"
                                                     : "the query was cancelled: its client went away");
    } else if ((request.on_rows || request.on_columns) && fetched.code() != StatusCode::kInvalidArgument) {
      failed = fetched;  // the receiver's own error (a closed stream)
    }
    answer.usage.status = "error";
    answer.usage.message = failed.message();
    answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Record(answer.usage);
    return failed;
  }
  answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  answer.usage.cost = Cost(answer.usage);
  answer.usage.status = "ok";
  Record(answer.usage);
  if (keep) {
    keep->columns = answer.columns;
    keep->column_types = answer.column_types;
    keep->parameter_types = answer.parameter_types;
    keep->bytes_scanned = answer.usage.bytes_scanned;
    keep->rows_scanned = answer.usage.rows_scanned;
    runtime_.results().Put(cache_key, std::move(*keep));
  }
  return answer;
}

double Gateway::Cost(const catalog::UsageRecord& usage) const {
  return usage.cpu_seconds * Rate(options_.rate_card, "cpuSecond") +
         static_cast<double>(usage.bytes_scanned) / 1e9 * Rate(options_.rate_card, "gbScanned");
}

Result<QueryAnswer> Gateway::Replay(const CachedAnswer& hit, const QueryRequest& request, QueryAnswer answer,
                                    Clock::time_point start) {
  answer.cached = true;
  answer.columns = hit.columns;
  answer.column_types = hit.column_types;
  answer.parameter_types = hit.parameter_types;
  answer.overhead_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Status fed = request.on_columns ? request.on_columns(answer.columns, answer.column_types) : Status::Ok();
  if (fed.ok() && request.on_rows) {
    // In chunks of DuckDB's vector size, as a run hands them over.
    constexpr size_t kChunk = 2048;
    for (size_t at = 0; fed.ok() && at < hit.rows.size(); at += kChunk) {
      const auto end = hit.rows.begin() + static_cast<std::ptrdiff_t>(std::min(hit.rows.size(), at + kChunk));
      fed = request.on_rows(answer.columns, {hit.rows.begin() + static_cast<std::ptrdiff_t>(at), end});
    }
  } else if (fed.ok()) {
    answer.rows = hit.rows;
  }
  answer.usage.rows_returned = static_cast<int64_t>(hit.rows.size());
  answer.usage.bytes_scanned = hit.bytes_scanned;
  answer.usage.rows_scanned = hit.rows_scanned;
  answer.usage.cost = Cost(answer.usage);
  answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  answer.usage.status = fed.ok() ? "ok" : "error";
  if (!fed.ok()) answer.usage.message = fed.message();  // the receiver's own error (a closed stream)
  Record(answer.usage);
  if (!fed.ok()) return fed;
  return answer;
}

}  // namespace weft::query
