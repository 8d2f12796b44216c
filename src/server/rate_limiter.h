// A token bucket per caller (API token id, or the client address for
// requests without one): `per_minute` requests a minute on average, bursts
// up to `burst`. Memory is bounded: idle full buckets are dropped.
//
// Thread safety: Allow may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace weft::server {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double per_minute, double burst) : rate_per_second_(per_minute / 60.0), burst_(burst) {}

  // True: the request may go on (and takes one token). False: over the
  // limit; `retry_after` says in how many whole seconds one token is back.
  bool Allow(const std::string& key, Clock::time_point now, int& retry_after);

  // True when `key` has no token left now (nothing is taken): for buckets
  // that only failures drain, checked before the attempt.
  bool Exhausted(const std::string& key, Clock::time_point now, int& retry_after);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  // Refills `b` up to `now`; time never runs backwards here.
  void Refill(Bucket& b, Clock::time_point now) const;
  int RetryAfter(const Bucket& b) const;

  double rate_per_second_;
  double burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace weft::server
