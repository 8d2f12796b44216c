#include "engine/query_result.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/connection.h"
#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

using QueryResultTest = engine_internal::InMemoryDuckDbTest;

TEST_F(QueryResultTest, TypedValuesAndNulls) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query(
      "SELECT 42::BIGINT AS i, 1.5::DOUBLE AS d, true AS b, 'hi' AS s, -7::INTEGER AS i32, "
      "NULL::BIGINT AS ni, NULL::VARCHAR AS ns, 3::TINYINT AS tiny, 2.25::DECIMAL(9,2) AS dec"));
  ASSERT_EQ(r.column_count(), 9u);
  EXPECT_EQ(r.column_name(0), "i");
  EXPECT_EQ(r.column_name(3), "s");
  EXPECT_EQ(r.column_type(0), DUCKDB_TYPE_BIGINT);
  EXPECT_EQ(r.column_type(1), DUCKDB_TYPE_DOUBLE);
  EXPECT_EQ(r.column_type(2), DUCKDB_TYPE_BOOLEAN);
  EXPECT_EQ(r.column_type(3), DUCKDB_TYPE_VARCHAR);
  EXPECT_EQ(r.column_type(8), DUCKDB_TYPE_DECIMAL);
  EXPECT_EQ(TypeName(r.column_type(0)), "BIGINT");

  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
  ASSERT_TRUE(chunk.has_value());
  ASSERT_EQ(chunk->size(), 1u);
  EXPECT_FALSE(chunk->IsNull(0, 0));
  EXPECT_EQ(chunk->GetInt64(0, 0), 42);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(1, 0), 1.5);
  EXPECT_TRUE(chunk->GetBool(2, 0));
  EXPECT_EQ(chunk->GetString(3, 0), "hi");
  EXPECT_EQ(chunk->GetInt64(4, 0), -7);
  EXPECT_TRUE(chunk->IsNull(5, 0));
  EXPECT_TRUE(chunk->IsNull(6, 0));
  EXPECT_EQ(chunk->GetInt64(7, 0), 3);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(8, 0), 2.25);
  EXPECT_EQ(chunk->GetAsString(5, 0), "NULL");
  EXPECT_EQ(chunk->GetAsString(1, 0), "1.5");
  EXPECT_EQ(chunk->GetAsString(8, 0), "2.25");
  EXPECT_FALSE(chunk->TryGetInt64(3, 0).has_value());  // VARCHAR is not an integer

  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> end, r.NextChunk());
  EXPECT_FALSE(end.has_value());
}

TEST_F(QueryResultTest, ShortInlinedAndLongPointerStrings) {
  // duckdb_string_t inlines up to 12 bytes; 13+ go behind a pointer.
  const std::string twelve = "abcdefghijkl";
  const std::string thirteen = "abcdefghijklm";
  const std::string long_text(1000, 'x');
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt, conn_->Prepare("SELECT ?::VARCHAR, ?::VARCHAR, ?::VARCHAR, ''"));
  ASSERT_OK(stmt.Bind(1, twelve));
  ASSERT_OK(stmt.Bind(2, thirteen));
  ASSERT_OK(stmt.Bind(3, long_text));
  ASSERT_OK_AND_ASSIGN(QueryResult r, stmt.Execute());
  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(chunk->GetString(0, 0), twelve);
  EXPECT_EQ(chunk->GetString(1, 0), thirteen);
  EXPECT_EQ(chunk->GetString(2, 0), long_text);
  EXPECT_EQ(chunk->GetString(3, 0), "");
  EXPECT_EQ(chunk->GetAsString(2, 0), long_text);
}

TEST_F(QueryResultTest, MultiChunkResultsSumThroughIteration) {
  ASSERT_OK_AND_ASSIGN(QueryResult r,
                       conn_->Query("SELECT range AS i, 'row number ' || range AS label FROM range(5000)"));
  int64_t sum = 0;
  size_t rows = 0;
  size_t chunks = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
    if (!chunk) break;
    ++chunks;
    for (size_t row = 0; row < chunk->size(); ++row) {
      sum += chunk->GetInt64(0, row);
      ASSERT_EQ(chunk->GetString(1, row), "row number " + std::to_string(chunk->GetInt64(0, row)));
    }
    rows += chunk->size();
  }
  EXPECT_EQ(rows, 5000u);
  EXPECT_EQ(sum, 4999 * 5000 / 2);
  EXPECT_GE(chunks, 3u);  // 2048 rows per chunk at most
}

// GetAsString must agree with DuckDB's own CAST(x AS VARCHAR) for every type;
// the SQL cast is the oracle.
TEST_F(QueryResultTest, GetAsStringMatchesDuckDbCastForEveryType) {
  ASSERT_OK(conn_->Execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')"));
  const std::vector<std::string> expressions = {
      "true", "(-5)::TINYINT", "300::SMALLINT", "(-70000)::INTEGER", "9000000000::BIGINT",
      "200::UTINYINT", "60000::USMALLINT", "4000000000::UINTEGER", "18000000000000000000::UBIGINT",
      "170141183460469231731687303715884105727::HUGEINT", "340282366920938463463374607431768211455::UHUGEINT",
      "0.1::FLOAT", "0.1::DOUBLE", "1e300::DOUBLE", "'nan'::DOUBLE", "(-1.0)::DOUBLE",
      "123.45::DECIMAL(5,2)", "(-0.5)::DECIMAL(3,1)", "12345678901234.5678::DECIMAL(18,4)",
      "1234567890123456789012345.123::DECIMAL(38,3)", "DATE '2024-02-29'", "DATE '0001-01-01'",
      "TIME '13:14:15.123456'", "TIMESTAMP '2024-01-31 23:59:59.5'", "TIMESTAMP_S '2024-01-31 10:00:00'",
      "TIMESTAMP_MS '2024-01-31 10:00:00.123'", "TIMESTAMP_NS '2024-01-31 10:00:00.123456789'",
      "TIMESTAMPTZ '2024-01-31 10:00:00+00'", "TIMETZ '10:11:12+05:30'", "INTERVAL '1 year 2 months 3 days 04:05:06'",
      "'\\x00\\xFFab'::BLOB", "'a2d4ef0c-1234-4f56-8abc-0123456789ab'::UUID",
      "'00000000-0000-0000-0000-000000000000'::UUID", "'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID",
      "'happy'::mood", "[1, 2, NULL]", "[]::INTEGER[]", "[['a'], [], NULL]", "{'a': 1, 'b': 'text longer than 12'}",
      "MAP {'k1': 10, 'k2': NULL}", "[1, 2, 3]::INTEGER[3]", "union_value(num := 2)::UNION(num INT, str VARCHAR)",
      "[{'x': [1]}, NULL]", "'0101'::BIT", "'quote '' and \\ backslash'", "'ünïcödé'",
  };
  for (const std::string& expr : expressions) {
    ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT " + expr + ", CAST(" + expr + " AS VARCHAR)"));
    ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
    ASSERT_TRUE(chunk.has_value()) << expr;
    EXPECT_EQ(chunk->GetAsString(0, 0), chunk->GetString(1, 0)) << expr << " (" << TypeName(chunk->column_type(0))
                                                                << ")";
  }
}

TEST_F(QueryResultTest, GetDoubleOnDecimalsAndHugeints) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query(
      "SELECT (-0.5)::DECIMAL(3,1), (-12.25)::DECIMAL(18,2), 1234567890123456789.5::DECIMAL(38,1), "
      "(-3)::HUGEINT, 170141183460469231731687303715884105727::HUGEINT, 0.25::FLOAT, 7::UTINYINT"));
  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
  ASSERT_TRUE(chunk.has_value());
  EXPECT_DOUBLE_EQ(chunk->GetDouble(0, 0), -0.5);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(1, 0), -12.25);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(2, 0), 1234567890123456789.5);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(3, 0), -3.0);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(4, 0), 1.7014118346046923e38);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(5, 0), 0.25);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(6, 0), 7.0);
  EXPECT_EQ(chunk->GetInt64(3, 0), -3);
  EXPECT_FALSE(chunk->TryGetInt64(4, 0).has_value());
}

TEST_F(QueryResultTest, FetchAllAsStrings) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT * FROM (VALUES (1, 'a', DATE '2024-01-01'), "
                                                   "(2, NULL, NULL)) t(id, name, day) ORDER BY id"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  ASSERT_EQ(rows.size(), 2u);
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(rows[0], (Row{"1", "a", "2024-01-01"}));
  EXPECT_EQ(rows[1], (Row{"2", std::nullopt, std::nullopt}));
  // Consumed: a second call sees no rows.
  ASSERT_OK_AND_ASSIGN(auto again, r.FetchAllAsStrings());
  EXPECT_TRUE(again.empty());
}

TEST_F(QueryResultTest, Scalars) {
  EXPECT_EQ(conn_->Query("SELECT 'x'")->ScalarString().value(), std::optional<std::string>("x"));
  EXPECT_EQ(conn_->Query("SELECT NULL")->ScalarString().value(), std::nullopt);
  EXPECT_EQ(conn_->Query("SELECT 12::SMALLINT")->ScalarInt64().value(), 12);
  // SUM(BIGINT) is a HUGEINT.
  EXPECT_EQ(conn_->Query("SELECT sum(range) FROM range(5000)")->ScalarInt64().value(), 12497500);
}

TEST_F(QueryResultTest, ScalarShapeErrors) {
  auto message = [&](std::string_view sql) { return conn_->Query(sql)->ScalarInt64().status().message(); };
  EXPECT_THAT(message("SELECT 1, 2"), HasSubstr("returns 2 columns"));
  EXPECT_THAT(message("SELECT * FROM range(3000)"), HasSubstr("returned 3000 rows"));
  EXPECT_THAT(message("SELECT 1 WHERE false"), HasSubstr("no rows"));
  EXPECT_THAT(message("SELECT NULL::INTEGER"), HasSubstr("NULL"));
  EXPECT_THAT(message("SELECT 'seven'"), HasSubstr("VARCHAR"));
  EXPECT_THAT(message("SELECT 1.5"), HasSubstr("DECIMAL"));
  EXPECT_THAT(message("SELECT 18000000000000000000::UBIGINT"), HasSubstr("does not fit"));
  EXPECT_THAT(conn_->Query("SELECT 1, 2")->ScalarString().status().message(), HasSubstr("2 columns"));
}

TEST_F(QueryResultTest, RowsChanged) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t AS SELECT range AS a FROM range(10)"));
  EXPECT_EQ(conn_->Query("UPDATE t SET a = a + 1 WHERE a < 4")->rows_changed(), 4);
  EXPECT_EQ(conn_->Query("DELETE FROM t WHERE a >= 8")->rows_changed(), 2);  // 8 and 9
  EXPECT_EQ(conn_->Query("SELECT * FROM t")->rows_changed(), 0);
}

TEST_F(QueryResultTest, EmptyResultKeepsColumns) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT 1 AS a, 'x' AS b WHERE false"));
  EXPECT_EQ(r.column_count(), 2u);
  EXPECT_EQ(r.column_name(1), "b");
  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
  EXPECT_FALSE(chunk.has_value());
}

TEST_F(QueryResultTest, MovedResultKeepsReading) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT 5"));
  QueryResult moved = std::move(r);
  EXPECT_EQ(moved.ScalarInt64().value(), 5);
  EXPECT_EQ(r.NextChunk().status().code(), StatusCode::kFailedPrecondition);  // NOLINT(bugprone-use-after-move)
}

// A column's full type is spelled as DuckDB's own typeof() spells it.
TEST_F(QueryResultTest, ColumnTypeTextIsTypeof) {
  for (const std::string expr : {"1.5::DECIMAL(18,2)", "[1]", "[[1, 2]]", "[1, 2]::INTEGER[2]", "'x'::VARCHAR",
                                 "{'a': 1, 'b c': 'x', 'D': [1.5]}", "MAP {'k': 1}", "union_value(n := 1)",
                                 "'a'::ENUM('a', 'it''s')", "'{}'::JSON", "now()", "'10:00:00+02'::TIMETZ",
                                 "'101'::BIT", "gen_random_uuid()", "INTERVAL 1 DAY", "''::BLOB", "1::UHUGEINT",
                                 "now()::TIMESTAMP::TIMESTAMP_NS", "[{'a': [MAP {1: 'x'}]}]"}) {
    ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT " + std::string(expr) + ", typeof(" + expr + ")"));
    const std::string text = r.column_type_text(0);
    ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
    EXPECT_EQ(text, *rows[0][1]) << expr;
  }
}

}  // namespace
}  // namespace weft::engine
