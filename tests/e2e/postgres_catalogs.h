// The end-to-end tests' PostgreSQL run. With WEFT_TEST_POSTGRES set (the
// state directory of the catalog tests' throwaway cluster,
// tests/catalog/postgres-cluster), cli_runner gives every `weft init` that
// names no catalog a new database of that cluster (`--catalog
// postgres://weft@HOST:PORT/weft_e2e_PID_N`), and the test process exports
// the cluster's password in PGPASSWORD for every command it starts: the same
// tests then run weft on a PostgreSQL catalog. The databases go with the cluster at the end of the
// run.
//
// Thread safety: NewPostgresCatalog may be called from several threads.
#pragma once

#include <string>

namespace weft::e2e {

// Whether this is the PostgreSQL run.
bool OnPostgres();

// The URL (without the password) of a new, empty database in the cluster.
std::string NewPostgresCatalog();

// The cluster superuser's password.
std::string PostgresPassword();

}  // namespace weft::e2e
