#include "catalog/postgres/text_search.h"

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

}  // namespace weft::catalog::postgres
