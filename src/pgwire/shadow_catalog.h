// The engine that answers a caller's catalog queries (catalog_query.h): an
// in-memory DuckDB whose pg_catalog ("pg") and information_schema ("info")
// tables describe exactly what one caller may read now — its product
// versions as tables of the schema of their domain, only their readable
// columns, with the contract's descriptions (and which are masked) — and
// nothing else. No product data, file, path, key or setting is in it: what
// the caller may not see is not in the engine that runs its SQL
// (docs/security.md, guarantee 1; docs/sql-endpoint.md, "Catalog queries").
//
//   ShadowView view{.principal = "grace", .schema = schema, .weft_version = "0.1.0"};
//   ASSIGN_OR_RETURN(auto shadow, ShadowCatalog::Open(view));
//   ASSIGN_OR_RETURN(CatalogAnswer a, shadow->Run(query.ast, {"customers"}, 10.0));
//
// Thread safety: safe for concurrent use; queries on one shadow run one at
// a time (catalog queries are small).
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "service/query.h"

namespace weft::pgwire {

// What a catalog query returned, as the wire protocol sends it.
struct CatalogAnswer {
  std::vector<std::string> columns;
  std::vector<std::string> types;  // DuckDB logical type names, one per column
  std::vector<std::vector<std::optional<std::string>>> rows;  // DuckDB's text rendering, nullopt = NULL
  std::vector<std::string> parameter_types;  // DuckDB types of $1..$n
  std::string command_tag;                   // "SELECT 3"
};

// Everything a shadow is made of: two callers with equal views could share
// one (a cache keys on Fingerprint()).
struct ShadowView {
  std::string principal;
  service::QuerySchema schema;
  std::string weft_version;

  // A digest of the whole view.
  std::string Fingerprint() const;
};

class ShadowCatalog {
 public:
  // Builds the engine: 1 thread, a small memory limit, no external access,
  // no extensions, configuration locked.
  static Result<std::unique_ptr<ShadowCatalog>> Open(const ShadowView& view);

  // Runs a prepared catalog query (CatalogQuery::ast) with `parameters`
  // bound to $1..$n as text (DuckDB casts them to the types their use
  // asks for), stopping it at `timeout_seconds` (DeadlineExceeded).
  Result<CatalogAnswer> Run(const nlohmann::json& ast, const std::vector<std::optional<std::string>>& parameters,
                            double timeout_seconds);
  // Columns, their types and the parameters' types, without running.
  Result<CatalogAnswer> Describe(const nlohmann::json& ast);

  // More rows than this is not a catalog answer: refused rather than held.
  static constexpr size_t kMaxRows = 100000;

 private:
  ShadowCatalog(engine::Database db, engine::Connection conn, engine::PreparedStatement deserialize)
      : db_(std::move(db)), conn_(std::move(conn)), deserialize_(std::move(deserialize)) {}
  // The SQL of a parse tree (json_deserialize_sql). Needs mu_.
  Result<std::string> SqlOf(const nlohmann::json& ast);

  std::mutex mu_;
  // Constant after Open (destroyed in reverse order: statement, connection, database).
  engine::Database db_;
  engine::Connection conn_;                   // used under mu_
  engine::PreparedStatement deserialize_;     // used under mu_
};

}  // namespace weft::pgwire
