#include "query/sql_allowlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::query {
namespace {

using ::testing::HasSubstr;

class SqlAllowlistTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(parser_, engine::DuckDbSqlValidator::Create()); }

  Status Check(const std::string& sql) {
    auto ast = parser_->SerializeSql(sql);
    if (!ast.ok()) return ast.status();
    return CheckAllowed(*ast, sql);
  }

  std::unique_ptr<engine::DuckDbSqlValidator> parser_;
};

TEST_F(SqlAllowlistTest, EverydayAnalyticsPass) {
  for (const std::string sql : {
           "SELECT a, count(*) FILTER (WHERE b > 1), sum(c) OVER (PARTITION BY d ORDER BY e ROWS BETWEEN 1 PRECEDING AND "
           "CURRENT ROW) FROM s.t JOIN s.u USING (k) WHERE a BETWEEN 1 AND 2 AND b IN (1,2) AND c LIKE 'x%' AND d IS NOT "
           "NULL GROUP BY ALL HAVING count(*) > 1 ORDER BY 1 DESC NULLS LAST LIMIT 10 OFFSET 2",
           "WITH x AS (SELECT * FROM s.t) SELECT CASE WHEN a THEN 1 ELSE 2 END, CAST(b AS DECIMAL(10,2)), b::VARCHAR, "
           "[1,2], {'a': 1}, list_transform([1], x -> x + 1), * EXCLUDE (a) FROM x UNION ALL SELECT 1, 2, 3, 4, 5, 6",
           "SELECT DISTINCT ON (a) a FROM s.t QUALIFY row_number() OVER (ORDER BY a) = 1",
           "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
           "SELECT date_trunc('month', d), strftime(d, '%Y'), lag(a) OVER (ORDER BY d), rank() OVER w FROM s.t WINDOW w AS "
           "(ORDER BY a)",
           "SELECT a FROM s.t WHERE EXISTS (SELECT 1 FROM s.u WHERE u.k = t.k) AND a = ANY(SELECT 1)",
           "SELECT json_extract(j, '$.a'), j ->> 'b', regexp_matches(a, 'x'), current_date FROM s.t",
           "FROM s.t SELECT a ORDER BY ALL",
       }) {
    EXPECT_OK(Check(sql)) << sql;
  }
}

// The constructs of the findings: each is refused by name, wherever it sits.
TEST_F(SqlAllowlistTest, TableFunctionsAreRefusedAtAnyDepth) {
  for (const std::string sql : {
           "SELECT * FROM read_parquet('/x/*.parquet')",
           "SELECT (SELECT a FROM read_parquet('/x')) -> '$' FROM s.t",  // the LAMBDA's lhs
           "SELECT [x FOR x IN (SELECT list(a) FROM read_csv('/etc/passwd'))]",
           "SELECT list_transform([1], x -> (SELECT count(*) FROM glob('/*')))",
           "SELECT * FROM s.t WHERE a IN (SELECT * FROM query('SELECT 1'))",
           "WITH q AS (SELECT * FROM duckdb_views()) SELECT * FROM q",
           "SELECT * FROM s.t, LATERAL (SELECT * FROM parquet_metadata('/x'))",
           "SELECT * FROM range(10)",
       }) {
    Status s = Check(sql);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_THAT(s.message(), HasSubstr("table function")) << sql;
  }
}

TEST_F(SqlAllowlistTest, CatalogSettingAndStateFunctionsAreRefused) {
  for (const std::string sql : {
           "SELECT pg_get_viewdef('crm.customers')", "SELECT current_setting('allowed_directories')",
           "SELECT getvariable('x')", "SELECT current_query()", "SELECT json_serialize_plan('SELECT 1')",
           "SELECT setseed(0.5)", "SELECT nextval('s')", "SELECT pg_catalog.lower('x')",
           "SELECT (SELECT a FROM s.t) -> current_setting('temp_directory')", "SELECT system.main.abs(1)",
           "SELECT write_log('x')",
       }) {
    Status s = Check(sql);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_THAT(s.message(), HasSubstr("not allowed")) << sql;
  }
}

TEST_F(SqlAllowlistTest, CatalogsShowAndManyStatementsAreRefused) {
  for (const std::string sql : {"SELECT * FROM memory.crm.customers", "DESCRIBE SELECT 1", "SHOW TABLES",
                                "SUMMARIZE SELECT 1", "SELECT 1; SELECT 2"}) {
    EXPECT_EQ(Check(sql).code(), StatusCode::kInvalidArgument) << sql;
  }
}

// Parameters are values: positional ones pass wherever a value may be;
// named ones, and any that would choose columns, are refused.
TEST_F(SqlAllowlistTest, PositionalParametersAreValuesOnly) {
  for (const std::string sql : {"SELECT a FROM s.t WHERE b = $1 AND c IN ($2, $3) LIMIT $4",
                                "SELECT ?, ? FROM s.t", "SELECT list_transform([1], x -> x + $1)",
                                "SELECT a FROM s.t WHERE b IN (SELECT c FROM s.u WHERE d = $1)"}) {
    EXPECT_OK(Check(sql)) << sql;
  }
  EXPECT_THAT(Check("SELECT $name FROM s.t").message(), HasSubstr("named parameter $name is not allowed"));
  for (const std::string sql : {"SELECT COLUMNS($1) FROM s.t", "SELECT COLUMNS(c -> c LIKE $1) FROM s.t",
                                "SELECT * LIKE $1 FROM s.t", "SELECT * SIMILAR TO $1 FROM s.t",
                                "SELECT max(COLUMNS($1)) FROM s.t"}) {
    EXPECT_THAT(Check(sql).message(), HasSubstr("a parameter cannot choose columns")) << sql;
  }
  EXPECT_OK(Check("SELECT COLUMNS('a.*') FROM s.t WHERE b = $1"));
}

TEST_F(SqlAllowlistTest, RefusalsSayWhere) {
  Status s = Check("SELECT 1,\n  current_setting('x')");
  EXPECT_THAT(s.message(), HasSubstr("line 2, column 3"));
  EXPECT_THAT(s.message(), HasSubstr("current_setting"));
}

// The list is vetted against the engine: every name exists, and none of
// the functions that read settings, the catalog or state is on it.
TEST_F(SqlAllowlistTest, TheListMatchesTheEngine) {
  ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({}));
  ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
  ASSERT_OK_AND_ASSIGN(auto r, conn.Query("SELECT DISTINCT function_name FROM duckdb_functions()"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  std::set<std::string> known;
  for (const auto& row : rows) known.insert(*row[0]);
  for (const char* name : {"sum", "lower", "date_trunc", "list_transform", "json_extract", "regexp_matches", "~~"}) {
    EXPECT_TRUE(IsAllowedFunction(name)) << name;
    EXPECT_TRUE(known.count(name)) << name;
  }
  for (const char* name : {"current_setting", "getvariable", "pg_get_viewdef", "read_parquet", "query", "glob",
                           "json_serialize_plan", "setseed", "nextval", "current_query", "duckdb_settings", "read_text",
                           "weft_hmac"})
    EXPECT_FALSE(IsAllowedFunction(name)) << name;
  for (std::string_view name : AllowedFunctions()) EXPECT_TRUE(known.count(std::string(name))) << name;
}

}  // namespace
}  // namespace weft::query
