#include "catalog/store.h"

#include "catalog/location.h"
#include "catalog/postgres/postgres_store.h"
#include "catalog/sqlite/sqlite_store.h"

namespace weft::catalog {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  if (IsCatalogUrl(location)) {
    ASSIGN_OR_RETURN(std::unique_ptr<postgres::PostgresStore> store, postgres::PostgresStore::Open(location));
    return std::unique_ptr<Store>(std::move(store));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteStore> store, sqlite::SqliteStore::Open(location));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace weft::catalog
