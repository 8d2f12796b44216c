#include "engine/internal/duckdb_errors.h"

#include <string>

namespace weft::engine::engine_internal {

StatusCode CodeFor(duckdb_error_type type) {
  switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_NETWORK:
    case DUCKDB_ERROR_HTTP:
      return StatusCode::kIoError;
    case DUCKDB_ERROR_PERMISSION:
      return StatusCode::kPermissionDenied;
    case DUCKDB_ERROR_INTERRUPT:
    case DUCKDB_ERROR_TRANSACTION:
    case DUCKDB_ERROR_CONNECTION:
      return StatusCode::kFailedPrecondition;
    case DUCKDB_ERROR_FATAL:
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_OUT_OF_MEMORY:
    case DUCKDB_ERROR_NULL_POINTER:
    case DUCKDB_ERROR_SERIALIZATION:
    case DUCKDB_ERROR_SCHEDULER:
    case DUCKDB_ERROR_EXECUTOR:
    case DUCKDB_ERROR_INVALID:
      return StatusCode::kInternal;
    default:
      // Parser, binder, catalog, conversion, constraint, invalid input, ...:
      // the SQL or the data handed to DuckDB is what has to change.
      return StatusCode::kInvalidArgument;
  }
}

std::string CleanMessage(std::string_view message) {
  std::string text(message);
  // The duplicated block is the last paragraph, repeated after a blank line.
  const size_t last = text.rfind("\n\n");
  if (last == std::string::npos) return text;
  const std::string_view tail = std::string_view(text).substr(last);  // "\n\nLINE 1: ..."
  if (last >= tail.size() && std::string_view(text).substr(last - tail.size(), tail.size()) == tail) {
    text.erase(last);
  }
  return text;
}

Status ResultError(duckdb_result* result) {
  const char* message = duckdb_result_error(result);
  if (message == nullptr) return Status::Internal("DuckDB reported an error without a message");
  return Status(CodeFor(duckdb_result_error_type(result)), CleanMessage(message));
}

Status TakeErrorData(duckdb_error_data error_data, std::string_view fallback) {
  Status status = Status::Internal(std::string(fallback));
  if (error_data != nullptr && duckdb_error_data_has_error(error_data)) {
    status = Status(CodeFor(duckdb_error_data_error_type(error_data)),
                    CleanMessage(duckdb_error_data_message(error_data)));
  }
  if (error_data != nullptr) duckdb_destroy_error_data(&error_data);
  return status;
}

Status CheckNoNul(std::string_view text, std::string_view what) {
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " contains a NUL byte, which DuckDB's C API cannot carry");
  }
  return Status::Ok();
}

}  // namespace weft::engine::engine_internal
