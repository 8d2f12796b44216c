#include "interop/yaml_writer.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "spec/yaml_tree.h"

namespace weft::interop {

namespace {

// A plain scalar that the loader would not read back as this string.
bool NeedsQuotes(const std::string& s) {
  return spec::IsNullScalar(s) || spec::AsBoolScalar(s) || spec::AsIntScalar(s) || spec::AsFloatScalar(s);
}

void Emit(YAML::Emitter& e, const nlohmann::ordered_json& v) {
  if (v.is_object()) {
    e << YAML::BeginMap;
    for (auto it = v.begin(); it != v.end(); ++it) {
      e << YAML::Key << it.key() << YAML::Value;
      Emit(e, it.value());
    }
    e << YAML::EndMap;
  } else if (v.is_array()) {
    // Short lists of scalars read best inline: [a, b, c], and [] when empty.
    bool flat = v.size() <= 8 && std::all_of(v.begin(), v.end(), [](const auto& x) {
      return x.is_primitive() && (!x.is_string() || x.template get_ref<const std::string&>().size() <= 24);
    });
    e << (flat ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
    for (const auto& x : v) Emit(e, x);
    e << YAML::EndSeq;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (NeedsQuotes(s)) e << YAML::DoubleQuoted;
    e << s;
  } else if (v.is_null()) {
    e << YAML::Null;
  } else {
    e << v.dump();
  }
}

}  // namespace

std::string ToYaml(const nlohmann::ordered_json& value) {
  YAML::Emitter e;
  e.SetIndent(2);
  e.SetSeqFormat(YAML::Block);
  Emit(e, value);
  return std::string(e.c_str()) + "\n";
}

}  // namespace weft::interop
