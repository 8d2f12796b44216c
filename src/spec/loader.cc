#include "spec/loader.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <charconv>
#include <limits>
#include <set>
#include <thread>

#include "common/files.h"
#include "common/strings.h"
#include "spec/placeholders.h"
#include "spec/standard_schemas.h"
#include "spec/yaml_tree.h"

namespace weft::spec {

namespace {

// ---------------------------------------------------------------------------
// Load context: the file, its diagnostics, and the budget that keeps alias
// expansion and nesting bounded.
struct Ctx {
  std::string file;
  std::vector<Diagnostic>* diags;
  LoadLimits limits;
  size_t nodes_seen = 0;
  bool budget_exhausted = false;

  void Error(Pos p, std::string msg, std::string rule) {
    diags->push_back({Severity::kError, file, p, std::move(msg), std::move(rule)});
  }
  void Warn(Pos p, std::string msg, std::string rule) {
    diags->push_back({Severity::kWarning, file, p, std::move(msg), std::move(rule)});
  }
};

Pos PosOf(const YamlNode& n) { return n.pos(); }

const char* ShapeName(const YamlNode& n) {
  switch (n.kind()) {
    case YamlNode::Kind::kMap: return "a map";
    case YamlNode::Kind::kSequence: return "a list";
    case YamlNode::Kind::kScalar: return "a scalar";
    case YamlNode::Kind::kNull: return "null";
  }
  return "nothing";
}

bool IsQuoted(const YamlNode& n) { return n.quoted(); }

// Converts a YAML node to JSON, counting nodes against the budget so that
// alias bombs and deep nesting stop with an error instead of eating memory.
Json ToJsonValue(const YamlNode& n, Ctx& ctx, int depth) {
  if (ctx.budget_exhausted) return nullptr;
  if (++ctx.nodes_seen > ctx.limits.max_nodes) {
    ctx.budget_exhausted = true;
    ctx.Error(PosOf(n),
              "document expands to more than " + std::to_string(ctx.limits.max_nodes) +
                  " nodes (alias expansion?); refusing to read it",
              "document-too-large");
    return nullptr;
  }
  if (depth > ctx.limits.max_depth) {
    ctx.budget_exhausted = true;
    ctx.Error(PosOf(n), "document is nested deeper than " + std::to_string(ctx.limits.max_depth) + " levels",
              "document-too-deep");
    return nullptr;
  }
  switch (n.kind()) {
    case YamlNode::Kind::kMap: {
      Json obj = Json::object();
      for (const auto& [k, v] : n.entries()) {
        std::string key = k->IsScalar() ? k->Scalar() : "";
        // The first occurrence wins, as in the typed model (a repeat is a duplicate-key error).
        if (!obj.contains(key)) obj[key] = ToJsonValue(*v, ctx, depth + 1);
      }
      return obj;
    }
    case YamlNode::Kind::kSequence: {
      Json arr = Json::array();
      for (const auto& item : n) arr.push_back(ToJsonValue(item, ctx, depth + 1));
      return arr;
    }
    case YamlNode::Kind::kScalar:
      return ScalarJson(n);
    case YamlNode::Kind::kNull:
      return nullptr;
  }
  return nullptr;
}

// "16MB" -> 16000000, "2GiB" -> 2147483648, "4096" -> 4096; nullopt when
// not a whole number of bytes >= 1 (with an optional unit) or too large.
std::optional<int64_t> ParseByteSize(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"KiB", int64_t{1} << 10}, {"MiB", int64_t{1} << 20}, {"GiB", int64_t{1} << 30}, {"TiB", int64_t{1} << 40},
      {"KB", 1'000},             {"MB", 1'000'000},         {"GB", 1'000'000'000},     {"TB", 1'000'000'000'000},
      {"B", 1}};
  text = Trim(text);
  int64_t unit = 1;
  for (const auto& [suffix, factor] : kUnits) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      unit = factor;
      text = Trim(text.substr(0, text.size() - suffix.size()));
      break;
    }
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > std::numeric_limits<int64_t>::max() / unit)
    return std::nullopt;
  return n * unit;
}

// Reads one YAML map into a SpecNode-derived object, field by field. Every
// field read records its position; whatever is left unread at Finish() is an
// unknown field: warned about (with a suggestion) and kept verbatim.
class MapReader {
 public:
  MapReader(const YamlNode& n, Ctx& ctx, SpecNode& target, std::string what, int depth)
      : ctx_(ctx), target_(target), what_(std::move(what)), depth_(depth) {
    target_.pos = PosOf(n);
    if (!n.IsMap()) {
      if (!n.IsNull()) ctx_.Error(PosOf(n), what_ + " must be a map, not " + ShapeName(n), "wrong-type");
      return;
    }
    if (depth > ctx.limits.max_depth) {
      ctx_.Error(PosOf(n), what_ + " is nested deeper than " + std::to_string(ctx.limits.max_depth) + " levels",
                 "document-too-deep");
      return;
    }
    std::set<std::string> seen;
    for (const auto& [k, v] : n.entries()) {
      if (!k->IsScalar()) {
        ctx_.Error(PosOf(*k), "keys in " + what_ + " must be plain strings", "wrong-type");
        continue;
      }
      const std::string& key = k->Scalar();
      if (!seen.insert(key).second) {
        ctx_.Error(PosOf(*k), "duplicate key '" + key + "' in " + what_, "duplicate-key");
        continue;
      }
      entries_.push_back({key, v, PosOf(*k), false});
    }
  }

  int depth() const { return depth_; }
  Ctx& ctx() { return ctx_; }

  // Finds a field, marks it read and records its position; nullptr if absent.
  const YamlNode* Take(std::string_view key) {
    for (auto& e : entries_) {
      if (e.key == key) {
        e.used = true;
        target_.field_pos[e.key] = e.pos;
        return e.node;
      }
    }
    return nullptr;
  }

  void Str(std::string_view key, std::string& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    if (!n->IsScalar()) {
      TypeError(key, *n, "a string");
      return;
    }
    out = n->Scalar();
  }

  void Bool(std::string_view key, std::optional<bool>& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    std::optional<bool> b;
    if (n->IsScalar() && !IsQuoted(*n)) b = AsBoolScalar(n->Scalar());
    if (!b) {
      TypeError(key, *n, "true or false");
      return;
    }
    out = b;
  }

  void Int(std::string_view key, std::optional<int64_t>& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    std::optional<int64_t> v;
    if (n->IsScalar() && !IsQuoted(*n)) v = AsIntScalar(n->Scalar());
    if (!v) {
      TypeError(key, *n, "an integer");
      return;
    }
    out = v;
  }

  // A size: a whole number of bytes, or one with a unit (KB, MB, GB, TB in
  // 1000s as DuckDB's memoryLimit; KiB, MiB, GiB, TiB in 1024s): 16MB, 2GiB.
  void Bytes(std::string_view key, std::optional<int64_t>& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    std::optional<int64_t> v;
    if (n->IsScalar()) v = ParseByteSize(n->Scalar());
    if (!v) {
      TypeError(key, *n, "a size of 1 byte or more, e.g. 16MB or 2GiB");
      return;
    }
    out = v;
  }

  void Number(std::string_view key, std::optional<double>& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    std::optional<double> v;
    if (n->IsScalar() && !IsQuoted(*n)) v = AsFloatScalar(n->Scalar());
    if (!v) {
      TypeError(key, *n, "a number");
      return;
    }
    out = v;
  }

  void Any(std::string_view key, Json& out) {
    const YamlNode* n = Take(key);
    if (!n) return;
    out = ToJsonValue(*n, ctx_, depth_ + 1);
  }

  void Strings(std::string_view key, std::vector<std::string>& out) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    if (!n->IsSequence()) {
      TypeError(key, *n, "a list of strings");
      return;
    }
    for (const auto& item : *n) {
      if (!item.IsScalar()) {
        ctx_.Error(PosOf(item), "'" + std::string(key) + "' in " + what_ + " must hold strings, not " +
                                    ShapeName(item), "wrong-type");
        continue;
      }
      out.push_back(item.Scalar());
    }
  }

  // A list of objects, each read by `read(node, out_item, depth)`.
  template <typename T, typename F>
  void List(std::string_view key, std::vector<T>& out, F read) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    if (!n->IsSequence()) {
      TypeError(key, *n, "a list");
      return;
    }
    out.reserve(out.size() + n->size());  // items are large (a Property is 808 bytes): grow once
    for (const auto& item : *n) {
      if (ctx_.budget_exhausted) return;
      if (++ctx_.nodes_seen > ctx_.limits.max_nodes) {
        ctx_.budget_exhausted = true;
        ctx_.Error(PosOf(item), "document has too many nodes (alias expansion?)", "document-too-large");
        return;
      }
      out.emplace_back();
      read(item, out.back(), depth_ + 1);
      // Reported as wrong-type; an empty object kept in its place would make
      // lint report its fields missing too.
      if (!item.IsMap() && !item.IsNull()) out.pop_back();
    }
  }

  template <typename T, typename F>
  void Object(std::string_view key, T& out, F read) {
    const YamlNode* n = Take(key);
    if (!n || n->IsNull()) return;
    read(*n, out, depth_ + 1);
  }

  // Every field not read so far is kept as-is without a warning (for open
  // maps such as a server's type-specific settings).
  void Rest(Json& out) {
    for (auto& e : entries_) {
      if (e.used) continue;
      e.used = true;
      target_.field_pos[e.key] = e.pos;
      out[e.key] = ToJsonValue(*e.node, ctx_, depth_ + 1);
    }
  }

  void Finish(const std::vector<std::string>& known) {
    for (auto& e : entries_) {
      if (e.used) continue;
      std::string hint = ClosestMatch(e.key, known);
      ctx_.Warn(e.pos,
                "unknown field '" + e.key + "' in " + what_ +
                    (hint.empty() ? std::string("; it is kept but not used") : "; did you mean '" + hint + "'?"),
                "unknown-field");
      target_.field_pos[e.key] = e.pos;
      target_.unknown[e.key] = ToJsonValue(*e.node, ctx_, depth_ + 1);
    }
  }

  // Names of the fields the reader took, for Finish's suggestions.
  std::vector<std::string> TakenNames() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.key);
    return out;
  }

 private:
  struct Entry {
    std::string key;
    const YamlNode* node;
    Pos pos;
    bool used;
  };

  void TypeError(std::string_view key, const YamlNode& n, const char* expected) {
    std::string got = n.IsScalar() ? "\"" + n.Scalar() + "\"" : std::string(ShapeName(n));
    ctx_.Error(PosOf(n), "'" + std::string(key) + "' in " + what_ + " must be " + expected + ", not " + got,
               "wrong-type");
  }

  Ctx& ctx_;
  SpecNode& target_;
  std::string what_;
  int depth_;
  std::vector<Entry> entries_;
};

// --- readers for each object -----------------------------------------------

void ReadCustomProperty(const YamlNode& n, CustomProperty& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "customProperties item", depth);
  r.Str("property", out.property);
  r.Any("value", out.value);
  r.Str("description", out.description);
  std::string id;
  r.Str("id", id);
  r.Finish({"property", "value", "description", "id"});
}

void ReadAuthDef(const YamlNode& n, AuthoritativeDefinition& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "authoritativeDefinitions item", depth);
  r.Str("url", out.url);
  r.Str("type", out.type);
  r.Str("description", out.description);
  std::string id;
  r.Str("id", id);
  r.Finish({"url", "type", "description", "id"});
}

#define WEFT_CTX_READER(fn) [&ctx](const YamlNode& item, auto& o, int d) { fn(item, o, ctx, d); }

void ReadDescription(const YamlNode& n, Description& out, Ctx& ctx, int depth) {
  if (n.IsScalar()) {  // a plain string reads as the purpose
    out.pos = PosOf(n);
    out.purpose = n.Scalar();
    return;
  }
  MapReader r(n, ctx, out, "description", depth);
  r.Str("purpose", out.purpose);
  r.Str("limitations", out.limitations);
  r.Str("usage", out.usage);
  r.List("authoritativeDefinitions", out.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Finish({"purpose", "limitations", "usage", "authoritativeDefinitions", "customProperties"});
}

void ReadThresholds(MapReader& r, std::vector<Threshold>& out) {
  for (const auto& name : OperatorNames()) {
    const YamlNode* n = r.Take(name);
    if (!n) continue;
    Threshold t;
    t.kind = *ParseOperator(name);
    t.pos = PosOf(*n);
    t.value = ToJsonValue(*n, r.ctx(), r.depth() + 1);
    out.push_back(std::move(t));
  }
}

const std::vector<std::string>& QualityFields() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v = {"id", "name", "description", "type", "metric", "rule", "arguments",
                                  "query", "engine", "implementation", "unit", "severity", "dimension",
                                  "businessImpact", "method", "schedule", "scheduler", "tags",
                                  "authoritativeDefinitions", "customProperties", "validValues"};
    for (const auto& o : OperatorNames()) v.push_back(o);
    return v;
  }();
  return k;
}

void ReadQuality(const YamlNode& n, QualityRule& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "quality rule", depth);
  r.Str("id", out.id);
  r.Str("name", out.name);
  r.Str("description", out.description);
  r.Str("type", out.type);
  r.Str("metric", out.metric);
  std::string legacy_rule;
  r.Str("rule", legacy_rule);
  if (out.metric.empty() && !legacy_rule.empty()) {
    out.metric = legacy_rule;
    ctx.Warn(out.At("rule"), "'rule' is the ODCS v3.0 name; v3.1 calls it 'metric'", "deprecated-field");
  }
  r.Any("arguments", out.arguments);
  if (!out.arguments.is_object()) {
    if (!out.arguments.is_null())
      ctx.Error(out.At("arguments"), "'arguments' in quality rule must be a map", "wrong-type");
    out.arguments = Json::object();
  }
  // ODCS v3.0 put validValues beside the operator; keep reading it.
  Json valid_values;
  r.Any("validValues", valid_values);
  if (!valid_values.is_null() && !out.arguments.contains("validValues")) out.arguments["validValues"] = valid_values;
  r.Str("query", out.query);
  r.Str("engine", out.engine);
  r.Any("implementation", out.implementation);
  r.Str("unit", out.unit);
  r.Str("severity", out.severity);
  r.Str("dimension", out.dimension);
  r.Str("businessImpact", out.business_impact);
  r.Str("method", out.method);
  r.Str("schedule", out.schedule);
  r.Str("scheduler", out.scheduler);
  r.Strings("tags", out.tags);
  r.List("authoritativeDefinitions", out.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  ReadThresholds(r, out.thresholds);
  if (out.type.empty()) out.type = out.metric.empty() ? "" : "library";
  r.Finish(QualityFields());
}

// `from`/`to` are a string or, for composite keys, a list of strings.
void ReadRefList(MapReader& r, std::string_view key, std::vector<std::string>& out, Ctx& ctx) {
  const YamlNode* n = r.Take(key);
  if (!n || n->IsNull()) return;
  if (n->IsScalar()) {
    out.push_back(n->Scalar());
    return;
  }
  if (n->IsSequence()) {
    for (const auto& item : *n) {
      if (item.IsScalar()) out.push_back(item.Scalar());
      else ctx.Error(PosOf(item), "'" + std::string(key) + "' must list strings", "wrong-type");
    }
    return;
  }
  ctx.Error(PosOf(*n), "'" + std::string(key) + "' in relationship must be a string or a list", "wrong-type");
}

void ReadRelationship(const YamlNode& n, Relationship& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "relationship", depth);
  r.Str("id", out.id);
  r.Str("type", out.type);
  if (out.type.empty()) out.type = "foreignKey";
  ReadRefList(r, "from", out.from, ctx);
  ReadRefList(r, "to", out.to, ctx);
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Finish({"id", "type", "from", "to", "customProperties"});
}

const std::vector<std::string>& OptionNames() {
  static const std::vector<std::string> k = {
      "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
      "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties",
      "maxProperties", "required", "precision", "scale", "timezone", "defaultTimezone"};
  return k;
}

void ReadProperty(const YamlNode& n, Property& out, Ctx& ctx, int depth);

void ReadOptions(const YamlNode& n, Property& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out.options_node, "logicalTypeOptions", depth);
  for (const auto& name : OptionNames()) {
    if (const YamlNode* v = r.Take(name)) out.options[name] = ToJsonValue(*v, ctx, depth + 1);
  }
  r.Finish(OptionNames());
}

const std::vector<std::string>& PropertyFields() {
  static const std::vector<std::string> k = {
      "id", "name", "physicalName", "logicalType", "physicalType", "businessName", "description",
      "classification", "encryptedName", "transformLogic", "transformDescription",
      "transformSourceObjects", "required", "unique", "primaryKey", "primaryKeyPosition",
      "partitioned", "partitionKeyPosition", "criticalDataElement", "tags", "examples",
      "logicalTypeOptions", "properties", "items", "quality", "relationships",
      "authoritativeDefinitions", "customProperties"};
  return k;
}

void ReadProperty(const YamlNode& n, Property& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "property", depth);
  r.Str("id", out.id);
  r.Str("name", out.name);
  r.Str("physicalName", out.physical_name);
  r.Str("logicalType", out.logical_type);
  r.Str("physicalType", out.physical_type);
  r.Str("businessName", out.business_name);
  r.Str("description", out.description);
  r.Str("classification", out.classification);
  r.Str("encryptedName", out.encrypted_name);
  r.Str("transformLogic", out.transform_logic);
  r.Str("transformDescription", out.transform_description);
  r.Strings("transformSourceObjects", out.transform_source_objects);
  r.Bool("required", out.required);
  r.Bool("unique", out.unique);
  r.Bool("primaryKey", out.primary_key);
  r.Int("primaryKeyPosition", out.primary_key_position);
  r.Bool("partitioned", out.partitioned);
  r.Int("partitionKeyPosition", out.partition_key_position);
  r.Bool("criticalDataElement", out.critical_data_element);
  r.Strings("tags", out.tags);
  r.Any("examples", out.examples);
  r.Object("logicalTypeOptions", out, [&ctx](const YamlNode& on, Property& p, int d) { ReadOptions(on, p, ctx, d); });
  r.List("properties", out.properties, WEFT_CTX_READER(ReadProperty));
  if (const YamlNode* items = r.Take("items"); items && !items->IsNull()) {
    out.items.emplace_back();
    ReadProperty(*items, out.items.back(), ctx, depth + 1);
    if (!items->IsMap()) out.items.pop_back();  // reported as wrong-type, as in List()
  }
  r.List("quality", out.quality, WEFT_CTX_READER(ReadQuality));
  r.List("relationships", out.relationships, WEFT_CTX_READER(ReadRelationship));
  r.List("authoritativeDefinitions", out.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Finish(PropertyFields());
}

void ReadSchemaObject(const YamlNode& n, SchemaObject& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "schema object", depth);
  r.Str("id", out.id);
  r.Str("name", out.name);
  r.Str("physicalName", out.physical_name);
  r.Str("physicalType", out.physical_type);
  r.Str("logicalType", out.logical_type);
  r.Str("businessName", out.business_name);
  r.Str("description", out.description);
  r.Str("dataGranularityDescription", out.data_granularity_description);
  r.Strings("tags", out.tags);
  r.List("properties", out.properties, WEFT_CTX_READER(ReadProperty));
  r.List("quality", out.quality, WEFT_CTX_READER(ReadQuality));
  r.List("relationships", out.relationships, WEFT_CTX_READER(ReadRelationship));
  r.List("authoritativeDefinitions", out.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Finish({"id", "name", "physicalName", "physicalType", "logicalType", "businessName", "description",
            "dataGranularityDescription", "tags", "properties", "quality", "relationships",
            "authoritativeDefinitions", "customProperties"});
}

void ReadServer(const YamlNode& n, Server& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "server", depth);
  r.Str("id", out.id);
  r.Str("server", out.server);
  r.Str("type", out.type);
  r.Str("description", out.description);
  r.Str("environment", out.environment);
  r.Rest(out.attributes);  // servers carry type-specific fields by design
}

void ReadRole(const YamlNode& n, Role& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "role", depth);
  r.Str("role", out.role);
  r.Str("description", out.description);
  r.Str("access", out.access);
  // Approvers are a string in ODCS; weft also accepts a list.
  for (auto [key, dest] : {std::pair{"firstLevelApprovers", &out.first_level_approvers},
                           std::pair{"secondLevelApprovers", &out.second_level_approvers}}) {
    const YamlNode* a = r.Take(key);
    if (!a || a->IsNull()) continue;
    if (a->IsScalar()) {
      for (auto& s : Split(a->Scalar(), ',')) {
        auto t = std::string(Trim(s));
        if (!t.empty()) dest->push_back(t);
      }
    } else if (a->IsSequence()) {
      for (const auto& item : *a)
        if (item.IsScalar()) dest->push_back(item.Scalar());
    } else {
      ctx.Error(PosOf(*a), std::string("'") + key + "' in role must be a string or a list", "wrong-type");
    }
  }
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Finish({"role", "description", "access", "firstLevelApprovers", "secondLevelApprovers", "customProperties"});
}

void ReadTeamMember(const YamlNode& n, TeamMember& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "team member", depth);
  r.Str("username", out.username);
  r.Str("name", out.name);
  r.Str("role", out.role);
  r.Str("description", out.description);
  r.Str("dateIn", out.date_in);
  r.Str("dateOut", out.date_out);
  r.Str("replacedByUsername", out.replaced_by_username);
  Json ignored;
  r.Any("tags", ignored);
  r.Any("customProperties", ignored);
  r.Any("authoritativeDefinitions", ignored);
  r.Finish({"username", "name", "role", "description", "dateIn", "dateOut", "replacedByUsername", "tags",
            "customProperties", "authoritativeDefinitions"});
}

void ReadTeam(const YamlNode& n, Team& out, Ctx& ctx, int depth) {
  if (n.IsSequence()) {  // ODCS v3.0 style: the team is its member list
    out.pos = PosOf(n);
    for (const auto& item : n) {
      out.members.emplace_back();
      ReadTeamMember(item, out.members.back(), ctx, depth + 1);
      if (!item.IsMap() && !item.IsNull()) out.members.pop_back();  // reported as wrong-type, as in List()
    }
    return;
  }
  MapReader r(n, ctx, out, "team", depth);
  r.Str("name", out.name);
  r.Str("description", out.description);
  std::string id;
  r.Str("id", id);
  r.List("members", out.members, WEFT_CTX_READER(ReadTeamMember));
  Json ignored;
  r.Any("tags", ignored);
  r.Any("customProperties", ignored);
  r.Any("authoritativeDefinitions", ignored);
  r.Finish({"name", "description", "id", "members", "tags", "customProperties", "authoritativeDefinitions"});
}

void ReadSupport(const YamlNode& n, SupportChannel& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "support channel", depth);
  r.Str("id", out.id);
  r.Str("channel", out.channel);
  r.Str("url", out.url);
  r.Str("description", out.description);
  r.Str("tool", out.tool);
  r.Str("scope", out.scope);
  r.Str("invitationUrl", out.invitation_url);
  Json ignored;
  r.Any("tags", ignored);
  r.Any("customProperties", ignored);
  r.Finish({"id", "channel", "url", "description", "tool", "scope", "invitationUrl", "tags", "customProperties"});
}

void ReadPrice(const YamlNode& n, Price& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "price", depth);
  r.Number("priceAmount", out.amount);
  r.Str("priceCurrency", out.currency);
  r.Str("priceUnit", out.unit);
  r.Finish({"priceAmount", "priceCurrency", "priceUnit"});
}

void ReadSla(const YamlNode& n, SlaProperty& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "slaProperties item", depth);
  r.Str("id", out.id);
  r.Str("property", out.property);
  r.Any("value", out.value);
  r.Any("valueExt", out.value_ext);
  r.Str("unit", out.unit);
  r.Str("element", out.element);
  r.Str("driver", out.driver);
  r.Str("description", out.description);
  r.Str("scheduler", out.scheduler);
  r.Str("schedule", out.schedule);
  r.Finish({"id", "property", "value", "valueExt", "unit", "element", "driver", "description", "scheduler",
            "schedule"});
}

void ReadHeader(MapReader& r, std::string& api_version, std::string& kind) {
  r.Str("apiVersion", api_version);
  r.Str("kind", kind);
}

void ReadContract(const YamlNode& n, DataContract& c, Ctx& ctx) {
  MapReader r(n, ctx, c, "data contract", 0);
  ReadHeader(r, c.api_version, c.kind);
  r.Str("id", c.id);
  r.Str("name", c.name);
  r.Str("version", c.version);
  r.Str("status", c.status);
  r.Str("domain", c.domain);
  r.Str("dataProduct", c.data_product);
  r.Str("tenant", c.tenant);
  r.Object("description", c.description, WEFT_CTX_READER(ReadDescription));
  r.Strings("tags", c.tags);
  r.List("servers", c.servers, WEFT_CTX_READER(ReadServer));
  r.List("roles", c.roles, WEFT_CTX_READER(ReadRole));
  r.Object("team", c.team, WEFT_CTX_READER(ReadTeam));
  r.List("support", c.support, WEFT_CTX_READER(ReadSupport));
  if (const YamlNode* p = r.Take("price"); p && !p->IsNull()) {
    c.price.emplace();
    ReadPrice(*p, *c.price, ctx, 1);
  }
  r.Str("slaDefaultElement", c.sla_default_element);
  r.List("slaProperties", c.sla_properties, WEFT_CTX_READER(ReadSla));
  r.List("authoritativeDefinitions", c.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", c.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Str("contractCreatedTs", c.contract_created_ts);
  r.List("schema", c.schema, WEFT_CTX_READER(ReadSchemaObject));
  r.Finish({"apiVersion", "kind", "id", "name", "version", "status", "domain", "dataProduct", "tenant",
            "description", "tags", "servers", "roles", "team", "support", "price", "slaDefaultElement",
            "slaProperties", "authoritativeDefinitions", "customProperties", "contractCreatedTs", "schema"});
}

void ReadInputPort(const YamlNode& n, InputPort& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "input port", depth);
  r.Str("name", out.name);
  r.Str("version", out.version);
  r.Str("contractId", out.contract_id);
  r.Strings("tags", out.tags);
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  Json ignored;
  r.Any("authoritativeDefinitions", ignored);
  r.Finish({"name", "version", "contractId", "tags", "customProperties", "authoritativeDefinitions"});
}

void ReadInputContract(const YamlNode& n, InputContractRef& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "input contract", depth);
  r.Str("id", out.id);
  r.Str("version", out.version);
  r.Finish({"id", "version"});
}

void ReadOutputPort(const YamlNode& n, OutputPort& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "output port", depth);
  r.Str("name", out.name);
  r.Str("version", out.version);
  r.Str("type", out.type);
  r.Str("contractId", out.contract_id);
  r.Str("description", out.description);
  r.List("inputContracts", out.input_contracts, WEFT_CTX_READER(ReadInputContract));
  r.Strings("tags", out.tags);
  r.List("customProperties", out.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  Json ignored;
  r.Any("sbom", ignored);
  r.Any("authoritativeDefinitions", ignored);
  r.Finish({"name", "version", "type", "contractId", "description", "inputContracts", "tags", "customProperties",
            "sbom", "authoritativeDefinitions"});
}

void ReadManagementPort(const YamlNode& n, ManagementPort& out, Ctx& ctx, int depth) {
  MapReader r(n, ctx, out, "management port", depth);
  r.Str("name", out.name);
  r.Str("content", out.content);
  r.Str("type", out.type);
  r.Str("url", out.url);
  r.Str("channel", out.channel);
  r.Str("description", out.description);
  Json ignored;
  r.Any("tags", ignored);
  r.Any("customProperties", ignored);
  r.Any("authoritativeDefinitions", ignored);
  r.Finish({"name", "content", "type", "url", "channel", "description", "tags", "customProperties",
            "authoritativeDefinitions"});
}

void ReadProduct(const YamlNode& n, DataProduct& p, Ctx& ctx) {
  MapReader r(n, ctx, p, "data product", 0);
  ReadHeader(r, p.api_version, p.kind);
  r.Str("id", p.id);
  r.Str("name", p.name);
  r.Str("version", p.version);
  r.Str("status", p.status);
  r.Str("domain", p.domain);
  r.Str("tenant", p.tenant);
  r.Object("description", p.description, WEFT_CTX_READER(ReadDescription));
  r.Strings("tags", p.tags);
  r.List("inputPorts", p.input_ports, WEFT_CTX_READER(ReadInputPort));
  r.List("outputPorts", p.output_ports, WEFT_CTX_READER(ReadOutputPort));
  r.List("managementPorts", p.management_ports, WEFT_CTX_READER(ReadManagementPort));
  r.Object("team", p.team, WEFT_CTX_READER(ReadTeam));
  r.List("support", p.support, WEFT_CTX_READER(ReadSupport));
  r.List("authoritativeDefinitions", p.authoritative_definitions, WEFT_CTX_READER(ReadAuthDef));
  r.List("customProperties", p.custom_properties, WEFT_CTX_READER(ReadCustomProperty));
  r.Str("productCreatedTs", p.product_created_ts);
  r.Finish({"apiVersion", "kind", "id", "name", "version", "status", "domain", "tenant", "description", "tags",
            "inputPorts", "outputPorts", "managementPorts", "team", "support", "authoritativeDefinitions",
            "customProperties", "productCreatedTs"});
}

void ReadDomain(const YamlNode& n, DomainSpec& d, Ctx& ctx) {
  MapReader r(n, ctx, d, "domain", 0);
  ReadHeader(r, d.api_version, d.kind);
  r.Str("name", d.name);
  r.Str("description", d.description);
  r.Strings("owners", d.owners);
  r.Str("storageRoot", d.storage_root);
  r.Number("monthlyBudget", d.monthly_budget);
  r.Number("softLimitPercent", d.soft_limit_percent);
  r.Str("currency", d.currency);
  r.Str("costCenter", d.cost_center);
  r.Finish({"apiVersion", "kind", "name", "description", "owners", "storageRoot", "monthlyBudget",
            "softLimitPercent", "currency", "costCenter"});
}

void ReadReferenceEntity(const YamlNode& n, ReferenceEntity& e, Ctx& ctx) {
  MapReader r(n, ctx, e, "reference entity", 0);
  ReadHeader(r, e.api_version, e.kind);
  r.Str("name", e.name);
  r.Str("description", e.description);
  if (const YamlNode* id = r.Take("identifier"); id && !id->IsNull()) {
    MapReader ir(*id, ctx, e.identifier_node, "identifier", 1);
    ir.Str("name", e.identifier_name);
    ir.Str("type", e.identifier_type);
    ir.Str("pattern", e.identifier_pattern);
    ir.Finish({"name", "type", "pattern"});
  }
  r.Str("masteredBy", e.mastered_by);
  r.Strings("stewards", e.stewards);
  r.Finish({"apiVersion", "kind", "name", "description", "identifier", "masteredBy", "stewards"});
}

void ReadPolicy(const YamlNode& n, PolicySpec& p, Ctx& ctx) {
  MapReader r(n, ctx, p, "policy", 0);
  ReadHeader(r, p.api_version, p.kind);
  r.Str("id", p.id);
  r.Str("title", p.title);
  r.Str("severity", p.severity);
  r.Str("rationale", p.rationale);
  r.Str("query", p.query);
  r.Finish({"apiVersion", "kind", "id", "title", "severity", "rationale", "query"});
}

void ReadGlossaryTerm(const YamlNode& n, GlossaryTerm& t, Ctx& ctx) {
  MapReader r(n, ctx, t, "glossary term", 0);
  ReadHeader(r, t.api_version, t.kind);
  r.Str("name", t.name);
  r.Str("title", t.title);
  r.Str("domain", t.domain);
  r.Str("definition", t.definition);
  r.Strings("owners", t.owners);
  r.Strings("synonyms", t.synonyms);
  r.Strings("related", t.related);
  r.Finish({"apiVersion", "kind", "name", "title", "domain", "definition", "owners", "synonyms", "related"});
}

// A map of scalars, each read as T by `read` (which reports its own errors).
template <typename T, typename F>
void ReadScalarMap(MapReader& r, std::string_view key, std::map<std::string, T>& out, Ctx& ctx, F read) {
  const YamlNode* n = r.Take(key);
  if (!n || n->IsNull()) return;
  if (!n->IsMap()) {
    ctx.Error(PosOf(*n), "'" + std::string(key) + "' must be a map", "wrong-type");
    return;
  }
  for (const auto& [k, v] : n->entries()) {
    if (!k->IsScalar() || !v->IsScalar()) {
      ctx.Error(PosOf(*k), "'" + std::string(key) + "' must map names to single values", "wrong-type");
      continue;
    }
    if (auto value = read(*v)) out[k->Scalar()] = *value;
  }
}

// lineage.openlineage. The sink only ever logs a failure to send (a publish
// never fails for it), so a URL it could never send to is refused here.
void ReadOpenLineage(const YamlNode& n, WorkspaceSpec& w, Ctx& ctx) {
  SpecNode node;
  MapReader r(n, ctx, node, "lineage.openlineage", 2);
  r.Str("url", w.openlineage_url);
  r.Str("file", w.openlineage_file);
  r.Str("namespace", w.openlineage_namespace);
  r.Number("timeoutSeconds", w.openlineage_timeout_seconds);
  r.Finish({"url", "file", "namespace", "timeoutSeconds"});
  if (!n.IsMap()) return;
  const std::string& url = w.openlineage_url;
  if (node.Has("url")) {
    std::string_view rest = url;
    bool http = StartsWith(rest, "http://") || StartsWith(rest, "https://");
    if (http) rest.remove_prefix(rest.find("://") + 3);
    if (!http || rest.empty() || rest.front() == '/' || rest.front() == ':')
      ctx.Error(node.At("url"), "lineage.openlineage.url must be an http:// or https:// URL with a host, not \"" + url +
                                    "\" (for Marquez: http://HOST:5000/api/v1/lineage)", "invalid-value");
  }
  if (node.Has("file") && w.openlineage_file.empty())
    ctx.Error(node.At("file"), "lineage.openlineage.file must name a file", "invalid-value");
  if (node.Has("namespace") && w.openlineage_namespace.empty())
    ctx.Error(node.At("namespace"), "lineage.openlineage.namespace must not be empty (default: weft://<name>)",
              "invalid-value");
  if (w.openlineage_timeout_seconds && *w.openlineage_timeout_seconds <= 0)
    ctx.Error(node.At("timeoutSeconds"), "lineage.openlineage.timeoutSeconds must be more than 0", "out-of-range");
  if (!node.Has("url") && !node.Has("file"))
    ctx.Error(node.pos, "lineage.openlineage needs a url to POST events to, a file to append them to, or both",
              "required-field");
}

void ReadWorkspace(const YamlNode& n, WorkspaceSpec& w, Ctx& ctx) {
  MapReader r(n, ctx, w, "workspace", 0);
  ReadHeader(r, w.api_version, w.kind);
  r.Str("name", w.name);
  r.Str("catalog", w.catalog);
  r.Strings("policyPacks", w.policy_packs);
  ReadScalarMap(r, "rateCard", w.rate_card, ctx, [&ctx](const YamlNode& v) -> std::optional<double> {
    auto d = IsQuoted(v) ? std::nullopt : AsFloatScalar(v.Scalar());
    if (!d) ctx.Error(PosOf(v), "rateCard prices must be numbers, not \"" + v.Scalar() + "\"", "wrong-type");
    return d;
  });
  r.Str("currency", w.currency);
  ReadScalarMap(r, "masking", w.masking, ctx, [](const YamlNode& v) { return std::optional<std::string>(v.Scalar()); });
  if (const YamlNode* ret = r.Take("retention"); ret && !ret->IsNull()) {
    SpecNode node;
    MapReader rr(*ret, ctx, node, "retention", 1);
    rr.Int("snapshots", w.retention_snapshots);
    rr.Int("days", w.retention_days);
    rr.Finish({"snapshots", "days"});
  }
  if (const YamlNode* q = r.Take("query"); q && !q->IsNull()) {
    SpecNode node;
    MapReader qr(*q, ctx, node, "query", 1);
    qr.Str("memoryLimit", w.query_memory_limit);
    qr.Int("threads", w.query_threads);
    qr.Number("timeoutSeconds", w.query_timeout_seconds);
    qr.Int("concurrentPerPrincipal", w.query_concurrency);
    qr.Finish({"memoryLimit", "threads", "timeoutSeconds", "concurrentPerPrincipal"});
  }
  if (const YamlNode* p = r.Take("publish"); p && !p->IsNull()) {
    SpecNode node;
    MapReader pr(*p, ctx, node, "publish", 1);
    pr.Number("maxQuarantinedShare", w.publish_max_quarantined_share);
    pr.Number("maxShrink", w.publish_max_shrink);
    pr.Number("volumeSensitivity", w.publish_volume_sensitivity);
    pr.Int("minHistory", w.publish_min_history);
    pr.Bytes("maxInputBytes", w.publish_max_input_bytes);
    pr.Number("maxExpansion", w.publish_max_expansion);
    pr.Bytes("maxFieldBytes", w.publish_max_field_bytes);
    pr.Finish({"maxQuarantinedShare", "maxShrink", "volumeSensitivity", "minHistory", "maxInputBytes", "maxExpansion",
               "maxFieldBytes"});
    if (w.publish_max_expansion && *w.publish_max_expansion < 1)
      ctx.Error(node.At("maxExpansion"), "publish.maxExpansion is decompressed size / compressed size: 1 or more",
                "out-of-range");
    for (const auto& [name, v] : {std::pair{"maxQuarantinedShare", w.publish_max_quarantined_share},
                                  std::pair{"maxShrink", w.publish_max_shrink}})
      if (v && (*v < 0 || *v > 1))
        ctx.Error(PosOf(*p), std::string("publish.") + name + " is a share from 0 to 1 (0.05 is 5%)", "out-of-range");
    if (w.publish_volume_sensitivity && *w.publish_volume_sensitivity < 0)
      ctx.Error(PosOf(*p), "publish.volumeSensitivity must be 0 (off) or more", "out-of-range");
  }
  if (const YamlNode* l = r.Take("lineage"); l && !l->IsNull()) {
    SpecNode node;
    MapReader lr(*l, ctx, node, "lineage", 1);
    if (const YamlNode* o = lr.Take("openlineage"); o && !o->IsNull()) ReadOpenLineage(*o, w, ctx);
    lr.Finish({"openlineage"});
  }
  if (const YamlNode* lh = r.Take("lakehouse"); lh && !lh->IsNull()) {
    SpecNode node;
    MapReader lr(*lh, ctx, node, "lakehouse", 1);
    lr.Str("fileAccess", w.lakehouse_file_access);
    lr.Finish({"fileAccess"});
    if (node.Has("fileAccess") && w.lakehouse_file_access != "urls" && w.lakehouse_file_access != "local")
      ctx.Error(node.At("fileAccess"), "lakehouse.fileAccess must be urls (signed URLs under weft serve, the default) or "
                                       "local (file paths, for engines on this host), not \"" + w.lakehouse_file_access + "\"",
                "invalid-value");
  }
  r.Finish({"apiVersion", "kind", "name", "catalog", "policyPacks", "rateCard", "currency", "masking", "retention",
            "query", "publish", "lineage", "lakehouse"});
}

// Adds the official schema's verdict on a document to what the loader said
// about it (from `first` on). Where both speak of one node, the loader's
// error is kept (it names the field in weft's words) and its unknown-field
// warning gives way to the schema's error (the standard forbids the field).
void MergeSchemaDiagnostics(std::vector<Diagnostic> schema, size_t first, std::vector<Diagnostic>& diags) {
  std::set<std::pair<int, int>> loader_errors, schema_errors;
  for (size_t i = first; i < diags.size(); ++i)
    if (diags[i].severity == Severity::kError) loader_errors.insert({diags[i].pos.line, diags[i].pos.col});
  for (const Diagnostic& d : schema)
    if (d.severity == Severity::kError) schema_errors.insert({d.pos.line, d.pos.col});
  auto superseded = [&](const Diagnostic& d) {
    return d.rule == "unknown-field" && schema_errors.count({d.pos.line, d.pos.col});
  };
  diags.erase(std::remove_if(diags.begin() + static_cast<std::ptrdiff_t>(first), diags.end(), superseded), diags.end());
  for (Diagnostic& d : schema)
    if (!loader_errors.count({d.pos.line, d.pos.col})) diags.push_back(std::move(d));
}

}  // namespace

const std::vector<std::string>& SupportedApiVersions(DocKind kind) {
  static const std::vector<std::string> kContract = {"v3.1.0", "v3.0.2", "v3.0.1", "v3.0.0"};
  // v0.9.0 is in the v1.0.0 schema's apiVersion enum, and the standard's
  // own examples declare it.
  static const std::vector<std::string> kProduct = {"v1.0.0", "v0.9.0"};
  static const std::vector<std::string> kWeft = {"weft/v1"};
  switch (kind) {
    case DocKind::kDataContract: return kContract;
    case DocKind::kDataProduct: return kProduct;
    default: return kWeft;
  }
}

LoadedFile LoadText(std::string_view text, const std::string& file, const LoadLimits& limits) {
  static constexpr const char* kKinds = "DataContract, DataProduct, Domain, ReferenceEntity, GlossaryTerm, Policy or Workspace";
  LoadedFile out;
  Ctx ctx{file, &out.diagnostics, limits};
  if (text.size() > limits.max_bytes) {
    ctx.Error({}, "file is " + std::to_string(text.size()) + " bytes; specs are limited to " +
                      std::to_string(limits.max_bytes), "document-too-large");
    return out;
  }
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    ctx.Error(PosOfOffset(text, bad), "invalid UTF-8 byte sequence; spec files must be UTF-8", "invalid-utf8");
    return out;
  }
  YamlStream yaml = ParseYaml(text, limits.max_depth);
  if (yaml.error) {
    ctx.Error(yaml.error->pos, yaml.error->message, "yaml-syntax");
    return out;
  }
  for (const YamlNode* root : yaml.documents) {
    const YamlNode& node = *root;
    if (node.IsNull()) continue;  // empty document between '---' separators
    Pos pos = PosOf(node);
    if (!node.IsMap()) {
      ctx.Error(pos, std::string("a spec document must be a map, not ") + ShapeName(node), "wrong-type");
      continue;
    }
    Document doc;
    doc.file = file;
    const size_t first_diagnostic = out.diagnostics.size();
    try {
      doc.json = ToJsonValue(node, ctx, 0);
      if (ctx.budget_exhausted) return out;
      std::string kind = doc.json.value("kind", "");
      const YamlNode* kind_node = node.Find("kind");
      Pos kind_pos = kind_node ? PosOf(*kind_node) : pos;
      if (kind == "DataContract") {
        doc.kind = DocKind::kDataContract;
        doc.spec = DataContract{};
        ReadContract(node, std::get<DataContract>(doc.spec), ctx);
      } else if (kind == "DataProduct") {
        doc.kind = DocKind::kDataProduct;
        doc.spec = DataProduct{};
        ReadProduct(node, std::get<DataProduct>(doc.spec), ctx);
      } else if (kind == "Domain") {
        doc.kind = DocKind::kDomain;
        doc.spec = DomainSpec{};
        ReadDomain(node, std::get<DomainSpec>(doc.spec), ctx);
      } else if (kind == "ReferenceEntity") {
        doc.kind = DocKind::kReferenceEntity;
        doc.spec = ReferenceEntity{};
        ReadReferenceEntity(node, std::get<ReferenceEntity>(doc.spec), ctx);
      } else if (kind == "Workspace") {
        doc.kind = DocKind::kWorkspace;
        doc.spec = WorkspaceSpec{};
        ReadWorkspace(node, std::get<WorkspaceSpec>(doc.spec), ctx);
      } else if (kind == "Policy") {
        doc.kind = DocKind::kPolicy;
        doc.spec = PolicySpec{};
        ReadPolicy(node, std::get<PolicySpec>(doc.spec), ctx);
      } else if (kind == "GlossaryTerm") {
        doc.kind = DocKind::kGlossaryTerm;
        doc.spec = GlossaryTerm{};
        ReadGlossaryTerm(node, std::get<GlossaryTerm>(doc.spec), ctx);
      } else {
        // The simple shape teams write before ODCS (schema: NAME, fields: [...])
        // has no kind; say how to convert it rather than what is missing.
        const YamlNode* fields = node.Find("fields");
        const YamlNode* schema = node.Find("schema");
        const bool simple = kind.empty() && fields && fields->IsSequence() && schema && schema->IsScalar();
        ctx.Error(kind_pos,
                  simple ? "a contract in the simple format (schema, fields), not ODCS; convert with: weft import simple " +
                               ctx.file
                  : kind.empty() ? "missing 'kind': expected " + std::string(kKinds)
                                 : "unknown kind '" + kind + "': expected " + kKinds,
                  "unknown-kind");
        continue;
      }
      if (ctx.budget_exhausted) return out;
      // The apiVersion must be one weft reads.
      std::string api = doc.json.value("apiVersion", "");
      const auto& supported = SupportedApiVersions(doc.kind);
      const YamlNode* api_node = node.Find("apiVersion");
      if (api.empty()) {
        ctx.Error(pos, "missing 'apiVersion': supported for " + kind + " are " + Join(supported, ", "),
                  "required-field");
      } else if (std::find(supported.begin(), supported.end(), api) == supported.end()) {
        ctx.Error(PosOf(*api_node), "unsupported apiVersion '" + api + "' for " + kind + "; supported: " +
                                      Join(supported, ", "), "unsupported-api-version");
      } else {
        MergeSchemaDiagnostics(CheckAgainstStandard(node, doc.json, doc.kind, api, file), first_diagnostic,
                               out.diagnostics);
      }
    } catch (const std::exception& e) {  // a json conversion surprise: report, never crash
      ctx.Error(pos, std::string("cannot read document: ") + e.what(), "yaml-syntax");
      continue;
    }
    out.documents.push_back(std::move(doc));
  }
  // A scaffold loads clean on purpose (its placeholders are valid values),
  // so what is left of it is said here, where the comments still are.
  for (const TextPlaceholder& p : FindTextPlaceholders(text)) {
    ctx.Warn(p.pos,
             "placeholder from weft new not replaced yet: '" + p.line + "'; put in the real value" +
                 (p.token == "TODO(owner)" ? ", then delete the TODO(owner) marker" : ""),
             "scaffold-placeholder");
  }
  return out;
}

namespace {
// An io diagnostic for `path`; the path is the diagnostic's file, so it is
// not repeated in the message.
Diagnostic IoDiagnostic(const std::filesystem::path& path, const Status& status) {
  std::string msg = status.message();
  std::string prefix = path.string() + ": ";
  if (StartsWith(msg, prefix)) msg.erase(0, prefix.size());
  return {Severity::kError, path.string(), {}, msg, "io"};
}
}  // namespace

LoadedFile LoadFile(const std::filesystem::path& path, const LoadLimits& limits) {
  // Over the limit is document-too-large (as in LoadText), not an io error.
  std::error_code ec;
  if (auto size = std::filesystem::file_size(path, ec); !ec && size > limits.max_bytes) {
    LoadedFile out;
    out.diagnostics.push_back({Severity::kError, path.string(), {},
                               "file is " + std::to_string(size) + " bytes; specs are limited to " +
                                   std::to_string(limits.max_bytes),
                               "document-too-large"});
    return out;
  }
  auto text = ReadFileToString(path, limits.max_bytes);
  if (!text.ok()) {
    LoadedFile out;
    out.diagnostics.push_back(IoDiagnostic(path, text.status()));
    return out;
  }
  return LoadText(*text, path.string(), limits);
}

std::vector<LoadedFile> LoadFiles(const std::vector<std::filesystem::path>& paths, const LoadLimits& limits) {
  std::vector<LoadedFile> out(paths.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) out[i] = LoadFile(paths[i], limits);
  };
  // Files are independent and LoadFile is pure, so each worker takes the
  // next file; a file costs ~0.2 ms, far more than handing it out.
  size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), paths.size());
  std::vector<std::jthread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  return out;
}

std::vector<std::filesystem::path> FindSpecFiles(const std::vector<std::filesystem::path>& roots,
                                                 std::vector<Diagnostic>& diags) {
  std::vector<std::filesystem::path> out;
  for (const auto& root : roots) {
    auto files = CollectFiles({root}, {".yaml", ".yml"});
    if (!files.ok()) {
      diags.push_back(IoDiagnostic(root, files.status()));
      continue;
    }
    out.insert(out.end(), files->begin(), files->end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace weft::spec
