#include "engine/duckdb_sql_validator.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>

namespace weft::engine {

struct DuckDbSqlValidator::Slot {
  Connection conn;  // declared first: destroyed after its statements
  PreparedStatement serialize;
  PreparedStatement regex;
};

class DuckDbSqlValidator::Lease {
 public:
  Lease(const DuckDbSqlValidator* owner, Slot* slot) : owner_(owner), slot_(slot) {}
  Lease(Lease&& other) noexcept : owner_(other.owner_), slot_(std::exchange(other.slot_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (!slot_) return;
    {
      std::lock_guard<std::mutex> lock(owner_->slots_mu_);
      owner_->free_.push_back(slot_);
    }
    owner_->slot_free_.notify_one();
  }
  Slot& operator*() const { return *slot_; }
  Slot* operator->() const { return slot_; }

 private:
  const DuckDbSqlValidator* owner_;
  Slot* slot_;
};

DuckDbSqlValidator::DuckDbSqlValidator(Database db)
    : db_(std::move(db)), max_slots_(std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8)) {}

DuckDbSqlValidator::~DuckDbSqlValidator() = default;

Result<std::unique_ptr<DuckDbSqlValidator>> DuckDbSqlValidator::Create() {
  DatabaseConfig config;
  config.threads = 1;
  // The instance only parses text; it never needs to touch files or network.
  config.options["enable_external_access"] = "false";
  ASSIGN_OR_RETURN(Database db, Database::Open(config));
  std::unique_ptr<DuckDbSqlValidator> validator(new DuckDbSqlValidator(std::move(db)));
  // The first connection now, so that a database that cannot be asked fails
  // here and not on the first parse.
  ASSIGN_OR_RETURN(Lease first, validator->Acquire());
  (void)first;
  return validator;
}

Result<DuckDbSqlValidator::Lease> DuckDbSqlValidator::Acquire() const {
  std::unique_lock<std::mutex> lock(slots_mu_);
  for (;;) {
    if (!free_.empty()) {
      Slot* slot = free_.back();
      free_.pop_back();
      return Lease(this, slot);
    }
    if (slots_.size() < max_slots_) break;
    slot_free_.wait(lock);
  }
  // Opened under the lock: rare (at most max_slots_ times), and a second
  // caller would only open one more.
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(db_));
  // The cast is required: json_serialize_sql refuses an untyped parameter
  // ("json_serialize_sql first argument must be a VARCHAR").
  ASSIGN_OR_RETURN(PreparedStatement serialize, conn.Prepare("SELECT json_serialize_sql(?::VARCHAR)"));
  // A non-constant pattern is compiled when the statement runs, so a bad
  // pattern fails Execute with RE2's message.
  ASSIGN_OR_RETURN(PreparedStatement regex, conn.Prepare("SELECT regexp_matches('', ?::VARCHAR)"));
  slots_.push_back(std::make_unique<Slot>(Slot{std::move(conn), std::move(serialize), std::move(regex)}));
  return Lease(this, slots_.back().get());
}

Result<DuckDbSqlValidator::Tree> DuckDbSqlValidator::Parse(std::string_view sql) const {
  {
    std::lock_guard<std::mutex> lock(parsed_mu_);
    if (auto hit = parsed_index_.find(sql); hit != parsed_index_.end()) {
      parsed_.splice(parsed_.begin(), parsed_, hit->second);
      return parsed_.front().second;
    }
  }
  std::string text;
  {
    ASSIGN_OR_RETURN(Lease slot, Acquire());
    RETURN_IF_ERROR(slot->serialize.Bind(1, sql));
    ASSIGN_OR_RETURN(QueryResult result, slot->serialize.Execute());
    ASSIGN_OR_RETURN(std::optional<std::string> json, result.ScalarString());
    if (!json) return Status::Internal("json_serialize_sql returned NULL");
    text = std::move(*json);
  }
  // nlohmann throws on bad input; no exception may leave this module.
  auto parsed = std::make_shared<nlohmann::json>(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false));
  if (parsed->is_discarded() || !parsed->is_object()) {
    return Status::Internal("json_serialize_sql returned text that is not a JSON object");
  }
  Tree tree = std::move(parsed);
  if (sql.size() <= kParsedLength) {
    Tree evicted;  // freed after the lock: a tree is thousands of nodes
    std::lock_guard<std::mutex> lock(parsed_mu_);
    if (!parsed_index_.contains(sql)) {
      parsed_.emplace_front(std::string(sql), tree);
      parsed_index_.emplace(parsed_.front().first, parsed_.begin());  // keyed by the list's own copy
      if (parsed_.size() > kParsed) {
        parsed_index_.erase(parsed_.back().first);
        evicted = std::move(parsed_.back().second);
        parsed_.pop_back();
      }
    }
  }
  return tree;
}

Result<nlohmann::json> DuckDbSqlValidator::SerializeSql(std::string_view sql) const {
  ASSIGN_OR_RETURN(Tree tree, Parse(sql));
  return *tree;
}

Status DuckDbSqlValidator::CheckSingleSelect(std::string_view sql) const {
  ASSIGN_OR_RETURN(Tree tree, Parse(sql));
  const nlohmann::json& ast = *tree;
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
  ASSIGN_OR_RETURN(Lease slot, Acquire());
  RETURN_IF_ERROR(slot->regex.Bind(1, pattern));
  Result<QueryResult> result = slot->regex.Execute();
  if (result.ok()) return Status::Ok();
  std::string reason = result.status().message();
  constexpr std::string_view kPrefix = "Invalid Input Error: ";
  if (reason.rfind(kPrefix, 0) == 0) reason.erase(0, kPrefix.size());
  return Status::InvalidArgument("invalid regular expression '" + std::string(pattern) + "': " + reason);
}

bool DuckDbSqlValidator::IsType(const std::string& type) const {
  {
    std::lock_guard<std::mutex> lock(types_mu_);
    if (auto it = types_.find(type); it != types_.end()) return it->second;
  }
  // One statement only: a "type" smuggling a second one is not a type.
  bool ok = type.find(';') == std::string::npos;
  if (ok) {
    auto slot = Acquire();
    if (!slot.ok()) return false;  // not asked: not remembered
    ok = (*slot)->conn.Query("SELECT CAST(NULL AS " + type + ")").ok();
  }
  std::lock_guard<std::mutex> lock(types_mu_);
  types_.emplace(type, ok);
  return ok;
}

}  // namespace weft::engine
