#include "spec/json_schema.h"

#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace weft::spec {

namespace {

using Json = nlohmann::json;

// Keywords whose value is one subschema, a list of them, or a map of them;
// everything else (const, enum, default, examples, ...) is data and is never
// rewritten.
const std::set<std::string, std::less<>>& OneSchemaKeywords() {
  static const std::set<std::string, std::less<>> k = {
      "additionalItems", "additionalProperties", "unevaluatedProperties", "contains", "propertyNames",
      "not",             "if",                   "then",                  "else",     "items"};
  return k;
}
const std::set<std::string, std::less<>>& SchemaListKeywords() {
  static const std::set<std::string, std::less<>> k = {"allOf", "anyOf", "oneOf", "items"};
  return k;
}
const std::set<std::string, std::less<>>& SchemaMapKeywords() {
  static const std::set<std::string, std::less<>> k = {"properties", "patternProperties", "$defs", "definitions",
                                                       "dependentSchemas"};
  return k;
}

// Applies `f` to every subschema directly below `node`.
template <typename F>
void ForEachChild(Json& node, F f) {
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) {
    if (SchemaListKeywords().count(key) && value.is_array()) {
      for (Json& s : value) f(s);
    } else if (OneSchemaKeywords().count(key)) {
      f(value);
    } else if (SchemaMapKeywords().count(key) && value.is_object()) {
      for (auto& [name, s] : value.items()) f(s);
    } else if (key == "dependencies" && value.is_object()) {
      for (auto& [name, s] : value.items())
        if (!s.is_array()) f(s);
    }
  }
}

// Rewrites the 2019-09 keywords valijson does not read into draft 7 ones
// with the same meaning (see the header), and refuses what it cannot mean.
Status Rewrite(Json& node) {
  if (!node.is_object()) return Status::Ok();
  for (const char* unsupported : {"$id", "$anchor", "$recursiveRef", "$recursiveAnchor", "unevaluatedItems"})
    if (node.contains(unsupported))
      return Status::InvalidArgument(std::string("JSON Schema keyword '") + unsupported + "' is not supported");
  if (auto ref = node.find("$ref"); ref != node.end()) {
    if (!ref->is_string()) return Status::InvalidArgument("$ref must be a string");
    const std::string target = ref->get<std::string>();
    if (target.rfind("#/$defs/", 0) != 0 && target.rfind("#/definitions/", 0) != 0)
      return Status::InvalidArgument("$ref '" + target + "' does not point into $defs or definitions");
    if (node.size() > 1) {
      Json reference = {{"$ref", target}};
      node.erase("$ref");
      node["allOf"].push_back(std::move(reference));
    }
  }
  for (const char* key : {"dependentRequired", "dependentSchemas"}) {
    auto it = node.find(key);
    if (it == node.end()) continue;
    if (!it->is_object()) return Status::InvalidArgument(std::string(key) + " must be an object");
    for (auto& [name, value] : it->items()) node["dependencies"][name] = value;
    node.erase(it);
  }
  Status status = Status::Ok();
  ForEachChild(node, [&status](Json& child) {
    if (status.ok()) status = Rewrite(child);
  });
  // valijson applies `format` to every type (an integer fails "date"); in
  // JSON Schema it constrains strings only. Done after the children, so the
  // new `then` is not rewritten again.
  if (auto format = node.find("format"); format != node.end()) {
    Json only_strings = {{"if", {{"type", "string"}}}, {"then", {{"format", *format}}}};
    node.erase(format);
    node["allOf"].push_back(std::move(only_strings));
  }
  return status;
}

// A subschema compiled on its own by valijson, so that the walk can ask
// whether an instance passes it (which branch of a oneOf, an if).
struct Compiled {
  valijson::Schema schema;
};

std::string Describe(const Json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

const char* TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "a list";
    case Json::value_t::object: return "a map";
    default: return "a value";
  }
}

}  // namespace

// Property names of one instance object, viewed in place: the instance
// outlives the walk, and copying every key of every object cost more than
// the validation itself.
using Names = std::set<std::string_view>;
// The `properties` maps that applied at one instance object: their names
// are only spelled out when an unknown field needs a did-you-mean.
using Allowed = std::vector<const Json*>;

struct JsonSchema::Impl {
  Json root;  // rewritten
  Compiled whole;
  // Subschemas the walk needs a verdict on, keyed by their node in `root`.
  std::map<const Json*, std::unique_ptr<Compiled>> parts;
  std::map<std::string, std::regex> patterns;  // patternProperties, compiled once

  Status CompileInto(const Json& node, valijson::Schema& out) const {
    Json standalone = node;
    // A part refers to `#/$defs/...` of the whole document: give it those.
    for (const char* defs : {"$defs", "definitions"})
      if (root.contains(defs) && standalone.is_object() && !standalone.contains(defs)) standalone[defs] = root[defs];
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(standalone);
      parser.populateSchema(adapter, out);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(std::string("cannot compile JSON Schema: ") + e.what());
    }
    return Status::Ok();
  }

  // Compiles every subschema whose verdict the walk asks for.
  Status CompileParts(const Json& node) {
    if (!node.is_object()) return Status::Ok();
    std::vector<const Json*> wanted;
    if (auto it = node.find("if"); it != node.end()) wanted.push_back(&*it);
    if (auto it = node.find("unevaluatedProperties"); it != node.end() && it->is_object()) wanted.push_back(&*it);
    for (const char* k : {"anyOf", "oneOf"})
      if (auto it = node.find(k); it != node.end() && it->is_array())
        for (const Json& s : *it) wanted.push_back(&s);
    for (const Json* s : wanted) {
      if (!s->is_object() || parts.count(s)) continue;
      auto c = std::make_unique<Compiled>();
      if (Status st = CompileInto(*s, c->schema); !st.ok()) return st;
      parts.emplace(s, std::move(c));
    }
    if (auto it = node.find("patternProperties"); it != node.end() && it->is_object()) {
      for (const auto& [pattern, s] : it->items()) {
        try {
          patterns.emplace(pattern, std::regex(pattern, std::regex::ECMAScript));
        } catch (const std::regex_error& e) {
          return Status::InvalidArgument("patternProperties '" + pattern + "' is not an ECMA-262 pattern: " + e.what());
        }
      }
    }
    Status status = Status::Ok();
    ForEachChild(const_cast<Json&>(node), [&](Json& child) {
      if (status.ok()) status = CompileParts(child);
    });
    return status;
  }

  static bool Passes(const valijson::Schema& s, const Json& instance) {
    valijson::Validator v;
    valijson::adapters::NlohmannJsonAdapter a(instance);
    return v.validate(s, a, nullptr);
  }

  // {"properties": {k: {"const": v}}}, or an anyOf of those: how ODCS picks
  // the branch of a property's logicalType or a server's type. Decided here
  // exactly as JSON Schema would (a missing k passes), without valijson,
  // because it is asked for every `if` of every property and server.
  static std::optional<bool> ConstCondition(const Json& schema, const Json& instance) {
    if (!schema.is_object() || schema.size() != 1) return std::nullopt;
    if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array()) {
      bool passed = false;
      for (const Json& branch : *any) {
        std::optional<bool> v = ConstCondition(branch, instance);
        if (!v) return std::nullopt;
        passed = passed || *v;
      }
      return passed;
    }
    auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object() || props->size() != 1) return std::nullopt;
    const Json& rule = props->begin().value();
    if (!rule.is_object() || rule.size() != 1 || !rule.contains("const")) return std::nullopt;
    if (!instance.is_object()) return true;
    auto value = instance.find(props->begin().key());
    return value == instance.end() || *value == rule["const"];
  }

  // Whether `instance` passes `schema` as 2019-09 means it.
  bool Valid(const Json& schema, const Json& instance) const {
    if (schema.is_boolean()) return schema.get<bool>();
    if (std::optional<bool> v = ConstCondition(schema, instance)) return *v;
    auto it = parts.find(&schema);
    if (it != parts.end() && !Passes(it->second->schema, instance)) return false;
    std::vector<SchemaViolation> sink;
    std::vector<std::string> path;
    Names evaluated;
    Allowed allowed;
    Walk(schema, instance, path, evaluated, allowed, sink);
    return sink.empty();
  }

  // `#/$defs/a%25b`: a URI fragment, percent-decoded, then a JSON pointer.
  // Null when it points nowhere (valijson refused such a schema at Compile).
  const Json* Resolve(const std::string& ref) const {
    std::string pointer;
    for (size_t i = 1; i < ref.size(); ++i) {
      if (ref[i] == '%' && i + 2 < ref.size() && std::isxdigit(static_cast<unsigned char>(ref[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(ref[i + 2]))) {
        pointer += static_cast<char>(std::stoi(ref.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        pointer += ref[i];
      }
    }
    try {
      Json::json_pointer p(pointer);
      return root.contains(p) ? &root.at(p) : nullptr;
    } catch (const Json::exception&) {
      return nullptr;
    }
  }

  // The 2019-09 annotation walk: adds to `evaluated` the properties of
  // `instance` that `schema` (and the subschemas that apply to it) evaluated,
  // and reports the properties unevaluatedProperties or additionalProperties
  // refuse. Everything else is valijson's to report.
  void Walk(const Json& schema, const Json& instance, std::vector<std::string>& path, Names& evaluated,
            Allowed& allowed, std::vector<SchemaViolation>& out) const {
    if (!schema.is_object()) return;
    // This schema's unevaluatedProperties sees only what it and its own
    // subschemas evaluated, not its cousins; its parent then sees all of it.
    Names local;
    WalkLocal(schema, instance, path, local, allowed, out);
    evaluated.insert(local.begin(), local.end());
  }

  void WalkLocal(const Json& schema, const Json& instance, std::vector<std::string>& path,
                 Names& evaluated, Allowed& allowed,
                 std::vector<SchemaViolation>& out) const {
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      if (const Json* target = Resolve(ref->get<std::string>())) Walk(*target, instance, path, evaluated, allowed, out);
      return;  // siblings were moved into allOf by Rewrite
    }
    if (instance.is_object()) WalkObject(schema, instance, path, evaluated, allowed, out);
    if (instance.is_array()) WalkArray(schema, instance, path, out);
    if (auto all = schema.find("allOf"); all != schema.end())
      for (const Json& s : *all) Walk(s, instance, path, evaluated, allowed, out);
    for (const char* k : {"anyOf", "oneOf"}) {
      auto branches = schema.find(k);
      if (branches == schema.end()) continue;
      // The branches valijson passes are the candidates; of those, the ones
      // that also pass the walk apply (and give their annotations). When
      // none does, the walk's findings in the candidates are the reason.
      std::vector<SchemaViolation> reasons;
      bool any = false;
      for (const Json& s : *branches) {
        auto c = parts.find(&s);
        if (c != parts.end() && !Passes(c->second->schema, instance)) continue;
        std::vector<SchemaViolation> found;
        Names branch_evaluated;
        Allowed branch_allowed;
        Walk(s, instance, path, branch_evaluated, branch_allowed, found);
        allowed.insert(allowed.end(), branch_allowed.begin(), branch_allowed.end());
        if (found.empty()) {
          any = true;
          evaluated.insert(branch_evaluated.begin(), branch_evaluated.end());
        } else {
          reasons.insert(reasons.end(), found.begin(), found.end());
        }
      }
      if (!any) out.insert(out.end(), reasons.begin(), reasons.end());
    }
    if (auto cond = schema.find("if"); cond != schema.end()) {
      if (Valid(*cond, instance)) {
        Walk(*cond, instance, path, evaluated, allowed, out);
        if (auto then = schema.find("then"); then != schema.end())
          Walk(*then, instance, path, evaluated, allowed, out);
      } else if (auto otherwise = schema.find("else"); otherwise != schema.end()) {
        Walk(*otherwise, instance, path, evaluated, allowed, out);
      }
    }
    if (auto deps = schema.find("dependencies"); deps != schema.end() && instance.is_object())
      for (const auto& [name, s] : deps->items())
        if (s.is_object() && instance.contains(name)) Walk(s, instance, path, evaluated, allowed, out);
    if (auto rest = schema.find("unevaluatedProperties"); rest != schema.end() && instance.is_object()) {
      for (const auto& [key, value] : instance.items()) {
        if (evaluated.count(key)) continue;
        path.push_back(key);
        if (rest->is_boolean() && !rest->get<bool>()) {
          out.push_back(UnknownField(path, key, allowed));
        } else if (!Valid(*rest, value)) {
          out.push_back({path, "'" + key + "' does not match the schema of unevaluatedProperties", "", {}});
        }
        path.pop_back();
        evaluated.insert(key);
      }
    }
  }

  void WalkObject(const Json& schema, const Json& instance, std::vector<std::string>& path,
                  Names& evaluated, Allowed& allowed,
                  std::vector<SchemaViolation>& out) const {
    Names matched;
    auto visit = [&](const std::string& key, const Json& sub) {
      matched.insert(key);
      evaluated.insert(key);
      Names inner;
      Allowed inner_allowed;
      path.push_back(key);
      Walk(sub, instance.at(key), path, inner, inner_allowed, out);
      path.pop_back();
    };
    if (auto props = schema.find("properties"); props != schema.end()) {
      allowed.push_back(&*props);
      for (auto it = instance.begin(); it != instance.end(); ++it)
        if (auto sub = props->find(it.key()); sub != props->end()) visit(it.key(), *sub);
    }
    if (auto pats = schema.find("patternProperties"); pats != schema.end()) {
      for (const auto& [pattern, sub] : pats->items()) {
        const std::regex& re = patterns.at(pattern);
        for (const auto& [key, value] : instance.items())
          if (std::regex_search(key, re)) visit(key, sub);
      }
    }
    if (auto extra = schema.find("additionalProperties"); extra != schema.end()) {
      for (const auto& [key, value] : instance.items()) {
        if (matched.count(key)) continue;
        if (extra->is_boolean() && !extra->get<bool>()) {
          path.push_back(key);
          out.push_back(UnknownField(path, key, allowed));
          path.pop_back();
          evaluated.insert(key);
          continue;
        }
        visit(key, *extra);
      }
    }
  }

  void WalkArray(const Json& schema, const Json& instance, std::vector<std::string>& path,
                 std::vector<SchemaViolation>& out) const {
    auto items = schema.find("items");
    auto additional = schema.find("additionalItems");
    for (size_t i = 0; i < instance.size(); ++i) {
      const Json* sub = nullptr;
      if (items != schema.end() && items->is_object()) sub = &*items;
      else if (items != schema.end() && items->is_array() && i < items->size()) sub = &(*items)[i];
      else if (items != schema.end() && items->is_array() && additional != schema.end()) sub = &*additional;
      if (!sub) continue;
      Names inner;
      Allowed inner_allowed;
      path.push_back(std::to_string(i));
      Walk(*sub, instance[i], path, inner, inner_allowed, out);
      path.pop_back();
    }
  }

  static SchemaViolation UnknownField(const std::vector<std::string>& path, const std::string& key,
                                      const Allowed& allowed) {
    std::set<std::string> unique;
    for (const Json* props : allowed)
      for (auto it = props->begin(); it != props->end(); ++it) unique.insert(it.key());
    return {path, "unknown field '" + key + "': the schema does not allow it here", key, {unique.begin(), unique.end()}};
  }
};

JsonSchema::JsonSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;
JsonSchema::~JsonSchema() = default;

Result<JsonSchema> JsonSchema::Compile(const nlohmann::json& schema) {
  auto impl = std::make_unique<Impl>();
  impl->root = schema;
  if (Status s = Rewrite(impl->root); !s.ok()) return s;
  if (Status s = impl->CompileInto(impl->root, impl->whole.schema); !s.ok()) return s;
  if (Status s = impl->CompileParts(impl->root); !s.ok()) return s;
  return JsonSchema(std::move(impl));
}

namespace {

// valijson's context ("<root>", "[key]", "[0]") as instance keys and indexes.
std::vector<std::string> InstancePath(const std::vector<std::string>& context) {
  std::vector<std::string> path;
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& c = context[i];
    path.push_back(c.size() >= 2 && c.front() == '[' && c.back() == ']' ? c.substr(1, c.size() - 2) : c);
  }
  return path;
}

const Json* At(const Json& root, const std::vector<std::string>& path) {
  const Json* at = &root;
  for (const std::string& k : path) {
    if (at->is_object() && at->contains(k)) at = &(*at)[k];
    else if (at->is_array() && !k.empty() && std::all_of(k.begin(), k.end(), ::isdigit) && std::stoul(k) < at->size())
      at = &(*at)[std::stoul(k)];
    else return nullptr;
  }
  return at;
}

bool IsSummary(const std::string& m) {
  return m.rfind("Failed to validate", 0) == 0 || m.rfind("Cannot validate item", 0) == 0 ||
         m.rfind("Failed to any values", 0) == 0;
}

bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

std::vector<SchemaViolation> JsonSchema::Validate(const nlohmann::json& instance) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(instance);
  const bool passed = validator.validate(impl_->whole.schema, adapter, &results);

  std::vector<SchemaViolation> found, summaries;
  static const std::string kUnknownPrefix =
      "Object contains a property that could not be validated using 'properties' or 'additionalProperties' "
      "constraints: '";
  for (const auto& e : results) {
    if (IsSummary(e.description)) {
      summaries.push_back({InstancePath(e.context), e.description, "", {}});
      continue;
    }
    SchemaViolation v{InstancePath(e.context), e.description, "", {}};
    if (e.description.rfind(kUnknownPrefix, 0) == 0) {
      v.unknown_field = e.description.substr(kUnknownPrefix.size(), e.description.size() - kUnknownPrefix.size() - 2);
      v.path.push_back(v.unknown_field);
      v.message = "unknown field '" + v.unknown_field + "': the schema does not allow it here";
    } else if (const Json* value = At(instance, v.path)) {
      v.message += " (found " + std::string(TypeName(*value)) + ": " + Describe(*value) + ")";
    }
    found.push_back(std::move(v));
  }
  std::vector<std::string> path;
  Names evaluated;
  Allowed allowed;
  impl_->Walk(impl_->root, instance, path, evaluated, allowed, found);

  // A failed oneOf/anyOf reports, besides the real reason, that its other
  // branches' types did not fit: a type error is kept only where nothing
  // more precise was found at or below it.
  std::vector<SchemaViolation> out;
  std::set<std::pair<std::vector<std::string>, std::string>> seen;
  for (const SchemaViolation& v : found) {
    bool type_error = v.message.rfind("Value type not permitted", 0) == 0;
    if (type_error && std::any_of(found.begin(), found.end(), [&](const SchemaViolation& o) {
          if (&o == &v || !IsPrefix(v.path, o.path)) return false;
          return o.path.size() > v.path.size() || o.message.rfind("Value type not permitted", 0) != 0;
        }))
      continue;
    if (!seen.insert({v.path, v.unknown_field.empty() ? v.message : v.unknown_field}).second) {
      // The same unknown field from valijson and the walk: keep the one with suggestions.
      if (!v.allowed_fields.empty())
        for (SchemaViolation& kept : out)
          if (kept.path == v.path && kept.unknown_field == v.unknown_field) kept.allowed_fields = v.allowed_fields;
      continue;
    }
    out.push_back(v);
  }
  // Alternatives that each require one field (ODCS: one of the quality
  // operators) fail with one "Missing required property" per branch: said
  // once, as the choice it is.
  std::set<std::vector<std::string>> alternatives;
  for (const SchemaViolation& s : summaries)
    if (s.message.find("anyOf") != std::string::npos || s.message.find("oneOf") != std::string::npos ||
        s.message.find("exactly one") != std::string::npos)
      alternatives.insert(s.path);
  static const std::string kMissing = "Missing required property '";
  std::vector<SchemaViolation> merged;
  for (SchemaViolation& v : out) {
    if (!alternatives.count(v.path) || v.message.rfind(kMissing, 0) != 0) {
      merged.push_back(std::move(v));
      continue;
    }
    std::string name = v.message.substr(kMissing.size(), v.message.find('\'', kMissing.size()) - kMissing.size());
    auto same = std::find_if(merged.begin(), merged.end(), [&](const SchemaViolation& m) {
      return m.path == v.path && m.message.rfind("Missing one of the properties ", 0) == 0;
    });
    if (same == merged.end()) merged.push_back({v.path, "Missing one of the properties '" + name + "'", "", {}});
    else same->message += ", '" + name + "'";
  }
  out = std::move(merged);
  // A failure valijson gives no detail for (a `false` schema, a oneOf that
  // more than one branch passes) is said by its summary.
  if (!passed && out.empty()) {
    if (summaries.empty()) summaries.push_back({{}, "the schema allows no value here", "", {}});
    return summaries;
  }
  return out;
}

bool JsonSchema::IsValid(const nlohmann::json& instance) const { return Validate(instance).empty(); }

}  // namespace weft::spec
