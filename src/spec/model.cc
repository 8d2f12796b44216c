#include "spec/model.h"

#include <algorithm>
#include <cctype>

namespace weft::spec {

namespace {
struct OperatorEntry {
  OperatorKind kind;
  const char* name;
};
constexpr OperatorEntry kOperators[] = {
    {OperatorKind::kMustBe, "mustBe"},
    {OperatorKind::kMustNotBe, "mustNotBe"},
    {OperatorKind::kMustBeGreaterThan, "mustBeGreaterThan"},
    {OperatorKind::kMustBeGreaterOrEqualTo, "mustBeGreaterOrEqualTo"},
    {OperatorKind::kMustBeLessThan, "mustBeLessThan"},
    {OperatorKind::kMustBeLessOrEqualTo, "mustBeLessOrEqualTo"},
    {OperatorKind::kMustBeBetween, "mustBeBetween"},
    {OperatorKind::kMustNotBeBetween, "mustNotBeBetween"},
};

template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  return it == items.end() ? nullptr : &*it;
}
}  // namespace

const char* OperatorName(OperatorKind k) {
  for (const auto& e : kOperators)
    if (e.kind == k) return e.name;
  return "mustBe";
}

std::optional<OperatorKind> ParseOperator(std::string_view name) {
  for (const auto& e : kOperators)
    if (name == e.name) return e.kind;
  return std::nullopt;
}

const std::vector<std::string>& OperatorNames() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (const auto& e : kOperators) v.emplace_back(e.name);
    return v;
  }();
  return k;
}

const Json* Property::Custom(std::string_view key) const {
  for (const auto& cp : custom_properties)
    if (cp.property == key) return &cp.value;
  return nullptr;
}

const Property* SchemaObject::FindProperty(std::string_view n) const { return FindByName(properties, n); }
const SchemaObject* DataContract::FindObject(std::string_view n) const { return FindByName(schema, n); }
std::string DataProduct::TransformPath() const {
  for (const auto& cp : custom_properties)
    if (cp.property == "weft.transform" && cp.value.is_string()) return cp.value.get<std::string>();
  return "";
}

Status CheckSecretName(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0])) &&
                  std::all_of(name.begin(), name.end(), [](unsigned char c) {
                    return std::islower(c) || std::isdigit(c) || c == '.' || c == '_' || c == '-';
                  });
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + name + "' is no secret name: use 1 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                                 "with a letter or digit");
}

std::optional<ProductSource> DataProduct::Source() const {
  for (const auto& cp : custom_properties) {
    if (cp.property != "weft.source" || !cp.value.is_object()) continue;
    const Json& v = cp.value;
    auto text = [&](const char* key) { return v.contains(key) && v[key].is_string() ? v[key].get<std::string>() : ""; };
    const std::string reference = text("postgres");
    if (reference.rfind("secret:", 0) != 0) return std::nullopt;
    ProductSource source{.secret = reference.substr(7), .query = text("query"), .table = text("table")};
    if (source.secret.empty() || source.query.empty() == source.table.empty()) return std::nullopt;
    return source;
  }
  return std::nullopt;
}

const OutputPort* DataProduct::FindOutputPort(std::string_view n) const { return FindByName(output_ports, n); }

const SlaProperty* DataContract::FindSla(std::string_view property) const {
  for (const auto& s : sla_properties)
    if (s.property == property) return &s;
  return nullptr;
}

std::string Relationship::Target(const std::string& target) const {
  if (target.find('#') != std::string::npos) return target;
  for (const CustomProperty& cp : custom_properties)
    if (cp.property == "weft.contract" && cp.value.is_string()) return cp.value.get<std::string>() + "#" + target;
  return target;
}

const char* DocKindName(DocKind k) {
  switch (k) {
    case DocKind::kDataContract: return "DataContract";
    case DocKind::kDataProduct: return "DataProduct";
    case DocKind::kDomain: return "Domain";
    case DocKind::kReferenceEntity: return "ReferenceEntity";
    case DocKind::kPolicy: return "Policy";
    case DocKind::kWorkspace: return "Workspace";
    case DocKind::kGlossaryTerm: return "GlossaryTerm";
  }
  return "?";
}

const std::vector<std::string>& LogicalTypes() {
  static const std::vector<std::string> k = {"string", "date",    "timestamp", "time",   "number",
                                             "integer", "object", "array",     "boolean"};
  return k;
}

const std::vector<std::string>& LibraryMetrics() {
  static const std::vector<std::string> k = {"nullValues", "missingValues", "invalidValues", "duplicateValues",
                                             "rowCount"};
  return k;
}

}  // namespace weft::spec
