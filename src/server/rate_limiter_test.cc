#include "server/rate_limiter.h"

#include <gtest/gtest.h>

namespace weft::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter(/*per_minute=*/60, /*burst=*/2);
  auto t = RateLimiter::Clock::time_point{} + seconds(100);
  int retry = 0;
  EXPECT_TRUE(limiter.Allow("a", t, retry));
  EXPECT_TRUE(limiter.Allow("a", t, retry));
  EXPECT_FALSE(limiter.Allow("a", t, retry));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(limiter.Allow("b", t, retry)) << "each key has its own bucket";
  EXPECT_TRUE(limiter.Allow("a", t + seconds(1), retry)) << "one a second comes back";
  EXPECT_FALSE(limiter.Allow("a", t + seconds(1), retry));
}

TEST(RateLimiterTest, AnEarlierClockReadingNeverDrainsTheBucket) {
  // Callers read the clock before taking the lock, so a later caller can
  // arrive with an earlier time than the bucket's stamp.
  RateLimiter limiter(/*per_minute=*/6e6, /*burst=*/10);
  auto t = RateLimiter::Clock::time_point{} + seconds(100);
  int retry = 0;
  ASSERT_TRUE(limiter.Allow("a", t, retry));
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(limiter.Allow("a", t - milliseconds(5), retry)) << i;
}

TEST(RateLimiterTest, ExhaustedOnlyLooks) {
  RateLimiter limiter(/*per_minute=*/60, /*burst=*/1);
  auto t = RateLimiter::Clock::time_point{} + seconds(100);
  int retry = 0;
  EXPECT_FALSE(limiter.Exhausted("a", t, retry)) << "an unknown key is not exhausted";
  EXPECT_FALSE(limiter.Exhausted("a", t, retry)) << "and looking takes nothing";
  ASSERT_TRUE(limiter.Allow("a", t, retry));
  EXPECT_TRUE(limiter.Exhausted("a", t, retry));
  EXPECT_EQ(retry, 1);
  EXPECT_FALSE(limiter.Exhausted("a", t + seconds(1), retry));
}

}  // namespace
}  // namespace weft::server
