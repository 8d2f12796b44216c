// `weft lineage` and `weft impact` through the real binary, on the demo mesh
// applied to a fresh workspace, with the proposed contracts of
// tests/fixtures/lineage/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LineageCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    ws_ = InitWorkspace(tmp_->path() / "ws");
    RunResult r = Apply(RepoPath("examples/mesh"), ws_);
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

  static RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return ::weft::e2e::Run(args);
  }
  static std::string Mesh() { return RepoPath("examples/mesh").string(); }
  static std::string Fixture(const std::string& name) { return RepoPath("tests/fixtures/lineage/" + name).string(); }

  static TempDir* tmp_;
  static std::filesystem::path ws_;
};

TempDir* LineageCliTest::tmp_ = nullptr;
std::filesystem::path LineageCliTest::ws_;

TEST_F(LineageCliTest, WithoutTreeColumnsComeFromTheAppliedTransform) {
  RunResult r = Weft({"lineage", "finance.revenue_daily", "--columns"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("sales.orders        finance.revenue_daily"));
  EXPECT_THAT(r.out, HasSubstr("customer.customers  finance.revenue_daily"));
  EXPECT_THAT(r.out, HasSubstr("finance.revenue_daily.revenue_eur"));
  EXPECT_THAT(r.out, Not(HasSubstr("column lineage needs the transform SQL")));
}

TEST_F(LineageCliTest, DownstreamColumnsFromTheTree) {
  RunResult r = Weft({"lineage", "sales.orders", "--downstream", "--columns", "-f", Mesh()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("finance.revenue_daily.revenue_eur"));
  EXPECT_THAT(r.out, HasSubstr("sales.orders.amount, sales.orders.currency"));
  EXPECT_THAT(r.out, HasSubstr("read by SQL"));
  EXPECT_THAT(r.out, Not(HasSubstr("customer.customers")));
}

TEST_F(LineageCliTest, JsonCarriesColumnsAndOpenLineageJobs) {
  RunResult r = Weft({"lineage", "finance.campaign_roi", "--upstream", "--columns", "-f", Mesh(), "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json j = ParseJson(r);
  ASSERT_EQ(j["edges"].size(), 3u);
  bool budget = false;
  for (const auto& e : j["edges"])
    for (const auto& c : e["columns"])
      if (c["output"] == "budget_eur" && c["input"] == "budget" && e["from"] == "marketing.campaigns") budget = true;
  EXPECT_TRUE(budget) << j.dump(2);
  // The static OpenLineage events (openlineage_test.cc validates them).
  const nlohmann::json* roi = nullptr;
  for (const auto& e : j["openLineage"])
    if (e.contains("job") && e["job"]["name"] == "finance.campaign_roi.transform") roi = &e;
  ASSERT_NE(roi, nullptr) << j["openLineage"].dump(2);
  EXPECT_TRUE((*roi)["outputs"][0]["facets"]["columnLineage"]["fields"].contains("roi"));
}

TEST_F(LineageCliTest, DotIsADigraphWithDomainClusters) {
  RunResult r = Weft({"lineage", "finance.revenue_daily", "-f", Mesh(), "-o", "dot"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("digraph weft_lineage {"));
  EXPECT_THAT(r.out, HasSubstr("subgraph \"cluster_sales\""));
  EXPECT_THAT(r.out, HasSubstr("\"sales.orders\" -> \"finance.revenue_daily\";"));
}

TEST_F(LineageCliTest, UnknownProductSuggestsTheClosest) {
  RunResult r = Weft({"lineage", "finance.revnue_daily"});
  EXPECT_EQ(r.exit_code, 2) << r;  // not found: the caller's input (service/outcome.h)
  EXPECT_THAT(r.err, HasSubstr("did you mean 'finance.revenue_daily'?"));
}

TEST_F(LineageCliTest, ImpactOfARemovedColumnNamesEveryBrokenOutput) {
  RunResult r = Weft({"impact", Fixture("orders_drop_currency.odcs.yaml"), "-f", Mesh(), "-o", "json"});
  ASSERT_EQ(r.exit_code, 1) << r;
  nlohmann::json j = ParseJson(r);
  EXPECT_EQ(j["appliedVersion"], "1.0.0");
  ASSERT_EQ(j["downstream"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["downstream"][0]["product"], "finance.campaign_roi");
  EXPECT_EQ(j["downstream"][0]["columns"].size(), 2u);
  EXPECT_EQ(j["downstream"][1]["product"], "finance.revenue_daily");
  ASSERT_EQ(j["downstream"][1]["columns"].size(), 1u);
  EXPECT_EQ(j["downstream"][1]["columns"][0]["column"], "revenue_eur");
}

TEST_F(LineageCliTest, ImpactOfANewMajorMovesOnlyTheUnversionedAddress) {
  RunResult r = Weft({"impact", Fixture("orders_drop_currency_v2.odcs.yaml"), "-f", Mesh()});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("(served as sales.orders)"));
}

TEST_F(LineageCliTest, ImpactWithoutTreeUsesTheAppliedTransforms) {
  RunResult r = Weft({"impact", Fixture("orders_drop_currency.odcs.yaml")});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("finance.revenue_daily"));
  EXPECT_THAT(r.out, Not(HasSubstr("may break (no analyzed SQL)")));
}

TEST_F(LineageCliTest, NothingDownstreamExitsZero) {
  RunResult unread = Weft({"impact", Fixture("customers_drop_phone.odcs.yaml"), "-f", Mesh()});
  EXPECT_EQ(unread.exit_code, 0) << unread;
  EXPECT_THAT(unread.out, HasSubstr("No downstream products read the changed columns."));
  RunResult patch = Weft({"impact", Fixture("orders_patch.odcs.yaml"), "-f", Mesh()});
  EXPECT_EQ(patch.exit_code, 0) << patch;
  EXPECT_THAT(patch.out, HasSubstr("nothing downstream breaks"));
}

}  // namespace
}  // namespace weft::e2e
