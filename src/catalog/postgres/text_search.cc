#include "catalog/postgres/text_search.h"

#include <fmt/format.h>

#include <vector>

namespace weft::catalog::postgres {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Letters, digits and every byte of a multi-byte UTF-8 character.
bool IsWordByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}

// The words of one whitespace-separated query word, as a tsquery phrase.
std::string Phrase(std::string_view word, bool prefix) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < word.size()) {
    while (i < word.size() && !IsWordByte(word[i])) ++i;
    const size_t start = i;
    while (i < word.size() && IsWordByte(word[i])) ++i;
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
    if (!IsWordByte(c)) c = ' ';
  }
  return out;
}

Result<std::string> TsQueryText(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    const std::string_view word = text.substr(start, i - start);
    for (char c : word) {
      if (IsWordByte(c)) {
        words.push_back(word);
        break;
      }
    }
  }
  if (static_cast<int>(words.size()) > kMaxSearchWords) {
    return Status::InvalidArgument(
        fmt::format("the search text has {} words; at most {} are allowed", words.size(), kMaxSearchWords));
  }
  const bool last_is_prefix = !text.empty() && !IsSpace(text.back());
  std::string query;
  for (size_t w = 0; w < words.size(); ++w) {
    if (!query.empty()) query += " & ";
    query += Phrase(words[w], last_is_prefix && w + 1 == words.size());
  }
  return query;
}

}  // namespace weft::catalog::postgres
