#include "cli/output.h"

#include <algorithm>

#include "interop/yaml_writer.h"

namespace weft::cli {

void PrintTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      s += cells[i];
      if (i + 1 < cells.size()) s += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out << s << "\n";
  };
  line(headers);
  for (const auto& row : rows) line(row);
}

void PrintYaml(std::ostream& out, const nlohmann::json& value) {
  // The one YAML writer (interop/yaml_writer.h), keys in the view's order.
  out << interop::ToYaml(nlohmann::ordered_json(value));
}

void PrintStructured(std::ostream& out, const std::string& format, const nlohmann::json& value) {
  if (format == "yaml") PrintYaml(out, value);
  else out << value.dump(2) << "\n";
}

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

std::string Dash(const nlohmann::json& v) {
  std::string s = Text(v);
  return s.empty() ? "-" : s;
}

std::vector<std::string> Texts(const nlohmann::json& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(Text(s));
  return out;
}

}  // namespace weft::cli
