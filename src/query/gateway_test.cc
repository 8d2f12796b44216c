// The gateway on a temporary workspace with tests/fixtures/query applied:
// crm.customers (restricted, PII masked: hash, redact, partial:4, year) and
// shop.orders (open, with the contract row filter amount < 1000), published
// from tests/fixtures/query/data. bob (team:finance, region EU) is the
// consumer; olga owns crm. src/query/attack_test.cc tries to get around it.
#include "query/gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/files.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "common/testing/status_matchers.h"
#include "query/testing.h"

namespace weft::query {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using GatewayTest = testing::QueryFixture;

TEST_F(GatewayTest, TheOwningTeamReadsItsProductWhole) {
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("olga@example.com", "SELECT email, card FROM crm.customers ORDER BY 1"));
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(*a.rows[0][0], "ada@example.com");
  EXPECT_EQ(*a.rows[0][1], "4111111111111111");
}

TEST_F(GatewayTest, NoGrantIsRefusedWithTheCommandToRequestIt) {
  auto r = Query("bob", "SELECT * FROM crm.customers");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("no grant on crm.customers_v1 for bob"));
  EXPECT_THAT(r.status().message(), HasSubstr("weft access request crm.customers --purpose"));
  EXPECT_THAT(r.status().message(), HasSubstr("olga@example.com"));
}

TEST_F(GatewayTest, AGrantShowsRowsWithEveryMaskApplied) {
  Grant({.grantee = "bob"});
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("bob", "SELECT customer_id, email, full_name, card, birth_date, region "
                                                   "FROM crm.customers ORDER BY customer_id"));
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(*a.rows[0][1], access::HmacSha256Hex(Key(), "ada@example.com"));
  EXPECT_EQ(*a.rows[0][2], "***");
  EXPECT_EQ(*a.rows[0][3], "************1111");
  EXPECT_EQ(*a.rows[0][4], "1815-01-01");
  EXPECT_EQ(*a.rows[0][5], "EU");
  ExpectNoRawPii(a);
}

TEST_F(GatewayTest, AClearanceLiftsTheMasksOfItsClassificationOnly) {
  Grant({.grantee = "bob", .clearances = {"pii"}});
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("bob", "SELECT email, card FROM crm.customers ORDER BY 1"));
  EXPECT_EQ(*a.rows[0][0], "ada@example.com");
  EXPECT_EQ(*a.rows[0][1], "************1111");  // restricted, not pii
}

TEST_F(GatewayTest, RowFiltersReadThePrincipalsAttributes) {
  Grant({.grantee = "team:finance", .row_filter = "region = $principal.region"});
  ASSERT_OK_AND_ASSIGN(QueryAnswer eu, Query("bob", "SELECT customer_id FROM crm.customers ORDER BY 1"));
  ASSERT_EQ(eu.rows.size(), 2u);
  EXPECT_EQ(*eu.rows[0][0], "C1");
  EXPECT_EQ(*eu.rows[1][0], "C3");
  // fay is in team:finance too but has no region: she sees no row.
  ASSERT_OK_AND_ASSIGN(QueryAnswer none, Query("fay@example.com", "SELECT count(*) FROM crm.customers"));
  EXPECT_EQ(*none.rows[0][0], "0");
}

TEST_F(GatewayTest, AnOpenPortNeedsNoGrantButKeepsTheContractRowFilter) {
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("bob", "SELECT order_id FROM shop.orders ORDER BY 1"));
  ASSERT_EQ(a.rows.size(), 3u);  // O4 (5000.00) is outside amount < 1000
  ASSERT_OK_AND_ASSIGN(QueryAnswer owner, Query("sam@example.com", "SELECT count(*) FROM shop.orders"));
  EXPECT_EQ(*owner.rows[0][0], "4");
}

TEST_F(GatewayTest, AColumnGrantExposesOnlyItsColumns) {
  Grant({.grantee = "bob", .columns = {"customer_id", "region"}});
  ASSERT_OK_AND_ASSIGN(QueryAnswer star, Query("bob", "SELECT * FROM crm.customers"));
  EXPECT_THAT(star.columns, ::testing::ElementsAre("customer_id", "region"));
  auto email = Query("bob", "SELECT email FROM crm.customers");
  ASSERT_FALSE(email.ok());
  EXPECT_THAT(email.status().message(), HasSubstr("you may read: crm.customers (customer_id, region)"));
}

TEST_F(GatewayTest, RevokedAndExpiredGrantsStopAtOnce) {
  int64_t id = Grant({.grantee = "bob"});
  ASSERT_OK(Query("bob", "SELECT count(*) FROM crm.customers").status());
  Revoke(id);
  EXPECT_EQ(Query("bob", "SELECT count(*) FROM crm.customers").status().code(), StatusCode::kPermissionDenied);
  Grant({.grantee = "bob", .expires_at = "2020-01-01T00:00:00.000Z"});
  EXPECT_EQ(Query("bob", "SELECT count(*) FROM crm.customers").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(GatewayTest, EveryQueryIsMeteredAndChargedToTheConsumersDomain) {
  ASSERT_OK(Query("bob", "SELECT sum(amount) FROM shop.orders").status());
  EXPECT_FALSE(Query("bob", "SELECT * FROM crm.customers").ok());
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({}));
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].status, "ok");
  EXPECT_EQ(usage[0].consumer_domain, "finance");
  EXPECT_THAT(usage[0].products, ::testing::ElementsAre("shop.orders_v1"));
  EXPECT_THAT(usage[0].columns, ::testing::ElementsAre("shop.orders_v1.amount"));
  EXPECT_GT(usage[0].rows_scanned, 0);
  EXPECT_GT(usage[0].cost, 0);
  EXPECT_EQ(usage[1].status, "refused");
}

// Bytes scanned is what DuckDB reads of the snapshot's files: close to the
// files' size for SELECT *, the one column's chunks for a narrow query,
// nothing for count(*) (the footers hold it), and the same on a warm engine.
TEST_F(GatewayTest, BytesScannedIsWhatTheEngineReadsOfTheFiles) {
  std::string csv = "order_id,customer_id,amount,region\n";
  for (int i = 0; i < 20000; ++i)
    csv += "O" + std::to_string(i * 7919 % 100003) + ",C" + std::to_string(i % 997) + "," + std::to_string(i % 900) +
           "." + std::to_string(10 + i % 90) + "," + (i % 3 ? "EU" : "US") + "\n";
  PublishFile("shop.orders", "orders_big.csv", csv);
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("shop.orders"));
  std::vector<std::string> files;
  int64_t file_bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(snapshots[0].path))
    if (f.path().extension() == ".parquet") {
      files.push_back(SqlQuote(f.path().string()));
      file_bytes += static_cast<int64_t>(f.file_size());
    }
  ASSERT_FALSE(files.empty());
  auto bytes = [&](const std::string& sql) -> int64_t {
    auto a = Query("sam@example.com", sql);  // the owner reads the snapshot's own files
    EXPECT_OK(a.status()) << sql;
    return a.ok() ? a->usage.bytes_scanned : -1;
  };
  const int64_t all = bytes("SELECT * FROM shop.orders");
  EXPECT_GE(all, file_bytes / 2) << "files " << file_bytes;
  EXPECT_LE(all, file_bytes * 11 / 10) << "files " << file_bytes;
  EXPECT_EQ(bytes("SELECT * FROM shop.orders"), all) << "a warm engine meters the same";
  const int64_t region = bytes("SELECT count(DISTINCT region) FROM shop.orders");
  EXPECT_GT(region, 0);
  EXPECT_LT(region * 5, all) << "one narrow column scans much less than SELECT *";
  EXPECT_EQ(bytes("SELECT count(*) FROM shop.orders"), 0);

  // What DuckDB's Parquet reader really reads, from its own file system log.
  ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({.threads = 1}));
  ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
  ASSERT_OK(conn.Execute("CALL enable_logging('FileSystem')"));
  ASSERT_OK(conn.Execute("SELECT * FROM read_parquet([" + Join(files, ", ") + "])"));
  ASSERT_OK_AND_ASSIGN(engine::QueryResult log,
                       conn.Query("SELECT sum(TRY_CAST(json_extract_string(message, '$.bytes') AS BIGINT))::BIGINT "
                                  "FROM duckdb_logs WHERE type = 'FileSystem'"));
  ASSERT_OK_AND_ASSIGN(int64_t read, log.ScalarInt64());
  EXPECT_GE(all, read * 9 / 10) << "DuckDB read " << read;
  EXPECT_LE(all, read * 11 / 10) << "DuckDB read " << read;
}

TEST_F(GatewayTest, AHardBudgetRefusesAndASoftOneWarns) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->InsertUsage({.at = NowIso(), .principal = "bob", .consumer_domain = "finance", .kind = "query",
                              .cost = 60, .status = "ok"})
                .status());
  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(QueryAnswer warned, Query("bob", "SELECT 1 AS one FROM shop.orders LIMIT 1"));
  ASSERT_FALSE(warned.warnings.empty());
  EXPECT_THAT(warned.warnings[0], HasSubstr("over its soft limit of 50%"));
  ASSERT_OK_AND_ASSIGN(txn, store_->BeginWrite());
  ASSERT_OK(txn->InsertUsage({.at = NowIso(), .principal = "bob", .consumer_domain = "finance", .kind = "query",
                              .cost = 50, .status = "ok"})
                .status());
  ASSERT_OK(txn->Commit());
  auto refused = Query("bob", "SELECT 1 AS one FROM shop.orders LIMIT 1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("has spent its monthly query budget"));
}

TEST_F(GatewayTest, ASnapshotCanBePinned) {
  ASSERT_OK_AND_ASSIGN(auto before, store_->ListSnapshots("shop.orders"));
  PublishFile("shop.orders", "orders_more.csv", "order_id,customer_id,amount,region\nO9,C1,1.00,EU\n");
  ASSERT_OK_AND_ASSIGN(QueryAnswer now, Query("bob", "SELECT count(*) FROM shop.orders"));
  EXPECT_EQ(*now.rows[0][0], "1");
  ASSERT_OK_AND_ASSIGN(QueryAnswer then, Query("bob", "SELECT count(*) FROM shop.orders", before[0].id));
  EXPECT_EQ(*then.rows[0][0], "3");
  ASSERT_OK_AND_ASSIGN(auto customers, store_->ListSnapshots("crm.customers"));
  auto other = Query("bob", "SELECT count(*) FROM shop.orders", customers[0].id);
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
}

TEST_F(GatewayTest, OnlyOneSelectOverProductsIsAccepted) {
  for (const std::string sql : {"DELETE FROM shop.orders", "SELECT 1; SELECT 2", "SELECT * FROM read_csv('/etc/passwd')",
                                "SELECT * FROM 'x.parquet'", "SELECT * FROM information_schema.tables",
                                "SELECT * FROM orders"}) {
    auto r = Query("bob", sql);
    EXPECT_FALSE(r.ok()) << sql;
  }
}

// $1..$n are bound by DuckDB: the query runs with the values, typed where
// declared, and the answer says each column's and parameter's type.
TEST_F(GatewayTest, ParametersAreBoundValues) {
  ASSERT_OK_AND_ASSIGN(QueryAnswer a, Query("bob", QueryRequest{.sql = "SELECT order_id, amount FROM shop.orders "
                                                           "WHERE amount > $1 AND region = $2 ORDER BY 1",
                                                    .parameters = {"15", "EU"}}));
  ASSERT_EQ(a.rows.size(), 1u);
  EXPECT_EQ(*a.rows[0][0], "O3");
  EXPECT_THAT(a.column_types, ::testing::ElementsAre("VARCHAR", "DECIMAL(10,2)"));
  EXPECT_THAT(a.parameter_types, ::testing::ElementsAre("DECIMAL(10,2)", "VARCHAR"));
  ASSERT_OK_AND_ASSIGN(QueryAnswer typed, Query("bob", QueryRequest{.sql = "SELECT $1 + 1, $2 IS NULL FROM shop.orders LIMIT 1",
                                                        .parameters = {"41", std::nullopt},
                                                        .parameter_types = {"INTEGER"}}));
  EXPECT_EQ(*typed.rows[0][0], "42");
  EXPECT_EQ(*typed.rows[0][1], "true");
  EXPECT_THAT(typed.parameter_types, ::testing::ElementsAre("INTEGER", ""));
}

TEST_F(GatewayTest, ParametersMustMatchTheQuery) {
  const std::string sql = "SELECT order_id FROM shop.orders WHERE amount > $1 AND region = $2";
  for (const auto& [request, message] : std::vector<std::pair<QueryRequest, std::string>>{
           {{.sql = sql, .parameters = {"1"}}, "the query takes 2 parameters ($1..$2), but 1 value was given"},
           {{.sql = sql}, "the query takes 2 parameters ($1..$2), but 0 values were given"},
           {{.sql = "SELECT 1 FROM shop.orders", .parameters = {"1"}}, "the query takes 0 parameters, but 1 value was given"},
           {{.sql = sql, .parameters = {"1", "EU"}, .parameter_types = {"INTEGER", "VARCHAR", "DATE"}},
            "the query takes 2 parameters ($1..$2), but 3 parameter types were given"},
           {{.sql = sql, .parameters = {"many", "EU"}}, "Could not convert string \"many\" to DECIMAL(10,2)"},
           {{.sql = sql, .parameters = {"1", "EU"}, .parameter_types = {"INTEGER", "BOOLEAN"}},
            "parameter $2 is not a valid BOOLEAN"},
           {{.sql = "SELECT $name FROM shop.orders"}, "named parameter $name is not allowed"},
       }) {
    auto r = Query("bob", request);
    ASSERT_FALSE(r.ok()) << request.sql;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr(message));
  }
}

// A description prepares the query in the engine of its reach and reads
// nothing: no row, no usage row; refusals are the run's, and recorded.
TEST_F(GatewayTest, DescribeGivesColumnsAndTypesWithoutRunning) {
  ASSERT_OK_AND_ASSIGN(QueryAnswer d, Query("bob", QueryRequest{.sql = "SELECT order_id, amount * 2 AS twice, [region] AS r, "
                                                           "{'a': 1} AS s FROM shop.orders WHERE order_id = $1",
                                                    .describe_only = true}));
  EXPECT_THAT(d.columns, ::testing::ElementsAre("order_id", "twice", "r", "s"));
  EXPECT_THAT(d.column_types, ::testing::ElementsAre("VARCHAR", "DECIMAL(18,2)", "VARCHAR[]", "STRUCT(a INTEGER)"));
  EXPECT_THAT(d.parameter_types, ::testing::ElementsAre("VARCHAR"));
  EXPECT_TRUE(d.rows.empty());
  EXPECT_EQ(d.usage.rows_returned, 0);
  ASSERT_OK_AND_ASSIGN(QueryAnswer untyped, Query("bob", QueryRequest{.sql = "SELECT $1 AS x FROM shop.orders", .describe_only = true}));
  EXPECT_THAT(untyped.column_types, ::testing::ElementsAre(""));
  EXPECT_THAT(untyped.parameter_types, ::testing::ElementsAre(""));
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({}));
  EXPECT_TRUE(usage.empty());

  for (const auto& [principal, sql, code] : std::vector<std::tuple<std::string, std::string, StatusCode>>{
           {"bob", "SELECT * FROM crm.customers WHERE email = $1", StatusCode::kPermissionDenied},
           {"bob", "SELECT * FROM read_csv('/etc/passwd')", StatusCode::kInvalidArgument},
           {"bob", "SELECT nope FROM shop.orders", StatusCode::kInvalidArgument},
           {"bob", "SELECT * FROM shop.nothing", StatusCode::kInvalidArgument},
       }) {
    auto described = Query(principal, QueryRequest{.sql = sql, .describe_only = true});
    auto run = Query(principal, QueryRequest{.sql = sql, .parameters = std::vector<std::optional<std::string>>(sql.find("$1") != std::string::npos ? 1 : 0, "x")});
    ASSERT_FALSE(described.ok()) << sql;
    ASSERT_FALSE(run.ok()) << sql;
    EXPECT_EQ(described.status().code(), code) << described.status().ToString();
    EXPECT_EQ(described.status().ToString(), run.status().ToString());
  }
  ASSERT_OK_AND_ASSIGN(usage, store_->ListUsage({}));
  EXPECT_EQ(usage.size(), 8u);  // each refusal, described or run
}

TEST_F(GatewayTest, ColumnsAreAnnouncedOnceBeforeAnyRow) {
  for (const std::string sql : {"SELECT order_id, amount FROM shop.orders", "SELECT order_id, amount FROM shop.orders WHERE false"}) {
    std::vector<std::string> events;
    ASSERT_OK_AND_ASSIGN(QueryAnswer a,
                         Query("bob", QueryRequest{.sql = sql,
                                       .on_columns = [&](const std::vector<std::string>& names,
                                                         const std::vector<std::string>& types) {
                                         events.push_back("columns " + Join(names, ",") + " " + Join(types, ","));
                                         return Status::Ok();
                                       },
                                       .on_rows = [&](const std::vector<std::string>&, const auto& rows) {
                                         events.push_back("rows " + std::to_string(rows.size()));
                                         return Status::Ok();
                                       }}));
    ASSERT_FALSE(events.empty()) << sql;
    EXPECT_EQ(events[0], "columns order_id,amount VARCHAR,DECIMAL(10,2)");
    EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.starts_with("columns"); }), 1);
    EXPECT_TRUE(a.rows.empty());
  }
  // Its error stops the query, and is the answer.
  auto stopped = Query("bob", QueryRequest{.sql = "SELECT 1 FROM shop.orders", .on_columns = [](const auto&, const auto&) {
                                 return Status::IoError("the client went away");
                               }});
  EXPECT_EQ(stopped.status().ToString(), Status::IoError("the client went away").ToString());
}

// --- the answers of repeated queries (result_cache.h) ---------------------------

TEST_F(GatewayTest, ARepeatedQueryIsAnsweredFromTheCacheAndMeteredTheSame) {
  const std::string sql = "SELECT email, card FROM crm.customers ORDER BY 1";
  ASSERT_OK_AND_ASSIGN(QueryAnswer first, Query("olga@example.com", sql));
  EXPECT_FALSE(first.cached);
  ASSERT_OK_AND_ASSIGN(QueryAnswer again, Query("olga@example.com", sql));
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.rows, first.rows);
  EXPECT_EQ(again.columns, first.columns);
  EXPECT_EQ(again.column_types, first.column_types);
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({}));
  ASSERT_EQ(usage.size(), 2u) << "a cached answer is recorded like any other";
  EXPECT_EQ(usage[0].status, "ok");
  EXPECT_EQ(usage[1].status, "ok");
  EXPECT_EQ(usage[0].bytes_scanned, usage[1].bytes_scanned);
  EXPECT_EQ(usage[0].rows_returned, usage[1].rows_returned);
  EXPECT_THAT(usage[1].columns, ::testing::ElementsAre("crm.customers_v1.card", "crm.customers_v1.email"));
}

TEST_F(GatewayTest, TheCacheNeverAnswersWhatTheCallerMayNotRead) {
  const std::string sql = "SELECT customer_id, email, card FROM crm.customers ORDER BY 1";
  ASSERT_OK(Query("olga@example.com", sql).status());
  ASSERT_OK_AND_ASSIGN(QueryAnswer owner, Query("olga@example.com", sql));
  ASSERT_TRUE(owner.cached);
  // Not granted: refused, however often the owner asked.
  EXPECT_EQ(Query("bob", sql).status().code(), StatusCode::kPermissionDenied);
  // Granted with masks: bob's own masked answer, never the owner's.
  const int64_t grant = Grant({.grantee = "team:finance", .row_filter = "region = $principal.region"});
  ASSERT_OK_AND_ASSIGN(QueryAnswer bob, Query("bob", sql));
  EXPECT_FALSE(bob.cached);
  ExpectNoRawPii(bob);
  EXPECT_EQ(bob.rows.size(), 2u);  // his region's rows
  ASSERT_OK_AND_ASSIGN(QueryAnswer bob_again, Query("bob", sql));
  EXPECT_TRUE(bob_again.cached);
  ExpectNoRawPii(bob_again);
  EXPECT_EQ(bob_again.rows, bob.rows);
  // fay holds the same grant but another region (none): her own answer.
  ASSERT_OK_AND_ASSIGN(QueryAnswer fay, Query("fay@example.com", sql));
  EXPECT_FALSE(fay.cached);
  EXPECT_TRUE(fay.rows.empty());
  // Revoked: refused at once, the kept answer notwithstanding.
  Revoke(grant);
  EXPECT_EQ(Query("bob", sql).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(GatewayTest, ANewSnapshotIsReadInsteadOfTheKeptAnswer) {
  const std::string sql = "SELECT count(*) FROM shop.orders";
  ASSERT_OK_AND_ASSIGN(QueryAnswer before, Query("sam@example.com", sql));
  EXPECT_EQ(*before.rows[0][0], "4");
  ASSERT_OK_AND_ASSIGN(QueryAnswer kept, Query("sam@example.com", sql));
  EXPECT_TRUE(kept.cached);
  PublishFile("shop.orders", "two.csv", "order_id,customer_id,amount,region\nO8,C1,1.00,EU\nO9,C2,2.00,US\n");
  ASSERT_OK_AND_ASSIGN(QueryAnswer after, Query("sam@example.com", sql));
  EXPECT_FALSE(after.cached);
  EXPECT_EQ(*after.rows[0][0], "2");
  // The earlier snapshot, pinned, is the earlier answer.
  ASSERT_OK_AND_ASSIGN(QueryAnswer pinned, Query("sam@example.com", sql, before.relations[0].snapshot_id));
  EXPECT_EQ(*pinned.rows[0][0], "4");
}

TEST_F(GatewayTest, QueriesOfTheClockOrOfChanceRunEveryTime) {
  for (const std::string sql : {"SELECT count(*), max(now()) FROM shop.orders", "SELECT random() FROM shop.orders",
                                "SELECT order_id FROM shop.orders WHERE current_date > DATE '2000-01-01'"}) {
    ASSERT_OK(Query("bob", sql).status()) << sql;
    ASSERT_OK_AND_ASSIGN(QueryAnswer again, Query("bob", sql));
    EXPECT_FALSE(again.cached) << sql;
  }
  // Parameters are part of the question.
  ASSERT_OK_AND_ASSIGN(QueryAnswer one, Query("bob", QueryRequest{.sql = "SELECT count(*) FROM shop.orders WHERE amount > $1", .parameters = {"1000000"}}));
  ASSERT_OK_AND_ASSIGN(QueryAnswer other, Query("bob", QueryRequest{.sql = "SELECT count(*) FROM shop.orders WHERE amount > $1", .parameters = {"0"}}));
  EXPECT_FALSE(other.cached);
  EXPECT_NE(*one.rows[0][0], *other.rows[0][0]);
}

TEST_F(GatewayTest, ACachedAnswerStreamsToItsReceiversAsARunDoes) {
  auto stream = [&](std::vector<std::string>& events) {
    return Query("bob", QueryRequest{.sql = "SELECT order_id, amount FROM shop.orders ORDER BY 1",
                                     .on_columns = [&](const std::vector<std::string>& names, const std::vector<std::string>& types) {
                                       events.push_back("columns " + Join(names, ",") + " " + Join(types, ","));
                                       return Status::Ok();
                                     },
                                     .on_rows = [&](const std::vector<std::string>&, const auto& rows) {
                                       for (const auto& r : rows) events.push_back(*r[0] + " " + *r[1]);
                                       return Status::Ok();
                                     }});
  };
  std::vector<std::string> ran, replayed;
  ASSERT_OK_AND_ASSIGN(QueryAnswer first, stream(ran));
  ASSERT_OK_AND_ASSIGN(QueryAnswer second, stream(replayed));
  EXPECT_FALSE(first.cached);
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(replayed, ran);
  EXPECT_TRUE(second.rows.empty());
  EXPECT_EQ(second.usage.rows_returned, 3);
  // A receiver that fails stops the replay, and its error is the answer.
  auto stopped = Query("bob", QueryRequest{.sql = "SELECT order_id, amount FROM shop.orders ORDER BY 1",
                                           .on_rows = [](const auto&, const auto&) { return Status::IoError("the client went away"); }});
  EXPECT_EQ(stopped.status().ToString(), Status::IoError("the client went away").ToString());
}

}  // namespace
}  // namespace weft::query
