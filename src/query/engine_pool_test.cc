#include "query/engine_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include "common/files.h"
#include "common/testing/status_matchers.h"

namespace weft::query {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class EnginePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-pool-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (const char* d : {"mine", "other"}) fs::create_directories(root_ / d);
    ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({}));
    ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
    ASSERT_OK(conn.Execute("COPY (SELECT 1 AS id, 'visible' AS v) TO '" + Mine() + "'"));
    ASSERT_OK(conn.Execute("COPY (SELECT 2 AS id, 'secret' AS v) TO '" + (root_ / "other/data.parquet").string() + "'"));
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Mine() const { return (root_ / "mine/data.parquet").string(); }

  fs::path root_;
};

// The engine reaches its views' files and nothing else, whatever SQL runs.
TEST_F(EnginePoolTest, AnEngineReachesOnlyItsOwnFiles) {
  EnginePool pool({.threads = 1, .temp_dir = root_ / "spill"});
  ASSERT_OK_AND_ASSIGN(EnginePool::Lease lease, pool.Acquire({{"d.p", {Mine()}}}));
  ASSERT_OK_AND_ASSIGN(auto r, lease.conn().QuerySelect("SELECT v FROM d.p"));
  EXPECT_EQ(r.FetchAllAsStrings()->at(0).at(0), "visible");
  const std::string other = (root_ / "other/data.parquet").string();
  for (const std::string& sql : std::vector<std::string>{
           "SELECT * FROM read_parquet('" + other + "')", "SELECT * FROM '" + other + "'",
        "SELECT * FROM read_parquet('" + (root_ / "mine/../other/data.parquet").string() + "')",
        "SELECT * FROM glob('" + root_.string() + "/*')", "SELECT * FROM read_text('/etc/passwd')",
        "ATTACH '" + (root_ / "x.db").string() + "'", "SET enable_external_access = true",
        "SET allowed_directories = ['/']", "COPY (SELECT 1) TO '" + (root_ / "mine/out.csv").string() + "'"}) {
    auto bad = lease.conn().QuerySelect(sql);
    EXPECT_FALSE(bad.ok()) << sql;
    if (!bad.ok()) {
      EXPECT_THAT(std::string(bad.status().message()), ::testing::Not(HasSubstr("secret"))) << sql;
    }
  }
  EXPECT_FALSE(fs::exists(root_ / "mine/out.csv"));
}

TEST_F(EnginePoolTest, EnginesAreReusedOnlyForTheSameReach) {
  EnginePool pool({.threads = 1, .temp_dir = root_ / "spill", .max_engines = 4});
  {
    ASSERT_OK_AND_ASSIGN(EnginePool::Lease a, pool.Acquire({{"d.p", {Mine()}}}));
  }
  {
    ASSERT_OK_AND_ASSIGN(EnginePool::Lease b, pool.Acquire({{"d.p", {Mine()}}}));
  }
  EXPECT_EQ(pool.engines(), 1u);
  ASSERT_OK_AND_ASSIGN(EnginePool::Lease c, pool.Acquire({{"d.q", {Mine()}}}));  // another name: another reach
  EXPECT_EQ(pool.engines(), 2u);
}

TEST_F(EnginePoolTest, WarmEnginesAreBounded) {
  EnginePool pool({.threads = 1, .temp_dir = root_ / "spill", .max_engines = 2});
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(EnginePool::Lease l, pool.Acquire({{"d.p" + std::to_string(i), {Mine()}}}));
  }
  EXPECT_LE(pool.engines(), 2u);
}

TEST_F(EnginePoolTest, AWritableEngineIsNeverShared) {
  EnginePool pool({.threads = 1, .temp_dir = root_ / "spill", .max_engines = 4});
  fs::create_directories(root_ / "out");
  {
    ASSERT_OK_AND_ASSIGN(EnginePool::Lease w, pool.Acquire({{"d.p", {Mine()}}}, root_ / "out"));
    ASSERT_OK(w.conn().Execute("COPY (SELECT * FROM d.p) TO '" + (root_ / "out/x.parquet").string() + "'"));
  }
  EXPECT_EQ(pool.engines(), 0u);
  ASSERT_OK_AND_ASSIGN(EnginePool::Lease r, pool.Acquire({{"d.p", {Mine()}}}));
  EXPECT_FALSE(r.conn().Execute("COPY (SELECT 1) TO '" + (root_ / "out/y.parquet").string() + "'").ok());
}

// What scanning a column reads: its chunks in every file and row group, a
// struct's with all its leaves, whatever the case it is named in.
TEST_F(EnginePoolTest, ScanBytesAreTheColumnsChunksInEveryFile) {
  ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({}));
  ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
  std::vector<std::string> files;
  for (const char* name : {"a.parquet", "b.parquet"}) {
    files.push_back((root_ / "mine" / name).string());
    ASSERT_OK(conn.Execute("COPY (SELECT i AS Id, {'x': i, 'y': md5(i::VARCHAR)} AS s, md5(i::VARCHAR) AS v FROM range(5000) "
                           "t(i)) TO '" + files.back() + "' (ROW_GROUP_SIZE 2048)"));
  }
  auto chunks = [&](const std::string& where) {
    auto r = conn.Query("SELECT sum(total_compressed_size)::BIGINT FROM parquet_metadata(['" + files[0] + "', '" + files[1] +
                        "']) WHERE " + where);
    return r.ok() ? r->ScalarInt64() : Result<int64_t>(r.status());
  };
  ASSERT_OK_AND_ASSIGN(int64_t id, chunks("path_in_schema = 'Id'"));
  ASSERT_OK_AND_ASSIGN(int64_t s, chunks("path_in_schema LIKE 's, %'"));
  ASSERT_OK_AND_ASSIGN(int64_t all, chunks("true"));

  EnginePool pool({.threads = 1, .temp_dir = root_ / "spill"});
  ASSERT_OK_AND_ASSIGN(EnginePool::Lease lease, pool.Acquire({{"d.p", files}}));
  EXPECT_EQ(lease.ScanBytes("d.p", {"id"}), id);
  EXPECT_EQ(lease.ScanBytes("d.p", {"S"}), s);
  EXPECT_EQ(lease.ScanBytes("d.p", {"Id", "s", "v"}), all);
  EXPECT_EQ(lease.ScanBytes("d.p", {}), 0);
  EXPECT_EQ(lease.ScanBytes("d.q", {"id"}), 0);
}

TEST_F(EnginePoolTest, BadViewsAreRefused) {
  EnginePool pool({});
  EXPECT_FALSE(pool.Acquire({{"nodot", {Mine()}}}).ok());
  EXPECT_FALSE(pool.Acquire({{"d.p", {}}}).ok());
}

}  // namespace
}  // namespace weft::query
