// Every row renders a value with real DuckDB, exactly as the governed query
// path hands it out (engine::DataChunk::GetAsString and the column's
// TypeText), and checks what PostgreSQL's client gets of it.
#include "pgwire/types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::pgwire {
namespace {

using ::testing::HasSubstr;

class PgTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open({}));
    ASSERT_OK_AND_ASSIGN(conn_, engine::Connection::Open(*db_));
    // PostgreSQL's clients are told TimeZone UTC; DuckDB renders in it.
    ASSERT_OK(conn_->Execute("SET TimeZone = 'UTC'"));
  }

  // DuckDB's type text and rendering of `expr`.
  std::pair<std::string, std::optional<std::string>> Render(const std::string& expr) {
    auto result = conn_->Query("SELECT " + expr);
    EXPECT_OK(result) << expr;
    if (!result.ok()) return {};
    std::string type = result->column_type_text(0);
    auto rows = result->FetchAllAsStrings();
    EXPECT_OK(rows);
    return {type, rows.ok() && rows->size() == 1 ? (*rows)[0][0] : std::nullopt};
  }

  struct Row {
    std::string expr;         // a DuckDB expression
    std::string duckdb_type;  // its type, as the gateway reports it
    uint32_t oid;
    std::string pg_name;
    std::optional<std::string> text;  // PostgreSQL's text of it
  };

  void ExpectRows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      SCOPED_TRACE(row.expr);
      auto [type, value] = Render(row.expr);
      EXPECT_EQ(type, row.duckdb_type);
      const PgType pg = PgTypeOf(type);
      EXPECT_EQ(pg.oid, row.oid);
      EXPECT_EQ(pg.name, row.pg_name);
      EXPECT_EQ(PgText(pg, type, value), row.text);
    }
  }

  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

TEST_F(PgTypesTest, ScalarsAsPostgresWritesThem) {
  const std::vector<Row> rows = {
      {"true", "BOOLEAN", kBoolOid, "bool", "t"},
      {"false", "BOOLEAN", kBoolOid, "bool", "f"},
      {"NULL::BOOLEAN", "BOOLEAN", kBoolOid, "bool", std::nullopt},
      {"(-128)::TINYINT", "TINYINT", kInt2Oid, "int2", "-128"},
      {"(-32768)::SMALLINT", "SMALLINT", kInt2Oid, "int2", "-32768"},
      {"255::UTINYINT", "UTINYINT", kInt2Oid, "int2", "255"},
      {"(-2147483648)::INTEGER", "INTEGER", kInt4Oid, "int4", "-2147483648"},
      {"65535::USMALLINT", "USMALLINT", kInt4Oid, "int4", "65535"},
      {"(-9223372036854775808)::BIGINT", "BIGINT", kInt8Oid, "int8", "-9223372036854775808"},
      {"4294967295::UINTEGER", "UINTEGER", kInt8Oid, "int8", "4294967295"},
      {"18446744073709551615::UBIGINT", "UBIGINT", kNumericOid, "numeric", "18446744073709551615"},
      {"(-170141183460469231731687303715884105727)::HUGEINT", "HUGEINT", kNumericOid, "numeric",
       "-170141183460469231731687303715884105727"},
      {"340282366920938463463374607431768211455::UHUGEINT", "UHUGEINT", kNumericOid, "numeric",
       "340282366920938463463374607431768211455"},
      {"1.50::DECIMAL(18,2)", "DECIMAL(18,2)", kNumericOid, "numeric", "1.50"},
      {"(-0.01)::DECIMAL(4,2)", "DECIMAL(4,2)", kNumericOid, "numeric", "-0.01"},
      {"12345678901234567890.123456789::DECIMAL(38,9)", "DECIMAL(38,9)", kNumericOid, "numeric",
       "12345678901234567890.123456789"},
      // Doubles: the shortest text that reads back the same (PostgreSQL 12+
      // with its default extra_float_digits = 1), fixed from 1e-4 to 1e15.
      {"0.1::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "0.1"},
      {"1.0::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "1"},
      {"0.1::DOUBLE + 0.2::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "0.30000000000000004"},
      {"123456789012345.0::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "123456789012345"},
      {"1e15::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "1e+15"},
      {"1e20::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "1e+20"},
      {"0.0001::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "0.0001"},
      {"0.00001::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "1e-05"},
      {"(-1.5e-300)::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "-1.5e-300"},
      {"1.7976931348623157e308::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "1.7976931348623157e+308"},
      {"5e-324::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "5e-324"},
      {"'-0.0'::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "-0"},
      {"'nan'::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "NaN"},
      {"'inf'::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "Infinity"},
      {"'-inf'::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "-Infinity"},
      {"-12.5::DOUBLE", "DOUBLE", kFloat8Oid, "float8", "-12.5"},
      {"0.1::FLOAT", "FLOAT", kFloat4Oid, "float4", "0.1"},
      {"123456::FLOAT", "FLOAT", kFloat4Oid, "float4", "123456"},
      {"1e6::FLOAT", "FLOAT", kFloat4Oid, "float4", "1e+06"},
      {"3.4028235e38::FLOAT", "FLOAT", kFloat4Oid, "float4", "3.4028235e+38"},
      {"'-inf'::FLOAT", "FLOAT", kFloat4Oid, "float4", "-Infinity"},
      {"''", "VARCHAR", kTextOid, "text", ""},
      {"'it''s \"quoted\", \\\\ and NULL'", "VARCHAR", kTextOid, "text", "it's \"quoted\", \\\\ and NULL"},
      {"'ünï'", "VARCHAR", kTextOid, "text", "ünï"},
      {"NULL::VARCHAR", "VARCHAR", kTextOid, "text", std::nullopt},
      {"'\\x00\\xFFab\\x5C'::BLOB", "BLOB", kByteaOid, "bytea", "\\x00ff61625c"},
      {"''::BLOB", "BLOB", kByteaOid, "bytea", "\\x"},
      {"DATE '2024-01-31'", "DATE", kDateOid, "date", "2024-01-31"},
      {"'infinity'::DATE", "DATE", kDateOid, "date", "infinity"},
      {"'-infinity'::DATE", "DATE", kDateOid, "date", "-infinity"},
      {"'-0044-03-15'::DATE", "DATE", kDateOid, "date", "0045-03-15 BC"},
      {"TIME '12:30:00.5'", "TIME", kTimeOid, "time", "12:30:00.5"},
      {"TIME '00:00:00'", "TIME", kTimeOid, "time", "00:00:00"},
      {"'10:00:00+02'::TIMETZ", "TIME WITH TIME ZONE", kTimetzOid, "timetz", "10:00:00+02"},
      {"TIMESTAMP '2024-01-02 03:04:05.123456'", "TIMESTAMP", kTimestampOid, "timestamp", "2024-01-02 03:04:05.123456"},
      {"TIMESTAMP '2024-01-02 03:04:05.120'", "TIMESTAMP", kTimestampOid, "timestamp", "2024-01-02 03:04:05.12"},
      {"'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS", "TIMESTAMP_NS", kTimestampOid, "timestamp",
       "2024-01-02 03:04:05.123456"},
      {"'2024-01-02 03:04:05.5'::TIMESTAMP_MS", "TIMESTAMP_MS", kTimestampOid, "timestamp", "2024-01-02 03:04:05.5"},
      {"'2024-01-02 03:04:05'::TIMESTAMP_S", "TIMESTAMP_S", kTimestampOid, "timestamp", "2024-01-02 03:04:05"},
      {"'infinity'::TIMESTAMP", "TIMESTAMP", kTimestampOid, "timestamp", "infinity"},
      {"'-0044-03-15 10:00:00'::TIMESTAMP", "TIMESTAMP", kTimestampOid, "timestamp", "0045-03-15 10:00:00 BC"},
      {"'2024-01-02 03:04:05.5+00'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", kTimestamptzOid, "timestamptz",
       "2024-01-02 03:04:05.5+00"},
      {"'2024-07-01 12:00:00+05:30'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", kTimestamptzOid, "timestamptz",
       "2024-07-01 06:30:00+00"},
      {"'-infinity'::TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE", kTimestamptzOid, "timestamptz", "-infinity"},
      // Intervals in IntervalStyle postgres.
      {"INTERVAL '1 day 2 hours'", "INTERVAL", kIntervalOid, "interval", "1 day 02:00:00"},
      {"INTERVAL '14 months'", "INTERVAL", kIntervalOid, "interval", "1 year 2 mons"},
      {"INTERVAL '2 years 1 month 3 days'", "INTERVAL", kIntervalOid, "interval", "2 years 1 mon 3 days"},
      {"INTERVAL '-1 year -2 months'", "INTERVAL", kIntervalOid, "interval", "-1 years -2 mons"},
      {"INTERVAL '1 month -1 day'", "INTERVAL", kIntervalOid, "interval", "1 mon -1 days"},
      {"INTERVAL '-1 day 3 microseconds'", "INTERVAL", kIntervalOid, "interval", "-1 days +00:00:00.000003"},
      {"INTERVAL '1 day -01:00:00'", "INTERVAL", kIntervalOid, "interval", "1 day -01:00:00"},
      {"INTERVAL '-3 hours'", "INTERVAL", kIntervalOid, "interval", "-03:00:00"},
      {"INTERVAL '25 hours'", "INTERVAL", kIntervalOid, "interval", "25:00:00"},
      {"INTERVAL '0 seconds'", "INTERVAL", kIntervalOid, "interval", "00:00:00"},
      {"to_seconds(-0.5)", "INTERVAL", kIntervalOid, "interval", "-00:00:00.5"},
      {"'0e9b8fc7-5f20-4a33-9662-7f8caad11f7c'::UUID", "UUID", kUuidOid, "uuid", "0e9b8fc7-5f20-4a33-9662-7f8caad11f7c"},
      {"'{\"a\": [1, \"x\"]}'::JSON", "JSON", kJsonOid, "json", "{\"a\": [1, \"x\"]}"},
      {"'b'::ENUM('a', 'b')", "ENUM('a', 'b')", kTextOid, "text", "b"},
      {"'101'::BIT", "BIT", kTextOid, "text", "101"},
      {"union_value(n := 1)::UNION(n INTEGER, s VARCHAR)", "UNION(n INTEGER, s VARCHAR)", kTextOid, "text", "1"},
      {"NULL::DATE", "DATE", kDateOid, "date", std::nullopt},
  };
  ExpectRows(rows);
}

TEST_F(PgTypesTest, SizesAndModifiersAreWhatPostgresStates) {
  EXPECT_EQ(PgTypeOf("DECIMAL(18,2)"), (PgType{kNumericOid, -1, (18 << 16 | 2) + 4, "numeric"}));
  EXPECT_EQ(PgTypeOf("DECIMAL(38,0)").modifier, (38 << 16) + 4);
  EXPECT_EQ(PgTypeOf("DECIMAL").modifier, -1);
  EXPECT_EQ(PgTypeOf("INTEGER"), (PgType{kInt4Oid, 4, -1, "int4"}));
  EXPECT_EQ(PgTypeOf("BIGINT").size, 8);
  EXPECT_EQ(PgTypeOf("BOOLEAN").size, 1);
  EXPECT_EQ(PgTypeOf("TIMESTAMP WITH TIME ZONE").size, 8);
  EXPECT_EQ(PgTypeOf("UUID").size, 16);
  EXPECT_EQ(PgTypeOf("VARCHAR").size, -1);
  EXPECT_EQ(PgTypeOf(""), (PgType{kTextOid, -1, -1, "text"}));
  EXPECT_EQ(PgTypeOf("DECIMAL(10,2)[]"), (PgType{kNumericArrayOid, -1, (10 << 16 | 2) + 4, "_numeric", kNumericOid}));
  EXPECT_EQ(PgTypeOf("VARCHAR[3]"), (PgType{kTextArrayOid, -1, -1, "_text", kTextOid}));
  EXPECT_EQ(PgTypeOf("TIMESTAMP WITH TIME ZONE[]").element_oid, kTimestamptzOid);
  EXPECT_EQ(PgTypeOf("INTEGER[][]"), (PgType{kJsonOid, -1, -1, "json"}));
}

TEST_F(PgTypesTest, ListsOfScalarsAreArraysWithPostgresQuoting) {
  const std::vector<Row> rows = {
      {"[1, 2, NULL]", "INTEGER[]", kInt4ArrayOid, "_int4", "{1,2,NULL}"},
      {"[]::INTEGER[]", "INTEGER[]", kInt4ArrayOid, "_int4", "{}"},
      {"NULL::INTEGER[]", "INTEGER[]", kInt4ArrayOid, "_int4", std::nullopt},
      {"[1, 2]::INTEGER[2]", "INTEGER[2]", kInt4ArrayOid, "_int4", "{1,2}"},
      {"[(-1)::BIGINT]", "BIGINT[]", kInt8ArrayOid, "_int8", "{-1}"},
      {"[1::SMALLINT]", "SMALLINT[]", kInt2ArrayOid, "_int2", "{1}"},
      {"[true, false, NULL]", "BOOLEAN[]", kBoolArrayOid, "_bool", "{t,f,NULL}"},
      {"['a', 'a,b', '\"', 'NULL', 'null', '', 'x\\y', 'it''s', ' sp', NULL, 'x y', '{a}', '[x]', 'a:b', 'a=b', 'ü']",
       "VARCHAR[]", kTextArrayOid, "_text",
       "{a,\"a,b\",\"\\\"\",\"NULL\",\"null\",\"\",\"x\\\\y\",it's,\" sp\",NULL,\"x y\",\"{a}\",[x],a:b,a=b,ü}"},
      {"['tab\there', 'line\nbreak']", "VARCHAR[]", kTextArrayOid, "_text", "{\"tab\there\",\"line\nbreak\"}"},
      {"[1.5::DOUBLE, 'nan', 1e20, 0.1]", "DOUBLE[]", kFloat8ArrayOid, "_float8", "{1.5,NaN,1e+20,0.1}"},
      {"[0.5::FLOAT]", "FLOAT[]", kFloat4ArrayOid, "_float4", "{0.5}"},
      {"[1.50::DECIMAL(5,2), NULL]", "DECIMAL(5,2)[]", kNumericArrayOid, "_numeric", "{1.50,NULL}"},
      {"['\\x00\\xFF'::BLOB, 'a,b'::BLOB]", "BLOB[]", kByteaArrayOid, "_bytea", "{\"\\\\x00ff\",\"\\\\x612c62\"}"},
      {"[DATE '2024-01-01', 'infinity'::DATE]", "DATE[]", kDateArrayOid, "_date", "{2024-01-01,infinity}"},
      {"[TIMESTAMP '2024-01-01 10:00:00.5']", "TIMESTAMP[]", kTimestampArrayOid, "_timestamp",
       "{\"2024-01-01 10:00:00.5\"}"},
      {"['2024-01-01 10:00:00+00'::TIMESTAMPTZ]", "TIMESTAMP WITH TIME ZONE[]", kTimestamptzArrayOid, "_timestamptz",
       "{\"2024-01-01 10:00:00+00\"}"},
      {"[INTERVAL '1 day', INTERVAL '14 months', NULL]", "INTERVAL[]", kIntervalArrayOid, "_interval",
       "{\"1 day\",\"1 year 2 mons\",NULL}"},
      {"['12:00:00+02'::TIMETZ]", "TIME WITH TIME ZONE[]", kTimetzArrayOid, "_timetz", "{12:00:00+02}"},
      {"['0e9b8fc7-5f20-4a33-9662-7f8caad11f7c'::UUID]", "UUID[]", kUuidArrayOid, "_uuid",
       "{0e9b8fc7-5f20-4a33-9662-7f8caad11f7c}"},
      {"['{\"a\": 1}'::JSON]", "JSON[]", kJsonArrayOid, "_json", "{\"{\\\"a\\\": 1}\"}"},
      {"['x'::ENUM('x', 'y')]", "ENUM('x', 'y')[]", kTextArrayOid, "_text", "{x}"},
  };
  ExpectRows(rows);
}

// Structs, maps and lists of anything but scalars have no array or record
// type a client could read back: they are json, sent as JSON text.
TEST_F(PgTypesTest, NestedValuesAreJson) {
  const std::vector<Row> rows = {
      {"{'a': 1, 'b': 'x', 'c': NULL}", "STRUCT(a INTEGER, b VARCHAR, c INTEGER)", kJsonOid, "json",
       "{\"a\":1,\"b\":\"x\",\"c\":null}"},
      {"{'k': 'a,b', 'q': 'it''s \"q\" \\\\', 'my key': 2}", "STRUCT(k VARCHAR, q VARCHAR, \"my key\" INTEGER)", kJsonOid,
       "json", "{\"k\":\"a,b\",\"q\":\"it's \\\"q\\\" \\\\\\\\\",\"my key\":2}"},
      {"{'a': [1, NULL], 'b': {'c': 'x', 'd': [['y']]}}",
       "STRUCT(a INTEGER[], b STRUCT(c VARCHAR, d VARCHAR[][]))", kJsonOid, "json",
       "{\"a\":[1,null],\"b\":{\"c\":\"x\",\"d\":[[\"y\"]]}}"},
      {"{'d': DATE '2024-01-01', 'f': 0.1::DOUBLE, 'n': 'nan'::DOUBLE, 'b': true, 'm': 1.50::DECIMAL(4,2), "
       "'i': INTERVAL '14 months', 'j': '{\"x\": 1}'::JSON, 'bl': '\\xFF'::BLOB}",
       "STRUCT(d DATE, f DOUBLE, n DOUBLE, b BOOLEAN, m DECIMAL(4,2), i INTERVAL, j JSON, bl BLOB)", kJsonOid, "json",
       "{\"d\":\"2024-01-01\",\"f\":0.1,\"n\":\"NaN\",\"b\":true,\"m\":1.50,\"i\":\"1 year 2 mons\",\"j\":{\"x\": 1},"
       "\"bl\":\"\\\\xff\"}"},
      {"MAP {'a,b': 1, 'c': NULL, 'it''s': 3}", "MAP(VARCHAR, INTEGER)", kJsonOid, "json",
       "{\"a,b\":1,\"c\":null,\"it's\":3}"},
      {"MAP {1: 'x=y', 2: NULL}", "MAP(INTEGER, VARCHAR)", kJsonOid, "json", "{\"1\":\"x=y\",\"2\":null}"},
      {"[[1, 2], [3], NULL, []]", "INTEGER[][]", kJsonOid, "json", "[[1,2],[3],null,[]]"},
      {"[{'a': 1}, NULL]", "STRUCT(a INTEGER)[]", kJsonOid, "json", "[{\"a\":1},null]"},
      {"[MAP {'k': [1]}]", "MAP(VARCHAR, INTEGER[])[]", kJsonOid, "json", "[{\"k\":[1]}]"},
      {"NULL::STRUCT(a INTEGER)", "STRUCT(a INTEGER)", kJsonOid, "json", std::nullopt},
      {"{'it''s, (x)': 'y', 'e': 'b'::ENUM('a, (b', 'b')}", "STRUCT(\"it's, (x)\" VARCHAR, e ENUM('a, (b', 'b'))",
       kJsonOid, "json", "{\"it's, (x)\":\"y\",\"e\":\"b\"}"},
  };
  ExpectRows(rows);
}

std::string Bytes(std::initializer_list<int> b) {
  std::string out;
  for (int x : b) out += static_cast<char>(x);
  return out;
}

TEST_F(PgTypesTest, BinaryValuesAreWhatPostgresSends) {
  struct BinaryRow {
    std::string expr;
    std::string bytes;
  };
  const std::vector<BinaryRow> rows = {
      {"true", Bytes({1})},
      {"false", Bytes({0})},
      {"(-2)::SMALLINT", Bytes({0xff, 0xfe})},
      {"255::UTINYINT", Bytes({0, 0xff})},
      {"42", Bytes({0, 0, 0, 42})},
      {"65535::USMALLINT", Bytes({0, 0, 0xff, 0xff})},
      {"(-1)::BIGINT", Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
      {"4294967295::UINTEGER", Bytes({0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})},
      {"1.5::DOUBLE", Bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0})},
      {"1.5::FLOAT", Bytes({0x3f, 0xc0, 0, 0})},
      {"'héllo'", "héllo"},
      {"'\\x00\\xFFa'::BLOB", Bytes({0, 0xff, 'a'})},
      {"DATE '2000-01-02'", Bytes({0, 0, 0, 1})},
      {"DATE '1999-12-31'", Bytes({0xff, 0xff, 0xff, 0xff})},
      {"'infinity'::DATE", Bytes({0x7f, 0xff, 0xff, 0xff})},
      {"TIME '00:00:01.5'", Bytes({0, 0, 0, 0, 0, 0x16, 0xe3, 0x60})},
      {"TIMESTAMP '2000-01-01 00:00:01'", Bytes({0, 0, 0, 0, 0, 0x0f, 0x42, 0x40})},
      {"TIMESTAMP '1999-12-31 23:59:59'", Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0xbd, 0xc0})},
      {"'2000-01-01 01:00:00+01'::TIMESTAMPTZ", Bytes({0, 0, 0, 0, 0, 0, 0, 0})},
      {"'-infinity'::TIMESTAMP", Bytes({0x80, 0, 0, 0, 0, 0, 0, 0})},
      {"INTERVAL '14 months 3 days 00:00:01'", Bytes({0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 3, 0, 0, 0, 14})},
      {"INTERVAL '-1 day'", Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})},
      {"'0e9b8fc7-5f20-4a33-9662-7f8caad11f7c'::UUID",
       Bytes({0x0e, 0x9b, 0x8f, 0xc7, 0x5f, 0x20, 0x4a, 0x33, 0x96, 0x62, 0x7f, 0x8c, 0xaa, 0xd1, 0x1f, 0x7c})},
      {"{'a': 1}", "{\"a\":1}"},
      {"'a'::ENUM('a', 'b')", "a"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.expr);
    auto [type, value] = Render(row.expr);
    ASSERT_TRUE(value);
    const PgType pg = PgTypeOf(type);
    EXPECT_TRUE(HasBinaryFormat(pg));
    ASSERT_OK_AND_ASSIGN(std::string bytes, PgBinary(pg, type, *value));
    EXPECT_EQ(bytes, row.bytes);
  }
  for (const std::string expr : {"1.5::DECIMAL(3,1)", "[1]", "'10:00:00+02'::TIMETZ"}) {
    auto [type, value] = Render(expr);
    const PgType pg = PgTypeOf(type);
    EXPECT_FALSE(HasBinaryFormat(pg)) << expr;
    auto bytes = PgBinary(pg, type, *value);
    EXPECT_EQ(bytes.status().code(), StatusCode::kFailedPrecondition) << expr;
  }
  EXPECT_EQ(PgBinary(PgTypeOf("INTEGER"), "INTEGER", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PgBinary(PgTypeOf("SMALLINT"), "UTINYINT", "70000").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PgTypesTest, ParameterTypesFollowTheirOids) {
  EXPECT_EQ(DuckDbTypeForOid(kInt4Oid), "INTEGER");
  EXPECT_EQ(DuckDbTypeForOid(kInt8Oid), "BIGINT");
  EXPECT_EQ(DuckDbTypeForOid(kTextOid), "VARCHAR");
  EXPECT_EQ(DuckDbTypeForOid(kVarcharOid), "VARCHAR");
  EXPECT_EQ(DuckDbTypeForOid(kTimestamptzOid), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(DuckDbTypeForOid(kNumericOid), "DECIMAL");
  EXPECT_EQ(DuckDbTypeForOid(0), "");
  EXPECT_EQ(DuckDbTypeForOid(kUnknownOid), "");
  EXPECT_EQ(DuckDbTypeForOid(kInt4ArrayOid), "");
  EXPECT_EQ(DuckDbTypeForOid(999999), "");
  // Every mapped OID comes back as itself in a ParameterDescription, but
  // the synonyms PostgreSQL folds (varchar, bpchar, name: text; oid: int8;
  // jsonb: json).
  for (uint32_t oid : {kBoolOid, kInt2Oid, kInt4Oid, kInt8Oid, kFloat4Oid, kFloat8Oid, kNumericOid, kTextOid, kByteaOid,
                       kDateOid, kTimeOid, kTimetzOid, kTimestampOid, kTimestamptzOid, kIntervalOid, kUuidOid, kJsonOid})
    EXPECT_EQ(ParameterOid(DuckDbTypeForOid(oid)), oid) << oid;
  EXPECT_EQ(ParameterOid(""), kTextOid);
  EXPECT_EQ(ParameterOid("DECIMAL(10,2)"), kNumericOid);
}

// A binary parameter decodes to text DuckDB reads back as the same value:
// checked by binding the text and asking DuckDB for it in binary again.
TEST_F(PgTypesTest, BinaryParametersDecodeToTextDuckDbReadsBack) {
  struct ParamRow {
    uint32_t oid;
    std::string bytes;
    std::string text;
  };
  const std::vector<ParamRow> rows = {
      {kBoolOid, Bytes({1}), "true"},
      {kInt2Oid, Bytes({0x80, 0}), "-32768"},
      {kInt4Oid, Bytes({0, 0, 0, 42}), "42"},
      {kInt8Oid, Bytes({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), "9223372036854775807"},
      {kFloat8Oid, Bytes({0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}), "0.1"},
      {kFloat4Oid, Bytes({0x3f, 0xc0, 0, 0}), "1.5"},
      {kFloat8Oid, Bytes({0x7f, 0xf0, 0, 0, 0, 0, 0, 0}), "inf"},
      {kTextOid, "it's '; DROP", "it's '; DROP"},
      {kVarcharOid, "", ""},
      {kByteaOid, Bytes({0, 0xff, 'a', '\\'}), "\\x00\\xff\\x61\\x5c"},
      {kDateOid, Bytes({0, 0, 0, 0}), "2000-01-01"},
      {kDateOid, Bytes({0xff, 0xf4, 0x9c, 0x0e}), "-0044-03-15"},
      {kDateOid, Bytes({0x80, 0, 0, 0}), "-infinity"},
      {kTimestampOid, Bytes({0, 0, 0, 0, 0, 0x0f, 0x42, 0x41}), "2000-01-01 00:00:01.000001"},
      {kTimestampOid, Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0xbd, 0xc0}), "1999-12-31 23:59:59.000000"},
      {kTimestamptzOid, Bytes({0, 0, 0, 0, 0, 0, 0, 0}), "2000-01-01 00:00:00.000000+00"},
      {kUuidOid, Bytes({0x0e, 0x9b, 0x8f, 0xc7, 0x5f, 0x20, 0x4a, 0x33, 0x96, 0x62, 0x7f, 0x8c, 0xaa, 0xd1, 0x1f, 0x7c}),
       "0e9b8fc7-5f20-4a33-9662-7f8caad11f7c"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.oid) + " " + row.text);
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> text, DecodeBinaryParameter(row.oid, row.bytes));
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, row.text);
    const std::string type = DuckDbTypeForOid(row.oid);
    ASSERT_OK_AND_ASSIGN(engine::PreparedStatement stmt, conn_->Prepare("SELECT CAST($1 AS " + type + ")"));
    ASSERT_OK(stmt.Bind(1, std::string_view(*text)));
    ASSERT_OK_AND_ASSIGN(engine::QueryResult result, stmt.Execute());
    const std::string result_type = result.column_type_text(0);
    ASSERT_OK_AND_ASSIGN(auto rendered, result.FetchAllAsStrings());
    ASSERT_OK_AND_ASSIGN(std::string again, PgBinary(PgTypeOf(result_type), result_type, *rendered[0][0]));
    EXPECT_EQ(again, row.bytes);
  }
}

TEST_F(PgTypesTest, MalformedBinaryParametersAreRefused) {
  for (const auto& [oid, bytes] : std::vector<std::pair<uint32_t, std::string>>{
           {kInt4Oid, Bytes({0, 0, 1})},
           {kInt8Oid, Bytes({0, 0, 0, 0})},
           {kInt2Oid, ""},
           {kBoolOid, Bytes({2})},
           {kFloat8Oid, Bytes({0})},
           {kDateOid, Bytes({0, 0, 0, 0, 0})},
           {kUuidOid, Bytes({1, 2, 3})},
           {kTextOid, Bytes({0xc3, 0x28})},  // not UTF-8
           {kNumericOid, Bytes({0, 1, 0, 0, 0, 0, 0, 0, 0, 1})},
           {0, Bytes({0, 0, 0, 1})},
       }) {
    auto decoded = DecodeBinaryParameter(oid, bytes);
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << oid;
  }
  EXPECT_THAT(DecodeBinaryParameter(kInt4Oid, "abc").status().message(), HasSubstr("has 4 bytes, not 3"));
}

}  // namespace
}  // namespace weft::pgwire
