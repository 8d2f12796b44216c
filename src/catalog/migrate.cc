#include "catalog/migrate.h"

#include <chrono>
#include <filesystem>

#include "catalog/location.h"
#include "catalog/postgres/postgres_store.h"
#include "catalog/sqlite/sqlite_store.h"
#include "catalog/tables.h"

namespace weft::catalog {

Result<MigrationReport> MigrateCatalog(const std::string& from, const std::string& to) {
  const auto start = std::chrono::steady_clock::now();
  if (IsCatalogUrl(from)) return Status::InvalidArgument("the catalog is already on a server (" + PrintableLocation(from) + ")");
  if (!IsCatalogUrl(to))
    return Status::InvalidArgument("--to takes a postgres://USER@HOST[:PORT]/DB URL, not '" + to + "'");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(from, ec)) return Status::NotFound("no catalog file at " + from);
  ASSIGN_OR_RETURN(auto source, sqlite::SqliteStore::Open(from));
  ASSIGN_OR_RETURN(auto target, postgres::PostgresStore::Open(to));
  ASSIGN_OR_RETURN(CatalogTables tables, source->ExportTables());
  int64_t generation = -1;
  for (const auto& t : tables)
    if (t.name == "catalog_meta" && t.rows.size() == 1)
      for (size_t c = 0; c < t.columns.size(); ++c)
        if (t.columns[c] == "generation" && t.rows[0][c]) generation = std::stoll(*t.rows[0][c]);
  if (generation < 0) return Status::Internal(from + " has no catalog generation");
  // The copy commits only if the source is still what was read: usage and
  // monitoring rows move no generation, so the tables are read again.
  RETURN_IF_ERROR(target->ImportTables(tables, [&]() -> Status {
    ASSIGN_OR_RETURN(CatalogTables again, source->ExportTables());
    const std::string changed = FirstDifference(tables, again, "the catalog as read", "the catalog now");
    if (!changed.empty())
      return Status::FailedPrecondition("the catalog changed while it was copied (" + changed + "); nothing was written to " +
                                        PrintableLocation(to) +
                                        ". Stop what writes to the workspace (weft serve, scheduled runs) and migrate again");
    return Status::Ok();
  }));
  return MigrationReport{.tables = tables.size(),
                         .rows = RowCount(tables),
                         .generation = generation,
                         .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

}  // namespace weft::catalog
