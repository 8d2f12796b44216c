#include "lineage/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace weft::lineage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MeshProduct Source(const std::string& id, std::vector<std::string> columns) {
  MeshProduct p;
  p.id = id;
  p.domain = id.substr(0, id.find('.'));
  p.addresses[id] = columns;
  p.addresses[id + "_v1"] = columns;
  p.newest_address = id + "_v1";
  return p;
}

MeshProduct Derived(const std::string& id, std::vector<std::string> inputs, std::vector<std::string> columns) {
  MeshProduct p = Source(id, std::move(columns));
  p.input_ports = std::move(inputs);
  p.derived = true;
  return p;
}

// sales.orders -> finance.revenue -> exec.kpis, and customer.customers -> finance.revenue.
class LineageGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(validator_, engine::DuckDbSqlValidator::Create());
    mesh_.products = {
        Source("sales.orders", {"order_id", "customer_id", "amount", "status"}),
        Source("customer.customers", {"customer_id", "country", "email"}),
        Derived("finance.revenue", {"sales.orders", "customer.customers"}, {"country", "revenue", "orders"}),
        Derived("exec.kpis", {"finance.revenue"}, {"country", "revenue"}),
        Derived("ops.pinned", {"sales.orders_v1"}, {"order_id"}),
    };
    sql_.Add("finance.revenue",
             "SELECT c.country, sum(o.amount) AS revenue, count(*) AS orders FROM sales.orders o "
             "JOIN customer.customers c USING (customer_id) WHERE o.status <> 'x' GROUP BY ALL");
    sql_.Add("exec.kpis", "SELECT country, revenue FROM finance.revenue");
    sql_.Add("ops.pinned", "SELECT order_id FROM sales.orders_v1");
  }

  LineageGraph Build() { return LineageGraph::Build(mesh_, &sql_, *validator_); }

  std::unique_ptr<engine::DuckDbSqlValidator> validator_;
  Mesh mesh_;
  MapTransformSource sql_;
};

std::vector<std::string> EdgeNames(const std::vector<const Edge*>& edges) {
  std::vector<std::string> out;
  for (const Edge* e : edges) out.push_back(e->from + "->" + e->to);
  return out;
}

TEST_F(LineageGraphTest, EdgesCarryColumnLineage) {
  LineageGraph g = Build();
  const Edge* orders = nullptr;
  for (const auto& e : g.edges())
    if (e.from == "sales.orders" && e.to == "finance.revenue") orders = &e;
  ASSERT_NE(orders, nullptr);
  ASSERT_TRUE(orders->used.has_value());
  EXPECT_TRUE(*orders->used);
  ASSERT_EQ(orders->columns.size(), 1u);
  EXPECT_EQ(orders->columns[0].output, "revenue");
  EXPECT_EQ(orders->columns[0].input, "amount");
  EXPECT_EQ(orders->columns[0].kind, DerivationKind::kAggregate);
  EXPECT_THAT(orders->filter_columns, ElementsAre("customer_id", "status"));
}

TEST_F(LineageGraphTest, UpstreamAndDownstreamAreTransitive) {
  LineageGraph g = Build();
  EXPECT_THAT(EdgeNames(g.Upstream("exec.kpis")),
              ElementsAre("finance.revenue->exec.kpis", "sales.orders->finance.revenue",
                          "customer.customers->finance.revenue"));
  EXPECT_THAT(EdgeNames(g.Downstream("sales.orders")),
              ElementsAre("sales.orders->finance.revenue", "sales.orders->ops.pinned", "finance.revenue->exec.kpis"));
  EXPECT_THAT(EdgeNames(g.Downstream("exec.kpis")), IsEmpty());
}

TEST_F(LineageGraphTest, WithoutSqlEdgesComeFromInputPortsOnly) {
  LineageGraph g = LineageGraph::Build(mesh_, nullptr, *validator_);
  EXPECT_EQ(g.edges().size(), 4u);
  for (const auto& e : g.edges()) {
    EXPECT_FALSE(e.used.has_value());
    EXPECT_THAT(e.columns, IsEmpty());
  }
  EXPECT_EQ(g.Transform("finance.revenue")->state, TransformLineage::State::kNoSql);
}

TEST_F(LineageGraphTest, UndeclaredInputInSqlIsAnError) {
  sql_.Add("exec.kpis", "SELECT country, revenue FROM finance.revenue JOIN sales.orders ON true");
  LineageGraph g = Build();
  const TransformLineage* t = g.Transform("exec.kpis");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, TransformLineage::State::kError);
  EXPECT_THAT(t->error, HasSubstr("relation 'sales.orders' is not a declared input port"));
}

TEST_F(LineageGraphTest, DeclaredButUnusedInputIsMarked) {
  mesh_.products[3].input_ports.push_back("customer.customers");
  LineageGraph g = Build();
  for (const auto& e : g.edges())
    if (e.to == "exec.kpis" && e.from == "customer.customers") {
      ASSERT_TRUE(e.used.has_value());
      EXPECT_FALSE(*e.used);
    }
}

TEST_F(LineageGraphTest, InputPortMissingFromTheCatalogIsReported) {
  mesh_.products[3].input_ports.push_back("hr.people");
  LineageGraph g = Build();
  EXPECT_THAT(g.Transform("exec.kpis")->error, HasSubstr("hr.people names no product version in the catalog"));
}

TEST_F(LineageGraphTest, ImpactFollowsColumnsTransitively) {
  LineageGraph g = Build();
  ImpactReport r = AnalyzeImpact(g, {{"sales.orders", {"amount"}}});
  ASSERT_EQ(r.products.size(), 2u);
  EXPECT_EQ(r.products[0].id, "finance.revenue");
  EXPECT_EQ(r.products[0].depth, 1);
  ASSERT_EQ(r.products[0].outputs.size(), 1u);
  EXPECT_EQ(r.products[0].outputs[0].column, "revenue");
  EXPECT_EQ(r.products[1].id, "exec.kpis");
  EXPECT_EQ(r.products[1].depth, 2);
  EXPECT_TRUE(r.products[1].certain);
  ASSERT_EQ(r.products[1].outputs.size(), 1u);
  EXPECT_EQ(r.products[1].outputs[0].column, "revenue");
}

TEST_F(LineageGraphTest, ImpactOfAFilterColumnBreaksTheTransformButNoOutput) {
  LineageGraph g = Build();
  ImpactReport r = AnalyzeImpact(g, {{"sales.orders", {"status"}}});
  ASSERT_EQ(r.products.size(), 1u);
  EXPECT_EQ(r.products[0].id, "finance.revenue");
  EXPECT_EQ(r.products[0].reads.size(), 1u);
  EXPECT_THAT(r.products[0].outputs, IsEmpty());
}

TEST_F(LineageGraphTest, ImpactIgnoresUnreadColumnsAndOtherAddresses) {
  LineageGraph g = Build();
  EXPECT_THAT(AnalyzeImpact(g, {{"customer.customers", {"email"}}}).products, IsEmpty());
  // Only the pinned consumer reads sales.orders_v1.
  ImpactReport r = AnalyzeImpact(g, {{"sales.orders_v1", {"order_id"}}});
  ASSERT_EQ(r.products.size(), 1u);
  EXPECT_EQ(r.products[0].id, "ops.pinned");
}

TEST_F(LineageGraphTest, ImpactWithoutSqlIsUncertain) {
  LineageGraph g = LineageGraph::Build(mesh_, nullptr, *validator_);
  ImpactReport r = AnalyzeImpact(g, {{"sales.orders", {"amount"}}});
  ASSERT_EQ(r.products.size(), 2u);  // finance.revenue, then exec.kpis through it
  for (const auto& p : r.products) EXPECT_FALSE(p.certain) << p.id;
}

TEST(TransformSourceTest, LoadsTheDemoTree) {
  ASSERT_OK_AND_ASSIGN(MapTransformSource s, LoadTransformsFromTree(std::string(WEFT_SOURCE_DIR) + "/examples/mesh"));
  EXPECT_EQ(s.size(), 2u);
  ASSERT_TRUE(s.TransformSql("finance.revenue_daily").has_value());
  EXPECT_THAT(*s.TransformSql("finance.revenue_daily"), HasSubstr("revenue_eur"));
  EXPECT_FALSE(s.TransformSql("sales.orders").has_value());
}

}  // namespace
}  // namespace weft::lineage
