// End to end: the commands that need no workspace — lint, diff, new, demo
// generate, help.
#include <regex>
#include <sstream>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Lint, DemoMeshIsClean) {
  RunResult r = e2e::Run({"lint", RepoPath("examples/mesh").string()});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("0 error(s), 0 warning(s)")) << r;
}

TEST(Lint, JsonOutputParses) {
  RunResult r = e2e::Run({"lint", RepoPath("examples/mesh").string(), "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  nlohmann::json j = ParseJson(r);
  ASSERT_TRUE(j.is_object()) << r;
  EXPECT_EQ(j.value("errors", -1), 0);
  EXPECT_EQ(j.value("warnings", -1), 0);
  EXPECT_GT(j.value("files", 0), 20);
  EXPECT_TRUE(j["diagnostics"].is_array());
  EXPECT_TRUE(j["diagnostics"].empty());
}

TEST(Lint, ErrorIsGccStyleWithRuleAndExitsOne) {
  TempDir tmp;
  // A contract whose minimum is above its maximum.
  const fs::path file = tmp / "orders.odcs.yaml";
  CopyTree(RepoPath("tests/fixtures/lint/rules/option-range"), tmp.path());
  RunResult r = e2e::Run({"lint", file.string()});
  EXPECT_EQ(r.exit_code, 1) << r;
  std::regex gcc("^" + file.string() + R"(:[0-9]+:[0-9]+: error: .+ \[option-range\]$)");
  bool found = false;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) found = found || std::regex_match(line, gcc);
  EXPECT_TRUE(found) << "no `file:line:col: error: ... [option-range]` line" << r;
  EXPECT_THAT(r.err, HasSubstr("1 error(s)")) << r;

  // The same finding in JSON, with its position.
  RunResult j = e2e::Run({"lint", file.string(), "-o", "json"});
  EXPECT_EQ(j.exit_code, 1) << j;
  nlohmann::json parsed = ParseJson(j);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed.value("errors", 0), 1);
}

TEST(Lint, MissingPathIsAUsageError) {
  TempDir tmp;
  RunResult r = e2e::Run({"lint", (tmp / "does-not-exist").string()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.out + r.err, HasSubstr("does-not-exist")) << r;
}

TEST(Diff, RemovedPropertyIsBreaking) {
  RunResult r = e2e::Run({"diff", RepoPath("tests/fixtures/diff/old").string(), RepoPath("tests/fixtures/diff/new").string()});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.out, HasSubstr("property-removed")) << r;
  EXPECT_THAT(r.out, HasSubstr("customer_id")) << r;

  RunResult j = e2e::Run({"diff", RepoPath("tests/fixtures/diff/old").string(), RepoPath("tests/fixtures/diff/new").string(),
                     "-o", "json"});
  EXPECT_EQ(j.exit_code, 1) << j;
  EXPECT_TRUE(ParseJson(j).is_array()) << j;
}

TEST(Diff, IdenticalTreesExitZero) {
  TempDir tmp;
  CopyTree(RepoPath("examples/mesh"), tmp / "copy");
  RunResult r = e2e::Run({"diff", RepoPath("examples/mesh").string(), (tmp / "copy").string()});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("0 breaking")) << r;
}

TEST(Diff, MissingSideIsAUsageError) {
  TempDir tmp;
  RunResult r = e2e::Run({"diff", RepoPath("tests/fixtures/diff/old").string(), (tmp / "nope").string()});
  EXPECT_EQ(r.exit_code, 2) << r;
}

TEST(New, ScaffoldsLintCleanAndNeverOverwrites) {
  TempDir tmp;
  const std::string dir = (tmp / "mesh").string();
  RunResult d = e2e::Run({"new", "domain", "pricing", "--dir", dir});
  ASSERT_EQ(d.exit_code, 0) << d;
  RunResult p = e2e::Run({"new", "product", "pricing/price_list", "--dir", dir});
  ASSERT_EQ(p.exit_code, 0) << p;
  EXPECT_TRUE(fs::exists(tmp / "mesh/domains/pricing/domain.yaml"));
  EXPECT_TRUE(fs::exists(tmp / "mesh/domains/pricing/products/price_list/product.odps.yaml"));
  EXPECT_TRUE(fs::exists(tmp / "mesh/domains/pricing/products/price_list/price_list.odcs.yaml"));

  RunResult lint = e2e::Run({"lint", dir});
  EXPECT_EQ(lint.exit_code, 0) << lint;
  EXPECT_THAT(lint.err, HasSubstr(" 0 error(s)")) << lint;

  // Running `new` again refuses and changes nothing.
  auto before = SnapshotFiles(tmp / "mesh");
  RunResult d2 = e2e::Run({"new", "domain", "pricing", "--dir", dir});
  EXPECT_EQ(d2.exit_code, 1) << d2;
  EXPECT_THAT(d2.err, HasSubstr("already exists")) << d2;
  RunResult p2 = e2e::Run({"new", "product", "pricing/price_list", "--dir", dir});
  EXPECT_EQ(p2.exit_code, 1) << p2;
  EXPECT_THAT(p2.err, HasSubstr("already exists")) << p2;
  EXPECT_EQ(SnapshotFiles(tmp / "mesh"), before);
}

TEST(New, BadNameIsAUsageError) {
  TempDir tmp;
  RunResult r = e2e::Run({"new", "domain", "Bad-Name", "--dir", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

const std::vector<std::string> kSourceProducts = {
    "customer/customers.csv",    "sales/orders.csv",         "sales/order_items.csv",
    "marketing/campaigns.csv",   "marketing/leads.csv",      "inventory/warehouses.csv",
    "inventory/stock_levels.csv", "inventory/inventory_snapshots.csv"};

TEST(DemoGenerate, WritesOneCsvPerSourceProductDeterministically) {
  TempDir tmp;
  RunResult a = e2e::Run({"demo", "generate", "--scale", "0.01", "--out", (tmp / "a").string()});
  ASSERT_EQ(a.exit_code, 0) << a;
  auto files = SnapshotFiles(tmp / "a");
  std::vector<std::string> names;
  for (const auto& [name, content] : files) names.push_back(name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAreArray(kSourceProducts));
  EXPECT_FALSE(fs::exists(tmp / "a/finance")) << "derived products are built by their transform, not generated";
  for (const auto& [name, content] : files) {
    EXPECT_GT(content.size(), 0u) << name;
    EXPECT_NE(content.find('\n'), std::string::npos) << name << " has no header line";
  }

  RunResult b = e2e::Run({"demo", "generate", "--scale", "0.01", "--out", (tmp / "b").string(), "--threads", "1"});
  ASSERT_EQ(b.exit_code, 0) << b;
  EXPECT_TRUE(SnapshotFiles(tmp / "b") == files) << "two runs at the same scale differ";
}

TEST(DemoGenerate, SummaryShowsTheScaleAsGiven) {
  TempDir tmp;
  RunResult r = e2e::Run({"demo", "generate", "--scale", "0.01", "--out", (tmp / "d").string()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("(scale 0.01)"));
}

TEST(DemoGenerate, BadScaleIsAUsageError) {
  TempDir tmp;
  for (const char* scale : {"0", "-1", "1000"}) {
    RunResult r = e2e::Run({"demo", "generate", "--scale", scale, "--out", (tmp / "d").string()});
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("--scale")) << r;
  }
  EXPECT_FALSE(fs::exists(tmp / "d/sales/orders.csv"));
}

TEST(Help, TopLevelAndCommandHelpExitZero) {
  RunResult top = e2e::Run({"--help"});
  EXPECT_EQ(top.exit_code, 0) << top;
  for (const char* cmd : {"lint", "diff", "new", "demo", "init", "plan", "apply", "get", "describe", "search",
                          "audit", "waiver", "policy"})
    EXPECT_THAT(top.out, HasSubstr(cmd)) << top;
  RunResult lint = e2e::Run({"lint", "--help"});
  EXPECT_EQ(lint.exit_code, 0) << lint;
  EXPECT_THAT(lint.out, HasSubstr("Usage")) << lint;
  RunResult version = e2e::Run({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version;
  EXPECT_THAT(version.out, HasSubstr("weft")) << version;
}

TEST(Help, UnknownCommandOrOptionIsAUsageError) {
  EXPECT_EQ(e2e::Run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(e2e::Run({"lint", "--no-such-flag", "x"}).exit_code, 2);
  EXPECT_EQ(e2e::Run({}).exit_code, 2);
}

}  // namespace
}  // namespace weft::e2e
