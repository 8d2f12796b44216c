#include "catalog/search_words.h"

#include <fmt/format.h>

namespace weft::catalog {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool IsSearchWordByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}

Result<SearchWords> SplitSearchText(std::string_view text) {
  SearchWords out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    const std::string_view word = text.substr(start, i - start);
    for (char c : word) {
      if (IsSearchWordByte(c)) {
        out.words.push_back(word);
        break;
      }
    }
  }
  if (static_cast<int>(out.words.size()) > kMaxSearchWords) {
    return Status::InvalidArgument(
        fmt::format("the search text has {} words; at most {} are allowed", out.words.size(), kMaxSearchWords));
  }
  out.last_is_prefix = !out.words.empty() && !IsSpace(text.back());
  return out;
}

}  // namespace weft::catalog
