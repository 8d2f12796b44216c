// The DuckDB implementation of spec::SqlValidator (so lint accepts exactly
// the SQL and regexes that publish will run), and the SQL-to-AST entry
// point (json_serialize_sql) that lineage/ and query/ build on. Parsing is
// DuckDB's own parser: weft never parses SQL by hand.
//
//   ASSIGN_OR_RETURN(auto validator, DuckDbSqlValidator::Create());
//   RETURN_IF_ERROR(validator->CheckSingleSelect("SELECT * FROM sales.orders"));
//   RETURN_IF_ERROR(validator->CheckRegex("^[A-Z]{2}[0-9]+$"));
//   ASSIGN_OR_RETURN(DuckDbSqlValidator::Tree ast, validator->Parse("SELECT 1"));
//   // (*ast)["statements"][0]["node"]["type"] == "SELECT_NODE"
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

#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "spec/sql_validator.h"

namespace weft::engine {

// Thread safety: safe for concurrent use. Parses run on a small pool of
// connections to one private database (up to one per core, opened as
// concurrent callers need them): with a single connection behind one mutex,
// sixteen sessions of the PostgreSQL endpoint queued for the parser, which
// was then a third of a governed query's CPU (docs/benchmarks.md).
class DuckDbSqlValidator : public spec::SqlValidator {
 public:
  using Tree = std::shared_ptr<const nlohmann::json>;

  // Opens a private in-memory DuckDB instance (1 thread, no external access:
  // parsing needs neither) and its first connection.
  static Result<std::unique_ptr<DuckDbSqlValidator>> Create();
  ~DuckDbSqlValidator() override;

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
  // A non-OK Status means DuckDB itself could not be asked. The tree is
  // shared with the validator's cache of recent statements, never copied:
  // the query path reads it and changes nothing.
  Result<Tree> Parse(std::string_view sql) const;
  // The same tree as a copy of the caller's own, to change.
  Result<nlohmann::json> SerializeSql(std::string_view sql) const;

  // Whether `type` is a DuckDB type name (e.g. "DECIMAL(12,2)"), asked of
  // this private instance once per name.
  bool IsType(const std::string& type) const;

 private:
  // One connection and the statements prepared on it; used by one caller
  // at a time (binding and executing mutate a statement).
  struct Slot;
  class Lease;

  explicit DuckDbSqlValidator(Database db);
  // A free slot, a new one while fewer than kSlots are open, or the next to
  // be handed back.
  Result<Lease> Acquire() const;

  mutable Database db_;  // opened once; outlives every slot (Connection::Open takes it mutable)
  mutable std::mutex slots_mu_;
  mutable std::condition_variable slot_free_;
  mutable std::vector<std::unique_ptr<Slot>> slots_;  // Protected by slots_mu_
  mutable std::vector<Slot*> free_;                   // Protected by slots_mu_
  const size_t max_slots_;

  mutable std::mutex types_mu_;
  mutable std::map<std::string, bool> types_;  // Protected by types_mu_

  // The parse trees of the last kParsed statements (up to kParsedLength
  // bytes each), most recent first: clients send the same statements again
  // and again (dashboards, drivers' prepared statements). Protected by
  // parsed_mu_.
  static constexpr size_t kParsed = 256, kParsedLength = 4096;
  mutable std::mutex parsed_mu_;
  mutable std::list<std::pair<std::string, Tree>> parsed_;
  mutable std::unordered_map<std::string_view, decltype(parsed_)::iterator> parsed_index_;
};

}  // namespace weft::engine
