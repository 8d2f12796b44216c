#include "engine/prepared_statement.h"

#include <string>
#include <utility>

#include "engine/internal/duckdb_errors.h"

namespace weft::engine {

PreparedStatement::PreparedStatement(duckdb_prepared_statement stmt)
    : stmt_(stmt), parameter_count_(duckdb_nparams(stmt)) {}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), parameter_count_(std::exchange(other.parameter_count_, 0)) {}

PreparedStatement& PreparedStatement::operator=(PreparedStatement&& other) noexcept {
  if (this != &other) {
    Destroy();
    stmt_ = std::exchange(other.stmt_, nullptr);
    parameter_count_ = std::exchange(other.parameter_count_, 0);
  }
  return *this;
}

PreparedStatement::~PreparedStatement() { Destroy(); }

void PreparedStatement::Destroy() {
  if (stmt_ != nullptr) duckdb_destroy_prepare(&stmt_);
  stmt_ = nullptr;
}

Status PreparedStatement::CheckBind(size_t index, duckdb_state state, const char* type) const {
  if (state == DuckDBSuccess) return Status::Ok();
  // duckdb_bind_* fails without a message; the usual cause is the index.
  if (index < 1 || index > parameter_count_) {
    return Status::InvalidArgument("parameter index " + std::to_string(index) + " is out of range: the statement has " +
                                   std::to_string(parameter_count_) + " parameter(s), numbered from 1");
  }
  return Status::InvalidArgument("DuckDB refused a " + std::string(type) + " value for parameter " +
                                 std::to_string(index));
}

Status PreparedStatement::Bind(size_t index, int64_t value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_int64(stmt_, index, value), "BIGINT");
}

Status PreparedStatement::Bind(size_t index, int32_t value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_int32(stmt_, index, value), "INTEGER");
}

Status PreparedStatement::Bind(size_t index, int16_t value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_int16(stmt_, index, value), "SMALLINT");
}

Status PreparedStatement::Bind(size_t index, double value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_double(stmt_, index, value), "DOUBLE");
}

Status PreparedStatement::Bind(size_t index, float value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_float(stmt_, index, value), "FLOAT");
}

Status PreparedStatement::Bind(size_t index, bool value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_boolean(stmt_, index, value), "BOOLEAN");
}

Status PreparedStatement::Bind(size_t index, std::string_view value) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  // The _length variant: the value need not be NUL-terminated and may contain
  // NUL bytes (it must still be valid UTF-8, as every DuckDB VARCHAR).
  return CheckBind(index, duckdb_bind_varchar_length(stmt_, index, value.data(), value.size()), "VARCHAR");
}

Status PreparedStatement::Bind(size_t index, std::nullptr_t) {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  return CheckBind(index, duckdb_bind_null(stmt_, index), "NULL");
}

Status PreparedStatement::ClearBindings() {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  if (duckdb_clear_bindings(stmt_) == DuckDBError) return Status::Internal("duckdb_clear_bindings failed");
  return Status::Ok();
}

size_t PreparedStatement::column_count() const {
  return stmt_ == nullptr ? 0 : duckdb_prepared_statement_column_count(stmt_);
}

std::string PreparedStatement::column_name(size_t col) const {
  const char* name = stmt_ == nullptr ? nullptr : duckdb_prepared_statement_column_name(stmt_, col);
  std::string out = name != nullptr ? name : "";
  duckdb_free(const_cast<char*>(name));  // the caller owns it (duckdb.h)
  return out;
}

namespace {

// The TypeText of a type the C API handed over (ours to destroy), or "".
std::string TakeTypeText(duckdb_logical_type type) {
  if (type == nullptr) return "";
  std::string out = TypeText(type);
  duckdb_destroy_logical_type(&type);
  return out;
}

}  // namespace

std::string PreparedStatement::column_type_text(size_t col) const {
  return stmt_ == nullptr ? "" : TakeTypeText(duckdb_prepared_statement_column_logical_type(stmt_, col));
}

std::string PreparedStatement::parameter_type_text(size_t index) const {
  // NULL when DuckDB could not infer it (SELECT $1).
  return stmt_ == nullptr ? "" : TakeTypeText(duckdb_param_logical_type(stmt_, index));
}

bool PreparedStatement::IsSelect() const {
  return stmt_ != nullptr && duckdb_prepared_statement_type(stmt_) == DUCKDB_STATEMENT_TYPE_SELECT;
}

Result<QueryResult> PreparedStatement::Execute() {
  if (stmt_ == nullptr) return Status::FailedPrecondition("the PreparedStatement was moved from");
  duckdb_result result;
  if (duckdb_execute_prepared(stmt_, &result) == DuckDBError) {
    Status status = engine_internal::ResultError(&result);
    duckdb_destroy_result(&result);
    return status;
  }
  return QueryResult(result);
}

}  // namespace weft::engine
