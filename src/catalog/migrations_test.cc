// Schema versions and refusing files that are not (this weft's) catalogs, on
// SQLite only: these tests read and forge the file's header (application_id,
// user_version), write garbage files and replay the SQLite schema's history.
// The PostgreSQL store's versions and refusals are tested in
// postgres/postgres_store_test.cc.
#include "catalog/sqlite/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "catalog/internal/testing.h"
#include "catalog/sqlite/sqlite_store.h"
#include "catalog/store.h"

namespace weft::catalog::sqlite {
namespace {

using catalog_internal::ScratchDir;
using ::testing::HasSubstr;
using ::testing::Not;

Result<int64_t> QueryInt(Connection& conn, const std::string& sql) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::NotFound("no row");
  return stmt.Int(0);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    path_ = dir_.File("catalog.db");
  }

  ScratchDir dir_;
  std::string path_;
};

TEST_F(MigrationsTest, NewCatalogIsMarkedAndAtTheNewestVersion) {
  { ASSERT_OK(OpenStore(path_).status()); }
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
  ASSERT_OK_AND_ASSIGN(int64_t version, QueryInt(conn, "PRAGMA user_version"));
  EXPECT_EQ(version, CatalogMigrations().back().version);
  ASSERT_OK_AND_ASSIGN(int64_t application_id, QueryInt(conn, "PRAGMA application_id"));
  EXPECT_EQ(application_id, kWeftApplicationId);
  ASSERT_OK_AND_ASSIGN(Statement mode, conn.Prepare("PRAGMA journal_mode"));
  ASSERT_OK_AND_ASSIGN(bool row, mode.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(mode.Text(0), "wal");
}

TEST_F(MigrationsTest, ReopeningChangesNothing) {
  std::string first;
  {
    ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
    ASSERT_OK_AND_ASSIGN(first, store->Dump());
  }
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
  ASSERT_OK(Migrate(conn, CatalogMigrations()));
  ASSERT_OK(Migrate(conn, CatalogMigrations()));
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(std::string second, store->Dump());
  EXPECT_EQ(first, second);
}

TEST_F(MigrationsTest, NewerCatalogIsRefused) {
  { ASSERT_OK(OpenStore(path_).status()); }
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(conn.Exec("PRAGMA user_version = 99"));
  }
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              HasSubstr(path_ + " was written by a newer weft (schema 99, this weft knows up to " +
                        std::to_string(CatalogMigrations().back().version) + "); upgrade weft"));
}

TEST_F(MigrationsTest, GarbageFileIsRefused) {
  const std::string garbage(8192, '\x5a');
  WriteBytes(path_, "this is not a database\n" + garbage);
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(path_ + " is not a weft catalog"));
  EXPECT_EQ(ReadBytes(path_), "this is not a database\n" + garbage);
}

TEST_F(MigrationsTest, DatabaseWithOtherTablesIsRefusedAndLeftAlone) {
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(conn.Exec("CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (1);"));
  }
  const std::string before = ReadBytes(path_);
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(path_ + " is not a weft catalog"));
  EXPECT_THAT(store.status().message(), HasSubstr("(invoices)"));
  EXPECT_EQ(ReadBytes(path_), before);
}

TEST_F(MigrationsTest, DatabaseOfAnotherApplicationIsRefused) {
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(conn.Exec("PRAGMA application_id = 1234"));
  }
  auto store = OpenStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("another application (application_id 0x4d2)"));
}

TEST_F(MigrationsTest, EmptyFileBecomesACatalog) {
  WriteBytes(path_, "");
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(int64_t generation, store->Generation());
  EXPECT_EQ(generation, 0);
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  const Migration migrations[] = {
      {1, "a table", "CREATE TABLE a (x INTEGER);"},
      {2, "a broken script", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL;"},
  };
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
  Status s = Migrate(conn, migrations);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("applying catalog migration 2 (a broken script)"));
  ASSERT_OK_AND_ASSIGN(int64_t version, QueryInt(conn, "PRAGMA user_version"));
  EXPECT_EQ(version, 0);
  ASSERT_OK_AND_ASSIGN(int64_t tables, QueryInt(conn, "SELECT count(*) FROM sqlite_schema"));
  EXPECT_EQ(tables, 0);
}

TEST_F(MigrationsTest, OnlyPendingMigrationsRun) {
  const Migration v1[] = {{1, "a table", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"}};
  const Migration v2[] = {v1[0], {2, "b table", "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (2);"}};
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
  ASSERT_OK(Migrate(conn, v1));
  ASSERT_OK(Migrate(conn, v2));
  ASSERT_OK(Migrate(conn, v2));
  ASSERT_OK_AND_ASSIGN(int64_t version, QueryInt(conn, "PRAGMA user_version"));
  EXPECT_EQ(version, 2);
  // Script 1 ran once, script 2 once.
  ASSERT_OK_AND_ASSIGN(int64_t rows, QueryInt(conn, "SELECT count(*) FROM a"));
  EXPECT_EQ(rows, 2);
  // A weft that only knows version 1 refuses the file now.
  Status s = Migrate(conn, v1);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("schema 2, this weft knows up to 1"));
}

TEST_F(MigrationsTest, VersionOneCatalogMigratesToTheDataPlaneSchema) {
  // A version 1 catalog, made by running only the first script, exactly as
  // a weft of that version did, with a snapshot row in the old shape.
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(Migrate(conn, CatalogMigrations().first(1)));
    ASSERT_OK(conn.Exec(R"sql(
        INSERT INTO snapshots (id, product_id, major, parent_id, created_at, row_count, byte_count, file_count,
                               contract_version, input_checksum, quality_json)
        VALUES ('s1', 'sales.orders', 1, '', '2026-01-01T00:00:00.000Z', 5, 50, 1, '1.0.0', 'sha', '{}'))sql"));
    ASSERT_OK_AND_ASSIGN(int64_t version, QueryInt(conn, "PRAGMA user_version"));
    ASSERT_EQ(version, 1);
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(auto snapshots, store->ListAllSnapshots());
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].id, "s1");
  EXPECT_EQ(snapshots[0].rows, 5);
  EXPECT_EQ(snapshots[0].path, "");  // the new columns default to "not set"
  EXPECT_EQ(snapshots[0].publish_id, "");
  ASSERT_OK_AND_ASSIGN(std::string dump, store->Dump());
  EXPECT_THAT(dump, HasSubstr("schema version " + std::to_string(CatalogMigrations().back().version)));
  EXPECT_THAT(dump, HasSubstr("[snapshot_profiles]"));
  EXPECT_THAT(dump, HasSubstr("[glossary_terms]"));
  EXPECT_THAT(dump, HasSubstr("[publishes]"));
  EXPECT_THAT(dump, HasSubstr("[quality_results]"));
  // The new tables work on the migrated file.
  ASSERT_OK_AND_ASSIGN(auto txn, store->BeginWrite());
  ASSERT_OK(txn->InsertPublish({.id = "p1", .product_id = "sales.orders", .outcome = "published"}));
  ASSERT_OK(txn->InsertQualityResults({{.publish_id = "p1", .rule_id = "r1"}}));
  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(auto results, store->ListQualityResults("p1"));
  EXPECT_EQ(results.size(), 1u);
}

TEST_F(MigrationsTest, VersionTwoCatalogKeepsItsProductsWithoutATransform) {
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(Migrate(conn, CatalogMigrations().first(2)));
    ASSERT_OK(conn.Exec(R"sql(
        INSERT INTO domains (name, description, owners, storage_root, service_principal, monthly_budget,
                             soft_limit_percent, currency, cost_center, spec_json, digest)
        VALUES ('sales', '', '[]', '/tmp/sales', 'svc.sales', NULL, NULL, '', '', '{}', 'd');
        INSERT INTO products (id, domain, name, status, version, tier, description, tags, spec_json, digest)
        VALUES ('sales.orders', 'sales', 'orders', 'active', '1.0.0', '', '', '[]', '{}', 'x'))sql"));
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(auto products, store->ListProducts());
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].transform_sql, "");
  EXPECT_EQ(products[0].digest, "x");
}

TEST_F(MigrationsTest, AbsolutePathsUnderTheCatalogBecomeRelativeAndOthersStay) {
  // A version 11 catalog as an older weft wrote it: absolute paths, some
  // under the catalog's directory, one storage root elsewhere.
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  {
    ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
    ASSERT_OK(Migrate(conn, CatalogMigrations().first(11)));
    ASSERT_OK(conn.Exec(fmt::format(R"sql(
        INSERT INTO domains (name, description, owners, storage_root, service_principal, monthly_budget,
                             soft_limit_percent, currency, cost_center, spec_json, digest)
        VALUES ('sales', '', '[]', '{0}/domains/sales', 'svc.sales', NULL, NULL, '', '', '{{}}', 'd'),
               ('hr', '', '[]', '/data/hr', 'svc.hr', NULL, NULL, '', '', '{{}}', 'd');
        INSERT INTO snapshots (id, product_id, major, parent_id, created_at, path, row_count, byte_count,
                               file_count, contract_version, input_checksum, publish_id, quality_json)
        VALUES ('s1', 'sales.orders', 1, '', '2026-01-01', '{0}/domains/sales/products/orders/v1/snapshots/s1',
                1, 1, 1, '1.0.0', '', 'p1', '{{}}');
        INSERT INTO publishes (id, product_id, major, actor, started_at, finished_at, outcome, mode, snapshot_id,
                               rows_in, rows_valid, rows_quarantined, input_checksum, input_archive,
                               quarantine_path, message)
        VALUES ('p1', 'sales.orders', 1, 'a', '2026-01-01', '2026-01-01', 'published', 'replace', 's1', 1, 1, 0,
                '', '{0}/domains/sales/archive/p1', '', ''))sql",
                                    dir)));
  }
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(std::string dump, store->Dump());
  EXPECT_THAT(dump, HasSubstr("'domains/sales'"));
  EXPECT_THAT(dump, HasSubstr("'domains/sales/products/orders/v1/snapshots/s1'"));
  EXPECT_THAT(dump, HasSubstr("'domains/sales/archive/p1'"));
  EXPECT_THAT(dump, HasSubstr("'/data/hr'"));
  EXPECT_THAT(dump, Not(HasSubstr(dir)));
  // Readers still get absolute paths.
  ASSERT_OK_AND_ASSIGN(auto domains, store->ListDomains());
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0].storage_root, "/data/hr");
  EXPECT_EQ(domains[1].storage_root, dir + "/domains/sales");
  ASSERT_OK_AND_ASSIGN(auto publishes, store->ListPublishes("", 0));
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].input_archive, dir + "/domains/sales/archive/p1");
  EXPECT_EQ(publishes[0].quarantine_path, "");
}

TEST_F(MigrationsTest, MigrationVersionsMustBeConsecutive) {
  const Migration gap[] = {{1, "a", "SELECT 1;"}, {3, "c", "SELECT 1;"}};
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(path_, 1000));
  EXPECT_EQ(Migrate(conn, gap).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace weft::catalog::sqlite
