#include "engine/database.h"

#include <memory>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/duckdb_errors.h"

namespace weft::engine {
namespace {

using engine_internal::CheckNoNul;

// Owns a duckdb_config for the duration of Open().
struct ConfigDeleter {
  void operator()(duckdb_config config) const { duckdb_destroy_config(&config); }
};
using ConfigPtr = std::unique_ptr<std::remove_pointer_t<duckdb_config>, ConfigDeleter>;

// duckdb_set_config reports a rejected value with no message. To still hand
// the user DuckDB's own words, replay the setting as `SET name = 'value'` on a
// throwaway in-memory instance and return what DuckDB says there.
std::string ExplainRejectedOption(const std::string& name, const std::string& value) {
  std::string fallback = "DuckDB rejected the value '" + value + "' for option '" + name + "'";
  duckdb_database scratch = nullptr;
  if (duckdb_open(nullptr, &scratch) == DuckDBError) return fallback;
  duckdb_connection conn = nullptr;
  if (duckdb_connect(scratch, &conn) == DuckDBError) {
    duckdb_close(&scratch);
    return fallback;
  }
  auto quote = [](const std::string& text, char q) {
    std::string out(1, q);
    for (char c : text) {
      out += c;
      if (c == q) out += q;
    }
    return out + q;
  };
  const std::string sql = "SET " + quote(name, '"') + " = " + quote(value, '\'');
  duckdb_result result;
  std::string message = fallback;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    message = "invalid value '" + value + "' for DuckDB option '" + name + "': " +
              engine_internal::CleanMessage(duckdb_result_error(&result));
  }
  duckdb_destroy_result(&result);
  duckdb_disconnect(&conn);
  duckdb_close(&scratch);
  return message;
}

}  // namespace

Result<Database> Database::Open(const DatabaseConfig& config) {
  RETURN_IF_ERROR(CheckNoNul(config.path, "database path"));
  std::vector<std::pair<std::string, std::string>> settings;
  if (config.threads < 0) {
    return Status::InvalidArgument("threads must be >= 0 (0 = DuckDB's default), got " +
                                   std::to_string(config.threads));
  }
  if (config.threads > 0) settings.emplace_back("threads", std::to_string(config.threads));
  if (!config.memory_limit.empty()) settings.emplace_back("memory_limit", config.memory_limit);
  for (const auto& [name, value] : config.options) settings.emplace_back(name, value);

  duckdb_config raw_config = nullptr;
  // duckdb_destroy_config must run even when creation fails (duckdb.h).
  const duckdb_state created = duckdb_create_config(&raw_config);
  ConfigPtr owned_config(raw_config);
  if (created == DuckDBError) return Status::Internal("duckdb_create_config failed (out of memory?)");
  for (const auto& [name, value] : settings) {
    RETURN_IF_ERROR(CheckNoNul(name, "option name"));
    RETURN_IF_ERROR(CheckNoNul(value, "option value"));
    // Unknown names pass here and fail in duckdb_open_ext with a message;
    // known names with bad values fail here without one.
    if (duckdb_set_config(owned_config.get(), name.c_str(), value.c_str()) == DuckDBError) {
      return Status::InvalidArgument(ExplainRejectedOption(name, value));
    }
  }

  duckdb_database db = nullptr;
  char* error = nullptr;
  const char* path = config.path.empty() ? nullptr : config.path.c_str();
  if (duckdb_open_ext(path, &db, owned_config.get(), &error) == DuckDBError) {
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) duckdb_free(error);
    // DuckDB's open errors are either bad settings or a file problem.
    const bool io = message.rfind("IO Error", 0) == 0;
    message = "cannot open DuckDB database '" + config.path + "': " + message;
    return io ? Status::IoError(message) : Status::InvalidArgument(message);
  }
  return Database(db, config.path);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() { Close(); }

void Database::Close() {
  if (db_ != nullptr) duckdb_close(&db_);
  db_ = nullptr;
}

}  // namespace weft::engine
