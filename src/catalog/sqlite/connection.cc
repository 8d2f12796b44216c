#include "catalog/sqlite/connection.h"

#include <fmt/format.h>

#include <utility>

#include "common/strings.h"

namespace weft::catalog::sqlite {

Status SqliteStatus(sqlite3* db, int rc, const std::string& path) {
  // sqlite3_errmsg describes the last failed call on `db`; without a handle
  // only the generic text of the code is known.
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::FailedPrecondition("the catalog is locked by another weft process (apply in progress?); retry");
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::FailedPrecondition(
          fmt::format("{} is not a weft catalog (not a SQLite database, or damaged): {}", path, detail));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IoError(fmt::format("{}: {}", path, detail));
    default:
      return Status::Internal(fmt::format("{} (SQLite error {})", detail, rc));
  }
}

// --- Statement ----------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), path_(other.path_), cache_(other.cache_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    path_ = other.path_;
    cache_ = other.cache_;
  }
  return *this;
}

Statement::~Statement() {
  Release();
}

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (cache_ == nullptr) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    // Another statement of the same text may have come back first.
    if (!cache_->emplace(sqlite3_sql(stmt_), stmt_).second) sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

Status Statement::Check(int rc) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(sqlite3_db_handle(stmt_), rc, *path_);
}

Status Statement::Bind(int index, std::string_view value) {
  return Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Status Statement::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value));
}

Status Statement::Bind(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value));
}

Status Statement::Bind(int index, std::optional<double> value) {
  return value ? Bind(index, *value) : Check(sqlite3_bind_null(stmt_, index));
}

Result<int> Statement::ParameterIndex(const char* name) const {
  const int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0) return Status::Internal(fmt::format("the statement has no parameter {}", name));
  return index;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Check(rc);
}

Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int Statement::ColumnCount() const {
  return sqlite3_column_count(stmt_);
}

int Statement::ColumnType(int column) const {
  return sqlite3_column_type(stmt_, column);
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  // sqlite3_column_bytes after sqlite3_column_text gives the UTF-8 length.
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::optional<double> Statement::OptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}

std::string Statement::ColumnName(int column) const {
  return sqlite3_column_name(stmt_, column);
}

// --- Connection ---------------------------------------------------------------

Connection::Connection(sqlite3* db, std::string path)
    : db_(db), path_(std::make_unique<std::string>(std::move(path))), cache_(std::make_unique<StatementCache>()) {}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Connection::~Connection() {
  Close();
}

void Connection::Close() {
  if (cache_ != nullptr) {
    for (const auto& [sql, stmt] : *cache_) sqlite3_finalize(stmt);
    cache_->clear();
  }
  // sqlite3_close_v2 defers the close until every statement is finalized, so
  // a mistake in destruction order leaks nothing.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<Connection> Connection::Open(const std::string& path, int busy_timeout_ms) {
  // Debian's SQLite reads "file:..." names as URIs (SQLITE_USE_URI); a
  // catalog location is always a plain path, so such a name is made relative.
  const std::string file_name = StartsWith(path, "file:") ? "./" + path : path;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file_name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // sqlite3_open_v2 allocates a handle even on failure; Connection frees it.
  Connection conn(db, path);
  if (db == nullptr) return Status::Internal("SQLite could not allocate a connection");
  if (rc != SQLITE_OK) {
    return SqliteStatus(db, rc, path).WithContext("cannot open the catalog");
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return conn;
}

Status Connection::DefineTextFunction(const std::string& name, std::function<std::string(const std::string&)> fn) {
  using Fn = std::function<std::string(const std::string&)>;
  auto call = [](sqlite3_context* ctx, int, sqlite3_value** args) {
    if (sqlite3_value_type(args[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
    const std::string result = (*static_cast<Fn*>(sqlite3_user_data(ctx)))(
        std::string(text, static_cast<size_t>(sqlite3_value_bytes(args[0]))));
    sqlite3_result_text(ctx, result.data(), static_cast<int>(result.size()), SQLITE_TRANSIENT);
  };
  // SQLite owns the copy from here and deletes it when the function is
  // redefined or the connection closes (also when the definition fails).
  const int rc = sqlite3_create_function_v2(db_, name.c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                            new Fn(std::move(fn)), call, nullptr, nullptr,
                                            [](void* p) { delete static_cast<Fn*>(p); });
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(db_, rc, *path_).WithContext("while defining the SQL function " + name);
}

Status Connection::Exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(db_, rc, *path_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_, rc, *path_);
  }
  return Statement(stmt, path_.get(), nullptr);
}

Result<Statement> Connection::PrepareCached(const std::string& sql) {
  if (auto it = cache_->find(sql); it != cache_->end()) {
    sqlite3_stmt* stmt = it->second;
    cache_->erase(it);  // in use until the Statement is destroyed
    return Statement(stmt, path_.get(), cache_.get());
  }
  ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  stmt.cache_ = cache_.get();
  return stmt;
}

}  // namespace weft::catalog::sqlite
