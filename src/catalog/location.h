// Where a catalog is: what weft.yaml's `catalog:` setting and OpenStore
// (store.h) take. A postgres:// or postgresql:// URL names a PostgreSQL
// catalog; anything else is the path of a SQLite file.
//
//   IsCatalogUrl("postgres://weft@db/weft")              // true
//   PrintableLocation("postgres://weft:pw@db:5432/weft")  // "postgres://weft@db:5432/weft"
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace weft::catalog {

bool IsCatalogUrl(std::string_view location);

// The location as it may be shown or logged: a URL without its password
// (user, host, port and database only); a path as it is.
std::string PrintableLocation(const std::string& location);

// Whether a URL holds a password (weft init will not write one into
// weft.yaml; it belongs in PGPASSWORD or a passfile).
bool HasPassword(const std::string& location);

}  // namespace weft::catalog
