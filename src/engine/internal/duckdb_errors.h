// Private to engine/: turns DuckDB's error reports (result errors, error data,
// bare DuckDBError states) into weft Status values, so every public method in
// engine/ reports failures the same way.
//
//   duckdb_result res;
//   if (duckdb_query(conn, sql, &res) == DuckDBError) return ResultError(&res);
//
// Thread safety: stateless functions.
#pragma once

#include <duckdb.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::engine::engine_internal {

// Maps DuckDB's error class to the weft code a caller can act on: user-fixable
// SQL problems are InvalidArgument, I/O is IoError, and so on.
StatusCode CodeFor(duckdb_error_type type);

// DuckDB 1.4.4 repeats the "LINE 1: ... ^" context block of parser and binder
// errors at the end of the message; drops the duplicate so users read it once.
std::string CleanMessage(std::string_view message);

// The error held by a failed duckdb_result (does not destroy the result).
Status ResultError(duckdb_result* result);

// The error held by `error_data`, then destroys it. `fallback` is used when
// DuckDB gave no message.
Status TakeErrorData(duckdb_error_data error_data, std::string_view fallback);

// SQL and identifiers travel to DuckDB as C strings: an embedded NUL would
// silently cut the text, so it is refused up front.
Status CheckNoNul(std::string_view text, std::string_view what);

}  // namespace weft::engine::engine_internal
