#include "pgwire/statements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace weft::pgwire {
namespace {

using ::testing::ElementsAre;
using Kind = SessionStatement::Kind;

TEST(StatementsTest, SplitsAtSemicolonsOutsideQuotesAndComments) {
  EXPECT_THAT(SplitStatements("SELECT 1; SELECT 2;"), ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_THAT(SplitStatements("SELECT ';' AS a; SELECT \"x;y\" FROM t"),
              ElementsAre("SELECT ';' AS a", "SELECT \"x;y\" FROM t"));
  EXPECT_THAT(SplitStatements("SELECT 'it''s;' -- a;comment\n; SELECT 2"),
              ElementsAre("SELECT 'it''s;' -- a;comment", "SELECT 2"));
  EXPECT_THAT(SplitStatements("SELECT /* a /* nested; */ ; */ 1; SELECT 2"),
              ElementsAre("SELECT /* a /* nested; */ ; */ 1", "SELECT 2"));
  EXPECT_THAT(SplitStatements("SELECT $$a;b$$, $tag$c;$$;d$tag$; SELECT $1"),
              ElementsAre("SELECT $$a;b$$, $tag$c;$$;d$tag$", "SELECT $1"));
  EXPECT_THAT(SplitStatements("SELECT E'\\';' ; SELECT 2"), ElementsAre("SELECT E'\\';'", "SELECT 2"));
  // Empty pieces are dropped; a text of nothing is one empty statement.
  EXPECT_THAT(SplitStatements("SELECT 1; ; -- done"), ElementsAre("SELECT 1"));
  EXPECT_THAT(SplitStatements("  -- nothing\n"), ElementsAre(""));
  EXPECT_THAT(SplitStatements(""), ElementsAre(""));
  // Unterminated quotes run to the end: the piece goes whole to the engine, which refuses it.
  EXPECT_THAT(SplitStatements("SELECT 'a; SELECT 2"), ElementsAre("SELECT 'a; SELECT 2"));
}

TEST(StatementsTest, SetTakesItsValueAsPostgresStoresIt) {
  ASSERT_OK_AND_ASSIGN(SessionStatement s, ClassifyStatement("SET application_name = 'psql; x'"));
  EXPECT_EQ(s.kind, Kind::kSet);
  EXPECT_EQ(s.name, "application_name");
  EXPECT_EQ(s.value, "psql; x");
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("set SESSION DateStyle TO ISO, MDY"));
  EXPECT_EQ(s.name, "datestyle");
  EXPECT_EQ(s.value, "iso, mdy");
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("SET TIME ZONE 'UTC'"));
  EXPECT_EQ(s.name, "timezone");
  EXPECT_EQ(s.value, "UTC");
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("SET extra_float_digits = 3"));
  EXPECT_EQ(s.value, "3");
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("SET search_path TO DEFAULT"));
  EXPECT_EQ(s.kind, Kind::kReset);
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
  EXPECT_EQ(s.kind, Kind::kSetIgnored);
  EXPECT_FALSE(ClassifyStatement("SET x").ok());
  EXPECT_FALSE(ClassifyStatement("SET x = ").ok());
  EXPECT_FALSE(ClassifyStatement("SET x = 1 )").ok());
}

TEST(StatementsTest, TheSessionsOwnStatementsAreRecognized) {
  auto kind = [](const char* sql) {
    auto s = ClassifyStatement(sql);
    EXPECT_TRUE(s.ok()) << sql;
    return s.ok() ? s->kind : Kind::kNone;
  };
  EXPECT_EQ(kind("SHOW ALL"), Kind::kShowAll);
  EXPECT_EQ(kind("show transaction isolation level"), Kind::kShow);
  EXPECT_EQ(kind("RESET ALL"), Kind::kResetAll);
  EXPECT_EQ(kind("BEGIN"), Kind::kBegin);
  EXPECT_EQ(kind("begin read only"), Kind::kBegin);
  EXPECT_EQ(kind("START TRANSACTION ISOLATION LEVEL REPEATABLE READ"), Kind::kBegin);
  EXPECT_EQ(kind("COMMIT"), Kind::kCommit);
  EXPECT_EQ(kind("END TRANSACTION"), Kind::kCommit);
  EXPECT_EQ(kind("ROLLBACK"), Kind::kRollback);
  EXPECT_EQ(kind("ABORT WORK"), Kind::kRollback);
  EXPECT_EQ(kind("ROLLBACK TO SAVEPOINT sp1"), Kind::kRollbackTo);
  EXPECT_EQ(kind("SAVEPOINT sp1"), Kind::kSavepoint);
  EXPECT_EQ(kind("RELEASE sp1"), Kind::kRelease);
  EXPECT_EQ(kind("DISCARD ALL"), Kind::kDiscard);
  EXPECT_EQ(kind("DEALLOCATE PREPARE s1"), Kind::kDeallocate);
  EXPECT_EQ(kind("/* hi */ -- there\n"), Kind::kEmpty);
  // Everything else is the governed path's: a SELECT, DuckDB's SHOW TABLES,
  // an INSERT (which the gateway refuses), END as a column name.
  EXPECT_EQ(kind("SELECT 1"), Kind::kNone);
  EXPECT_EQ(kind("SHOW TABLES FROM x"), Kind::kNone);
  EXPECT_EQ(kind("INSERT INTO t VALUES (1)"), Kind::kNone);
  EXPECT_EQ(kind("(SELECT 1)"), Kind::kNone);
  ASSERT_OK_AND_ASSIGN(SessionStatement s, ClassifyStatement("DEALLOCATE ALL"));
  EXPECT_EQ(s.tag, "DEALLOCATE ALL");
  EXPECT_TRUE(s.name.empty());
  ASSERT_OK_AND_ASSIGN(s, ClassifyStatement("show \"TimeZone\""));
  EXPECT_EQ(s.name, "timezone");
}

}  // namespace
}  // namespace weft::pgwire
