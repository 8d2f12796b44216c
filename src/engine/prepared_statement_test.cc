#include "engine/prepared_statement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/connection.h"
#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

using PreparedStatementTest = engine_internal::InMemoryDuckDbTest;

TEST_F(PreparedStatementTest, BindsEveryType) {
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt,
                       conn_->Prepare("SELECT $1::BIGINT, $2::INTEGER, $3::DOUBLE, $4::BOOLEAN, $5::VARCHAR, "
                                      "$6::VARCHAR, $7::INTEGER IS NULL"));
  EXPECT_EQ(stmt.parameter_count(), 7u);
  ASSERT_OK(stmt.Bind(1, int64_t{-9000000000}));
  ASSERT_OK(stmt.Bind(2, int32_t{123}));
  ASSERT_OK(stmt.Bind(3, 2.5));
  ASSERT_OK(stmt.Bind(4, false));
  ASSERT_OK(stmt.Bind(5, std::string("a string longer than twelve bytes")));
  ASSERT_OK(stmt.Bind(6, "literal"));  // must bind as VARCHAR, not as bool
  ASSERT_OK(stmt.Bind(7, nullptr));
  ASSERT_OK_AND_ASSIGN(QueryResult r, stmt.Execute());
  ASSERT_OK_AND_ASSIGN(std::optional<DataChunk> chunk, r.NextChunk());
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(chunk->GetInt64(0, 0), -9000000000);
  EXPECT_EQ(chunk->GetInt64(1, 0), 123);
  EXPECT_DOUBLE_EQ(chunk->GetDouble(2, 0), 2.5);
  EXPECT_FALSE(chunk->GetBool(3, 0));
  EXPECT_EQ(chunk->GetString(4, 0), "a string longer than twelve bytes");
  EXPECT_EQ(chunk->GetString(5, 0), "literal");
  EXPECT_TRUE(chunk->GetBool(6, 0));
}

TEST_F(PreparedStatementTest, StringWithNulByteRoundTrips) {
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt, conn_->Prepare("SELECT length(?::VARCHAR)"));
  ASSERT_OK(stmt.Bind(1, std::string_view("a\0b", 3)));
  EXPECT_EQ(stmt.Execute()->ScalarInt64().value(), 3);
}

TEST_F(PreparedStatementTest, WrongParameterIndexIsAnError) {
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt, conn_->Prepare("SELECT ?::INTEGER"));
  Status zero = stmt.Bind(0, int64_t{1});
  EXPECT_EQ(zero.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.message(), HasSubstr("parameter index 0 is out of range"));
  Status two = stmt.Bind(2, "x");
  EXPECT_THAT(two.message(), HasSubstr("parameter index 2 is out of range: the statement has 1 parameter(s)"));
}

TEST_F(PreparedStatementTest, UnboundAndClearedParametersFailAtExecute) {
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt, conn_->Prepare("SELECT ?::INTEGER + 1"));
  Result<QueryResult> unbound = stmt.Execute();
  ASSERT_FALSE(unbound.ok());
  EXPECT_THAT(unbound.status().message(), HasSubstr("Values were not provided"));

  ASSERT_OK(stmt.Bind(1, int32_t{41}));
  EXPECT_EQ(stmt.Execute()->ScalarInt64().value(), 42);
  // Bindings persist across executions ...
  EXPECT_EQ(stmt.Execute()->ScalarInt64().value(), 42);
  // ... until cleared.
  ASSERT_OK(stmt.ClearBindings());
  EXPECT_FALSE(stmt.Execute().ok());
}

TEST_F(PreparedStatementTest, ConversionErrorAtExecute) {
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt, conn_->Prepare("SELECT ?::INTEGER"));
  ASSERT_OK(stmt.Bind(1, "not a number"));
  Result<QueryResult> r = stmt.Execute();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("Conversion Error"));
}

TEST_F(PreparedStatementTest, ReusedForInserts) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id BIGINT, name VARCHAR)"));
  ASSERT_OK_AND_ASSIGN(PreparedStatement insert, conn_->Prepare("INSERT INTO t VALUES (?, ?)"));
  for (int64_t i = 0; i < 10; ++i) {
    ASSERT_OK(insert.Bind(1, i));
    ASSERT_OK(insert.Bind(2, "name " + std::to_string(i)));
    ASSERT_OK_AND_ASSIGN(QueryResult r, insert.Execute());
    EXPECT_EQ(r.rows_changed(), 1);
  }
  EXPECT_EQ(conn_->Query("SELECT count(DISTINCT name) FROM t")->ScalarInt64().value(), 10);
}

TEST_F(PreparedStatementTest, PrepareErrorsCarryDuckDbText) {
  Result<PreparedStatement> bad = conn_->Prepare("SELEC ?");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("syntax error at or near \"SELEC\""));
  Result<PreparedStatement> missing = conn_->Prepare("SELECT * FROM nowhere WHERE id = ?");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("nowhere"));
}

TEST_F(PreparedStatementTest, ColumnsAndParameterTypesAreKnownBeforeItRuns) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id INTEGER, amount DECIMAL(10,2), tags VARCHAR[])"));
  ASSERT_OK_AND_ASSIGN(PreparedStatement stmt,
                       conn_->Prepare("SELECT id, amount * 2 AS twice, tags FROM t WHERE id = $1 AND amount > $2"));
  ASSERT_EQ(stmt.column_count(), 3u);
  EXPECT_EQ(stmt.column_name(1), "twice");
  EXPECT_EQ(stmt.column_type_text(0), "INTEGER");
  EXPECT_EQ(stmt.column_type_text(1), "DECIMAL(18,2)");
  EXPECT_EQ(stmt.column_type_text(2), "VARCHAR[]");
  EXPECT_EQ(stmt.parameter_type_text(1), "INTEGER");
  EXPECT_EQ(stmt.parameter_type_text(2), "DECIMAL(10,2)");
  // Nothing says what an untyped parameter is until a value is bound.
  ASSERT_OK_AND_ASSIGN(PreparedStatement untyped, conn_->Prepare("SELECT $1 AS x"));
  EXPECT_EQ(untyped.parameter_type_text(1), "");
  EXPECT_EQ(untyped.column_type_text(0), "");
}

TEST_F(PreparedStatementTest, PrepareSelectRefusesEverythingElse) {
  ASSERT_OK(conn_->PrepareSelect("SELECT $1").status());
  for (const char* sql : {"CREATE TABLE x (a INT)", "SET threads = 1", "COPY (SELECT 1) TO 'x.csv'", "ATTACH 'x.db'"})
    EXPECT_EQ(conn_->PrepareSelect(sql).status().code(), StatusCode::kInvalidArgument) << sql;
}

}  // namespace
}  // namespace weft::engine
