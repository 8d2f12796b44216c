#include "e2e/postgres_catalogs.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace weft::e2e {
namespace {

// postgres://weft:PASSWORD@HOST:PORT/postgres, from the cluster's state directory.
struct Cluster {
  std::string admin_url, password, server;
};

const Cluster& TheCluster() {
  static const Cluster cluster = [] {
    const std::string file = std::string(std::getenv("WEFT_TEST_POSTGRES")) + "/url";
    std::ifstream in(file);
    Cluster c;
    if (!std::getline(in, c.admin_url)) throw std::runtime_error("no test cluster: " + file + " is missing");
    const size_t colon = c.admin_url.find(':', std::string("postgres://").size());
    const size_t at = c.admin_url.find('@');
    c.password = c.admin_url.substr(colon + 1, at - colon - 1);
    c.server = c.admin_url.substr(at + 1, c.admin_url.rfind('/') - at - 1);
    return c;
  }();
  return cluster;
}

// Exports the cluster's password to this process's environment before the
// tests run, so that every weft they start has it: through cli_runner, and
// through anything else (console_test runs weft under script(1)).
class PostgresRun : public ::testing::Environment {
 public:
  void SetUp() override {
    if (OnPostgres()) setenv("PGPASSWORD", PostgresPassword().c_str(), 1);
  }
};

[[maybe_unused]] ::testing::Environment* const kPostgresRun = ::testing::AddGlobalTestEnvironment(new PostgresRun);

}  // namespace

bool OnPostgres() {
  const char* state = std::getenv("WEFT_TEST_POSTGRES");
  return state != nullptr && *state != '\0';
}

std::string NewPostgresCatalog() {
  static std::atomic<int> next{0};
  const std::string database = "weft_e2e_" + std::to_string(getpid()) + "_" + std::to_string(next++);
  PGconn* conn = PQconnectdb(TheCluster().admin_url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) error = PQerrorMessage(conn);
  if (error.empty()) {
    PGresult* result = PQexec(conn, ("CREATE DATABASE " + database).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("cannot make a catalog database in the test cluster: " + error);
  return "postgres://weft@" + TheCluster().server + "/" + database;
}

std::string PostgresPassword() { return TheCluster().password; }

}  // namespace weft::e2e
