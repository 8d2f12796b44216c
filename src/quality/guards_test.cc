// The publish guards as pure functions, and where their settings come from.
#include "quality/guards.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace weft::quality {
namespace {

const GuardResult* Find(const std::vector<GuardResult>& g, const std::string& name) {
  for (const auto& x : g)
    if (x.name == name) return &x;
  return nullptr;
}

TEST(GuardsTest, QuarantinedShareAtTheLimitPassesAndAboveFails) {
  GuardSettings s;
  auto at = EvaluateGuards(s, {.mode = "replace", .rows_in = 100, .rows_quarantined = 5, .rows_added = 95});
  EXPECT_TRUE(Find(at, "quarantinedShare")->passed);
  auto above = EvaluateGuards(s, {.mode = "replace", .rows_in = 100, .rows_quarantined = 6, .rows_added = 94});
  EXPECT_FALSE(Find(above, "quarantinedShare")->passed);
  EXPECT_TRUE(AnyFailed(above));
  EXPECT_EQ(RefusalMessage(above), "guard:quarantinedShare: 6 of 100 rows (6.0%) were quarantined; at most 5.0% may be");
  // The case: 18,409 of 20,000 rows failing.
  auto disaster = EvaluateGuards(s, {.mode = "replace", .rows_in = 20000, .rows_quarantined = 18409, .rows_added = 1591,
                                     .current_rows = 99984});
  EXPECT_FALSE(Find(disaster, "quarantinedShare")->passed);
  EXPECT_FALSE(Find(disaster, "shrink")->passed);
  // An empty input quarantines nothing.
  EXPECT_TRUE(Find(EvaluateGuards(s, {.mode = "append"}), "quarantinedShare")->passed);
}

TEST(GuardsTest, ShrinkAppliesToReplacesAndRunsWithACurrentSnapshot) {
  GuardSettings s;
  auto first = EvaluateGuards(s, {.mode = "replace", .rows_in = 10, .rows_added = 10});
  EXPECT_FALSE(Find(first, "shrink")->judged);
  EXPECT_TRUE(Find(first, "shrink")->passed);
  EXPECT_TRUE(Find(EvaluateGuards(s, {.mode = "run", .rows_added = 50, .current_rows = 100}), "shrink")->passed);
  EXPECT_FALSE(Find(EvaluateGuards(s, {.mode = "run", .rows_added = 49, .current_rows = 100}), "shrink")->passed);
  EXPECT_EQ(Find(EvaluateGuards(s, {.mode = "append", .rows_added = 1, .current_rows = 100}), "shrink"), nullptr);
  EXPECT_TRUE(Find(EvaluateGuards(s, {.mode = "replace", .rows_added = 500, .current_rows = 100}), "shrink")->passed);
}

TEST(GuardsTest, VolumeNeedsHistoryAndRefusesOnlyTooFew) {
  GuardSettings s;
  std::vector<SeriesPoint> h;
  for (int i = 0; i < 4; ++i) h.push_back({i * 1000, 100.0 + i});
  auto few = EvaluateGuards(s, {.mode = "append", .rows_in = 1, .rows_added = 1, .at_ms = 5000, .history = h});
  EXPECT_FALSE(Find(few, "volume")->judged);
  EXPECT_TRUE(Find(few, "volume")->passed);
  h.push_back({4000, 99});
  auto low = EvaluateGuards(s, {.mode = "append", .rows_in = 1, .rows_added = 1, .at_ms = 5000, .history = h});
  EXPECT_FALSE(Find(low, "volume")->passed);
  auto high = EvaluateGuards(s, {.mode = "append", .rows_in = 9000, .rows_added = 9000, .at_ms = 5000, .history = h});
  EXPECT_TRUE(Find(high, "volume")->passed);
  s.volume_sensitivity = 0;
  EXPECT_EQ(Find(EvaluateGuards(s, {.mode = "append", .rows_added = 1, .history = h}), "volume"), nullptr);
}

TEST(GuardsTest, TheContractOverridesTheProductOverridesTheWorkspace) {
  spec::DataProduct product;
  product.id = "p";
  product.custom_properties.push_back({});
  product.custom_properties.back().property = "weft.maxQuarantinedShare";
  product.custom_properties.back().value = 0.2;
  product.custom_properties.push_back({});
  product.custom_properties.back().property = "weft.maxShrink";
  product.custom_properties.back().value = "0.9";
  spec::DataContract contract;
  contract.id = "c";
  contract.custom_properties.push_back({});
  contract.custom_properties.back().property = "weft.maxQuarantinedShare";
  contract.custom_properties.back().value = 0.01;
  GuardSettings workspace{.max_quarantined_share = 0.1, .volume_sensitivity = 5};
  ASSERT_OK_AND_ASSIGN(GuardSettings s, GuardSettingsFor(workspace, &product, &contract));
  EXPECT_DOUBLE_EQ(s.max_quarantined_share, 0.01);
  EXPECT_DOUBLE_EQ(s.max_shrink, 0.9);
  EXPECT_DOUBLE_EQ(s.volume_sensitivity, 5);
  ASSERT_OK_AND_ASSIGN(GuardSettings p, GuardSettingsFor(workspace, &product, nullptr));
  EXPECT_DOUBLE_EQ(p.max_quarantined_share, 0.2);
  contract.custom_properties.back().value = 5;  // 500%: a share is 0..1
  auto bad = GuardSettingsFor(workspace, &product, &contract);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("contract c: customProperty weft.maxQuarantinedShare"), std::string::npos);
  contract.custom_properties.back().value = "lots";
  EXPECT_FALSE(GuardSettingsFor(workspace, &product, &contract).ok());
}

}  // namespace
}  // namespace weft::quality
