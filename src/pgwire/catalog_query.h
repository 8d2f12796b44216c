// Which SQL the PostgreSQL endpoint answers from its catalog (docs/
// sql-endpoint.md, "Catalog queries"), and that SQL made ready to run in a
// ShadowCatalog (shadow_catalog.h). BI tools and drivers ask pg_catalog and
// information_schema on connect; weft answers them from a description of
// what the caller may read, never from an engine that holds data.
//
//   ASSIGN_OR_RETURN(nlohmann::json ast, parser.SerializeSql(sql));
//   ASSIGN_OR_RETURN(std::optional<CatalogQuery> q, PrepareCatalogQuery(ast, sql));
//   if (!q) ...  // not a catalog query: the governed path answers it
//
// A statement is a catalog query when it reads a pg_catalog.* or
// information_schema.* relation (or an unqualified pg_* relation, which
// PostgreSQL finds through pg_catalog), calls a function of the catalog
// (version(), current_schema(), pg_get_userbyid(), ...) or names one of
// the SQL-standard session values (current_user, session_user, user,
// current_role, current_catalog, current_schema), and reads no product.
//
// Every relation, function, table function and type of a catalog query
// is checked against what the shadow engine defines or query/'s vetted
// function list allows, and renamed to the shadow engine's own objects
// (pg_catalog.pg_class -> pg.pg_class): names are resolved by this module,
// never by DuckDB's catalog search, so DuckDB's own pg_catalog views,
// duckdb_* functions and settings stay out of reach. PostgreSQL-only
// spellings DuckDB's parser reads but its binder does not
// (OPERATOR(pg_catalog.~), COLLATE pg_catalog.default, ::regclass,
// ::pg_catalog.int4) are rewritten in the tree.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::pgwire {

struct CatalogQuery {
  // The statement's parse tree, renamed to the shadow engine's objects
  // (json_deserialize_sql turns it back into SQL).
  nlohmann::json ast;
};

// std::nullopt: not a catalog query (the governed path answers it, or
// refuses it). InvalidArgument for a statement that mixes products with the
// catalog, and for a relation, function or type the catalog does not have,
// naming it.
Result<std::optional<CatalogQuery>> PrepareCatalogQuery(nlohmann::json ast, std::string_view sql);

// False when `sql` cannot be a catalog query: it has no word a catalog
// query needs (a pg_* or information_schema name, a catalog function, a
// session value, an identifier type). Parsing costs a tenth of a trivial
// query, so product queries skip it; true only means "parse and see".
bool MayBeCatalogQuery(std::string_view sql);

// DuckDB's grammar refuses some schema-qualified type names PostgreSQL
// clients write (psql: `::pg_catalog.text`, `::pg_catalog.int2[]`). Given
// the character offset of a syntax error DuckDB reported in `sql`, the same
// SQL without the `pg_catalog.` qualifier of the name at (or just before)
// that offset, to parse again; std::nullopt when there is none there (the
// syntax error is the statement's own).
std::optional<std::string> WithoutPgCatalogQualifierAt(std::string_view sql, size_t position);

// A relation of pg_catalog ("pg" in the shadow engine) or of
// information_schema ("info"), with its columns as DuckDB DDL.
struct CatalogRelation {
  std::string_view schema;  // pg | info
  std::string_view name;
  std::string_view columns;
};
// Every relation a catalog query may read (catalog_relations.inc).
std::span<const CatalogRelation> CatalogRelations();
// Every function of pg_catalog a catalog query may call: the shadow engine
// defines each as a macro of schema "pg" (shadow_catalog.cc).
std::span<const std::string_view> CatalogFunctions();

}  // namespace weft::pgwire
