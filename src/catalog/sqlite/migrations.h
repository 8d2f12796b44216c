// Versioned schema migrations of the SQLite catalog (catalog.db).
//
// The schema is an ordered list of SQL scripts; script i brings the schema
// from version i-1 to i. The database header records which version a file
// has (PRAGMA user_version) and that it is a weft catalog at all (PRAGMA
// application_id). Opening a catalog applies the pending scripts in one
// transaction, so a file is never left half-migrated.
//
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open(path, 5000));
//   RETURN_IF_ERROR(Migrate(conn, CatalogMigrations()));
//
// A schema change is a new entry at the end of CatalogMigrations(); an entry
// that has shipped is never edited, because catalogs already at that version
// would not see the edit.
//
// Thread safety: functions of one Connection; see connection.h.
#pragma once

#include <cstdint>
#include <span>

#include "catalog/sqlite/connection.h"
#include "common/status.h"

namespace weft::catalog::sqlite {

// "weft" in ASCII: the header mark that tells a weft catalog from any other
// SQLite file (https://www.sqlite.org/pragma.html#pragma_application_id).
inline constexpr int32_t kWeftApplicationId = 0x77656674;

struct Migration {
  int version;              // 1, 2, 3, ... in list order
  const char* description;  // for error messages: "initial schema"
  const char* sql;          // one or more statements
};

// The catalog's schema, oldest first.
std::span<const Migration> CatalogMigrations();

// Brings the database to the newest version in `migrations`, in one
// IMMEDIATE transaction (so two processes opening a new catalog at once
// migrate it once). Refuses, leaving the file untouched:
//   - a file that is not an SQLite database or is damaged;
//   - an SQLite database of another application, or one with tables but no
//     weft mark ("not a weft catalog");
//   - a catalog whose version is newer than the newest known here.
// An empty or new file becomes a catalog.
Status Migrate(Connection& conn, std::span<const Migration> migrations);

}  // namespace weft::catalog::sqlite
