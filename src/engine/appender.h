// Bulk row insertion into one table, bypassing SQL parsing per row: the fast
// path for loading staging tables.
//
//   RETURN_IF_ERROR(conn.Execute("CREATE TABLE t (id BIGINT, name VARCHAR)"));
//   ASSIGN_OR_RETURN(Appender app, conn.CreateAppender("", "t"));
//   for (const auto& [id, name] : rows) {
//     RETURN_IF_ERROR(app.Append(id));
//     RETURN_IF_ERROR(app.Append(name));
//     RETURN_IF_ERROR(app.EndRow());
//   }
//   RETURN_IF_ERROR(app.Close());  // flushes; constraint errors show up here
//
// Rows are buffered and written on Flush(), Close() or destruction. The
// destructor also flushes complete rows (DuckDB's behaviour) but cannot report
// a failure, so call Close() whenever the outcome matters. After any error the
// appender is invalid: DuckDB discards the buffered rows and refuses more.
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace weft::engine {

// An appender on one table of one Connection.
// Thread safety: not thread-safe, and shares its Connection's session, so use
// it only on the thread currently using that Connection.
class Appender {
 public:
  Appender(Appender&& other) noexcept;
  Appender& operator=(Appender&& other) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  size_t column_count() const;

  // Values go to the next column of the current row; DuckDB converts them to
  // the column's type immediately and fails with its conversion message.
  Status Append(int64_t value);
  Status Append(int32_t value);
  Status Append(double value);
  Status Append(bool value);
  Status Append(std::string_view value);
  // See PreparedStatement::Bind(const char*): keeps literals off Append(bool).
  Status Append(const char* value) { return Append(std::string_view(value)); }
  Status Append(std::nullptr_t);  // SQL NULL

  // Ends the current row; every column must have received a value.
  Status EndRow();
  // Writes the buffered rows to the table.
  Status Flush();
  // Flushes and closes; further appends fail. Idempotent: a repeated call
  // returns the first call's outcome.
  Status Close();

  duckdb_appender handle() const { return appender_; }

 private:
  friend class Connection;
  explicit Appender(duckdb_appender appender) : appender_(appender) {}
  // DuckDB's message for the last failed call on this appender.
  Status Check(duckdb_state state, std::string_view action) const;
  void Destroy();

  duckdb_appender appender_ = nullptr;
  bool closed_ = false;
  Status close_status_;
};

}  // namespace weft::engine
