// Moving a catalog from the embedded SQLite file to a PostgreSQL server
// (`weft catalog migrate --to postgres://…`, docs/scaling.md): every table
// copied row for row in one PostgreSQL transaction, read back and compared
// with the source before it commits.
//
//   ASSIGN_OR_RETURN(MigrationReport r, MigrateCatalog("/ws/catalog.db", "postgres://weft@db/mesh"));
//
// Writers of the source must be stopped: a source that changes during the
// copy is detected (its generation moved) and nothing is committed.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace weft::catalog {

struct MigrationReport {
  size_t tables = 0;
  size_t rows = 0;
  int64_t generation = 0;  // the source's, carried over
  double seconds = 0;
};

// `from`: an existing SQLite catalog file. `to`: a PostgreSQL catalog URL
// whose database holds no weft catalog yet, or an empty one. The source is
// only read.
Result<MigrationReport> MigrateCatalog(const std::string& from, const std::string& to);

}  // namespace weft::catalog
