// Values for a caller's positional parameters ($1..$n, or ?): bound to the
// prepared statement by DuckDB, never spliced into the SQL text, so a value
// is only ever a value — it cannot name a column or a table, nor end the
// statement.
//
//   const size_t n = ParameterCount(ast);   // after CheckAllowed (sql_allowlist.h)
//   ASSIGN_OR_RETURN(engine::PreparedStatement stmt, conn.PrepareSelect(sql));
//   RETURN_IF_ERROR(BindParameters(stmt, {"42", std::nullopt}, {"INTEGER"}));
//
// Values arrive as text (a wire protocol's text format; binary ones are
// decoded to text first). Declared BOOLEAN, SMALLINT, INTEGER,
// BIGINT, FLOAT and DOUBLE parameters are bound as values of that type
// (SELECT $1 with an INTEGER is an INTEGER column); every other value,
// declared or not, is bound as text, which DuckDB treats as a string
// literal written where the parameter is: cast to what that place needs
// (`id = $1` compares integers), as PostgreSQL treats an untyped parameter.
//
// Thread safety: pure functions; a statement is used by one thread.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/prepared_statement.h"

namespace weft::query {

// How many parameters a parse tree (json_serialize_sql) takes: the highest
// positional number it uses ($3 alone takes three). Named ones ($name),
// which the allow-list refuses, are not counted.
size_t ParameterCount(const nlohmann::json& ast);

// Binds values[i] to parameter i + 1 (std::nullopt: NULL) as types[i] says
// ("" or missing: as text). InvalidArgument naming the parameter when a
// value does not parse as its declared type, or DuckDB refuses it.
Status BindParameters(engine::PreparedStatement& stmt, const std::vector<std::optional<std::string>>& values,
                      const std::vector<std::string>& types);

}  // namespace weft::query
