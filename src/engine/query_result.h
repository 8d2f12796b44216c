// Reading what a DuckDB query returned: a QueryResult hands out DataChunks
// (DuckDB's columnar batches of up to 2048 rows), whose cells are read by
// column and row index, typed or as text.
//
//   ASSIGN_OR_RETURN(QueryResult result, conn.Query("SELECT id, name FROM t"));
//   while (true) {
//     ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, result.NextChunk());
//     if (!chunk) break;
//     for (size_t row = 0; row < chunk->size(); ++row) {
//       if (chunk->IsNull(1, row)) continue;
//       Use(chunk->GetInt64(0, row), chunk->GetString(1, row));
//     }
//   }
//
//   // Small results and single values:
//   ASSIGN_OR_RETURN(auto rows, result.FetchAllAsStrings());
//   ASSIGN_OR_RETURN(int64_t n, conn.Query("SELECT count(*) FROM t")->ScalarInt64());
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::engine {

// Column types are DuckDB's own enum: weft does not invent a second type
// system. TypeName gives the SQL spelling for messages ("BIGINT").
using ColumnType = duckdb_type;
std::string_view TypeName(ColumnType type);
// A full logical type as DuckDB's typeof() spells it: "DECIMAL(18,2)",
// "INTEGER[]", "VARCHAR[3]", "STRUCT(a INTEGER, \"b c\" VARCHAR)",
// "MAP(VARCHAR, INTEGER)", "ENUM('a', 'b')", "JSON" (an alias wins). A
// field name is quoted unless it is a plain identifier (DuckDB also quotes
// keywords: STRUCT("select" INTEGER) reads STRUCT(select INTEGER) here).
// "" for a type DuckDB has not decided (a parameter's).
std::string TypeText(duckdb_logical_type type);

// One batch of result rows, owned. Cell accessors take a 0-based column and
// row; passing an index out of range, or calling a typed getter on a NULL
// cell or a column of an unsupported type, is a programmer error (asserted in
// debug builds, 0/empty in release).
// Thread safety: not thread-safe; distinct chunks may be used from distinct
// threads.
class DataChunk {
 public:
  DataChunk(DataChunk&& other) noexcept;
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;
  ~DataChunk();

  size_t size() const { return size_; }
  size_t column_count() const { return columns_.size(); }
  ColumnType column_type(size_t col) const { return columns_[col].type; }

  bool IsNull(size_t col, size_t row) const;
  // Any integer column (TINYINT .. UBIGINT, HUGEINT/UHUGEINT when in range)
  // and BOOLEAN.
  int64_t GetInt64(size_t col, size_t row) const;
  // As GetInt64, but std::nullopt (instead of an assert) when the column is
  // not an integer type or the value does not fit in int64_t.
  std::optional<int64_t> TryGetInt64(size_t col, size_t row) const;
  // FLOAT, DOUBLE, DECIMAL and the integer types.
  double GetDouble(size_t col, size_t row) const;
  bool GetBool(size_t col, size_t row) const;
  // VARCHAR (and BLOB bytes). The view points into the chunk and is valid
  // while the chunk lives.
  std::string_view GetString(size_t col, size_t row) const;
  // Any type, formatted exactly as DuckDB's CAST(x AS VARCHAR) does
  // ("2024-01-31", "1.5", "[1, 2]", "{'a': 1}"); "NULL" for a NULL cell (use
  // IsNull to tell it from the text 'NULL'). Implemented by rebuilding the
  // cell as a duckdb_value and asking DuckDB for its text, so dates, decimals,
  // nested types, etc. need no formatting code of ours. BIGNUM is the one
  // type the C API cannot rebuild; it yields "<BIGNUM>" — cast it in SQL.
  std::string GetAsString(size_t col, size_t row) const;

  duckdb_data_chunk handle() const { return chunk_; }

 private:
  friend class QueryResult;
  explicit DataChunk(duckdb_data_chunk chunk);
  void Destroy();

  struct Column {
    duckdb_vector vector = nullptr;
    ColumnType type = DUCKDB_TYPE_INVALID;
    const void* data = nullptr;
    const uint64_t* validity = nullptr;  // nullptr: no NULLs in this column
    // DECIMAL only, cached so GetDouble needs no logical-type round trip.
    uint8_t decimal_scale = 0;
    ColumnType decimal_storage = DUCKDB_TYPE_INVALID;
  };
  duckdb_data_chunk chunk_ = nullptr;
  size_t size_ = 0;
  std::vector<Column> columns_;
};

// The complete result of one statement. Rows are read once, front to back,
// chunk by chunk; the convenience readers consume the remaining chunks.
// Thread safety: not thread-safe; use from one thread at a time.
class QueryResult {
 public:
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  size_t column_count() const { return column_count_; }
  std::string column_name(size_t col) const;
  ColumnType column_type(size_t col) const;
  // The column's full type (TypeText): "DECIMAL(18,2)", not "DECIMAL".
  std::string column_type_text(size_t col) const;
  // Rows inserted/updated/deleted by an INSERT/UPDATE/DELETE; 0 otherwise.
  int64_t rows_changed() const;

  // The next chunk, or std::nullopt once all rows were read.
  Result<std::optional<DataChunk>> NextChunk();

  // All remaining rows, each cell as DataChunk::GetAsString text or
  // std::nullopt for NULL. Meant for small results (catalog, tests, CLI).
  Result<std::vector<std::vector<std::optional<std::string>>>> FetchAllAsStrings();
  // The single cell of a 1 x 1 result; an error for any other shape.
  Result<std::optional<std::string>> ScalarString();
  // As ScalarString, for an integer cell; a NULL is an error.
  Result<int64_t> ScalarInt64();

 private:
  friend class Connection;
  friend class PreparedStatement;
  // Takes ownership of a successfully executed result.
  explicit QueryResult(duckdb_result result);
  // Reads the single cell, or explains why the shape is not 1 x 1.
  Result<std::optional<DataChunk>> SingleCellChunk();
  void Destroy();

  // mutable: the C API takes duckdb_result* even for read-only calls.
  mutable duckdb_result result_{};
  bool owned_ = false;
  size_t column_count_ = 0;
};

}  // namespace weft::engine
