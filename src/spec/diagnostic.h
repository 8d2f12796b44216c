// Diagnostics: what lint, the loader and diff report about a spec, with the
// exact place (file:line:col) and a stable rule id users can look up in
// docs/spec-reference.md.
//
//   std::vector<Diagnostic> diags;
//   diags.push_back({Severity::kError, "a.odcs.yaml", {3, 5}, "missing 'version'", "required-field"});
//   std::cout << FormatGcc(diags[0]);   // a.odcs.yaml:3:5: error: missing 'version' [required-field]
//
// Thread safety: values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace weft::spec {

// A 1-based position in a source file; line 0 means "no position".
struct Pos {
  int line = 0;
  int col = 0;
  bool operator==(const Pos&) const = default;
};

enum class Severity { kError, kWarning, kInfo };
const char* SeverityName(Severity s);

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  Pos pos;
  std::string message;
  std::string rule;  // stable id, e.g. "unknown-field"
};

// file:line:col: error: message [rule]
std::string FormatGcc(const Diagnostic& d);
nlohmann::json ToJson(const Diagnostic& d);

size_t CountErrors(const std::vector<Diagnostic>& diags);
// Sorts by file, line, column so output is stable whatever order checks ran in.
void SortDiagnostics(std::vector<Diagnostic>& diags);

}  // namespace weft::spec
