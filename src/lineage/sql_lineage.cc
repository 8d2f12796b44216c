#include "lineage/sql_lineage.h"

#include "lineage/value_keywords.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/strings.h"

namespace weft::lineage {

const char* DerivationKindName(DerivationKind k) {
  switch (k) {
    case DerivationKind::kDirect: return "direct";
    case DerivationKind::kExpression: return "expression";
    case DerivationKind::kAggregate: return "aggregate";
    case DerivationKind::kWindow: return "window";
  }
  return "direct";
}

const std::set<std::string>& AggregateFunctionNames() {
  static const std::set<std::string> k = {
      "any_value", "approx_count_distinct", "approx_quantile", "approx_top_k", "arbitrary", "arg_max",
      "arg_max_null", "arg_min", "arg_min_null", "argmax", "argmin", "array_agg", "avg", "bit_and", "bit_or",
      "bit_xor", "bitstring_agg", "bool_and", "bool_or", "corr", "count", "count_if", "count_star", "countif",
      "covar_pop", "covar_samp", "entropy", "favg", "first", "fsum", "group_concat", "histogram",
      "histogram_exact", "kahan_sum", "kurtosis", "kurtosis_pop", "last", "list", "listagg", "mad", "max",
      "max_by", "mean", "median", "min", "min_by", "mode", "product", "quantile", "quantile_cont",
      "quantile_disc", "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope",
      "regr_sxx", "regr_sxy", "regr_syy", "reservoir_quantile", "sem", "skewness", "stddev", "stddev_pop",
      "stddev_samp", "string_agg", "sum", "sum_no_overflow", "sumkahan", "var_pop", "var_samp", "variance"};
  return k;
}

namespace {

using nlohmann::json;

// What an expression's values come from.
struct Derived {
  std::set<ColumnRef> sources;
  DerivationKind kind = DerivationKind::kDirect;

  void Merge(const Derived& other) {
    sources.insert(other.sources.begin(), other.sources.end());
    kind = std::max(kind, other.kind);
  }
  void AtLeast(DerivationKind k) { kind = std::max(kind, k); }
};

struct Column {
  std::string name;  // as spelled by its source; matched case-insensitively
  Derived derived;
};

// One relation in a FROM clause: a declared input, a CTE, a subquery or VALUES.
struct Binding {
  std::string alias;     // lower case; what `alias.column` matches
  std::string relation;  // lower-cased input address for inputs ("sales.orders"), else empty
  std::vector<Column> columns;

  std::string Label() const { return relation.empty() || relation == alias ? alias : alias + " (" + relation + ")"; }
};

// The relations visible to one SELECT, and the enclosing query's (correlated
// subqueries and LATERAL joins see outward).
struct Scope {
  std::vector<Binding> bindings;
  // Columns of USING / NATURAL joins: an unqualified reference means the
  // join key of both sides, and `*` shows it once.
  std::map<std::string, std::vector<std::pair<size_t, size_t>>> merged;  // lower name -> (binding, column)
  const Scope* outer = nullptr;
};

// The CTEs visible to a query node, innermost first.
struct CteScope {
  std::map<std::string, Binding> ctes;  // lower name -> columns
  const CteScope* outer = nullptr;

  const Binding* Find(const std::string& lower) const {
    for (const CteScope* s = this; s; s = s->outer) {
      auto it = s->ctes.find(lower);
      if (it != s->ctes.end()) return &it->second;
    }
    return nullptr;
  }
};

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& s : j)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

class Analyzer {
 public:
  Analyzer(const InputSchemas& inputs, std::string_view sql, const RelationNaming& naming)
      : inputs_(inputs), sql_(sql), naming_(naming) {}

  Result<std::vector<Column>> Query(const json& node, const CteScope* ctes, const Scope* outer);

  SqlLineage result;

 private:
  // What an expression may see: its FROM scope, its CTEs, and the select-list
  // aliases defined to its left (DuckDB lets a later item use an earlier alias).
  struct Context {
    const Scope* scope = nullptr;
    const CteScope* ctes = nullptr;
    const std::vector<Column>* aliases = nullptr;
  };

  Status CteMap(const json& node, CteScope& local, const Scope* outer);
  Result<std::vector<Column>> RecursiveCte(const json& node, const std::string& name, const std::vector<std::string>& aliases,
                                           CteScope& local, const Scope* outer);
  Result<std::vector<Column>> Select(const json& node, const CteScope* ctes, const Scope* outer);
  Result<std::vector<Column>> SetOperation(const json& node, const CteScope* ctes, const Scope* outer);
  Status From(const json& ref, const CteScope* ctes, Scope& scope);
  Status Star(const json& star, const Context& ctx, std::vector<Column>& out);
  Result<Derived> Expr(const json& e, const Context& ctx);
  Status Walk(const json& j, const Context& ctx, Derived& into);
  Result<Derived> ColumnRefExpr(const json& e, const Context& ctx);
  Result<Derived> FunctionExpr(const json& e, const Context& ctx, DerivationKind kind);
  Result<Derived> SubqueryExpr(const json& e, const Context& ctx);

  Status Error(const std::string& message, const json& node) const { return Status::InvalidArgument(message + Where(node)); }
  std::string Where(const json& node) const;
  std::string DeclaredList() const;

  const InputSchemas& inputs_;
  std::string_view sql_;
  const RelationNaming& naming_;
  std::vector<std::set<std::string>> lambda_params_;  // innermost last
};

std::string Analyzer::Where(const json& node) const {
  const json& loc = Field(node, "query_location");
  if (!loc.is_number_unsigned()) return "";
  size_t offset = loc.get<size_t>();
  // DuckDB marks "no location" with the largest index.
  if (offset >= (size_t{1} << 62)) return "";
  if (sql_.empty() || offset > sql_.size()) return " (at character " + std::to_string(offset) + ")";
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (sql_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return " (line " + std::to_string(line) + ", column " + std::to_string(col) + ")";
}

std::string Analyzer::DeclaredList() const {
  std::vector<std::string> names;
  for (const auto& [name, cols] : inputs_) names.push_back(name);
  return names.empty() ? "none" : Join(names, ", ");
}

void Rename(std::vector<Column>& columns, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size() && i < columns.size(); ++i) columns[i].name = names[i];
}

Status Analyzer::CteMap(const json& node, CteScope& local, const Scope* outer) {
  const json& map = Field(Field(node, "cte_map"), "map");
  if (!map.is_array()) return Status::Ok();
  for (const auto& entry : map) {
    std::string name = Str(entry, "key");
    const json& value = Field(entry, "value");
    const json& query = Field(Field(value, "query"), "node");
    std::vector<std::string> aliases = Strings(Field(value, "aliases"));
    std::vector<Column> columns;
    if (Str(query, "type") == "RECURSIVE_CTE_NODE") {
      ASSIGN_OR_RETURN(columns, RecursiveCte(query, name, aliases, local, outer));
    } else {
      ASSIGN_OR_RETURN(columns, Query(query, &local, outer));
      Rename(columns, aliases);
    }
    local.ctes[ToLower(name)] = Binding{ToLower(name), "", std::move(columns)};
  }
  return Status::Ok();
}

// WITH RECURSIVE r AS (anchor UNION [ALL] step): r's columns come from the
// anchor, then from each step until no new source appears (sources only
// grow, so this ends).
Result<std::vector<Column>> Analyzer::RecursiveCte(const json& node, const std::string& name,
                                                   const std::vector<std::string>& aliases, CteScope& local,
                                                   const Scope* outer) {
  ASSIGN_OR_RETURN(std::vector<Column> columns, Query(Field(node, "left"), &local, outer));
  Rename(columns, aliases);
  std::string key = ToLower(name);
  for (;;) {
    local.ctes[key] = Binding{key, "", columns};
    ASSIGN_OR_RETURN(std::vector<Column> step, Query(Field(node, "right"), &local, outer));
    if (step.size() != columns.size()) {
      return Error("the recursive part of CTE '" + name + "' has " + std::to_string(step.size()) +
                       " columns, its anchor " + std::to_string(columns.size()),
                   node);
    }
    bool grew = false;
    for (size_t i = 0; i < columns.size(); ++i) {
      size_t before = columns[i].derived.sources.size();
      DerivationKind kind = columns[i].derived.kind;
      columns[i].derived.Merge(step[i].derived);
      grew = grew || columns[i].derived.sources.size() != before || columns[i].derived.kind != kind;
    }
    if (!grew) return columns;
  }
}

Result<std::vector<Column>> Analyzer::Query(const json& node, const CteScope* ctes, const Scope* outer) {
  std::string type = Str(node, "type");
  if (type == "CTE_NODE") {
    // A MATERIALIZED CTE wraps the query; `child` carries the whole cte_map again.
    return Query(Field(node, "child"), ctes, outer);
  }
  CteScope local{{}, ctes};
  RETURN_IF_ERROR(CteMap(node, local, outer));
  if (type == "SELECT_NODE") return Select(node, &local, outer);
  if (type == "SET_OPERATION_NODE") return SetOperation(node, &local, outer);
  if (type == "RECURSIVE_CTE_NODE") {
    return RecursiveCte(node, Str(node, "cte_name"), Strings(Field(node, "aliases")), local, outer);
  }
  return Error("lineage cannot follow a query node of type " + (type.empty() ? std::string("(none)") : type), node);
}

Result<std::vector<Column>> Analyzer::SetOperation(const json& node, const CteScope* ctes, const Scope* outer) {
  ASSIGN_OR_RETURN(std::vector<Column> left, Query(Field(node, "left"), ctes, outer));
  ASSIGN_OR_RETURN(std::vector<Column> right, Query(Field(node, "right"), ctes, outer));
  std::string op = Str(node, "setop_type");
  if (op == "UNION_BY_NAME") {
    // Columns pair by name; a name on one side only is NULL on the other.
    for (auto& r : right) {
      auto it = std::find_if(left.begin(), left.end(),
                             [&](const Column& l) { return ToLower(l.name) == ToLower(r.name); });
      if (it == left.end()) left.push_back(r);
      else it->derived.Merge(r.derived);
    }
  } else {
    if (left.size() != right.size()) {
      return Error(op + " sides return " + std::to_string(left.size()) + " and " + std::to_string(right.size()) +
                       " columns",
                   node);
    }
    // EXCEPT returns left rows only; the right side only filters them (its
    // columns are still in `referenced`). UNION and INTERSECT values come
    // from both sides.
    if (op != "EXCEPT") {
      for (size_t i = 0; i < left.size(); ++i) left[i].derived.Merge(right[i].derived);
    }
  }
  // ORDER BY / LIMIT of a set operation see its output columns.
  Scope out_scope;
  out_scope.bindings.push_back(Binding{"", "", left});
  Context ctx{&out_scope, ctes, nullptr};
  Derived ignored;
  RETURN_IF_ERROR(Walk(Field(node, "modifiers"), ctx, ignored));
  return left;
}

Result<std::vector<Column>> Analyzer::Select(const json& node, const CteScope* ctes, const Scope* outer) {
  Scope scope;
  scope.outer = outer;
  RETURN_IF_ERROR(From(Field(node, "from_table"), ctes, scope));
  std::vector<Column> out;
  Context ctx{&scope, ctes, &out};
  const json& list = Field(node, "select_list");
  if (list.is_array()) {
    for (const auto& item : list) {
      if (Str(item, "class") == "STAR") {
        RETURN_IF_ERROR(Star(item, ctx, out));
        continue;
      }
      ASSIGN_OR_RETURN(Derived d, Expr(item, ctx));
      std::string name = Str(item, "alias");
      if (name.empty() && Str(item, "class") == "COLUMN_REF") {
        std::vector<std::string> parts = Strings(Field(item, "column_names"));
        if (!parts.empty()) name = parts.back();
      }
      out.push_back(Column{name, std::move(d)});
    }
  }
  // Walked after the select list: DuckDB lets WHERE, GROUP BY and the rest
  // use its aliases. Columns that only filter, group or order end up in
  // `referenced`, not in any output column.
  Derived filter;
  for (const char* key : {"where_clause", "group_expressions", "having", "qualify", "modifiers"}) {
    RETURN_IF_ERROR(Walk(Field(node, key), ctx, filter));
  }
  return out;
}

Status Analyzer::From(const json& ref, const CteScope* ctes, Scope& scope) {
  std::string type = Str(ref, "type");
  if (type.empty() || type == "EMPTY") return Status::Ok();
  std::string alias = Str(ref, "alias");
  std::vector<std::string> column_aliases = Strings(Field(ref, "column_name_alias"));
  if (type == "BASE_TABLE") {
    std::string catalog = Str(ref, "catalog_name"), schema = Str(ref, "schema_name"), table = Str(ref, "table_name");
    Binding b;
    b.alias = ToLower(alias.empty() ? table : alias);
    const Binding* cte = (catalog.empty() && schema.empty()) ? ctes->Find(ToLower(table)) : nullptr;
    if (cte) {
      b.columns = cte->columns;
    } else {
      std::string written = (catalog.empty() ? "" : catalog + ".") + (schema.empty() ? "" : schema + ".") + table;
      std::string name = ToLower(written);
      auto it = inputs_.find(name);
      if (it == inputs_.end()) {
        std::vector<std::string> names = naming_.candidates;
        for (const auto& [n, cols] : inputs_) names.push_back(n);
        std::string hint = ClosestMatch(name, names);
        return Error("relation '" + written + "' is not " + naming_.noun +
                         (schema.empty() ? " (products are read as domain.product)" : "") +
                         (naming_.list_declared ? "; declared: " + DeclaredList() : "") +
                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                     ref);
      }
      b.relation = name;
      result.relations.insert(name);
      for (const auto& col : it->second) b.columns.push_back(Column{col, {{ColumnRef{name, col}}, DerivationKind::kDirect}});
    }
    Rename(b.columns, column_aliases);
    scope.bindings.push_back(std::move(b));
    return Status::Ok();
  }
  if (type == "JOIN") {
    size_t left_begin = scope.bindings.size();
    RETURN_IF_ERROR(From(Field(ref, "left"), ctes, scope));
    size_t right_begin = scope.bindings.size();
    RETURN_IF_ERROR(From(Field(ref, "right"), ctes, scope));
    std::vector<std::string> keys = Strings(Field(ref, "using_columns"));
    if (Str(ref, "ref_type") == "NATURAL") {
      for (size_t bi = right_begin; bi < scope.bindings.size(); ++bi)
        for (const auto& rc : scope.bindings[bi].columns)
          for (size_t li = left_begin; li < right_begin; ++li)
            for (const auto& lc : scope.bindings[li].columns)
              if (ToLower(lc.name) == ToLower(rc.name) &&
                  std::find(keys.begin(), keys.end(), lc.name) == keys.end())
                keys.push_back(lc.name);
    }
    for (const auto& key : keys) {
      std::string lower = ToLower(key);
      auto side = [&](size_t begin, size_t end) {
        std::vector<std::pair<size_t, size_t>> found;
        // A key already merged by an inner USING join stands for all of its columns.
        auto m = scope.merged.find(lower);
        if (m != scope.merged.end())
          for (const auto& p : m->second)
            if (p.first >= begin && p.first < end) found.push_back(p);
        if (!found.empty()) return found;
        for (size_t bi = begin; bi < end; ++bi)
          for (size_t ci = 0; ci < scope.bindings[bi].columns.size(); ++ci)
            if (ToLower(scope.bindings[bi].columns[ci].name) == lower) found.push_back({bi, ci});
        return found;
      };
      auto left = side(left_begin, right_begin);
      auto right = side(right_begin, scope.bindings.size());
      if (left.empty() || right.empty()) {
        return Error("USING column '" + key + "' is not on the " + (left.empty() ? "left" : "right") + " side of the join",
                     ref);
      }
      left.insert(left.end(), right.begin(), right.end());
      scope.merged[lower] = left;
      for (const auto& [bi, ci] : left) result.referenced.insert(scope.bindings[bi].columns[ci].derived.sources.begin(),
                                                                 scope.bindings[bi].columns[ci].derived.sources.end());
    }
    Context ctx{&scope, ctes, nullptr};
    Derived condition;
    return Walk(Field(ref, "condition"), ctx, condition);
  }
  if (type == "SUBQUERY") {
    // The scope so far is the subquery's outer scope: that is what LATERAL sees.
    ASSIGN_OR_RETURN(std::vector<Column> columns, Query(Field(Field(ref, "subquery"), "node"), ctes, &scope));
    Rename(columns, column_aliases);
    scope.bindings.push_back(Binding{ToLower(alias.empty() ? "unnamed_subquery" : alias), "", std::move(columns)});
    return Status::Ok();
  }
  if (type == "EXPRESSION_LIST") {
    // VALUES (...), (...): column i comes from the i-th value of every row.
    Binding b{ToLower(alias.empty() ? "valueslist" : alias), "", {}};
    Context ctx{&scope, ctes, nullptr};
    const json& rows = Field(ref, "values");
    if (rows.is_array()) {
      for (const auto& row : rows) {
        if (!row.is_array()) continue;
        for (size_t i = 0; i < row.size(); ++i) {
          ASSIGN_OR_RETURN(Derived d, Expr(row[i], ctx));
          if (b.columns.size() <= i) b.columns.push_back(Column{"col" + std::to_string(i), {{}, DerivationKind::kExpression}});
          b.columns[i].derived.Merge(d);
        }
      }
    }
    Rename(b.columns, column_aliases);
    scope.bindings.push_back(std::move(b));
    return Status::Ok();
  }
  if (type == "TABLE_FUNCTION") {
    const json& fn = Field(ref, "function");
    return Error("table functions are not allowed in transforms: " + Str(fn, "function_name") +
                     "(...); read declared input ports as domain.product",
                 fn.is_object() && fn.contains("query_location") ? fn : ref);
  }
  return Error("lineage cannot follow a FROM item of type " + type + " (PIVOT, UNPIVOT and SHOW are not supported)", ref);
}

Status Analyzer::Star(const json& star, const Context& ctx, std::vector<Column>& out) {
  if (Field(star, "columns").is_boolean() && Field(star, "columns").get<bool>() && !Field(star, "expr").is_null()) {
    return Error("COLUMNS(...) with a pattern or lambda is not supported in transforms; list the columns", star);
  }
  const Scope& scope = *ctx.scope;
  std::string relation = ToLower(Str(star, "relation_name"));
  std::set<std::string> excluded;
  for (const auto& name : Strings(Field(star, "exclude_list"))) excluded.insert(ToLower(name));
  std::set<std::pair<std::string, std::string>> qualified;
  const json& qx = Field(star, "qualified_exclude_list");
  if (qx.is_array())
    for (const auto& q : qx) qualified.insert({ToLower(Str(q, "table")), ToLower(Str(q, "column"))});
  std::map<std::string, const json*> replaced;
  const json& rl = Field(star, "replace_list");
  if (rl.is_array())
    for (const auto& r : rl) replaced[ToLower(Str(r, "key"))] = &Field(r, "value");

  bool any_binding = false;
  std::set<std::string> used_exclusions;
  std::set<std::string> merged_shown;
  for (size_t bi = 0; bi < scope.bindings.size(); ++bi) {
    const Binding& b = scope.bindings[bi];
    if (!relation.empty() && b.alias != relation && b.relation != relation) continue;
    any_binding = true;
    for (size_t ci = 0; ci < b.columns.size(); ++ci) {
      const Column& c = b.columns[ci];
      std::string lower = ToLower(c.name);
      if (excluded.count(lower) || qualified.count({b.alias, lower})) {
        used_exclusions.insert(lower);
        continue;
      }
      Column col = c;
      auto merged = scope.merged.find(lower);
      if (relation.empty() && merged != scope.merged.end()) {
        // A USING / NATURAL key appears once, carrying both sides.
        if (!merged_shown.insert(lower).second) continue;
        for (const auto& [mb, mc] : merged->second) col.derived.Merge(scope.bindings[mb].columns[mc].derived);
      }
      if (auto r = replaced.find(lower); r != replaced.end()) {
        ASSIGN_OR_RETURN(col.derived, Expr(*r->second, ctx));
        col.derived.AtLeast(DerivationKind::kExpression);
      }
      result.referenced.insert(col.derived.sources.begin(), col.derived.sources.end());
      out.push_back(std::move(col));
    }
  }
  if (!relation.empty() && !any_binding) {
    return Error("'" + Str(star, "relation_name") + ".*' names no relation of the FROM clause", star);
  }
  for (const auto& name : excluded) {
    if (!used_exclusions.count(name)) return Error("column '" + name + "' in EXCLUDE is not in the FROM clause", star);
  }
  for (const auto& [table, column] : qualified) {
    if (!used_exclusions.count(column)) {
      return Error("column '" + table + "." + column + "' in EXCLUDE is not in the FROM clause", star);
    }
  }
  return Status::Ok();
}

// Every expression nested anywhere in `j` (arrays, CASE checks, ORDER BY
// entries, modifiers) merged into `into`. The parse tree marks expressions
// with a "class"; other objects are containers.
Status Analyzer::Walk(const json& j, const Context& ctx, Derived& into) {
  if (j.is_array()) {
    for (const auto& item : j) RETURN_IF_ERROR(Walk(item, ctx, into));
    return Status::Ok();
  }
  if (!j.is_object()) return Status::Ok();
  if (j.contains("class")) {
    ASSIGN_OR_RETURN(Derived d, Expr(j, ctx));
    into.Merge(d);
    return Status::Ok();
  }
  for (const auto& [key, value] : j.items()) RETURN_IF_ERROR(Walk(value, ctx, into));
  return Status::Ok();
}

Result<Derived> Analyzer::Expr(const json& e, const Context& ctx) {
  std::string cls = Str(e, "class");
  if (cls == "COLUMN_REF") return ColumnRefExpr(e, ctx);
  if (cls == "CONSTANT" || cls == "PARAMETER" || cls == "DEFAULT") return Derived{{}, DerivationKind::kExpression};
  if (cls == "STAR") {
    return Error("'*' inside an expression is not supported in transforms; list the columns", e);
  }
  if (cls == "POSITIONAL_REFERENCE") {
    // #n: the n-th column of the FROM clause.
    size_t n = Field(e, "index").is_number_unsigned() ? Field(e, "index").get<size_t>() : 0;
    for (const auto& b : ctx.scope->bindings) {
      if (n >= 1 && n <= b.columns.size()) {
        const Derived& d = b.columns[n - 1].derived;
        result.referenced.insert(d.sources.begin(), d.sources.end());
        return d;
      }
      n -= std::min(n, b.columns.size());
    }
    return Error("positional reference #" + std::to_string(Field(e, "index").get<size_t>()) + " is past the FROM columns", e);
  }
  if (cls == "FUNCTION") {
    bool aggregate = AggregateFunctionNames().count(ToLower(Str(e, "function_name"))) > 0;
    return FunctionExpr(e, ctx, aggregate ? DerivationKind::kAggregate : DerivationKind::kExpression);
  }
  if (cls == "WINDOW") return FunctionExpr(e, ctx, DerivationKind::kWindow);
  if (cls == "SUBQUERY") return SubqueryExpr(e, ctx);
  if (cls == "LAMBDA") {
    // Lambda parameters look like column references; they are bound to list
    // elements, not to any input.
    std::set<std::string> params;
    const json& lhs = Field(e, "lhs");
    auto add = [&](const json& ref) {
      std::vector<std::string> parts = Strings(Field(ref, "column_names"));
      if (parts.size() == 1) params.insert(ToLower(parts[0]));
    };
    add(lhs);
    if (Field(lhs, "children").is_array())
      for (const auto& c : Field(lhs, "children")) add(c);
    lambda_params_.push_back(std::move(params));
    Derived d;
    Status s = Walk(Field(e, "expr"), ctx, d);
    lambda_params_.pop_back();
    RETURN_IF_ERROR(s);
    d.AtLeast(DerivationKind::kExpression);
    return d;
  }
  // OPERATOR, CAST, CASE, COMPARISON, CONJUNCTION, BETWEEN, COLLATE, ...: the
  // value depends on every operand (a CASE on its conditions too).
  Derived d;
  for (const auto& [key, value] : e.items()) RETURN_IF_ERROR(Walk(value, ctx, d));
  d.AtLeast(DerivationKind::kExpression);
  return d;
}

Result<Derived> Analyzer::FunctionExpr(const json& e, const Context& ctx, DerivationKind kind) {
  Derived d;
  for (const auto& [key, value] : e.items()) {
    // An aggregate's FILTER picks rows; it is not part of the value.
    if (key == "filter" || key == "filter_expr") {
      Derived filter;
      RETURN_IF_ERROR(Walk(value, ctx, filter));
      continue;
    }
    RETURN_IF_ERROR(Walk(value, ctx, d));
  }
  d.AtLeast(kind);
  return d;
}

Result<Derived> Analyzer::SubqueryExpr(const json& e, const Context& ctx) {
  ASSIGN_OR_RETURN(std::vector<Column> columns, Query(Field(Field(e, "subquery"), "node"), ctx.ctes, ctx.scope));
  Derived d;
  // EXISTS looks at rows, not values; scalar, IN and ANY/ALL compare or
  // return the subquery's column.
  std::string type = Str(e, "subquery_type");
  if (type != "EXISTS" && type != "NOT_EXISTS" && !columns.empty()) d.Merge(columns[0].derived);
  RETURN_IF_ERROR(Walk(Field(e, "child"), ctx, d));
  d.AtLeast(DerivationKind::kExpression);
  return d;
}

Result<Derived> Analyzer::ColumnRefExpr(const json& e, const Context& ctx) {
  std::vector<std::string> parts = Strings(Field(e, "column_names"));
  if (parts.empty()) return Error("empty column reference", e);
  std::vector<std::string> lower;
  for (const auto& p : parts) lower.push_back(ToLower(p));
  for (const auto& params : lambda_params_)
    if (params.count(lower[0])) return Derived{{}, DerivationKind::kExpression};

  auto use = [&](Derived d, size_t consumed) {
    // Fields of a STRUCT column (col.field) are computed from the column.
    if (consumed < parts.size()) d.AtLeast(DerivationKind::kExpression);
    result.referenced.insert(d.sources.begin(), d.sources.end());
    return d;
  };
  // Qualified first, as DuckDB does: schema.table.column, table.column; then
  // column.field... for a STRUCT.
  for (const Scope* s = ctx.scope; s; s = s->outer) {
    for (const auto& b : s->bindings) {
      size_t q = 0;
      if (lower.size() >= 3 && !b.relation.empty() && b.relation == lower[0] + "." + lower[1] && b.alias == lower[1]) q = 2;
      else if (lower.size() >= 2 && b.alias == lower[0]) q = 1;
      if (q == 0) continue;
      for (const auto& c : b.columns)
        if (ToLower(c.name) == lower[q]) return use(c.derived, q + 1);
      std::vector<std::string> names;
      for (const auto& c : b.columns) names.push_back(c.name);
      std::string hint = ClosestMatch(parts[q], names);
      return Error("column '" + parts[q] + "' is not in " + b.Label() +
                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                   e);
    }
  }
  // Unqualified: the FROM scope, then earlier select-list aliases, then the
  // enclosing queries.
  bool innermost = true;
  for (const Scope* s = ctx.scope; s; s = s->outer, innermost = false) {
    if (auto m = s->merged.find(lower[0]); m != s->merged.end()) {
      Derived d;
      for (const auto& [bi, ci] : m->second) d.Merge(s->bindings[bi].columns[ci].derived);
      return use(d, 1);
    }
    const Column* found = nullptr;
    const Binding* found_in = nullptr;
    for (const auto& b : s->bindings) {
      for (const auto& c : b.columns) {
        if (ToLower(c.name) != lower[0]) continue;
        if (found && found_in != &b) {
          return Error("column '" + parts[0] + "' is ambiguous: it is in " + found_in->Label() + " and " + b.Label() +
                           "; qualify it",
                       e);
        }
        found = &c;
        found_in = &b;
      }
    }
    if (found) return use(found->derived, 1);
    if (innermost && ctx.aliases) {
      for (const auto& c : *ctx.aliases)
        if (ToLower(c.name) == lower[0]) return use(c.derived, 1);
    }
  }
  if (parts.size() == 1 && IsValueKeyword(lower[0])) return Derived{{}, DerivationKind::kExpression};
  std::vector<std::string> names;
  for (const Scope* s = ctx.scope; s; s = s->outer)
    for (const auto& b : s->bindings)
      for (const auto& c : b.columns) names.push_back(c.name);
  std::string hint = ClosestMatch(parts[0], names);
  std::string written = Join(parts, ".");
  return Error("column '" + written + "' is not in any relation of the FROM clause" +
                   (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
               e);
}

}  // namespace

bool IsValueKeyword(const std::string& lower) {
  static const std::set<std::string> k = {"current_date",    "current_time", "current_timestamp", "localtime",
                                          "localtimestamp",  "current_user", "session_user",      "user",
                                          "current_role",    "current_catalog", "current_schema"};
  return k.count(lower) > 0;
}

Result<SqlLineage> AnalyzeSelect(const nlohmann::json& ast, const InputSchemas& inputs, std::string_view sql,
                                 const RelationNaming& naming) {
  if (!ast.is_object()) return Status::InvalidArgument("the parse tree is not a JSON object");
  const json& error = Field(ast, "error");
  if (error.is_boolean() && error.get<bool>()) {
    if (Str(ast, "error_type") == "not implemented") {
      return Status::InvalidArgument("a transform must be a single SELECT statement");
    }
    std::string message = Str(ast, "error_message");
    std::string position = Str(ast, "position");
    return Status::InvalidArgument((message.empty() ? "DuckDB could not parse the SQL" : message) +
                                   (position.empty() ? "" : " (at character " + position + ")"));
  }
  const json& statements = Field(ast, "statements");
  size_t count = statements.is_array() ? statements.size() : 0;
  if (count != 1) {
    return Status::InvalidArgument("a transform must be exactly one SELECT statement, got " + std::to_string(count));
  }
  // Input names are matched case-insensitively, like DuckDB identifiers.
  InputSchemas lowered;
  for (const auto& [name, columns] : inputs) lowered[ToLower(name)] = columns;
  Analyzer analyzer(lowered, sql, naming);
  ASSIGN_OR_RETURN(std::vector<Column> columns, analyzer.Query(Field(statements[0], "node"), nullptr, nullptr));
  SqlLineage out = std::move(analyzer.result);
  for (size_t i = 0; i < columns.size(); ++i) {
    out.columns.push_back(
        OutputColumn{columns[i].name, i + 1, columns[i].derived.kind, std::move(columns[i].derived.sources)});
  }
  return out;
}

}  // namespace weft::lineage
