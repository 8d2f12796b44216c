#include "spec/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace weft::spec {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "error";
}

std::string FormatGcc(const Diagnostic& d) {
  std::string out = d.file;
  if (d.pos.line > 0) out += ":" + std::to_string(d.pos.line) + ":" + std::to_string(d.pos.col);
  out += ": ";
  out += SeverityName(d.severity);
  out += ": " + d.message;
  if (!d.rule.empty()) out += " [" + d.rule + "]";
  return out;
}

nlohmann::json ToJson(const Diagnostic& d) {
  return {{"file", d.file}, {"line", d.pos.line}, {"column", d.pos.col},
          {"severity", SeverityName(d.severity)}, {"message", d.message}, {"rule", d.rule}};
}

size_t CountErrors(const std::vector<Diagnostic>& diags) {
  return static_cast<size_t>(std::count_if(diags.begin(), diags.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

void SortDiagnostics(std::vector<Diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.pos.line, a.pos.col) < std::tie(b.file, b.pos.line, b.pos.col);
  });
}

}  // namespace weft::spec
