// The placeholders `weft new` writes (spec/scaffold.h) and how to find the
// ones an author has not replaced yet. Two views, because comments do not
// survive parsing:
// - in a file's text, every line that still holds one (a `# TODO(owner)`
//   marker or a placeholder value): the loader warns about each
//   (rule scaffold-placeholder) so `weft lint` points at file:line:col;
// - in a parsed document, every string value that still is one: the
//   governance metadata model lists them (table `placeholders`) for the
//   default pack's no-scaffold-placeholders policy, which therefore also
//   sees documents the catalog already holds.
//
//   for (const TextPlaceholder& p : FindTextPlaceholders(text)) Warn(p.pos, p.line);
//   for (const ValuePlaceholder& v : FindValuePlaceholders(doc.json)) ...;  // v.path "/team/members/0/username"
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/model.h"

namespace weft::spec {

// What marks a placeholder, in the order they are looked for: the scaffold's
// comment marker, then values no real spec holds (RFC 2606's example.com, a
// cost center of zeros).
const std::vector<std::string_view>& PlaceholderTokens();

struct TextPlaceholder {
  Pos pos;            // where the first token on the line starts
  std::string token;  // which token
  std::string line;   // the line, trimmed (what the author sees)
};
std::vector<TextPlaceholder> FindTextPlaceholders(std::string_view text);

struct ValuePlaceholder {
  std::string path;   // JSON pointer of the value, e.g. /team/members/0/username
  std::string value;
};
std::vector<ValuePlaceholder> FindValuePlaceholders(const Json& document);

}  // namespace weft::spec
