#include "engine/scalar_function.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

class TextFunctionTest : public engine_internal::InMemoryDuckDbTest {};

TEST_F(TextFunctionTest, MapsEveryRowAndKeepsNullsNull) {
  ASSERT_OK(RegisterTextFunction(*conn_, "shout", [](std::string_view v) { return std::string(v) + "!"; }));
  ASSERT_OK_AND_ASSIGN(auto r, conn_->Query("SELECT shout(s) FROM (VALUES ('a'), (NULL), ('a text longer than twelve bytes')) t(s)"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "a!");
  EXPECT_FALSE(rows[1][0].has_value());
  EXPECT_EQ(rows[2][0], "a text longer than twelve bytes!");
}

TEST_F(TextFunctionTest, LargeInputsAcrossManyChunks) {
  ASSERT_OK(RegisterTextFunction(*conn_, "len_text", [](std::string_view v) { return std::to_string(v.size()); }));
  ASSERT_OK_AND_ASSIGN(auto r, conn_->Query("SELECT sum(CAST(len_text(repeat('x', i % 40)) AS BIGINT)) FROM range(100000) t(i)"));
  ASSERT_OK_AND_ASSIGN(int64_t total, r.ScalarInt64());
  int64_t expected = 0;
  for (int i = 0; i < 100000; ++i) expected += i % 40;
  EXPECT_EQ(total, expected);
}

// What it computes with is not in any SQL text the instance can show.
TEST_F(TextFunctionTest, CapturedStateNeverAppearsInViewDefinitions) {
  const std::string secret = "s3cr3t-key-material";
  ASSERT_OK(RegisterTextFunction(*conn_, "keyed", [secret](std::string_view v) { return std::string(v.size(), '#'); }));
  ASSERT_OK(conn_->Execute("CREATE VIEW v AS SELECT keyed('abc') AS k"));
  ASSERT_OK_AND_ASSIGN(auto r, conn_->Query("SELECT string_agg(sql, ' ') FROM duckdb_views() WHERE NOT internal"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  ASSERT_TRUE(rows[0][0].has_value());
  EXPECT_THAT(*rows[0][0], HasSubstr("keyed("));
  EXPECT_EQ(rows[0][0]->find(secret), std::string::npos);
}

TEST_F(TextFunctionTest, OtherInstancesDoNotHaveIt) {
  ASSERT_OK(RegisterTextFunction(*conn_, "only_here", [](std::string_view v) { return std::string(v); }));
  ASSERT_OK_AND_ASSIGN(Database other, Database::Open(DatabaseConfig{}));
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(other));
  auto r = conn.Query("SELECT only_here('x')");
  EXPECT_FALSE(r.ok());
}

TEST_F(TextFunctionTest, BadNamesAreRefused) {
  EXPECT_FALSE(RegisterTextFunction(*conn_, "bad name", [](std::string_view v) { return std::string(v); }).ok());
  EXPECT_FALSE(RegisterTextFunction(*conn_, "", [](std::string_view v) { return std::string(v); }).ok());
}

}  // namespace
}  // namespace weft::engine
