// A session on a DuckDB instance: runs SQL, prepares statements, creates
// appenders. Session state (transactions, TEMP views, SET values, prepared
// statements) belongs to one Connection and is invisible to others.
//
//   ASSIGN_OR_RETURN(Database db, Database::Open({}));
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open(db));
//   RETURN_IF_ERROR(conn.Execute("CREATE TABLE t (id BIGINT, name VARCHAR)"));
//   ASSIGN_OR_RETURN(PreparedStatement insert, conn.Prepare("INSERT INTO t VALUES (?, ?)"));
//   RETURN_IF_ERROR(insert.Bind(1, int64_t{7}));
//   RETURN_IF_ERROR(insert.Bind(2, "seven"));
//   ASSIGN_OR_RETURN(QueryResult r, insert.Execute());
//   ASSIGN_OR_RETURN(int64_t n, conn.Query("SELECT count(*) FROM t")->ScalarInt64());
#pragma once

#include <duckdb.h>

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/appender.h"
#include "engine/database.h"
#include "engine/prepared_statement.h"
#include "engine/query_result.h"

namespace weft::engine {

// One DuckDB connection.
// Thread safety: not thread-safe — use from one thread at a time (open one
// Connection per thread) — except Interrupt(), which any thread may call.
class Connection {
 public:
  static Result<Connection> Open(Database& db);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` (one or more ';'-separated statements) and drops any rows.
  Status Execute(std::string_view sql);
  // Runs `sql` and keeps the (fully materialized) result of the last
  // statement. DuckDB's error text is the Status message, e.g.
  // "Parser Error: syntax error at or near ...".
  Result<QueryResult> Query(std::string_view sql);
  // Runs `sql` only if it is exactly one SELECT (DuckDB's own parser
  // decides): COPY, ATTACH, SET, PRAGMA and every other statement are
  // InvalidArgument and never run. How untrusted SQL is run.
  Result<QueryResult> QuerySelect(std::string_view sql);
  // Prepares `sql` only if it is exactly one SELECT, as QuerySelect decides:
  // how untrusted SQL with parameters is run.
  Result<PreparedStatement> PrepareSelect(std::string_view sql);
  // Prepares one statement with `?` or `$1` parameters.
  Result<PreparedStatement> Prepare(std::string_view sql);
  // An appender for bulk inserts into schema.table; an empty schema means the
  // default schema ("main").
  Result<Appender> CreateAppender(std::string_view schema, std::string_view table);
  // Asks the query running on this connection (if any) to stop; it then fails
  // with an "Interrupted" error. Safe from any thread: this is how a watchdog
  // enforces a time limit.
  void Interrupt();
  // The metrics DuckDB's profiler recorded for the last query on this
  // connection (CPU_TIME, LATENCY, CUMULATIVE_ROWS_SCANNED, TOTAL_BYTES_READ,
  // ROWS_RETURNED, ...), as text by name; empty unless profiling was enabled
  // (PRAGMA enable_profiling = 'no_output') before the query.
  std::map<std::string, std::string> ProfilingMetrics() const;

  duckdb_connection handle() const { return conn_; }

 private:
  explicit Connection(duckdb_connection conn) : conn_(conn) {}
  void Close();

  duckdb_connection conn_ = nullptr;
};

}  // namespace weft::engine
