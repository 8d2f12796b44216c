// Iceberg schemas of weft snapshots, and what is derived from them: the
// Parquet field ids DuckDB writes, the name mapping for files written before
// weft wrote field ids, and each data file's manifest stats read from its
// Parquet footer. Internal to lakehouse/ (table_metadata.h is the API).
//
// Types: BOOLEAN boolean; TINYINT/SMALLINT/INTEGER/UTINYINT/USMALLINT int;
// BIGINT/UINTEGER long; FLOAT float; DOUBLE double; DECIMAL(p,s)
// decimal(p,s); DATE date; TIME time; TIMESTAMP timestamp; TIMESTAMP WITH
// TIME ZONE timestamptz; VARCHAR string; BLOB binary; UUID uuid; T[] list;
// STRUCT struct; MAP map. Anything else (HUGEINT, UBIGINT, INTERVAL,
// TIMESTAMP_NS, unions, ...) has no Iceberg v2 type: IcebergSchema returns
// InvalidArgument naming every such column and what to declare instead (and
// that is the only InvalidArgument it returns: callers read it as "this is no
// Iceberg snapshot", table_metadata.h).
//
// Thread safety: pure functions (FileStats uses the caller's connection).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/connection.h"
#include "lakehouse/manifest.h"

namespace weft::lakehouse {

struct Column {
  std::string name;
  std::string duckdb_type;  // as DESCRIBE spells it: "DECIMAL(12,2)", "STRUCT(a INTEGER, \"b c\" VARCHAR)[]"
};

// The columns of a SELECT or of Parquet files, from DuckDB's DESCRIBE.
Result<std::vector<Column>> DescribeColumns(engine::Connection& conn, const std::string& select_sql);

// The Iceberg schema ({"type": "struct", "schema-id", "fields"}) of
// `columns`. Field ids are stable per table: a field found in `previous` (a
// schema of the same table, or null) by its path of names keeps its id, a
// new one gets the next id above both `last_column_id` (the highest the
// table ever used: a dropped column's id is never reused) and previous's.
// The schema id is previous's when nothing changed, else one above both
// previous's and `last_schema_id` (the highest the table used: a rollback
// can make an older schema current, and a later change must not reuse an
// id); 0 for the first.
Result<nlohmann::json> IcebergSchema(const std::vector<Column>& columns, const nlohmann::json& previous,
                                     int last_column_id, int last_schema_id = 0);

// The highest field id in a schema (table metadata's last-column-id).
int HighestFieldId(const nlohmann::json& schema);

// DuckDB's COPY option value for the schema's ids: {a: 1, "l": {__duckdb_field_id: 2, element: 3}}.
std::string FieldIdsOption(const nlohmann::json& schema);

// schema.name-mapping.default: every field's id by its name, so readers map
// Parquet files without field ids (written before weft had them) by name.
nlohmann::json NameMapping(const nlohmann::json& schema);

// Manifest stats of Parquet files from their footers (DuckDB's
// parquet_metadata, never a scan): record count, size, per-column sizes,
// value and null counts, and bounds of the top-level and struct-nested
// primitive columns in Iceberg's binary form. A bound the footer does not
// give exactly is left out. Paths are absolute; the DataFiles' file_path is
// their file:// URI.
Result<std::vector<DataFile>> FileStats(engine::Connection& conn, const nlohmann::json& schema,
                                        const std::vector<std::string>& paths);

// Iceberg's binary single-value form of a bound from DuckDB's text of it
// (CAST(x AS VARCHAR), with dates as days, times and timestamps as
// microseconds). std::nullopt when the type's bounds are not written.
Result<std::optional<std::string>> EncodeBound(std::string_view iceberg_type, std::string_view text);

// "file:///abs/path" with the characters a URI cannot hold as such percent-encoded.
std::string FileUri(const std::string& absolute_path);

}  // namespace weft::lakehouse
