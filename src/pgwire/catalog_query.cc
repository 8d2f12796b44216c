#include "pgwire/catalog_query.h"

#include <algorithm>
#include <set>
#include <vector>

#include "common/strings.h"
#include "query/sql_allowlist.h"

namespace weft::pgwire {

namespace {

using nlohmann::json;

constexpr CatalogRelation kRelations[] = {
#include "pgwire/catalog_relations.inc"
};

// pg_catalog's functions as the shadow engine defines them (its macros of
// schema "pg"). regclass is the ::regclass cast, rewritten into a call.
constexpr std::string_view kFunctions[] = {
    "array_lower", "array_upper", "col_description", "current_catalog", "current_database", "current_role",
    "current_schema", "current_schemas", "current_user", "format_type", "getpgusername", "has_any_column_privilege",
    "has_column_privilege", "has_database_privilege", "has_function_privilege", "has_schema_privilege",
    "has_sequence_privilege", "has_table_privilege", "has_type_privilege", "obj_description", "pg_backend_pid",
    "pg_encoding_to_char", "pg_function_is_visible", "pg_get_constraintdef", "pg_get_expr", "pg_get_indexdef",
    "pg_get_partkeydef", "pg_get_statisticsobjdef_columns", "pg_get_userbyid", "pg_get_viewdef", "pg_has_role",
    "pg_is_in_recovery", "pg_postmaster_start_time", "pg_relation_is_publishable", "pg_table_is_visible",
    "pg_type_is_visible", "regclass", "session_user", "shobj_description", "to_regclass", "user", "version"};

// The SQL-standard session values PostgreSQL reads without parentheses;
// DuckDB's parser gives them as column references.
constexpr std::string_view kSessionValues[] = {"current_catalog", "current_role", "current_schema",
                                               "current_user",    "session_user", "user"};

// Table functions over values only (no file, no catalog): psql's \d
// footers call generate_series.
constexpr std::string_view kTableFunctions[] = {"generate_series", "range", "unnest"};

// PostgreSQL's types of object identifiers and names, as the shadow
// engine stores them.
constexpr std::string_view kOidTypes[] = {"oid",          "regtype", "regproc", "regprocedure", "regnamespace",
                                          "regrole",      "regoper", "regoperator", "regconfig", "xid"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

std::string Text(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

const CatalogRelation* FindRelation(std::string_view schema, std::string_view name) {
  for (const auto& r : kRelations)
    if (r.schema == schema && r.name == name) return &r;
  return nullptr;
}

// A call of the shadow engine's macro pg.<name>(children).
json ShadowCall(const std::string& name, json children, const json& like) {
  return {{"class", "FUNCTION"},
          {"type", "FUNCTION"},
          {"alias", Text(like, "alias")},
          {"query_location", like.value("query_location", json(0))},
          {"function_name", name},
          {"schema", "pg"},
          {"catalog", ""},
          {"children", std::move(children)},
          {"filter", nullptr},
          {"order_bys", {{"type", "ORDER_MODIFIER"}, {"orders", json::array()}}},
          {"distinct", false},
          {"is_operator", false},
          {"export_state", false}};
}

// Walks a statement's parse tree once: decides whether it is a catalog
// query and renames what it names to the shadow engine's objects.
class Walker {
 public:
  explicit Walker(std::string_view sql) : sql_(sql) {}

  void CollectCtes(const json& node) {
    if (node.is_object()) {
      if (auto it = node.find("cte_map"); it != node.end() && it->is_object() && it->contains("map"))
        for (const auto& entry : (*it)["map"])
          if (entry.is_object()) ctes_.insert(ToLower(Text(entry, "key")));
      for (const auto& [key, child] : node.items()) CollectCtes(child);
    } else if (node.is_array()) {
      for (const auto& child : node) CollectCtes(child);
    }
  }

  void Visit(json& node) {
    if (node.is_array()) {
      for (auto& child : node) Visit(child);
      return;
    }
    if (!node.is_object()) return;
    const std::string type = Text(node, "type"), cls = Text(node, "class");
    if (type == "BASE_TABLE") return Relation(node);
    if (type == "TABLE_FUNCTION") return TableFunction(node);
    if (type == "SHOW_REF") return Problem("SHOW is answered by the session, not inside a query");
    if (type == "OPERATOR_NOT" && StartsWith(TextAt(node), "!~") && !StartsWith(TextAt(node), "!~~")) NotMatch(node);
    if (cls == "FUNCTION") Function(node);
    else if (cls == "COLUMN_REF") SessionValue(node);
    else if (cls == "CAST") Cast(node);
    else if (cls == "COLLATE") {
      // COLLATE pg_catalog.default (psql): the default collation is the only one.
      json child = std::move(node["child"]);
      node = std::move(child);
      return Visit(node);
    }
    for (auto& [key, child] : node.items()) Visit(child);
  }

  bool catalog() const { return catalog_; }
  bool session_value() const { return session_value_; }
  const std::vector<std::string>& others() const { return others_; }
  const std::optional<Status>& problem() const { return problem_; }

 private:
  void Problem(std::string message) {
    if (!problem_) problem_ = Status::InvalidArgument(std::move(message));
  }

  void Relation(json& node) {
    const std::string catalog = ToLower(Text(node, "catalog_name")), schema = ToLower(Text(node, "schema_name"));
    const std::string name = ToLower(Text(node, "table_name"));
    if (!node.value("at_clause", json()).is_null()) Problem("AT clauses are not available in catalog queries");
    if (!catalog.empty()) {
      others_.push_back(catalog + "." + schema + "." + name);
      return;
    }
    std::string_view shadow_schema;
    if (schema == "pg_catalog" || (schema.empty() && FindRelation("pg", name))) shadow_schema = "pg";
    else if (schema == "information_schema") shadow_schema = "info";
    else if (schema.empty()) {
      if (!ctes_.count(name))
        Problem("relation \"" + name + "\" does not exist: catalog queries read pg_catalog and information_schema, "
                "and products are named domain.product");
      return;
    } else {
      others_.push_back(schema + "." + name);
      return;
    }
    catalog_ = true;
    if (!FindRelation(shadow_schema, name)) {
      Problem("weft's catalog has no relation " + (schema.empty() ? "pg_catalog" : schema) + "." + name);
      return;
    }
    node["catalog_name"] = "";
    node["schema_name"] = std::string(shadow_schema);
    node["table_name"] = name;
  }

  // The statement's text where DuckDB says a node begins ("" if unknown).
  std::string_view TextAt(const json& node) const {
    const json& at = node.value("query_location", json());
    if (!at.is_number_unsigned() || at.get<uint64_t>() >= sql_.size()) return {};
    return sql_.substr(at.get<uint64_t>());
  }

  // PostgreSQL's a ~ b matches anywhere in a, DuckDB's the whole of a
  // (both parse to regexp_full_match, as SIMILAR TO does): the operator's
  // text tells them apart.
  static void PatternMatch(json& call, bool case_insensitive) {
    call["function_name"] = "regexp_matches";
    call["is_operator"] = false;
    if (case_insensitive) {
      json flags = {{"class", "CONSTANT"}, {"type", "VALUE_CONSTANT"}, {"alias", ""}, {"query_location", call["query_location"]},
                    {"value", {{"type", {{"id", "VARCHAR"}, {"type_info", nullptr}}}, {"is_null", false}, {"value", "i"}}}};
      call["children"].push_back(std::move(flags));
    }
  }
  void NotMatch(json& node) {
    for (auto& child : node["children"])
      if (Text(child, "function_name") == "regexp_full_match") PatternMatch(child, false);
  }

  void TableFunction(json& node) {
    json& call = node["function"];
    const std::string name = ToLower(Text(call, "function_name")), schema = ToLower(Text(call, "schema"));
    if (!In(kTableFunctions, name) || !(schema.empty() || schema == "pg_catalog") || !Text(call, "catalog").empty()) {
      Problem("table function " + name + "() is not available in catalog queries");
      return;
    }
    call["schema"] = "";
    // PostgreSQL names the one column of generate_series(...) s after the
    // alias (psql: prattrs[s]); DuckDB would make s the row.
    if (!Text(node, "alias").empty() && node["column_name_alias"].empty())
      node["column_name_alias"] = json::array({Text(node, "alias")});
    Visit(call["children"]);
  }

  void Function(json& node) {
    const std::string name = ToLower(Text(node, "function_name")), schema = ToLower(Text(node, "schema"));
    if (!Text(node, "catalog").empty()) return Problem("function " + Text(node, "catalog") + "." + schema + "." + name + "() does not exist");
    if (name == "pg_catalog" && node.value("is_operator", false)) return Operator(node);
    if (name == "regexp_full_match" && StartsWith(TextAt(node), "~") && !StartsWith(TextAt(node), "~~"))
      return PatternMatch(node, false);
    if (name == "~*" || name == "!~*") {
      PatternMatch(node, true);
      if (name == "!~*") node = {{"class", "OPERATOR"}, {"type", "OPERATOR_NOT"}, {"alias", Text(node, "alias")},
                                 {"query_location", node["query_location"]}, {"children", json::array({node})}};
      return;
    }
    if (In(kFunctions, name) || schema == "pg_catalog") catalog_ = true;
    if (schema != "" && schema != "pg_catalog") return Problem("function " + schema + "." + name + "() does not exist");
    if (In(kFunctions, name)) {
      node["function_name"] = name;
      node["schema"] = "pg";
    } else if (query::IsAllowedFunction(name)) {
      node["schema"] = "";
    } else {
      Problem("function " + name + "() is not available in catalog queries");
    }
  }

  // DuckDB's parser keeps OPERATOR(pg_catalog.op) as a call of
  // "pg_catalog" and drops the operator: the text at the call's location
  // tells which it was. psql writes only OPERATOR(pg_catalog.~), the
  // regular expression match.
  void Operator(json& node) {
    const size_t at = node.value("query_location", size_t{0});
    static constexpr std::string_view kMatch = "operator(pg_catalog.~)";
    if (at >= sql_.size() || ToLower(sql_.substr(at, kMatch.size())) != kMatch) {
      return Problem("only OPERATOR(pg_catalog.~) is available in catalog queries");
    }
    catalog_ = true;
    node["function_name"] = "regexp_matches";
    node["schema"] = "";
    node["is_operator"] = false;
  }

  void SessionValue(json& node) {
    const auto& names = node["column_names"];
    if (!names.is_array() || names.size() != 1 || !names[0].is_string()) return;
    const std::string name = ToLower(names[0].get<std::string>());
    if (!In(kSessionValues, name)) return;
    session_value_ = true;
    json call = ShadowCall(name, json::array(), node);
    if (Text(call, "alias").empty()) call["alias"] = name;
    node = std::move(call);
  }

  // ::regclass becomes pg.regclass(x) (a name or an oid to the oid);
  // PostgreSQL's other identifier types become BIGINT, name VARCHAR, and
  // pg_catalog-qualified built-in types lose the qualifier.
  void Cast(json& node) {
    json& type = node["cast_type"];
    if (Text(type, "id") == "USER" && UserTypeName(type) == "regclass") {
      catalog_ = true;
      json child = std::move(node["child"]);
      node = ShadowCall("regclass", json::array({std::move(child)}), node);
      return;
    }
    RewriteType(type);
  }

  std::string UserTypeName(const json& type) {
    const json& info = type["type_info"];
    if (!info.is_object()) return "";
    const std::string schema = ToLower(Text(info, "schema"));
    if (!Text(info, "catalog").empty() || !(schema.empty() || schema == "pg_catalog")) return "";
    return ToLower(Text(info, "user_type_name"));
  }

  void RewriteType(json& type) {
    if (!type.is_object()) return;
    if (Text(type, "id") == "LIST" && type["type_info"].is_object()) return RewriteType(type["type_info"]["child_type"]);
    if (Text(type, "id") != "USER") return;
    const std::string name = UserTypeName(type);
    if (name == "regclass" || In(kOidTypes, name)) {
      catalog_ = true;
      type = {{"id", "BIGINT"}, {"type_info", nullptr}};
    } else if (name == "name") {
      catalog_ = true;
      type = {{"id", "VARCHAR"}, {"type_info", nullptr}};
    } else if (ToLower(Text(type["type_info"], "schema")) == "pg_catalog") {
      catalog_ = true;
      type["type_info"]["schema"] = "";
    }
  }

  std::string_view sql_;
  std::set<std::string> ctes_;
  bool catalog_ = false;
  bool session_value_ = false;
  std::vector<std::string> others_;
  std::optional<Status> problem_;
};

// PostgreSQL names an unnamed result column after the function it calls
// ("version", "current_schema"), looking through casts; DuckDB would
// print the call.
void NameColumnsAsPostgresDoes(json& statement) {
  json* node = &statement;
  while (Text(*node, "type") == "SET_OPERATION_NODE") node = &(*node)["left"];
  if (Text(*node, "type") != "SELECT_NODE" || !(*node)["select_list"].is_array()) return;
  for (auto& expr : (*node)["select_list"]) {
    if (!Text(expr, "alias").empty()) continue;
    const json* e = &expr;
    while (Text(*e, "class") == "CAST") e = &(*e)["child"];
    if (Text(*e, "class") == "FUNCTION") expr["alias"] = ToLower(Text(*e, "function_name"));
  }
}

}  // namespace

std::span<const CatalogRelation> CatalogRelations() { return kRelations; }
std::span<const std::string_view> CatalogFunctions() { return kFunctions; }

Result<std::optional<CatalogQuery>> PrepareCatalogQuery(json ast, std::string_view sql) {
  if (ast.value("error", true) || !ast["statements"].is_array() || ast["statements"].size() != 1) return std::optional<CatalogQuery>();
  json& statement = ast["statements"][0]["node"];
  // Named before renaming: the names are the caller's, not the shadow's.
  NameColumnsAsPostgresDoes(statement);
  Walker walker(sql);
  walker.CollectCtes(statement);
  walker.Visit(statement);
  if (!walker.catalog() && !walker.session_value()) return std::optional<CatalogQuery>();
  if (!walker.others().empty()) {
    // `user` beside a product is the product's column, not the session's.
    if (!walker.catalog()) return std::optional<CatalogQuery>();
    return Status::InvalidArgument("a query reads either products or weft's catalog (pg_catalog, information_schema), "
                                   "not both: it also reads " + Join(walker.others(), ", "));
  }
  if (walker.problem()) return *walker.problem();
  return std::optional<CatalogQuery>(CatalogQuery{.ast = std::move(ast)});
}

bool MayBeCatalogQuery(std::string_view sql) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  for (size_t i = 0; i < sql.size();) {
    if (!word_char(sql[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < sql.size() && word_char(sql[end])) ++end;
    const std::string word = ToLower(sql.substr(i, end - i));
    // Every word Walker's catalog_ or session_value_ turns on (above); a
    // word inside a string literal only costs the parse.
    if (word.starts_with("pg_") || word == "information_schema" || word == "name" || word == "operator" ||
        In(kFunctions, word) || In(kSessionValues, word) || In(kOidTypes, word))
      return true;
    i = end;
  }
  return false;
}

std::optional<std::string> WithoutPgCatalogQualifierAt(std::string_view sql, size_t position) {
  if (position > sql.size()) return std::nullopt;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  size_t start = position;
  while (start > 0 && ident(sql[start - 1])) --start;
  static constexpr std::string_view kQualifier = "pg_catalog.";
  if (start < kQualifier.size() || ToLower(sql.substr(start - kQualifier.size(), kQualifier.size())) != kQualifier)
    return std::nullopt;
  std::string out(sql);
  out.erase(start - kQualifier.size(), kQualifier.size());
  return out;
}

}  // namespace weft::pgwire
