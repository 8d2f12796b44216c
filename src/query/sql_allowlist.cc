#include "query/sql_allowlist.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "common/strings.h"

namespace weft::query {

namespace {

using nlohmann::json;

// A plain array: std::array's deduction of 555 elements exceeds clang's
// fold-expression limit.
constexpr std::string_view kAllowedFunctions[] = {
#include "query/allowed_functions.inc"
};

// Expression classes (the "class" of an expression node).
const std::set<std::string>& ExpressionClasses() {
  static const std::set<std::string> k = {"BETWEEN",  "CASE",    "CAST",     "COLLATE",  "COLUMN_REF", "COMPARISON",
                                          "CONJUNCTION", "CONSTANT", "FUNCTION", "LAMBDA", "LAMBDA_REF", "OPERATOR",
                                          "PARAMETER", "POSITIONAL_REFERENCE", "STAR", "SUBQUERY", "WINDOW"};
  return k;
}

// The "type" of every other node: query nodes, table references, result
// modifiers and sort orders.
const std::set<std::string>& NodeTypes() {
  static const std::set<std::string> k = {
      "SELECT_NODE",   "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE",        "BASE_TABLE",
      "JOIN",          "SUBQUERY",           "EXPRESSION_LIST",    "EMPTY",           "PIVOT",
      "ORDER_MODIFIER", "LIMIT_MODIFIER",    "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER", "ASCENDING",
      "DESCENDING",    "ORDER_DEFAULT"};
  return k;
}

// Window functions that are not aggregates ("type" of a WINDOW node).
const std::set<std::string>& WindowTypes() {
  static const std::set<std::string> k = {
      "WINDOW_AGGREGATE", "WINDOW_ROW_NUMBER", "WINDOW_RANK",      "WINDOW_RANK_DENSE", "WINDOW_NTILE",
      "WINDOW_PERCENT_RANK", "WINDOW_CUME_DIST", "WINDOW_FIRST_VALUE", "WINDOW_LAST_VALUE", "WINDOW_NTH_VALUE",
      "WINDOW_LEAD",      "WINDOW_LAG",        "WINDOW_FILL"};
  return k;
}

std::string Text(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

class Walker {
 public:
  explicit Walker(std::string_view sql) : sql_(sql) {}

  Status Walk(const json& node) {
    if (node.is_array()) {
      for (const auto& child : node) RETURN_IF_ERROR(Walk(child));
      return Status::Ok();
    }
    if (!node.is_object()) return Status::Ok();
    // A LogicalType ({"id": "DECIMAL", "type_info": {...}}): data.
    if (node.contains("id") && node.contains("type_info")) return Status::Ok();
    if (node.contains("class")) {
      RETURN_IF_ERROR(CheckExpression(node));
    } else if (auto t = node.find("type"); t != node.end() && t->is_string()) {
      RETURN_IF_ERROR(CheckNode(node, t->get<std::string>()));
    }
    const bool constant = Text(node, "class") == "CONSTANT";
    for (const auto& [key, child] : node.items()) {
      if (constant && key == "value") continue;  // a literal's value
      if (key == "cast_type") continue;          // a type, checked by DuckDB's binder
      RETURN_IF_ERROR(Walk(child));
    }
    return Status::Ok();
  }

 private:
  Status CheckExpression(const json& node) {
    const std::string cls = Text(node, "class");
    if (!ExpressionClasses().count(cls)) return Refuse(node, "expressions of kind " + cls + " are not allowed");
    // COLUMNS($1) and * LIKE $1 choose columns by a value: a parameter
    // must not decide which columns a query reads (the analysis could not
    // check them).
    if (cls == "STAR" && ContainsParameter(node.value("expr", json())))
      return Refuse(node, "a parameter cannot choose columns: name them, or use a constant pattern");
    if (cls == "FUNCTION") {
      const json& children = node.value("children", json::array());
      const bool over_star = std::any_of(children.begin(), children.end(), [](const json& c) {
        return c.is_object() && Text(c, "class") == "STAR";
      });
      if (over_star && ContainsParameter(children))
        return Refuse(node, "a parameter cannot choose columns: name them, or use a constant pattern");
    }
    if (cls == "FUNCTION") {
      const std::string name = ToLower(Text(node, "function_name"));
      if (!BuiltIn(node)) return Refuse(node, "function " + Qualified(node) + " is not allowed: call functions by their plain name");
      if (!IsAllowedFunction(name)) return Refuse(node, "function " + name + "() is not allowed in a query");
    } else if (cls == "PARAMETER") {
      // A value bound by DuckDB ($1, ?; query/parameters.h): positional
      // only, as requests carry their values by position.
      const std::string id = Text(node, "identifier");
      if (Text(node, "type") != "VALUE_PARAMETER" || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
        return Refuse(node, "named parameter $" + id + " is not allowed; number them $1, $2, ...");
    } else if (cls == "WINDOW") {
      const std::string type = Text(node, "type");
      if (!WindowTypes().count(type)) return Refuse(node, "window function " + type + " is not allowed");
      const std::string name = ToLower(Text(node, "function_name"));
      if (type == "WINDOW_AGGREGATE" && !IsAllowedFunction(name))
        return Refuse(node, "function " + name + "() is not allowed in a query");
      if (!BuiltIn(node)) return Refuse(node, "function " + Qualified(node) + " is not allowed: call functions by their plain name");
    }
    return Status::Ok();
  }

  Status CheckNode(const json& node, const std::string& type) {
    if (type == "TABLE_FUNCTION") {
      std::string name = "a table function";
      if (auto f = node.find("function"); f != node.end() && f->is_object()) name = Text(*f, "function_name") + "()";
      return Refuse(node, "table function " + name +
                              " is not allowed: a query reads products by name (DOMAIN.PRODUCT), not files or functions");
    }
    if (!NodeTypes().count(type)) return Refuse(node, type + " is not allowed in a query");
    if (type == "BASE_TABLE") {
      if (!Text(node, "catalog_name").empty())
        return Refuse(node, "'" + Text(node, "catalog_name") + "." + Text(node, "schema_name") + "." +
                                Text(node, "table_name") + "' is not a product: name products as DOMAIN.PRODUCT");
      if (auto at = node.find("at_clause"); at != node.end() && !at->is_null())
        return Refuse(node, "AT clauses are not allowed; use --at SNAPSHOT or a time to read an earlier state");
    }
    return Status::Ok();
  }

  static bool ContainsParameter(const json& node) {
    if (node.is_array()) return std::any_of(node.begin(), node.end(), [](const json& c) { return ContainsParameter(c); });
    if (!node.is_object()) return false;
    if (Text(node, "class") == "PARAMETER") return true;
    for (const auto& [key, child] : node.items())
      if (ContainsParameter(child)) return true;
    return false;
  }

  // Unqualified, or main.<f> as the parser spells list and struct literals.
  static bool BuiltIn(const json& node) {
    const std::string schema = Text(node, "schema");
    return Text(node, "catalog").empty() && (schema.empty() || schema == "main");
  }

  static std::string Qualified(const json& node) {
    std::string out;
    for (const char* k : {"catalog", "schema"})
      if (!Text(node, k).empty()) out += Text(node, k) + ".";
    return out + Text(node, "function_name");
  }

  // "line L, column C: what" from the node's query_location (a byte offset).
  Status Refuse(const json& node, const std::string& what) const {
    std::string where;
    if (auto loc = node.find("query_location"); loc != node.end() && loc->is_number_unsigned()) {
      size_t offset = loc->get<size_t>(), line = 1, col = 1;
      for (size_t i = 0; i < offset && i < sql_.size(); ++i) {
        if (sql_[i] == '\n') {
          ++line;
          col = 1;
        } else if ((static_cast<unsigned char>(sql_[i]) & 0xC0) != 0x80) {
          ++col;
        }
      }
      if (offset < sql_.size()) where = "line " + std::to_string(line) + ", column " + std::to_string(col) + ": ";
    }
    return Status::InvalidArgument("query refused: " + where + what);
  }

  std::string_view sql_;
};

}  // namespace

bool IsAllowedFunction(std::string_view name) {
  static const std::set<std::string_view> kSet(std::begin(kAllowedFunctions), std::end(kAllowedFunctions));
  return kSet.count(name) > 0;
}

std::vector<std::string_view> AllowedFunctions() { return {std::begin(kAllowedFunctions), std::end(kAllowedFunctions)}; }

Status CheckAllowed(const json& ast, std::string_view sql) {
  auto statements = ast.find("statements");
  if (statements == ast.end() || !statements->is_array() || statements->size() != 1)
    return Status::InvalidArgument("query refused: send exactly one SELECT statement");
  return Walker(sql).Walk(*statements);
}

}  // namespace weft::query
