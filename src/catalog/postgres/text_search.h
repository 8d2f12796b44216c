// Search text for the PostgreSQL store's tsvector/tsquery full-text search,
// made to behave like the SQLite store's FTS5 (sqlite/fts_query.h).
//
//   IndexText("customer_id, order.total")   ->  "customer id  order total"
//   TsQueryText("customer_id ord")          ->  'customer' <-> 'id' & 'ord':*
//
// The text's words are split as for the SQLite store (search_words.h);
// within a word, the indexed words are runs of letters and digits (every byte of a multi-byte UTF-8
// character counts as a letter); ASCII punctuation separates them, as in
// FTS5's unicode61 tokenizer, rather than PostgreSQL's parser, which keeps
// "sales.orders" or "a-b" whole. The indexed text and the query are split
// the same way, here, before PostgreSQL's 'simple' configuration lower-cases
// the words. Each whitespace-separated word of the query is a phrase of its
// words (customer_id matches the column customer_id), the phrases are ANDed,
// and the last word is a prefix unless followed by a space. Every word is
// quoted and holds no punctuation, so no tsquery operator can be injected.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::catalog::postgres {

// `text` with ASCII punctuation turned into spaces: what to_tsvector indexes.
std::string IndexText(std::string_view text);

// The to_tsquery('simple', ...) text, or "" when `text` has no searchable word.
Result<std::string> TsQueryText(std::string_view text);

}  // namespace weft::catalog::postgres
