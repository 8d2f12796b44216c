#include "interop/export.h"

#include <algorithm>
#include <map>
#include <optional>

#include "common/strings.h"
#include "interop/check_bounds.h"
#include "interop/product_draft.h"
#include "interop/types.h"
#include "interop/yaml_writer.h"
#include "quality/check_plan.h"

namespace weft::interop {

namespace {

using spec::Json;

// Keys in the order the standards' own examples write them; others follow
// alphabetically.
OrderedJson Ordered(const Json& v) {
  static const std::vector<std::string> kFirst = {
      "apiVersion", "kind", "id", "name", "physicalName", "version", "status", "domain", "dataProduct", "tenant",
      "property", "value", "unit", "metric", "type", "logicalType", "physicalType", "description", "tags",
      "team", "support", "roles", "servers", "required", "unique", "primaryKey", "primaryKeyPosition",
      "classification", "logicalTypeOptions", "inputPorts", "outputPorts", "schema", "properties", "items",
      "quality", "relationships", "slaProperties"};
  if (v.is_array()) {
    OrderedJson out = OrderedJson::array();
    for (const auto& x : v) out.push_back(Ordered(x));
    return out;
  }
  if (!v.is_object()) return OrderedJson(v);
  OrderedJson out = OrderedJson::object();
  for (const auto& k : kFirst)
    if (v.contains(k)) out[k] = Ordered(v[k]);
  for (const auto& [k, x] : v.items())
    if (!out.contains(k)) out[k] = Ordered(x);
  return out;
}

// The valid values of a property's invalidValues rule, or null.
Json ValidValues(const spec::Property& p) {
  for (const auto& q : p.quality)
    if (q.metric == "invalidValues" && q.arguments.contains("validValues") && q.arguments["validValues"].is_array())
      return q.arguments["validValues"];
  return nullptr;
}

std::string SqlLiteral(const Json& v) { return v.is_string() ? SqlQuote(v.get<std::string>()) : v.dump(); }

std::string TableName(const spec::SchemaObject& o) { return o.physical_name.empty() ? o.name : o.physical_name; }
std::string ColumnName(const spec::Property& p) { return p.physical_name.empty() ? p.name : p.physical_name; }

// A relationship target in this contract: "object.property", or the
// contract's own id before '#'. nullopt for another product's column.
std::optional<std::pair<std::string, std::string>> LocalTarget(const spec::DataContract& c, const std::string& to) {
  std::string path = to;
  if (auto hash = to.find('#'); hash != std::string::npos) {
    if (to.substr(0, hash) != c.id) return std::nullopt;
    path = to.substr(hash + 1);
  }
  auto dot = path.find('.');
  if (dot == std::string::npos) return std::nullopt;
  const spec::SchemaObject* o = c.FindObject(path.substr(0, dot));
  const spec::Property* p = o ? o->FindProperty(path.substr(dot + 1)) : nullptr;
  if (!p) return std::nullopt;
  return std::pair{TableName(*o), ColumnName(*p)};
}

// The bounds, lengths, pattern and (with_values) valid values of a property as
// CHECK expressions; interop/check_bounds.h reads each of them back.
std::vector<std::string> Checks(const spec::Property& p, SqlDialect dialect, bool with_values) {
  std::vector<std::string> out;
  const std::string col = SqlIdent(ColumnName(p));
  static const std::vector<std::pair<const char*, const char*>> kBounds = {
      {"minimum", ">="}, {"exclusiveMinimum", ">"}, {"maximum", "<="}, {"exclusiveMaximum", "<"}};
  for (const auto& [option, op] : kBounds)
    if (auto it = p.options.find(option); it != p.options.end() && (it->second.is_number() || it->second.is_string()))
      out.push_back(col + " " + op + " " + SqlLiteral(it->second));
  if (auto it = p.options.find("minLength"); it != p.options.end() && it->second.is_number_integer())
    out.push_back("length(" + col + ") >= " + it->second.dump());
  if (auto it = p.options.find("maxLength"); it != p.options.end() && it->second.is_number_integer())
    out.push_back("length(" + col + ") <= " + it->second.dump());
  if (auto it = p.options.find("pattern"); it != p.options.end() && it->second.is_string())
    out.push_back(dialect == SqlDialect::kDuckDb
                      ? "regexp_full_match(" + col + ", " + SqlQuote(it->second.get<std::string>()) + ")"
                      : col + " ~ " + SqlQuote("^(?:" + it->second.get<std::string>() + ")$"));
  if (Json values = ValidValues(p); with_values && values.is_array() && !values.empty()) {
    std::vector<std::string> literals;
    for (const auto& v : values) literals.push_back(SqlLiteral(v));
    out.push_back(col + " IN (" + Join(literals, ", ") + ")");
  }
  return out;
}


class DdlWriter {
 public:
  DdlWriter(const spec::DataContract& c, SqlDialect dialect, engine::Connection& conn)
      : c_(c), dialect_(dialect), conn_(conn) {}

  std::string Run() {
    std::string out = "-- " + c_.id + " " + c_.version + " (ODCS contract), exported by weft for " +
                      (dialect_ == SqlDialect::kDuckDb ? "DuckDB" : "PostgreSQL") + "\n";
    std::string comments;
    for (const auto& o : c_.schema) {
      std::vector<std::string> lines;
      std::vector<const spec::Property*> key;
      for (const auto& p : o.properties) {
        lines.push_back(SqlIdent(ColumnName(p)) + " " + Type(p) + (p.is_required() || p.is_primary_key() ? " NOT NULL" : "") +
                        (p.is_unique() && !(p.is_primary_key() && KeySize(o) == 1) ? " UNIQUE" : ""));
        if (p.is_primary_key()) key.push_back(&p);
      }
      std::stable_sort(key.begin(), key.end(), [](const spec::Property* a, const spec::Property* b) {
        return a->primary_key_position.value_or(-1) < b->primary_key_position.value_or(-1);
      });
      if (!key.empty()) {
        std::vector<std::string> cols;
        for (const auto* p : key) cols.push_back(SqlIdent(ColumnName(*p)));
        lines.push_back("PRIMARY KEY (" + Join(cols, ", ") + ")");
      }
      for (const auto& p : o.properties) {
        for (const auto& check : Checks(p, dialect_, /*with_values=*/true)) lines.push_back("CHECK (" + check + ")");
        for (const auto& r : p.relationships) {
          auto target = r.to.size() == 1 ? LocalTarget(c_, r.Target(r.to[0])) : std::nullopt;
          if (target)
            lines.push_back("FOREIGN KEY (" + SqlIdent(ColumnName(p)) + ") REFERENCES " + SqlIdent(target->first) + " (" +
                            SqlIdent(target->second) + ")");
          else
            foreign_.push_back("-- " + TableName(o) + "." + ColumnName(p) + " references " + Join(r.to, ", ") +
                               " (another product: no constraint)");
        }
      }
      out += "CREATE TABLE " + SqlIdent(TableName(o)) + " (\n  " + Join(lines, ",\n  ") + "\n);\n";
      if (!o.description.empty())
        comments += "COMMENT ON TABLE " + SqlIdent(TableName(o)) + " IS " + SqlQuote(o.description) + ";\n";
      for (const auto& p : o.properties)
        if (!p.description.empty())
          comments += "COMMENT ON COLUMN " + SqlIdent(TableName(o)) + "." + SqlIdent(ColumnName(p)) + " IS " +
                      SqlQuote(p.description) + ";\n";
    }
    for (const auto& f : foreign_) out += f + "\n";
    return out + comments;
  }

 private:
  static size_t KeySize(const spec::SchemaObject& o) {
    return static_cast<size_t>(std::count_if(o.properties.begin(), o.properties.end(),
                                             [](const spec::Property& p) { return p.is_primary_key(); }));
  }

  std::string Type(const spec::Property& p) {
    std::string duck = quality::DuckDbTypeOf(p, [&](const std::string& t) {
      return conn_.Query("SELECT CAST(NULL AS " + t + ")").ok();
    });
    return dialect_ == SqlDialect::kDuckDb ? duck : PostgresTypeOf(duck);
  }

  const spec::DataContract& c_;
  SqlDialect dialect_;
  engine::Connection& conn_;
  std::vector<std::string> foreign_;
};

OrderedJson JsonSchemaOf(const spec::Property& p);

OrderedJson JsonSchemaObject(const std::vector<spec::Property>& props) {
  OrderedJson schema = {{"type", "object"}, {"properties", OrderedJson::object()}};
  OrderedJson required = OrderedJson::array();
  for (const auto& p : props) {
    schema["properties"][p.name] = JsonSchemaOf(p);
    if (p.is_required() || p.is_primary_key()) required.push_back(p.name);
  }
  if (!required.empty()) schema["required"] = required;
  return schema;
}

OrderedJson JsonSchemaOf(const spec::Property& p) {
  static const std::map<std::string, std::pair<const char*, const char*>> kTypes = {
      {"string", {"string", nullptr}},   {"integer", {"integer", nullptr}},     {"number", {"number", nullptr}},
      {"boolean", {"boolean", nullptr}}, {"object", {"object", nullptr}},       {"array", {"array", nullptr}},
      {"date", {"string", "date"}},      {"timestamp", {"string", "date-time"}}, {"time", {"string", "time"}}};
  auto it = kTypes.find(p.logical_type);
  const auto [type, format] = it == kTypes.end() ? std::pair<const char*, const char*>{"string", nullptr} : it->second;
  OrderedJson s = OrderedJson::object();
  if (p.logical_type == "object" && !p.properties.empty()) s = JsonSchemaObject(p.properties);
  // A property that may be missing may be null in the data.
  if (p.is_required() || p.is_primary_key()) s["type"] = type;
  else s["type"] = OrderedJson::array({type, "null"});
  if (format) s["format"] = format;
  if (!p.description.empty()) s["description"] = p.description;
  for (const auto& [option, value] : p.options) {
    static const std::vector<std::string> kSame = {
        "format",           "minLength",        "maxLength", "pattern",  "minimum",  "maximum",       "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf",       "minItems",  "maxItems", "uniqueItems", "minProperties", "maxProperties"};
    if (std::find(kSame.begin(), kSame.end(), option) != kSame.end()) s[option] = OrderedJson(value);
  }
  if (Json values = ValidValues(p); values.is_array()) s["enum"] = OrderedJson(values);
  if (p.logical_type == "array" && !p.items.empty()) s["items"] = JsonSchemaOf(p.items[0]);
  return s;
}

std::string JsonSchemaText(const spec::DataContract& c) {
  OrderedJson doc = {{"$schema", "https://json-schema.org/draft/2020-12/schema"}, {"title", c.name}};
  if (!c.description.purpose.empty()) doc["description"] = c.description.purpose;
  doc["version"] = c.version;
  if (c.schema.size() == 1) {
    doc.update(JsonSchemaObject(c.schema[0].properties));
  } else {
    for (const auto& o : c.schema) {
      OrderedJson object = JsonSchemaObject(o.properties);
      if (!o.description.empty()) object["description"] = o.description;
      doc["$defs"][o.name] = object;
    }
  }
  return doc.dump(2) + "\n";
}

std::string DbtText(const spec::DataContract& c) {
  const bool enforced = std::find(c.tags.begin(), c.tags.end(), "dbt-contract-enforced") != c.tags.end();
  OrderedJson models = OrderedJson::array();
  for (const auto& o : c.schema) {
    OrderedJson m = {{"name", TableName(o)}};
    if (!o.description.empty()) m["description"] = o.description;
    else if (c.schema.size() == 1 && !c.description.purpose.empty()) m["description"] = c.description.purpose;
    if (enforced) m["config"] = {{"contract", {{"enforced", true}}}};
    m["columns"] = OrderedJson::array();
    for (const spec::Property& prop : o.properties) {
      const spec::Property* p = &prop;
      OrderedJson col = {{"name", ColumnName(*p)}};
      col["data_type"] = p->physical_type.empty() ? quality::DuckDbTypeOf(*p, {}) : p->physical_type;
      if (!p->description.empty()) col["description"] = p->description;
      OrderedJson constraints = OrderedJson::array(), tests = OrderedJson::array();
      if (p->is_required() && !p->is_primary_key()) constraints.push_back({{"type", "not_null"}});
      if (p->is_primary_key()) constraints.push_back({{"type", "primary_key"}});
      if (p->is_unique() && !p->is_primary_key()) tests.push_back("unique");
      if (Json values = ValidValues(*p); values.is_array())
        tests.push_back({{"accepted_values", {{"arguments", {{"values", OrderedJson(values)}}}}}});
      for (const auto& r : p->relationships) {
        if (r.to.size() != 1) continue;
        std::string to = r.to[0];
        std::string path = to.substr(to.find('#') == std::string::npos ? 0 : to.find('#') + 1);
        auto dot = path.find('.');
        if (dot == std::string::npos) continue;
        tests.push_back({{"relationships", {{"arguments", {{"to", "ref('" + path.substr(0, dot) + "')"},
                                                            {"field", path.substr(dot + 1)}}}}}});
      }
      // Bounds as check constraints (accepted_values carries the values).
      for (const auto& check : Checks(*p, SqlDialect::kDuckDb, /*with_values=*/false))
        constraints.push_back({{"type", "check"}, {"expression", check}});
      if (!constraints.empty()) col["constraints"] = constraints;
      if (!tests.empty()) col["data_tests"] = tests;
      m["columns"].push_back(std::move(col));
    }
    models.push_back(std::move(m));
  }
  return "# " + c.id + " " + c.version + " (ODCS contract), exported by weft\n" +
         ToYaml(OrderedJson{{"version", 2}, {"models", models}});
}

}  // namespace

const std::vector<std::string>& ExportFormatNames() {
  static const std::vector<std::string> k = {"odcs", "odps", "sql-ddl", "jsonschema", "dbt"};
  return k;
}

Result<ExportFormat> ParseExportFormat(std::string_view name) {
  static const std::map<std::string, ExportFormat, std::less<>> k = {{"odcs", ExportFormat::kOdcs},
                                                                     {"odps", ExportFormat::kOdps},
                                                                     {"sql-ddl", ExportFormat::kSqlDdl},
                                                                     {"jsonschema", ExportFormat::kJsonSchema},
                                                                     {"dbt", ExportFormat::kDbt}};
  if (auto it = k.find(name); it != k.end()) return it->second;
  return Status::InvalidArgument("unknown export format '" + std::string(name) + "'; expected " +
                                 Join(ExportFormatNames(), ", "));
}

Result<SqlDialect> ParseSqlDialect(std::string_view name) {
  if (name == "duckdb") return SqlDialect::kDuckDb;
  if (name == "postgres" || name == "postgresql") return SqlDialect::kPostgres;
  return Status::InvalidArgument("unknown SQL dialect '" + std::string(name) + "'; expected duckdb or postgres");
}

Result<std::string> Export(ExportFormat format, const spec::Document& product, const spec::Document& contract,
                           SqlDialect dialect) {
  const spec::DataContract* c = contract.contract();
  if (!c) return Status::InvalidArgument("not a data contract");
  switch (format) {
    case ExportFormat::kOdcs: return ToYaml(Ordered(contract.json));
    case ExportFormat::kOdps:
      if (!product.product()) return Status::InvalidArgument("not a data product");
      return ToYaml(Ordered(product.json));
    case ExportFormat::kSqlDdl: {
      // DuckDB says which physical types are its own (quality::DuckDbTypeOf).
      ASSIGN_OR_RETURN(DuckDbSandbox sandbox, OpenDuckDbSandbox());
      return DdlWriter(*c, dialect, sandbox.conn).Run();
    }
    case ExportFormat::kJsonSchema: return JsonSchemaText(*c);
    case ExportFormat::kDbt: return DbtText(*c);
  }
  return Status::Internal("unknown export format");
}

}  // namespace weft::interop
