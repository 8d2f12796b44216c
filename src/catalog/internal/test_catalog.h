// Test-only: which store the catalog tests run against. One suite, two
// stores: a test asks TestCatalog for a new, empty catalog location and
// opens it with OpenStore, and runs on SQLite (a file in its scratch
// directory) or, when WEFT_TEST_POSTGRES is set, on PostgreSQL (a new
// database in the test cluster, dropped after the test).
//
// WEFT_TEST_POSTGRES names the state directory of a running cluster made by
// tests/catalog/postgres-cluster (its `url` file holds the superuser URL);
// ctest sets it for the "/postgres" copies of the tests and starts and stops
// the cluster around them (src/catalog/CMakeLists.txt). By hand:
//
//   tests/catalog/postgres-cluster start /tmp/pg
//   WEFT_TEST_POSTGRES=/tmp/pg build/src/catalog/weft_catalog_test --gtest_filter='StoreTest.*'
//   tests/catalog/postgres-cluster stop /tmp/pg
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>

#include "catalog/internal/testing.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/postgres_store.h"
#include "catalog/sqlite/sqlite_store.h"
#include "catalog/store.h"
#include "common/status.h"

namespace weft::catalog::catalog_internal {

class TestCatalog {
 public:
  TestCatalog() = default;
  TestCatalog(const TestCatalog&) = delete;
  TestCatalog& operator=(const TestCatalog&) = delete;
  ~TestCatalog() {
    for (const std::string& database : databases_) {
      // WITH (FORCE): a store a failed test still holds must not keep it.
      if (auto admin = postgres::Connection::Open(admin_url_); admin.ok()) {
        admin->Exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").IgnoreError();
      }
    }
  }

  // Whether this run is the PostgreSQL one.
  static bool OnPostgres() {
    const char* state = getenv("WEFT_TEST_POSTGRES");
    return state != nullptr && *state != '\0';
  }

  // The superuser URL of the test cluster (it ends in /postgres).
  static Result<std::string> AdminUrl() {
    const std::string file = std::string(getenv("WEFT_TEST_POSTGRES")) + "/url";
    std::ifstream in(file);
    std::string url;
    if (!std::getline(in, url) || url.empty()) {
      return Status::FailedPrecondition("no test cluster: " + file +
                                        " is missing; start one with tests/catalog/postgres-cluster start");
    }
    return url;
  }

  // A new, empty catalog location: `dir`'s catalog.db, or a new database.
  Result<std::string> Create(const ScratchDir& dir) {
    if (!OnPostgres()) return dir.File("catalog.db");
    ASSIGN_OR_RETURN(admin_url_, AdminUrl());
    static std::atomic<int> next{0};
    const std::string database = "weft_test_" + std::to_string(getpid()) + "_" + std::to_string(next++);
    ASSIGN_OR_RETURN(postgres::Connection admin, postgres::Connection::Open(admin_url_));
    RETURN_IF_ERROR(admin.Exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)"));
    RETURN_IF_ERROR(admin.Exec("CREATE DATABASE " + database));
    databases_.push_back(database);
    return admin_url_.substr(0, admin_url_.rfind('/') + 1) + database;
  }

  // Opens `location` with a short wait for the write lock (the locking tests).
  static Result<std::unique_ptr<Store>> OpenWithLockTimeout(const std::string& location, int timeout_ms) {
    if (OnPostgres()) {
      ASSIGN_OR_RETURN(auto store, postgres::PostgresStore::Open(location, {.lock_timeout_ms = timeout_ms}));
      return std::unique_ptr<Store>(std::move(store));
    }
    ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(location, {.busy_timeout_ms = timeout_ms}));
    return std::unique_ptr<Store>(std::move(store));
  }

 private:
  std::string admin_url_;
  std::vector<std::string> databases_;
};

}  // namespace weft::catalog::catalog_internal
