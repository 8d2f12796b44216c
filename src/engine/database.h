// engine/: weft's only door to DuckDB. An RAII C++ layer over DuckDB's C API
// (duckdb.h) that turns every DuckDB error into a weft Status and frees every
// handle on scope exit. This header opens a DuckDB instance.
//
//   DatabaseConfig config;            // ":memory:" by default
//   config.threads = 2;
//   config.memory_limit = "1GB";
//   ASSIGN_OR_RETURN(Database db, Database::Open(config));
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open(db));   // connection.h
//
// Ownership: destroy Connections (and their results, statements, appenders)
// before the Database. DuckDB reference-counts the instance internally, so the
// other order does not crash, but the file is only released once all are gone.
#pragma once

#include <duckdb.h>

#include <map>
#include <string>

#include "common/status.h"

namespace weft::engine {

// Start-up settings for one DuckDB instance. They are applied before the
// instance exists, which is the only moment some of them (threads,
// memory_limit, access_mode) can be set.
struct DatabaseConfig {
  std::string path = ":memory:";  // a file path, or ":memory:"
  int threads = 0;                // 0 = DuckDB's default (one per core)
  std::string memory_limit;       // e.g. "2GB"; empty = DuckDB's default
  // Any other DuckDB option by name, e.g. {"access_mode", "READ_ONLY"}.
  std::map<std::string, std::string> options;
};

// An open DuckDB instance.
// Thread safety: safe for concurrent use; any number of threads may open
// Connections on one Database at the same time.
class Database {
 public:
  // Opens (or creates) the database. An unknown option, a bad option value or
  // an unopenable file gives InvalidArgument/IoError carrying DuckDB's message.
  static Result<Database> Open(const DatabaseConfig& config);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // The raw handle, for C API calls this wrapper does not cover. Still owned
  // by this object.
  duckdb_database handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(duckdb_database db, std::string path) : db_(db), path_(std::move(path)) {}
  void Close();

  duckdb_database db_ = nullptr;
  std::string path_;
};

}  // namespace weft::engine
