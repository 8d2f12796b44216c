// The words of what a user types into a search box, split the same way for
// both stores' full-text queries (sqlite/fts_query.h, postgres/text_search.h).
//
//   SplitSearchText("customer ord")   ->  words {customer, ord}, last_is_prefix
//   SplitSearchText("a ( b ")         ->  words {a, b} (no letter or digit in "(")
//
// Words are separated by whitespace; a word without a letter or digit (every
// byte of a multi-byte UTF-8 character counts as a letter) is dropped. The
// last word is a prefix while the user may still be typing it: the text does
// not end in whitespace.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::catalog {

// More words than this is an InvalidArgument: it bounds a query's cost.
inline constexpr int kMaxSearchWords = 32;

struct SearchWords {
  std::vector<std::string_view> words;  // views into the text
  bool last_is_prefix = false;
};

Result<SearchWords> SplitSearchText(std::string_view text);

// A letter or a digit in ASCII, or any byte of a multi-byte UTF-8 character.
bool IsSearchWordByte(char c);

}  // namespace weft::catalog
