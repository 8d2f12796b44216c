// The composition root of one workspace: what every service works on. A
// front end opens one Mesh (the CLI per command, the server for its life)
// and hands it to the services with a Caller.
//
//   ASSIGN_OR_RETURN(auto mesh, Mesh::Open(workspace_flag));
//   ASSIGN_OR_RETURN(Caller caller, mesh->CallerFor("bob@retail.example"));
//   ASSIGN_OR_RETURN(auto page, CatalogService(*mesh).Describe(caller, "sales.orders"));
//
// The parser and the query runtime are made on first use: most commands
// need neither. The access rules are loaded once per catalog generation.
//
// Thread safety: safe for concurrent use once opened; Close() only after
// every call has returned.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "access/access_control.h"
#include "catalog/store.h"
#include "common/single_flight.h"
#include "control/workspace.h"
#include "engine/duckdb_sql_validator.h"
#include "query/catalog_reads.h"
#include "query/runtime.h"
#include "service/caller.h"

namespace weft::service {

struct MeshOptions {
  // Warm query engines kept between queries (a server); 0: a fresh engine
  // per query (a one-shot CLI command).
  size_t warm_engines = 0;
  // Queries running at once, all principals together; 0: no limit.
  int max_running = 0;
};

class Mesh {
 public:
  // The workspace named by `workspace` (--workspace), else $WEFT_HOME, else
  // the nearest weft.yaml upward; opens its catalog and secret.
  static Result<std::unique_ptr<Mesh>> Open(const std::string& workspace, MeshOptions options = {});

  const control::Workspace& workspace() const { return ws_; }
  catalog::Store& store() { return *store_; }
  // The workspace secret: keys hash masks; never leaves the process.
  const std::string& secret() const { return secret_; }
  Result<engine::DuckDbSqlValidator*> parser();
  Result<query::QueryRuntime*> runtime();

  // The grants, contracts and masks as of the catalog's current generation.
  // Reading the generation is an SQLite read transaction, most of a cached
  // request's cost under load: a reading younger than kAccessFreshFor is
  // reused, so another process's change is seen within a millisecond, and
  // this process's own at once (CatalogChanged).
  Result<std::shared_ptr<const access::AccessControl>> Access();
  // The access rules and the catalog reads of one generation together
  // (what a query binds with: query::Gateway).
  struct Rules {
    std::shared_ptr<const access::AccessControl> access;
    std::shared_ptr<query::CatalogReads> reads;
  };
  Result<Rules> QueryRules();
  // After a write through this Mesh: the next Access() reads the generation.
  void CatalogChanged();

  // The registered principal `name`, acting now.
  Result<Caller> CallerFor(const std::string& name);

  // Running queries stop; later ones are refused (SIGTERM on a server).
  void Shutdown();
  // Writes the last usage rows and closes the catalog.
  void Close();

 private:
  Mesh(control::Workspace ws, std::unique_ptr<catalog::Store> store, std::string secret, MeshOptions options);
  Result<std::shared_ptr<const access::AccessControl>> LoadAccess();

  const control::Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  const std::string secret_;
  const MeshOptions options_;
  std::mutex mu_;  // guards the lazily made members below
  std::unique_ptr<engine::DuckDbSqlValidator> parser_;
  std::unique_ptr<query::QueryRuntime> runtime_;
  std::shared_ptr<const access::AccessControl> access_;
  int64_t access_generation_ = -1;
  std::shared_ptr<query::CatalogReads> reads_;  // of access_generation_
  SingleFlight<int64_t, std::shared_ptr<const access::AccessControl>> access_loads_;  // by generation
  static constexpr auto kAccessFreshFor = std::chrono::milliseconds(1);
  std::chrono::steady_clock::time_point access_checked_{};
  uint64_t changes_ = 0;  // CatalogChanged calls: a generation read across one is read again
};

}  // namespace weft::service
