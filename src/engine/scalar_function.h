// A scalar function written in C++ and registered on a DuckDB instance, so
// that what it computes with (a key, say) never appears in SQL text: not in
// a view's definition, a profile, a log or an error.
//
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open(db));
//   RETURN_IF_ERROR(RegisterTextFunction(conn, "weft_hmac", [key](std::string_view v) { return Hmac(key, v); }));
//   // SELECT weft_hmac(email) FROM ... on any connection of db
//
// The function takes one VARCHAR and returns a VARCHAR; NULL in is NULL out.
// It is registered in the instance's catalog: every connection of that
// instance can call it, no other instance can.
//
// Thread safety: `fn` is called from DuckDB's worker threads at once, so it
// must be safe for concurrent calls; the registration itself is not.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/connection.h"

namespace weft::engine {

using TextFunction = std::function<std::string(std::string_view)>;

// InvalidArgument if the name is taken or not an identifier.
Status RegisterTextFunction(Connection& conn, const std::string& name, TextFunction fn);

}  // namespace weft::engine
