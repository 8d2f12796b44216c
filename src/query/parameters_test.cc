#include "query/parameters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

// "CODE: message" of a failed result, "OK" of a successful one.
std::string Outcome(const Result<Rows>& r) { return r.status().ToString(); }

class ParametersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open({}));
    ASSERT_OK_AND_ASSIGN(conn_, engine::Connection::Open(*db_));
    ASSERT_OK(conn_->Execute("CREATE TABLE t AS SELECT range::INTEGER AS id, 'name ' || range AS name FROM range(5)"));
  }

  Result<Rows> Run(const std::string& sql, const std::vector<std::optional<std::string>>& values,
                   const std::vector<std::string>& types = {}) {
    ASSIGN_OR_RETURN(engine::PreparedStatement stmt, conn_->PrepareSelect(sql));
    RETURN_IF_ERROR(BindParameters(stmt, values, types));
    ASSIGN_OR_RETURN(engine::QueryResult result, stmt.Execute());
    last_types_.clear();
    for (size_t c = 0; c < result.column_count(); ++c) last_types_.push_back(result.column_type_text(c));
    return result.FetchAllAsStrings();
  }

  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
  std::vector<std::string> last_types_;
};

TEST_F(ParametersTest, CountsTheHighestPositionalParameter) {
  ASSERT_OK_AND_ASSIGN(auto parser, engine::DuckDbSqlValidator::Create());
  for (const auto& [sql, n] : std::vector<std::pair<std::string, size_t>>{
           {"SELECT 1", 0}, {"SELECT $1", 1}, {"SELECT $1, $1", 1}, {"SELECT $3", 3},
           {"SELECT ?, ?", 2}, {"SELECT * FROM s.t WHERE a IN (SELECT $2 FROM s.u WHERE b = $1)", 2}}) {
    ASSERT_OK_AND_ASSIGN(auto ast, parser->SerializeSql(sql));
    EXPECT_EQ(ParameterCount(ast), n) << sql;
  }
}

TEST_F(ParametersTest, UntypedTextIsCastWhereItIsUsed) {
  ASSERT_OK_AND_ASSIGN(Rows rows, Run("SELECT name FROM t WHERE id = $1", {"3"}));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("name 3")));
  ASSERT_OK_AND_ASSIGN(rows, Run("SELECT count(*) FROM t WHERE name = $1 OR id = $2", {"name 1", std::nullopt}));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("1")));
  ASSERT_OK_AND_ASSIGN(rows, Run("SELECT $1", {"x"}));
  EXPECT_THAT(last_types_, ElementsAre("VARCHAR"));
  EXPECT_THAT(Outcome(Run("SELECT * FROM t WHERE id = $1", {"three"})), HasSubstr("Could not convert string 'three'"));
}

TEST_F(ParametersTest, DeclaredTypesBindTypedValues) {
  ASSERT_OK_AND_ASSIGN(Rows rows, Run("SELECT $1, $2, $3, $4, $5, $6, $7", {"42", " -7 ", "+9000000000", "t", "2.5", "1e300", "2024-01-31"},
                                      {"INTEGER", "SMALLINT", "BIGINT", "BOOLEAN", "FLOAT", "DOUBLE", "DATE"}));
  EXPECT_THAT(last_types_, ElementsAre("INTEGER", "SMALLINT", "BIGINT", "BOOLEAN", "FLOAT", "DOUBLE", "VARCHAR"));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("42", "-7", "9000000000", "true", "2.5", "1e+300", "2024-01-31")));
  // Typed, so arithmetic needs no cast.
  ASSERT_OK_AND_ASSIGN(rows, Run("SELECT $1 + $2", {"40", "2"}, {"INTEGER", "INTEGER"}));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("42")));
  ASSERT_OK_AND_ASSIGN(rows, Run("SELECT $1, $2", {"off", "NaN"}, {"BOOLEAN", "DOUBLE"}));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("false", "nan")));
}

TEST_F(ParametersTest, AValueThatDoesNotFitItsTypeNamesTheParameter) {
  const std::string invalid = StatusCodeName(StatusCode::kInvalidArgument);
  EXPECT_THAT(Outcome(Run("SELECT $1, $2", {"1", "70000"}, {"INTEGER", "SMALLINT"})),
              HasSubstr(invalid + ": parameter $2 is not a valid SMALLINT: '70000'"));
  EXPECT_THAT(Outcome(Run("SELECT $1", {"yes please"}, {"BOOLEAN"})),
              HasSubstr(invalid + ": parameter $1 is not a valid BOOLEAN"));
  EXPECT_THAT(Outcome(Run("SELECT $1", {"1; DROP TABLE t"}, {"BIGINT"})), HasSubstr("parameter $1 is not a valid BIGINT"));
}

// A value is a value: SQL in it is never parsed, quotes need no escaping.
TEST_F(ParametersTest, SqlInAValueIsJustText) {
  for (const std::string v : {"1 OR 1=1", "'; DROP TABLE t; --", "x' UNION SELECT name FROM t --", "$1", "\\", "\""}) {
    ASSERT_OK_AND_ASSIGN(Rows rows, Run("SELECT count(*), $1 FROM t WHERE name = $1", {v}));
    EXPECT_THAT(rows, ElementsAre(ElementsAre("0", v)));
  }
  ASSERT_OK_AND_ASSIGN(Rows rows, Run("SELECT count(*) FROM t", {}));
  EXPECT_THAT(rows, ElementsAre(ElementsAre("5")));
}

}  // namespace
}  // namespace weft::query
