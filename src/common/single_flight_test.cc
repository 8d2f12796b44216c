#include "common/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace weft {
namespace {

TEST(SingleFlightTest, CallersOfOneKeyAtOnceShareOneComputation) {
  SingleFlight<std::string, int> cache;
  std::atomic<int> computed{0};
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  std::vector<int> answers(16);
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      ++started;
      Result<int> r = cache.Get("k", [&]() -> Result<int> {
        // Slow enough that every other thread asks while this one computes.
        while (started < 16) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return ++computed * 100;
      });
      answers[i] = r.ok() ? *r : -1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(computed, 1);
  for (int a : answers) EXPECT_EQ(a, 100);
  // Later callers get the kept value; another key computes.
  EXPECT_EQ(*cache.Get("k", [] { return Result<int>(7); }), 100);
  EXPECT_EQ(*cache.Get("other", [] { return Result<int>(7); }), 7);
}

TEST(SingleFlightTest, AnErrorIsNotKept) {
  SingleFlight<std::string, int> cache;
  Result<int> failed = cache.Get("k", [] { return Result<int>(Status::IoError("catalog unreachable")); });
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(*cache.Get("k", [] { return Result<int>(3); }), 3);
}

TEST(SingleFlightTest, AnExceptionReachesItsCallerAndIsNotKept) {
  SingleFlight<std::string, int> cache;
  EXPECT_THROW(cache.Get("k", []() -> Result<int> { throw std::runtime_error("invalid UTF-8"); }), std::runtime_error);
  EXPECT_EQ(*cache.Get("k", [] { return Result<int>(4); }), 4);
}

// While one caller computes, a caller with a stale value answers with it
// at once; without one it waits. Peek never waits.
TEST(SingleFlightTest, AStaleValueAnswersWhileAnotherCallerComputes) {
  SingleFlight<std::string, int> cache;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> computing{false};
  std::thread builder([&] {
    EXPECT_EQ(*cache.Get("k", [&] {
      computing = true;
      released.wait();
      return Result<int>(2);
    }), 2);
  });
  while (!computing) std::this_thread::yield();
  EXPECT_EQ(cache.Peek("k"), std::nullopt);
  EXPECT_EQ(*cache.GetOrStale("k", [] { return Result<int>(9); }, 1), 1);
  release.set_value();
  builder.join();
  EXPECT_EQ(cache.Peek("k"), 2);
  EXPECT_EQ(*cache.GetOrStale("k", [] { return Result<int>(9); }, 1), 2);  // computed: the stale one is not used
}

TEST(SingleFlightTest, ForgetBeforeDropsOlderKeysOnly) {
  SingleFlight<int64_t, int> cache;
  for (int64_t g : {1, 2, 3}) EXPECT_EQ(*cache.Get(g, [g] { return Result<int>(static_cast<int>(g)); }), g);
  cache.ForgetBefore(3);
  EXPECT_EQ(*cache.Get(3, [] { return Result<int>(30); }), 3);   // kept
  EXPECT_EQ(*cache.Get(2, [] { return Result<int>(20); }), 20);  // computed again
}

}  // namespace
}  // namespace weft
