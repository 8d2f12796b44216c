// The simple format (docs/import-export.md): the shape teams write contracts
// in by hand before they adopt ODCS.
//
//   schema: orders
//   version: 1.2.0
//   owner: sales-team            # or a person: ana@example.com
//   domain: sales                # optional; else --domain
//   description: One row per order.
//   sla: {freshness: 24h, availability: 99.9%}
//   fields:
//     - {name: order_id, type: string, required: true, unique: true}
//     - {name: status, type: string, enum: [open, shipped]}
//     - {name: amount, type: number, quality: [no_nulls, {range: {min: 0}}]}
//   quality:
//     - no_nulls: [order_id, amount]
//     - unique: order_id
//     - range: {field: amount, min: 0, max: 100000}
//
// no_nulls -> required, unique -> unique, range -> logicalTypeOptions
// minimum/maximum, enum -> an invalidValues rule, sla.freshness -> latency,
// sla.availability -> availability, owner -> team.
#include <map>
#include <set>

#include "common/strings.h"
#include "interop/importers.h"
#include "interop/types.h"
#include "spec/sla.h"

namespace weft::interop {

namespace {

using spec::YamlNode;

struct Field {
  OrderedJson property;
  spec::Pos pos;
};

// 2024-01-31, optionally followed by a time (T or a space, then anything):
// the shape a date or timestamp range bound takes.
bool IsIsoDateLike(const std::string& text) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  return digits(0, 4) && text.size() >= 10 && text[4] == '-' && digits(5, 2) && text[7] == '-' && digits(8, 2) &&
         (text.size() == 10 || text[10] == 'T' || text[10] == ' ');
}

// A bound as the message quotes it.
std::string BoundText(const YamlNode& node) { return node.IsScalar() ? "'" + node.Scalar() + "'" : "a list or a map"; }

class SimpleImporter {
 public:
  SimpleImporter(const ImportInput& in, const ImportOptions& options) : in_(in), options_(options) {}

  Result<std::vector<ProductDraft>> Run() {
    ASSIGN_OR_RETURN(ParsedInput parsed, ParseInput(in_));
    const YamlNode& root = *parsed.root;
    static const std::set<std::string> kKeys = {"schema", "version", "owner", "domain", "description",
                                                "sla",    "fields",  "quality", "tags"};
    for (const auto& [k, v] : root.entries())
      if (!k->IsScalar() || !kKeys.count(k->Scalar()))
        return InputError(in_, k->pos(), "unknown key '" + k->Scalar() +
                                             "' in a simple contract; known: schema, version, owner, domain, "
                                             "description, sla, fields, quality, tags");
    const YamlNode* schema = root.Find("schema");
    if (!schema) return InputError(in_, root.pos(), "missing 'schema' (the dataset's name)");
    ASSIGN_OR_RETURN(std::string name, ScalarText(in_, *schema, "'schema'"));
    ProductDraft d;
    d.name = SnakeName(name);
    d.source = in_.file;
    std::string own_domain;
    if (const YamlNode* n = root.Find("domain")) {
      ASSIGN_OR_RETURN(own_domain, ScalarText(in_, *n, "'domain'"));
    }
    ASSIGN_OR_RETURN(d.domain, DomainFor(in_, own_domain, options_));
    if (const YamlNode* n = root.Find("version")) {
      ASSIGN_OR_RETURN(d.version, ScalarText(in_, *n, "'version'"));
    }
    if (const YamlNode* n = root.Find("owner")) {
      ASSIGN_OR_RETURN(d.owner, ScalarText(in_, *n, "'owner'"));
    }
    if (const YamlNode* n = root.Find("description")) {
      ASSIGN_OR_RETURN(d.description, ScalarText(in_, *n, "'description'"));
    }
    if (const YamlNode* n = root.Find("tags")) {
      if (!n->IsSequence()) return InputError(in_, n->pos(), "'tags' must be a list");
      for (const auto& t : *n) {
        ASSIGN_OR_RETURN(std::string tag, ScalarText(in_, t, "a tag"));
        d.tags.push_back(tag);
      }
    }
    const YamlNode* fields = root.Find("fields");
    if (!fields || !fields->IsSequence() || fields->size() == 0)
      return InputError(in_, fields ? fields->pos() : root.pos(), "'fields' must be a non-empty list of {name, type}");
    for (const auto& f : *fields) RETURN_IF_ERROR(ReadField(f));
    if (const YamlNode* q = root.Find("quality")) RETURN_IF_ERROR(ReadObjectQuality(*q));
    if (const YamlNode* s = root.Find("sla")) RETURN_IF_ERROR(ReadSla(*s, d));

    OrderedJson object = {{"name", d.name}, {"physicalType", "table"}};
    if (name != d.name) object["physicalName"] = name;
    object["properties"] = OrderedJson::array();
    for (auto& f : fields_) object["properties"].push_back(std::move(f.property));
    if (!object_quality_.empty()) object["quality"] = object_quality_;
    d.objects.push_back(std::move(object));
    return std::vector<ProductDraft>{std::move(d)};
  }

 private:
  Status ReadField(const YamlNode& f) {
    if (!f.IsMap()) return InputError(in_, f.pos(), "a field must be a map with name and type");
    static const std::set<std::string> kKeys = {"name", "type", "required", "unique", "enum", "description",
                                                "quality", "primary_key", "classification", "format"};
    for (const auto& [k, v] : f.entries())
      if (!k->IsScalar() || !kKeys.count(k->Scalar()))
        return InputError(in_, k->pos(), "unknown key '" + k->Scalar() + "' in a field; known: name, type, required, "
                                         "unique, enum, description, quality, primary_key, classification, format");
    const YamlNode* name = f.Find("name");
    if (!name) return InputError(in_, f.pos(), "a field needs a name");
    ASSIGN_OR_RETURN(std::string n, ScalarText(in_, *name, "a field's name"));
    if (index_.count(n)) return InputError(in_, name->pos(), "field '" + n + "' is given twice");
    const YamlNode* type = f.Find("type");
    if (!type) return InputError(in_, f.pos(), "field '" + n + "' needs a type");
    ASSIGN_OR_RETURN(std::string t, ScalarText(in_, *type, "field '" + n + "''s type"));
    std::string logical = LogicalTypeOf(t);
    if (logical.empty())
      return InputError(in_, type->pos(), "field '" + n + "': unknown type '" + t +
                                              "'; use string, integer, number, boolean, date, timestamp, time, "
                                              "object or array (or a SQL type)");
    OrderedJson p = {{"name", n}, {"logicalType", logical}};
    if (LogicalTypeOf(t) != ToLower(t)) p["physicalType"] = t;  // a SQL type says more than its logical type
    if (const YamlNode* v = f.Find("description")) {
      ASSIGN_OR_RETURN(p["description"], ScalarText(in_, *v, "a description"));
    }
    for (const char* flag : {"required", "unique", "primary_key"}) {
      const YamlNode* v = f.Find(flag);
      if (!v) continue;
      OrderedJson b = YamlJson(*v);
      if (!b.is_boolean()) return InputError(in_, v->pos(), std::string("'") + flag + "' must be true or false");
      p[flag == std::string("primary_key") ? "primaryKey" : flag] = b;
    }
    if (p.value("primaryKey", false)) p["primaryKeyPosition"] = ++key_columns_;
    if (const YamlNode* v = f.Find("classification")) {
      ASSIGN_OR_RETURN(p["classification"], ScalarText(in_, *v, "a classification"));
    }
    if (const YamlNode* v = f.Find("format")) {
      ASSIGN_OR_RETURN(std::string format, ScalarText(in_, *v, "a format"));
      p["logicalTypeOptions"]["format"] = format;
    }
    if (const YamlNode* e = f.Find("enum")) {
      OrderedJson values = YamlJson(*e);
      if (!values.is_array() || values.empty())
        return InputError(in_, e->pos(), "field '" + n + "': 'enum' must be a non-empty list of values");
      p["quality"] = OrderedJson::array({ValidValuesRule(values)});
    }
    index_[n] = fields_.size();
    fields_.push_back({std::move(p), f.pos()});
    if (const YamlNode* q = f.Find("quality")) {
      if (!q->IsSequence()) return InputError(in_, q->pos(), "a field's 'quality' must be a list");
      for (const auto& rule : *q) RETURN_IF_ERROR(ApplyRule(rule, {n}, rule));
    }
    return Status::Ok();
  }

  // A rule of the top-level list: `no_nulls: order_id`, `unique: [a, b]`,
  // `range: {field: amount, min: 0}`, or `{rule: no_nulls, field: a}`.
  Status ReadObjectQuality(const YamlNode& q) {
    if (!q.IsSequence()) return InputError(in_, q.pos(), "'quality' must be a list of rules");
    for (const auto& rule : q) {
      if (!rule.IsMap() || rule.size() == 0)
        return InputError(in_, rule.pos(), "a rule at the top names its fields: no_nulls: FIELD, unique: FIELD or "
                                           "range: {field: FIELD, min: N, max: N}");
      const YamlNode* kind = rule.Find("rule") ? rule.Find("rule") : rule.Find("type") ? rule.Find("type") : rule.Find("check");
      std::string name;
      const YamlNode* target = nullptr;
      const YamlNode* args = &rule;
      if (kind) {
        ASSIGN_OR_RETURN(name, ScalarText(in_, *kind, "a rule's name"));
        target = rule.Find("field") ? rule.Find("field") : rule.Find("fields") ? rule.Find("fields") : rule.Find("column");
      } else {
        name = rule.entries().front().first->Scalar();
        target = rule.entries().front().second;
        if (target->IsMap()) {  // range: {field: amount, min: 0}
          args = target;
          target = target->Find("field") ? target->Find("field") : target->Find("fields");
        }
      }
      if (!target) return InputError(in_, rule.pos(), "rule '" + name + "' names no field (field: NAME)");
      std::vector<std::string> names;
      if (target->IsSequence()) {
        for (const auto& t : *target) {
          ASSIGN_OR_RETURN(std::string s, ScalarText(in_, t, "a field name"));
          names.push_back(s);
        }
      } else {
        ASSIGN_OR_RETURN(std::string s, ScalarText(in_, *target, "a field name"));
        names.push_back(s);
      }
      for (const auto& n : names)
        if (!index_.count(n))
          return InputError(in_, target->pos(), "rule '" + name + "' names '" + n + "', which is not a field");
      RETURN_IF_ERROR(ApplyNamedRule(name, names, *args, rule));
    }
    return Status::Ok();
  }

  // A rule in a field's list: `no_nulls`, `unique`, `range: {min: 0}`.
  Status ApplyRule(const YamlNode& rule, const std::vector<std::string>& fields, const YamlNode& at) {
    if (rule.IsScalar()) return ApplyNamedRule(rule.Scalar(), fields, rule, at);
    if (rule.IsMap() && rule.size() == 1)
      return ApplyNamedRule(rule.entries().front().first->Scalar(), fields, *rule.entries().front().second, at);
    return InputError(in_, rule.pos(), "a rule is no_nulls, unique or range: {min: N, max: N}");
  }

  Status ApplyNamedRule(const std::string& name, const std::vector<std::string>& fields, const YamlNode& args,
                        const YamlNode& at) {
    for (const auto& f : fields) {
      OrderedJson& p = fields_[index_.at(f)].property;
      if (name == "no_nulls" || name == "not_null") {
        p["required"] = true;
      } else if (name == "unique") {
        if (fields.size() > 1) return CompositeUnique(fields);
        p["unique"] = true;
      } else if (name == "range") {
        const YamlNode* lo = args.IsMap() ? args.Find("min") : nullptr;
        const YamlNode* hi = args.IsMap() ? args.Find("max") : nullptr;
        if (!lo && !hi) return InputError(in_, at.pos(), "rule 'range' needs min, max or both");
        // The bound is checked here, at its place in the input: a bound the
        // field's type cannot take would otherwise be refused only by the
        // lint of the rendered contract, naming a file the user never wrote.
        const std::string type = p.value("logicalType", "");
        const bool numeric = type == "number" || type == "integer";
        const bool temporal = type == "date" || type == "timestamp";
        if (!numeric && !temporal)
          return InputError(in_, at.pos(), "rule 'range' on field '" + f + "' of type " + type +
                                               ": a range applies to number, integer, date and timestamp fields");
        for (auto [node, option] : {std::pair{lo, "minimum"}, std::pair{hi, "maximum"}}) {
          if (!node) continue;
          OrderedJson v = YamlJson(*node);
          if (numeric && !v.is_number())
            return InputError(in_, node->pos(), "field '" + f + "' is a " + type + ": its range bound must be a number, not " +
                                                    BoundText(*node));
          if (temporal && !(v.is_string() && IsIsoDateLike(v.get<std::string>())))
            return InputError(in_, node->pos(), "field '" + f + "' is a " + type +
                                                    ": its range bound must be a date such as 2024-01-31, not " +
                                                    BoundText(*node));
          p["logicalTypeOptions"][option] = v;
        }
      } else {
        return InputError(in_, at.pos(), "unknown rule '" + name + "'; the simple format knows no_nulls, unique and range");
      }
    }
    return Status::Ok();
  }

  // `unique: [a, b]` at the top: the pair is unique, not each column.
  Status CompositeUnique(const std::vector<std::string>& fields) {
    object_quality_.push_back(UniqueTogetherRule(fields));
    return Status::Ok();
  }

  Status ReadSla(const YamlNode& sla, ProductDraft& d) {
    if (!sla.IsMap()) return InputError(in_, sla.pos(), "'sla' must be a map: {freshness: 24h, availability: 99.9%}");
    for (const auto& [k, v] : sla.entries()) {
      const std::string key = k->IsScalar() ? k->Scalar() : "";
      const spec::SlaPropertyInfo* info = spec::FindSlaProperty(key);
      if (!info) return InputError(in_, k->pos(), "unknown SLA '" + key + "'; known: freshness, availability and ODCS's SLA properties");
      spec::SlaProperty probe;
      probe.property = std::string(info->name);
      probe.value = spec::ScalarJson(*v);
      OrderedJson entry = {{"property", probe.property}};
      if (info->kind == spec::SlaKind::kDuration) {
        auto split = spec::SplitSlaValue(probe.value);
        if (split) {
          probe.value = split->first;
          probe.unit = split->second;
        }
        if (!split || !spec::SlaDurationSeconds(probe))
          return InputError(in_, v->pos(), "SLA '" + key + "' must be a duration with a unit, such as 24h or 1 d");
        entry["value"] = split->first;
        entry["unit"] = split->second;
      } else if (info->kind == spec::SlaKind::kPercent) {
        auto percent = spec::SlaPercent(probe);
        if (!percent) return InputError(in_, v->pos(), "SLA '" + key + "' must be a percentage, such as 99.9%");
        entry["value"] = *percent;
        entry["unit"] = "percent";
      } else {
        entry["value"] = OrderedJson(probe.value);
      }
      d.sla.push_back(std::move(entry));
    }
    return Status::Ok();
  }

  const ImportInput& in_;
  const ImportOptions& options_;
  std::vector<Field> fields_;
  std::map<std::string, size_t> index_;
  std::vector<OrderedJson> object_quality_;
  int key_columns_ = 0;
};

}  // namespace

Result<std::vector<ProductDraft>> ImportSimple(const ImportInput& in, const ImportOptions& options) {
  return SimpleImporter(in, options).Run();
}

}  // namespace weft::interop
