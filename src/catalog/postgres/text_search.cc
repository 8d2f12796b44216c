#include "catalog/postgres/text_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "catalog/search_words.h"

namespace weft::catalog::postgres {
namespace {

struct Folded {
  uint16_t code_point;
  const char* as;  // UTF-8
};
// Latin letters as FTS5 indexes them: lower case, diacritics removed where
// the letter decomposes into a base and marks (é -> e, Ł -> ł, ß stays).
constexpr Folded kLatinFolds[] = {
    {0x00C0, "a"}, {0x00C1, "a"}, {0x00C2, "a"}, {0x00C3, "a"}, {0x00C4, "a"}, {0x00C5, "a"},
    {0x00C6, "\xc3\xa6"}, {0x00C7, "c"}, {0x00C8, "e"}, {0x00C9, "e"}, {0x00CA, "e"}, {0x00CB, "e"},
    {0x00CC, "i"}, {0x00CD, "i"}, {0x00CE, "i"}, {0x00CF, "i"}, {0x00D0, "\xc3\xb0"}, {0x00D1, "n"},
    {0x00D2, "o"}, {0x00D3, "o"}, {0x00D4, "o"}, {0x00D5, "o"}, {0x00D6, "o"}, {0x00D8, "\xc3\xb8"},
    {0x00D9, "u"}, {0x00DA, "u"}, {0x00DB, "u"}, {0x00DC, "u"}, {0x00DD, "y"}, {0x00DE, "\xc3\xbe"},
    {0x00E0, "a"}, {0x00E1, "a"}, {0x00E2, "a"}, {0x00E3, "a"}, {0x00E4, "a"}, {0x00E5, "a"}, {0x00E7, "c"},
    {0x00E8, "e"}, {0x00E9, "e"}, {0x00EA, "e"}, {0x00EB, "e"}, {0x00EC, "i"}, {0x00ED, "i"}, {0x00EE, "i"},
    {0x00EF, "i"}, {0x00F1, "n"}, {0x00F2, "o"}, {0x00F3, "o"}, {0x00F4, "o"}, {0x00F5, "o"}, {0x00F6, "o"},
    {0x00F9, "u"}, {0x00FA, "u"}, {0x00FB, "u"}, {0x00FC, "u"}, {0x00FD, "y"}, {0x00FF, "y"}, {0x0100, "a"},
    {0x0101, "a"}, {0x0102, "a"}, {0x0103, "a"}, {0x0104, "a"}, {0x0105, "a"}, {0x0106, "c"}, {0x0107, "c"},
    {0x0108, "c"}, {0x0109, "c"}, {0x010A, "c"}, {0x010B, "c"}, {0x010C, "c"}, {0x010D, "c"}, {0x010E, "d"},
    {0x010F, "d"}, {0x0110, "\xc4\x91"}, {0x0112, "e"}, {0x0113, "e"}, {0x0114, "e"}, {0x0115, "e"},
    {0x0116, "e"}, {0x0117, "e"}, {0x0118, "e"}, {0x0119, "e"}, {0x011A, "e"}, {0x011B, "e"}, {0x011C, "g"},
    {0x011D, "g"}, {0x011E, "g"}, {0x011F, "g"}, {0x0120, "g"}, {0x0121, "g"}, {0x0122, "g"}, {0x0123, "g"},
    {0x0124, "h"}, {0x0125, "h"}, {0x0126, "\xc4\xa7"}, {0x0128, "i"}, {0x0129, "i"}, {0x012A, "i"},
    {0x012B, "i"}, {0x012C, "i"}, {0x012D, "i"}, {0x012E, "i"}, {0x012F, "i"}, {0x0130, "i"},
    {0x0132, "\xc4\xb3"}, {0x0134, "j"}, {0x0135, "j"}, {0x0136, "k"}, {0x0137, "k"}, {0x0139, "l"},
    {0x013A, "l"}, {0x013B, "l"}, {0x013C, "l"}, {0x013D, "l"}, {0x013E, "l"}, {0x013F, "\xc5\x80"},
    {0x0141, "\xc5\x82"}, {0x0143, "n"}, {0x0144, "n"}, {0x0145, "n"}, {0x0146, "n"}, {0x0147, "n"},
    {0x0148, "n"}, {0x014A, "\xc5\x8b"}, {0x014C, "o"}, {0x014D, "o"}, {0x014E, "o"}, {0x014F, "o"},
    {0x0150, "o"}, {0x0151, "o"}, {0x0152, "\xc5\x93"}, {0x0154, "r"}, {0x0155, "r"}, {0x0156, "r"},
    {0x0157, "r"}, {0x0158, "r"}, {0x0159, "r"}, {0x015A, "s"}, {0x015B, "s"}, {0x015C, "s"}, {0x015D, "s"},
    {0x015E, "s"}, {0x015F, "s"}, {0x0160, "s"}, {0x0161, "s"}, {0x0162, "t"}, {0x0163, "t"}, {0x0164, "t"},
    {0x0165, "t"}, {0x0166, "\xc5\xa7"}, {0x0168, "u"}, {0x0169, "u"}, {0x016A, "u"}, {0x016B, "u"},
    {0x016C, "u"}, {0x016D, "u"}, {0x016E, "u"}, {0x016F, "u"}, {0x0170, "u"}, {0x0171, "u"}, {0x0172, "u"},
    {0x0173, "u"}, {0x0174, "w"}, {0x0175, "w"}, {0x0176, "y"}, {0x0177, "y"}, {0x0178, "y"}, {0x0179, "z"},
    {0x017A, "z"}, {0x017B, "z"}, {0x017C, "z"}, {0x017D, "z"}, {0x017E, "z"}, {0x017F, "s"},
    {0x0181, "\xc9\x93"}, {0x0182, "\xc6\x83"}, {0x0184, "\xc6\x85"}, {0x0186, "\xc9\x94"}, {0x0187, "\xc6\x88"},
    {0x0189, "\xc9\x96"}, {0x018A, "\xc9\x97"}, {0x018B, "\xc6\x8c"}, {0x018E, "\xc7\x9d"}, {0x018F, "\xc9\x99"},
    {0x0190, "\xc9\x9b"}, {0x0191, "\xc6\x92"}, {0x0193, "\xc9\xa0"}, {0x0194, "\xc9\xa3"}, {0x0196, "\xc9\xa9"},
    {0x0197, "\xc9\xa8"}, {0x0198, "\xc6\x99"}, {0x019C, "\xc9\xaf"}, {0x019D, "\xc9\xb2"}, {0x019F, "\xc9\xb5"},
    {0x01A0, "o"}, {0x01A1, "o"}, {0x01A2, "\xc6\xa3"}, {0x01A4, "\xc6\xa5"}, {0x01A6, "\xca\x80"},
    {0x01A7, "\xc6\xa8"}, {0x01A9, "\xca\x83"}, {0x01AC, "\xc6\xad"}, {0x01AE, "\xca\x88"}, {0x01AF, "u"},
    {0x01B0, "u"}, {0x01B1, "\xca\x8a"}, {0x01B2, "\xca\x8b"}, {0x01B3, "\xc6\xb4"}, {0x01B5, "\xc6\xb6"},
    {0x01B7, "\xca\x92"}, {0x01B8, "\xc6\xb9"}, {0x01BC, "\xc6\xbd"}, {0x01C4, "\xc7\x86"}, {0x01C5, "\xc7\x86"},
    {0x01C7, "\xc7\x89"}, {0x01C8, "\xc7\x89"}, {0x01CA, "\xc7\x8c"}, {0x01CB, "\xc7\x8c"}, {0x01CD, "a"},
    {0x01CE, "a"}, {0x01CF, "i"}, {0x01D0, "i"}, {0x01D1, "o"}, {0x01D2, "o"}, {0x01D3, "u"}, {0x01D4, "u"},
    {0x01D5, "u"}, {0x01D6, "u"}, {0x01D7, "u"}, {0x01D8, "u"}, {0x01D9, "u"}, {0x01DA, "u"}, {0x01DB, "u"},
    {0x01DC, "u"}, {0x01DE, "a"}, {0x01DF, "a"}, {0x01E0, "\xc7\xa1"}, {0x01E2, "\xc7\xa3"},
    {0x01E4, "\xc7\xa5"}, {0x01E6, "g"}, {0x01E7, "g"}, {0x01E8, "k"}, {0x01E9, "k"}, {0x01EA, "o"},
    {0x01EB, "o"}, {0x01EC, "o"}, {0x01ED, "o"}, {0x01EE, "\xc7\xaf"}, {0x01F0, "j"}, {0x01F1, "\xc7\xb3"},
    {0x01F2, "\xc7\xb3"}, {0x01F4, "g"}, {0x01F5, "g"}, {0x01F6, "\xc6\x95"}, {0x01F7, "\xc6\xbf"},
    {0x01F8, "n"}, {0x01F9, "n"}, {0x01FA, "a"}, {0x01FB, "a"}, {0x01FC, "\xc7\xbd"}, {0x01FE, "\xc7\xbf"},
    {0x0200, "a"}, {0x0201, "a"}, {0x0202, "a"}, {0x0203, "a"}, {0x0204, "e"}, {0x0205, "e"}, {0x0206, "e"},
    {0x0207, "e"}, {0x0208, "i"}, {0x0209, "i"}, {0x020A, "i"}, {0x020B, "i"}, {0x020C, "o"}, {0x020D, "o"},
    {0x020E, "o"}, {0x020F, "o"}, {0x0210, "r"}, {0x0211, "r"}, {0x0212, "r"}, {0x0213, "r"}, {0x0214, "u"},
    {0x0215, "u"}, {0x0216, "u"}, {0x0217, "u"}, {0x0218, "s"}, {0x0219, "s"}, {0x021A, "t"}, {0x021B, "t"},
    {0x021C, "\xc8\x9d"}, {0x021E, "h"}, {0x021F, "h"}, {0x0220, "\xc6\x9e"}, {0x0222, "\xc8\xa3"},
    {0x0224, "\xc8\xa5"}, {0x0226, "a"}, {0x0227, "a"}, {0x0228, "e"}, {0x0229, "e"}, {0x022A, "o"},
    {0x022B, "o"}, {0x022C, "o"}, {0x022D, "o"}, {0x022E, "o"}, {0x022F, "o"}, {0x0230, "o"}, {0x0231, "o"},
    {0x0232, "y"}, {0x0233, "y"}, {0x023A, "\xe2\xb1\xa5"}, {0x023B, "\xc8\xbc"}, {0x023D, "\xc6\x9a"},
    {0x023E, "\xe2\xb1\xa6"}, {0x0241, "\xc9\x82"}, {0x0243, "\xc6\x80"}, {0x0244, "\xca\x89"},
    {0x0245, "\xca\x8c"}, {0x0246, "\xc9\x87"}, {0x0248, "\xc9\x89"}, {0x024A, "\xc9\x8b"}, {0x024C, "\xc9\x8d"},
    {0x024E, "\xc9\x8f"},
};

// `text` with each letter of U+00C0..U+024F (two UTF-8 bytes, lead byte
// 0xC3..0xC9) replaced as kLatinFolds says; everything else as it is.
std::string FoldLatin(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xC3 && lead <= 0xC9 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      const auto code_point = static_cast<uint16_t>(((lead & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
      const auto* end = std::end(kLatinFolds);
      const auto* it = std::lower_bound(std::begin(kLatinFolds), end, code_point,
                                        [](const Folded& f, uint16_t cp) { return f.code_point < cp; });
      if (it != end && it->code_point == code_point) {
        out += it->as;
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

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
  std::string out = FoldLatin(text);
  for (char& c : out) {
    if (!IsSearchWordByte(c)) c = ' ';
  }
  return out;
}

Result<std::string> TsQueryText(std::string_view text) {
  const std::string folded = FoldLatin(text);  // outlives `split`: its words are views of it
  ASSIGN_OR_RETURN(SearchWords split, SplitSearchText(folded));
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
