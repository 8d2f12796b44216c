// Lint tests, mostly data-driven.
//
// Golden tests: every rule id in LintRules() has a directory
// tests/fixtures/lint/rules/<rule-id>/ with the smallest spec files that
// trigger it, and expected.txt: the loader and lint diagnostics of all those
// files together, gcc-style, paths relative to the repo root, in lint's
// order. To add a rule, add its directory; to accept intended message
// changes, regenerate the golden files and review the diff by eye:
//
//   WEFT_UPDATE_GOLDEN=1 ./build-tests/src/spec/weft_spec_test --gtest_filter='LintGolden*'
//
// The rules that need the SQL engine (sql-not-select, invalid-regex, regex-unchecked) are
// checked through the `weft` binary (env WEFT_BINARY) since the spec module
// does not link the engine; "io" has its own test.
#include "spec/lint.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "spec/diff.h"
#include "spec/loader.h"

namespace weft::spec {
namespace {

namespace fs = std::filesystem;

// Rules without a golden fixture directory, and why.
const std::set<std::string>& ExemptRules() {
  static const std::set<std::string> k = {
      "io",              // LintTest.NonexistentPathIsAnIoError
      "sql-not-select",  // LintCliTest: needs the engine's SQL parser
      "invalid-regex",   // LintCliTest: needs the engine's RE2
      "regex-unchecked", // LintCliTest: needs the engine's RE2
  };
  return k;
}

fs::path SourceDir() {
  const char* dir = std::getenv("WEFT_SOURCE_DIR");
  return dir && *dir ? fs::path(dir) : fs::current_path();
}

fs::path RulesDir() { return SourceDir() / "tests/fixtures/lint/rules"; }

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Paths in diagnostics (file names and messages) relative to the repo root.
std::string RelativeToSource(std::string text) {
  const std::string prefix = SourceDir().string() + "/";
  for (size_t pos = 0; (pos = text.find(prefix, pos)) != std::string::npos;) text.erase(pos, prefix.size());
  return text;
}

std::string FormatAll(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += RelativeToSource(FormatGcc(d)) + "\n";
  return out;
}

struct LintedTree {
  std::vector<Document> documents;
  std::vector<Diagnostic> diagnostics;  // loader and lint, sorted
};

// Loads every spec file under `root` and lints them together, without a SQL validator.
LintedTree LoadAndLint(const fs::path& root) {
  LintedTree tree;
  for (const auto& file : FindSpecFiles({root}, tree.diagnostics)) {
    LoadedFile loaded = LoadFile(file);
    for (auto& doc : loaded.documents) tree.documents.push_back(std::move(doc));
    for (auto& d : loaded.diagnostics) tree.diagnostics.push_back(std::move(d));
  }
  for (auto& d : Lint(tree.documents)) tree.diagnostics.push_back(std::move(d));
  SortDiagnostics(tree.diagnostics);
  return tree;
}

size_t CountWarnings(const std::vector<Diagnostic>& diags) {
  return static_cast<size_t>(std::count_if(diags.begin(), diags.end(),
                                            [](const Diagnostic& d) { return d.severity == Severity::kWarning; }));
}

std::vector<std::string> GoldenRules() {
  std::vector<std::string> out;
  for (const auto& rule : LintRules())
    if (!ExemptRules().count(rule.id)) out.push_back(rule.id);
  return out;
}

// --- golden tests ---------------------------------------------------------------

class LintGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(LintGoldenTest, MatchesExpected) {
  const std::string& rule = GetParam();
  const fs::path dir = RulesDir() / rule;
  ASSERT_TRUE(fs::is_directory(dir)) << "rule '" << rule << "' has no fixture directory " << dir;
  const std::string actual = FormatAll(LoadAndLint(dir).diagnostics);
  const fs::path golden = dir / "expected.txt";
  if (const char* update = std::getenv("WEFT_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary | std::ios::trunc) << actual;
  } else {
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with WEFT_UPDATE_GOLDEN=1 and review it";
    EXPECT_EQ(actual, ReadText(golden)) << "diagnostics for " << dir << " changed";
  }
  EXPECT_NE(actual.find("[" + rule + "]"), std::string::npos) << "the fixtures do not trigger '" << rule << "'";
}

INSTANTIATE_TEST_SUITE_P(Rules, LintGoldenTest, testing::ValuesIn(GoldenRules()),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(LintGoldenMetaTest, EveryRuleHasAFixtureDirectory) {
  for (const auto& rule : GoldenRules())
    EXPECT_TRUE(fs::is_directory(RulesDir() / rule)) << "add tests/fixtures/lint/rules/" << rule << "/";
}

TEST(LintGoldenMetaTest, EveryFixtureDirectoryIsARule) {
  std::set<std::string> rules;
  for (const auto& rule : GoldenRules()) rules.insert(rule);
  for (const auto& entry : fs::directory_iterator(RulesDir()))
    EXPECT_TRUE(rules.count(entry.path().filename().string()))
        << entry.path() << " is not a rule id in LintRules() (or its rule is exempt)";
}

TEST(LintGoldenMetaTest, RuleIdsAreUnique) {
  std::set<std::string> seen;
  for (const auto& rule : LintRules()) EXPECT_TRUE(seen.insert(rule.id).second) << rule.id;
}

TEST(LintTest, NonexistentPathIsAnIoError) {
  const fs::path missing = SourceDir() / "tests/fixtures/lint/does-not-exist.odcs.yaml";
  LoadedFile f = LoadFile(missing);
  ASSERT_EQ(f.diagnostics.size(), 1u) << FormatAll(f.diagnostics);
  EXPECT_EQ(f.diagnostics[0].rule, "io");
  EXPECT_EQ(f.diagnostics[0].severity, Severity::kError);
  EXPECT_EQ(f.diagnostics[0].file, missing.string());

  std::vector<Diagnostic> diags;
  EXPECT_TRUE(FindSpecFiles({missing.parent_path() / "no-such-dir"}, diags).empty());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].rule, "io");
}

// --- passing cases ----------------------------------------------------------------

TEST(LintTest, ValidTreeHasNoErrorsOrWarnings) {
  // Covers the passing side of the cross-document rules: output-port-contract,
  // output-port-version, input-port-unresolved, domain-unresolved,
  // reference-unresolved and relationship-unresolved across contracts.
  LintedTree tree = LoadAndLint(SourceDir() / "tests/fixtures/lint/valid");
  EXPECT_EQ(tree.documents.size(), 5u);
  EXPECT_EQ(CountErrors(tree.diagnostics) + CountWarnings(tree.diagnostics), 0u) << FormatAll(tree.diagnostics);
}

TEST(LintTest, ExampleMeshHasNoErrors) {
  const fs::path mesh = SourceDir() / "examples/mesh";
  if (!fs::is_directory(mesh)) GTEST_SKIP() << mesh << " does not exist yet";
  LintedTree tree = LoadAndLint(mesh);
  EXPECT_FALSE(tree.documents.empty());
  EXPECT_EQ(CountErrors(tree.diagnostics), 0u) << FormatAll(tree.diagnostics);
}

// --- through the weft binary, with the engine's SQL and regex checks ----------------

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LintCliTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("WEFT_BINARY");
    if (!bin || !fs::is_regular_file(bin)) GTEST_SKIP() << "WEFT_BINARY is not set or not built";
    binary_ = bin;
  }

  // Runs `weft lint ARGS` from the repo root.
  CliRun Lint(const std::string& args) {
    const std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    const fs::path out = fs::path(testing::TempDir()) / ("weft_lint_" + name + ".out");
    const fs::path err = fs::path(testing::TempDir()) / ("weft_lint_" + name + ".err");
    const std::string cmd = "cd '" + SourceDir().string() + "' && '" + binary_.string() + "' lint " + args + " >'" +
                            out.string() + "' 2>'" + err.string() + "'";
    int status = std::system(cmd.c_str());
    CliRun run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadText(out), ReadText(err)};
    fs::remove(out);
    fs::remove(err);
    return run;
  }

  fs::path binary_;
};

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

TEST_F(LintCliTest, SqlRuleThatIsNotASingleSelectIsAnError) {
  CliRun run = Lint("tests/fixtures/lint/engine/sql-not-select.odcs.yaml");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const std::string file = "tests/fixtures/lint/engine/sql-not-select.odcs.yaml:";
  EXPECT_EQ(CountLines(run.out, "[sql-not-select]"), 2) << run.out;
  EXPECT_EQ(CountLines(run.out, file + "13:9: error: quality rule on 'orders' must be one read-only SELECT: "), 1) << "DELETE\n" << run.out;
  EXPECT_EQ(CountLines(run.out, file + "16:9: error: quality rule on 'orders' must be one read-only SELECT: "), 1) << "two statements\n" << run.out;
  EXPECT_EQ(CountLines(run.out, file + "19:"), 0) << "a SELECT with {object} passes\n" << run.out;
}

TEST_F(LintCliTest, PatternThatCompilesNowhereIsAnErrorAndOneRe2CannotRunAWarning) {
  CliRun run = Lint("tests/fixtures/lint/engine/invalid-regex.odcs.yaml");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const std::string file = "tests/fixtures/lint/engine/invalid-regex.odcs.yaml:";
  EXPECT_EQ(CountLines(run.out, "[invalid-regex]"), 1) << run.out;
  EXPECT_EQ(CountLines(run.out, file + "17:11: error: pattern of property 'orders.order_id' does not compile: "
                                       "invalid regular expression 'a(b'"),
            1)
      << run.out;
  EXPECT_EQ(CountLines(run.out, file + "22:13: warning: pattern of quality rule on 'orders.sku' is valid ECMA-262, but "
                                       "RE2 (DuckDB, which runs weft's checks) cannot run it"),
            1)
      << run.out;
  EXPECT_EQ(CountLines(run.out, file + "32:11: warning: pattern of property 'orders.city' uses ECMAScript syntax weft "
                                       "cannot compile"),
            1)
      << run.out;
}

TEST_F(LintCliTest, CleanTreeExitsZero) {
  CliRun run = Lint("tests/fixtures/lint/valid");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(CountLines(run.out, ": error: ") + CountLines(run.out, ": warning: "), 0) << run.out;
  EXPECT_NE(run.err.find("5 file(s), 5 document(s): 0 error(s), 0 warning(s)"), std::string::npos) << run.err;
}

TEST_F(LintCliTest, ErrorsExitOne) {
  CliRun run = Lint("tests/fixtures/lint/rules/required-field");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_GT(CountLines(run.out, "[required-field]"), 0) << run.out;
}

TEST_F(LintCliTest, NonexistentPathExitsTwo) {
  CliRun run = Lint("tests/fixtures/lint/does-not-exist");
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_GE(CountLines(run.out, "tests/fixtures/lint/does-not-exist: error: "), 1) << run.out;
  EXPECT_EQ(CountLines(run.out, "[io]"), CountLines(run.out, ": error: ")) << run.out;
}

TEST_F(LintCliTest, JsonOutputHasTheDiagnostics) {
  CliRun run = Lint("-o json tests/fixtures/lint/rules/invalid-status");
  EXPECT_EQ(run.exit_code, 0) << "warnings only\n" << run.out << run.err;
  Json out = Json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(out.is_discarded()) << run.out;
  EXPECT_EQ(out["files"], 1);
  EXPECT_EQ(out["errors"], 0);
  EXPECT_EQ(out["warnings"], 1);
  ASSERT_EQ(out["diagnostics"].size(), 1u) << run.out;
  const Json& d = out["diagnostics"][0];
  EXPECT_EQ(d["file"], "tests/fixtures/lint/rules/invalid-status/orders.odcs.yaml");
  EXPECT_EQ(d["line"], 6);
  EXPECT_EQ(d["column"], 1);
  EXPECT_EQ(d["severity"], "warning");
  EXPECT_EQ(d["rule"], "invalid-status");
}

}  // namespace
}  // namespace weft::spec

namespace weft::spec {
namespace {

// docs/spec-reference.md documents every rule id; a new rule without docs fails here.
TEST(SpecReferenceDocTest, ListsEveryLintAndDiffRule) {
  std::ifstream in("docs/spec-reference.md");
  ASSERT_TRUE(in) << "run from the repository root";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& r : LintRules()) EXPECT_NE(doc.find(std::string("`") + r.id + "`"), std::string::npos) << r.id;
  for (const auto& r : DiffRules()) EXPECT_NE(doc.find("`" + r.id + "`"), std::string::npos) << r.id;
}

}  // namespace
}  // namespace weft::spec
