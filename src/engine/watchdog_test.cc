#include "engine/watchdog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "engine/database.h"
#include "engine/query_result.h"
#include "engine/internal/test_macros.h"

namespace weft::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Runs until interrupted: minutes of work on any machine.
constexpr const char* kEndless = "SELECT sum(i * i) FROM range(1000000000000) t(i)";

class WatchdogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(db_, Database::Open({.threads = 1})); }
  std::optional<Database> db_;
};

TEST_F(WatchdogTest, StopsAQueryAtItsTimeLimit) {
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(*db_));
  const auto start = Clock::now();
  Watchdog watchdog(conn, 0.2, {});
  auto result = conn.Query(kEndless);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(watchdog.timed_out());
  EXPECT_FALSE(watchdog.cancelled());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST_F(WatchdogTest, StopsAQueryWhenCancelled) {
  ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(*db_));
  std::atomic<bool> gone{false};
  std::thread client([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gone = true;
  });
  Watchdog watchdog(conn, 600, [&] { return gone.load(); });
  auto result = conn.Query(kEndless);
  client.join();
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(watchdog.cancelled());
  EXPECT_FALSE(watchdog.timed_out());
}

// One watch thread serves every query: each is stopped by its own limit,
// and a query whose limit is far away is left alone however many others
// are stopped beside it, also once their watchdogs are gone.
TEST_F(WatchdogTest, EachQueryIsStoppedByItsOwnLimitOnly) {
  constexpr int kShort = 6;
  std::vector<std::thread> threads;
  std::atomic<int> stopped{0}, wrong{0};
  for (int i = 0; i < kShort; ++i) {
    threads.emplace_back([&] {
      auto conn = Connection::Open(*db_);
      if (!conn.ok()) {
        ++wrong;
        return;
      }
      Watchdog watchdog(*conn, 0.1, {});
      if (!conn->Query(kEndless).ok() && watchdog.timed_out()) ++stopped;
    });
  }
  ASSERT_OK_AND_ASSIGN(Connection patient, Connection::Open(*db_));
  {
    Watchdog watchdog(patient, 600, {});
    // Short enough to finish, long enough to run while the others are stopped.
    ASSERT_OK_AND_ASSIGN(QueryResult r, patient.Query("SELECT sum(i * i) FROM range(100000000) t(i)"));
    EXPECT_FALSE(watchdog.timed_out());
    EXPECT_FALSE(watchdog.cancelled());
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stopped.load(), kShort);
  EXPECT_EQ(wrong.load(), 0);
  // Nothing watches the connection any more: its next query runs.
  ASSERT_OK_AND_ASSIGN(QueryResult again, patient.Query("SELECT 42"));
}

}  // namespace
}  // namespace weft::engine
