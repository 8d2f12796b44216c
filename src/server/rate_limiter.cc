#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace weft::server {

void RateLimiter::Refill(Bucket& b, Clock::time_point now) const {
  // `now` was read before the lock: another caller may have stamped the
  // bucket with a later time meanwhile.
  if (now <= b.last) return;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_per_second_);
  b.last = now;
}

int RateLimiter::RetryAfter(const Bucket& b) const {
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_per_second_)));
}

bool RateLimiter::Exhausted(const std::string& key, Clock::time_point now, int& retry_after) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return false;
  Refill(it->second, now);
  if (it->second.tokens >= 1) return false;
  retry_after = RetryAfter(it->second);
  return true;
}

bool RateLimiter::Allow(const std::string& key, Clock::time_point now, int& retry_after) {
  std::lock_guard lock(mu_);
  auto refill = [&](Bucket& b) { Refill(b, now); };
  // Once a minute, forget callers whose bucket has refilled: they would
  // start full anyway.
  if (now - last_sweep_ > std::chrono::minutes(1)) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) refill(b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  retry_after = RetryAfter(b);
  return false;
}

}  // namespace weft::server
