// The bad-input catalogue, spec side (issue 18, part 4; docs/reliability.md):
// hostile or broken YAML in a tree given to `weft apply` is refused with the
// file, line and column and the rule, in bounded time, and the catalog is
// exactly as it was. The loader's own limits are unit-tested in
// spec/loader_test.cc; this drives the real binary with its defaults.
#include <chrono>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// "Billion laughs": nine levels of ten aliases each would expand to 10^9 nodes.
std::string AliasBomb() {
  std::string text = "customBomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + Repeat(prev + ", ", 9) + prev + "]\n";
  }
  return text;
}

class BadSpecTest : public AppliedMeshTest {};

TEST_F(BadSpecTest, HostileYamlIsRefusedWithItsPlaceAndChangesNothing) {
  const std::string original = ReadFile(Contract());
  const CatalogView before = ReadCatalog(ws_);
  struct Case {
    std::string name;
    std::string content;      // the orders contract as written
    std::string rule;         // the diagnostic's [rule]
    std::string also;         // more of the message
    bool whole_file = false;  // about the file, so no line and column
  };
  std::string latin1 = original;
  latin1.insert(latin1.find('\n'), " caf\xe9");
  const std::vector<Case> cases = {
      {"alias bomb", original + AliasBomb(), "document-too-large", "alias expansion"},
      {"nested 200 deep", original + "customDeep: " + Repeat("[", 200) + Repeat("]", 200) + "\n", "document-too-deep",
       ""},
      {"nested past the parser", original + "customDeep: " + Repeat("[", 5000) + Repeat("]", 5000) + "\n", "", ""},
      {"invalid UTF-8", latin1, "invalid-utf8", "spec files must be UTF-8"},
      {"unclosed list", original + "customList: [1, 2\n", "yaml-syntax", "did not find expected"},
      {"17 MB", original + "customBig: '" + std::string(17u << 20, 'x') + "'\n", "document-too-large",
       "specs are limited to 16777216", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    WriteFile(Contract(), c.content);
    const auto start = std::chrono::steady_clock::now();
    RunResult r = Apply(tree_, ws_);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_FALSE(r.signaled) << r;
    EXPECT_LT(seconds, 20) << "not bounded";
    const std::string out = r.out + r.err;
    EXPECT_THAT(out, ContainsRegex(c.whole_file ? "orders\\.odcs\\.yaml: error: "
                                                : "orders\\.odcs\\.yaml:[0-9]+:[0-9]+: error: "))
        << r;
    if (!c.rule.empty()) {
      EXPECT_THAT(out, HasSubstr("[" + c.rule + "]")) << r;
    }
    if (!c.also.empty()) {
      EXPECT_THAT(out, HasSubstr(c.also)) << r;
    }
    EXPECT_THAT(out, HasSubstr("nothing will be applied")) << r;
    EXPECT_EQ(ReadCatalog(ws_), before);
  }
  WriteFile(Contract(), original);
  RunResult again = Apply(tree_, ws_);
  EXPECT_EQ(again.exit_code, 0) << again;
}

}  // namespace
}  // namespace weft::e2e
