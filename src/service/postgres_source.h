// Reading a product's operational PostgreSQL source (its descriptor's
// weft.source: spec::ProductSource) into a CSV file that a publish then
// checks like any other input: `weft publish D.P --from-source`.
//
//   ASSIGN_OR_RETURN(SourceExtract x, ExtractPostgresSource(ws, "sales.orders", *source, limits, dir));
//   ... publish x.file, then remove it (the publish archives its own copy).
//
// The database's URL, password included, comes from the workspace secret the
// source names (control/secrets.h) and appears in no message. The read runs
// in a READ ONLY transaction, so a query cannot change the source, and in
// one snapshot of it (REPEATABLE READ), so the rows are consistent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "control/workspace.h"
#include "quality/input_limits.h"
#include "spec/model.h"

namespace weft::service {

struct SourceExtract {
  std::filesystem::path file;  // CSV with a header line, in `dir`
  int64_t bytes = 0;
};

// COPY (the query, or SELECT * FROM the table) TO STDOUT as CSV into a new
// file in `dir`. Refused, leaving no file, past limits.max_input_bytes.
Result<SourceExtract> ExtractPostgresSource(const control::Workspace& ws, const std::string& product,
                                            const spec::ProductSource& source, const quality::InputLimits& limits,
                                            const std::filesystem::path& dir);

}  // namespace weft::service
