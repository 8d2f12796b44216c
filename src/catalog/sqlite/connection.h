// RAII over SQLite's C API for the SQLite catalog store: a Connection owns a
// sqlite3 handle, a Statement owns a sqlite3_stmt. Every SQLite error becomes
// a weft Status carrying sqlite3_errmsg; callers add what they were doing with
// Status::WithContext.
//
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open("/ws/catalog.db", 5000));
//   ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT name FROM domains WHERE name = ?"));
//   RETURN_IF_ERROR(stmt.BindAll("sales"));
//   ASSIGN_OR_RETURN(bool row, stmt.Step());
//   if (row) name = stmt.Text(0);
//
// Thread safety: a Connection and its Statements are used by one thread at a
// time (the store guards shared connections with a mutex).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace weft::catalog::sqlite {

// A connection's prepared statements by SQL text, for reuse (Connection::PrepareCached).
using StatementCache = std::unordered_map<std::string, sqlite3_stmt*>;

// Maps an SQLite result code to a Status: a lock timeout is kFailedPrecondition
// ("retry"), a file that is not a database is kFailedPrecondition naming
// `path`, file-system trouble is kIoError, anything else kInternal.
Status SqliteStatus(sqlite3* db, int rc, const std::string& path);

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  // Finalizing (or, for a cached statement, resetting) also ends the read
  // snapshot a stepped statement holds, so a later read on the same
  // connection sees the newest commit.
  ~Statement();

  // Parameters are numbered from 1. Text is bound as a copy.
  Status Bind(int index, std::string_view value);
  Status Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Status Bind(int index, int64_t value);
  Status Bind(int index, int value) { return Bind(index, int64_t{value}); }
  Status Bind(int index, double value);
  Status Bind(int index, std::optional<double> value);
  // Binds a named parameter (":domain"); a name the SQL does not use is a bug.
  template <typename T>
  Status BindNamed(const char* name, const T& value) {
    ASSIGN_OR_RETURN(int index, ParameterIndex(name));
    return Bind(index, value);
  }
  // Binds the arguments to parameters 1..N in order.
  template <typename... Args>
  Status BindAll(const Args&... args) {
    Status status;
    if constexpr (sizeof...(Args) > 0) {
      int index = 0;
      auto bind_one = [&](const auto& arg) {
        if (status.ok()) status = Bind(++index, arg);
      };
      (bind_one(args), ...);
    }
    return status;
  }

  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();

  int ColumnCount() const;
  int ColumnType(int column) const;  // SQLITE_INTEGER, SQLITE_TEXT, ...
  bool IsNull(int column) const { return ColumnType(column) == SQLITE_NULL; }
  std::string Text(int column) const;  // NULL reads as ""
  int64_t Int(int column) const;
  double Double(int column) const;
  std::optional<double> OptionalDouble(int column) const;
  std::string ColumnName(int column) const;

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, const std::string* path, StatementCache* cache)
      : stmt_(stmt), path_(path), cache_(cache) {}
  Status Check(int rc) const;
  Result<int> ParameterIndex(const char* name) const;
  void Release();

  sqlite3_stmt* stmt_ = nullptr;
  const std::string* path_ = nullptr;  // the owning Connection's path, for messages
  StatementCache* cache_ = nullptr;    // where the statement goes back when done; null: finalized
};

class Connection {
 public:
  // Opens (creating when missing) the database file. Extended result codes
  // are on; a busy handler waits up to `busy_timeout_ms` for locks.
  static Result<Connection> Open(const std::string& path, int busy_timeout_ms);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements that take no parameters and return no rows.
  Status Exec(const std::string& sql);
  // A Statement must be destroyed before its Connection (moving the
  // Connection is fine).
  Result<Statement> Prepare(std::string_view sql);
  // Like Prepare, but the statement is reset and kept when the Statement is
  // destroyed, and the next PrepareCached of the same text reuses it:
  // parsing and planning a statement costs more than running a small insert
  // (a product's search entry is ~8 statements). For SQL run again and again
  // with different parameters; a statement still in use is not shared (a
  // second one is prepared).
  Result<Statement> PrepareCached(const std::string& sql);

  // Defines `name(text) -> text` for this connection's SQL (a NULL argument
  // gives NULL), e.g. for a migration that rewrites values with C++ rules.
  Status DefineTextFunction(const std::string& name, std::function<std::string(const std::string&)> fn);

  // True between BEGIN and its COMMIT or ROLLBACK.
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return *path_; }

 private:
  Connection(sqlite3* db, std::string path);
  void Close();

  sqlite3* db_ = nullptr;
  // Heap-allocated so the pointer Statements keep stays valid when the
  // Connection object itself is moved (e.g. out of a Result).
  std::unique_ptr<std::string> path_;
  // Idle cached statements; heap-allocated for the same reason as path_.
  std::unique_ptr<StatementCache> cache_;
};

}  // namespace weft::catalog::sqlite
