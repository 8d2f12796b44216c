#include "common/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace weft {
namespace {

using namespace std::chrono_literals;

// Jobs that hold their thread until released: connections that stay open.
class Held {
 public:
  std::function<void()> Job() {
    return [this] {
      ++running_;
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return released_; });
      --running_;
    };
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int running() const { return running_; }

 private:
  std::atomic<int> running_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

bool Eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 500 && !cond(); ++i) std::this_thread::sleep_for(10ms);
  return cond();
}

TEST(ThreadPoolTest, AJobIsNotQueuedBehindConnectionsThatStayOpen) {
  ThreadPool pool(/*core=*/4, /*max=*/1000);
  Held held;
  for (int i = 0; i < 200; ++i) pool.Enqueue(held.Job());
  ASSERT_TRUE(Eventually([&] { return held.running() == 200; })) << held.running() << " of 200 run at once";
  std::promise<void> served;
  pool.Enqueue([&] { served.set_value(); });
  EXPECT_EQ(served.get_future().wait_for(5s), std::future_status::ready) << "a new connection waited behind held ones";
  held.Release();
  pool.Shutdown();
}

TEST(ThreadPoolTest, PastItsMaximumJobsWaitTheirTurn) {
  ThreadPool pool(/*core=*/1, /*max=*/3);
  Held held;
  for (int i = 0; i < 5; ++i) pool.Enqueue(held.Job());
  ASSERT_TRUE(Eventually([&] { return held.running() == 3; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(held.running(), 3);
  EXPECT_EQ(pool.threads(), 3u);
  held.Release();
  std::atomic<int> later{0};
  pool.Enqueue([&] { ++later; });
  pool.Shutdown();  // runs what was queued
  EXPECT_EQ(later, 1);
  EXPECT_EQ(pool.threads(), 0u);
}

TEST(ThreadPoolTest, ThreadsAboveTheCoreEndWhenIdle) {
  ThreadPool pool(/*core=*/2, /*max=*/100, /*linger=*/1s);
  Held held;
  for (int i = 0; i < 20; ++i) pool.Enqueue(held.Job());
  ASSERT_TRUE(Eventually([&] { return held.running() == 20; }));
  EXPECT_GE(pool.threads(), 20u);
  held.Release();
  EXPECT_TRUE(Eventually([&] { return pool.threads() == 2; })) << pool.threads() << " threads left";
  pool.Shutdown();
}

// After a burst, a trickle of short connections (one every 10 ms, so each
// of 20 threads would get one every 200 ms if work went round them all)
// keeps one or two threads busy; the rest end after their linger.
TEST(ThreadPoolTest, ATrickleOfJobsAfterABurstKeepsOnlyTheThreadsItNeeds) {
  ThreadPool pool(/*core=*/1, /*max=*/100, /*linger=*/1s);
  Held held;
  for (int i = 0; i < 20; ++i) pool.Enqueue(held.Job());
  ASSERT_TRUE(Eventually([&] { return held.running() == 20; }));
  held.Release();
  std::atomic<int> done{0};
  const auto until = std::chrono::steady_clock::now() + 3s;
  int sent = 0;
  while (std::chrono::steady_clock::now() < until) {
    pool.Enqueue([&] { ++done; });
    ++sent;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_LE(pool.threads(), 3u);
  EXPECT_TRUE(Eventually([&] { return done == sent; }));
  pool.Shutdown();
}

}  // namespace
}  // namespace weft
