#include "engine/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <chrono>
#include <thread>

#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

using ConnectionTest = engine_internal::InMemoryDuckDbTest;

TEST_F(ConnectionTest, ExecuteRunsSeveralStatements) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2), (3)"));
  EXPECT_EQ(conn_->Query("SELECT sum(a) FROM t")->ScalarInt64().value(), 6);
}

TEST_F(ConnectionTest, SyntaxErrorCarriesDuckDbText) {
  Result<QueryResult> r = conn_->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = r.status().message();
  EXPECT_THAT(message, HasSubstr("Parser Error: syntax error at or near \"SELEC\""));
  // DuckDB 1.4.4 prints the "LINE 1:" context twice; the wrapper keeps one.
  EXPECT_EQ(message.find("LINE 1:"), message.rfind("LINE 1:")) << message;

  Status s = conn_->Execute("SELEC 1");
  EXPECT_THAT(s.message(), HasSubstr("syntax error"));
}

TEST_F(ConnectionTest, CatalogErrorNamesTheTable) {
  Result<QueryResult> r = conn_->Query("SELECT * FROM missing_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("Catalog Error: Table with name missing_table does not exist"));
}

TEST_F(ConnectionTest, ConstraintErrorIsInvalidArgument) {
  ASSERT_OK(conn_->Execute("CREATE TABLE k (id INT PRIMARY KEY); INSERT INTO k VALUES (1)"));
  Status s = conn_->Execute("INSERT INTO k VALUES (1)");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Constraint Error"));
}

TEST_F(ConnectionTest, NulByteInSqlIsRefused) {
  Status s = conn_->Execute(std::string_view("SELECT 1\0; DROP TABLE x", 23));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("NUL byte"));
}

TEST_F(ConnectionTest, TempViewsArePerConnection) {
  ASSERT_OK(conn_->Execute("CREATE TEMP VIEW v AS SELECT 1 AS x"));
  ASSERT_OK_AND_ASSIGN(Connection other, Connection::Open(*db_));
  EXPECT_OK(conn_->Query("SELECT * FROM v"));
  EXPECT_FALSE(other.Query("SELECT * FROM v").ok());
}

TEST_F(ConnectionTest, InterruptStopsARunningQuery) {
  std::atomic<bool> done{false};
  // Interrupt repeatedly until the query returns: a single early interrupt
  // could land before the query starts and be forgotten.
  std::thread watchdog([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      conn_->Interrupt();
    }
  });
  Result<QueryResult> r = conn_->Query("SELECT sum(i) FROM range(100000000000) t(i)");
  done = true;
  watchdog.join();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("Interrupt"));
  // The connection stays usable.
  EXPECT_EQ(conn_->Query("SELECT 2")->ScalarInt64().value(), 2);
}

TEST_F(ConnectionTest, MovedFromConnectionFailsCleanly) {
  Connection moved = std::move(*conn_);
  EXPECT_EQ(conn_->Execute("SELECT 1").code(), StatusCode::kFailedPrecondition);
  conn_->Interrupt();  // no-op, no crash
  EXPECT_OK(moved.Execute("SELECT 1"));
}

}  // namespace
}  // namespace weft::engine

namespace weft::engine {
namespace {

TEST_F(ConnectionTest, ProfilingMetricsMeterTheLastQuery) {
  EXPECT_TRUE(conn_->ProfilingMetrics().empty());  // profiling is off
  ASSERT_OK(conn_->Execute("PRAGMA enable_profiling = 'no_output'"));
  ASSERT_OK(conn_->Query("SELECT sum(i) FROM range(100000) t(i)").status());
  auto m = conn_->ProfilingMetrics();
  ASSERT_TRUE(m.count("CPU_TIME")) << m.size();
  EXPECT_GE(std::stod(m.at("CPU_TIME")), 0.0);
  ASSERT_TRUE(m.count("ROWS_RETURNED"));
  EXPECT_EQ(m.at("ROWS_RETURNED"), "1");
  ASSERT_TRUE(m.count("CUMULATIVE_ROWS_SCANNED"));
}

}  // namespace
}  // namespace weft::engine

namespace weft::engine {
namespace {

TEST(ConnectionSelectOnlyTest, OnlyOneSelectRuns) {
  ASSERT_OK_AND_ASSIGN(Database db, Database::Open({}));
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(db));
  ASSERT_OK_AND_ASSIGN(auto r, conn.QuerySelect("SELECT 41 + 1"));
  EXPECT_EQ(r.ScalarInt64().value(), 42);
  for (const char* sql : {"CREATE TABLE t (a INT)", "COPY (SELECT 1) TO '/tmp/weft-select-only.csv'", "SET threads = 1",
                          "ATTACH ':memory:' AS x", "PRAGMA threads = 1", "PRAGMA disable_profiling", "SELECT 1; SELECT 2", "EXPLAIN SELECT 1",
                          "CALL pragma_version()", "SELECT ?"}) {
    EXPECT_FALSE(conn.QuerySelect(sql).ok()) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/weft-select-only.csv"));
}

}  // namespace
}  // namespace weft::engine
