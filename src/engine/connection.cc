#include "engine/connection.h"

#include <string>
#include <utility>

#include "engine/internal/duckdb_errors.h"

namespace weft::engine {

using engine_internal::CheckNoNul;

Result<Connection> Connection::Open(Database& db) {
  if (db.handle() == nullptr) return Status::FailedPrecondition("the Database was moved from or closed");
  duckdb_connection conn = nullptr;
  if (duckdb_connect(db.handle(), &conn) == DuckDBError) {
    return Status::Internal("cannot connect to DuckDB database '" + db.path() + "'");
  }
  return Connection(conn);
}

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (conn_ != nullptr) duckdb_disconnect(&conn_);
  conn_ = nullptr;
}

Status Connection::Execute(std::string_view sql) {
  ASSIGN_OR_RETURN(QueryResult result, Query(sql));
  return Status::Ok();
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  if (conn_ == nullptr) return Status::FailedPrecondition("the Connection was moved from");
  RETURN_IF_ERROR(CheckNoNul(sql, "SQL text"));
  const std::string text(sql);
  duckdb_result result;
  if (duckdb_query(conn_, text.c_str(), &result) == DuckDBError) {
    Status status = engine_internal::ResultError(&result);
    duckdb_destroy_result(&result);  // required even on failure (duckdb.h)
    return status;
  }
  return QueryResult(result);
}

Result<QueryResult> Connection::QuerySelect(std::string_view sql) {
  ASSIGN_OR_RETURN(PreparedStatement stmt, PrepareSelect(sql));
  return stmt.Execute();
}

Result<PreparedStatement> Connection::PrepareSelect(std::string_view sql) {
  ASSIGN_OR_RETURN(PreparedStatement stmt, Prepare(sql));
  if (!stmt.IsSelect()) return Status::InvalidArgument("only a single SELECT may run here");
  return stmt;
}

Result<PreparedStatement> Connection::Prepare(std::string_view sql) {
  if (conn_ == nullptr) return Status::FailedPrecondition("the Connection was moved from");
  RETURN_IF_ERROR(CheckNoNul(sql, "SQL text"));
  const std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  if (duckdb_prepare(conn_, text.c_str(), &stmt) == DuckDBError) {
    const char* error = duckdb_prepare_error(stmt);
    // Prepare errors are parser/binder errors in the caller's SQL.
    Status status = Status::InvalidArgument(error != nullptr ? engine_internal::CleanMessage(error)
                                                             : "cannot prepare statement");
    duckdb_destroy_prepare(&stmt);
    return status;
  }
  return PreparedStatement(stmt);
}

Result<Appender> Connection::CreateAppender(std::string_view schema, std::string_view table) {
  if (conn_ == nullptr) return Status::FailedPrecondition("the Connection was moved from");
  RETURN_IF_ERROR(CheckNoNul(schema, "schema name"));
  RETURN_IF_ERROR(CheckNoNul(table, "table name"));
  const std::string schema_name(schema);
  const std::string table_name(table);
  duckdb_appender appender = nullptr;
  if (duckdb_appender_create(conn_, schema_name.empty() ? nullptr : schema_name.c_str(), table_name.c_str(),
                             &appender) == DuckDBError) {
    Status status = engine_internal::TakeErrorData(duckdb_appender_error_data(appender),
                                                   "cannot create an appender for table '" + table_name + "'");
    duckdb_appender_destroy(&appender);
    return status;
  }
  return Appender(appender);
}

void Connection::Interrupt() {
  if (conn_ != nullptr) duckdb_interrupt(conn_);
}

std::map<std::string, std::string> Connection::ProfilingMetrics() const {
  std::map<std::string, std::string> out;
  duckdb_profiling_info info = duckdb_get_profiling_info(conn_);
  if (info == nullptr) return out;
  // The info belongs to the connection; the values it hands out are ours.
  duckdb_value metrics = duckdb_profiling_info_get_metrics(info);
  if (metrics == nullptr) return out;
  for (idx_t i = 0, n = duckdb_get_map_size(metrics); i < n; ++i) {
    duckdb_value key = duckdb_get_map_key(metrics, i);
    duckdb_value value = duckdb_get_map_value(metrics, i);
    char* k = duckdb_get_varchar(key);
    char* v = duckdb_get_varchar(value);
    if (k && v) out[k] = v;
    duckdb_free(k);
    duckdb_free(v);
    duckdb_destroy_value(&key);
    duckdb_destroy_value(&value);
  }
  duckdb_destroy_value(&metrics);
  return out;
}

}  // namespace weft::engine
