// Block-style YAML text of a JSON value, keys in the order given: how weft
// writes the files an import produces and what `weft export` prints.
//
//   nlohmann::ordered_json doc = {{"apiVersion", "v3.1.0"}, {"kind", "DataContract"}};
//   std::string text = ToYaml(doc);  // "apiVersion: v3.1.0\nkind: DataContract\n"
//
// A string that YAML 1.2's core schema would read as something else ("1.0",
// "true", "null", "") is quoted, so the text loads back as the same value.
//
// Thread safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace weft::interop {

std::string ToYaml(const nlohmann::ordered_json& value);

}  // namespace weft::interop
