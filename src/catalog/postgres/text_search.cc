#include "catalog/postgres/text_search.h"

#include <fmt/format.h>

#include <vector>

#include "catalog/search_words.h"

namespace weft::catalog::postgres {
namespace {

// The words of one whitespace-separated query word, as a tsquery phrase.
std::string Phrase(std::string_view word, bool prefix) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < word.size()) {
    while (i < word.size() && !IsSearchWordByte(word[i])) ++i;
    const size_t start = i;
    while (i < word.size() && IsSearchWordByte(word[i])) ++i;
    if (i > start) parts.push_back("'" + std::string(word.substr(start, i - start)) + "'");
  }
  if (prefix && !parts.empty()) parts.back() += ":*";
  std::string phrase;
  for (const std::string& part : parts) phrase += (phrase.empty() ? "" : " <-> ") + part;
  return parts.size() > 1 ? "(" + phrase + ")" : phrase;
}

}  // namespace

std::string IndexText(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!IsSearchWordByte(c)) c = ' ';
  }
  return out;
}

Result<std::string> TsQueryText(std::string_view text) {
  ASSIGN_OR_RETURN(SearchWords split, SplitSearchText(text));
  std::string query;
  for (size_t w = 0; w < split.words.size(); ++w) {
    if (!query.empty()) query += " & ";
    query += Phrase(split.words[w], split.last_is_prefix && w + 1 == split.words.size());
  }
  return query;
}

std::string RankedVectorSql(std::string_view row) {
  return fmt::format(
      "setweight({0}.name_v, 'A') || setweight({0}.tags_v, 'B') || setweight({0}.columns_v, 'C') || "
      "setweight({0}.description_v || {0}.description_v || {0}.column_descriptions_v, 'D')",
      row);
}

}  // namespace weft::catalog::postgres
