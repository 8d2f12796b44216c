#include "catalog/sqlite/fts_query.h"

#include "catalog/search_words.h"

namespace weft::catalog::sqlite {
namespace {

// An FTS5 string: inside double quotes nothing is an operator, and a double
// quote is written twice.
std::string Quote(std::string_view word) {
  std::string out = "\"";
  for (char c : word) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

Result<std::string> FtsMatchExpression(std::string_view text) {
  ASSIGN_OR_RETURN(SearchWords split, SplitSearchText(text));
  std::string match;
  for (std::string_view word : split.words) {
    if (!match.empty()) match += ' ';
    match += Quote(word);
  }
  if (split.last_is_prefix) match += '*';
  return match;
}

}  // namespace weft::catalog::sqlite
