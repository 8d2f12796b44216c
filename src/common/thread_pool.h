// Threads for jobs that may block for long — a connection httplib serves
// (server/connection_pool.h), a query that hands its rows over a bounded
// queue to a PostgreSQL portal (pgwire/session.cc) — kept for reuse: with
// a thread started and joined per portal, a prepared query cost 0.8–0.95 ms
// of server CPU; on kept threads, 0.22 ms (docs/benchmarks.md). A fixed
// pool of N threads would be held by N blocked jobs while every other one
// waits in its queue. This pool keeps `core` threads and starts another for
// each job that no idle thread can take, up to `max` (past that, jobs
// wait); a thread above `core` ends after `linger` without work.
// Work goes to the thread that became idle last: handed round every idle
// thread instead, a trickle of connections (one a second per idle thread is
// enough) kept all the threads a burst started alive for good — 1,200 of
// them, 37 MiB of stacks, after a soak's 1,000 idle connections had closed
// (docs/reliability.md).
//
// Thread safety: Enqueue from any thread. Shutdown runs what is queued and
// returns once every thread has ended.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace weft {

class ThreadPool {
 public:
  ThreadPool(size_t core, size_t max, std::chrono::seconds linger = std::chrono::seconds(60));
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Enqueue(std::function<void()> fn);
  void Shutdown();

  // Threads alive now (for tests and metrics).
  size_t threads() const;

 private:
  // An idle thread, waiting for a job handed to it alone.
  struct Idle {
    std::condition_variable cv;
    std::function<void()> job;  // set by enqueue
  };
  void Work(std::function<void()> first);

  const size_t core_, max_;
  const std::chrono::seconds linger_;
  mutable std::mutex mu_;
  std::condition_variable done_cv_;  // a thread ended
  // Protected by mu_.
  std::deque<std::function<void()>> jobs_;  // waiting for a thread (all `max` busy)
  std::vector<Idle*> idle_;                 // the idle threads, the last to become idle last
  size_t live_ = 0;
  bool stopping_ = false;
};

}  // namespace weft
