#include "lakehouse/iceberg_schema.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <tuple>
#include <filesystem>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "common/strings.h"

namespace weft::lakehouse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kSep = '\x1f';  // between the names of a field's path (names may hold dots)

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Splits "a INTEGER, \"b, c\" STRUCT(x INT, y INT)" at its top-level commas.
std::vector<std::string> SplitTopLevel(std::string_view s) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  std::string cur;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '(' || c == '[')) ++depth;
    if (!quoted && (c == ')' || c == ']')) --depth;
    if (!quoted && depth == 0 && c == ',') {
      parts.push_back(std::string(Trim(cur)));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  if (!Trim(cur).empty()) parts.push_back(std::string(Trim(cur)));
  return parts;
}

// A struct member "name TYPE" or "\"na""me\" TYPE".
std::pair<std::string, std::string> SplitMember(const std::string& m) {
  if (!m.empty() && m[0] == '"') {
    std::string name;
    size_t i = 1;
    for (; i < m.size(); ++i) {
      if (m[i] == '"') {
        if (i + 1 < m.size() && m[i + 1] == '"') {
          name.push_back('"');
          ++i;
          continue;
        }
        break;
      }
      name.push_back(m[i]);
    }
    return {name, std::string(Trim(std::string_view(m).substr(std::min(i + 1, m.size()))))};
  }
  const size_t space = m.find(' ');
  if (space == std::string::npos) return {m, ""};
  return {m.substr(0, space), std::string(Trim(std::string_view(m).substr(space + 1)))};
}

class SchemaBuilder {
 public:
  SchemaBuilder(const json& previous, int last_column_id) : next_id_(last_column_id + 1) {
    if (previous.is_object() && previous.contains("fields")) Collect(previous.at("fields"), "");
  }

  // Every column Iceberg cannot hold is named, not only the first: the
  // producer fixes them in one contract version.
  Result<json> Fields(const std::vector<Column>& columns) {
    json fields = json::array();
    std::vector<std::string> refused;
    for (const Column& c : columns) {
      Result<json> f = Field(c.name, c.duckdb_type, c.name, c.name);
      if (f.ok())
        fields.push_back(std::move(*f));
      else if (f.status().code() == StatusCode::kInvalidArgument)
        refused.push_back(f.status().message());
      else
        return f.status();
    }
    if (!refused.empty()) return Status::InvalidArgument(Join(refused, "; "));
    return fields;
  }

 private:
  // The ids of a previous schema, by path.
  void Collect(const json& fields, const std::string& prefix) {
    for (const auto& f : fields) {
      const std::string path = prefix + f.at("name").get<std::string>();
      ids_[path] = f.at("id").get<int>();
      CollectType(f.at("type"), path);
    }
  }
  void CollectType(const json& t, const std::string& path) {
    if (!t.is_object()) return;
    const std::string kind = t.value("type", "");
    if (kind == "struct") Collect(t.at("fields"), path + kSep);
    if (kind == "list") {
      ids_[path + kSep + "element"] = t.at("element-id").get<int>();
      CollectType(t.at("element"), path + kSep + "element");
    }
    if (kind == "map") {
      ids_[path + kSep + "key"] = t.at("key-id").get<int>();
      ids_[path + kSep + "value"] = t.at("value-id").get<int>();
      CollectType(t.at("key"), path + kSep + "key");
      CollectType(t.at("value"), path + kSep + "value");
    }
  }
  int Id(const std::string& path) {
    auto it = ids_.find(path);
    if (it != ids_.end()) return it->second;
    return ids_[path] = next_id_++;
  }

  Result<json> Field(const std::string& name, const std::string& type, const std::string& path, const std::string& column) {
    const int id = Id(path);
    ASSIGN_OR_RETURN(json t, Type(type, path, column));
    return json{{"id", id}, {"name", name}, {"required", false}, {"type", std::move(t)}};
  }

  Result<json> Type(const std::string& raw, const std::string& path, const std::string& column) {
    const std::string type(Trim(raw));
    const std::string upper = Upper(type);
    if (!type.empty() && type.back() == ']') {  // T[] or T[N]: a list
      int depth = 0;
      size_t open = std::string::npos;
      for (size_t i = type.size(); i-- > 0;) {
        if (type[i] == ']') ++depth;
        if (type[i] == '[' && --depth == 0) {
          open = i;
          break;
        }
      }
      if (open == std::string::npos) return Unsupported(type, column);
      const std::string element_path = path + kSep + "element";
      const int element_id = Id(element_path);
      ASSIGN_OR_RETURN(json element, Type(type.substr(0, open), element_path, column));
      return json{{"type", "list"}, {"element-id", element_id}, {"element-required", false}, {"element", std::move(element)}};
    }
    if (upper.starts_with("STRUCT(") && upper.back() == ')') {
      json fields = json::array();
      for (const std::string& member : SplitTopLevel(std::string_view(type).substr(7, type.size() - 8))) {
        auto [name, member_type] = SplitMember(member);
        ASSIGN_OR_RETURN(json f, Field(name, member_type, path + kSep + name, column));
        fields.push_back(std::move(f));
      }
      return json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    if (upper.starts_with("MAP(") && upper.back() == ')') {
      const auto kv = SplitTopLevel(std::string_view(type).substr(4, type.size() - 5));
      if (kv.size() != 2) return Unsupported(type, column);
      const int key_id = Id(path + kSep + "key");
      const int value_id = Id(path + kSep + "value");
      ASSIGN_OR_RETURN(json key, Type(kv[0], path + kSep + "key", column));
      ASSIGN_OR_RETURN(json value, Type(kv[1], path + kSep + "value", column));
      return json{{"type", "map"},       {"key-id", key_id},          {"key", std::move(key)},
                  {"value-id", value_id}, {"value", std::move(value)}, {"value-required", false}};
    }
    int precision = 0, scale = 0;
    if (std::sscanf(upper.c_str(), "DECIMAL(%d,%d)", &precision, &scale) == 2 && precision <= 38)
      return json(fmt::format("decimal({}, {})", precision, scale));
    static const std::map<std::string, std::string> kPrimitive = {
        {"BOOLEAN", "boolean"},   {"TINYINT", "int"},    {"SMALLINT", "int"},  {"INTEGER", "int"},
        {"UTINYINT", "int"},      {"USMALLINT", "int"},  {"BIGINT", "long"},   {"UINTEGER", "long"},
        {"FLOAT", "float"},       {"DOUBLE", "double"},  {"DATE", "date"},     {"TIME", "time"},
        {"TIMESTAMP", "timestamp"}, {"TIMESTAMP WITH TIME ZONE", "timestamptz"}, {"VARCHAR", "string"},
        {"BLOB", "binary"},       {"UUID", "uuid"}};
    auto it = kPrimitive.find(upper);
    if (it == kPrimitive.end()) return Unsupported(type, column);
    return json(it->second);
  }

  static Status Unsupported(const std::string& type, const std::string& column) {
    return Status::InvalidArgument(
        fmt::format("column '{}' has DuckDB type {}, which an Iceberg v2 table cannot hold: declare {}", column, type,
                    Instead(Upper(type))));
  }

  // What to declare instead of a type Iceberg v2 has no counterpart for.
  static std::string Instead(const std::string& type) {
    if (type == "HUGEINT" || type == "UHUGEINT" || type == "VARINT" || type == "BIGNUM")
      return "DECIMAL(38,0) (up to 38 digits)";
    if (type == "UBIGINT") return "BIGINT (values below 2^63) or DECIMAL(20,0)";
    if (type == "INTERVAL") return "a BIGINT count of one unit (seconds, days) or VARCHAR";
    if (type.starts_with("TIMESTAMP_")) return "TIMESTAMP (microseconds)";
    if (type.starts_with("TIME ") || type.starts_with("TIME_")) return "TIME (microseconds, no time zone)";
    if (type.starts_with("UNION(")) return "a STRUCT with a field per member";
    if (type.starts_with("DECIMAL(")) return "a DECIMAL of at most 38 digits";
    return "a type Iceberg has (BOOLEAN, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, VARCHAR, BLOB, UUID, "
           "or a list, struct or map of those)";
  }

  std::map<std::string, int> ids_;
  int next_id_;
};

void MaxId(const json& t, int* max) {
  if (!t.is_object()) return;
  const std::string kind = t.value("type", "");
  if (kind == "struct") {
    for (const auto& f : t.at("fields")) {
      *max = std::max(*max, f.at("id").get<int>());
      MaxId(f.at("type"), max);
    }
  } else if (kind == "list") {
    *max = std::max(*max, t.at("element-id").get<int>());
    MaxId(t.at("element"), max);
  } else if (kind == "map") {
    *max = std::max({*max, t.at("key-id").get<int>(), t.at("value-id").get<int>()});
    MaxId(t.at("key"), max);
    MaxId(t.at("value"), max);
  }
}


// The FIELD_IDS value of one type: a bare id for a primitive, else a struct
// literal with __duckdb_field_id and the children's.
std::string IdsOf(int id, const json& t) {
  if (!t.is_object()) return std::to_string(id);
  std::vector<std::string> parts = {"__duckdb_field_id: " + std::to_string(id)};
  const std::string kind = t.at("type").get<std::string>();
  if (kind == "struct")
    for (const auto& f : t.at("fields")) parts.push_back(SqlIdent(f.at("name").get<std::string>()) + ": " + IdsOf(f.at("id").get<int>(), f.at("type")));
  if (kind == "list") parts.push_back("element: " + IdsOf(t.at("element-id").get<int>(), t.at("element")));
  if (kind == "map") {
    parts.push_back("key: " + IdsOf(t.at("key-id").get<int>(), t.at("key")));
    parts.push_back("value: " + IdsOf(t.at("value-id").get<int>(), t.at("value")));
  }
  return "{" + Join(parts, ", ") + "}";
}

json MappingOf(const json& fields);
json MappingOfType(const json& t) {
  if (!t.is_object()) return json();
  const std::string kind = t.at("type").get<std::string>();
  if (kind == "struct") return MappingOf(t.at("fields"));
  json out = json::array();
  auto child = [&](const char* name, const json& id, const json& type) {
    json m = {{"field-id", id}, {"names", json::array({name})}};
    json nested = MappingOfType(type);
    if (!nested.is_null()) m["fields"] = nested;
    out.push_back(std::move(m));
  };
  if (kind == "list") child("element", t.at("element-id"), t.at("element"));
  if (kind == "map") {
    child("key", t.at("key-id"), t.at("key"));
    child("value", t.at("value-id"), t.at("value"));
  }
  return out;
}
json MappingOf(const json& fields) {
  json out = json::array();
  for (const auto& f : fields) {
    json m = {{"field-id", f.at("id")}, {"names", json::array({f.at("name")})}};
    json nested = MappingOfType(f.at("type"));
    if (!nested.is_null()) m["fields"] = nested;
    out.push_back(std::move(m));
  }
  return out;
}

// A primitive field stats can be kept for: top level or inside structs
// only (list elements and map entries repeat, so their counts are not the
// file's rows).
struct StatColumn {
  int id;
  std::string type;           // Iceberg
  std::string path_in_schema;  // DuckDB's parquet_metadata spelling: "st, x"
};
void StatColumns(const json& fields, const std::string& prefix, std::vector<StatColumn>* out) {
  for (const auto& f : fields) {
    const std::string path = prefix + f.at("name").get<std::string>();
    const json& t = f.at("type");
    if (t.is_string()) out->push_back({f.at("id").get<int>(), t.get<std::string>(), path});
    else if (t.at("type") == "struct") StatColumns(t.at("fields"), path + ", ", out);
  }
}

// The DuckDB type a footer's stats text is cast to, and the expression that
// turns the typed bound into the text EncodeBound takes.
std::pair<std::string, std::string> BoundSql(const std::string& type) {
  if (type == "boolean") return {"BOOLEAN", "CAST(@ AS VARCHAR)"};
  if (type == "int") return {"INTEGER", "CAST(@ AS VARCHAR)"};
  if (type == "long") return {"BIGINT", "CAST(@ AS VARCHAR)"};
  if (type == "float") return {"REAL", "CAST(@ AS VARCHAR)"};
  if (type == "double") return {"DOUBLE", "CAST(@ AS VARCHAR)"};
  if (type == "date") return {"DATE", "CAST(@ - DATE '1970-01-01' AS VARCHAR)"};
  if (type == "time") return {"TIME", "CAST(date_diff('microsecond', TIME '00:00:00', @) AS VARCHAR)"};
  if (type == "timestamp") return {"TIMESTAMP", "CAST(epoch_us(@) AS VARCHAR)"};
  if (type == "timestamptz") return {"TIMESTAMPTZ", "CAST(epoch_us(@) AS VARCHAR)"};
  if (type == "string") return {"VARCHAR", "@"};
  if (type == "uuid") return {"UUID", "CAST(@ AS VARCHAR)"};
  if (type.starts_with("decimal(")) return {Upper(type), "CAST(@ AS VARCHAR)"};
  return {"", ""};  // binary: no bounds (see EncodeBound)
}

}  // namespace

Result<std::vector<Column>> DescribeColumns(engine::Connection& conn, const std::string& select_sql) {
  ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query("DESCRIBE " + select_sql));
  ASSIGN_OR_RETURN(auto rows, r.FetchAllAsStrings());
  std::vector<Column> columns;
  for (const auto& row : rows) {
    if (row.size() < 2 || !row[0] || !row[1]) return Status::Internal("DESCRIBE returned a row without name or type");
    columns.push_back({*row[0], *row[1]});
  }
  return columns;
}

Result<json> IcebergSchema(const std::vector<Column>& columns, const json& previous, int last_column_id,
                           int last_schema_id) {
  SchemaBuilder builder(previous, std::max(last_column_id, previous.is_object() ? HighestFieldId(previous) : 0));
  ASSIGN_OR_RETURN(json fields, builder.Fields(columns));
  int schema_id = 0;
  if (previous.is_object() && previous.contains("schema-id")) {
    schema_id = previous.at("schema-id").get<int>();
    if (previous.at("fields") != fields) schema_id = std::max(schema_id, last_schema_id) + 1;
  }
  return json{{"type", "struct"}, {"schema-id", schema_id}, {"fields", std::move(fields)}};
}

int HighestFieldId(const json& schema) {
  int max = 0;
  MaxId(schema, &max);
  return max;
}

std::string FieldIdsOption(const json& schema) {
  std::vector<std::string> parts;
  for (const auto& f : schema.at("fields")) parts.push_back(SqlIdent(f.at("name").get<std::string>()) + ": " + IdsOf(f.at("id").get<int>(), f.at("type")));
  return "{" + Join(parts, ", ") + "}";
}

json NameMapping(const json& schema) { return MappingOf(schema.at("fields")); }

std::string FileUri(const std::string& absolute_path) {
  std::string out = "file://";
  for (unsigned char c : absolute_path) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

Result<std::vector<DataFile>> FileStats(engine::Connection& conn, const json& schema, const std::vector<std::string>& paths) {
  std::vector<DataFile> files;
  if (paths.empty()) return files;
  std::map<std::string, size_t> index;
  std::vector<std::string> quoted;
  for (const auto& p : paths) {
    DataFile f;
    f.file_path = FileUri(p);
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) return Status::IoError(fmt::format("size of data file {}: {}", p, ec.message()));
    f.file_size_in_bytes = static_cast<int64_t>(size);
    index[p] = files.size();
    files.push_back(std::move(f));
    quoted.push_back(SqlQuote(p));
  }
  const std::string source = "parquet_metadata([" + Join(quoted, ", ") + "])";
  {
    ASSIGN_OR_RETURN(engine::QueryResult r,
                     conn.Query("SELECT file_name, CAST(sum(row_group_num_rows) AS VARCHAR) FROM (SELECT DISTINCT file_name, "
                                "row_group_id, row_group_num_rows FROM " + source + ") GROUP BY file_name"));
    ASSIGN_OR_RETURN(auto rows, r.FetchAllAsStrings());
    for (const auto& row : rows) {
      auto it = index.find(row[0].value_or(""));
      if (it == index.end()) return Status::Internal("parquet_metadata named a file it was not given: " + row[0].value_or(""));
      files[it->second].record_count = std::stoll(row[1].value_or("0"));
    }
  }
  std::vector<StatColumn> columns;
  StatColumns(schema.at("fields"), "", &columns);
  std::vector<std::string> selects;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& [sql_type, to_text] = BoundSql(columns[i].type);
    auto bound = [&](const char* stat, const char* agg) {
      if (sql_type.empty()) return std::string("NULL");
      std::string sql = to_text;
      sql.replace(sql.find('@'), 1, fmt::format("{}(TRY_CAST({} AS {}))", agg, stat, sql_type));
      return sql;
    };
    // A row group without a stat is fine only when all its values are null;
    // a stat that does not cast, or an inexact max, leaves the bound out.
    const std::string cast_ok =
        sql_type.empty() ? "false" : fmt::format("count(TRY_CAST(stats_min_value AS {0})) = count(stats_min_value) AND "
                                                 "count(TRY_CAST(stats_max_value AS {0})) = count(stats_max_value)",
                                                 sql_type);
    selects.push_back(fmt::format(
        "SELECT file_name, {} AS i, CAST(sum(num_values) AS VARCHAR), "
        "CASE WHEN count(stats_null_count) = count(*) THEN CAST(sum(stats_null_count) AS VARCHAR) END, "
        "CAST(sum(total_compressed_size) AS VARCHAR), "
        "CASE WHEN {} AND bool_and(stats_min_value IS NOT NULL OR stats_null_count = num_values) THEN {} END, "
        "CASE WHEN {} AND bool_and((stats_max_value IS NOT NULL AND max_is_exact IS NOT FALSE) OR stats_null_count = num_values) "
        "THEN {} END "
        "FROM {} WHERE path_in_schema = {} GROUP BY file_name",
        i, cast_ok, bound("stats_min_value", "min"), cast_ok, bound("stats_max_value", "max"), source,
        SqlQuote(columns[i].path_in_schema)));
  }
  if (selects.empty()) return files;
  ASSIGN_OR_RETURN(engine::QueryResult r, conn.Query(Join(selects, " UNION ALL ")));
  ASSIGN_OR_RETURN(auto rows, r.FetchAllAsStrings());
  for (const auto& row : rows) {
    auto it = index.find(row[0].value_or(""));
    if (it == index.end()) return Status::Internal("parquet_metadata named a file it was not given: " + row[0].value_or(""));
    DataFile& f = files[it->second];
    const StatColumn& c = columns[std::stoul(row[1].value_or("0"))];
    if (row[2]) f.value_counts[c.id] = std::stoll(*row[2]);
    if (row[3]) f.null_value_counts[c.id] = std::stoll(*row[3]);
    if (row[4]) f.column_sizes[c.id] = std::stoll(*row[4]);
    for (auto [text, out, lower] : {std::tuple{&row[5], &f.lower_bounds, true}, std::tuple{&row[6], &f.upper_bounds, false}}) {
      if (!*text) continue;
      std::string value = **text;
      // -0.0 sorts before +0.0 (spec): a zero lower bound is -0.0, a zero upper +0.0.
      if ((c.type == "float" || c.type == "double") && std::strtod(value.c_str(), nullptr) == 0.0)
        value = lower ? "-0.0" : "0.0";
      ASSIGN_OR_RETURN(std::optional<std::string> b, EncodeBound(c.type, value));
      if (b) (*out)[c.id] = std::move(*b);
    }
  }
  return files;
}

}  // namespace weft::lakehouse
