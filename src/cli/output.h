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

// Renders `value` in `format` ("json" or "yaml"); tables are the caller's.
void PrintStructured(std::ostream& out, const std::string& format, const nlohmann::json& value);

}  // namespace weft::cli
