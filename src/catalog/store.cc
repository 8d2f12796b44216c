#include "catalog/store.h"

#include "catalog/sqlite/sqlite_store.h"
#include "common/strings.h"

namespace weft::catalog {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  // The URL is not echoed back: it may carry a password.
  if (StartsWith(location, "postgres://") || StartsWith(location, "postgresql://")) {
    return Status::FailedPrecondition(
        "PostgreSQL catalog is not available in this build yet; use a SQLite catalog file (e.g. "
        "<workspace>/catalog.db)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteStore> store, sqlite::SqliteStore::Open(location));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace weft::catalog
