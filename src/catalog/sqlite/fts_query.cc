#include "catalog/sqlite/fts_query.h"

#include <fmt/format.h>

#include <vector>

namespace weft::catalog::sqlite {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Letters and digits, and every byte of a multi-byte UTF-8 character (most
// are letters to the unicode61 tokenizer).
bool HasWordCharacter(std::string_view word) {
  for (char c : word) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z')) {
      return true;
    }
  }
  return false;
}

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
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    const std::string_view word = text.substr(start, i - start);
    if (HasWordCharacter(word)) words.push_back(word);
  }
  if (static_cast<int>(words.size()) > kMaxSearchWords) {
    return Status::InvalidArgument(
        fmt::format("the search text has {} words; at most {} are allowed", words.size(), kMaxSearchWords));
  }
  std::string match;
  for (std::string_view word : words) {
    if (!match.empty()) match += ' ';
    match += Quote(word);
  }
  if (!match.empty() && !IsSpace(text.back())) match += '*';
  return match;
}

}  // namespace weft::catalog::sqlite
