// Column masking as DuckDB SQL expressions. The query gateway builds one view
// per session over each product; a column the consumer may only see masked is
// selected through MaskExpression instead of verbatim.
//
//   MaskStrategy m = MaskFor(property, workspace.masking);        // weft.mask, else by classification
//   ASSIGN_OR_RETURN(std::string expr, MaskExpression(m, SqlIdent("email"), "VARCHAR"));
//   view_sql += expr + " AS " + SqlIdent("email");
//   RETURN_IF_ERROR(RegisterMaskFunctions(conn, secret));   // on the instance that evaluates it
//
// Strategies (the spelling of weft.mask and of weft.yaml's masking map):
//   none       the column unchanged
//   redact     '***' (VARCHAR); NULL stays NULL
//   null       NULL of the column's type
//   hash       lower-case hex HMAC-SHA256 of the value's text (VARCHAR) under the
//              workspace secret: equal values hash equal in every product, so
//              joins on hashed ids still match; NULL stays NULL. Computed by
//              weft_hmac, a C++ function registered on the instance that
//              evaluates masks: the key is never SQL text
//   partial:N  the value's text with all but its last N characters replaced by
//              '*', same length in characters (VARCHAR); a text of N characters
//              or fewer is kept whole; NULL stays NULL
//   year       a DATE or TIMESTAMP truncated to January 1st of its year, same type
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/hashing.h"
#include "common/status.h"
#include "engine/connection.h"
#include "spec/model.h"

namespace weft::access {

struct MaskStrategy {
  enum class Kind { kNone, kRedact, kNull, kHash, kPartial, kYear };
  Kind kind = Kind::kNone;
  int keep = 0;  // kPartial: how many trailing characters stay visible

  bool operator==(const MaskStrategy&) const = default;
};

// Parses a strategy as written in weft.mask or weft.yaml: redact, null, hash,
// partial:N (N from 0 to 999, as lint accepts), year or none. Anything else is
// InvalidArgument naming the text and the valid spellings.
Result<MaskStrategy> ParseMaskStrategy(std::string_view text);
// The spelling ParseMaskStrategy reads back ("partial:4").
std::string MaskStrategyName(const MaskStrategy& m);

// The mask for a property: its customProperties weft.mask if set (`none`
// explicitly unmasks), else `masking_by_classification[p.classification]`,
// else none. A value that is not a strategy fails closed to redact: lint
// refuses such specs, so it only arrives when lint was bypassed, and guessing
// "unmasked" would leak.
MaskStrategy MaskFor(const spec::Property& p, const std::map<std::string, std::string>& masking_by_classification);

// The SQL expression for the masked value of `column_sql` (an identifier
// already quoted with SqlIdent, or an expression; it is embedded verbatim)
// whose DuckDB type is `duckdb_type` as DuckDB spells it ("VARCHAR", "DATE",
// "DECIMAL(12,2)", "TIMESTAMP WITH TIME ZONE"). A hash mask calls
// weft_hmac, which only an instance prepared with RegisterMaskFunctions has.
// InvalidArgument for year on a type that is not a date or timestamp, and
// for a type name that could not be embedded in SQL safely (quotes,
// comments, unbalanced parentheses).
Result<std::string> MaskExpression(const MaskStrategy& m, const std::string& column_sql, const std::string& duckdb_type);

inline constexpr char kHmacFunction[] = "weft_hmac";

// Registers weft_hmac, keyed with the workspace secret (bytes), on the
// instance of `conn`. Only the engine that builds governed copies has it:
// the engine that runs a caller's SQL never holds the key. InvalidArgument
// for an empty key.
Status RegisterMaskFunctions(engine::Connection& conn, std::string key);

// The hash mask's function (common/hashing.h), named here too: the
// reference the SQL of a hash mask matches.
using weft::HmacSha256Hex;

}  // namespace weft::access
