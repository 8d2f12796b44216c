// A time limit (and a cancel switch) for the query running on one
// Connection: while a Watchdog lives, the process's watch thread interrupts
// the connection's query once `seconds` have passed or as soon as
// `cancelled` says so (polled every 20 ms). Every engine that runs a
// caller's SQL runs it under one (docs/security.md, guarantee 7).
//
//   {
//     Watchdog watchdog(conn, 60, [&] { return client_gone; });
//     auto result = conn.QuerySelect(sql);   // "Interrupted" once stopped
//     if (watchdog.timed_out()) return Status::DeadlineExceeded(...);
//   }
//
// One thread watches every running query: a thread started and joined per
// query was a twentieth of a trivial query's CPU on the PostgreSQL endpoint
// (docs/benchmarks.md). `cancelled` runs on that thread, so it must be quick
// and must not block (it reads a flag).
//
// Thread safety: one Watchdog per running query; the accessors may be read
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "engine/connection.h"

namespace weft::engine {

class Watchdog {
 public:
  // `cancelled` may be empty: the time limit alone.
  Watchdog(Connection& conn, double seconds, std::function<bool()> cancelled);
  // Once it returns, the watch thread no longer touches this query.
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool timed_out() const { return timed_out_; }
  bool cancelled() const { return cancelled_; }

 private:
  using Clock = std::chrono::steady_clock;
  friend class WatchThread;
  // Called by the watch thread, under its lock.
  void Check(Clock::time_point now);

  // Constant after construction.
  Connection& conn_;
  std::function<bool()> cancelled_fn_;
  const Clock::time_point deadline_;

  std::atomic<bool> timed_out_{false}, cancelled_{false};
};

}  // namespace weft::engine
