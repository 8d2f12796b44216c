// JSON Schema (draft 2020-12 and earlier; JSON or YAML text) -> one product
// whose contract has one schema object per object schema: the document
// itself when it has `properties`, else each entry of `$defs`
// (`definitions`). Per property: type (a ["x", "null"] union is a nullable
// x), format (date, date-time and time pick the logical type; others are
// logicalTypeOptions.format), enum -> an invalidValues rule, the bounds and
// lengths -> logicalTypeOptions of the same names, description, required,
// nested objects and array items. Local `$ref`s (#/$defs/X) are followed.
#include <set>

#include "common/strings.h"
#include "interop/importers.h"

namespace weft::interop {

namespace {

using spec::YamlNode;

class JsonSchemaImporter {
 public:
  JsonSchemaImporter(const ImportInput& in, const YamlNode& root) : in_(in), root_(root) {}

  Result<OrderedJson> Object(const std::string& name, const YamlNode& schema) {
    ASSIGN_OR_RETURN(const YamlNode* s, Deref(schema));
    if (!s->Find("properties")) return InputError(in_, s->pos(), "schema '" + name + "' has no properties");
    OrderedJson object = {{"name", SnakeName(name)}};
    if (SnakeName(name) != name) object["physicalName"] = name;
    object["physicalType"] = "table";
    if (const YamlNode* d = s->Find("description"); d && d->IsScalar()) object["description"] = d->Scalar();
    ASSIGN_OR_RETURN(object["properties"], Properties(*s, 0));
    return object;
  }

 private:
  // The schema a local $ref points at (followed through chains, not cycles).
  Result<const YamlNode*> Deref(const YamlNode& schema) {
    const YamlNode* s = &schema;
    for (int hops = 0; s->IsMap() && s->Find("$ref"); ++hops) {
      const YamlNode* ref = s->Find("$ref");
      ASSIGN_OR_RETURN(std::string target, ScalarText(in_, *ref, "$ref"));
      if (hops > 16) return InputError(in_, ref->pos(), "$ref chain too long (a cycle?)");
      const YamlNode* at = nullptr;
      for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
        if (!StartsWith(target, prefix)) continue;
        const YamlNode* defs = root_.Find(std::string_view(prefix).substr(2, std::string_view(prefix).size() - 3));
        if (defs) at = defs->Find(target.substr(std::string_view(prefix).size()));
      }
      if (!at) return InputError(in_, ref->pos(), "cannot follow $ref '" + target + "' (only #/$defs/NAME in this file)");
      s = at;
    }
    if (!s->IsMap()) return InputError(in_, schema.pos(), "expected a schema (a map)");
    return s;
  }

  Result<OrderedJson> Properties(const YamlNode& schema, int depth) {
    if (depth > 16) return InputError(in_, schema.pos(), "schemas nested deeper than 16 levels");
    const YamlNode* props = schema.Find("properties");
    if (!props || !props->IsMap()) return InputError(in_, schema.pos(), "'properties' must be a map");
    std::set<std::string> required;
    if (const YamlNode* r = schema.Find("required")) {
      if (!r->IsSequence()) return InputError(in_, r->pos(), "'required' must be a list of property names");
      for (const auto& n : *r) {
        ASSIGN_OR_RETURN(std::string name, ScalarText(in_, n, "a required property's name"));
        if (!props->Find(name)) return InputError(in_, n.pos(), "'" + name + "' is required but not a property");
        required.insert(name);
      }
    }
    OrderedJson out = OrderedJson::array();
    for (const auto& [k, v] : props->entries()) {
      ASSIGN_OR_RETURN(OrderedJson p, Property(*v, depth));
      OrderedJson named = {{"name", k->Scalar()}};
      named.update(p);
      if (required.count(k->Scalar())) named["required"] = true;
      out.push_back(std::move(named));
    }
    return out;
  }

  // One property's schema, without its name.
  Result<OrderedJson> Property(const YamlNode& node, int depth) {
    ASSIGN_OR_RETURN(const YamlNode* s, Deref(node));
    for (const char* unsupported : {"anyOf", "oneOf", "allOf", "not", "if"})
      if (const YamlNode* u = s->Find(unsupported))
        return InputError(in_, u->pos(), std::string("'") + unsupported + "' has no ODCS equivalent; give the property one type");
    std::string type;
    if (const YamlNode* t = s->Find("type")) {
      if (t->IsSequence()) {  // ["string", "null"]: a nullable string
        for (const auto& x : *t) {
          ASSIGN_OR_RETURN(std::string one, ScalarText(in_, x, "a type"));
          if (one == "null") continue;
          if (!type.empty()) return InputError(in_, t->pos(), "a property may have one type besides null");
          type = one;
        }
      } else {
        ASSIGN_OR_RETURN(type, ScalarText(in_, *t, "'type'"));
      }
    } else if (s->Find("properties")) {
      type = "object";
    } else if (const YamlNode* e = s->Find("enum")) {
      OrderedJson values = YamlJson(*e);
      type = !values.empty() && values.front().is_number_integer() ? "integer" : values.front().is_number() ? "number" : "string";
    } else {
      return InputError(in_, s->pos(), "a property needs a type");
    }
    static const std::set<std::string> kTypes = {"string", "integer", "number", "boolean", "object", "array"};
    if (!kTypes.count(type))
      return InputError(in_, s->Find("type") ? s->Find("type")->pos() : s->pos(), "unknown type '" + type + "'");
    OrderedJson p = OrderedJson::object();
    std::string logical = type;
    OrderedJson options = OrderedJson::object();
    if (const YamlNode* f = s->Find("format")) {
      ASSIGN_OR_RETURN(std::string format, ScalarText(in_, *f, "'format'"));
      if (type == "string" && format == "date") logical = "date";
      else if (type == "string" && format == "date-time") logical = "timestamp";
      else if (type == "string" && format == "time") logical = "time";
      else options["format"] = format;
    }
    p["logicalType"] = logical;
    if (const YamlNode* d = s->Find("description"); d && d->IsScalar()) p["description"] = d->Scalar();
    for (const char* option : {"minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
                               "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems",
                               "minProperties", "maxProperties"}) {
      const YamlNode* o = s->Find(option);
      if (!o) continue;
      OrderedJson v = YamlJson(*o);
      // draft-04 spells an exclusive bound as a flag beside minimum/maximum.
      if (v.is_boolean() && std::string_view(option).starts_with("exclusive")) {
        if (v.get<bool>()) {
          std::string bound = option == std::string("exclusiveMinimum") ? "minimum" : "maximum";
          if (options.contains(bound)) {
            options[option] = options[bound];
            options.erase(bound);
          }
        }
        continue;
      }
      options[option] = v;
    }
    if (const YamlNode* e = s->Find("enum")) {
      OrderedJson values = YamlJson(*e);
      if (!values.is_array() || values.empty()) return InputError(in_, e->pos(), "'enum' must be a non-empty list");
      p["quality"] = OrderedJson::array({ValidValuesRule(values)});
    }
    if (!options.empty()) p["logicalTypeOptions"] = options;
    if (logical == "object" && s->Find("properties")) {
      ASSIGN_OR_RETURN(p["properties"], Properties(*s, depth + 1));
    } else if (logical == "array") {
      if (const YamlNode* items = s->Find("items")) {
        ASSIGN_OR_RETURN(OrderedJson item, Property(*items, depth + 1));
        p["items"] = item;
      }
    }
    return p;
  }

  const ImportInput& in_;
  const YamlNode& root_;
};

std::string FileStem(const std::string& file) {
  std::string name = file.substr(file.find_last_of('/') + 1);
  return name.substr(0, name.find('.'));
}

}  // namespace

Result<std::vector<ProductDraft>> ImportJsonSchema(const ImportInput& in, const ImportOptions& options) {
  ASSIGN_OR_RETURN(ParsedInput parsed, ParseInput(in));
  const YamlNode& root = *parsed.root;
  JsonSchemaImporter importer(in, root);
  ProductDraft d;
  d.source = in.file;
  ASSIGN_OR_RETURN(d.domain, DomainFor(in, "", options));
  const YamlNode* title = root.Find("title");
  std::string name = title && title->IsScalar() ? title->Scalar() : FileStem(in.file);
  d.name = SnakeName(name);
  if (const YamlNode* desc = root.Find("description"); desc && desc->IsScalar()) d.description = desc->Scalar();
  if (root.Find("properties")) {
    ASSIGN_OR_RETURN(OrderedJson object, importer.Object(name, root));
    object.erase("description");  // the document's description is the product's
    d.objects.push_back(std::move(object));
  } else {
    const YamlNode* defs = root.Find("$defs") ? root.Find("$defs") : root.Find("definitions");
    if (!defs || !defs->IsMap())
      return InputError(in, root.pos(), "expected an object schema (with properties) or $defs of them");
    for (const auto& [k, v] : defs->entries()) {
      ASSIGN_OR_RETURN(OrderedJson object, importer.Object(k->Scalar(), *v));
      d.objects.push_back(std::move(object));
    }
  }
  if (const YamlNode* v = root.Find("version"); v && v->IsScalar()) d.version = v->Scalar();
  return std::vector<ProductDraft>{std::move(d)};
}

}  // namespace weft::interop
