#include "query/parameters.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

#include "common/strings.h"

namespace weft::query {

namespace {

void CollectParameters(const nlohmann::json& node, size_t& highest) {
  if (node.is_array()) {
    for (const auto& child : node) CollectParameters(child, highest);
    return;
  }
  if (!node.is_object()) return;
  if (auto cls = node.find("class"); cls != node.end() && *cls == "PARAMETER") {
    auto identifier = node.find("identifier");
    const std::string id = identifier != node.end() && identifier->is_string() ? identifier->get<std::string>() : "";
    size_t n = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    if (ec == std::errc() && end == id.data() + id.size()) highest = std::max(highest, n);
  }
  for (const auto& [key, child] : node.items()) CollectParameters(child, highest);
}

// A number in the whole of `text` (PostgreSQL's input functions allow
// surrounding blanks and a leading '+').
template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// PostgreSQL's boolean input: t, true, y, yes, on, 1 and their opposites,
// any case.
std::optional<bool> ParseBool(std::string_view text) {
  const std::string t = ToLower(Trim(text));
  for (const char* yes : {"t", "true", "y", "yes", "on", "1"})
    if (t == yes) return true;
  for (const char* no : {"f", "false", "n", "no", "off", "0"})
    if (t == no) return false;
  return std::nullopt;
}

template <typename T>
Status BindParsed(engine::PreparedStatement& stmt, size_t index, std::optional<T> value, const std::string& text,
                  const std::string& type) {
  if (!value)
    return Status::InvalidArgument("parameter $" + std::to_string(index) + " is not a valid " + type + ": '" + text + "'");
  return stmt.Bind(index, *value);
}

Status BindOne(engine::PreparedStatement& stmt, size_t index, const std::string& text, const std::string& type) {
  if (type == "BOOLEAN") return BindParsed(stmt, index, ParseBool(text), text, type);
  if (type == "SMALLINT") return BindParsed(stmt, index, ParseNumber<int16_t>(text), text, type);
  if (type == "INTEGER") return BindParsed(stmt, index, ParseNumber<int32_t>(text), text, type);
  if (type == "BIGINT") return BindParsed(stmt, index, ParseNumber<int64_t>(text), text, type);
  if (type == "FLOAT") return BindParsed(stmt, index, ParseNumber<float>(text), text, type);
  if (type == "DOUBLE") return BindParsed(stmt, index, ParseNumber<double>(text), text, type);
  return stmt.Bind(index, std::string_view(text));
}

}  // namespace

size_t ParameterCount(const nlohmann::json& ast) {
  size_t highest = 0;
  CollectParameters(ast, highest);
  return highest;
}

Status BindParameters(engine::PreparedStatement& stmt, const std::vector<std::optional<std::string>>& values,
                      const std::vector<std::string>& types) {
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t index = i + 1;
    Status bound = values[i] ? BindOne(stmt, index, *values[i], i < types.size() ? types[i] : "")
                             : stmt.Bind(index, nullptr);
    if (!bound.ok()) return bound;
  }
  return Status::Ok();
}

}  // namespace weft::query
