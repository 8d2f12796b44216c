// Test-only helpers of the engine tests: the shared status matchers and a
// fixture with one in-memory database and connection.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::engine::engine_internal {

class InMemoryDuckDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(DatabaseConfig{}));
    ASSERT_OK_AND_ASSIGN(conn_, Connection::Open(*db_));
  }
  std::optional<Database> db_;
  std::optional<Connection> conn_;
};

}  // namespace weft::engine::engine_internal
