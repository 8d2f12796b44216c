#include "query/engine_pool.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"

namespace weft::query {

namespace fs = std::filesystem;

struct EnginePool::Engine {
  engine::Database db;
  // View address -> lower-cased leaf column path -> compressed bytes of its
  // chunks; written by Open, read-only after.
  std::map<std::string, std::map<std::string, int64_t>> chunk_bytes;
  std::mutex mu;
  std::vector<std::unique_ptr<engine::Connection>> idle;  // protected by mu

  explicit Engine(engine::Database d) : db(std::move(d)) {}
  ~Engine() { idle.clear(); }  // connections before the database
};

namespace {

// The identity of a reach: every address with its files, in one order.
std::string ReachKey(std::vector<ViewFiles> views) {
  std::sort(views.begin(), views.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  std::string key;
  for (const auto& v : views) {
    key += v.address;
    key += v.no_rows ? "\n0\n" : "\n";
    for (const auto& f : v.files) key += f + '\n';
    key += '\0';
  }
  return key;
}

// Leaf column path (lower-cased) -> the compressed bytes of its chunks in
// `file_list` (a SQL list of files), summed over their row groups, from the
// footers. Summed here rather than by a GROUP BY, which costs a fresh
// engine ~8 ms more.
Result<std::map<std::string, int64_t>> ChunkBytes(engine::Connection& conn, const std::string& file_list) {
  ASSIGN_OR_RETURN(engine::QueryResult chunks,
                   conn.Query("SELECT path_in_schema, total_compressed_size FROM parquet_metadata(" + file_list + ")"));
  ASSIGN_OR_RETURN(auto rows, chunks.FetchAllAsStrings());
  std::map<std::string, int64_t> out;
  for (const auto& row : rows)
    if (row[0] && row[1]) out[ToLower(*row[0])] += std::stoll(*row[1]);
  return out;
}

}  // namespace

int64_t EnginePool::Lease::ScanBytes(const std::string& address, const std::vector<std::string>& columns) const {
  auto view = engine_->chunk_bytes.find(address);
  if (view == engine_->chunk_bytes.end()) return 0;
  const std::map<std::string, int64_t>& chunks = view->second;
  int64_t bytes = 0;
  for (const auto& c : columns) {
    // A column's leaves: its own path, or "column, field, ..." when nested
    // (DuckDB joins a path with ", "); the keys are sorted, so they follow
    // one another from the prefix on.
    const std::string name = ToLower(c), nested = name + ", ";
    if (auto it = chunks.find(name); it != chunks.end()) bytes += it->second;
    for (auto it = chunks.lower_bound(nested); it != chunks.end() && StartsWith(it->first, nested); ++it) bytes += it->second;
  }
  return bytes;
}

EnginePool::~EnginePool() {
  std::lock_guard lock(mu_);
  warm_.clear();
}

EnginePool::Lease::~Lease() {
  if (!engine_ || !conn_) return;
  std::lock_guard lock(engine_->mu);
  engine_->idle.push_back(std::move(conn_));
}

size_t EnginePool::engines() const {
  std::lock_guard lock(mu_);
  return warm_.size();
}

Result<std::shared_ptr<EnginePool::Engine>> EnginePool::Open(const std::vector<ViewFiles>& views,
                                                             const fs::path& writable) const {
  engine::DatabaseConfig config{.threads = options_.threads, .memory_limit = options_.memory_limit};
  // DuckDB's default spill directory is ".tmp" under the working directory.
  if (!options_.temp_dir.empty()) config.options["temp_directory"] = options_.temp_dir.string();
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  auto e = std::make_shared<Engine>(std::move(db));
  ASSIGN_OR_RETURN(engine::Connection setup, engine::Connection::Open(e->db));
  std::set<std::string> schemas, allowed;
  std::string sql;
  std::vector<std::string> file_lists;  // per view, its files as a SQL list
  for (const auto& v : views) {
    auto dot = v.address.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == v.address.size())
      return Status::InvalidArgument("'" + v.address + "' is not DOMAIN.PRODUCT");
    if (v.files.empty()) return Status::InvalidArgument(v.address + " has no files");
    std::string schema = SqlIdent(v.address.substr(0, dot));
    if (schemas.insert(schema).second) sql += "CREATE SCHEMA " + schema + ";\n";
    std::vector<std::string> quoted;
    for (const auto& f : v.files) {
      quoted.push_back(SqlQuote(f));
      allowed.insert(fs::path(f).parent_path().string() + "/");
    }
    file_lists.push_back("[" + Join(quoted, ", ") + "]");
    sql += "CREATE VIEW " + schema + "." + SqlIdent(v.address.substr(dot + 1)) + " AS SELECT * FROM read_parquet(" +
           file_lists.back() + ")" + (v.no_rows ? " LIMIT 0" : "") + ";\n";
  }
  RETURN_IF_ERROR(setup.Execute(sql).WithContext("while preparing the query's views"));
  for (size_t i = 0; i < views.size(); ++i) {
    auto bytes = ChunkBytes(setup, file_lists[i]);
    if (!bytes.ok()) return bytes.status().WithContext("while reading the Parquet footers of " + views[i].address);
    e->chunk_bytes[views[i].address] = std::move(*bytes);
  }
  // Profiling is per connection and cannot be switched on once the
  // configuration is locked: the connections are made now.
  const size_t n = std::max<size_t>(1, options_.connections_per_engine);
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(engine::Connection c, engine::Connection::Open(e->db));
    RETURN_IF_ERROR(c.Execute("PRAGMA enable_profiling = 'no_output'"));
    e->idle.push_back(std::make_unique<engine::Connection>(std::move(c)));
  }
  if (!writable.empty()) allowed.insert(writable.string() + "/");
  std::vector<std::string> quoted;
  for (const auto& a : allowed) quoted.push_back(SqlQuote(a));
  // Footers cached across queries: every file a view names is immutable (a
  // sealed snapshot or a governed copy), and reading the footer again made
  // up a third of a trivial query's time (docs/benchmarks.md, bench/pgwire).
  RETURN_IF_ERROR(setup.Execute("SET parquet_metadata_cache = true; SET allowed_directories = [" + Join(quoted, ", ") +
                                "]; SET enable_external_access = false; SET lock_configuration = true"));
  return e;
}

Result<EnginePool::Lease> EnginePool::Acquire(const std::vector<ViewFiles>& views, const fs::path& writable) {
  const std::string key = ReachKey(views);
  if (writable.empty()) {
    std::lock_guard lock(mu_);
    for (auto it = warm_.begin(); it != warm_.end(); ++it) {
      if (it->first != key) continue;
      std::shared_ptr<Engine> e = it->second;
      std::lock_guard elock(e->mu);
      if (e->idle.empty()) continue;  // busy: another engine of the same reach, or a new one
      auto conn = std::move(e->idle.back());
      e->idle.pop_back();
      warm_.splice(warm_.begin(), warm_, it);
      return Lease(std::move(e), std::move(conn));
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Engine> e, Open(views, writable));
  std::unique_ptr<engine::Connection> conn;
  {
    std::lock_guard elock(e->mu);
    conn = std::move(e->idle.back());
    e->idle.pop_back();
  }
  if (options_.max_engines > 0 && writable.empty()) {
    std::lock_guard lock(mu_);
    warm_.emplace_front(key, e);
    // Close the least recently used engines nobody holds, down to the bound.
    for (auto it = warm_.end(); warm_.size() > options_.max_engines && it != warm_.begin();) {
      --it;
      if (it->second.use_count() == 1) it = warm_.erase(it);
    }
  }
  return Lease(std::move(e), std::move(conn));
}

}  // namespace weft::query
