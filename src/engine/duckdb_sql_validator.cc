#include "engine/duckdb_sql_validator.h"

#include <string>
#include <utility>

namespace weft::engine {

Result<std::unique_ptr<DuckDbSqlValidator>> DuckDbSqlValidator::Create() {
  DatabaseConfig config;
  config.threads = 1;
  // The instance only parses text; it never needs to touch files or network.
  config.options["enable_external_access"] = "false";
  ASSIGN_OR_RETURN(Database db, Database::Open(config));
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(db));
  // The cast is required: json_serialize_sql refuses an untyped parameter
  // ("json_serialize_sql first argument must be a VARCHAR").
  ASSIGN_OR_RETURN(PreparedStatement serialize, conn.Prepare("SELECT json_serialize_sql(?::VARCHAR)"));
  // A non-constant pattern is compiled when the statement runs, so a bad
  // pattern fails Execute with RE2's message.
  ASSIGN_OR_RETURN(PreparedStatement regex, conn.Prepare("SELECT regexp_matches('', ?::VARCHAR)"));
  return std::unique_ptr<DuckDbSqlValidator>(
      new DuckDbSqlValidator(std::move(db), std::move(conn), std::move(serialize), std::move(regex)));
}

Result<nlohmann::json> DuckDbSqlValidator::SerializeSql(std::string_view sql) const {
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto hit = parsed_index_.find(sql); hit != parsed_index_.end()) {
      parsed_.splice(parsed_.begin(), parsed_, hit->second);
      return parsed_.front().second;
    }
    RETURN_IF_ERROR(serialize_.Bind(1, sql));
    ASSIGN_OR_RETURN(QueryResult result, serialize_.Execute());
    ASSIGN_OR_RETURN(std::optional<std::string> json, result.ScalarString());
    if (!json) return Status::Internal("json_serialize_sql returned NULL");
    text = std::move(*json);
  }
  // nlohmann throws on bad input; no exception may leave this module.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::Internal("json_serialize_sql returned text that is not a JSON object");
  }
  if (sql.size() <= kParsedLength) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!parsed_index_.contains(sql)) {
      parsed_.emplace_front(std::string(sql), parsed);
      parsed_index_.emplace(parsed_.front().first, parsed_.begin());  // keyed by the list's own copy
      if (parsed_.size() > kParsed) {
        parsed_index_.erase(parsed_.back().first);
        parsed_.pop_back();
      }
    }
  }
  return parsed;
}

Status DuckDbSqlValidator::CheckSingleSelect(std::string_view sql) const {
  ASSIGN_OR_RETURN(nlohmann::json ast, SerializeSql(sql));
  // Read the fields without nlohmann's throwing accessors.
  const auto error = ast.find("error");
  if (error != ast.end() && error->is_boolean() && error->get<bool>()) {
    // DuckDB refuses every non-SELECT statement as "not implemented"; say
    // what that means for the user instead of quoting the serializer.
    const auto type = ast.find("error_type");
    if (type != ast.end() && type->is_string() && type->get<std::string>() == "not implemented") {
      return Status::InvalidArgument("this is not a SELECT statement (only reads are allowed)");
    }
    const auto text = ast.find("error_message");
    std::string message = (text != ast.end() && text->is_string()) ? text->get<std::string>()
                                                                     : "DuckDB could not parse the SQL";
    const auto position = ast.find("position");
    if (position != ast.end() && position->is_string()) {
      message += " (at character " + position->get<std::string>() + ")";
    }
    return Status::InvalidArgument(message);
  }
  const auto statements = ast.find("statements");
  const size_t count = (statements != ast.end() && statements->is_array()) ? statements->size() : 0;
  if (count != 1) {
    return Status::InvalidArgument("only a single SELECT is allowed, got " + std::to_string(count) + " statements");
  }
  return Status::Ok();
}

Status DuckDbSqlValidator::CheckRegex(std::string_view pattern) const {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(regex_.Bind(1, pattern));
  Result<QueryResult> result = regex_.Execute();
  if (result.ok()) return Status::Ok();
  std::string reason = result.status().message();
  constexpr std::string_view kPrefix = "Invalid Input Error: ";
  if (reason.rfind(kPrefix, 0) == 0) reason.erase(0, kPrefix.size());
  return Status::InvalidArgument("invalid regular expression '" + std::string(pattern) + "': " + reason);
}

bool DuckDbSqlValidator::IsType(const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = types_.find(type);
  if (it != types_.end()) return it->second;
  // One statement only: a "type" smuggling a second one is not a type.
  bool ok = type.find(';') == std::string::npos && conn_.Query("SELECT CAST(NULL AS " + type + ")").ok();
  types_.emplace(type, ok);
  return ok;
}

}  // namespace weft::engine
