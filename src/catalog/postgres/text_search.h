// Search text for the PostgreSQL store's tsvector/tsquery full-text search,
// made to behave like the SQLite store's FTS5 (sqlite/fts_query.h).
//
//   IndexText("customer_id, order.total")   ->  "customer id  order total"
//   TsQueryText("customer_id ord")          ->  ('customer' <-> 'id') & 'ord':*
//
// The query's words are split as for the SQLite store (search_words.h).
// Within a word, and in the indexed text, words are runs of letters and
// digits (every byte of a multi-byte UTF-8 character counts as a letter):
// ASCII punctuation separates them, as in FTS5's unicode61 tokenizer, not as
// in PostgreSQL's parser, which keeps "sales.orders" or "a-b" whole. Both
// sides are split here, the same way, before PostgreSQL's 'simple'
// configuration lower-cases the words. Each word of the query is a phrase of
// its parts (customer_id matches the column customer_id), the phrases are
// ANDed, and the last is a prefix unless followed by a space. Every part is
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
