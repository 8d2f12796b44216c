// The DuckDB implementation of spec::SqlValidator (so lint accepts exactly
// the SQL and regexes that publish will run), and the SQL-to-AST entry
// point (json_serialize_sql) that lineage/ and query/ build on. Parsing is
// DuckDB's own parser: weft never parses SQL by hand.
//
//   ASSIGN_OR_RETURN(auto validator, DuckDbSqlValidator::Create());
//   RETURN_IF_ERROR(validator->CheckSingleSelect("SELECT * FROM sales.orders"));
//   RETURN_IF_ERROR(validator->CheckRegex("^[A-Z]{2}[0-9]+$"));
//   ASSIGN_OR_RETURN(nlohmann::json ast, validator->SerializeSql("SELECT 1"));
//   // ast["statements"][0]["node"]["type"] == "SELECT_NODE"
//
// What json_serialize_sql accepts (DuckDB 1.4.4, pinned by the tests):
//   - parses only; nothing is bound or run, so unknown tables are fine;
//   - SELECT, FROM-first queries, VALUES, CTEs, set operations, and the
//     SELECT-rewritten forms DESCRIBE/SHOW/SUMMARIZE give statements[];
//   - "SELECT 1; SELECT 2" gives error:false with two statements;
//   - "" and ";" give error:false with zero statements;
//   - any other statement (INSERT, DELETE, CREATE, COPY, PRAGMA, SET, ATTACH,
//     CALL, EXPLAIN) gives error:true, error_type "not implemented",
//     "Only SELECT statements can be serialized to json!";
//   - a syntax error gives error:true, error_type "parser", DuckDB's message
//     and a "position" (a character offset, as a string).
// Table functions such as read_csv('/etc/passwd') pass: refusing them is the
// query gateway's job, from the AST.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "spec/sql_validator.h"

namespace weft::engine {

// Thread safety: safe for concurrent use; calls are serialized on an internal
// mutex because they share one DuckDB connection.
class DuckDbSqlValidator : public spec::SqlValidator {
 public:
  // Opens a private in-memory DuckDB instance (1 thread, no external access:
  // parsing needs neither).
  static Result<std::unique_ptr<DuckDbSqlValidator>> Create();

  // OK for exactly one SELECT; InvalidArgument with DuckDB's parser message
  // (plus the character offset when DuckDB gives one), with DuckDB's "Only
  // SELECT statements ..." for other statement kinds, or with "only a single
  // SELECT is allowed" for zero or several statements.
  Status CheckSingleSelect(std::string_view sql) const override;

  // OK when `pattern` compiles in DuckDB's regex dialect (RE2: no
  // backreferences or lookaround); otherwise InvalidArgument with RE2's
  // reason, e.g. "invalid regular expression 'a(b': missing ): a(b".
  Status CheckRegex(std::string_view pattern) const override;

  // DuckDB's parse tree of `sql` as JSON, verbatim — including the
  // {"error": true, ...} object for SQL it refuses, so callers can inspect it.
  // A non-OK Status means DuckDB itself could not be asked.
  Result<nlohmann::json> SerializeSql(std::string_view sql) const;

  // Whether `type` is a DuckDB type name (e.g. "DECIMAL(12,2)"), asked of
  // this private instance once per name.
  bool IsType(const std::string& type) const;

 private:
  DuckDbSqlValidator(Database db, Connection conn, PreparedStatement serialize, PreparedStatement regex)
      : db_(std::move(db)), conn_(std::move(conn)), serialize_(std::move(serialize)), regex_(std::move(regex)) {}

  mutable std::mutex mu_;
  // Constant after construction (destroyed in reverse order: statement,
  // connection, database).
  Database db_;
  mutable Connection conn_;  // used under mu_ (IsType)
  // Protected by mu_: binding and executing mutate the statement.
  mutable PreparedStatement serialize_;
  mutable PreparedStatement regex_;
  mutable std::map<std::string, bool> types_;  // Protected by mu_
  // The parse trees of the last kParsed statements (up to kParsedLength
  // bytes each), most recent first: clients send the same statements again
  // and again (dashboards, drivers' prepared statements), and a parse is a
  // tenth of a trivial governed query, made under mu_. Protected by mu_.
  static constexpr size_t kParsed = 256, kParsedLength = 4096;
  mutable std::list<std::pair<std::string, nlohmann::json>> parsed_;
  mutable std::unordered_map<std::string_view, decltype(parsed_)::iterator> parsed_index_;
};

}  // namespace weft::engine
