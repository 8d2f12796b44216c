// What binding a query reads from the catalog — the products by name, their
// snapshots and versions, the domains' budgets — read once per catalog
// generation and shared by every query of that generation.
//
// A query used to read them afresh: four to six catalog reads before it
// ran, each a round trip on a PostgreSQL catalog (docs/benchmarks.md,
// bench/pgwire and bench/postgres). They change only with a catalog write,
// which starts a new generation, and so a new CatalogReads (service::Mesh
// makes one with each new set of access rules: the two always describe the
// same generation). What changes without a write — the month's usage cost —
// is not here.
//
//   CatalogReads reads(store);  // one per generation
//   ASSIGN_OR_RETURN(auto snapshots, reads.ListSnapshots("sales.orders"));
//
// Errors are not kept: the next call reads again.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"

namespace weft::query {

class CatalogReads {
 public:
  explicit CatalogReads(catalog::Store& store) : store_(store) {}

  Result<std::optional<catalog::ProductRecord>> FindProduct(const std::string& id);
  Result<std::vector<catalog::SnapshotRecord>> ListSnapshots(const std::string& product_id);  // newest first
  Result<std::vector<catalog::PortVersionRecord>> ListPortVersions();
  Result<std::vector<catalog::DomainRecord>> ListDomains();

 private:
  catalog::Store& store_;
  std::mutex mu_;  // guards the members below
  std::map<std::string, std::optional<catalog::ProductRecord>> products_;
  std::map<std::string, std::vector<catalog::SnapshotRecord>> snapshots_;
  std::optional<std::vector<catalog::PortVersionRecord>> ports_;
  std::optional<std::vector<catalog::DomainRecord>> domains_;
};

}  // namespace weft::query
