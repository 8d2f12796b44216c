#include "spec/standard_schemas.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "common/strings.h"

namespace weft::spec {

namespace {

struct Standard {
  const char* prefix;  // file name prefix: "odcs", "odps"
  const char* label;   // how messages name it: "ODCS"
  const char* newest;  // the version whose schema decides
};

const Standard* StandardOf(DocKind kind) {
  static const Standard kOdcs{"odcs", "ODCS", "v3.1.0"}, kOdps{"odps", "ODPS", "v1.0.0"};
  if (kind == DocKind::kDataContract) return &kOdcs;
  if (kind == DocKind::kDataProduct) return &kOdps;
  return nullptr;
}

// Every embedded schema, compiled on first use. An embedded schema that does
// not compile is a build defect, caught by standard_schemas_test; at run time
// it leaves that version unchecked rather than failing every lint.
class SchemaRegistry {
 public:
  static SchemaRegistry& Get() {
    static SchemaRegistry r;
    return r;
  }
  const JsonSchema* Find(const std::string& file) {
    std::lock_guard lock(mu_);
    auto it = compiled_.find(file);
    if (it != compiled_.end()) return it->second.get();
    std::unique_ptr<JsonSchema> schema;
    for (const EmbeddedSchemaFile& f : EmbeddedSchemaFiles()) {
      if (f.name != file) continue;
      Json parsed = Json::parse(f.text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) break;
      auto c = JsonSchema::Compile(parsed);
      if (c.ok()) schema = std::make_unique<JsonSchema>(std::move(*c));
    }
    return compiled_.emplace(file, std::move(schema)).first->second.get();
  }

 private:
  std::mutex mu_;
  // Protected by mu_; a compiled schema is immutable, so readers need no lock.
  std::map<std::string, std::unique_ptr<JsonSchema>> compiled_;
};

// The node at `path` (keys and indexes) and, when the last step names a map
// key, that key's node; the deepest node reached when the path goes further
// than the document (a missing field is reported at its parent).
struct Located {
  const YamlNode* node = nullptr;
  const YamlNode* key = nullptr;
};
Located Locate(const YamlNode& root, const std::vector<std::string>& path) {
  Located at{&root, nullptr};
  for (const std::string& step : path) {
    const YamlNode* next = nullptr;
    const YamlNode* key = nullptr;
    if (at.node->IsMap()) {
      for (const auto& [k, v] : at.node->entries())
        if (k->IsScalar() && k->Scalar() == step) {
          next = v;
          key = k;
          break;
        }
    } else if (at.node->IsSequence() && !step.empty() && std::all_of(step.begin(), step.end(), ::isdigit)) {
      size_t i = std::stoul(step), n = 0;
      for (const YamlNode& item : *at.node)
        if (n++ == i) next = &item;
    }
    if (!next) break;
    at = {next, key};
  }
  return at;
}

// schema[0].properties[2].logicalType
std::string Where(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& step : path) {
    bool index = !step.empty() && std::all_of(step.begin(), step.end(), ::isdigit);
    out += index ? "[" + step + "]" : (out.empty() ? "" : ".") + step;
  }
  return out.empty() ? "the document" : out;
}

void Report(const YamlNode& root, const SchemaViolation& v, Severity severity, const std::string& rule,
            const std::string& source, const std::string& file, std::vector<Diagnostic>& out) {
  Located at = Locate(root, v.path);
  Pos pos = v.unknown_field.empty() || !at.key ? at.node->pos() : at.key->pos();
  std::string msg;
  if (!v.unknown_field.empty()) {
    std::vector<std::string> parent(v.path.begin(), v.path.end() - 1);
    std::string hint = ClosestMatch(v.unknown_field, v.allowed_fields);
    msg = "unknown field '" + v.unknown_field + "' in " + Where(parent) +
          (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") + " (" + source +
          " allows no other fields here)";
  } else {
    msg = Where(v.path) + ": " + v.message + " (" + source + ")";
  }
  out.push_back({severity, file, pos, std::move(msg), rule});
}

}  // namespace

const JsonSchema* StandardSchema(DocKind kind, std::string_view api_version) {
  const Standard* standard = StandardOf(kind);
  if (!standard) return nullptr;
  return SchemaRegistry::Get().Find(std::string(standard->prefix) + "-" + std::string(api_version) + ".json");
}

std::vector<Diagnostic> CheckAgainstStandard(const YamlNode& root, const Json& doc, DocKind kind,
                                             const std::string& api_version, const std::string& file) {
  std::vector<Diagnostic> out;
  const Standard* standard = StandardOf(kind);
  const JsonSchema* newest = standard ? StandardSchema(kind, standard->newest) : nullptr;
  if (!newest) return out;
  auto name = [standard](const std::string& version) {
    return std::string(standard->label) + " " + version + " schema";
  };
  const JsonSchema* declared = api_version == standard->newest ? newest : StandardSchema(kind, api_version);
  if (!declared) declared = newest;
  std::vector<SchemaViolation> violations = declared->Validate(doc);
  if (violations.empty() || declared == newest) {
    for (const SchemaViolation& v : violations) Report(root, v, Severity::kError, "schema", name(standard->newest), file, out);
    return out;
  }
  // Invalid as declared: an error, unless the newest schema (whose
  // apiVersion enum admits the declared one) accepts the document as it is.
  const bool newest_accepts = newest->IsValid(doc);
  for (const SchemaViolation& v : violations) {
    if (newest_accepts)
      Report(root, v, Severity::kWarning, "schema-version",
             name(api_version) + "; the " + standard->newest + " schema allows it: declare apiVersion: " + standard->newest,
             file, out);
    else
      Report(root, v, Severity::kError, "schema", name(api_version), file, out);
  }
  return out;
}

}  // namespace weft::spec
