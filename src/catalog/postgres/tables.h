// The PostgreSQL catalog as plain tables (catalog/tables.h): read for a
// comparison, written by `weft catalog migrate`. Both run on a connection
// inside a transaction the caller holds (with the write lock, to import).
#pragma once

#include "catalog/postgres/connection.h"
#include "catalog/tables.h"
#include "common/status.h"

namespace weft::catalog::postgres {

// Every table but weft_schema; the search indexes' vectors and generated
// columns left out (they derive from the text columns).
Result<CatalogTables> ExportTables(Connection& conn);

// Fills an empty catalog with `tables` (an export of the same schema from
// another store): rows as they are — ids and counters kept, no trigger
// run — with the search vectors computed from their text and the id
// sequences moved past the ids copied. Refused, changing nothing, when the
// catalog holds anything, or when a table or column of either side has no
// counterpart (stores of different schema versions).
Status ImportTables(Connection& conn, const CatalogTables& tables);

}  // namespace weft::catalog::postgres
