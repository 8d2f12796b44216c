#include "spec/placeholders.h"

#include "common/strings.h"

namespace weft::spec {

const std::vector<std::string_view>& PlaceholderTokens() {
  // Each appears in a template of spec/scaffold.cc (scaffold_test checks
  // that every scaffold is found by them, so the two cannot drift apart).
  static const std::vector<std::string_view> kTokens = {"TODO(owner)", "owner@example.com", "slack.example.com",
                                                        "CC-0000"};
  return kTokens;
}

std::vector<TextPlaceholder> FindTextPlaceholders(std::string_view text) {
  std::vector<TextPlaceholder> out;
  int line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_no;
    size_t best = std::string_view::npos;
    std::string_view token;
    for (std::string_view t : PlaceholderTokens()) {
      size_t at = line.find(t);
      if (at < best) best = at, token = t;
    }
    if (best != std::string_view::npos)
      out.push_back({Pos{line_no, static_cast<int>(best) + 1}, std::string(token), std::string(Trim(line))});
    start = end + 1;
  }
  return out;
}

namespace {
// RFC 6901: '~' and '/' in a key are written ~0 and ~1.
std::string PointerToken(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void Walk(const Json& node, const std::string& path, std::vector<ValuePlaceholder>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) Walk(value, path + "/" + PointerToken(key), out);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) Walk(node[i], path + "/" + std::to_string(i), out);
  } else if (node.is_string()) {
    const auto& s = node.get_ref<const std::string&>();
    for (std::string_view t : PlaceholderTokens()) {
      if (s.find(t) != std::string::npos) {
        out.push_back({path, s});
        return;
      }
    }
  }
}
}  // namespace

std::vector<ValuePlaceholder> FindValuePlaceholders(const Json& document) {
  std::vector<ValuePlaceholder> out;
  Walk(document, "", out);
  return out;
}

}  // namespace weft::spec
