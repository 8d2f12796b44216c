// What the PostgreSQL endpoint reads of SQL text itself, before DuckDB's
// parser sees it: where the statements of one simple Query message end,
// and which statements are the session's own (SET, SHOW, BEGIN, ...),
// answered by the session and never sent to an engine.
//
//   for (const std::string& sql : SplitStatements("SET a = 1; SELECT 1"))
//     ASSIGN_OR_RETURN(SessionStatement s, ClassifyStatement(sql));  // kSet, then kNone
//
// This is not a SQL parser: the splitter only finds semicolons outside
// quotes, dollar quotes and comments, as psql's own lexer does before it
// sends a line, and the classifier reads the leading keywords. Every other
// statement goes whole to the governed query path, where DuckDB's parser
// reads it and the gateway refuses anything but one SELECT — so a
// disagreement about where a statement ends can only make a refusal.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::pgwire {

// The statements of `sql`, in order, each without its semicolon; pieces of
// nothing but whitespace and comments are kept as empty statements only
// when the whole text is empty (an EmptyQueryResponse).
std::vector<std::string> SplitStatements(std::string_view sql);

struct SessionStatement {
  enum class Kind {
    kNone,        // not the session's: Introspection, else the governed path
    kEmpty,       // only whitespace and comments
    kSet,         // SET [SESSION|LOCAL] name {TO|=} value | SET TIME ZONE value
    kSetIgnored,  // SET TRANSACTION ..., SET SESSION CHARACTERISTICS ... (the mesh is read-only)
    kReset,       // RESET name
    kResetAll,    // RESET ALL
    kShow,        // SHOW name
    kShowAll,     // SHOW ALL
    kBegin,       // BEGIN, START TRANSACTION
    kCommit,      // COMMIT, END
    kRollback,    // ROLLBACK, ABORT
    kSavepoint,   // SAVEPOINT name
    kRelease,     // RELEASE [SAVEPOINT] name
    kRollbackTo,  // ROLLBACK TO [SAVEPOINT] name
    kDiscard,     // DISCARD ALL|PLANS|SEQUENCES|TEMP
    kDeallocate,  // DEALLOCATE [PREPARE] name|ALL
  };
  Kind kind = Kind::kNone;
  std::string name;   // the parameter (lower-cased), the statement to deallocate ("" for ALL), DISCARD's target
  std::string value;  // SET: the value, quotes removed, list items joined by ", "
  std::string tag;    // the CommandComplete tag
};

// InvalidArgument for a session statement that is malformed ("SET x" with
// no value); kNone for everything that is not the session's.
Result<SessionStatement> ClassifyStatement(std::string_view sql);

}  // namespace weft::pgwire
