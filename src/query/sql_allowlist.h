// The second line of defence of the query path: a caller's SELECT is
// checked against a vetted list before anything runs. The first line is
// the engine the SQL runs in (engine_pool.h), which cannot reach what the
// caller may not see whatever the SQL says; this check makes refusals
// early and explicit, and keeps catalog, setting and state functions out
// even where they would reveal nothing.
//
//   ASSIGN_OR_RETURN(nlohmann::json ast, parser.SerializeSql(sql));
//   RETURN_IF_ERROR(CheckAllowed(ast, sql));
//
// Every key of the parse tree (json_serialize_sql) is walked, not the ones a
// walker knows to look at: an expression must be of a vetted class, a
// function one of allowed_functions.inc (unqualified), a query node, table
// reference or modifier of a vetted type; table functions, catalogs
// (three-part names), AT clauses and anything unknown are refused, naming
// the construct and where it is (line:column). Constants' values and type
// descriptors are data, not syntax, and are not walked.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::query {

// InvalidArgument naming the first construct that is not allowed.
Status CheckAllowed(const nlohmann::json& ast, std::string_view sql);

// Whether `name` (lower-case) is a function a caller's SQL may call.
bool IsAllowedFunction(std::string_view name);
// Every such function, for the test that checks them against the engine.
std::vector<std::string_view> AllowedFunctions();

}  // namespace weft::query
