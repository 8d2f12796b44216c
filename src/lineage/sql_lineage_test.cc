#include "lineage/sql_lineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::lineage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const InputSchemas& Inputs() {
  static const InputSchemas k = {
      {"sales.orders", {"order_id", "customer_id", "order_ts", "status", "amount", "currency", "channel"}},
      {"customer.customers", {"customer_id", "name", "country", "email"}},
      {"sales.orders_v1", {"order_id", "customer_id", "amount"}},
      {"sales.refunds", {"order_id", "refund_amount", "currency"}},
  };
  return k;
}

class SqlLineageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto v = engine::DuckDbSqlValidator::Create();
    ASSERT_OK(v);
    validator_ = std::move(*v).release();
  }
  static void TearDownTestSuite() {
    delete validator_;
    validator_ = nullptr;
  }

  static Result<SqlLineage> Analyze(const std::string& sql, const InputSchemas& inputs = Inputs()) {
    ASSIGN_OR_RETURN(nlohmann::json ast, validator_->SerializeSql(sql));
    return AnalyzeSelect(ast, inputs, sql);
  }

  // "relation.column" strings of one output column's sources.
  static std::vector<std::string> Sources(const SqlLineage& l, const std::string& column) {
    std::vector<std::string> out;
    for (const auto& c : l.columns)
      if (c.name == column)
        for (const auto& s : c.sources) out.push_back(s.ToString());
    return out;
  }
  static DerivationKind Kind(const SqlLineage& l, const std::string& column) {
    for (const auto& c : l.columns)
      if (c.name == column) return c.kind;
    ADD_FAILURE() << "no output column " << column;
    return DerivationKind::kDirect;
  }
  static std::vector<std::string> Names(const SqlLineage& l) {
    std::vector<std::string> out;
    for (const auto& c : l.columns) out.push_back(c.name);
    return out;
  }
  static std::vector<std::string> Referenced(const SqlLineage& l) {
    std::vector<std::string> out;
    for (const auto& r : l.referenced) out.push_back(r.ToString());
    return out;
  }

  static engine::DuckDbSqlValidator* validator_;
};

engine::DuckDbSqlValidator* SqlLineageTest::validator_ = nullptr;

TEST_F(SqlLineageTest, DirectColumnsKeepTheirNamesAndOrdinals) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze("SELECT o.order_id, o.amount AS total FROM sales.orders o"));
  EXPECT_THAT(Names(l), ElementsAre("order_id", "total"));
  EXPECT_EQ(l.columns[1].ordinal, 2u);
  EXPECT_THAT(Sources(l, "total"), ElementsAre("sales.orders.amount"));
  EXPECT_EQ(Kind(l, "total"), DerivationKind::kDirect);
  EXPECT_THAT(l.relations, ElementsAre("sales.orders"));
}

TEST_F(SqlLineageTest, UnqualifiedColumnsMatchCaseInsensitivelyAndFullNamesQualify) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze("SELECT ORDER_ID, Sales.Orders.Amount FROM SALES.ORDERS"));
  EXPECT_THAT(Sources(l, "ORDER_ID"), ElementsAre("sales.orders.order_id"));
  EXPECT_THAT(Sources(l, "Amount"), ElementsAre("sales.orders.amount"));
}

TEST_F(SqlLineageTest, ExpressionsCollectEveryOperand) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT amount * CASE currency WHEN 'EUR' THEN 1 ELSE 2 END AS eur,
           CAST(order_ts AS DATE) AS day,
           COALESCE(status, channel) AS s,
           42 AS answer,
           upper(channel) || '-' || status AS label
    FROM sales.orders)"));
  EXPECT_THAT(Sources(l, "eur"), UnorderedElementsAre("sales.orders.amount", "sales.orders.currency"));
  EXPECT_EQ(Kind(l, "eur"), DerivationKind::kExpression);
  EXPECT_THAT(Sources(l, "day"), ElementsAre("sales.orders.order_ts"));
  EXPECT_EQ(Kind(l, "day"), DerivationKind::kExpression);
  EXPECT_THAT(Sources(l, "s"), UnorderedElementsAre("sales.orders.status", "sales.orders.channel"));
  EXPECT_THAT(Sources(l, "answer"), IsEmpty());
  EXPECT_THAT(Sources(l, "label"), UnorderedElementsAre("sales.orders.channel", "sales.orders.status"));
}

TEST_F(SqlLineageTest, JoinOnKeepsJoinKeysOutOfOutputsButInReferenced) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT o.order_id, c.country
    FROM sales.orders o JOIN customer.customers c ON o.customer_id = c.customer_id
    WHERE c.email IS NOT NULL)"));
  EXPECT_THAT(Sources(l, "country"), ElementsAre("customer.customers.country"));
  EXPECT_THAT(l.relations, ElementsAre("customer.customers", "sales.orders"));
  EXPECT_THAT(Referenced(l), UnorderedElementsAre("customer.customers.country", "customer.customers.customer_id",
                                                  "customer.customers.email", "sales.orders.customer_id",
                                                  "sales.orders.order_id"));
}

TEST_F(SqlLineageTest, JoinUsingMergesTheKeyFromBothSides) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l,
                       Analyze("SELECT customer_id, name FROM sales.orders JOIN customer.customers USING (customer_id)"));
  EXPECT_THAT(Sources(l, "customer_id"),
              UnorderedElementsAre("customer.customers.customer_id", "sales.orders.customer_id"));
  EXPECT_EQ(Kind(l, "customer_id"), DerivationKind::kDirect);
}

TEST_F(SqlLineageTest, StarAfterUsingShowsTheKeyOnce) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l,
                       Analyze("SELECT * FROM sales.orders_v1 JOIN customer.customers USING (customer_id)"));
  EXPECT_THAT(Names(l), ElementsAre("order_id", "customer_id", "amount", "name", "country", "email"));
  EXPECT_THAT(Sources(l, "customer_id"),
              UnorderedElementsAre("customer.customers.customer_id", "sales.orders_v1.customer_id"));
}

TEST_F(SqlLineageTest, NaturalJoinMergesCommonColumns) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze("SELECT * FROM sales.orders_v1 NATURAL JOIN sales.refunds"));
  EXPECT_THAT(Names(l), ElementsAre("order_id", "customer_id", "amount", "refund_amount", "currency"));
  EXPECT_THAT(Sources(l, "order_id"), UnorderedElementsAre("sales.orders_v1.order_id", "sales.refunds.order_id"));
}

TEST_F(SqlLineageTest, AggregatesWithGroupBy) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT channel, count(*) AS n, count(DISTINCT customer_id) AS customers,
           sum(amount) FILTER (WHERE status = 'paid') AS paid, max(amount) - min(amount) AS spread
    FROM sales.orders GROUP BY channel HAVING count(*) > 1)"));
  EXPECT_EQ(Kind(l, "channel"), DerivationKind::kDirect);
  EXPECT_EQ(Kind(l, "n"), DerivationKind::kAggregate);
  EXPECT_THAT(Sources(l, "n"), IsEmpty());
  EXPECT_THAT(Sources(l, "customers"), ElementsAre("sales.orders.customer_id"));
  // FILTER picks rows: status is referenced, not a source of the value.
  EXPECT_THAT(Sources(l, "paid"), ElementsAre("sales.orders.amount"));
  EXPECT_THAT(Referenced(l), ::testing::Contains("sales.orders.status"));
  EXPECT_EQ(Kind(l, "spread"), DerivationKind::kAggregate);
}

TEST_F(SqlLineageTest, GroupByAllAndGroupByAlias) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT CAST(order_ts AS DATE) AS day, sum(amount) AS total FROM sales.orders GROUP BY day ORDER BY day)"));
  EXPECT_THAT(Sources(l, "day"), ElementsAre("sales.orders.order_ts"));
  ASSERT_OK(Analyze("SELECT channel, sum(amount) FROM sales.orders GROUP BY ALL"));
}

TEST_F(SqlLineageTest, WindowFunctionsIncludePartitionAndOrder) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT order_id,
           row_number() OVER (PARTITION BY customer_id ORDER BY order_ts) AS rn,
           sum(amount) OVER (PARTITION BY channel) AS channel_total
    FROM sales.orders QUALIFY rn = 1)"));
  EXPECT_EQ(Kind(l, "rn"), DerivationKind::kWindow);
  EXPECT_THAT(Sources(l, "rn"), UnorderedElementsAre("sales.orders.customer_id", "sales.orders.order_ts"));
  EXPECT_THAT(Sources(l, "channel_total"), UnorderedElementsAre("sales.orders.amount", "sales.orders.channel"));
}

TEST_F(SqlLineageTest, CtesChainedAndAggregatedKeepTheStrongestKind) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    WITH base AS (SELECT customer_id AS cid, amount FROM sales.orders WHERE status <> 'x'),
         per_customer AS (SELECT cid, sum(amount) AS total FROM base GROUP BY cid),
         ranked(id, spend) AS (SELECT cid, total FROM per_customer)
    SELECT id, spend, spend * 2 AS doubled FROM ranked)"));
  EXPECT_THAT(Sources(l, "id"), ElementsAre("sales.orders.customer_id"));
  EXPECT_EQ(Kind(l, "id"), DerivationKind::kDirect);
  EXPECT_THAT(Sources(l, "spend"), ElementsAre("sales.orders.amount"));
  EXPECT_EQ(Kind(l, "spend"), DerivationKind::kAggregate);
  EXPECT_EQ(Kind(l, "doubled"), DerivationKind::kAggregate);
  EXPECT_THAT(Referenced(l), ::testing::Contains("sales.orders.status"));
}

TEST_F(SqlLineageTest, MaterializedAndRecursiveCtes) {
  ASSERT_OK_AND_ASSIGN(SqlLineage m,
                       Analyze("WITH m AS MATERIALIZED (SELECT amount FROM sales.orders) SELECT amount AS a FROM m"));
  EXPECT_THAT(Sources(m, "a"), ElementsAre("sales.orders.amount"));
  ASSERT_OK_AND_ASSIGN(SqlLineage r, Analyze(R"(
    WITH RECURSIVE r(id, depth) AS (
      SELECT order_id, 0 FROM sales.orders
      UNION ALL SELECT r.id, depth + customer_id FROM r JOIN sales.orders o ON o.order_id = r.id WHERE depth < 3)
    SELECT id, depth FROM r)"));
  EXPECT_THAT(Sources(r, "id"), ElementsAre("sales.orders.order_id"));
  EXPECT_THAT(Sources(r, "depth"), ElementsAre("sales.orders.customer_id"));
}

TEST_F(SqlLineageTest, SubqueriesInFromWithColumnAliases) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT t.k, t.v + 1 AS v1 FROM (SELECT customer_id, amount FROM sales.orders) AS t(k, v))"));
  EXPECT_THAT(Sources(l, "k"), ElementsAre("sales.orders.customer_id"));
  EXPECT_THAT(Sources(l, "v1"), ElementsAre("sales.orders.amount"));
}

TEST_F(SqlLineageTest, ScalarAndCorrelatedSubqueries) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT c.customer_id,
           (SELECT sum(o.amount) FROM sales.orders o WHERE o.customer_id = c.customer_id) AS spend,
           EXISTS (SELECT 1 FROM sales.refunds r WHERE r.currency = 'EUR') AS has_refunds,
           c.country IN (SELECT channel FROM sales.orders) AS odd
    FROM customer.customers c)"));
  EXPECT_THAT(Sources(l, "spend"), ElementsAre("sales.orders.amount"));
  EXPECT_EQ(Kind(l, "spend"), DerivationKind::kAggregate);
  EXPECT_THAT(Sources(l, "has_refunds"), IsEmpty());
  EXPECT_THAT(Sources(l, "odd"), UnorderedElementsAre("customer.customers.country", "sales.orders.channel"));
  EXPECT_THAT(Referenced(l), ::testing::IsSupersetOf({"sales.orders.customer_id", "sales.refunds.currency"}));
}

TEST_F(SqlLineageTest, SetOperationsPairColumnsByPosition) {
  ASSERT_OK_AND_ASSIGN(SqlLineage u, Analyze(R"(
    SELECT order_id AS id, amount FROM sales.orders
    UNION ALL SELECT order_id, -refund_amount FROM sales.refunds
    ORDER BY id)"));
  EXPECT_THAT(Names(u), ElementsAre("id", "amount"));
  EXPECT_THAT(Sources(u, "id"), UnorderedElementsAre("sales.orders.order_id", "sales.refunds.order_id"));
  EXPECT_THAT(Sources(u, "amount"), UnorderedElementsAre("sales.orders.amount", "sales.refunds.refund_amount"));
  ASSERT_OK_AND_ASSIGN(SqlLineage e,
                       Analyze("SELECT order_id FROM sales.orders EXCEPT SELECT order_id FROM sales.refunds"));
  EXPECT_THAT(Sources(e, "order_id"), ElementsAre("sales.orders.order_id"));
  EXPECT_THAT(Referenced(e), ::testing::Contains("sales.refunds.order_id"));
  ASSERT_OK_AND_ASSIGN(SqlLineage n, Analyze(R"(
    SELECT order_id, amount FROM sales.orders UNION BY NAME SELECT refund_amount, order_id FROM sales.refunds)"));
  EXPECT_THAT(Names(n), ElementsAre("order_id", "amount", "refund_amount"));
  EXPECT_THAT(Sources(n, "order_id"), UnorderedElementsAre("sales.orders.order_id", "sales.refunds.order_id"));
  EXPECT_THAT(Analyze("SELECT order_id, amount FROM sales.orders UNION SELECT order_id FROM sales.refunds").status().message(),
              HasSubstr("UNION sides return 2 and 1 columns"));
}

TEST_F(SqlLineageTest, StarAndQualifiedStar) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze("SELECT * FROM sales.refunds"));
  EXPECT_THAT(Names(l), ElementsAre("order_id", "refund_amount", "currency"));
  ASSERT_OK_AND_ASSIGN(SqlLineage q, Analyze(
      "SELECT c.*, o.amount FROM sales.orders o JOIN customer.customers c ON o.customer_id = c.customer_id"));
  EXPECT_THAT(Names(q), ElementsAre("customer_id", "name", "country", "email", "amount"));
  EXPECT_THAT(Sources(q, "customer_id"), ElementsAre("customer.customers.customer_id"));
}

TEST_F(SqlLineageTest, StarExcludeAndReplace) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l,
                       Analyze("SELECT * EXCLUDE (email, name) REPLACE (upper(country) AS country) FROM customer.customers"));
  EXPECT_THAT(Names(l), ElementsAre("customer_id", "country"));
  EXPECT_EQ(Kind(l, "country"), DerivationKind::kExpression);
  ASSERT_OK_AND_ASSIGN(SqlLineage q, Analyze(
      "SELECT * EXCLUDE (c.customer_id) FROM sales.orders_v1 o JOIN customer.customers c ON o.customer_id = c.customer_id"));
  EXPECT_THAT(Names(q), ElementsAre("order_id", "customer_id", "amount", "name", "country", "email"));
  EXPECT_THAT(Sources(q, "customer_id"), ElementsAre("sales.orders_v1.customer_id"));
  EXPECT_THAT(Analyze("SELECT * EXCLUDE (nope) FROM customer.customers").status().message(),
              HasSubstr("column 'nope' in EXCLUDE is not in the FROM clause"));
}

TEST_F(SqlLineageTest, LateralAliasesLambdasValuesAndKeywords) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(R"(
    SELECT amount * 2 AS twice, twice + 1 AS more,
           list_transform([amount], x -> x + 1) AS xs,
           current_date AS today
    FROM sales.orders)"));
  EXPECT_THAT(Sources(l, "more"), ElementsAre("sales.orders.amount"));
  EXPECT_THAT(Sources(l, "xs"), ElementsAre("sales.orders.amount"));
  EXPECT_THAT(Sources(l, "today"), IsEmpty());
  ASSERT_OK_AND_ASSIGN(SqlLineage v, Analyze("SELECT v.c, o.amount FROM sales.orders o, (VALUES ('a'), ('b')) v(c)"));
  EXPECT_THAT(Sources(v, "c"), IsEmpty());
}

TEST_F(SqlLineageTest, VersionedAddressesAreRelationsOfTheirOwn) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze("SELECT amount FROM sales.orders_v1"));
  EXPECT_THAT(Sources(l, "amount"), ElementsAre("sales.orders_v1.amount"));
  EXPECT_THAT(l.relations, ElementsAre("sales.orders_v1"));
}

TEST_F(SqlLineageTest, UndeclaredRelationIsAnErrorWithPositionAndHint) {
  Result<SqlLineage> r = Analyze("SELECT 1\nFROM sales.order");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("relation 'sales.order' is not a declared input port"));
  EXPECT_THAT(r.status().message(), HasSubstr("line 2, column 6"));
  EXPECT_THAT(r.status().message(), HasSubstr("did you mean 'sales.orders'?"));
  EXPECT_THAT(Analyze("SELECT * FROM orders").status().message(), HasSubstr("products are read as domain.product"));
  EXPECT_THAT(Analyze("SELECT * FROM marketing.leads").status().message(), HasSubstr("declared: "));
  // In a subquery or a CTE too.
  EXPECT_FALSE(Analyze("SELECT (SELECT max(x) FROM hr.salaries) FROM sales.orders").ok());
  EXPECT_FALSE(Analyze("WITH a AS (SELECT * FROM hr.salaries) SELECT 1 FROM sales.orders").ok());
}

TEST_F(SqlLineageTest, UnknownAndAmbiguousColumnsAreErrors) {
  Result<SqlLineage> unknown = Analyze("SELECT amout FROM sales.orders");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("column 'amout' is not in any relation of the FROM clause"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("did you mean 'amount'?"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("line 1, column 8"));
  EXPECT_THAT(Analyze("SELECT o.nope FROM sales.orders o").status().message(),
              HasSubstr("column 'nope' is not in o (sales.orders)"));
  EXPECT_THAT(Analyze("SELECT customer_id FROM sales.orders o JOIN customer.customers c ON o.customer_id = c.customer_id")
                  .status()
                  .message(),
              HasSubstr("column 'customer_id' is ambiguous: it is in o (sales.orders) and c (customer.customers)"));
  EXPECT_THAT(Analyze("SELECT x.* FROM sales.orders").status().message(), HasSubstr("'x.*' names no relation"));
}

TEST_F(SqlLineageTest, TableFunctionsAreRefused) {
  for (const char* sql : {"SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM sales.orders, query('SELECT 1')",
                          "SELECT (SELECT count(*) FROM read_parquet('x.parquet')) FROM sales.orders"}) {
    Result<SqlLineage> r = Analyze(sql);
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_THAT(r.status().message(), HasSubstr("table functions are not allowed in transforms")) << sql;
  }
}

TEST_F(SqlLineageTest, NotASingleSelectIsRefused) {
  EXPECT_THAT(Analyze("DELETE FROM sales.orders").status().message(), HasSubstr("single SELECT"));
  EXPECT_THAT(Analyze("SELECT 1; SELECT 2").status().message(), HasSubstr("exactly one SELECT statement, got 2"));
  EXPECT_THAT(Analyze("SELEC 1").status().message(), HasSubstr("syntax error"));
  EXPECT_THAT(Analyze("SELECT COLUMNS('a.*') FROM sales.orders").status().message(), HasSubstr("COLUMNS(...)"));
}

TEST_F(SqlLineageTest, AggregateNamesMatchTheEngine) {
  ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open(engine::DatabaseConfig{}));
  ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r, conn.Query(
      "SELECT string_agg(DISTINCT function_name, ' ' ORDER BY function_name) FROM duckdb_functions() "
      "WHERE function_type = 'aggregate'"));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> names, r.ScalarString());
  ASSERT_TRUE(names.has_value());
  std::string ours;
  for (const auto& n : AggregateFunctionNames()) ours += (ours.empty() ? "" : " ") + n;
  EXPECT_EQ(ours, *names);
}

// The demo mesh's two transforms, every output column checked.
InputSchemas DemoInputs() {
  return {
      {"sales.orders", {"order_id", "customer_id", "order_ts", "status", "amount", "currency", "channel"}},
      {"customer.customers", {"customer_id", "email", "full_name", "phone", "birth_date", "country", "segment",
                              "signup_date", "marketing_opt_in", "updated_at"}},
      {"marketing.campaigns", {"campaign_id", "name", "channel", "budget", "start_date", "end_date"}},
      {"marketing.leads", {"lead_id", "email", "source", "score", "campaign_id", "customer_id", "created_at"}},
  };
}

std::string Demo(const std::string& product) {
  auto text = ReadFileToString(std::string(WEFT_SOURCE_DIR) + "/examples/mesh/domains/finance/products/" + product +
                               "/transform.sql");
  return text.ok() ? *text : "";
}

TEST_F(SqlLineageTest, DemoRevenueDaily) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(Demo("revenue_daily"), DemoInputs()));
  EXPECT_THAT(Names(l), ElementsAre("revenue_date", "country", "channel", "order_count", "distinct_customers",
                                    "revenue_eur"));
  EXPECT_THAT(Sources(l, "revenue_date"), ElementsAre("sales.orders.order_ts"));
  EXPECT_EQ(Kind(l, "revenue_date"), DerivationKind::kExpression);
  EXPECT_THAT(Sources(l, "country"), ElementsAre("customer.customers.country"));
  EXPECT_EQ(Kind(l, "country"), DerivationKind::kDirect);
  EXPECT_THAT(Sources(l, "channel"), ElementsAre("sales.orders.channel"));
  EXPECT_THAT(Sources(l, "order_count"), IsEmpty());
  EXPECT_EQ(Kind(l, "order_count"), DerivationKind::kAggregate);
  EXPECT_THAT(Sources(l, "distinct_customers"), ElementsAre("sales.orders.customer_id"));
  EXPECT_THAT(Sources(l, "revenue_eur"), UnorderedElementsAre("sales.orders.amount", "sales.orders.currency"));
  EXPECT_EQ(Kind(l, "revenue_eur"), DerivationKind::kAggregate);
  EXPECT_THAT(Referenced(l), ::testing::IsSupersetOf({"sales.orders.status", "customer.customers.customer_id",
                                                      "sales.orders.customer_id"}));
}

TEST_F(SqlLineageTest, DemoCampaignRoi) {
  ASSERT_OK_AND_ASSIGN(SqlLineage l, Analyze(Demo("campaign_roi"), DemoInputs()));
  EXPECT_THAT(Names(l), ElementsAre("campaign_id", "campaign_name", "channel", "budget_eur", "leads",
                                    "converted_customers", "attributed_revenue_eur", "roi"));
  // Qualified c.campaign_id is the campaigns side of USING (campaign_id) only.
  EXPECT_THAT(Sources(l, "campaign_id"), ElementsAre("marketing.campaigns.campaign_id"));
  EXPECT_EQ(Kind(l, "campaign_id"), DerivationKind::kDirect);
  EXPECT_THAT(Sources(l, "campaign_name"), ElementsAre("marketing.campaigns.name"));
  EXPECT_THAT(Sources(l, "channel"), ElementsAre("marketing.campaigns.channel"));
  EXPECT_THAT(Sources(l, "budget_eur"), ElementsAre("marketing.campaigns.budget"));
  EXPECT_THAT(Sources(l, "leads"), IsEmpty());
  EXPECT_EQ(Kind(l, "leads"), DerivationKind::kAggregate);
  EXPECT_THAT(Sources(l, "converted_customers"), ElementsAre("marketing.leads.customer_id"));
  EXPECT_THAT(Sources(l, "attributed_revenue_eur"),
              UnorderedElementsAre("sales.orders.amount", "sales.orders.currency"));
  EXPECT_THAT(Sources(l, "roi"), UnorderedElementsAre("marketing.campaigns.budget", "sales.orders.amount",
                                                      "sales.orders.currency"));
  EXPECT_EQ(Kind(l, "roi"), DerivationKind::kAggregate);
  EXPECT_THAT(l.relations, ElementsAre("marketing.campaigns", "marketing.leads", "sales.orders"));
  EXPECT_THAT(Referenced(l), ::testing::IsSupersetOf({"sales.orders.order_ts", "marketing.leads.created_at",
                                                      "sales.orders.status", "sales.orders.customer_id"}));
}

}  // namespace
}  // namespace weft::lineage
