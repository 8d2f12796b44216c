#include "engine/appender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/connection.h"
#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

class AppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(DatabaseConfig{}));
    ASSERT_OK_AND_ASSIGN(conn_, Connection::Open(*db_));
    ASSERT_OK(conn_->Execute(
        "CREATE TABLE t (big BIGINT, small INTEGER, d DOUBLE, b BOOLEAN, s VARCHAR NOT NULL, n VARCHAR)"));
  }
  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

TEST_F(AppenderTest, RoundTripsEveryType) {
  const std::string long_text = "a value well over the twelve inlined bytes";
  {
    ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("", "t"));
    EXPECT_EQ(app.column_count(), 6u);
    for (int32_t i = 0; i < 3000; ++i) {  // more rows than one chunk
      ASSERT_OK(app.Append(int64_t{i} * 1000000000));
      ASSERT_OK(app.Append(i));
      ASSERT_OK(app.Append(i / 2.0));
      ASSERT_OK(app.Append(i % 2 == 0));
      ASSERT_OK(app.Append(i % 2 == 0 ? std::string_view("short") : std::string_view(long_text)));
      ASSERT_OK(app.Append(nullptr));
      ASSERT_OK(app.EndRow());
    }
    ASSERT_OK(app.Close());
    EXPECT_OK(app.Close());  // idempotent
  }
  EXPECT_EQ(conn_->Query("SELECT count(*) FROM t")->ScalarInt64().value(), 3000);
  ASSERT_OK_AND_ASSIGN(QueryResult r, conn_->Query("SELECT * FROM t WHERE small = 7"));
  ASSERT_OK_AND_ASSIGN(auto rows, r.FetchAllAsStrings());
  using Row = std::vector<std::optional<std::string>>;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{"7000000000", "7", "3.5", "false", long_text, std::nullopt}));
}

TEST_F(AppenderTest, ExplicitSchemaAndLiteralStrings) {
  ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("main", "t"));
  ASSERT_OK(app.Append(int64_t{1}));
  ASSERT_OK(app.Append(int32_t{2}));
  ASSERT_OK(app.Append(3.0));
  ASSERT_OK(app.Append(true));
  ASSERT_OK(app.Append("literal"));  // VARCHAR, not bool
  ASSERT_OK(app.Append("x"));
  ASSERT_OK(app.EndRow());
  ASSERT_OK(app.Flush());
  EXPECT_EQ(conn_->Query("SELECT s FROM t")->ScalarString().value(), "literal");
}

TEST_F(AppenderTest, ConversionErrorCarriesDuckDbMessage) {
  ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("", "t"));
  Status s = app.Append("not a number");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Could not convert string 'not a number' to INT64"));
}

TEST_F(AppenderTest, IncompleteRowIsAnError) {
  ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("", "t"));
  ASSERT_OK(app.Append(int64_t{1}));
  Status s = app.EndRow();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("Call to EndRow before all columns have been appended to"));
}

TEST_F(AppenderTest, ConstraintViolationSurfacesAtClose) {
  ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("", "t"));
  ASSERT_OK(app.Append(int64_t{1}));
  ASSERT_OK(app.Append(int32_t{1}));
  ASSERT_OK(app.Append(1.0));
  ASSERT_OK(app.Append(true));
  ASSERT_OK(app.Append(nullptr));  // s is NOT NULL
  ASSERT_OK(app.Append(nullptr));
  ASSERT_OK(app.EndRow());
  Status s = app.Close();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("NOT NULL constraint failed"));
  EXPECT_EQ(app.Close().message(), s.message());  // repeated Close reports the same
  EXPECT_EQ(app.Append(int64_t{1}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(conn_->Query("SELECT count(*) FROM t")->ScalarInt64().value(), 0);
}

TEST_F(AppenderTest, MissingTableIsAnError) {
  Result<Appender> app = conn_->CreateAppender("", "no_such_table");
  ASSERT_FALSE(app.ok());
  EXPECT_THAT(app.status().message(), HasSubstr("no_such_table"));
  EXPECT_THAT(app.status().message(), HasSubstr("could not be found"));
}

TEST_F(AppenderTest, DestructorFlushesCompleteRows) {
  {
    ASSERT_OK_AND_ASSIGN(Appender app, conn_->CreateAppender("", "t"));
    ASSERT_OK(app.Append(int64_t{1}));
    ASSERT_OK(app.Append(int32_t{1}));
    ASSERT_OK(app.Append(1.0));
    ASSERT_OK(app.Append(true));
    ASSERT_OK(app.Append("kept"));
    ASSERT_OK(app.Append(nullptr));
    ASSERT_OK(app.EndRow());
  }
  EXPECT_EQ(conn_->Query("SELECT s FROM t")->ScalarString().value(), "kept");
}

}  // namespace
}  // namespace weft::engine
