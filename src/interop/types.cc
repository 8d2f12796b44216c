#include "interop/types.h"

#include <map>

#include "common/strings.h"

namespace weft::interop {

namespace {

// "numeric(10, 2)" -> "numeric"; "integer[]" keeps its brackets for the caller.
std::string BaseName(std::string_view type_name) {
  std::string t = ToLower(Trim(type_name));
  if (auto paren = t.find('('); paren != std::string::npos) t = std::string(Trim(t.substr(0, paren)));
  return t;
}

}  // namespace

std::string LogicalTypeOf(std::string_view type_name) {
  std::string t = ToLower(Trim(type_name));
  if (EndsWith(t, "[]") || StartsWith(t, "array") || StartsWith(t, "list")) return "array";
  t = BaseName(t);
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      // strings
      {"string", "string"}, {"str", "string"}, {"text", "string"}, {"varchar", "string"}, {"char", "string"},
      {"character", "string"}, {"character varying", "string"}, {"bpchar", "string"}, {"nvarchar", "string"},
      {"uuid", "string"}, {"json", "string"}, {"jsonb", "string"}, {"enum", "string"}, {"blob", "string"},
      {"bytea", "string"}, {"binary", "string"}, {"varbinary", "string"}, {"bytes", "string"},
      // integers
      {"integer", "integer"}, {"int", "integer"}, {"bigint", "integer"}, {"smallint", "integer"},
      {"tinyint", "integer"}, {"hugeint", "integer"}, {"uhugeint", "integer"}, {"ubigint", "integer"},
      {"uinteger", "integer"}, {"usmallint", "integer"}, {"utinyint", "integer"}, {"int2", "integer"},
      {"int4", "integer"}, {"int8", "integer"}, {"int16", "integer"}, {"int32", "integer"}, {"int64", "integer"},
      {"long", "integer"}, {"serial", "integer"}, {"bigserial", "integer"}, {"smallserial", "integer"},
      // numbers
      {"number", "number"}, {"numeric", "number"}, {"decimal", "number"}, {"double", "number"},
      {"double precision", "number"}, {"float", "number"}, {"float4", "number"}, {"float8", "number"},
      {"real", "number"}, {"float32", "number"}, {"float64", "number"}, {"money", "number"},
      // others
      {"boolean", "boolean"}, {"bool", "boolean"}, {"date", "date"}, {"timestamp", "timestamp"},
      {"datetime", "timestamp"}, {"timestamptz", "timestamp"}, {"timestamp with time zone", "timestamp"},
      {"timestamp without time zone", "timestamp"}, {"timestamp_s", "timestamp"}, {"timestamp_ms", "timestamp"},
      {"timestamp_ns", "timestamp"}, {"time", "time"}, {"timetz", "time"}, {"time with time zone", "time"},
      {"time without time zone", "time"}, {"object", "object"}, {"struct", "object"}, {"map", "object"},
      {"record", "object"}, {"dict", "object"},
  };
  auto it = kTypes.find(t);
  return it == kTypes.end() ? "" : it->second;
}

std::string PostgresTypeOf(std::string_view duckdb_type) {
  std::string t(Trim(duckdb_type));
  if (EndsWith(t, "[]")) return PostgresTypeOf(t.substr(0, t.size() - 2)) + "[]";
  std::string base = BaseName(t);
  std::string args = t.find('(') == std::string::npos ? "" : t.substr(t.find('('));
  if (base == "decimal" || base == "numeric") return "numeric" + args;
  if (base == "varchar" || base == "character varying") return args.empty() ? "text" : "varchar" + args;
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {"bigint", "bigint"}, {"integer", "integer"}, {"smallint", "smallint"}, {"tinyint", "smallint"},
      {"utinyint", "smallint"}, {"usmallint", "integer"}, {"uinteger", "bigint"}, {"ubigint", "numeric(20,0)"},
      {"hugeint", "numeric(39,0)"}, {"uhugeint", "numeric(39,0)"}, {"double", "double precision"},
      {"float", "real"}, {"boolean", "boolean"}, {"date", "date"}, {"time", "time"},
      {"time with time zone", "timetz"}, {"timestamp", "timestamp"}, {"timestamp with time zone", "timestamptz"},
      {"timestamp_s", "timestamp"}, {"timestamp_ms", "timestamp"}, {"timestamp_ns", "timestamp"},
      {"interval", "interval"}, {"uuid", "uuid"}, {"blob", "bytea"}, {"json", "jsonb"}, {"bit", "bit varying"},
  };
  if (auto it = kTypes.find(base); it != kTypes.end()) return it->second;
  // STRUCT, MAP, UNION, ENUM and anything else DuckDB-only: JSON text.
  return base == "enum" ? "text" : "jsonb";
}

}  // namespace weft::interop
