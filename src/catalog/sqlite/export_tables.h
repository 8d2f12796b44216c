// The SQLite catalog as plain tables (catalog/tables.h), for
// `weft catalog migrate`. Call inside one read transaction, so every table
// comes from the same commit.
#pragma once

#include "catalog/sqlite/connection.h"
#include "catalog/sqlite/stored_paths.h"
#include "catalog/tables.h"
#include "common/status.h"

namespace weft::catalog::sqlite {

Result<CatalogTables> ExportTables(Connection& conn, const StoredPaths& paths);

}  // namespace weft::catalog::sqlite
