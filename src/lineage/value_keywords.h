// SQL-standard value keywords (current_date, current_timestamp, localtime,
// current_user, ...): DuckDB parses them as column references and binds
// them as functions when no column has the name. The lineage analysis
// reads them as expressions, not columns; the query path's result cache
// (query/result_cache.h) as the clock they are.
#pragma once

#include <string>

namespace weft::lineage {

// `lower`: a one-part column reference's name, lower-cased.
bool IsValueKeyword(const std::string& lower);

}  // namespace weft::lineage
