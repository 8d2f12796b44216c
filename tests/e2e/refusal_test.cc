// End to end: every refused plan/apply leaves the catalog and the disk
// exactly as they were; a waiver lifts a policy refusal only while valid.
#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Refusals : public AppliedMeshTest {
 protected:
  // Adds an optional column (a minor change); without a classification it
  // violates the property-has-classification policy.
  void AddCouponColumn(bool classified) {
    const std::string anchor = "    quality:\n      - metric: rowCount";
    ASSERT_TRUE(ReplaceOnce(Contract(), anchor,
                            "      - name: coupon_code\n"
                            "        logicalType: string\n"
                            "        physicalType: VARCHAR\n"
                            "        description: The coupon redeemed with the order, if any.\n" +
                                std::string(classified ? "        classification: internal\n" : "") + anchor));
  }

  // Everything a user can observe of the workspace: the catalog through the
  // CLI and the directories apply provisions.
  struct State {
    CatalogView catalog;
    std::vector<std::string> dirs;
    bool operator==(const State&) const = default;
  };
  State Observe() const {
    State s{ReadCatalog(ws_), {}};
    for (const auto& e : fs::recursive_directory_iterator(ws_ / "domains"))
      s.dirs.push_back(fs::relative(e.path(), ws_).string());
    std::sort(s.dirs.begin(), s.dirs.end());
    return s;
  }

  // Plan and apply are both refused (exit 1), plan -o json says so, and
  // nothing changes. Returns the plan's text output.
  std::string ExpectRefusedAndUnchanged() {
    State before = Observe();
    RunResult plan = Plan(tree_, ws_);
    EXPECT_EQ(plan.exit_code, 1) << plan;
    EXPECT_THAT(plan.out, HasSubstr("Refused")) << plan;
    RunResult json = e2e::Run({"plan", "-f", tree_.string(), "--workspace", ws_.string(), "-o", "json"});
    EXPECT_EQ(json.exit_code, 1) << json;
    nlohmann::json j = ParseJson(json);
    EXPECT_TRUE(j.value("refused", false)) << json;
    EXPECT_FALSE(j["refusals"].empty()) << json;
    RunResult apply = Apply(tree_, ws_);
    EXPECT_EQ(apply.exit_code, 1) << apply;
    EXPECT_THAT(apply.out, HasSubstr("nothing will be applied")) << apply;
    EXPECT_THAT(apply.out, ::testing::Not(HasSubstr("Applied"))) << apply;
    RunResult apply_json = e2e::Run({"apply", "-f", tree_.string(), "--workspace", ws_.string(), "-o", "json"});
    EXPECT_EQ(apply_json.exit_code, 1) << apply_json;
    EXPECT_TRUE(before == Observe()) << "a refused plan/apply changed the workspace";
    return plan.out;
  }

};

TEST_F(Refusals, BreakingChangeWithAMinorBump) {
  RemoveChannelColumn();
  SetOrdersVersion("1.0.0", "1.1.0");
  std::string out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, HasSubstr("channel"));
  EXPECT_THAT(out, HasSubstr("2.0.0"));
  EXPECT_THAT(out, HasSubstr("[breaking-change]"));
  EXPECT_THAT(out, HasSubstr("orders.odcs.yaml:5:1:")) << "the refusal points at the version field";
}

TEST_F(Refusals, LintErrorInTheTree) {
  ASSERT_TRUE(ReplaceOnce(tree_ / "domains/sales/domain.yaml", "softLimitPercent: 75", "softLimitPercent: 150"));
  std::string out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, ::testing::ContainsRegex("domain\\.yaml:[0-9]+:[0-9]+: error: .*\\[invalid-value\\]"));
}

TEST_F(Refusals, ChangedSpecUnderAnAppliedVersion) {
  ASSERT_TRUE(ReplaceOnce(Contract(), "purpose: One row per customer order, from every sales channel.",
                          "purpose: One row per order."));
  std::string out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, HasSubstr("[version-immutable]"));
  EXPECT_THAT(out, HasSubstr("1.0.1")) << "says which version to bump to";
}

TEST_F(Refusals, LowerVersionThanApplied) {
  // 1.1.0 first (a compatible addition), then a tree at 1.0.5.
  AddCouponColumn(/*classified=*/true);
  SetOrdersVersion("1.0.0", "1.1.0");
  RunResult up = Apply(tree_, ws_);
  ASSERT_EQ(up.exit_code, 0) << up;
  SetOrdersVersion("1.1.0", "1.0.5");
  std::string out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, HasSubstr("[version-backwards]"));
  EXPECT_THAT(out, HasSubstr("1.1.0"));

  // A major below the applied one.
  SetOrdersVersion("1.0.5", "0.9.0");
  out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, HasSubstr("[version-backwards]"));
}

TEST_F(Refusals, RevertingTheTreeToAnOlderAppliedVersion) {
  AddCouponColumn(/*classified=*/true);
  SetOrdersVersion("1.0.0", "1.1.0");
  RunResult up = Apply(tree_, ws_);
  ASSERT_EQ(up.exit_code, 0) << up;

  // The original tree again: contract 1.0.0 (applied earlier, unchanged).
  State before = Observe();
  RunResult plan = Plan(RepoPath("examples/mesh"), ws_);
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_THAT(plan.out, HasSubstr("[version-backwards]")) << plan;
  RunResult apply = Apply(RepoPath("examples/mesh"), ws_);
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_TRUE(before == Observe());
}

TEST_F(Refusals, PolicyViolationUntilAValidWaiver) {
  AddCouponColumn(/*classified=*/false);
  SetOrdersVersion("1.0.0", "1.1.0");
  const std::string subject = "sales.orders:orders.coupon_code";
  std::string out = ExpectRefusedAndUnchanged();
  EXPECT_THAT(out, HasSubstr("property-has-classification"));
  EXPECT_THAT(out, HasSubstr(subject));
  EXPECT_THAT(out, HasSubstr("weft waiver add property-has-classification " + subject));

  // An expired waiver does not lift the refusal.
  RunResult expired = e2e::Run({"waiver", "add", "property-has-classification", subject, "--reason", "r", "--approver", "a",
                           "--expires", "2000-01-01", "--workspace", ws_.string()});
  ASSERT_EQ(expired.exit_code, 0) << expired;
  {
    RunResult plan = Plan(tree_, ws_);
    EXPECT_EQ(plan.exit_code, 1) << plan;
    CatalogView before = ReadCatalog(ws_);
    RunResult apply = Apply(tree_, ws_);
    EXPECT_EQ(apply.exit_code, 1) << apply;
    EXPECT_TRUE(before == ReadCatalog(ws_));
  }

  // A waiver valid until 2999 does.
  RunResult valid = e2e::Run({"waiver", "add", "property-has-classification", subject, "--reason", "r", "--approver", "a",
                         "--expires", "2999-01-01", "--workspace", ws_.string()});
  ASSERT_EQ(valid.exit_code, 0) << valid;
  RunResult waivers = e2e::Run({"get", "waivers", "-o", "json", "--workspace", ws_.string()});
  EXPECT_EQ(ParseJson(waivers).size(), 2u) << waivers;

  RunResult apply = Apply(tree_, ws_);
  EXPECT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("waived")) << apply;
  EXPECT_THAT(apply.out, HasSubstr("Applied")) << apply;
  nlohmann::json versions = VersionsOf(ParseJson(e2e::Run({"get", "versions", "-o", "json", "--workspace", ws_.string()})),
                                       "sales.orders");
  ASSERT_EQ(versions.size(), 1u) << versions;
  EXPECT_EQ(versions[0].value("version", ""), "1.1.0") << versions;
}

TEST_F(Refusals, WaiverWithABadExpiryIsAUsageError) {
  CatalogView before = ReadCatalog(ws_);
  RunResult r = e2e::Run({"waiver", "add", "property-has-classification", "x", "--reason", "r", "--approver", "a",
                     "--expires", "next week", "--workspace", ws_.string()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_TRUE(before == ReadCatalog(ws_));
}

}  // namespace
}  // namespace weft::e2e
