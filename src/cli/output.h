// Output helpers shared by the commands: aligned tables, JSON and YAML
// renderings of the same rows, so every `-o table|json|yaml` behaves alike.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace weft::cli {

// Prints rows under headers, columns padded to their widest cell.
void PrintTable(std::ostream& out, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

// Prints JSON as block YAML (for -o yaml).
void PrintYaml(std::ostream& out, const nlohmann::json& value);

// A view's field as table text: strings as they are, null as "", other
// values as JSON; Dash shows "" as "-"; Texts is an array's.
std::string Text(const nlohmann::json& v);
std::string Dash(const nlohmann::json& v);
std::vector<std::string> Texts(const nlohmann::json& v);

// Renders `value` in `format` ("json" or "yaml"); tables are the caller's.
void PrintStructured(std::ostream& out, const std::string& format, const nlohmann::json& value);

}  // namespace weft::cli
