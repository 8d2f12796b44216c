#include "access/masks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "common/hashing.h"
#include "common/strings.h"
#include "engine/scalar_function.h"

namespace weft::access {
namespace {

using Kind = MaskStrategy::Kind;

constexpr std::string_view kValidMasks = "redact, null, hash, partial:N, year or none";

// The type is spliced into CAST(... AS <type>), so it must not be able to end
// the CAST early or smuggle in a string or a comment. DuckDB spells the types
// of real columns with letters, digits, '_', spaces, ',' and balanced () and
// [] ("DECIMAL(12,2)", "INTEGER[]", "STRUCT(a INTEGER, b VARCHAR[])"); a
// STRUCT with a quoted field name is refused rather than parsed.
Status CheckEmbeddableType(std::string_view type) {
  int depth = 0;
  bool ok = !Trim(type).empty();
  for (char c : type) {
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      ok = ok && --depth >= 0;
    else
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == ',');
  }
  if (ok && depth == 0) return Status::Ok();
  return Status::InvalidArgument("column type '" + std::string(type) + "' cannot be used in a mask expression");
}

bool IsDateOrTimestamp(std::string_view type) {
  static const std::array<std::string_view, 9> kTypes = {"DATE",         "DATETIME",     "TIMESTAMP",
                                                         "TIMESTAMP_S",  "TIMESTAMP_MS", "TIMESTAMP_US",
                                                         "TIMESTAMP_NS", "TIMESTAMPTZ",  "TIMESTAMP WITH TIME ZONE"};
  std::string upper(Trim(type));
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return std::find(kTypes.begin(), kTypes.end(), upper) != kTypes.end();
}

}  // namespace

Result<MaskStrategy> ParseMaskStrategy(std::string_view text) {
  if (text == "none") return MaskStrategy{Kind::kNone};
  if (text == "redact") return MaskStrategy{Kind::kRedact};
  if (text == "null") return MaskStrategy{Kind::kNull};
  if (text == "hash") return MaskStrategy{Kind::kHash};
  if (text == "year") return MaskStrategy{Kind::kYear};
  if (StartsWith(text, "partial:")) {
    std::string_view n = text.substr(8);
    // Up to three digits, as lint accepts: a number of characters, not a sign or an exponent.
    if (n.empty() || n.size() > 3 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return Status::InvalidArgument("mask '" + std::string(text) +
                                     "': partial:N needs N, the number of trailing characters to keep, from 0 to 999");
    return MaskStrategy{Kind::kPartial, std::stoi(std::string(n))};
  }
  return Status::InvalidArgument("'" + std::string(text) + "' is not a masking strategy; use " +
                                 std::string(kValidMasks));
}

std::string MaskStrategyName(const MaskStrategy& m) {
  switch (m.kind) {
    case Kind::kNone:
      return "none";
    case Kind::kRedact:
      return "redact";
    case Kind::kNull:
      return "null";
    case Kind::kHash:
      return "hash";
    case Kind::kPartial:
      return "partial:" + std::to_string(m.keep);
    case Kind::kYear:
      return "year";
  }
  return "none";
}

MaskStrategy MaskFor(const spec::Property& p, const std::map<std::string, std::string>& masking_by_classification) {
  const MaskStrategy kFailClosed{Kind::kRedact};
  if (const spec::Json* v = p.Custom("weft.mask")) {
    if (!v->is_string()) return kFailClosed;
    Result<MaskStrategy> m = ParseMaskStrategy(v->get<std::string>());
    return m.ok() ? *m : kFailClosed;
  }
  if (p.classification.empty()) return MaskStrategy{};
  auto it = masking_by_classification.find(p.classification);
  if (it == masking_by_classification.end()) return MaskStrategy{};
  Result<MaskStrategy> m = ParseMaskStrategy(it->second);
  return m.ok() ? *m : kFailClosed;
}

Result<std::string> MaskExpression(const MaskStrategy& m, const std::string& column_sql, const std::string& duckdb_type) {
  const std::string text = "CAST(" + column_sql + " AS VARCHAR)";
  switch (m.kind) {
    case Kind::kNone:
      return column_sql;
    case Kind::kRedact:
      return "CASE WHEN " + column_sql + " IS NULL THEN NULL ELSE '***' END";
    case Kind::kNull:
      RETURN_IF_ERROR(CheckEmbeddableType(duckdb_type));
      return "CAST(NULL AS " + duckdb_type + ")";
    case Kind::kHash:
      // The key lives in the C++ function (RegisterMaskFunctions), never in
      // SQL; NULL stays NULL.
      return std::string(kHmacFunction) + "(" + text + ")";
    case Kind::kPartial: {
      if (m.keep < 0) return Status::InvalidArgument("partial mask keeps " + std::to_string(m.keep) + " characters");
      // length() and right() both count code points, so the result has as
      // many characters as the value; greatest() keeps repeat() from going
      // negative when the value is shorter than N. right(NULL) is NULL and
      // || propagates it.
      const std::string n = std::to_string(m.keep);
      return "repeat('*', greatest(length(" + text + ") - " + n + ", 0)) || right(" + text + ", " + n + ")";
    }
    case Kind::kYear:
      if (!IsDateOrTimestamp(duckdb_type))
        return Status::InvalidArgument("year masks dates and timestamps; the column is " + duckdb_type);
      RETURN_IF_ERROR(CheckEmbeddableType(duckdb_type));
      // date_trunc('year', TIMESTAMP) is a DATE in DuckDB 1.4; cast back so the column keeps its type.
      return "CAST(date_trunc('year', " + column_sql + ") AS " + duckdb_type + ")";
  }
  return Status::Internal("unknown mask kind");
}

Status RegisterMaskFunctions(engine::Connection& conn, std::string key) {
  // Without a secret the hash is a plain SHA-256 that anyone can invert for
  // small domains (ids, phone numbers) by hashing every candidate.
  if (key.empty()) return Status::InvalidArgument("hash masking needs a workspace secret; it is empty");
  return engine::RegisterTextFunction(conn, kHmacFunction,
                                      [key = std::move(key)](std::string_view v) { return HmacSha256Hex(key, v); });
}

}  // namespace weft::access
