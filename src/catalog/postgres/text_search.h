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

// `text` with ASCII punctuation turned into spaces and Latin letters folded
// as FTS5's unicode61 tokenizer folds them (Café -> cafe; PostgreSQL's
// 'simple' configuration lower-cases ASCII but strips no accent, and under a
// "C" locale lower-cases nothing else): what to_tsvector indexes. The
// query's words are folded the same way (TsQueryText).
std::string IndexText(std::string_view text);

// The to_tsquery('simple', ...) text, or "" when `text` has no searchable word.
Result<std::string> TsQueryText(std::string_view text);

// A product's ranked vector, from the column vectors of `row` (a row or CTE
// with name_v, tags_v, columns_v, description_v, column_descriptions_v):
// each column labelled for the SQLite store's bm25 weights — name A (10),
// tags B (5), columns C (3), descriptions D — so one ts_rank over it with
// kRankWeightsSql weighs the columns. PostgreSQL has four labels for five
// columns: the description and the column descriptions share D, and the
// description counts twice, so it still outranks a column description
// (its SQLite weight is 2, theirs 1).
std::string RankedVectorSql(std::string_view row);
// ts_rank's weights for labels {D, C, B, A}: the bm25 weights over 10.
inline constexpr const char* kRankWeightsSql = "'{0.1, 0.3, 0.5, 1.0}'";

}  // namespace weft::catalog::postgres
