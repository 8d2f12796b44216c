#include "pgwire/shadow_catalog.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/watchdog.h"
#include "pgwire/catalog_query.h"
#include "pgwire/types.h"

namespace weft::pgwire {

namespace {

// Object identifiers. PostgreSQL's own for what every database has
// (clients compare with them: 'pg_class'::regclass, the public schema);
// the caller's schemas and relations are numbered from 16384 in the order
// of its view, so an oid says nothing about what it does not see.
constexpr int64_t kOwnerOid = 10;      // the role "weft": owns every object
constexpr int64_t kCatalogNamespaceOid = 11;
constexpr int64_t kPublicNamespaceOid = 2200;
constexpr int64_t kInformationSchemaOid = 13000;
constexpr int64_t kDatabaseOid = 16381;
constexpr int64_t kCallerOid = 16382;  // the caller's role
constexpr int64_t kFirstObjectOid = 16384;

// The staging tables the C++ side fills (the caller's view and the types)
// and the tables of pg_catalog and information_schema made from them.
constexpr const char* kStaging = R"sql(
CREATE TABLE main.w_schema (oid BIGINT, name VARCHAR);
CREATE TABLE main.w_relation (oid BIGINT, schema_oid BIGINT, name VARCHAR, description VARCHAR);
CREATE TABLE main.w_column (relation_oid BIGINT, position SMALLINT, name VARCHAR, type_oid BIGINT, typmod INTEGER,
                            description VARCHAR);
CREATE TABLE main.w_type (oid BIGINT, name VARCHAR, sql_name VARCHAR, len SMALLINT, elem BIGINT, array_oid BIGINT,
                          category VARCHAR);
)sql";

constexpr const char* kFill = R"sql(
INSERT INTO pg.pg_namespace (oid, nspname, nspowner)
  SELECT oid, name, 10 FROM main.w_schema;
INSERT INTO pg.pg_class (oid, relname, relnamespace, reltype, reloftype, relowner, relam, relfilenode, reltablespace,
                         relpages, reltuples, relallvisible, reltoastrelid, relhasindex, relisshared, relpersistence,
                         relkind, relnatts, relchecks, relhasrules, relhastriggers, relhassubclass, relrowsecurity,
                         relforcerowsecurity, relispopulated, relreplident, relispartition, relrewrite, relfrozenxid,
                         relminmxid)
  SELECT r.oid, r.name, r.schema_oid, 0, 0, 10, 2, 0, 0, 0, -1, 0, 0, false, false, 'p', 'r',
         (SELECT count(*) FROM main.w_column c WHERE c.relation_oid = r.oid), 0, false, false, false, false, false,
         true, 'd', false, 0, 0, 0
  FROM main.w_relation r;
INSERT INTO pg.pg_attribute (attrelid, attname, atttypid, attstattarget, attlen, attnum, attndims, attcacheoff,
                             atttypmod, attbyval, attalign, attstorage, attcompression, attnotnull, atthasdef,
                             atthasmissing, attidentity, attgenerated, attisdropped, attislocal, attinhcount,
                             attcollation)
  SELECT c.relation_oid, c.name, c.type_oid, -1, t.len, c.position, CASE WHEN t.elem <> 0 THEN 1 ELSE 0 END, -1,
         c.typmod, t.len BETWEEN 1 AND 8, 'i', CASE WHEN t.len > 0 THEN 'p' ELSE 'x' END, '', false, false, false,
         '', '', false, true, 0, 0
  FROM main.w_column c JOIN main.w_type t ON t.oid = c.type_oid;
INSERT INTO pg.pg_description (objoid, classoid, objsubid, description)
  SELECT oid, 1259, 0, description FROM main.w_relation WHERE description <> ''
  UNION ALL
  SELECT relation_oid, 1259, position, description FROM main.w_column WHERE description <> '';
INSERT INTO pg.pg_type (oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory, typispreferred,
                        typisdefined, typdelim, typrelid, typsubscript, typelem, typarray, typinput, typoutput,
                        typreceive, typsend, typmodin, typmodout, typanalyze, typalign, typstorage, typnotnull,
                        typbasetype, typtypmod, typndims, typcollation)
  SELECT oid, name, 11, 10, len, len BETWEEN 1 AND 8, 'b', category, false, true, ',', 0,
         CASE WHEN elem <> 0 THEN 'array_subscript_handler' ELSE '-' END, elem, array_oid, name || 'in',
         name || 'out', name || 'recv', name || 'send', '-', '-', '-', 'i', CASE WHEN len > 0 THEN 'p' ELSE 'x' END,
         false, 0, -1, 0, 0
  FROM main.w_type;
INSERT INTO pg.pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i');
INSERT INTO pg.pg_tables (schemaname, tablename, tableowner, hasindexes, hasrules, hastriggers, rowsecurity)
  SELECT n.nspname, c.relname, 'weft', false, false, false, false
  FROM pg.pg_class c JOIN pg.pg_namespace n ON n.oid = c.relnamespace;
INSERT INTO info.schemata (catalog_name, schema_name, schema_owner)
  SELECT 'weft', name, 'weft' FROM main.w_schema;
INSERT INTO info.tables (table_catalog, table_schema, table_name, table_type, is_insertable_into, is_typed)
  SELECT 'weft', n.nspname, c.relname, 'BASE TABLE', 'NO', 'NO'
  FROM pg.pg_class c JOIN pg.pg_namespace n ON n.oid = c.relnamespace;
INSERT INTO info.columns (table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable,
                          data_type, numeric_precision, numeric_precision_radix, numeric_scale, udt_catalog,
                          udt_schema, udt_name, dtd_identifier, is_self_referencing, is_identity, is_generated,
                          is_updatable)
  SELECT 'weft', n.nspname, r.name, c.name, c.position, 'YES',
         CASE WHEN t.elem <> 0 THEN 'ARRAY' ELSE t.sql_name END,
         CASE WHEN t.name = 'numeric' AND c.typmod >= 4 THEN (c.typmod - 4) >> 16 END,
         CASE WHEN t.category = 'N' THEN CASE WHEN t.name = 'numeric' THEN 10 ELSE 2 END END,
         CASE WHEN t.name = 'numeric' AND c.typmod >= 4 THEN (c.typmod - 4) & 65535 END,
         'weft', 'pg_catalog', t.name, c.position::VARCHAR, 'NO', 'NO', 'NEVER', 'NO'
  FROM main.w_column c JOIN main.w_relation r ON r.oid = c.relation_oid
       JOIN pg.pg_namespace n ON n.oid = r.schema_oid JOIN main.w_type t ON t.oid = c.type_oid;
DROP TABLE main.w_schema;
DROP TABLE main.w_relation;
DROP TABLE main.w_column;
)sql";

// pg_catalog's functions (catalog_query.cc lists their names), regclass
// first: the macros after it call it. What the caller is and may do is
// answered from the view: it may read (SELECT) everything listed, write
// nothing; every object belongs to "weft".
constexpr const char* kMacros = R"sql(
CREATE MACRO pg.regclass(x) AS
  coalesce(TRY_CAST(x AS BIGINT),
           (SELECT s.oid FROM (VALUES ('pg_type', 1247), ('pg_attribute', 1249), ('pg_proc', 1255),
                                      ('pg_class', 1259), ('pg_database', 1262), ('pg_am', 2601),
                                      ('pg_constraint', 2606), ('pg_description', 2609), ('pg_index', 2610),
                                      ('pg_namespace', 2615)) s(name, oid)
            WHERE lower(x::VARCHAR) IN (s.name, 'pg_catalog.' || s.name)),
           (SELECT c.oid FROM pg.pg_class c JOIN pg.pg_namespace n ON n.oid = c.relnamespace
            WHERE x::VARCHAR IN (n.nspname || '.' || c.relname, CASE WHEN n.nspname = 'public' THEN c.relname END)));
CREATE MACRO pg.to_regclass(x) AS pg.regclass(x);
CREATE MACRO pg.current_database() AS 'weft';
CREATE MACRO pg.current_catalog() AS 'weft';
CREATE MACRO pg.current_schema() AS 'public';
CREATE MACRO pg.current_schemas(implicit) AS
  CASE WHEN implicit THEN ['pg_catalog', 'public'] ELSE ['public'] END;
CREATE MACRO pg.pg_backend_pid() AS 0;
CREATE MACRO pg.pg_get_userbyid(id) AS
  coalesce((SELECT r.rolname FROM pg.pg_roles r WHERE r.oid = id), 'unknown (OID=' || id || ')');
CREATE MACRO pg.format_type(type_oid, typemod) AS
  (SELECT CASE WHEN t.name = 'numeric' AND typemod >= 4
               THEN 'numeric(' || ((typemod - 4) >> 16) || ',' || ((typemod - 4) & 65535) || ')'
               ELSE t.sql_name END
   FROM main.w_type t WHERE t.oid = type_oid);
CREATE MACRO pg.obj_description(o) AS
  (SELECT d.description FROM pg.pg_description d WHERE d.objoid = o AND d.objsubid = 0 LIMIT 1),
  (o, catalog_name) AS
  (SELECT d.description FROM pg.pg_description d
   WHERE d.objoid = o AND d.objsubid = 0 AND d.classoid = pg.regclass(catalog_name) LIMIT 1);
CREATE MACRO pg.col_description(o, n) AS
  (SELECT d.description FROM pg.pg_description d WHERE d.objoid = o AND d.objsubid = n LIMIT 1);
CREATE MACRO pg.shobj_description(o, catalog_name) AS NULL::VARCHAR;
CREATE MACRO pg.pg_table_is_visible(o) AS
  (SELECT count(*) > 0 FROM pg.pg_class c JOIN pg.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = o AND n.nspname IN ('pg_catalog', 'public'));
CREATE MACRO pg.pg_type_is_visible(o) AS true;
CREATE MACRO pg.pg_function_is_visible(o) AS true;
CREATE MACRO pg.has_table_privilege(t, p) AS upper(p) LIKE '%SELECT%', (u, t, p) AS upper(p) LIKE '%SELECT%';
CREATE MACRO pg.has_any_column_privilege(t, p) AS upper(p) LIKE '%SELECT%',
  (u, t, p) AS upper(p) LIKE '%SELECT%';
CREATE MACRO pg.has_column_privilege(t, c, p) AS upper(p) LIKE '%SELECT%',
  (u, t, c, p) AS upper(p) LIKE '%SELECT%';
CREATE MACRO pg.has_schema_privilege(s, p) AS upper(p) LIKE '%USAGE%', (u, s, p) AS upper(p) LIKE '%USAGE%';
CREATE MACRO pg.has_database_privilege(d, p) AS upper(p) LIKE '%CONNECT%',
  (u, d, p) AS upper(p) LIKE '%CONNECT%';
CREATE MACRO pg.has_function_privilege(f, p) AS true, (u, f, p) AS true;
CREATE MACRO pg.has_sequence_privilege(s, p) AS false, (u, s, p) AS false;
CREATE MACRO pg.has_type_privilege(t, p) AS true, (u, t, p) AS true;
CREATE MACRO pg.pg_has_role(r, p) AS false, (u, r, p) AS false;
CREATE MACRO pg.pg_encoding_to_char(e) AS CASE WHEN e = 6 THEN 'UTF8' ELSE '' END;
CREATE MACRO pg.pg_get_expr(e, r) AS NULL::VARCHAR, (e, r, pretty) AS NULL::VARCHAR;
CREATE MACRO pg.pg_get_constraintdef(o) AS NULL::VARCHAR, (o, pretty) AS NULL::VARCHAR;
CREATE MACRO pg.pg_get_indexdef(o) AS NULL::VARCHAR, (o, c, pretty) AS NULL::VARCHAR;
CREATE MACRO pg.pg_get_viewdef(o) AS NULL::VARCHAR, (o, pretty) AS NULL::VARCHAR;
CREATE MACRO pg.pg_get_partkeydef(o) AS NULL::VARCHAR;
CREATE MACRO pg.pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR;
CREATE MACRO pg.pg_relation_is_publishable(o) AS false;
CREATE MACRO pg.pg_is_in_recovery() AS false;
CREATE MACRO pg.array_upper(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN len(a) END;
CREATE MACRO pg.array_lower(a, d) AS CASE WHEN d = 1 AND len(a) > 0 THEN 1 END;
)sql";

// The PostgreSQL types the catalog knows: those of every DuckDB type a
// column can have (types.h), their arrays, and the ones pg_catalog's own
// columns and clients' probes use.
struct TypeRow {
  PgType type;
  uint32_t array_oid = 0;
};

std::string SqlName(const PgType& t) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"bool", "boolean"},         {"int2", "smallint"},
      {"int4", "integer"},         {"int8", "bigint"},
      {"float4", "real"},          {"float8", "double precision"},
      {"varchar", "character varying"}, {"bpchar", "character"},
      {"timestamp", "timestamp without time zone"}, {"timestamptz", "timestamp with time zone"},
      {"time", "time without time zone"}, {"timetz", "time with time zone"},
      {"char", "\"char\""}};
  for (const auto& [name, sql] : kNames)
    if (t.name == name) return sql;
  return t.name;
}

char Category(const PgType& t) {
  if (t.element_oid != 0) return 'A';
  switch (t.oid) {
    case kBoolOid: return 'B';
    case kInt2Oid: case kInt4Oid: case kInt8Oid: case kFloat4Oid: case kFloat8Oid: case kNumericOid: case kOidOid:
      return 'N';
    case kTextOid: case kVarcharOid: case kNameOid: case kBpcharOid: return 'S';
    case kDateOid: case kTimeOid: case kTimestampOid: case kTimestamptzOid: case kTimetzOid: return 'D';
    case kIntervalOid: return 'T';
    default: return 'U';
  }
}

std::vector<TypeRow> KnownTypes() {
  static const char* kDuckDbTypes[] = {"BOOLEAN", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE",
                                       "DECIMAL(18,3)", "VARCHAR", "BLOB", "DATE", "TIME", "TIMESTAMP",
                                       "TIMESTAMP WITH TIME ZONE", "TIME WITH TIME ZONE", "INTERVAL", "UUID", "JSON"};
  std::vector<TypeRow> rows;
  std::set<uint32_t> seen;
  auto add = [&](const PgType& t, uint32_t array_oid) {
    if (seen.insert(t.oid).second) rows.push_back({t, array_oid});
  };
  for (const char* d : kDuckDbTypes) {
    PgType scalar = PgTypeOf(d), array = PgTypeOf(std::string(d) + "[]");
    const bool has_array = array.element_oid == scalar.oid;
    add(scalar, has_array ? array.oid : 0);
    if (has_array) add(array, 0);
  }
  // Types clients probe that no DuckDB column maps to.
  add({.oid = kTextOid, .size = -1, .modifier = -1, .name = "text", .element_oid = 0}, kTextArrayOid);
  add({.oid = kTextArrayOid, .size = -1, .modifier = -1, .name = "_text", .element_oid = kTextOid}, 0);
  add({.oid = kVarcharOid, .size = -1, .modifier = -1, .name = "varchar", .element_oid = 0}, kVarcharArrayOid);
  add({.oid = kVarcharArrayOid, .size = -1, .modifier = -1, .name = "_varchar", .element_oid = kVarcharOid}, 0);
  add({.oid = kNameOid, .size = 64, .modifier = -1, .name = "name", .element_oid = 0}, 0);
  add({.oid = kOidOid, .size = 4, .modifier = -1, .name = "oid", .element_oid = 0}, 0);
  add({.oid = kBpcharOid, .size = -1, .modifier = -1, .name = "bpchar", .element_oid = 0}, 0);
  add({.oid = 18, .size = 1, .modifier = -1, .name = "char", .element_oid = 0}, 0);
  return rows;
}

std::string Values(const std::vector<std::string>& rows) { return Join(rows, ",\n"); }

// The caller's view as rows of the staging tables.
std::string ViewRows(const ShadowView& view) {
  std::vector<std::string> schemas = {fmt::format("({}, 'pg_catalog')", kCatalogNamespaceOid),
                                      fmt::format("({}, 'public')", kPublicNamespaceOid),
                                      fmt::format("({}, 'information_schema')", kInformationSchemaOid)};
  std::vector<std::string> relations, columns;
  std::map<std::string, int64_t> domain_oids;
  int64_t next = kFirstObjectOid;
  for (const auto& r : view.schema.relations) {
    const std::string domain = r.product.substr(0, r.product.find('.'));
    const std::string product = r.product.substr(r.product.find('.') + 1);
    auto [it, added] = domain_oids.emplace(domain, 0);
    if (added) {
      it->second = next++;
      schemas.push_back(fmt::format("({}, {})", it->second, SqlQuote(domain)));
    }
    std::string about = r.description;
    if (r.status == "deprecated") about += (about.empty() ? "" : " ") + std::string("[deprecated]");
    if (r.row_filter) about += (about.empty() ? "" : " ") + std::string("[rows filtered for you]");
    // The newest major answers to domain.product too, as the gateway binds it.
    std::vector<std::string> names = {product + "_v" + std::to_string(r.major)};
    if (r.newest) names.insert(names.begin(), product);
    for (const auto& name : names) {
      const int64_t oid = next++;
      relations.push_back(fmt::format("({}, {}, {}, {})", oid, it->second, SqlQuote(name), SqlQuote(about)));
      int position = 0;
      for (const auto& c : r.columns) {
        const PgType t = PgTypeOf(c.type);
        std::string text = c.description;
        if (c.mask != "clear") text += (text.empty() ? "" : " ") + ("[masked for you: " + c.mask + "]");
        columns.push_back(fmt::format("({}, {}, {}, {}, {}, {})", oid, ++position, SqlQuote(c.name), t.oid, t.modifier,
                                      SqlQuote(text)));
      }
    }
  }
  const std::vector<TypeRow> known = KnownTypes();
  std::map<uint32_t, std::string> sql_names;
  for (const auto& row : known) sql_names[row.type.oid] = SqlName(row.type);
  std::vector<std::string> types;
  for (const auto& row : known) {
    const std::string sql_name = row.type.element_oid ? sql_names[row.type.element_oid] + "[]" : SqlName(row.type);
    types.push_back(fmt::format("({}, {}, {}, {}, {}, {}, '{}')", row.type.oid, SqlQuote(row.type.name),
                                SqlQuote(sql_name), row.type.size, row.type.element_oid, row.array_oid,
                                Category(row.type)));
  }
  std::string sql = "INSERT INTO main.w_schema VALUES " + Values(schemas) + ";\n";
  if (!relations.empty()) sql += "INSERT INTO main.w_relation VALUES " + Values(relations) + ";\n";
  if (!columns.empty()) sql += "INSERT INTO main.w_column VALUES " + Values(columns) + ";\n";
  sql += "INSERT INTO main.w_type VALUES " + Values(types) + ";\n";
  return sql;
}

// What depends on who the caller is and which weft answers.
std::string CallerSql(const ShadowView& view) {
  const std::string who = SqlQuote(view.principal);
  std::string sql = fmt::format(
      "INSERT INTO pg.pg_roles (rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, "
      "rolreplication, rolconnlimit, rolpassword, rolbypassrls, oid) VALUES "
      "('weft', false, true, false, false, false, false, -1, '********', false, {}), "
      "({}, false, true, false, false, true, false, -1, '********', false, {});\n"
      "INSERT INTO pg.pg_user (usename, usesysid, usecreatedb, usesuper, userepl, usebypassrls, passwd) "
      "SELECT rolname, oid, false, false, false, false, '********' FROM pg.pg_roles;\n"
      "INSERT INTO pg.pg_database (oid, datname, datdba, encoding, datlocprovider, datistemplate, datallowconn, "
      "datconnlimit, dattablespace, datcollate, datctype) VALUES ({}, 'weft', 10, 6, 'c', false, true, -1, 0, 'C', 'C');\n"
      "CREATE MACRO pg.version() AS {};\n"
      "CREATE MACRO pg.pg_postmaster_start_time() AS TIMESTAMPTZ {};\n",
      kOwnerOid, who, kCallerOid, kDatabaseOid,
      SqlQuote("PostgreSQL 16.0 (weft " + view.weft_version + ") on x86_64-pc-linux-gnu, compiled by weft, 64-bit"),
      SqlQuote(NowIso()));
  for (const char* name : {"current_user", "session_user", "user", "current_role", "getpgusername"})
    sql += fmt::format("CREATE MACRO pg.{}() AS {};\n", SqlIdent(name), who);
  return sql;
}

}  // namespace

std::string ShadowView::Fingerprint() const {
  return Sha256Hex(principal + '\n' + weft_version + '\n' + ViewRows(*this));
}

Result<std::unique_ptr<ShadowCatalog>> ShadowCatalog::Open(const ShadowView& view) {
  engine::DatabaseConfig config;
  config.threads = 1;
  config.memory_limit = "128MB";
  config.options = {{"autoinstall_known_extensions", "false"}, {"autoload_known_extensions", "false"}};
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  // No file is ever read or written (no spilling either), and no setting
  // names a path of the server's (DuckDB's defaults name its home).
  RETURN_IF_ERROR(conn.Execute("SET temp_directory = ''; SET secret_directory = ''; SET extension_directory = ''; "
                               "SET home_directory = ''; SET enable_external_access = false"));
  std::string ddl = "CREATE SCHEMA pg;\nCREATE SCHEMA info;\n";
  for (const auto& r : CatalogRelations()) ddl += fmt::format("CREATE TABLE {}.{} ({});\n", r.schema, r.name, r.columns);
  RETURN_IF_ERROR(conn.Execute(ddl));
  RETURN_IF_ERROR(conn.Execute(kStaging));
  RETURN_IF_ERROR(conn.Execute(ViewRows(view)));
  RETURN_IF_ERROR(conn.Execute(CallerSql(view)));
  RETURN_IF_ERROR(conn.Execute(kFill));
  RETURN_IF_ERROR(conn.Execute(kMacros));
  ASSIGN_OR_RETURN(engine::PreparedStatement deserialize, conn.Prepare("SELECT json_deserialize_sql(?::JSON)"));
  RETURN_IF_ERROR(conn.Execute("SET lock_configuration = true"));
  return std::unique_ptr<ShadowCatalog>(new ShadowCatalog(std::move(db), std::move(conn), std::move(deserialize)));
}

Result<std::string> ShadowCatalog::SqlOf(const nlohmann::json& ast) {
  RETURN_IF_ERROR(deserialize_.ClearBindings());
  RETURN_IF_ERROR(deserialize_.Bind(1, ast.dump()));
  ASSIGN_OR_RETURN(engine::QueryResult r, deserialize_.Execute());
  ASSIGN_OR_RETURN(std::optional<std::string> sql, r.ScalarString());
  if (!sql) return Status::Internal("DuckDB could not print a catalog query's parse tree");
  return *sql;
}

Result<CatalogAnswer> ShadowCatalog::Describe(const nlohmann::json& ast) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(std::string sql, SqlOf(ast));
  ASSIGN_OR_RETURN(engine::PreparedStatement stmt, conn_.PrepareSelect(sql));
  CatalogAnswer a;
  for (size_t i = 0; i < stmt.column_count(); ++i) {
    a.columns.push_back(stmt.column_name(i));
    a.types.push_back(stmt.column_type_text(i));
  }
  for (size_t i = 1; i <= stmt.parameter_count(); ++i) a.parameter_types.push_back(stmt.parameter_type_text(i));
  return a;
}

Result<CatalogAnswer> ShadowCatalog::Run(const nlohmann::json& ast, const std::vector<std::optional<std::string>>& parameters,
                                         double timeout_seconds) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(std::string sql, SqlOf(ast));
  ASSIGN_OR_RETURN(engine::PreparedStatement stmt, conn_.PrepareSelect(sql));
  if (parameters.size() != stmt.parameter_count())
    return Status::InvalidArgument(fmt::format("the query has {} parameters, {} were given", stmt.parameter_count(),
                                               parameters.size()));
  CatalogAnswer a;
  for (size_t i = 0; i < parameters.size(); ++i) {
    a.parameter_types.push_back(stmt.parameter_type_text(i + 1));
    RETURN_IF_ERROR(parameters[i] ? stmt.Bind(i + 1, std::string_view(*parameters[i])) : stmt.Bind(i + 1, nullptr));
  }
  engine::Watchdog watchdog(conn_, timeout_seconds, {});
  auto result = stmt.Execute();
  if (watchdog.timed_out()) return Status::DeadlineExceeded(fmt::format("the catalog query ran over its time limit ({} s)", timeout_seconds));
  if (!result.ok()) return result.status();
  for (size_t i = 0; i < result->column_count(); ++i) {
    a.columns.push_back(result->column_name(i));
    a.types.push_back(result->column_type_text(i));
  }
  while (true) {
    ASSIGN_OR_RETURN(std::optional<engine::DataChunk> chunk, result->NextChunk());
    if (!chunk) break;
    if (a.rows.size() + chunk->size() > kMaxRows)
      return Status::ResourceExhausted(fmt::format("a catalog answer holds at most {} rows", kMaxRows));
    for (size_t row = 0; row < chunk->size(); ++row) {
      std::vector<std::optional<std::string>> cells;
      for (size_t col = 0; col < chunk->column_count(); ++col)
        cells.push_back(chunk->IsNull(col, row) ? std::nullopt : std::optional<std::string>(chunk->GetAsString(col, row)));
      a.rows.push_back(std::move(cells));
    }
  }
  a.command_tag = "SELECT " + std::to_string(a.rows.size());
  return a;
}

}  // namespace weft::pgwire
