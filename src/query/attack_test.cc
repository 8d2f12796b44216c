// Attacks on the gateway (docs/security.md): every attempt must be refused,
// or answered with nothing it should not show. The setting: bob (team
// finance, region EU) holds a grant on crm.customers whose row filter keeps
// his region only, so customer C2 (US) is a filtered row; shop.orders is
// open but its contract filter hides O4 (amount 5000). Whatever an attack
// returns — rows, column names, or the error message — must contain no raw
// PII, nothing of C2 (not even masked), and nothing of O4.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "access/masks.h"
#include "common/files.h"
#include "common/time.h"
#include "common/strings.h"
#include "query/testing.h"

namespace weft::query {
namespace {

using ::testing::HasSubstr;

class AttackTest : public testing::QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    if (HasFatalFailure()) return;
    grant_ = Grant({.grantee = "bob", .row_filter = "region = $principal.region"});
    ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("crm.customers"));
    snapshot_dir_ = snapshots[0].path;
    snapshot_id_ = snapshots[0].id;
  }

  // What must never appear: raw PII, C2 in any form, O4.
  std::vector<std::string> Forbidden() const {
    std::vector<std::string> out = RawPii();
    for (const char* s : {"5000", "O4", "0004", "1980-"}) out.push_back(s);
    out.push_back(access::HmacSha256Hex(Key(), "bob@example.com"));  // C2's masked email
    return out;
  }

  // Field by field ('|'-separated): a masked value (a hash: 64 hex digits,
  // keyed by the workspace's random secret) may hold "5000" or "0004" by
  // chance, so a hash is checked whole against C2's, everything else for
  // every fragment.
  void ExpectNoLeak(const std::string& text, const std::string& where) const {
    const std::string c2_email = access::HmacSha256Hex(Key(), "bob@example.com");
    for (const std::string& field : Split(text, '|')) {
      const bool hash = field.size() == 64 && field.find_first_not_of("0123456789abcdef") == std::string::npos;
      if (hash) {
        EXPECT_NE(field, c2_email) << where << " leaked C2's masked email: " << text;
        continue;
      }
      for (const auto& f : Forbidden()) EXPECT_EQ(field.find(f), std::string::npos) << where << " leaked '" << f << "': " << text;
    }
  }

  // Runs `sql` as bob: refused, or answered without a leak.
  enum class Expect { kRefused, kAnswered, kEither };
  std::optional<QueryAnswer> Attack(const std::string& sql, Expect expect, const std::string& as = "bob") {
    SCOPED_TRACE(sql);
    auto r = Query(as, sql);
    if (!r.ok()) {
      EXPECT_NE(expect, Expect::kAnswered) << "refused: " << r.status().message();
      ExpectNoLeak(std::string(r.status().message()), "the error");
      return std::nullopt;
    }
    EXPECT_NE(expect, Expect::kRefused) << "answered " << r->rows.size() << " rows";
    std::string all = Join(r->columns, "|");
    for (const auto& row : r->rows)
      for (const auto& cell : row) all += "|" + cell.value_or("NULL");
    ExpectNoLeak(all, "the answer");
    return std::move(*r);
  }

  int64_t grant_ = 0;
  std::string snapshot_dir_, snapshot_id_;
};

// Reading files, catalogs or functions instead of products.
TEST_F(AttackTest, FilesTableFunctionsAndCatalogViewsAreRefused) {
  const std::string ws = (root_ / "ws").string();
  const std::vector<std::string> attacks = {
      "SELECT * FROM '" + snapshot_dir_ + "/part-00000.parquet'",
      "SELECT * FROM read_parquet('" + snapshot_dir_ + "/*.parquet')",
      "SELECT * FROM read_parquet('" + ws + "/domains/**/*.parquet')",
      "SELECT * FROM read_csv('" + Fixtures().string() + "/data/customers.csv')",
      "SELECT * FROM read_csv_auto('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_blob('" + ws + "/secret.key')",
      "SELECT * FROM glob('" + ws + "/*')",
      "SELECT * FROM sniff_csv('" + Fixtures().string() + "/data/customers.csv')",
      "SELECT * FROM read_json('" + ws + "/x.json')",
      "SELECT * FROM parquet_metadata('" + snapshot_dir_ + "/part-00000.parquet')",
      "SELECT * FROM read_parquet('" + ws + "/domains/crm/quarantine/customers/*.parquet')",
      "SELECT * FROM read_csv('" + ws + "/domains/crm/archive/*/customers.csv')",
      "SELECT * FROM query('SELECT * FROM crm.customers')",
      "SELECT * FROM query_table('crm.customers')",
      "SELECT * FROM information_schema.columns",
      "SELECT * FROM information_schema.tables",
      "SELECT sql FROM duckdb_views()",
      "SELECT * FROM duckdb_views",
      "SELECT * FROM duckdb_settings()",
      "SELECT * FROM pg_catalog.pg_views",
      "SELECT * FROM memory.crm.customers",
      "SELECT * FROM crm.customers c, read_csv('/etc/passwd') p",
      "SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n FROM shop.orders",
      "SELECT * FROM shop.orders WHERE order_id IN (SELECT column0 FROM read_csv('/etc/passwd'))",
  };
  for (const auto& sql : attacks) Attack(sql, Expect::kRefused);
}

// Statements other than one SELECT.
TEST_F(AttackTest, OnlyASingleSelectRuns) {
  const std::vector<std::string> attacks = {
      "ATTACH '" + (root_ / "ws/catalog.db").string() + "' AS cat",
      "COPY crm.customers TO '/tmp/weft-leak.csv'",
      "COPY (SELECT * FROM crm.customers) TO '/tmp/weft-leak.csv'",
      "SET enable_external_access = true",
      "RESET lock_configuration",
      "PRAGMA database_list",
      "INSTALL httpfs",
      "LOAD httpfs",
      "EXPORT DATABASE '/tmp/weft-export'",
      "CREATE TABLE t AS SELECT * FROM crm.customers",
      "DROP VIEW crm.customers",
      "SELECT 1; SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM shop.orders; DROP VIEW crm.customers",
      "CALL pragma_version()",
      "EXPLAIN SELECT * FROM crm.customers",
      "CREATE MACRO m() AS 1",
  };
  for (const auto& sql : attacks) Attack(sql, Expect::kRefused);
  EXPECT_FALSE(std::filesystem::exists("/tmp/weft-leak.csv"));
}

// Names that are not what they seem.
TEST_F(AttackTest, NameTricksReachOnlyTheGovernedView) {
  Attack("SELECT * FROM сrm.customers", Expect::kRefused);           // Cyrillic с
  Attack("SELECT * FROM crm.сustomers", Expect::kRefused);           // Cyrillic с
  Attack("SELECT * FROM \"crm.customers\"", Expect::kRefused);       // one quoted name with a dot
  Attack("SELECT * FROM customers", Expect::kRefused);               // no CTE of that name
  Attack("SELECT * FROM crm.customers_v2", Expect::kRefused);        // no such version
  Attack("SELECT * FROM crm.customers_v01", Expect::kRefused);
  for (const std::string sql : {
           "SELECT * FROM CRM.CUSTOMERS",
           "SELECT * FROM \"crm\".\"customers\"",
           "SELECT * FROM crm.customers_v1",
           "SeLeCt EMAIL, Full_Name FROM Crm.Customers",
           "SELECT /* email */ email -- full_name\nFROM crm.customers",
           "WITH crm AS (SELECT 1 AS x) SELECT * FROM crm.customers",
           "WITH customers AS (SELECT * FROM crm.customers) SELECT * FROM customers",
           "WITH RECURSIVE r AS (SELECT email, 1 AS n FROM crm.customers UNION ALL SELECT email, n + 1 FROM r WHERE n < 2) "
           "SELECT * FROM r",
           "SELECT * FROM (SELECT * FROM crm.customers) AS t",
           "SELECT email FROM crm.customers UNION ALL SELECT email FROM crm.customers",
           "SELECT o.order_id, x.email FROM shop.orders o, LATERAL (SELECT email FROM crm.customers c "
           "WHERE c.customer_id = o.customer_id) x",
           "SELECT c.* FROM crm.customers c",
           "SELECT {'e': email, 'n': full_name} AS s FROM crm.customers",
           "SELECT list(email), list(card), list(birth_date) FROM crm.customers",
           "SELECT * FROM crm.customers TABLESAMPLE 100%",
           "SELECT * EXCLUDE (region) FROM crm.customers",
           "SELECT * FROM crm.customers a JOIN crm.customers b USING (email)",
       }) {
    auto a = Attack(sql, Expect::kAnswered);
    if (a) {
      EXPECT_FALSE(a->rows.empty()) << sql;
    }
  }
}

// Inferring a masked value without seeing it.
TEST_F(AttackTest, PredicatesSeeOnlyMaskedValues) {
  for (const std::string sql : {
           "SELECT customer_id FROM crm.customers WHERE email = 'ada@example.com'",
           "SELECT customer_id FROM crm.customers WHERE email LIKE 'ada%'",
           "SELECT customer_id FROM crm.customers WHERE full_name = 'Ada Lovelace'",
           "SELECT customer_id FROM crm.customers WHERE card = '4111111111111111'",
           "SELECT customer_id FROM crm.customers WHERE birth_date = DATE '1815-12-10'",
           "SELECT v.x FROM crm.customers c JOIN (VALUES ('ada@example.com')) v(x) ON c.email = v.x",
           "SELECT customer_id FROM crm.customers WHERE starts_with(card, '4111')",
           "SELECT customer_id FROM crm.customers WHERE email = sha256('ada@example.com')",
       }) {
    auto a = Attack(sql, Expect::kAnswered);
    if (a) {
      EXPECT_TRUE(a->rows.empty()) << sql;
    }
  }
  auto grouped = Attack("SELECT email, count(*) FROM crm.customers GROUP BY email ORDER BY email", Expect::kAnswered);
  ASSERT_TRUE(grouped);
  for (const auto& row : grouped->rows) EXPECT_EQ(row[0]->size(), 64u);  // hashes only
  auto ordered = Attack("SELECT customer_id FROM crm.customers ORDER BY full_name, card", Expect::kAnswered);
  auto lengths = Attack("SELECT DISTINCT length(email), length(full_name) FROM crm.customers", Expect::kAnswered);
  ASSERT_TRUE(lengths);
  ASSERT_EQ(lengths->rows.size(), 1u);  // every value masked to one length
  Attack("SELECT CAST(email AS INTEGER) FROM crm.customers", Expect::kEither);
  Attack("SELECT customer_id FROM crm.customers WHERE CAST(full_name AS INTEGER) = 1", Expect::kEither);
}

// Counting rows a filter hides.
TEST_F(AttackTest, AggregatesCountOnlyVisibleRows) {
  auto count = Attack("SELECT count(*) FROM crm.customers", Expect::kAnswered);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count->rows[0][0], "2");
  for (const std::string sql : {
           "SELECT count(*) FROM crm.customers WHERE region = 'US'",
           "SELECT count(*) FROM crm.customers WHERE region <> $$EU$$",
           "SELECT customer_id FROM crm.customers WHERE customer_id = 'C2'",
           "SELECT order_id FROM shop.orders WHERE amount >= 1000",
           "SELECT order_id FROM shop.orders WHERE order_id = 'O4'",
       }) {
    auto a = Attack(sql, Expect::kAnswered);
    if (a && !a->rows.empty()) {
      EXPECT_EQ(a->rows[0][0].value_or("0"), "0") << sql;
    }
  }
  auto sum = Attack("SELECT sum(amount), max(amount), count(*) FROM shop.orders", Expect::kAnswered);
  ASSERT_TRUE(sum);
  EXPECT_EQ(*sum->rows[0][0], "60.00");
  EXPECT_EQ(*sum->rows[0][2], "3");
  auto window = Attack("SELECT count(*) OVER () FROM crm.customers LIMIT 1", Expect::kAnswered);
  ASSERT_TRUE(window);
  EXPECT_EQ(*window->rows[0][0], "2");
  auto exists = Attack("SELECT 1 FROM shop.orders WHERE EXISTS (SELECT 1 FROM crm.customers WHERE region = 'US')",
                       Expect::kAnswered);
  ASSERT_TRUE(exists);
  EXPECT_TRUE(exists->rows.empty());
  Attack("SELECT customer_id FROM crm.customers WHERE 1 / (CASE WHEN region = 'US' THEN 0 ELSE 1 END) = 1", Expect::kEither);
}

// Grants that no longer hold, or never held for this reader.
TEST_F(AttackTest, GrantsOutOfForceAndOtherReadersAreRefused) {
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused, "eve");
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused, "fay@example.com");  // bob's grant is bob's
  Revoke(grant_);
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused);
  Grant({.grantee = "bob", .expires_at = "2000-01-01T00:00:00.000Z"});
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused);
  Grant({.grantee = "domain:sales"});  // another domain's grant
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused);
  Grant({.grantee = "team:marketing"});
  Attack("SELECT count(*) FROM crm.customers", Expect::kRefused);
  // Pinning a snapshot does not bypass the grant.
  auto pinned = Query("eve", "SELECT * FROM crm.customers", snapshot_id_);
  ASSERT_FALSE(pinned.ok());
  EXPECT_EQ(pinned.status().code(), StatusCode::kPermissionDenied);
  ExpectNoLeak(std::string(pinned.status().message()), "the error");
}

// A grant limited to some columns exposes no other, by any route.
TEST_F(AttackTest, ColumnGrantsHoldEverywhere) {
  Revoke(grant_);
  Grant({.grantee = "bob", .columns = {"customer_id", "region"}, .row_filter = "region = $principal.region"});
  for (const std::string sql : {
           "SELECT email FROM crm.customers",
           "SELECT customer_id FROM crm.customers WHERE email IS NOT NULL",
           "SELECT customer_id FROM crm.customers ORDER BY card",
           "SELECT count(DISTINCT full_name) FROM crm.customers",
           "SELECT c.birth_date FROM crm.customers c",
       })
    Attack(sql, Expect::kRefused);
  auto star = Attack("SELECT * FROM crm.customers", Expect::kAnswered);
  ASSERT_TRUE(star);
  EXPECT_THAT(star->columns, ::testing::ElementsAre("customer_id", "region"));
}

// Finding: a scalar subquery left of the JSON arrow parsed as a LAMBDA whose
// lhs no walker visited, so any table function passed; with the raw
// snapshot directory in the sandbox, bob read every customer unmasked.
TEST_F(AttackTest, TheArrowLambdaCannotSmuggleATableFunction) {
  const std::string ws = (root_ / "ws").string();
  for (const std::string& sql : std::vector<std::string>{
           "SELECT (SELECT string_agg(email, ',') FROM read_parquet('" + snapshot_dir_ + "/*.parquet')) -> '$' FROM shop.orders",
           "SELECT (SELECT content FROM read_text('" + ws + "/tmp/*')) -> '$'",
           "SELECT (SELECT count(*) FROM glob('" + ws + "/**')) -> '$'",
           "SELECT (SELECT * FROM query('SELECT 1')) -> '$'",
           "SELECT (SELECT sql FROM duckdb_views() LIMIT 1) -> '$'",
           "SELECT (SELECT 1 FROM parquet_metadata('" + snapshot_dir_ + "/part-00000.parquet')) ->> '$'",
           "SELECT list_transform([1], x -> (SELECT email FROM read_parquet('" + snapshot_dir_ + "/*.parquet') LIMIT 1))",
       })
    Attack(sql, Expect::kRefused);
}

// Finding: pg_get_viewdef() returned the session views' SQL with the HMAC
// key's pad blocks in it; current_setting() named paths.
TEST_F(AttackTest, NoViewDefinitionSettingOrKeyIsReachable) {
  for (const std::string sql : {
           "SELECT pg_get_viewdef('crm.customers')",
           "SELECT current_setting('allowed_directories')",
           "SELECT current_setting('temp_directory')",
           "SELECT getvariable('key')",
           "SELECT email, (SELECT 1) -> pg_get_viewdef('crm.customers') FROM crm.customers",
       })
    Attack(sql, Expect::kRefused);
}

// The first line, tested without the second: the engine a query of bob's
// runs in is given bob's reach, and even SQL the allow-list would refuse
// finds nothing else there — not the raw snapshot, not the workspace's
// uploads, not the key.
TEST_F(AttackTest, BobsEngineCannotReachWhatBobMayNotSee) {
  ASSERT_OK_AND_ASSIGN(access::Principal bob, access::LoadPrincipal(*store_, "bob"));
  auto is_type = [this](const std::string& t) { return parser_->IsType(t); };
  ASSERT_OK_AND_ASSIGN(access::AccessControl ac,
                       access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = key_, .is_duckdb_type = is_type}));
  ASSERT_OK_AND_ASSIGN(access::ReadAccess read, ac.Authorize(bob, "crm.customers", 1, "1.0.0", NowIso()));
  ASSERT_FALSE(read.whole);
  ASSERT_OK_AND_ASSIGN(ReadableSnapshot readable, Runtime().copies().For(snapshot_id_, snapshot_dir_, read));
  EXPECT_TRUE(readable.copy);
  for (const auto& f : readable.files) EXPECT_EQ(f.find(snapshot_dir_), std::string::npos) << f;
  ASSERT_OK_AND_ASSIGN(EnginePool::Lease lease, Runtime().engines().Acquire({{"crm.customers", readable.files}}));

  // An upload another user's publish is reading right now.
  std::filesystem::create_directories(root_ / "ws/tmp/api-upload");
  ASSERT_OK(WriteStringToFile(root_ / "ws/tmp/api-upload/upload.csv", "email\nada@example.com\n", true));
  const std::string ws = (root_ / "ws").string();
  for (const std::string& sql : std::vector<std::string>{
           "SELECT * FROM read_parquet('" + snapshot_dir_ + "/*.parquet')",
           "SELECT * FROM read_parquet('" + ws + "/domains/**/*.parquet')",
           "SELECT * FROM read_csv('" + ws + "/tmp/api-upload/upload.csv')",
           "SELECT * FROM read_csv('" + Fixtures().string() + "/data/customers.csv')",
           "SELECT * FROM read_blob('" + ws + "/secret.key')",
           "SELECT * FROM glob('" + ws + "/*')",
       }) {
    auto r = lease.conn().QuerySelect(sql);
    EXPECT_FALSE(r.ok()) << sql;
    if (!r.ok()) ExpectNoLeak(std::string(r.status().message()), sql);
  }
  // What the engine does hold: views over the governed copy, whose SQL
  // carries no key and no raw path; no mask function to call with the key.
  ASSERT_OK_AND_ASSIGN(auto views, lease.conn().QuerySelect("SELECT string_agg(sql, ' ') FROM duckdb_views() WHERE NOT internal"));
  ASSERT_OK_AND_ASSIGN(auto rows, views.FetchAllAsStrings());
  const std::string defs = rows.at(0).at(0).value_or("");
  EXPECT_EQ(defs.find(snapshot_dir_), std::string::npos) << defs;
  EXPECT_EQ(defs.find("unhex"), std::string::npos) << defs;
  EXPECT_FALSE(lease.conn().QuerySelect("SELECT weft_hmac('ada@example.com')").ok());
  ASSERT_OK_AND_ASSIGN(auto all, lease.conn().QuerySelect("SELECT * FROM crm.customers"));
  ASSERT_OK_AND_ASSIGN(auto all_rows, all.FetchAllAsStrings());
  std::string text;
  for (const auto& row : all_rows)
    for (const auto& cell : row) text += cell.value_or("NULL") + "|";
  ExpectNoLeak(text, "the whole view");
  EXPECT_EQ(all_rows.size(), 2u);
}

// A row filter that fails on a value while the copy is built says so
// without quoting the value.
TEST_F(AttackTest, AFailingRowFilterDoesNotQuoteTheValue) {
  Revoke(grant_);
  Grant({.grantee = "bob", .row_filter = "CAST(email AS INTEGER) > 0"});
  auto r = Attack("SELECT count(*) FROM crm.customers", Expect::kRefused);
  EXPECT_FALSE(r.has_value());
}

// Copies are per profile: another reader's rights never reach bob through
// a shared engine or copy, whichever ran first.
TEST_F(AttackTest, AWholeReaderBeforeBobLeavesBobNothing) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->ReplaceMemberships("principal:olga", {{.group = "team:crm", .principal = "olga", .role = "member",
                                                         .source = "principal:olga"}}));
  ASSERT_OK(txn->UpsertPrincipal({.name = "olga", .kind = "user"}));
  ASSERT_OK(txn->Commit());
  auto owner = Query("olga", "SELECT * FROM crm.customers");
  ASSERT_OK(owner);
  EXPECT_EQ(owner->rows.size(), 3u);
  Attack("SELECT * FROM crm.customers", Expect::kAnswered);
  Attack("SELECT email, full_name, card FROM crm.customers", Expect::kAnswered);
}

// A query that runs past the workspace's limit is stopped with a clear error.
TEST_F(AttackTest, ARunawayQueryStopsAtTheTimeLimit) {
  ASSERT_OK(WriteStringToFile(root_ / "ws/weft.yaml",
                              "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                              "rateCard: {cpuSecond: 1.0, gbScanned: 1.0}\nmasking: {pii: hash, restricted: redact}\n"
                              "query: {timeoutSeconds: 0.5}\n",
                              true));
  ASSERT_OK_AND_ASSIGN(ws_, control::LoadWorkspace(root_ / "ws"));
  runtime_.reset();
  const auto start = std::chrono::steady_clock::now();
  auto r = Query("bob", "SELECT count(*) FROM shop.orders a, shop.orders b, shop.orders c, range(100000) d(x), "
                        "range(100000) e(y) WHERE x + y > 0");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  // range() in FROM is a table function: the allow-list refuses it first.
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = Query("bob", "SELECT count(*) FROM shop.orders a, shop.orders b, shop.orders c, "
                   "(SELECT unnest(generate_series(1, 100000)) AS x) d, (SELECT unnest(generate_series(1, 100000)) AS y) e "
                   "WHERE x + y > 0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().message();
  EXPECT_THAT(r.status().message(), HasSubstr("timeoutSeconds"));
  EXPECT_LT(seconds, 30);
}

// One principal cannot hold more than its share of query slots.
TEST_F(AttackTest, APrincipalsConcurrentQueriesAreLimited) {
  std::vector<QueryRuntime::Admission> held;
  for (int i = 0; i < Runtime().options().concurrent_per_principal; ++i) {
    auto a = Runtime().Admit("bob");
    ASSERT_OK(a);
    held.push_back(std::move(*a));
  }
  auto r = Query("bob", "SELECT count(*) FROM shop.orders");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_OK(Query("eve", "SELECT count(*) FROM shop.orders").status());  // others are not held up
  held.clear();
  EXPECT_OK(Query("bob", "SELECT count(*) FROM shop.orders").status());
}

TEST_F(AttackTest, ShutdownStopsRunningQueriesAndRefusesNewOnes) {
  std::thread stopper([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Runtime().Shutdown();
  });
  auto r = Query("bob", "SELECT count(*) FROM shop.orders a, (SELECT unnest(generate_series(1, 200000)) AS x) d, "
                        "(SELECT unnest(generate_series(1, 200000)) AS y) e WHERE x + y > 0");
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status().message();
  auto later = Query("bob", "SELECT 1 FROM shop.orders");
  EXPECT_EQ(later.status().code(), StatusCode::kCancelled);
}

// Parameters (the wire protocol's $1..$n) are values bound by DuckDB: a
// value compares with what bob's engine holds — masked values of visible
// rows — and SQL in a value is only text.
TEST_F(AttackTest, ParametersAreOnlyValuesOverTheGovernedView) {
  auto with = [&](const std::string& sql, std::vector<std::optional<std::string>> values, Expect expect,
                  bool describe = false) -> std::optional<QueryAnswer> {
    SCOPED_TRACE(sql);
    auto r = Query("bob", QueryRequest{.sql = sql, .parameters = std::move(values), .describe_only = describe});
    if (!r.ok()) {
      EXPECT_NE(expect, Expect::kAnswered) << "refused: " << r.status().message();
      ExpectNoLeak(std::string(r.status().message()), "the error");
      return std::nullopt;
    }
    EXPECT_NE(expect, Expect::kRefused) << "answered " << r->rows.size() << " rows";
    std::string all = Join(r->columns, "|") + "|" + Join(r->column_types, "|");
    for (const auto& row : r->rows)
      for (const auto& cell : row) all += "|" + cell.value_or("NULL");
    ExpectNoLeak(all, "the answer");
    return std::move(*r);
  };
  const std::string ada_hash = access::HmacSha256Hex(Key(), "ada@example.com");
  // A raw value finds nothing; the masked one bob sees finds its row.
  for (const std::string raw : {"ada@example.com", "Ada Lovelace", "4111111111111111"}) {
    auto a = with("SELECT customer_id FROM crm.customers WHERE email = $1 OR full_name = $1 OR card = $1", {raw},
                  Expect::kAnswered);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->rows.empty()) << raw;
  }
  auto masked = with("SELECT customer_id FROM crm.customers WHERE email = $1", {ada_hash}, Expect::kAnswered);
  ASSERT_TRUE(masked);
  ASSERT_EQ(masked->rows.size(), 1u);
  EXPECT_EQ(*masked->rows[0][0], "C1");
  // A filtered row stays out of reach, whatever the value.
  for (const std::string v : {"C2", "US"}) {
    auto a = with("SELECT count(*) FROM crm.customers WHERE customer_id = $1 OR region = $1", {v}, Expect::kAnswered);
    ASSERT_TRUE(a);
    EXPECT_EQ(*a->rows[0][0], "0") << v;
  }
  auto birth = with("SELECT count(*) FROM crm.customers WHERE birth_date = $1::DATE", {"1815-12-10"}, Expect::kAnswered);
  ASSERT_TRUE(birth);
  EXPECT_EQ(*birth->rows[0][0], "0");
  // SQL in a value is a value: never parsed, never a second statement.
  for (const std::string& v : std::vector<std::string>{"' OR '1'='1", "x' UNION SELECT email FROM crm.customers --", "1; SELECT * FROM crm.customers",
                               "'); SELECT * FROM read_parquet('" + snapshot_dir_ + "/*.parquet'); --",
                               "' || (SELECT string_agg(email, ',') FROM crm.customers) || '"}) {
    auto a = with("SELECT customer_id, $1 AS v FROM crm.customers WHERE customer_id = $1", {v}, Expect::kAnswered);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->rows.empty()) << v;
  }
  // A value cannot name a column: a column outside the grant stays out.
  Revoke(grant_);
  Grant({.grantee = "bob", .columns = {"customer_id", "region"}, .row_filter = "region = $principal.region"});
  auto named = with("SELECT $1 AS email FROM crm.customers ORDER BY customer_id", {"email"}, Expect::kAnswered);
  ASSERT_TRUE(named);
  for (const auto& row : named->rows) EXPECT_EQ(*row[0], "email");
  with("SELECT COLUMNS($1) FROM crm.customers", {"email"}, Expect::kRefused);
  with("SELECT COLUMNS($1) FROM crm.customers", {}, Expect::kRefused, true);
  with("SELECT * LIKE $1 FROM crm.customers", {"%mail%"}, Expect::kRefused);
  with("SELECT customer_id FROM crm.customers WHERE email = $1", {ada_hash}, Expect::kRefused);
  with("SELECT customer_id FROM crm.customers WHERE email = $1", {}, Expect::kRefused, true);
  with("SELECT $secret FROM crm.customers", {}, Expect::kRefused);
  // Nor a position: DuckDB takes no parameter in ORDER BY or GROUP BY.
  with("SELECT customer_id, region FROM crm.customers ORDER BY $1", {"2"}, Expect::kRefused);
  with("SELECT count(*) FROM crm.customers GROUP BY $1", {"1"}, Expect::kRefused);
}

}  // namespace
}  // namespace weft::query
