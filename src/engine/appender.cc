#include "engine/appender.h"

#include <string>
#include <utility>

#include "engine/internal/duckdb_errors.h"

namespace weft::engine {

Appender::Appender(Appender&& other) noexcept
    : appender_(std::exchange(other.appender_, nullptr)), closed_(std::exchange(other.closed_, false)),
      close_status_(std::move(other.close_status_)) {}

Appender& Appender::operator=(Appender&& other) noexcept {
  if (this != &other) {
    Destroy();
    appender_ = std::exchange(other.appender_, nullptr);
    closed_ = std::exchange(other.closed_, false);
    close_status_ = std::move(other.close_status_);
  }
  return *this;
}

Appender::~Appender() { Destroy(); }

void Appender::Destroy() {
  // duckdb_appender_destroy flushes first; its error cannot be reported here
  // (the class comment tells callers to Close() when they care).
  if (appender_ != nullptr) duckdb_appender_destroy(&appender_);
  appender_ = nullptr;
}

size_t Appender::column_count() const {
  return appender_ == nullptr ? 0 : duckdb_appender_column_count(appender_);
}

Status Appender::Check(duckdb_state state, std::string_view action) const {
  if (state == DuckDBSuccess) return Status::Ok();
  // duckdb_appender_error (a plain string) is deprecated in 1.4; the error
  // data variant also tells us the error class.
  return engine_internal::TakeErrorData(duckdb_appender_error_data(appender_),
                                        "appender " + std::string(action) + " failed");
}

#define WEFT_APPENDER_CALL(call, action)                                                 \
  do {                                                                                   \
    if (appender_ == nullptr) return Status::FailedPrecondition("the Appender was moved from"); \
    if (closed_) return Status::FailedPrecondition("the Appender is closed");           \
    return Check(call, action);                                                          \
  } while (0)

Status Appender::Append(int64_t value) { WEFT_APPENDER_CALL(duckdb_append_int64(appender_, value), "append"); }
Status Appender::Append(int32_t value) { WEFT_APPENDER_CALL(duckdb_append_int32(appender_, value), "append"); }
Status Appender::Append(double value) { WEFT_APPENDER_CALL(duckdb_append_double(appender_, value), "append"); }
Status Appender::Append(bool value) { WEFT_APPENDER_CALL(duckdb_append_bool(appender_, value), "append"); }
Status Appender::Append(std::string_view value) {
  WEFT_APPENDER_CALL(duckdb_append_varchar_length(appender_, value.data(), value.size()), "append");
}
Status Appender::Append(std::nullptr_t) { WEFT_APPENDER_CALL(duckdb_append_null(appender_), "append"); }
Status Appender::EndRow() { WEFT_APPENDER_CALL(duckdb_appender_end_row(appender_), "end row"); }
Status Appender::Flush() { WEFT_APPENDER_CALL(duckdb_appender_flush(appender_), "flush"); }

#undef WEFT_APPENDER_CALL

Status Appender::Close() {
  if (appender_ == nullptr) return Status::FailedPrecondition("the Appender was moved from");
  if (!closed_) {
    closed_ = true;
    close_status_ = Check(duckdb_appender_close(appender_), "close");
  }
  return close_status_;
}

}  // namespace weft::engine
