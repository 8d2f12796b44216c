// A time limit (and a cancel switch) for the query running on one
// Connection: while a Watchdog lives, a thread of its own interrupts the
// connection's query once `seconds` have passed or as soon as `cancelled`
// says so (polled every 20 ms). Every engine that runs a caller's SQL runs
// it under one (docs/security.md, guarantee 7).
//
//   {
//     Watchdog watchdog(conn, 60, [&] { return client_gone; });
//     auto result = conn.QuerySelect(sql);   // "Interrupted" once stopped
//     if (watchdog.timed_out()) return Status::DeadlineExceeded(...);
//   }
//
// Thread safety: one Watchdog per running query; the accessors may be read
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/connection.h"

namespace weft::engine {

class Watchdog {
 public:
  // `cancelled` may be empty: the time limit alone.
  Watchdog(Connection& conn, double seconds, std::function<bool()> cancelled);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool timed_out() const { return timed_out_; }
  bool cancelled() const { return cancelled_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Watch();

  // Constant after construction.
  Connection& conn_;
  std::function<bool()> cancelled_fn_;
  const Clock::time_point deadline_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // protected by mu_
  std::atomic<bool> timed_out_{false}, cancelled_{false};
  std::thread thread_;  // last: starts once the rest is constructed
};

}  // namespace weft::engine
