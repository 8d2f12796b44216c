// End to end: a breaking change under a new major version is applied, the
// old major stays served as deprecated beside the new one.
#include <algorithm>

#include "e2e/e2e_util.h"
#include "e2e/receiver.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class NewMajor : public AppliedMeshTest {
 protected:
  void AddEndOfLife(const std::string& date) {
    ASSERT_TRUE(ReplaceOnce(Contract(), "  - property: availability\n",
                            "  - property: endOfLife\n    value: " + date + "\n  - property: availability\n"));
  }

  // The finance products read sales.orders through input ports pinned to 1.0.0.
  void MoveConsumersTo(const std::string& version) {
    for (const char* p : {"revenue_daily", "campaign_roi"})
      ASSERT_TRUE(ReplaceOnce(tree_ / "domains/finance/products" / p / "product.odps.yaml",
                              "  - name: sales.orders\n    version: 1.0.0\n",
                              "  - name: sales.orders\n    version: " + version + "\n"));
  }

  nlohmann::json OrdersVersions() const {
    RunResult r = e2e::Run({"get", "versions", "-o", "json", "--workspace", ws_.string()});
    EXPECT_EQ(r.exit_code, 0) << r;
    return VersionsOf(ParseJson(r), "sales.orders");
  }

  static const nlohmann::json* Major(const nlohmann::json& versions, int major) {
    for (const auto& v : versions)
      if (v.value("major", 0) == major) return &v;
    return nullptr;
  }

};

// The path that works today: announce v1's end of life in a 1.x release,
// then publish 2.0.0 and move the consumers.
TEST_F(NewMajor, DeprecatesTheOldMajorAndServesBoth) {
  AddEndOfLife("2027-12-31");
  SetOrdersVersion("1.0.0", "1.1.0");
  RunResult eol = Apply(tree_, ws_);
  ASSERT_EQ(eol.exit_code, 0) << eol;

  RemoveChannelColumn();
  SetOrdersVersion("1.1.0", "2.0.0");
  MoveConsumersTo("2.0.0");
  RunResult plan = Plan(tree_, ws_);
  EXPECT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("property-removed")) << plan;
  EXPECT_THAT(plan.out, HasSubstr("deprecate  port:sales.orders/orders@v1")) << plan;
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("Applied")) << apply;

  nlohmann::json versions = OrdersVersions();
  ASSERT_EQ(versions.size(), 2u) << versions;
  const nlohmann::json* v1 = Major(versions, 1);
  const nlohmann::json* v2 = Major(versions, 2);
  ASSERT_TRUE(v1 && v2) << versions;
  EXPECT_EQ(v1->value("status", ""), "deprecated") << versions;
  EXPECT_EQ(v1->value("version", ""), "1.1.0") << versions;
  EXPECT_EQ(v1->value("endOfLife", ""), "2027-12-31") << versions;
  EXPECT_EQ(v2->value("status", ""), "active") << versions;
  EXPECT_EQ(v2->value("version", ""), "2.0.0") << versions;
  EXPECT_TRUE(fs::is_directory(ws_ / "domains/sales/products/orders/v2"));

  // Each major keeps its own columns.
  RunResult describe = e2e::Run({"describe", "product", "sales.orders", "-o", "json", "--workspace", ws_.string()});
  ASSERT_EQ(describe.exit_code, 0) << describe;
  nlohmann::json d = ParseJson(describe);
  ASSERT_EQ(d["versions"].size(), 2u) << describe;
  for (const auto& v : d["versions"]) {
    bool has_channel = false;
    for (const auto& c : v["columns"]) has_channel = has_channel || c.value("name", "") == "channel";
    EXPECT_EQ(has_channel, v.value("version", "") == "1.1.0") << v;
  }

  RunResult again = Apply(tree_, ws_);
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("No changes")) << again;
}

// The one-step flow: only the producer changes (contract and port to
// 2.0.0); consumers stay on v1, which remains served (deprecated).
TEST_F(NewMajor, ConsumersPinnedToTheOldMajorDoNotBlockIt) {
  AddEndOfLife("2027-12-31");
  SetOrdersVersion("1.0.0", "1.1.0");
  RunResult eol = Apply(tree_, ws_);
  ASSERT_EQ(eol.exit_code, 0) << eol;
  RemoveChannelColumn();
  SetOrdersVersion("1.1.0", "2.0.0");
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  nlohmann::json versions = OrdersVersions();
  ASSERT_EQ(versions.size(), 2u) << versions;
  EXPECT_EQ(Major(versions, 1)->value("status", ""), "deprecated");
  EXPECT_EQ(Major(versions, 2)->value("status", ""), "active");
}

// The refusal for a deprecated major without an end of life says what
// works: the date lives in the old major's own (immutable) contract, so a
// patch release of it comes first — or a waiver, which this test follows.
TEST_F(NewMajor, DeprecationWithoutEndOfLifeGivesWorkableAdvice) {
  RemoveChannelColumn();
  SetOrdersVersion("1.0.0", "2.0.0");
  MoveConsumersTo("2.0.0");
  RunResult first = Plan(tree_, ws_);
  EXPECT_EQ(first.exit_code, 1) << first;
  EXPECT_THAT(first.out, HasSubstr("deprecated-port-has-end-of-life")) << first;
  EXPECT_THAT(first.out, HasSubstr("patch release")) << first;
  EXPECT_THAT(first.out, HasSubstr("waiver")) << first;

  RunResult waiver = e2e::Run({"waiver", "add", "deprecated-port-has-end-of-life", "sales.orders/orders@v1",
                               "--reason", "v1 retires with the Q4 migration", "--approver", "governance",
                               "--expires", "2999-01-01", "--workspace", ws_.string()});
  ASSERT_EQ(waiver.exit_code, 0) << waiver;
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  nlohmann::json versions = OrdersVersions();
  ASSERT_EQ(versions.size(), 2u) << versions;
  EXPECT_EQ(Major(versions, 1)->value("status", ""), "deprecated");
  EXPECT_EQ(Major(versions, 2)->value("status", ""), "active");
}

// A new major and the breaking change it carries reach the webhooks of the
// product's audience once applied.
TEST_F(NewMajor, ANewMajorAndItsBreakingChangeAreAnnounced) {
  Receiver receiver(/*fail_first=*/0);
  RunResult hook = e2e::Run({"webhooks", "add", receiver.Url(), "--events", "version.major,change.breaking", "--as",
                        "carol@retail.example", "--workspace", ws_.string()});
  ASSERT_EQ(hook.exit_code, 0) << hook;
  AddEndOfLife("2027-12-31");
  SetOrdersVersion("1.0.0", "1.1.0");
  ASSERT_EQ(Apply(tree_, ws_).exit_code, 0);
  RemoveChannelColumn();
  SetOrdersVersion("1.1.0", "2.0.0");
  MoveConsumersTo("2.0.0");
  RunResult apply = Apply(tree_, ws_);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  ASSERT_EQ(e2e::Run({"monitor", "--once", "--workspace", ws_.string()}).exit_code, 0);
  std::vector<std::string> types;
  for (const auto& h : receiver.Hits()) {
    nlohmann::json e = nlohmann::json::parse(h.body);
    EXPECT_EQ(e["subject"], "sales.orders") << h.body;
    types.push_back(e["type"]);
  }
  std::sort(types.begin(), types.end());
  EXPECT_EQ(types, (std::vector<std::string>{"dev.weft.change.breaking", "dev.weft.version.major"}));
}

}  // namespace
}  // namespace weft::e2e
