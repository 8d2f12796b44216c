#include "engine/duckdb_sql_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

constexpr const char* kOnlySelect = "this is not a SELECT statement (only reads are allowed)";

class DuckDbSqlValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(validator_, DuckDbSqlValidator::Create()); }
  std::unique_ptr<DuckDbSqlValidator> validator_;
};

TEST_F(DuckDbSqlValidatorTest, AcceptsSingleSelects) {
  for (const char* sql : {
           "SELECT 1",
           "SELECT 1;",
           "select a, count(*) from sales.orders where b > 1 group by a",
           "WITH x AS (SELECT 1 AS a) SELECT * FROM x UNION ALL SELECT 2",
           "SELECT * FROM (SELECT 1 AS a) s WHERE a IN (SELECT 1)",
           "FROM sales.orders",
           "VALUES (1), (2)",
           "SELECT 1 -- trailing comment",
           "SELECT 'a;b'",
           // Parsed only: unknown tables are fine here.
           "SELECT * FROM does_not_exist",
           // Rewritten to SELECT by DuckDB's parser; read-only, so accepted.
           "DESCRIBE t",
           "SUMMARIZE t",
       }) {
    EXPECT_OK(validator_->CheckSingleSelect(sql)) << sql;
  }
}

TEST_F(DuckDbSqlValidatorTest, RefusesOtherStatementKindsWithDuckDbMessage) {
  for (const char* sql : {
           "DELETE FROM t",
           "INSERT INTO t VALUES (1)",
           "UPDATE t SET a = 1",
           "CREATE TABLE x (a INT)",
           "DROP TABLE t",
           "PRAGMA table_info('t')",
           "COPY t TO 'out.csv'",
           "SET threads = 1",
           "ATTACH 'other.db'",
           "CALL pragma_version()",
           "EXPLAIN SELECT 1",
       }) {
    Status s = validator_->CheckSingleSelect(sql);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << sql;
    EXPECT_EQ(s.message(), kOnlySelect) << sql;
  }
}

TEST_F(DuckDbSqlValidatorTest, RefusesSeveralOrNoStatements) {
  Status two = validator_->CheckSingleSelect("SELECT 1; SELECT 2");
  EXPECT_EQ(two.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(two.message(), "only a single SELECT is allowed, got 2 statements");
  EXPECT_THAT(validator_->CheckSingleSelect("").message(), HasSubstr("got 0 statements"));
  EXPECT_THAT(validator_->CheckSingleSelect(";").message(), HasSubstr("got 0 statements"));
  // A write hidden behind a SELECT is refused by DuckDB as a whole.
  EXPECT_EQ(validator_->CheckSingleSelect("SELECT 1; DROP TABLE t").message(), kOnlySelect);
}

TEST_F(DuckDbSqlValidatorTest, SyntaxErrorsCarryDuckDbMessageAndPosition) {
  Status garbage = validator_->CheckSingleSelect("garbage words here");
  EXPECT_EQ(garbage.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.message(), "syntax error at or near \"garbage\" (at character 0)");
  Status late = validator_->CheckSingleSelect("SELECT a FROM t WHERE");
  EXPECT_THAT(late.message(), HasSubstr("syntax error at end of input"));
}

// Parse trees are kept for statements sent again; each answer is the
// statement's own, however many others came between.
TEST_F(DuckDbSqlValidatorTest, RepeatedStatementsGetTheirOwnParseTree) {
  auto table_of = [&](const std::string& sql) -> std::string {
    auto ast = validator_->SerializeSql(sql);
    EXPECT_TRUE(ast.ok()) << sql;
    if (!ast.ok()) return "";
    return (*ast)["statements"][0]["node"]["from_table"].value("table_name", "");
  };
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i) {  // more than the validator keeps
      const std::string table = "t" + std::to_string(i);
      EXPECT_EQ(table_of("SELECT * FROM " + table), table);
    }
  }
  // A caller may change its copy: the kept tree is not shared with it.
  auto first = validator_->SerializeSql("SELECT * FROM t299");
  ASSERT_TRUE(first.ok());
  (*first)["statements"] = nullptr;
  EXPECT_EQ(table_of("SELECT * FROM t299"), "t299");
  // Parse hands out the kept tree itself, read-only.
  ASSERT_OK_AND_ASSIGN(DuckDbSqlValidator::Tree a, validator_->Parse("SELECT * FROM t299"));
  ASSERT_OK_AND_ASSIGN(DuckDbSqlValidator::Tree b, validator_->Parse("SELECT * FROM t299"));
  EXPECT_EQ(a.get(), b.get());
}

TEST_F(DuckDbSqlValidatorTest, SerializeSqlExposesTheParseTree) {
  ASSERT_OK_AND_ASSIGN(nlohmann::json ast, validator_->SerializeSql("SELECT id FROM sales.orders"));
  EXPECT_FALSE(ast["error"].get<bool>());
  ASSERT_EQ(ast["statements"].size(), 1u);
  const nlohmann::json& node = ast["statements"][0]["node"];
  EXPECT_EQ(node["type"], "SELECT_NODE");
  EXPECT_EQ(node["from_table"]["type"], "BASE_TABLE");
  EXPECT_EQ(node["from_table"]["schema_name"], "sales");
  EXPECT_EQ(node["from_table"]["table_name"], "orders");

  ASSERT_OK_AND_ASSIGN(nlohmann::json table_fn, validator_->SerializeSql("SELECT * FROM read_csv('/etc/passwd')"));
  EXPECT_EQ(table_fn["statements"][0]["node"]["from_table"]["type"], "TABLE_FUNCTION");

  // Refusals come back as DuckDB's error object, not as a failed Status.
  ASSERT_OK_AND_ASSIGN(nlohmann::json refused, validator_->SerializeSql("DELETE FROM t"));
  EXPECT_TRUE(refused["error"].get<bool>());
  EXPECT_EQ(refused["error_type"], "not implemented");
  ASSERT_OK_AND_ASSIGN(nlohmann::json bad, validator_->SerializeSql("garbage"));
  EXPECT_EQ(bad["error_type"], "parser");
  EXPECT_EQ(bad["error_subtype"], "SYNTAX_ERROR");
  EXPECT_EQ(bad["position"], "0");
}

TEST_F(DuckDbSqlValidatorTest, ChecksRegexesInRe2Dialect) {
  for (const char* ok : {"", "^[A-Z]{2}[0-9]+$", "\\d+", "(?P<name>x)", "(?i)abc"}) {
    EXPECT_OK(validator_->CheckRegex(ok)) << ok;
  }
  Status open = validator_->CheckRegex("a(b");
  EXPECT_EQ(open.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(open.message(), "invalid regular expression 'a(b': missing ): a(b");
  EXPECT_THAT(validator_->CheckRegex("[z-a]").message(), HasSubstr("invalid character class range"));
  // RE2 has no lookaround, unlike PCRE: lint must say so before publish does.
  EXPECT_THAT(validator_->CheckRegex("(?=x)").message(), HasSubstr("invalid perl operator"));
  EXPECT_THAT(validator_->CheckRegex("\\").message(), HasSubstr("trailing \\"));
}

TEST_F(DuckDbSqlValidatorTest, UsableThroughTheSpecInterface) {
  const spec::SqlValidator& base = *validator_;
  EXPECT_OK(base.CheckSingleSelect("SELECT 1"));
  EXPECT_FALSE(base.CheckSingleSelect("DELETE FROM t").ok());
  EXPECT_FALSE(base.CheckRegex("(").ok());
}

// More callers than the validator has connections: each waits for one and
// gets the tree of its own statement, never another caller's.
TEST_F(DuckDbSqlValidatorTest, SafeForConcurrentUse) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string table = "t" + std::to_string(t) + "_" + std::to_string(i);
        auto tree = validator_->Parse("SELECT * FROM " + table);
        if (!tree.ok() || (**tree)["statements"][0]["node"]["from_table"].value("table_name", "") != table) ++failures;
        if (validator_->CheckSingleSelect("DELETE FROM t").ok()) ++failures;
        if (validator_->CheckRegex(i % 2 ? "a+" : "a(").ok() != (i % 2 == 1)) ++failures;
        if (validator_->IsType(i % 2 ? "INTEGER" : "NOT_A_TYPE_" + std::to_string(t)) != (i % 2 == 1)) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace weft::engine
