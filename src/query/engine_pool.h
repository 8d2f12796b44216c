// The engines that run callers' SQL. Each is a DuckDB instance sandboxed to
// exactly one *reach*: the product views a query may name, each over the
// files the caller may read of it (governed_copies.h) — and nothing else:
// no other directory, no external access, its configuration locked, no key
// and no mask function. What the caller may not see is not reachable from
// it, whatever SQL runs there.
//
//   EnginePool pool({.threads = 2, .temp_dir = ws / "tmp/engines"});
//   ASSIGN_OR_RETURN(EnginePool::Lease lease, pool.Acquire({{"crm.customers", {files...}}}));
//   ASSIGN_OR_RETURN(engine::QueryResult r, lease.conn().Query(sql));
//
// Opening a DuckDB instance costs ~35 ms, so engines are kept warm and
// reused — but only for the same reach: two callers share an engine only
// when every view they may name is over the same files, i.e. when they may
// read exactly the same things. Connections are made before the
// configuration is locked (profiling is a connection setting) and handed
// out one query at a time; a caller's SELECT cannot leave anything behind in
// one (no SET, no TEMP objects, no ATTACH: only a single SELECT reaches
// here). Idle engines beyond `max_engines` are closed, oldest first.
//
// An engine also knows what scanning each column of its views reads — the
// compressed size of the column's chunks in the view's files, from their
// Parquet footers, read once when it opens — because DuckDB does not say
// what its Parquet reader read (its TOTAL_BYTES_READ counts the footers
// only, and nothing once they are cached): the gateway meters with it.
//
// Thread safety: Acquire and leases are safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::query {

// One product name a query may use, and the only files behind it.
struct ViewFiles {
  std::string address;  // "crm.customers" or "crm.customers_v1"
  std::vector<std::string> files;
  // The view has the columns of `files` and no row: a change feed with
  // nothing appended (QueryRequest::since).
  bool no_rows = false;
};

struct EnginePoolOptions {
  int threads = 0;           // per engine; 0: DuckDB's default
  std::string memory_limit;  // per engine (so per query when engines are not shared)
  std::filesystem::path temp_dir;  // spill files; never readable from SQL
  size_t max_engines = 16;         // warm engines kept; 0: none (a fresh one per query)
  size_t connections_per_engine = 4;
};

class EnginePool {
 private:
  struct Engine;

 public:
  explicit EnginePool(EnginePoolOptions options) : options_(std::move(options)) {}
  ~EnginePool();
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  // One connection of an engine for `views`, held until the Lease goes.
  class Lease {
   public:
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    engine::Connection& conn() { return *conn_; }
    // The compressed bytes of the column chunks of `columns` (any case; a
    // nested column with all its leaves) in every row group of the files of
    // view `address`: what DuckDB reads to scan them. 0 for names it lacks.
    int64_t ScanBytes(const std::string& address, const std::vector<std::string>& columns) const;

   private:
    friend class EnginePool;
    Lease(std::shared_ptr<Engine> engine, std::unique_ptr<engine::Connection> conn)
        : engine_(std::move(engine)), conn_(std::move(conn)) {}
    std::shared_ptr<Engine> engine_;
    std::unique_ptr<engine::Connection> conn_;
  };

  // InvalidArgument for an address that is not DOMAIN.NAME or a view with
  // no files; IoError when DuckDB cannot open the files. With `writable`
  // (an empty private directory) the engine may also write there, and is
  // made for this lease alone.
  Result<Lease> Acquire(const std::vector<ViewFiles>& views, const std::filesystem::path& writable = {});

  // Engines open now (warm and leased), for tests and /metrics.
  size_t engines() const;

 private:
  Result<std::shared_ptr<Engine>> Open(const std::vector<ViewFiles>& views, const std::filesystem::path& writable) const;

  const EnginePoolOptions options_;
  mutable std::mutex mu_;
  // Protected by mu_: warm engines by reach key, most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<Engine>>> warm_;
};

}  // namespace weft::query
