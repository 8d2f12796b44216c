#include "interop/check_bounds.h"

#include <map>

#include "common/strings.h"
#include "interop/importers.h"

namespace weft::interop {

namespace {

// A constant's value as JSON, or null when it is not a plain number or text.
OrderedJson Constant(const OrderedJson& e) {
  if (e.value("class", "") == "CAST" && e.contains("child")) return Constant(e["child"]);
  if (e.value("class", "") != "CONSTANT" || !e.contains("value")) return nullptr;
  const OrderedJson& v = e["value"];
  if (v.value("is_null", true)) return nullptr;
  const std::string id = v["type"].value("id", "");
  const OrderedJson& raw = v["value"];
  if (id == "DECIMAL") {  // a scaled integer: 12.5 is 125 at scale 1
    int scale = v["type"]["type_info"].value("scale", 0);
    double x = raw.is_number() ? raw.get<double>() : 0;
    for (int i = 0; i < scale; ++i) x /= 10;
    return x;
  }
  if (raw.is_number() || raw.is_string()) return raw;
  return nullptr;
}

bool IsColumn(const OrderedJson& e, const std::string& name) {
  return e.value("class", "") == "COLUMN_REF" && e.contains("column_names") && !e["column_names"].empty() &&
         e["column_names"].back() == name;
}

// length(col), or nullptr.
bool IsLength(const OrderedJson& e, const std::string& name) {
  return e.value("class", "") == "FUNCTION" && e.value("function_name", "") == "length" && e.contains("children") &&
         e["children"].size() == 1 && IsColumn(e["children"][0], name);
}

// True when all of `e` is bounds on `p` (then set on p).
bool Bounds(const OrderedJson& e, OrderedJson& p) {
  const std::string name = p["name"].get<std::string>();
  const std::string type = e.value("type", "");
  if (type == "CONJUNCTION_AND") {
    OrderedJson copy = p;
    for (const auto& c : e["children"])
      if (!Bounds(c, copy)) return false;
    p = copy;
    return true;
  }
  if (type == "COMPARE_BETWEEN" && IsColumn(e["input"], name)) {
    OrderedJson lo = Constant(e["lower"]), hi = Constant(e["upper"]);
    if (lo.is_null() || hi.is_null()) return false;
    p["logicalTypeOptions"]["minimum"] = lo;
    p["logicalTypeOptions"]["maximum"] = hi;
    return true;
  }
  if (type == "COMPARE_IN" && !e["children"].empty() && IsColumn(e["children"][0], name)) {
    OrderedJson values = OrderedJson::array();
    for (size_t i = 1; i < e["children"].size(); ++i) {
      OrderedJson v = Constant(e["children"][i]);
      if (v.is_null()) return false;
      values.push_back(v);
    }
    p["quality"].push_back(ValidValuesRule(values));
    return true;
  }
  // regexp_full_match(col, 'p'); DuckDB reads PostgreSQL's col ~ 'p' as the
  // same call, and weft writes it as ~ '^(?:p)$', which is p matched whole.
  if (e.value("class", "") == "FUNCTION" && e.value("function_name", "") == "regexp_full_match" &&
      e.contains("children") && e["children"].size() == 2 && IsColumn(e["children"][0], name)) {
    OrderedJson pattern = Constant(e["children"][1]);
    if (!pattern.is_string()) return false;
    std::string text = pattern.get<std::string>();
    if (StartsWith(text, "^(?:") && EndsWith(text, ")$")) text = text.substr(4, text.size() - 6);
    p["logicalTypeOptions"]["pattern"] = text;
    return true;
  }
  static const std::map<std::string, std::pair<const char*, const char*>> kCompare = {
      // column OP constant -> option; constant OP column -> the mirrored option
      {"COMPARE_GREATERTHANOREQUALTO", {"minimum", "maximum"}},
      {"COMPARE_GREATERTHAN", {"exclusiveMinimum", "exclusiveMaximum"}},
      {"COMPARE_LESSTHANOREQUALTO", {"maximum", "minimum"}},
      {"COMPARE_LESSTHAN", {"exclusiveMaximum", "exclusiveMinimum"}},
  };
  auto it = kCompare.find(type);
  if (it == kCompare.end() || !e.contains("left") || !e.contains("right")) return false;
  // length(col) >= n / <= n: the inclusive string lengths.
  for (bool left : {true, false}) {
    const OrderedJson& side = left ? e["left"] : e["right"];
    if (!IsLength(side, name)) continue;
    OrderedJson v = Constant(left ? e["right"] : e["left"]);
    std::string option = left ? it->second.first : it->second.second;
    if (!v.is_number_integer() || (option != "minimum" && option != "maximum")) return false;
    p["logicalTypeOptions"][option == "minimum" ? "minLength" : "maxLength"] = v;
    return true;
  }
  if (IsColumn(e["left"], name)) {
    OrderedJson v = Constant(e["right"]);
    if (v.is_null()) return false;
    p["logicalTypeOptions"][it->second.first] = v;
    return true;
  }
  if (IsColumn(e["right"], name)) {
    OrderedJson v = Constant(e["left"]);
    if (v.is_null()) return false;
    p["logicalTypeOptions"][it->second.second] = v;
    return true;
  }
  return false;
}

}  // namespace

Result<DuckDbSandbox> OpenDuckDbSandbox() {
  engine::DatabaseConfig config;
  config.threads = 1;
  config.options["enable_external_access"] = "false";
  config.options["autoinstall_known_extensions"] = "false";
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  return DuckDbSandbox{std::move(db), std::move(conn)};
}

Result<bool> CheckToOptions(engine::Connection& conn, const std::string& expression, OrderedJson& property) {
  ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query("SELECT json_serialize_sql(" + SqlQuote("SELECT " + expression) + ")"));
  ASSIGN_OR_RETURN(std::optional<std::string> text, r.ScalarString());
  OrderedJson ast = OrderedJson::parse(text.value_or(""), nullptr, false);
  if (!ast.is_object() || ast.value("error", true) || !ast.contains("statements") || ast["statements"].empty())
    return false;
  const OrderedJson& list = ast["statements"][0]["node"]["select_list"];
  if (!list.is_array() || list.size() != 1) return false;
  return Bounds(list[0], property);
}

OrderedJson CheckRule(const std::string& expression) {
  return {{"type", "sql"},
          {"name", "check"},
          {"query", "SELECT COUNT(*) FROM {object} WHERE NOT (" + expression + ")"},
          {"mustBe", 0},
          {"dimension", "conformity"}};
}

}  // namespace weft::interop
