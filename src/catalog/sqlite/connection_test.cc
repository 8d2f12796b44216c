// Connection's statement cache: a cached statement comes back reset, with no
// bindings left over, and a statement still in use is never shared.
#include "catalog/sqlite/connection.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"

namespace weft::catalog::sqlite {
namespace {

using catalog_internal::ScratchDir;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(dir_.File("t.db"), 1000));
    conn_ = std::make_unique<Connection>(std::move(conn));
    ASSERT_OK(conn_->Exec("CREATE TABLE t (k INTEGER, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');"));
  }

  ScratchDir dir_;
  std::unique_ptr<Connection> conn_;
};

constexpr const char* kSelect = "SELECT v FROM t WHERE k >= ?1 ORDER BY k";

TEST_F(ConnectionTest, CachedStatementIsResetAndUnboundWhenReused) {
  {
    ASSERT_OK_AND_ASSIGN(Statement stmt, conn_->PrepareCached(kSelect));
    ASSERT_OK(stmt.BindAll(2));
    ASSERT_OK_AND_ASSIGN(bool row, stmt.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(stmt.Text(0), "b");
  }  // left mid-result: it goes back reset
  ASSERT_OK_AND_ASSIGN(Statement again, conn_->PrepareCached(kSelect));
  // The old binding (2) is gone: NULL compares false, so no row.
  ASSERT_OK_AND_ASSIGN(bool row, again.Step());
  EXPECT_FALSE(row);
}

TEST_F(ConnectionTest, StatementInUseIsNotShared) {
  ASSERT_OK_AND_ASSIGN(Statement outer, conn_->PrepareCached(kSelect));
  ASSERT_OK(outer.BindAll(1));
  ASSERT_OK_AND_ASSIGN(bool row, outer.Step());
  ASSERT_TRUE(row);
  {
    ASSERT_OK_AND_ASSIGN(Statement inner, conn_->PrepareCached(kSelect));
    ASSERT_OK(inner.BindAll(3));
    ASSERT_OK_AND_ASSIGN(bool inner_row, inner.Step());
    ASSERT_TRUE(inner_row);
    EXPECT_EQ(inner.Text(0), "c");
  }
  // The outer statement kept its place.
  ASSERT_OK_AND_ASSIGN(row, outer.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(outer.Text(0), "b");
}

TEST_F(ConnectionTest, CachedStatementSeesLaterWrites) {
  {
    ASSERT_OK_AND_ASSIGN(Statement stmt, conn_->PrepareCached("SELECT count(*) FROM t"));
    ASSERT_OK_AND_ASSIGN(bool row, stmt.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(stmt.Int(0), 3);
  }
  ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (4, 'd')"));
  ASSERT_OK_AND_ASSIGN(Statement stmt, conn_->PrepareCached("SELECT count(*) FROM t"));
  ASSERT_OK_AND_ASSIGN(bool row, stmt.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(stmt.Int(0), 4);
}

}  // namespace
}  // namespace weft::catalog::sqlite
