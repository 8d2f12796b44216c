// Conformance with the standards themselves:
//  - every official example of ODCS and ODPS (tests/fixtures/standards, at
//    the commits its README names) lints with 0 errors;
//  - a document that breaks one rule of the official schema gets an error
//    at that rule's line, one case per family of schema rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "spec/lint.h"
#include "spec/loader.h"

namespace weft::spec {
namespace {

namespace fs = std::filesystem;

std::vector<Diagnostic> LoadAndLint(const LoadedFile& loaded) {
  std::vector<Diagnostic> diags = loaded.diagnostics;
  for (auto& d : Lint(loaded.documents)) diags.push_back(std::move(d));
  return diags;
}

std::string Errors(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags)
    if (d.severity == Severity::kError) out += FormatGcc(d) + "\n";
  return out;
}

TEST(ConformanceTest, EveryOfficialExampleLintsWithoutErrors) {
  const fs::path dir = "tests/fixtures/standards";
  ASSERT_TRUE(fs::is_directory(dir));
  int files = 0, clean = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    std::vector<Diagnostic> diags = LoadAndLint(LoadFile(entry.path()));
    EXPECT_EQ(CountErrors(diags), 0u) << Errors(diags);
    clean += CountErrors(diags) == 0;
  }
  EXPECT_EQ(files, 20);  // 18 ODCS, 2 ODPS
  EXPECT_EQ(clean, files);
}

// A valid ODCS v3.1.0 contract; each case below changes it in one place.
constexpr const char* kBase = R"(apiVersion: v3.1.0
kind: DataContract
id: shop.orders
name: orders
version: 1.0.0
status: active
schema:
  - name: orders
    logicalType: object
    properties:
      - name: order_id
        logicalType: string
        primaryKey: true
)";

struct Violation {
  const char* family;
  const char* yaml;  // the line marked "# <-" is where the error must be
};

// One case per family of JSON Schema rule the official schemas use. `const`
// appears in ODCS only inside `if` (the logicalType that picks a branch of
// logicalTypeOptions), so the if/then case covers it.
const Violation kViolations[] = {
    {"type", "id: 12345  # <-\n"},
    {"enum (server type)", "servers:\n  - server: prod\n    type: postgress  # <-\n"},
    {"enum (quality dimension)",
     "schema:\n  - name: lines\n    quality:\n      - type: text\n        description: d\n        dimension: validity  # <-\n"},
    {"required (conditional: postgres needs host)",
     "servers:\n  - server: prod  # <-\n    type: postgres\n    port: 5432\n    database: shop\n    schema: public\n"},
    {"required (customProperty value)", "customProperties:\n  - property: weft.tier  # <-\n"},
    {"additionalProperties", "desciption: typo  # <-\n"},
    {"unevaluatedProperties",
     "schema:\n  - name: lines\n    properties:\n      - name: line_no\n        logicaltype: integer  # <-\n"},
    {"pattern (StableId)", "schema:\n  - name: lines\n    id: order lines  # <-\n"},
    {"format date-time", "contractCreatedTs: yesterday  # <-\n"},
    {"oneOf (team is a Team or a list of members)", "team: the shop team  # <-\n"},
    {"if/then (timestamp logicalTypeOptions)",
     "schema:\n  - name: lines\n    properties:\n      - name: at\n        logicalType: timestamp\n"
     "        logicalTypeOptions:\n          timezone: UTC  # <-\n"},
    {"if/then (integer format)",
     "schema:\n  - name: lines\n    properties:\n      - name: qty\n        logicalType: integer\n"
     "        logicalTypeOptions:\n          format: int64  # <-\n"},
};

int MarkedLine(const std::string& text) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find("# <-") != std::string::npos) return n;
  }
  return 0;
}

TEST(ConformanceTest, BaseContractIsValid) {
  std::vector<Diagnostic> diags = LoadAndLint(LoadText(kBase, "base.odcs.yaml"));
  EXPECT_EQ(CountErrors(diags), 0u) << Errors(diags);
}

TEST(ConformanceTest, EachSchemaRuleFamilyIsAnErrorAtItsLine) {
  for (const Violation& v : kViolations) {
    SCOPED_TRACE(v.family);
    // A top-level key given twice would be a duplicate-key error: the case
    // replaces the base's key of the same name instead.
    std::string text = kBase;
    std::string key = std::string(v.yaml).substr(0, std::string(v.yaml).find(':') + 1);
    if (size_t at = text.find("\n" + key); at != std::string::npos) text.erase(at + 1);
    text += v.yaml;
    const int line = MarkedLine(text);
    ASSERT_GT(line, 0);
    std::vector<Diagnostic> diags = LoadAndLint(LoadText(text, "case.odcs.yaml"));
    // The schema's error, or the loader's own at the same node (kept instead,
    // in weft's words: `team` must be a map).
    bool found = std::any_of(diags.begin(), diags.end(), [&](const Diagnostic& d) {
      return d.severity == Severity::kError && (d.rule == "schema" || d.rule == "wrong-type") && d.pos.line == line;
    });
    EXPECT_TRUE(found) << "no error at line " << line << " of\n" << text << "\ngot:\n" << Errors(diags);
  }
}

TEST(ConformanceTest, YamlScalarsAreTypedByTheCoreSchema) {
  // Quoted, the id is a string and valid; plain, 12345 is an integer.
  std::string quoted = std::string(kBase);
  quoted.replace(quoted.find("id: shop.orders"), 15, "id: \"12345\"");
  EXPECT_EQ(CountErrors(LoadAndLint(LoadText(quoted, "q.odcs.yaml"))), 0u);
}

}  // namespace
}  // namespace weft::spec
