// Attacks on the gateway (docs/security.md): every attempt must be refused,
// or answered with nothing it should not show. The setting: bob (team
// finance, region EU) holds a grant on crm.customers whose row filter keeps
// his region only, so customer C2 (US) is a filtered row; shop.orders is
// open but its contract filter hides O4 (amount 5000). Whatever an attack
// returns — rows, column names, or the error message — must contain no raw
// PII, nothing of C2 (not even masked), and nothing of O4.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "access/masks.h"
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

  void ExpectNoLeak(const std::string& text, const std::string& where) const {
    for (const auto& f : Forbidden()) EXPECT_EQ(text.find(f), std::string::npos) << where << " leaked '" << f << "': " << text;
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

}  // namespace
}  // namespace weft::query
