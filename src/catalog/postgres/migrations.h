// Versioned schema migrations of the PostgreSQL catalog.
//
// Like the SQLite catalog (sqlite/migrations.h), the schema is an ordered
// list of scripts; script i brings it from version i-1 to i. The version and
// the mark that says "this database is a weft catalog" live in the one-row
// table weft_schema (PostgreSQL has no header to keep them in). Opening a
// catalog applies the pending scripts in one transaction, holding the
// catalog's write lock (the advisory lock every writer takes), so two weft
// processes opening a new catalog at once migrate it once; DDL is
// transactional in PostgreSQL, so a failed script leaves nothing behind.
//
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open(url));
//   RETURN_IF_ERROR(Migrate(conn, CatalogMigrations(), /*lock_timeout_ms=*/5000));
//
// A schema change is a new entry at the end of CatalogMigrations(); a
// shipped entry is never edited. Version 1 is the whole schema of the SQLite
// catalog at its version 10: the PostgreSQL store started there.
//
// Thread safety: functions of one Connection.
#pragma once

#include <cstdint>
#include <span>

#include "catalog/postgres/connection.h"
#include "common/status.h"

namespace weft::catalog::postgres {

// The key of the advisory lock that serializes catalog writers (and
// migrations) on one database: "weft" in ASCII, as the SQLite catalog's
// application_id.
inline constexpr int64_t kWriteLockKey = 0x77656674;

struct Migration {
  int version;              // 1, 2, 3, ... in list order
  const char* description;  // for error messages
  const char* sql;          // one or more statements ("" for none)
  // Run after `sql`, in the same transaction: for what SQL cannot compute
  // (text the store folds before PostgreSQL indexes it).
  Status (*then)(Connection& conn) = nullptr;
};

// The catalog's schema, oldest first.
std::span<const Migration> CatalogMigrations();

// The schema version of the catalog `conn` is connected to; 0 for an empty
// database.
Result<int64_t> SchemaVersion(Connection& conn);

// Brings the database to the newest version in `migrations`. Refuses,
// leaving it untouched: a database holding tables but no weft mark ("not a
// weft catalog"), and a catalog newer than this weft ("upgrade weft"). An
// empty database becomes a catalog.
Status Migrate(Connection& conn, std::span<const Migration> migrations, int lock_timeout_ms);

}  // namespace weft::catalog::postgres
