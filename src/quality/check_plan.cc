#include "quality/check_plan.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "common/strings.h"
#include "spec/pattern.h"

namespace weft::quality {

namespace {

using spec::Json;
using spec::OperatorKind;

// physicalType goes into SQL text, so only type-shaped words are even asked
// about: "DECIMAL(12,2)", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "INTEGER[]".
bool LooksLikeTypeName(const std::string& t) {
  static const std::regex kType(R"(^[A-Za-z][A-Za-z0-9_ ]*(\(\s*[0-9]+\s*(,\s*[0-9]+\s*)?\))?(\[\])*$)");
  return !t.empty() && t.size() < 64 && std::regex_match(t, kType);
}

std::string Literal(const Json& v) {
  if (v.is_string()) return SqlQuote(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "TRUE" : "FALSE";
  if (v.is_null()) return "NULL";
  return v.dump();
}

// Quoted text of a raw value for reasons: 'abc', or NULL.
std::string RawText(const std::string& raw_ref) {
  return "coalesce('''' || CAST(" + raw_ref + " AS VARCHAR) || '''', 'NULL')";
}

double ThresholdNumber(const Json& v) { return v.is_number() ? v.get<double>() : 0; }

// A metric is row-level when its threshold tolerates no failing row at all:
// then each failing row is an error of its own and can be quarantined.
bool ToleratesNoFailure(const spec::Threshold& t, const std::string& unit) {
  if (t.kind == OperatorKind::kMustBeBetween) {
    return t.value.is_array() && t.value.size() == 2 && ThresholdNumber(t.value[0]) <= 0 &&
           ThresholdNumber(t.value[1]) <= 0;
  }
  double v = ThresholdNumber(t.value);
  switch (t.kind) {
    case OperatorKind::kMustBe: return v == 0;
    case OperatorKind::kMustBeLessOrEqualTo: return v <= 0;
    case OperatorKind::kMustBeLessThan: return unit == "percent" ? v <= 0 : v <= 1;
    default: return false;
  }
}

class Compiler {
 public:
  Compiler(const spec::SchemaObject& object, const CheckPlanOptions& options) : object_(object), options_(options) {}

  Result<CheckPlan> Run() {
    plan_.object = object_.name;
    for (const auto& p : object_.properties) {
      ColumnPlan c;
      c.name = p.name;
      c.sql_type = DuckDbTypeOf(p, options_.is_duckdb_type);
      c.logical_type = p.logical_type;
      c.required = p.is_required() || p.is_primary_key();
      c.index = plan_.columns.size();
      plan_.columns.push_back(c);
    }
    for (size_t i = 0; i < object_.properties.size(); ++i) RETURN_IF_ERROR(CompileProperty(object_.properties[i], plan_.columns[i]));
    RETURN_IF_ERROR(CompilePrimaryKey());
    for (const auto& r : object_.relationships) RETURN_IF_ERROR(CompileRelationship(r, r.from));
    for (const auto& q : object_.quality) RETURN_IF_ERROR(CompileRule(q, nullptr));
    return std::move(plan_);
  }

 private:
  std::string Col(const ColumnPlan& c) const { return SqlIdent(c.name); }

  std::string NewId(const std::string& preferred, const std::string& fallback) {
    std::string base = preferred.empty() ? fallback : preferred;
    std::string id = base;
    for (int n = 2; !ids_.insert(id).second; ++n) id = base + "#" + std::to_string(n);
    return id;
  }

  Check& Add(Check c) {
    plan_.checks.push_back(std::move(c));
    return plan_.checks.back();
  }

  std::string Where(const ColumnPlan* c) const { return c ? object_.name + "." + c->name : object_.name; }

  // The shared window over `keys`; the row fails when every key is set and
  // the key occurs more than once (NULL keys are the required rule's job).
  std::string DuplicateCondition(const std::vector<const ColumnPlan*>& keys) {
    std::vector<std::string> names;
    for (const auto* k : keys) names.push_back(k->name);
    auto it = std::find_if(plan_.windows.begin(), plan_.windows.end(), [&](const DuplicateWindow& w) { return w.keys == names; });
    if (it == plan_.windows.end()) {
      plan_.windows.push_back({names, "__dup_" + std::to_string(plan_.windows.size())});
      it = plan_.windows.end() - 1;
    }
    std::string cond;
    for (const auto* k : keys) cond += Col(*k) + " IS NOT NULL AND ";
    return "(" + cond + it->alias + " > 1)";
  }

  std::string DuplicateReason(const std::vector<const ColumnPlan*>& keys) const {
    std::vector<std::string> names, values;
    for (const auto* k : keys) {
      names.push_back(k->name);
      values.push_back(RawText(k->RawRef()));
    }
    if (keys.size() == 1) return SqlQuote(names[0] + ": ") + " || " + values[0] + " || ' occurs more than once'";
    return SqlQuote("(" + Join(names, ", ") + ") = (") + " || " + Join(values, " || ', ' || ") + " || ') occurs more than once'";
  }

  Status CompileProperty(const spec::Property& p, const ColumnPlan& c) {
    std::string where = Where(&c);
    // Type fit: a value that was given but does not cast.
    if (c.sql_type != "VARCHAR") {
      Add({.id = NewId("", where + ":type"), .kind = "type", .object = object_.name, .column = c.name,
           .dimension = "conformity", .description = "value must be a " + c.sql_type,
           .condition = "(" + c.RawRef() + " IS NOT NULL AND " + Col(c) + " IS NULL)",
           .reason = SqlQuote(c.name + ": ") + " || " + RawText(c.RawRef()) + " || " + SqlQuote(" is not a valid " + c.sql_type)});
    }
    if (c.required) {
      Add({.id = NewId("", where + ":required"), .kind = "required", .object = object_.name, .column = c.name,
           .dimension = "completeness", .description = "value is required",
           .condition = "(" + c.RawRef() + " IS NULL)", .reason = SqlQuote(c.name + ": missing (required)")});
    }
    if (p.is_unique()) {
      Add({.id = NewId("", where + ":unique"), .kind = "unique", .object = object_.name, .column = c.name,
           .dimension = "uniqueness", .description = "values must be unique",
           .condition = DuplicateCondition({&c}), .reason = DuplicateReason({&c})});
    }
    CompileOptions(p, c);
    for (const auto& r : p.relationships) {
      std::vector<std::string> from = r.from.empty() ? std::vector<std::string>{c.name} : r.from;
      RETURN_IF_ERROR(CompileRelationship(r, from));
    }
    for (const auto& q : p.quality) RETURN_IF_ERROR(CompileRule(q, &c));
    return Status::Ok();
  }

  void AddOption(const ColumnPlan& c, const std::string& option, const std::string& condition, const std::string& text) {
    Add({.id = NewId("", Where(&c) + ":" + option), .kind = "option", .object = object_.name, .column = c.name,
         .dimension = "validity", .description = option + ": value " + text,
         .condition = "(" + condition + ")",
         .reason = SqlQuote(c.name + ": ") + " || " + RawText(c.RawRef()) + " || " + SqlQuote(" " + text)});
  }

  void CompileOptions(const spec::Property& p, const ColumnPlan& c) {
    std::string col = Col(c);
    std::string text = "CAST(" + col + " AS VARCHAR)";
    for (const auto& [name, value] : p.options) {
      std::string bound = "CAST(" + Literal(value) + " AS " + c.sql_type + ")";
      std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
      if (name == "minLength" && value.is_number_integer())
        AddOption(c, name, "length(" + text + ") < " + value.dump(), "is shorter than " + shown);
      else if (name == "maxLength" && value.is_number_integer())
        AddOption(c, name, "length(" + text + ") > " + value.dump(), "is longer than " + shown);
      // RE2 cannot run lookaround or backreferences: lint warns (regex-unchecked), the note says so.
      else if (name == "pattern" && value.is_string() && !spec::NeedsBacktracking(shown))
        AddOption(c, name, "NOT regexp_matches(" + text + ", " + SqlQuote(shown) + ")", "does not match " + shown);
      else if (name == "minimum") AddOption(c, name, col + " < " + bound, "is below the minimum " + shown);
      else if (name == "maximum") AddOption(c, name, col + " > " + bound, "is above the maximum " + shown);
      else if (name == "exclusiveMinimum" && !value.is_boolean())
        AddOption(c, name, col + " <= " + bound, "is not above " + shown);
      else if (name == "exclusiveMaximum" && !value.is_boolean())
        AddOption(c, name, col + " >= " + bound, "is not below " + shown);
      else if (name == "multipleOf" && value.is_number() && ThresholdNumber(value) != 0)
        AddOption(c, name, "CAST(" + col + " AS DOUBLE) % " + value.dump() + " <> 0", "is not a multiple of " + shown);
      else
        plan_.notes.push_back(Where(&c) + ": logicalTypeOptions." + name + " is not checked at publish");
    }
  }

  Status CompilePrimaryKey() {
    std::vector<std::pair<int64_t, const ColumnPlan*>> keys;
    for (size_t i = 0; i < object_.properties.size(); ++i) {
      const auto& p = object_.properties[i];
      if (p.is_primary_key()) keys.push_back({p.primary_key_position.value_or(static_cast<int64_t>(i) + 1), &plan_.columns[i]});
    }
    if (keys.empty()) return Status::Ok();
    std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const ColumnPlan*> cols;
    std::vector<std::string> names;
    for (const auto& k : keys) {
      cols.push_back(k.second);
      names.push_back(k.second->name);
    }
    // NULL key columns fail their own required rule (a primary key column is required).
    Add({.id = NewId("", object_.name + ":primaryKey"), .kind = "primaryKey", .object = object_.name,
         .column = Join(names, ","), .dimension = "uniqueness",
         .description = "primary key (" + Join(names, ", ") + ") must be unique",
         .condition = DuplicateCondition(cols), .reason = DuplicateReason(cols)});
    return Status::Ok();
  }

  const ColumnPlan* ColumnOf(const std::string& written) const {
    std::string name = written;
    // "object.column" at object level; the object is this one.
    if (auto dot = written.rfind('.'); dot != std::string::npos) name = written.substr(dot + 1);
    return plan_.FindColumn(name);
  }

  Status CompileRelationship(const spec::Relationship& r, const std::vector<std::string>& from_written) {
    if (r.type != "foreignKey") {
      plan_.notes.push_back(Where(nullptr) + ": relationship of type '" + r.type + "' is not checked");
      return Status::Ok();
    }
    std::vector<const ColumnPlan*> from;
    for (const auto& f : from_written) {
      const ColumnPlan* c = ColumnOf(f);
      if (!c) return Status::InvalidArgument("relationship on '" + object_.name + "': '" + f + "' is not a column of '" + object_.name + "'");
      from.push_back(c);
    }
    if (from.size() != r.to.size())
      return Status::InvalidArgument("relationship on '" + object_.name + "': " + std::to_string(from.size()) +
                                     " 'from' column(s) but " + std::to_string(r.to.size()) + " 'to' target(s)");
    if (!options_.foreign_keys)
      return Status::InvalidArgument("relationship on '" + object_.name + "' cannot be checked: no catalog to resolve targets");
    ForeignKeyRequest request;
    for (const auto& to : r.to) request.to.push_back(r.Target(to));
    ForeignKeyTarget target = options_.foreign_keys(request);
    if (!target.resolved)
      return Status::InvalidArgument("relationship on '" + Where(from[0]) + "' to " + Join(r.to, ", ") + ": " + target.error);
    std::vector<std::string> names;
    for (const auto* c : from) names.push_back(c->name);
    Check check{.id = NewId(r.id, Where(nullptr) + "." + Join(names, ",") + ":relationship"), .kind = "relationship",
                .object = object_.name, .column = Join(names, ","), .dimension = "consistency",
                .description = "must exist in " + target.product_id + " (" + Join(target.columns, ", ") + ")"};
    if (!target.has_snapshot) {
      check.severity = "warning";
      check.skipped = target.product_id + " has no snapshot yet; not checked";
      Add(std::move(check));
      return Status::Ok();
    }
    std::string alias = "__fk_" + std::to_string(plan_.foreign_keys.size());
    std::string cond = "(";
    std::vector<std::string> values;
    for (const auto* c : from) {
      cond += Col(*c) + " IS NOT NULL AND ";
      values.push_back(RawText(c->RawRef()));
    }
    check.condition = cond + alias + ".__hit IS NULL)";
    check.reason = SqlQuote(Join(names, ", ") + ": ") + " || " + Join(values, " || ', ' || ") + " || " +
                   SqlQuote(" not found in " + target.product_id + " (snapshot " + target.snapshot_id + ")");
    plan_.foreign_keys.push_back({names, std::move(target), alias});
    Add(std::move(check));
    return Status::Ok();
  }

  Status CompileRule(const spec::QualityRule& q, const ColumnPlan* c) {
    std::string type = q.type.empty() ? (q.metric.empty() ? "" : "library") : q.type;
    if (type == "text") return Status::Ok();  // documentation, nothing to run
    if (type == "custom" || type.empty()) {
      plan_.notes.push_back(Where(c) + ": " + (type.empty() ? "untyped" : "custom") + " quality rule is kept but not run");
      return Status::Ok();
    }
    // An ECMA-262 pattern RE2 cannot run (lint's regex-unchecked): left out, not a failed publish.
    if (q.metric == "invalidValues" && q.arguments.contains("pattern") && q.arguments["pattern"].is_string() &&
        spec::NeedsBacktracking(q.arguments["pattern"].get<std::string>())) {
      plan_.notes.push_back(Where(c) + ": invalidValues pattern uses lookaround or backreferences, which RE2 cannot run; not checked");
      return Status::Ok();
    }
    Check check{.object = object_.name, .column = c ? c->name : "",
                .severity = q.severity.empty() ? "error" : q.severity, .dimension = q.dimension,
                .description = q.description};
    if (!q.thresholds.empty()) check.threshold = q.thresholds[0];
    if (!q.unit.empty()) check.unit = q.unit;
    if (type == "sql") return CompileSqlRule(q, c, std::move(check));
    if (type != "library")
      return Status::InvalidArgument("quality rule on '" + Where(c) + "': unknown type '" + type + "'");

    check.kind = q.metric;
    check.id = NewId(q.id.empty() ? q.name : q.id, Where(c) + ":" + q.metric);
    if (q.metric == "rowCount") {
      check.scope = RuleScope::kDataset;
      if (check.description.empty()) check.description = "number of rows";
      Add(std::move(check));
      return Status::Ok();
    }
    std::string reason_value = c ? SqlQuote(c->name + ": ") + " || " + RawText(c->RawRef()) : "''";
    if (q.metric == "nullValues") {
      if (!c) return Status::InvalidArgument("quality rule on '" + Where(c) + "': nullValues applies to a property");
      check.condition = "(" + Col(*c) + " IS NULL)";
      check.reason = SqlQuote(c->name + ": is null");
    } else if (q.metric == "missingValues") {
      if (!c) return Status::InvalidArgument("quality rule on '" + Where(c) + "': missingValues applies to a property");
      std::vector<std::string> conds;
      std::vector<std::string> texts;
      const Json* list = q.arguments.contains("missingValues") ? &q.arguments["missingValues"] : nullptr;
      bool null_listed = !list;  // ODCS: null is missing unless a list says otherwise
      if (list && list->is_array()) {
        for (const auto& v : *list) {
          if (v.is_null()) null_listed = true;
          else texts.push_back(SqlQuote(v.is_string() ? v.get<std::string>() : v.dump()));
        }
      }
      if (null_listed) conds.push_back(c->RawRef() + " IS NULL");
      if (!texts.empty()) conds.push_back("CAST(" + c->RawRef() + " AS VARCHAR) IN (" + Join(texts, ", ") + ")");
      if (conds.empty()) conds.push_back("FALSE");
      check.condition = "(" + Join(conds, " OR ") + ")";
      check.reason = reason_value + " || ' is a missing value'";
    } else if (q.metric == "invalidValues") {
      if (!c) return Status::InvalidArgument("quality rule on '" + Where(c) + "': invalidValues applies to a property");
      if (q.arguments.contains("validValues") && q.arguments["validValues"].is_array()) {
        std::vector<std::string> values, shown;
        for (const auto& v : q.arguments["validValues"]) {
          values.push_back("TRY_CAST(" + Literal(v) + " AS " + c->sql_type + ")");
          shown.push_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
        check.condition = "(" + Col(*c) + " IS NOT NULL AND NOT list_contains([" + Join(values, ", ") + "], " + Col(*c) + "))";
        check.reason = reason_value + " || " + SqlQuote(" is not one of " + Join(shown, ", "));
      } else if (q.arguments.contains("pattern") && q.arguments["pattern"].is_string()) {
        std::string pattern = q.arguments["pattern"].get<std::string>();
        check.condition = "(" + Col(*c) + " IS NOT NULL AND NOT regexp_matches(CAST(" + Col(*c) + " AS VARCHAR), " +
                          SqlQuote(pattern) + "))";
        check.reason = reason_value + " || " + SqlQuote(" does not match " + pattern);
      } else {
        return Status::InvalidArgument("quality rule on '" + Where(c) + "': invalidValues needs arguments.validValues or arguments.pattern");
      }
    } else if (q.metric == "duplicateValues") {
      std::vector<const ColumnPlan*> keys;
      if (c) {
        keys.push_back(c);
      } else {
        const Json& props = q.arguments.contains("properties") ? q.arguments["properties"] : Json();
        if (!props.is_array() || props.empty())
          return Status::InvalidArgument("quality rule on '" + object_.name + "': duplicateValues on an object needs arguments.properties");
        for (const auto& name : props) {
          const ColumnPlan* k = name.is_string() ? ColumnOf(name.get<std::string>()) : nullptr;
          if (!k) return Status::InvalidArgument("quality rule on '" + object_.name + "': arguments.properties names '" + name.dump() + "', which is not a property");
          keys.push_back(k);
        }
        std::vector<std::string> names;
        for (const auto* k : keys) names.push_back(k->name);
        check.column = Join(names, ",");
      }
      check.condition = DuplicateCondition(keys);
      check.reason = DuplicateReason(keys);
    } else {
      return Status::InvalidArgument("quality rule on '" + Where(c) + "': unknown metric '" + q.metric + "'");
    }
    if (check.threshold && !ToleratesNoFailure(*check.threshold, check.unit)) check.scope = RuleScope::kDataset;
    if (check.description.empty()) check.description = q.metric;
    Add(std::move(check));
    return Status::Ok();
  }

  Status CompileSqlRule(const spec::QualityRule& q, const ColumnPlan* c, Check check) {
    check.kind = "sql";
    check.scope = RuleScope::kDataset;
    check.unit = q.unit.empty() ? "rows" : q.unit;
    check.id = NewId(q.id.empty() ? q.name : q.id, Where(c) + ":sql");
    std::string sql = q.query;
    auto replace = [&](const std::string& from, const std::string& to) {
      for (size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size())) sql.replace(at, from.size(), to);
    };
    replace("{object}", SqlIdent(object_.name));
    replace("{table}", SqlIdent(object_.name));
    if (c) {
      replace("{property}", SqlIdent(c->name));
      replace("{column}", SqlIdent(c->name));
    }
    check.sql = sql;
    if (check.description.empty()) check.description = q.query;
    Add(std::move(check));
    return Status::Ok();
  }

  const spec::SchemaObject& object_;
  const CheckPlanOptions& options_;
  CheckPlan plan_;
  std::set<std::string> ids_;
};

}  // namespace

std::string Check::ThresholdText() const {
  if (!threshold) return "";
  std::string v = threshold->value.dump();
  return std::string(spec::OperatorName(threshold->kind)) + " " + v + (kind == "sql" || kind == "rowCount" ? "" : " " + unit);
}

const ColumnPlan* CheckPlan::FindColumn(std::string_view name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::string DuckDbTypeOf(const spec::Property& p, const std::function<bool(const std::string&)>& is_duckdb_type) {
  if (!p.physical_type.empty() && is_duckdb_type && LooksLikeTypeName(p.physical_type) && is_duckdb_type(p.physical_type))
    return p.physical_type;
  static const std::map<std::string, std::string, std::less<>> kLogical = {
      {"string", "VARCHAR"}, {"integer", "BIGINT"},       {"number", "DOUBLE"}, {"boolean", "BOOLEAN"},
      {"date", "DATE"},      {"timestamp", "TIMESTAMP"},  {"time", "TIME"},
  };
  auto it = kLogical.find(p.logical_type);
  return it == kLogical.end() ? "VARCHAR" : it->second;
}

Result<CheckPlan> CompileCheckPlan(const spec::SchemaObject& object, const CheckPlanOptions& options) {
  if (object.properties.empty())
    return Status::InvalidArgument("schema object '" + object.name + "' has no properties: nothing to publish");
  return Compiler(object, options).Run();
}

bool ThresholdHolds(const spec::Threshold& t, double value) {
  auto num = [](const Json& j) { return j.is_number() ? j.get<double>() : 0.0; };
  double low = 0, high = 0;
  if (t.value.is_array() && t.value.size() == 2) {
    low = num(t.value[0]);
    high = num(t.value[1]);
  }
  double v = num(t.value);
  constexpr double kEps = 1e-9;
  switch (t.kind) {
    case OperatorKind::kMustBe: return std::fabs(value - v) < kEps;
    case OperatorKind::kMustNotBe: return std::fabs(value - v) >= kEps;
    case OperatorKind::kMustBeGreaterThan: return value > v;
    case OperatorKind::kMustBeGreaterOrEqualTo: return value >= v;
    case OperatorKind::kMustBeLessThan: return value < v;
    case OperatorKind::kMustBeLessOrEqualTo: return value <= v;
    case OperatorKind::kMustBeBetween: return value >= low && value <= high;
    case OperatorKind::kMustNotBeBetween: return value < low || value > high;
  }
  return false;
}

}  // namespace weft::quality
