// Type names across the formats weft imports and exports: the ODCS logical
// type of a type written in SQL (DuckDB or PostgreSQL), dbt's data_type, JSON
// Schema or the simple format, and the PostgreSQL spelling of a DuckDB type.
//
//   LogicalTypeOf("character varying(20)") == "string"
//   LogicalTypeOf("NUMERIC(10, 2)") == "number"
//   PostgresTypeOf("DOUBLE") == "double precision"
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace weft::interop {

// "" when the name is no type weft knows.
std::string LogicalTypeOf(std::string_view type_name);

// A DuckDB type (as DuckDB prints it: "VARCHAR", "DECIMAL(10,2)",
// "INTEGER[]", "TIMESTAMP WITH TIME ZONE", "STRUCT(a INTEGER)") in
// PostgreSQL's words; nested types (STRUCT, MAP, UNION) become jsonb.
std::string PostgresTypeOf(std::string_view duckdb_type);

}  // namespace weft::interop
