#include "query/gateway.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "lineage/sql_lineage.h"
#include "storage/snapshot.h"

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

}  // namespace


std::vector<std::string> RelationNames(const nlohmann::json& ast) {
  std::set<std::string> names;
  CollectRelations(ast, names);
  return {names.begin(), names.end()};
}

Status Gateway::CheckBudget(const access::Principal& principal, const std::string& now,
                            std::vector<std::string>& warnings) {
  if (principal.domain.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto domains, store_.ListDomains());
  auto d = std::find_if(domains.begin(), domains.end(), [&](const auto& x) { return x.name == principal.domain; });
  if (d == domains.end() || !d->monthly_budget) return Status::Ok();
  ASSIGN_OR_RETURN(auto usage, store_.ListUsage({.consumer_domain = principal.domain, .since = now.substr(0, 7) + "-01"}));
  double spent = 0;
  for (const auto& u : usage) spent += u.cost;
  const double budget = *d->monthly_budget;
  char figures[160];
  std::snprintf(figures, sizeof figures, "%.4f of %.2f %s", spent, budget, d->currency.c_str());
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
  ASSIGN_OR_RETURN(auto products, store_.ListProducts());
  std::vector<BoundRelation> out;
  bool pinned = false;
  for (const auto& name : RelationNames(ast)) {
    std::string id = name;
    std::optional<int64_t> major;
    auto is_product = [&](const std::string& x) {
      return std::any_of(products.begin(), products.end(), [&](const auto& p) { return p.id == x; });
    };
    if (!is_product(id)) {
      auto v = name.rfind("_v");
      // Only the canonical spelling: "_v1", never "_v01".
      if (v == std::string::npos || v + 2 >= name.size() || name.find_first_not_of("0123456789", v + 2) != std::string::npos ||
          name[v + 2] == '0' || !is_product(name.substr(0, v)))
        continue;  // not a product name: the analysis refuses it, naming it
      id = name.substr(0, v);
      major = std::stoll(name.substr(v + 2));
    }
    ASSIGN_OR_RETURN(auto snapshots, store_.ListSnapshots(id));  // newest first
    // "domain.product" is the newest major this principal may read.
    std::vector<int64_t> candidates;
    if (major) {
      candidates.push_back(*major);
    } else {
      ASSIGN_OR_RETURN(auto ports, store_.ListPortVersions());
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
        ASSIGN_OR_RETURN(auto ports, store_.ListPortVersions());
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
    for (const auto& w : bound->access.warnings) warnings.push_back(w);
    out.push_back(std::move(*bound));
  }
  if (!request.at.empty() && IsSnapshotId(request.at) && !pinned)
    return Status::NotFound("snapshot " + request.at + " belongs to no product version this query reads");
  return out;
}

void Gateway::Record(catalog::UsageRecord usage) {
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return;
  // Metering must not fail the answer already computed; a lost usage row is
  // preferable to a lost answer, and the store reports its own errors.
  if ((*txn)->InsertUsage(usage).ok()) (*txn)->Commit().IgnoreError();
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
  auto ast = parser_.SerializeSql(request.sql);
  if (!ast.ok()) return refuse(Status::InvalidArgument(std::string(ast.status().message())));
  auto bound = Bind(principal, *ast, request, now, answer.warnings);
  if (!bound.ok()) return refuse(bound.status());
  answer.relations = std::move(*bound);

  lineage::InputSchemas schemas;
  for (const auto& r : answer.relations)
    for (const auto& c : r.access.columns) schemas[r.address].push_back(c.name);
  auto analyzed = lineage::AnalyzeSelect(*ast, schemas, request.sql);
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

  // The session: views first, then the sandbox, then the query.
  engine::DatabaseConfig config{.threads = options_.threads, .memory_limit = options_.memory_limit};
  if (!options_.temp_dir.empty()) config.options["temp_directory"] = options_.temp_dir.string();
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  std::set<std::string> allowed;
  std::string setup;
  for (const auto& r : answer.relations) {
    std::vector<std::string> files;
    for (const auto& f : storage::SnapshotDataFiles(r.snapshot_dir)) files.push_back(SqlQuote(f));
    if (files.empty())
      return refuse(Status::FailedPrecondition("snapshot " + r.snapshot_id + " of " + r.product_id + " has no data files"));
    std::vector<std::string> exprs;
    for (const auto& c : r.access.columns) exprs.push_back(c.expression);
    auto dot = r.address.find('.');
    std::string schema = SqlIdent(r.address.substr(0, dot));
    setup += "CREATE SCHEMA IF NOT EXISTS " + schema + "; CREATE VIEW " + schema + "." + SqlIdent(r.address.substr(dot + 1)) +
             " AS SELECT " + Join(exprs, ", ") + " FROM read_parquet([" + Join(files, ", ") + "])" +
             (r.access.row_filter.empty() ? "" : " WHERE " + r.access.row_filter) + ";\n";
    allowed.insert(r.snapshot_dir.string() + "/");
  }
  if (!request.parquet_out.empty()) allowed.insert(fs::absolute(request.parquet_out).parent_path().string() + "/");
  std::vector<std::string> quoted;
  for (const auto& a : allowed) quoted.push_back(SqlQuote(a));
  setup += "PRAGMA enable_profiling = 'no_output';\nSET allowed_directories = [" + Join(quoted, ", ") +
           "];\nSET enable_external_access = false;\nSET lock_configuration = true;";
  if (Status s = conn.Execute(setup); !s.ok()) return refuse(s.WithContext("while preparing the query's views"));
  answer.overhead_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::string sql = request.parquet_out.empty()
                        ? request.sql
                        : "COPY (" + request.sql + "\n) TO " + SqlQuote(fs::absolute(request.parquet_out).string()) +
                              " (FORMAT parquet, COMPRESSION zstd)";
  // Rows leave a chunk at a time, converted as they go. DuckDB 1.4's C API
  // streams only through deprecated calls (engine/ builds without them), so
  // DuckDB itself still materializes the result first.
  auto result = conn.Query(sql);
  Status fetched = result.status();
  if (result.ok() && request.parquet_out.empty()) {
    for (size_t c = 0; c < result->column_count(); ++c) answer.columns.push_back(result->column_name(c));
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
  auto metrics = conn.ProfilingMetrics();
  answer.usage.cpu_seconds = Metric(metrics, "CPU_TIME");
  answer.usage.rows_scanned = static_cast<int64_t>(Metric(metrics, "CUMULATIVE_ROWS_SCANNED"));
  answer.usage.bytes_scanned = static_cast<int64_t>(Metric(metrics, "TOTAL_BYTES_READ"));
  if (!fetched.ok()) {
    answer.usage.status = "error";
    answer.usage.message = std::string(fetched.message());
    answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Record(answer.usage);
    return Status(fetched.code() == StatusCode::kIoError ? StatusCode::kIoError : StatusCode::kInvalidArgument,
                  std::string(fetched.message()));
  }
  answer.usage.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  answer.usage.cost = answer.usage.cpu_seconds * Rate(options_.rate_card, "cpuSecond") +
                      static_cast<double>(answer.usage.bytes_scanned) / 1e9 * Rate(options_.rate_card, "gbScanned");
  answer.usage.status = "ok";
  Record(answer.usage);
  return answer;
}

}  // namespace weft::query
