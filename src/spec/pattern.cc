#include "spec/pattern.h"

#include <regex>

namespace weft::spec {

std::string EcmaPatternError(const std::string& pattern) {
  try {
    std::regex re(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return e.what();
  }
  return "";
}

bool NeedsBacktracking(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') return true;  // \1: backreference
      if (pattern[i + 1] == 'k' && i + 2 < pattern.size() && pattern[i + 2] == '<') return true;
      ++i;  // an escaped character is a literal
      continue;
    }
    if (pattern.substr(i, 3) == "(?=" || pattern.substr(i, 3) == "(?!" || pattern.substr(i, 4) == "(?<=" ||
        pattern.substr(i, 4) == "(?<!")
      return true;
  }
  return false;
}

bool UsesNewerEcmaSyntax(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] == 'p' || pattern[i + 1] == 'P' || pattern[i + 1] == 'k') return true;
      ++i;
      continue;
    }
    if (pattern.substr(i, 3) == "(?<") return true;  // named group, lookbehind
  }
  return false;
}

}  // namespace weft::spec
