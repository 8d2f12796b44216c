// The catalog queries real clients send on connect, answered from what the
// caller may read — and attacks on them. The workspace is the service
// tests' (service/testing.h): olga owns crm (crm.customers: restricted,
// PII masked), sam owns shop (shop.orders: open, rows filtered), bob is
// in team:finance, eve in nothing.
#include "pgwire/introspection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "common/testing/status_matchers.h"
#include "pgwire/catalog_query.h"
#include "service/testing.h"

namespace weft::pgwire {
namespace {

// psql 15's own queries (psql -E against PostgreSQL 15), verbatim: \dn,
// \dt *.*, \dt, \l, \du and the queries of \d crm.customers ({oid}: the
// relation the first one found).
// clang-format off
constexpr const char* kDn = R"sql(SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;)sql";
constexpr const char* kDtAll = R"sql(SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','t','s','')
ORDER BY 1,2;)sql";
constexpr const char* kDLookup = R"sql(SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(customers)$' COLLATE pg_catalog.default
  AND n.nspname OPERATOR(pg_catalog.~) '^(customer)$' COLLATE pg_catalog.default
ORDER BY 2, 3;)sql";
constexpr const char* kDRelation = R"sql(SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname
FROM pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
WHERE c.oid = '{oid}';)sql";
constexpr const char* kDColumns = R"sql(SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{oid}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;)sql";
constexpr const char* kDPolicies = R"sql(SELECT pol.polname, pol.polpermissive,
  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END,
  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),
  CASE pol.polcmd
    WHEN 'r' THEN 'SELECT'
    WHEN 'a' THEN 'INSERT'
    WHEN 'w' THEN 'UPDATE'
    WHEN 'd' THEN 'DELETE'
    END AS cmd
FROM pg_catalog.pg_policy pol
WHERE pol.polrelid = '{oid}' ORDER BY 1;)sql";
constexpr const char* kDStatistics = R"sql(SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname,
pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns,
  'd' = any(stxkind) AS ndist_enabled,
  'f' = any(stxkind) AS deps_enabled,
  'm' = any(stxkind) AS mcv_enabled,
stxstattarget
FROM pg_catalog.pg_statistic_ext
WHERE stxrelid = '{oid}'
ORDER BY nsp, stxname;)sql";
constexpr const char* kDPublications = R"sql(SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
     JOIN pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid
     JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.pnnspid
WHERE pc.oid ='{oid}' and pg_catalog.pg_relation_is_publishable('{oid}')
UNION
SELECT pubname
     , pg_get_expr(pr.prqual, c.oid)
     , (CASE WHEN pr.prattrs IS NOT NULL THEN
         (SELECT string_agg(attname, ', ')
           FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,
                pg_catalog.pg_attribute
          WHERE attrelid = pr.prrelid AND attnum = prattrs[s])
        ELSE NULL END) FROM pg_catalog.pg_publication p
     JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid
     JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
WHERE pr.prrelid = '{oid}'
UNION
SELECT pubname
     , NULL
     , NULL
FROM pg_catalog.pg_publication p
WHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('{oid}')
ORDER BY 1;)sql";
constexpr const char* kDInherits = R"sql(SELECT c.oid::pg_catalog.regclass
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhparent AND i.inhrelid = '{oid}'
  AND c.relkind != 'p' AND c.relkind != 'I'
ORDER BY inhseqno;)sql";
constexpr const char* kDPartitions = R"sql(SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpartbound, c.oid)
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhrelid AND i.inhparent = '{oid}'
ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.oid::pg_catalog.regclass::pg_catalog.text;)sql";
constexpr const char* kDt = R"sql(SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;)sql";
constexpr const char* kList = R"sql(SELECT d.datname as "Name",
       pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
       pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
       d.datcollate as "Collate",
       d.datctype as "Ctype",
       d.daticulocale as "ICU Locale",
       CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
       pg_catalog.array_to_string(d.datacl, E'\n') AS "Access privileges"
FROM pg_catalog.pg_database d
ORDER BY 1;)sql";
constexpr const char* kDu = R"sql(SELECT r.rolname, r.rolsuper, r.rolinherit,
  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolconnlimit, r.rolvaliduntil,
  ARRAY(SELECT b.rolname
        FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)
        WHERE m.member = r.oid) as memberof
, r.rolreplication
, r.rolbypassrls
FROM pg_catalog.pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1;)sql";
// clang-format on

// pgjdbc 42's DatabaseMetaData (PgDatabaseMetaData.java), as it sends them
// for getSchemas(), getTables(null, "crm", "%", {"TABLE", "VIEW"}) and
// getColumns(null, "crm", "customers", "%"); Metabase and DBeaver read
// products through these.
constexpr const char* kJdbcSchemas =
    "SELECT nspname AS \"TABLE_SCHEM\", current_database() AS \"TABLE_CATALOG\" FROM pg_catalog.pg_namespace "
    " WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' "
    " OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_' "
    " OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))  "
    "ORDER BY \"TABLE_SCHEM\"";
constexpr const char* kJdbcTables =
    "SELECT current_database() AS \"TABLE_CAT\", n.nspname AS \"TABLE_SCHEM\", c.relname AS \"TABLE_NAME\",  "
    "CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN n.nspname = "
    "'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN "
    "'v' THEN 'SYSTEM VIEW'   WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  WHEN n.nspname = 'pg_toast' THEN "
    "CASE c.relkind   WHEN 'r' THEN 'SYSTEM TOAST TABLE'   WHEN 'i' THEN 'SYSTEM TOAST INDEX'   ELSE NULL   END  "
    "ELSE CASE c.relkind   WHEN 'r' THEN 'TEMPORARY TABLE'   WHEN 'p' THEN 'TEMPORARY TABLE'   WHEN 'i' THEN "
    "'TEMPORARY INDEX'   WHEN 'S' THEN 'TEMPORARY SEQUENCE'   WHEN 'v' THEN 'TEMPORARY VIEW'   ELSE NULL   END  "
    "END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'i' THEN "
    "'INDEX'  WHEN 'P' then 'PARTITIONED INDEX'  WHEN 'S' THEN 'SEQUENCE'  WHEN 'v' THEN 'VIEW'  WHEN 'c' THEN "
    "'TYPE'  WHEN 'f' THEN 'FOREIGN TABLE'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS "
    "\"TABLE_TYPE\", d.description AS \"REMARKS\",  '' as \"TYPE_CAT\", '' as \"TYPE_SCHEM\", '' as "
    "\"TYPE_NAME\", '' AS \"SELF_REFERENCING_COL_NAME\", '' AS \"REF_GENERATION\"  FROM pg_catalog.pg_namespace "
    "n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0  "
    "and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND n.nspname LIKE $1 AND c.relname "
    "LIKE $2 AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR "
    "( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )  ORDER BY "
    "\"TABLE_TYPE\",\"TABLE_SCHEM\",\"TABLE_NAME\" ";
constexpr const char* kJdbcColumns =
    "SELECT * FROM (SELECT current_database() AS current_database, n.nspname,c.relname,a.attname,a.atttypid,"
    "a.attnotnull  OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,"
    "row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as "
    "attidentity,nullif(a.attgenerated, '') as attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS "
    "adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON "
    "(c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON "
    "(a.atttypid = t.oid)  LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = "
    "def.adnum)  LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT "
    "JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN "
    "pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in "
    "('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND n.nspname LIKE $1 AND c.relname LIKE $2) c "
    "WHERE true  AND attname LIKE $3 ORDER BY nspname,c.relname,attnum ";
// pgjdbc's TypeInfoCache, for a column type it does not know.
constexpr const char* kJdbcTypeByOid =
    "SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN "
    "pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = $1";
// The npm `postgres` client, on its first query (fetch_types).
constexpr const char* kPostgresJsArrayTypes = R"sql(
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    )sql";

using Rows = std::vector<std::vector<std::optional<std::string>>>;

std::string Replace(std::string text, const std::string& what, const std::string& with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

class IntrospectionTest : public service::testing::MeshFixture {
 protected:
  void SetUp() override {
    MeshFixture::SetUp();
    if (HasFatalFailure()) return;
    introspection_ = std::make_unique<Introspection>(*mesh_);
  }
  void TearDown() override {
    introspection_.reset();
    MeshFixture::TearDown();
  }

  // The answer to a catalog query; a failure if it is not one or fails.
  CatalogAnswer Ask(const std::string& who, const std::string& sql,
                    const std::vector<std::optional<std::string>>& parameters = {}) {
    auto a = introspection_->Answer(As(who), sql, parameters);
    EXPECT_OK(a) << sql;
    if (!a.ok()) return {};
    EXPECT_TRUE(a->has_value()) << "not answered as a catalog query: " << sql;
    return a->has_value() ? **a : CatalogAnswer{};
  }
  Status Refusal(const std::string& who, const std::string& sql) {
    auto a = introspection_->Answer(As(who), sql, {});
    EXPECT_FALSE(a.ok()) << sql;
    return a.ok() ? Status::Ok() : a.status();
  }
  static std::vector<std::string> Column(const CatalogAnswer& a, size_t col) {
    std::vector<std::string> out;
    for (const auto& row : a.rows) out.push_back(row.at(col).value_or("NULL"));
    return out;
  }
  // Whether any cell of an answer is exactly `value`.
  static bool HasCell(const CatalogAnswer& a, const std::string& value) {
    for (const auto& row : a.rows)
      for (const auto& cell : row)
        if (cell == value) return true;
    return false;
  }
  // Every cell and column name of an answer, for what must not be in it.
  static std::string Everything(const CatalogAnswer& a) {
    std::string all;
    for (const auto& c : a.columns) all += c + "\n";
    for (const auto& row : a.rows)
      for (const auto& cell : row) all += cell.value_or("NULL") + "\n";
    return all;
  }
  void Changed() { mesh_->CatalogChanged(); }

  std::unique_ptr<Introspection> introspection_;
};

TEST_F(IntrospectionTest, VersionAndTheSessionValuesAreTheCallers) {
  CatalogAnswer v = Ask("bob", "SELECT version()");
  ASSERT_EQ(v.columns, std::vector<std::string>{"version"});
  ASSERT_EQ(v.rows.size(), 1u);
  EXPECT_EQ(v.rows[0][0]->rfind("PostgreSQL 16.0 (weft 0.1.0)", 0), 0u) << *v.rows[0][0];
  EXPECT_EQ(v.command_tag, "SELECT 1");
  CatalogAnswer s = Ask("bob", "SELECT current_schema(),session_user");
  EXPECT_EQ(s.columns, (std::vector<std::string>{"current_schema", "session_user"}));
  EXPECT_EQ(s.rows, (Rows{{"public", "bob"}}));
  CatalogAnswer u = Ask("eve", "SELECT current_user, user, current_database(), current_catalog, current_schemas(true)");
  EXPECT_EQ(u.rows, (Rows{{"eve", "eve", "weft", "weft", "[pg_catalog, public]"}}));
}

TEST_F(IntrospectionTest, DomainsAreSchemasAndReadableProductVersionsTables) {
  CatalogAnswer t = Ask("olga@example.com",
                        "SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2");
  EXPECT_EQ(t.rows, (Rows{{"crm", "customers"}, {"crm", "customers_v1"}, {"shop", "orders"}, {"shop", "orders_v1"}}));
  CatalogAnswer n = Ask("olga@example.com", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1");
  EXPECT_EQ(Column(n, 0), (std::vector<std::string>{"crm", "information_schema", "pg_catalog", "public", "shop"}));
  // Types as PostgreSQL names them, descriptions from the contract.
  CatalogAnswer c = Ask("olga@example.com",
                        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
                        "col_description(a.attrelid, a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid = "
                        "a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shop' AND "
                        "c.relname = 'orders' ORDER BY a.attnum");
  EXPECT_EQ(c.rows, (Rows{{"order_id", "text", "The order."},
                          {"customer_id", "text", "The buyer."},
                          {"amount", "numeric(10,2)", "Order total."},
                          {"region", "text", "Sales region."}}));
}

TEST_F(IntrospectionTest, AColumnGrantShowsOnlyItsColumnsAndSaysWhichAreMasked) {
  Grant({.grantee = "bob", .columns = {"customer_id", "email"}});
  Changed();
  CatalogAnswer c = Ask("bob",
                        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'crm' "
                        "ORDER BY 1, ordinal_position");
  EXPECT_EQ(c.rows, (Rows{{"customers", "customer_id"}, {"customers", "email"}, {"customers_v1", "customer_id"},
                          {"customers_v1", "email"}}));
  CatalogAnswer d = Ask("bob", "SELECT * FROM pg_description");
  const std::string all = Everything(d);
  EXPECT_NE(all.find("Contact address. [masked for you: hash]"), std::string::npos) << all;
  for (const char* hidden : {"full_name", "card", "birth_date", "Card number on file.", "Day of birth.", "Name."})
    EXPECT_EQ(all.find(hidden), std::string::npos) << hidden;
}

TEST_F(IntrospectionTest, WithoutAGrantNothingOfTheProductIsInAnyCatalogView) {
  // eve may read shop.orders (an open port), not crm.customers.
  for (const char* sql : {"SELECT * FROM pg_catalog.pg_namespace", "SELECT * FROM pg_catalog.pg_class",
                          "SELECT * FROM pg_catalog.pg_attribute", "SELECT * FROM pg_catalog.pg_description",
                          "SELECT * FROM pg_catalog.pg_tables", "SELECT * FROM information_schema.schemata",
                          "SELECT * FROM information_schema.tables", "SELECT * FROM information_schema.columns",
                          "SELECT * FROM pg_catalog.pg_type", "SELECT * FROM pg_catalog.pg_settings",
                          "SELECT * FROM pg_catalog.pg_roles", "SELECT * FROM pg_catalog.pg_database"}) {
    const CatalogAnswer a = Ask("eve", sql);
    for (const char* hidden : {"crm", "customers", "customers_v1", "email", "full_name", "card", "birth_date"})
      EXPECT_FALSE(HasCell(a, hidden)) << hidden << " in " << sql;
    for (const char* hidden : {"crm", "customers", "Contact address", "Card number", "Day of birth"})
      EXPECT_EQ(Everything(a).find(hidden), std::string::npos) << hidden << " in " << sql;
  }
  CatalogAnswer t = Ask("eve", "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1");
  EXPECT_EQ(Column(t, 0), (std::vector<std::string>{"shop.orders", "shop.orders_v1"}));
}

TEST_F(IntrospectionTest, ARevokedGrantLeavesTheCatalogAtOnce) {
  const std::string sql = "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'crm'";
  EXPECT_EQ(Ask("bob", sql).rows, (Rows{{"0"}}));
  const int64_t id = Grant({.grantee = "bob"});
  Changed();
  EXPECT_EQ(Ask("bob", sql).rows, (Rows{{"12"}}));  // six columns, as customers and customers_v1
  Revoke(id);
  Changed();
  EXPECT_EQ(Ask("bob", sql).rows, (Rows{{"0"}}));
}

TEST_F(IntrospectionTest, PsqlListsSchemasTablesAndDescribesAProduct) {
  CatalogAnswer dn = Ask("olga@example.com", kDn);
  EXPECT_EQ(dn.columns, (std::vector<std::string>{"Name", "Owner"}));
  EXPECT_EQ(dn.rows, (Rows{{"crm", "weft"}, {"public", "weft"}, {"shop", "weft"}}));
  CatalogAnswer dt = Ask("olga@example.com", kDtAll);
  EXPECT_EQ(dt.rows, (Rows{{"crm", "customers", "table", "weft"},
                           {"crm", "customers_v1", "table", "weft"},
                           {"shop", "orders", "table", "weft"},
                           {"shop", "orders_v1", "table", "weft"}}));
  // Nothing is in public, the one schema on the search path.
  EXPECT_TRUE(Ask("olga@example.com", kDt).rows.empty());
  EXPECT_EQ(Ask("olga@example.com", kList).rows.size(), 1u);
  EXPECT_EQ(Column(Ask("olga@example.com", kDu), 0), (std::vector<std::string>{"olga@example.com", "weft"}));

  CatalogAnswer found = Ask("olga@example.com", Replace(kDLookup, "customer)", "crm)"));
  ASSERT_EQ(found.rows.size(), 1u);
  const std::string oid = *found.rows[0][0];
  CatalogAnswer relation = Ask("olga@example.com", Replace(kDRelation, "{oid}", oid));
  ASSERT_EQ(relation.rows.size(), 1u);
  EXPECT_EQ(relation.rows[0][1], "r");
  CatalogAnswer columns = Ask("olga@example.com", Replace(kDColumns, "{oid}", oid));
  EXPECT_EQ(Column(columns, 0),
            (std::vector<std::string>{"customer_id", "email", "full_name", "card", "birth_date", "region"}));
  EXPECT_EQ(Column(columns, 1)[4], "date");
  for (const char* footer : {kDPolicies, kDStatistics, kDPublications, kDInherits, kDPartitions})
    EXPECT_TRUE(Ask("olga@example.com", Replace(footer, "{oid}", oid)).rows.empty()) << footer;
}

TEST_F(IntrospectionTest, PgjdbcMetadataListsSchemasTablesAndColumns) {
  Grant({.grantee = "bob", .columns = {"customer_id", "email"}});
  Changed();
  CatalogAnswer schemas = Ask("bob", kJdbcSchemas);
  EXPECT_EQ(Column(schemas, 0), (std::vector<std::string>{"crm", "information_schema", "pg_catalog", "public", "shop"}));
  CatalogAnswer tables = Ask("bob", kJdbcTables, {"crm", "%"});
  EXPECT_EQ(tables.rows.size(), 2u);
  EXPECT_EQ(Column(tables, 3), (std::vector<std::string>{"TABLE", "TABLE"}));
  EXPECT_EQ(Column(tables, 4)[0], "One row per customer, with personal data masked for readers.");
  CatalogAnswer columns = Ask("bob", kJdbcColumns, {"crm", "customers", "%"});
  EXPECT_EQ(Column(columns, 3), (std::vector<std::string>{"customer_id", "email"}));
  EXPECT_EQ(Column(columns, 4), (std::vector<std::string>{"25", "25"}));  // text, as RowDescription says (types.h)
  EXPECT_EQ(Column(columns, 13)[1], "Contact address. [masked for you: hash]");
  CatalogAnswer type = Ask("bob", kJdbcTypeByOid, {"25"});
  EXPECT_EQ(type.rows, (Rows{{"true", "pg_catalog", "text"}}));
}

TEST_F(IntrospectionTest, ThePostgresClientFindsItsArrayTypes) {
  CatalogAnswer a = Ask("eve", kPostgresJsArrayTypes);
  EXPECT_EQ(a.columns, (std::vector<std::string>{"oid", "typarray"}));
  const auto oids = Column(a, 0);
  EXPECT_NE(std::find(oids.begin(), oids.end(), "23"), oids.end());  // int4, whose array is _int4
}

TEST_F(IntrospectionTest, APreparedCatalogQueryDescribesItselfAndBindsParameters) {
  const std::string sql =
      "SELECT c.oid, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND c.relname = $2";
  ASSERT_OK_AND_ASSIGN(auto described, introspection_->Describe(As("eve"), sql));
  ASSERT_TRUE(described.has_value());
  EXPECT_EQ(described->columns, (std::vector<std::string>{"oid", "relname"}));
  EXPECT_EQ(described->types, (std::vector<std::string>{"BIGINT", "VARCHAR"}));
  EXPECT_EQ(described->parameter_types, (std::vector<std::string>{"VARCHAR", "VARCHAR"}));
  EXPECT_EQ(Ask("eve", sql, {"shop", "orders"}).rows.size(), 1u);
  EXPECT_TRUE(Ask("eve", sql, {"crm", "customers"}).rows.empty());
  EXPECT_TRUE(Ask("eve", sql, {std::nullopt, "orders"}).rows.empty());
  // A number given as text binds as the number the query compares with.
  EXPECT_EQ(Ask("eve", "SELECT relname FROM pg_class WHERE oid = $1", {"16385"}).rows.size(), 1u);
}

TEST_F(IntrospectionTest, ProductQueriesAreNotCatalogQueries) {
  ASSERT_OK_AND_ASSIGN(auto a, introspection_->Answer(As("eve"), "SELECT email FROM crm.customers LIMIT 3", {}));
  EXPECT_FALSE(a.has_value());
  ASSERT_OK_AND_ASSIGN(a, introspection_->Answer(As("eve"), "SELECT 1", {}));
  EXPECT_FALSE(a.has_value());
  ASSERT_OK_AND_ASSIGN(auto d, introspection_->Describe(As("eve"), "SELECT * FROM shop.orders"));
  EXPECT_FALSE(d.has_value());
  EXPECT_EQ(Refusal("eve", "SELECT * FROM crm.customers JOIN pg_class ON true").code(), StatusCode::kInvalidArgument);
}

TEST_F(IntrospectionTest, SettingsFilesAndDuckDbsOwnCatalogAreOutOfReach) {
  for (const char* sql : {"SELECT * FROM pg_class, duckdb_settings()", "SELECT * FROM pg_class, duckdb_secrets()",
                          "SELECT * FROM pg_class, duckdb_databases()", "SELECT current_setting('home_directory'), version()",
                          "SELECT * FROM pg_class, read_text('/etc/passwd')", "SELECT * FROM pg_class, 'secret.key'",
                          "SELECT * FROM pg_class, duckdb_views", "SELECT * FROM system.main.duckdb_settings, pg_class",
                          "SELECT * FROM pg_class, query('SELECT 1')", "SELECT pg_catalog.pg_read_file('/etc/passwd')",
                          "SELECT * FROM pg_catalog.pg_shadow", "SELECT * FROM pg_class, getenv('HOME')"}) {
    Status s = Refusal("bob", sql);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << sql << ": " << s.ToString();
    EXPECT_EQ(s.message().find("/root"), std::string::npos) << s.message();
  }
  // pg_settings is weft's table: no path of the server's is in it.
  EXPECT_EQ(Everything(Ask("bob", "SELECT * FROM pg_catalog.pg_settings")).find('/'), std::string::npos);
}

TEST_F(IntrospectionTest, TheShadowEngineItselfReachesNoFileAndNoSetting) {
  // Past the classifier, straight into bob's engine: the first line holds alone.
  ShadowView view{.principal = "bob", .schema = {}, .weft_version = "0.1.0"};
  ASSERT_OK_AND_ASSIGN(auto shadow, ShadowCatalog::Open(view));
  auto run = [&](const std::string& sql) -> Result<CatalogAnswer> {
    ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_->parser());
    ASSIGN_OR_RETURN(nlohmann::json ast, parser->SerializeSql(sql));
    return shadow->Run(ast, {}, 5);
  };
  EXPECT_FALSE(run("SELECT * FROM read_csv('/etc/passwd')").ok());
  EXPECT_FALSE(run("SELECT * FROM read_text('" + (root_ / "ws/secret.key").string() + "')").ok());
  auto listed = run("SELECT * FROM glob('/etc/*')");
  EXPECT_TRUE(!listed.ok() || listed->rows.empty());
  // No setting names a path of the server's.
  auto settings = run("SELECT name, value FROM duckdb_settings() WHERE value LIKE '/%' OR value LIKE '%.duckdb%'");
  ASSERT_OK(settings);
  EXPECT_TRUE(settings->rows.empty()) << Everything(*settings);
}

TEST_F(IntrospectionTest, ACatalogQueryStopsAtItsTimeLimit) {
  ASSERT_OK_AND_ASSIGN(engine::DuckDbSqlValidator * parser, mesh_->parser());
  const std::string sql = "SELECT count(*) FROM generate_series(1, 100000000000) a, pg_catalog.pg_type";
  ASSERT_OK_AND_ASSIGN(nlohmann::json ast, parser->SerializeSql(sql));
  ASSERT_OK_AND_ASSIGN(std::optional<CatalogQuery> query, PrepareCatalogQuery(ast, sql));
  ASSERT_TRUE(query.has_value());
  ASSERT_OK_AND_ASSIGN(auto shadow, ShadowCatalog::Open({.principal = "bob", .schema = {}, .weft_version = "0.1.0"}));
  EXPECT_EQ(shadow->Run(query->ast, {}, 0.2).status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(IntrospectionTest, ConcurrentCallersEachGetTheirOwnView) {
  Grant({.grantee = "bob"});
  Changed();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      const std::string who = i % 2 ? "bob" : "eve";
      auto a = introspection_->Answer(As(who), "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'crm'", {});
      if (!a.ok() || !a->has_value() || (*a)->rows != Rows{{who == "bob" ? "2" : "0"}}) ++wrong;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace weft::pgwire
