// Turns the text a user types into a search box into an FTS5 MATCH
// expression that cannot be a syntax error and cannot use FTS5's operators.
//
//   FtsMatchExpression("customer ord")   ->  "customer" "ord"*
//   FtsMatchExpression("a OR (b")        ->  "a" "OR" "(b"*
//
// Every whitespace-separated word becomes one quoted FTS5 string (a phrase
// of the tokens in it, so "customer_id" matches the column customer_id), the
// words are ANDed, and the last word is a prefix while the user may still be
// typing it (no trailing space). Words without a letter or digit are dropped:
// FTS5 makes them empty phrases, which match nothing. The splitting is
// search_words.h's, shared with the PostgreSQL store.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "catalog/search_words.h"  // kMaxSearchWords
#include "common/status.h"

namespace weft::catalog::sqlite {

// The MATCH expression, or "" when the text has no searchable word.
Result<std::string> FtsMatchExpression(std::string_view text);

}  // namespace weft::catalog::sqlite
