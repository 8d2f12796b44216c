#include "query/result_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"
#include "query/sql_allowlist.h"

namespace weft::query {
namespace {

CachedAnswer Rows(size_t n, size_t width) {
  CachedAnswer a{.columns = {"v"}, .column_types = {"VARCHAR"}};
  for (size_t i = 0; i < n; ++i) a.rows.push_back({std::string(width, 'x')});
  return a;
}

TEST(ResultCacheTest, KeepsWithinItsCapacityDroppingTheLeastRecentlyUsed) {
  ResultCache cache({.capacity_bytes = 2000, .max_entry_bytes = 1500});  // an entry of 800 characters is charged ~870
  cache.Put("a", Rows(1, 800));
  cache.Put("b", Rows(1, 800));
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now the more recently used
  cache.Put("c", Rows(1, 800));         // over 2000: b goes
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_LE(cache.bytes(), 2000u);
  EXPECT_EQ(*cache.Find("c")->rows[0][0], std::string(800, 'x'));
}

TEST(ResultCacheTest, AnAnswerOverTheEntryLimitIsNotKept) {
  ResultCache cache({.capacity_bytes = 1 << 20, .max_entry_bytes = 1000});
  cache.Put("big", Rows(10, 200));
  EXPECT_EQ(cache.Find("big"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
  ResultCache none({.capacity_bytes = 0, .max_entry_bytes = 0});
  none.Put("small", Rows(1, 1));
  EXPECT_EQ(none.Find("small"), nullptr);
}

TEST(ResultCacheTest, PuttingAKeyAgainReplacesItsEntry) {
  ResultCache cache({.capacity_bytes = 1 << 20, .max_entry_bytes = 1 << 20});
  cache.Put("k", Rows(1, 10));
  cache.Put("k", Rows(2, 10));
  EXPECT_EQ(cache.Find("k")->rows.size(), 2u);
  EXPECT_EQ(cache.bytes(), cache.Find("k")->bytes);
}

class RepeatableTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(parser_, engine::DuckDbSqlValidator::Create()); }
  bool Repeatable(const std::string& sql) {
    auto ast = parser_->SerializeSql(sql);
    EXPECT_TRUE(ast.ok()) << sql << ": " << ast.status().ToString();
    return ast.ok() && IsRepeatable(*ast);
  }
  std::unique_ptr<engine::DuckDbSqlValidator> parser_;
};

TEST_F(RepeatableTest, TheClockAndChanceAreNotRepeatable) {
  for (const char* sql : {"SELECT now()", "SELECT * FROM s.t WHERE d > current_date", "SELECT CURRENT_TIMESTAMP",
                          "SELECT a FROM s.t WHERE d < today() - 1", "SELECT random() FROM s.t", "SELECT uuid()",
                          "SELECT age(d) FROM s.t", "SELECT current_localtimestamp()", "SELECT get_current_time()",
                          "SELECT a FROM s.t WHERE d < localtimestamp", "SELECT current_time",
                          "SELECT a FROM s.t ORDER BY random() LIMIT 1",
                          "SELECT count(*) FROM s.t WHERE d > (SELECT max(d) - INTERVAL 1 DAY FROM s.u WHERE e < NOW())",
                          "SELECT sum(a) OVER (ORDER BY b) FROM s.t WHERE c = gen_random_uuid()::VARCHAR"})
    EXPECT_FALSE(Repeatable(sql)) << sql;
}

TEST_F(RepeatableTest, EverydayAnalyticsAre) {
  for (const char* sql : {"SELECT count(*) FROM s.t", "SELECT lower(a), sum(b) FROM s.t GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
                          "SELECT date_trunc('month', d), strftime(d, '%Y') FROM s.t WHERE d > DATE '2026-01-01'",
                          "SELECT age(DATE '2026-01-01', d), row_number() OVER (ORDER BY a) FROM s.t",
                          "SELECT * FROM s.t WHERE a = $1"}) {
    // age of two dates is fixed, but the list refuses age whole: it cannot
    // tell the forms apart by name, and a miss only costs a run.
    if (std::string(sql).find("age(") != std::string::npos) {
      EXPECT_FALSE(Repeatable(sql)) << sql;
      continue;
    }
    EXPECT_TRUE(Repeatable(sql)) << sql;
  }
}

// Every allowed function the engine itself marks as not consistent (of the
// clock, of chance, of the session) is refused; checked against the engine,
// so a DuckDB upgrade that adds one fails here rather than caching it.
TEST_F(RepeatableTest, EveryAllowedFunctionTheEngineCallsInconsistentIsRefused) {
  ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({}));
  ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
  ASSERT_OK_AND_ASSIGN(auto r, conn.Query("SELECT DISTINCT function_name FROM duckdb_functions() "
                                          "WHERE stability IS DISTINCT FROM 'CONSISTENT' AND function_type IN ('scalar', 'aggregate')"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  size_t allowed = 0;
  for (const auto& row : rows) {
    const std::string name = *row[0];
    if (!IsAllowedFunction(name)) continue;
    ++allowed;
    EXPECT_FALSE(Repeatable("SELECT " + name + "()")) << name << " is allowed, and the engine calls it inconsistent";
  }
  EXPECT_GE(allowed, 5u) << "now, today, random, uuid, gen_random_uuid at least";
  for (const auto& name : UnrepeatableFunctions()) EXPECT_TRUE(IsAllowedFunction(name)) << name << " is not even allowed";
}

}  // namespace
}  // namespace weft::query
