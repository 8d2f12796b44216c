// What BI tools and drivers ask on connect, answered: version(),
// current_schema(), current_user, pg_catalog.pg_namespace/pg_class/
// pg_attribute/pg_type/..., information_schema.tables/columns — made only
// from what the caller may read now (docs/sql-endpoint.md, "Catalog
// queries"). Domains are schemas, product versions tables (`product` for
// the newest major, `product_vN` for each, as the governed gateway names
// them), readable columns their columns, with their types and the
// contract's descriptions.
//
//   Introspection introspection(mesh);
//   ASSIGN_OR_RETURN(auto answer, introspection.Answer(caller, "SELECT version()", {}));
//   if (!answer) ...  // not a catalog query: QueryService::Run answers it
//
// How: the statement is parsed by DuckDB and classified (catalog_query.h);
// a catalog query runs in a ShadowCatalog (shadow_catalog.h) built from
// QueryService::Schema(caller) — an engine that holds the caller's view
// and nothing else. Shadows are cached by what they hold, so a grant,
// revocation or new snapshot shows in the next query (the schema is asked
// each time; only an identical view reuses an engine).
//
// Thread safety: safe for concurrent use by any number of connections.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pgwire/shadow_catalog.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::pgwire {

class Introspection {
 public:
  explicit Introspection(service::Mesh& mesh, std::string weft_version = "0.1.0")
      : mesh_(mesh), weft_version_(std::move(weft_version)) {}

  // std::nullopt: not a catalog query (the governed path answers it).
  // Otherwise the answer, made only from what `caller` may read now.
  // InvalidArgument for a statement that mixes products and the catalog or
  // names a relation or function the catalog does not have.
  Result<std::optional<CatalogAnswer>> Answer(const service::Caller& caller, const std::string& sql,
                                              const std::vector<std::optional<std::string>>& parameters);
  // Columns, types and parameter types without running (extended protocol Describe).
  Result<std::optional<CatalogAnswer>> Describe(const service::Caller& caller, const std::string& sql);

  // Shadow engines kept for reuse (least recently used goes first).
  static constexpr size_t kCachedShadows = 32;

 private:
  // The parse tree of a catalog query, or std::nullopt.
  Result<std::optional<nlohmann::json>> Classify(const std::string& sql);
  Result<std::shared_ptr<ShadowCatalog>> ShadowFor(const service::Caller& caller);

  service::Mesh& mesh_;
  const std::string weft_version_;
  std::mutex mu_;
  // Protected by mu_: fingerprint -> engine, most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<ShadowCatalog>>> shadows_;
};

}  // namespace weft::pgwire
