// CHECK constraints (SQL DDL, dbt `constraints: [{type: check}]`) read as
// ODCS: DuckDB's parser (json_serialize_sql) gives the expression's tree, and
// a tree of bounds on the one column becomes its logicalTypeOptions or valid
// values; anything else stays a sql quality rule.
//
//   col >= 0, col > 0, col <= 9, col < 9, col BETWEEN a AND b  minimum, exclusiveMinimum, ...
//   length(col) >= n, length(col) <= n                       minLength, maxLength
//   regexp_full_match(col, 'p'), col ~ 'p'                   pattern
//   col IN ('a', 'b')                                        an invalidValues rule
//   ... AND ...                                              each of the above
//
// Thread safety: as the Connection (one thread).
#pragma once

#include <string>

#include "common/status.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "interop/product_draft.h"

namespace weft::interop {

// An in-memory DuckDB for reading someone else's SQL: one thread, no file,
// network or extension install reachable (the built-in json extension still
// loads, for json_serialize_sql).
struct DuckDbSandbox {
  engine::Database db;
  engine::Connection conn;
};
Result<DuckDbSandbox> OpenDuckDbSandbox();

// Sets what `expression` says of `property` (a property JSON with its name)
// and returns true, or leaves it untouched and returns false.
Result<bool> CheckToOptions(engine::Connection& conn, const std::string& expression, OrderedJson& property);

// The sql rule that checks `expression` on every row.
OrderedJson CheckRule(const std::string& expression);

}  // namespace weft::interop
