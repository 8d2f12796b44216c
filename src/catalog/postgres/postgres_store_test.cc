// What only the PostgreSQL store has: a server that may be unreachable,
// refuse the credentials, drop the connection, or hold a database that is
// not a weft catalog; and a password that must never show. The behaviour
// both stores share is tested once for both (StoreTest, SearchTest,
// LockingTest). These tests run in the "/postgres" ctest run only.
#include "catalog/postgres/postgres_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <thread>
#include <tuple>
#include <vector>

#include "catalog/internal/test_catalog.h"
#include "catalog/internal/testing.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/migrations.h"

namespace weft::catalog::postgres {
namespace {

using catalog_internal::SampleDomain;
using catalog_internal::ScratchDir;
using catalog_internal::TestCatalog;
using ::testing::HasSubstr;
using ::testing::Not;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestCatalog::OnPostgres()) GTEST_SKIP() << "the PostgreSQL run only (WEFT_TEST_POSTGRES)";
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(url_, catalog_.Create(dir_));
    // postgres://weft:PASSWORD@127.0.0.1:PORT/DB
    const size_t colon = url_.find(':', std::string("postgres://").size());
    const size_t at = url_.find('@');
    password_ = url_.substr(colon + 1, at - colon - 1);
    ASSERT_FALSE(password_.empty());
  }

  // The URL with its password replaced.
  std::string WithPassword(const std::string& password) const {
    std::string url = url_;
    url.replace(url.find(password_), password_.size(), password);
    return url;
  }

  // Ends every other session on the test database, as a server restart or
  // a network failure would.
  void DropOtherConnections() {
    ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
    ASSERT_OK(admin.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                  .status());
  }

  ScratchDir dir_;
  TestCatalog catalog_;
  std::string url_;
  std::string password_;
};

TEST_F(PostgresStoreTest, WrongPasswordIsRefusedWithoutShowingEitherPassword) {
  auto store = PostgresStore::Open(WithPassword("not-the-password"));
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().message();
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_THAT(message, HasSubstr("cannot connect to the PostgreSQL catalog postgres://weft@127.0.0.1:"));
  EXPECT_THAT(message, HasSubstr("password authentication failed"));
  EXPECT_THAT(message, Not(HasSubstr("not-the-password")));
  EXPECT_THAT(message, Not(HasSubstr(password_)));
}

TEST_F(PostgresStoreTest, MissingDatabaseAndUnreachableServerNameTheCatalogNotThePassword) {
  std::string missing = url_;
  missing.replace(missing.rfind('/') + 1, std::string::npos, "no_such_catalog");
  auto store = PostgresStore::Open(missing);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("no_such_catalog"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr(password_)));

  auto unreachable = PostgresStore::Open("postgresql://weft:" + password_ + "@127.0.0.1:1/weft");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), StatusCode::kIoError);
  EXPECT_THAT(unreachable.status().message(), HasSubstr("postgres://weft@127.0.0.1:1/weft"));
  EXPECT_THAT(unreachable.status().message(), Not(HasSubstr(password_)));

  // A URL libpq cannot parse may still carry a password: it is not echoed.
  auto malformed = PostgresStore::Open("postgres://weft:" + password_ + "@127.0.0.1:1/weft?sslmode=%zz");
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(malformed.status().message(), Not(HasSubstr(password_)));
}

TEST_F(PostgresStoreTest, PasswordMayComeFromTheEnvironmentOrAPassfile) {
  const std::string bare = WithPassword("");  // postgres://weft:@host:port/db
  {
    setenv("PGPASSWORD", password_.c_str(), 1);
    auto store = PostgresStore::Open(bare);
    unsetenv("PGPASSWORD");
    ASSERT_OK(store.status());
  }
  {
    // host:port:database:user:password, owner-only (libpq ignores a readable one).
    const std::string passfile = dir_.File("pgpass");
    const std::string rest = url_.substr(url_.find('@') + 1);  // 127.0.0.1:PORT/DB
    const std::string host = rest.substr(0, rest.find(':'));
    const std::string port = rest.substr(rest.find(':') + 1, rest.find('/') - rest.find(':') - 1);
    std::ofstream(passfile) << host << ":" << port << ":*:weft:" << password_ << "\n";
    ASSERT_EQ(chmod(passfile.c_str(), 0600), 0);
    setenv("PGPASSFILE", passfile.c_str(), 1);
    auto store = PostgresStore::Open(bare);
    unsetenv("PGPASSFILE");
    ASSERT_OK(store.status());
  }
}

TEST_F(PostgresStoreTest, NewerCatalogIsRefusedAndLeftAlone) {
  { ASSERT_OK(PostgresStore::Open(url_).status()); }
  ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
  ASSERT_OK(admin.Exec("UPDATE weft_schema SET version = 99"));
  auto store = PostgresStore::Open(url_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("was written by a newer weft (schema 99"));
  EXPECT_THAT(store.status().message(), HasSubstr("upgrade weft"));
  EXPECT_THAT(store.status().message(), HasSubstr("postgres://weft@127.0.0.1:"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr(password_)));
  ASSERT_OK_AND_ASSIGN(int64_t version, SchemaVersion(admin));
  EXPECT_EQ(version, 99);
}

// Migration 2 totals the usage a version 1 catalog already holds.
TEST_F(PostgresStoreTest, AVersionOneCatalogGetsItsMonthlyUsageTotals) {
  {
    ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
    ASSERT_OK(Migrate(admin, CatalogMigrations().first(1), 1000));
    for (const auto& [at, domain, cost] : {std::tuple{"2026-10-31T23:59:59.999Z", "finance", 4.0},
                                           {"2026-11-01T00:00:00.000Z", "finance", 0.5},
                                           {"2026-11-30T10:00:00.000Z", "finance", 0.25},
                                           {"2026-11-15T10:00:00.000Z", "sales", 8.0}}) {
      ASSERT_OK(admin.Query(R"sql(
          INSERT INTO usage (at, principal, consumer_domain, kind, products, columns, rows_scanned, bytes_scanned,
                             rows_returned, cpu_seconds, wall_seconds, cost, status, message)
          VALUES ($1, 'bob', $2, 'query', '["sales.orders_v1"]', '[]', 0, 0, 0, 0, 0, $3, 'ok', ''))sql",
                            std::string(at), std::string(domain), std::to_string(cost))
                    .status());
    }
  }
  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(url_));
  ASSERT_OK_AND_ASSIGN(double november, store->SumUsageCost({.consumer_domain = "finance", .since = "2026-11-01"}));
  EXPECT_DOUBLE_EQ(november, 0.75);
  ASSERT_OK_AND_ASSIGN(double all, store->SumUsageCost({.since = "2026-10-01"}));
  EXPECT_DOUBLE_EQ(all, 12.75);
  ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
  ASSERT_OK_AND_ASSIGN(int64_t version, SchemaVersion(admin));
  EXPECT_EQ(version, static_cast<int64_t>(CatalogMigrations().size()));
}

// An older catalog's search entries, written as its store wrote them: a
// domain, its products, and their name and description vectors of the
// text as given (unfolded). Each product is {name, indexed name, description}.
Status SeedSearchEntries(Connection& admin, const std::string& domain,
                         const std::vector<std::array<std::string, 3>>& products) {
  RETURN_IF_ERROR(admin.Query(R"sql(
      INSERT INTO domains (name, description, owners, storage_root, service_principal, monthly_budget,
                           soft_limit_percent, currency, cost_center, spec_json, digest)
        VALUES ($1, '', '[]', '/data', '', 0, 0, '', '', '{}', ''))sql",
                              domain)
                      .status());
  for (const auto& [name, indexed, description] : products) {
    RETURN_IF_ERROR(admin.Query(R"sql(
        WITH product AS (
          INSERT INTO products (id, domain, name, status, version, tier, description, tags, spec_json, digest,
                                transform_sql)
            VALUES ($1::text || '.' || $2::text, $1, $2, 'active', '1.0.0', '', '', '[]', '{}', '', '') RETURNING id),
        document AS (
          INSERT INTO search_documents (product_id, domain, name, status, golden_record, reference_entities)
            SELECT id, $1::text, $3::text, 'active', 0, '[]' FROM product RETURNING doc_id)
        INSERT INTO search_fts (doc_id, name, tags, columns, description, column_descriptions,
                                name_v, tags_v, columns_v, description_v, column_descriptions_v)
          SELECT doc_id, $3::text, '', '', $4::text, '', to_tsvector('simple', $3::text), ''::tsvector,
                 ''::tsvector, to_tsvector('simple', $4::text), ''::tsvector
          FROM document)sql",
                                domain, name, indexed, description)
                        .status());
  }
  return Status::Ok();
}

// Migration 3 gives the products a version 2 catalog has indexed their
// ranked vectors: what was searchable stays searchable, in the same order.
TEST_F(PostgresStoreTest, AVersionTwoCatalogKeepsItsSearchEntriesRanked) {
  {
    ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
    ASSERT_OK(Migrate(admin, CatalogMigrations().first(2), 1000));
    ASSERT_OK(SeedSearchEntries(admin, "sales", {{{"notes", "notes", "free text about invoices"}},
                                                 {{"invoices", "invoices", "booked"}}}));
  }
  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(url_));
  ASSERT_OK_AND_ASSIGN(SearchResult found, store->Search({.text = "invoices"}));
  ASSERT_EQ(found.hits.size(), 2u);
  EXPECT_EQ(found.hits[0].product_id, "sales.invoices");  // the name outranks the description
  EXPECT_EQ(found.hits[1].product_id, "sales.notes");
  EXPECT_GT(found.hits[1].score, 0);
}

// Migration 4 folds what a version 3 catalog indexed unfolded: "cafe"
// finds the product named "Café" afterwards.
TEST_F(PostgresStoreTest, AVersionThreeCatalogFoldsItsAccentedSearchText) {
  {
    ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
    ASSERT_OK(Migrate(admin, CatalogMigrations().first(3), 1000));
    ASSERT_OK(SeedSearchEntries(admin, "shop", {{{"menu", "Café menu", ""}}}));
    ASSERT_OK(admin.Exec("UPDATE search_documents SET ranked = setweight(to_tsvector('simple', name), 'A')"));
    ASSERT_OK_AND_ASSIGN(Rows before, admin.Query("SELECT count(*) FROM search_documents WHERE ranked @@ 'cafe'::tsquery"));
    ASSERT_EQ(before.Int(0, 0), 0);  // what the test is about: unfolded before
  }
  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(url_));
  ASSERT_OK_AND_ASSIGN(SearchResult found, store->Search({.text = "cafe"}));
  ASSERT_EQ(found.hits.size(), 1u);
  EXPECT_EQ(found.hits[0].product_id, "shop.menu");
  ASSERT_OK_AND_ASSIGN(SearchResult menu, store->Search({.text = "menu"}));  // what was ASCII still matches
  EXPECT_EQ(menu.hits.size(), 1u);
}

TEST_F(PostgresStoreTest, DatabaseWithOtherTablesIsRefusedAndLeftAlone) {
  ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
  ASSERT_OK(admin.Exec("CREATE TABLE invoices (id integer)"));
  auto store = PostgresStore::Open(url_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("is not a weft catalog: it holds other tables (invoices)"));
  ASSERT_OK_AND_ASSIGN(Rows tables, admin.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
  EXPECT_EQ(tables.Int(0, 0), 1);
}

TEST_F(PostgresStoreTest, ConcurrentFirstOpensMigrateOnce) {
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = PostgresStore::Open(url_).status(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(Connection admin, Connection::Open(url_));
  ASSERT_OK_AND_ASSIGN(int64_t version, SchemaVersion(admin));
  EXPECT_EQ(version, static_cast<int64_t>(CatalogMigrations().size()));
}

TEST_F(PostgresStoreTest, ReadsReconnectAfterTheServerDropsTheConnection) {
  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(url_));
  ASSERT_OK_AND_ASSIGN(auto txn, store->BeginWrite());
  ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));
  ASSERT_OK(txn->Commit());
  DropOtherConnections();
  ASSERT_OK_AND_ASSIGN(auto domains, store->ListDomains());
  EXPECT_EQ(domains.size(), 1u);
}

TEST_F(PostgresStoreTest, AWriteWhoseConnectionDropsCommitsNothing) {
  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(url_));
  ASSERT_OK_AND_ASSIGN(std::string before, store->Dump());
  ASSERT_OK_AND_ASSIGN(auto txn, store->BeginWrite());
  ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));
  DropOtherConnections();
  Status commit = txn->Commit();
  EXPECT_EQ(commit.code(), StatusCode::kIoError) << commit.ToString();
  EXPECT_THAT(commit.message(), HasSubstr("lost the connection to the PostgreSQL catalog postgres://weft@"));
  EXPECT_THAT(commit.message(), Not(HasSubstr(password_)));
  txn.reset();
  ASSERT_OK_AND_ASSIGN(std::string after, store->Dump());
  EXPECT_EQ(before, after);
  // The lock went with the connection: the next writer is not blocked.
  ASSERT_OK_AND_ASSIGN(auto next, store->BeginWrite());
  ASSERT_OK(next->UpsertDomain(SampleDomain("sales")));
  ASSERT_OK(next->Commit());
}

// Send prepares each statement once per server session. A pipeline that
// fails leaves no statement the connection believes prepared when it is
// not (a prepare queued after the error never ran), and a reconnect starts
// again with none.
TEST_F(PostgresStoreTest, PreparedWritesSurviveAFailedPipelineAndAReconnect) {
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(url_));
  ASSERT_OK(conn.Exec("CREATE TABLE prepared_writes (k integer PRIMARY KEY)"));
  const std::string insert = "INSERT INTO prepared_writes (k) VALUES ($1)";
  const std::string shifted = "INSERT INTO prepared_writes (k) VALUES ($1 + 100)";
  auto keys = [&]() -> std::vector<std::string> {
    auto rows = conn.Query("SELECT k FROM prepared_writes ORDER BY k");
    if (!rows.ok()) return {rows.status().ToString()};
    std::vector<std::string> out;
    for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Text(i, 0));
    return out;
  };

  ASSERT_OK(conn.Exec("BEGIN"));
  ASSERT_OK(conn.Send(insert, {Param(1)}, "first"));
  ASSERT_OK(conn.Send(insert, {Param(1)}, "the same key"));     // fails: the key is taken
  ASSERT_OK(conn.Send(shifted, {Param(1)}, "after the error"));  // its prepare never runs
  Status failed = conn.Flush();
  EXPECT_THAT(failed.message(), HasSubstr("the same key"));
  ASSERT_OK(conn.Exec("ROLLBACK"));

  ASSERT_OK(conn.Exec("BEGIN"));
  ASSERT_OK(conn.Send(shifted, {Param(5)}, "prepared anew"));
  ASSERT_OK(conn.Send(insert, {Param(2)}, "prepared before"));
  ASSERT_OK(conn.Send(insert, {Param(3)}, "prepared before, again"));
  ASSERT_OK(conn.Exec("COMMIT"));
  EXPECT_EQ(keys(), (std::vector<std::string>{"2", "3", "105"}));

  DropOtherConnections();
  ASSERT_FALSE(conn.Healthy() && conn.Exec("SELECT 1").ok());
  ASSERT_OK(conn.Reset());
  ASSERT_OK(conn.Exec("BEGIN"));
  ASSERT_OK(conn.Send(insert, {Param(4)}, "after the reconnect"));
  ASSERT_OK(conn.Send(shifted, {Param(6)}, "after the reconnect, shifted"));
  ASSERT_OK(conn.Exec("COMMIT"));
  EXPECT_EQ(keys(), (std::vector<std::string>{"2", "3", "4", "105", "106"}));
}

}  // namespace
}  // namespace weft::catalog::postgres
