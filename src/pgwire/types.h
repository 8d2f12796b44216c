// PostgreSQL's view of DuckDB's types, for the wire protocol endpoint
// (docs/sql-endpoint.md, "Types"): the type a column is described as, the
// text and binary forms of its values, and the values of parameters a
// client sends.
//
//   PgType t = PgTypeOf("DECIMAL(18,2)");           // numeric, typmod (18 << 16 | 2) + 4
//   std::optional<std::string> text = PgText(t, "DECIMAL(18,2)", "1.50");   // "1.50"
//   PgText(PgTypeOf("BOOLEAN"), "BOOLEAN", "true");                          // "t"
//   PgText(PgTypeOf("VARCHAR[]"), "VARCHAR[]", "[a, 'a,b', NULL]");         // {a,"a,b",NULL}
//   ASSIGN_OR_RETURN(std::string bytes, PgBinary(t4, "INTEGER", "42"));      // 00 00 00 2a
//   ASSIGN_OR_RETURN(auto value, DecodeBinaryParameter(kInt4Oid, bytes));   // "42", bound as $n
//
// Values come in as the governed query path hands them out: DuckDB's own
// VARCHAR rendering of each cell (engine::DataChunk::GetAsString), with the
// column's DuckDB type text (query::QueryAnswer::column_types). Every
// function here is a pure conversion between those and PostgreSQL's formats
// (PostgreSQL's defaults: DateStyle ISO, IntervalStyle postgres,
// bytea_output hex, extra_float_digits 1, TimeZone UTC).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::pgwire {

// PostgreSQL's type OIDs (src/include/catalog/pg_type.dat) that weft uses.
inline constexpr uint32_t kBoolOid = 16;
inline constexpr uint32_t kByteaOid = 17;
inline constexpr uint32_t kNameOid = 19;
inline constexpr uint32_t kInt8Oid = 20;
inline constexpr uint32_t kInt2Oid = 21;
inline constexpr uint32_t kInt4Oid = 23;
inline constexpr uint32_t kTextOid = 25;
inline constexpr uint32_t kOidOid = 26;
inline constexpr uint32_t kJsonOid = 114;
inline constexpr uint32_t kFloat4Oid = 700;
inline constexpr uint32_t kFloat8Oid = 701;
inline constexpr uint32_t kUnknownOid = 705;
inline constexpr uint32_t kBpcharOid = 1042;
inline constexpr uint32_t kVarcharOid = 1043;
inline constexpr uint32_t kDateOid = 1082;
inline constexpr uint32_t kTimeOid = 1083;
inline constexpr uint32_t kTimestampOid = 1114;
inline constexpr uint32_t kTimestamptzOid = 1184;
inline constexpr uint32_t kIntervalOid = 1186;
inline constexpr uint32_t kTimetzOid = 1266;
inline constexpr uint32_t kNumericOid = 1700;
inline constexpr uint32_t kUuidOid = 2950;
inline constexpr uint32_t kJsonbOid = 3802;
// Arrays of the above.
inline constexpr uint32_t kBoolArrayOid = 1000;
inline constexpr uint32_t kByteaArrayOid = 1001;
inline constexpr uint32_t kInt2ArrayOid = 1005;
inline constexpr uint32_t kInt4ArrayOid = 1007;
inline constexpr uint32_t kTextArrayOid = 1009;
inline constexpr uint32_t kVarcharArrayOid = 1015;
inline constexpr uint32_t kInt8ArrayOid = 1016;
inline constexpr uint32_t kFloat4ArrayOid = 1021;
inline constexpr uint32_t kFloat8ArrayOid = 1022;
inline constexpr uint32_t kTimestampArrayOid = 1115;
inline constexpr uint32_t kDateArrayOid = 1182;
inline constexpr uint32_t kTimeArrayOid = 1183;
inline constexpr uint32_t kTimestamptzArrayOid = 1185;
inline constexpr uint32_t kIntervalArrayOid = 1187;
inline constexpr uint32_t kNumericArrayOid = 1231;
inline constexpr uint32_t kTimetzArrayOid = 1270;
inline constexpr uint32_t kUuidArrayOid = 2951;
inline constexpr uint32_t kJsonArrayOid = 199;

// A column's (or parameter's) type as a RowDescription states it.
struct PgType {
  uint32_t oid = kTextOid;
  int16_t size = -1;      // pg_type.typlen: bytes of a fixed-size type, -1 for a variable one
  int32_t modifier = -1;  // atttypmod: ((precision << 16) | scale) + 4 for numeric, else -1
  std::string name;       // pg_type.typname: "int4", "numeric", "_text"
  uint32_t element_oid = 0;  // an array's element type (pg_type.typelem); 0 for a scalar

  bool operator==(const PgType&) const = default;
};

// The PostgreSQL type of a column of DuckDB type `duckdb_type` (as DuckDB
// spells it: "INTEGER", "DECIMAL(18,2)", "VARCHAR[]", "STRUCT(a INTEGER)",
// "TIMESTAMP WITH TIME ZONE"). The table is in docs/sql-endpoint.md:
// unsigned integers widen to the next signed type (UBIGINT, HUGEINT and
// UHUGEINT to numeric); lists of a scalar type become its array type;
// STRUCT, MAP, UNION and lists of those or of lists become json (their
// values are sent as JSON text), ENUM and anything else text. "" (a type
// DuckDB could not infer) is text.
PgType PgTypeOf(std::string_view duckdb_type);

// The text format (PostgreSQL's output function) of a value DuckDB
// rendered as `duckdb_value`; std::nullopt (SQL NULL) stays NULL.
// Booleans t/f; doubles shortest round-trip (NaN, Infinity); bytea \x hex;
// intervals "1 year 2 mons 3 days 04:05:06"; BC dates "0044-03-15 BC";
// arrays {1,2,NULL} with PostgreSQL's quoting; json values as JSON text.
// A value that does not parse as its type (which DuckDB never produces) is
// sent as DuckDB rendered it.
std::optional<std::string> PgText(const PgType& type, std::string_view duckdb_type,
                                  const std::optional<std::string>& duckdb_value);

// Whether PgBinary can encode values of `type`: bool, int2/4/8, float4/8,
// text/varchar/name/json, bytea, date, time, timestamp(tz), interval,
// uuid — not numeric, json (jsonb) or arrays, which clients read as text.
bool HasBinaryFormat(const PgType& type);

// The binary format (PostgreSQL's send function) of a non-NULL value (a
// NULL is a -1 length on the wire, no bytes). FailedPrecondition for a type
// without one (the protocol answers 0A000, feature_not_supported);
// InvalidArgument if `duckdb_value` does not parse as the type.
Result<std::string> PgBinary(const PgType& type, std::string_view duckdb_type, std::string_view duckdb_value);

// The DuckDB type a parameter declared with PostgreSQL type `oid` binds as
// (query::QueryRequest::parameter_types): "INTEGER" for int4, "VARCHAR" for
// text. "" for 0 (unspecified), unknown and any OID weft has no mapping for:
// DuckDB then infers the type from where the parameter is used.
std::string DuckDbTypeForOid(uint32_t oid);

// The OID a ParameterDescription states for a parameter DuckDB typed as
// `duckdb_type` (query::QueryAnswer::parameter_types); text for "".
uint32_t ParameterOid(std::string_view duckdb_type);

// The text of a parameter sent in binary format (bool, int2/4/8, float4/8,
// text/varchar/name/unknown/json, bytea as \xHH escapes, date, timestamp,
// timestamptz, uuid), ready to bind. A NULL parameter never gets here (the
// protocol passes std::nullopt itself); the result is always a value.
// InvalidArgument for a length that does not fit the type, text that is not
// UTF-8, or an OID with no binary decoding here (0 included: a client that
// sends binary must say what it is).
Result<std::optional<std::string>> DecodeBinaryParameter(uint32_t oid, std::string_view bytes);

}  // namespace weft::pgwire
