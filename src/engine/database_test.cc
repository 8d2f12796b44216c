#include "engine/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "engine/connection.h"
#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using ::testing::HasSubstr;

TEST(DatabaseTest, OpensInMemoryAndCloses) {
  ASSERT_OK_AND_ASSIGN(Database db, Database::Open(DatabaseConfig{}));
  EXPECT_NE(db.handle(), nullptr);
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(db));
  ASSERT_OK_AND_ASSIGN(int64_t one, conn.Query("SELECT 1")->ScalarInt64());
  EXPECT_EQ(one, 1);
}

TEST(DatabaseTest, AppliesThreadsMemoryLimitAndOptions) {
  DatabaseConfig config;
  config.threads = 2;
  config.memory_limit = "512MB";
  config.options["default_order"] = "DESC";
  ASSERT_OK_AND_ASSIGN(Database db, Database::Open(config));
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(db));
  EXPECT_EQ(conn.Query("SELECT current_setting('threads')")->ScalarInt64().value(), 2);
  EXPECT_EQ(conn.Query("SELECT current_setting('default_order')")->ScalarString().value(), "DESC");
  ASSERT_OK_AND_ASSIGN(auto limit, conn.Query("SELECT current_setting('memory_limit')")->ScalarString());
  ASSERT_TRUE(limit.has_value());
  EXPECT_THAT(*limit, HasSubstr("MiB"));  // DuckDB reports 512MB as "488.2 MiB"
}

TEST(DatabaseTest, UnknownOptionCarriesDuckDbMessage) {
  DatabaseConfig config;
  config.options["no_such_option"] = "1";
  Result<Database> db = Database::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(db.status().message(), HasSubstr("The following options were not recognized: no_such_option"));
}

TEST(DatabaseTest, BadOptionValueCarriesDuckDbMessage) {
  // duckdb_set_config gives no message for a bad value; the wrapper replays
  // the setting to get DuckDB's own words.
  DatabaseConfig config;
  config.memory_limit = "lots";
  Result<Database> db = Database::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(db.status().message(), HasSubstr("memory_limit"));
  EXPECT_THAT(db.status().message(), HasSubstr("lots"));
  EXPECT_THAT(db.status().message(), HasSubstr("Error"));  // DuckDB's "... Error: ..." prefix

  DatabaseConfig threads;
  threads.options["threads"] = "abc";
  Result<Database> db2 = Database::Open(threads);
  ASSERT_FALSE(db2.ok());
  EXPECT_THAT(db2.status().message(), HasSubstr("threads"));
}

TEST(DatabaseTest, NegativeThreadsRefused) {
  DatabaseConfig config;
  config.threads = -1;
  Result<Database> db = Database::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.status().message(), HasSubstr("threads must be >= 0"));
}

TEST(DatabaseTest, UnopenablePathIsAnError) {
  DatabaseConfig config;
  config.path = "/nonexistent-weft-dir/sub/db.duckdb";
  Result<Database> db = Database::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.status().message(), HasSubstr("/nonexistent-weft-dir/sub/db.duckdb"));
}

TEST(DatabaseTest, FileDatabasePersistsAcrossOpens) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("weft_engine_db_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  DatabaseConfig config;
  config.path = (dir / "test.duckdb").string();
  {
    ASSERT_OK_AND_ASSIGN(Database db, Database::Open(config));
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(db));
    ASSERT_OK(conn.Execute("CREATE TABLE t AS SELECT 41 + 1 AS answer"));
  }
  {
    ASSERT_OK_AND_ASSIGN(Database db, Database::Open(config));
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(db));
    EXPECT_EQ(conn.Query("SELECT answer FROM t")->ScalarInt64().value(), 42);
  }
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, MoveTransfersOwnership) {
  ASSERT_OK_AND_ASSIGN(Database a, Database::Open(DatabaseConfig{}));
  duckdb_database raw = a.handle();
  Database b = std::move(a);
  EXPECT_EQ(b.handle(), raw);
  EXPECT_EQ(a.handle(), nullptr);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  Result<Connection> from_moved = Connection::Open(a);
  EXPECT_EQ(from_moved.status().code(), StatusCode::kFailedPrecondition);
  Database c = std::move(b);
  EXPECT_OK(Connection::Open(c));
}

}  // namespace
}  // namespace weft::engine
