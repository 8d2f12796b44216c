// Small string helpers shared by every module.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft {

std::vector<std::string> Split(std::string_view s, char sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// Quotes a string as a SQL literal: O'Brien -> 'O''Brien'.
std::string SqlQuote(std::string_view s);
// Quotes a SQL identifier: my"col -> "my""col".
std::string SqlIdent(std::string_view s);

// Position of the first byte that is not valid UTF-8, or npos when valid.
// Rejects overlong forms, surrogates and code points past U+10FFFF.
size_t FindInvalidUtf8(std::string_view s);

// Levenshtein distance, capped: used for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "" when none is close.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace weft
