// A statement parsed and planned once, run many times with different
// parameter values — the only safe way to put user-supplied values into SQL.
//
//   ASSIGN_OR_RETURN(PreparedStatement stmt,
//                    conn.Prepare("SELECT * FROM t WHERE id = ? AND name = ?"));
//   RETURN_IF_ERROR(stmt.Bind(1, int64_t{42}));
//   RETURN_IF_ERROR(stmt.Bind(2, "alice"));
//   ASSIGN_OR_RETURN(QueryResult rows, stmt.Execute());
//   stmt.ClearBindings();  // bindings otherwise persist to the next Execute
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "engine/query_result.h"

namespace weft::engine {

// A prepared statement of one Connection.
// Thread safety: not thread-safe, and shares its Connection's session, so use
// it only on the thread currently using that Connection.
class PreparedStatement {
 public:
  PreparedStatement(PreparedStatement&& other) noexcept;
  PreparedStatement& operator=(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  size_t parameter_count() const { return parameter_count_; }

  // Parameters are numbered from 1. An index outside 1..parameter_count() is
  // an InvalidArgument. DuckDB converts the value to the parameter's type at
  // Execute time.
  Status Bind(size_t index, int64_t value);
  Status Bind(size_t index, int32_t value);
  Status Bind(size_t index, int16_t value);
  Status Bind(size_t index, double value);
  Status Bind(size_t index, float value);
  Status Bind(size_t index, bool value);
  Status Bind(size_t index, std::string_view value);
  // Without this overload a string literal would pick Bind(bool): the
  // pointer-to-bool conversion beats the conversion to string_view.
  Status Bind(size_t index, const char* value) { return Bind(index, std::string_view(value)); }
  Status Bind(size_t index, std::nullptr_t);  // SQL NULL

  Status ClearBindings();
  // Runs with the current bindings; every parameter must be bound.
  Result<QueryResult> Execute();

  // What the statement returns, known before it runs: its columns' names
  // and types (TypeText spelling, "" where the type depends on a parameter
  // DuckDB could not type), and the type DuckDB inferred for parameter
  // `index` (from 1) from where it is used ("" when nothing tells).
  size_t column_count() const;
  std::string column_name(size_t col) const;
  std::string column_type_text(size_t col) const;
  std::string parameter_type_text(size_t index) const;

  // Whether the statement is a query that only reads (a SELECT), as
  // DuckDB's parser classified it.
  bool IsSelect() const;

  duckdb_prepared_statement handle() const { return stmt_; }

 private:
  friend class Connection;
  explicit PreparedStatement(duckdb_prepared_statement stmt);
  // Turns a failed duckdb_bind_* into a message naming the parameter.
  Status CheckBind(size_t index, duckdb_state state, const char* type) const;
  void Destroy();

  duckdb_prepared_statement stmt_ = nullptr;
  size_t parameter_count_ = 0;
};

}  // namespace weft::engine
