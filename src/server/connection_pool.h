// The threads httplib serves connections on (httplib::Server's
// new_task_queue). httplib keeps each connection on one thread for as long
// as it is open: waiting up to the keep-alive timeout for its next request,
// or reading a slow client's header a byte at a time. A fixed pool of N
// threads is then held by N idle or slow connections while every other
// client waits in its queue. This pool keeps `core` threads and starts
// another for each connection that no idle thread can take, up to `max`
// (past that, connections wait); a thread above `core` ends after
// `linger` without work. Work goes to the thread that became idle last:
// handed round every idle thread instead, a trickle of connections (one a
// second per idle thread is enough) kept all the threads a burst started
// alive for good — 1,200 of them, 37 MiB of stacks, after a soak's 1,000
// idle connections had closed (docs/reliability.md).
//
// Thread safety: Enqueue from any thread. Shutdown (httplib calls it when
// it stops listening) runs what is queued and returns once every thread
// has ended.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace weft::server {

class ConnectionPool : public httplib::TaskQueue {
 public:
  ConnectionPool(size_t core, size_t max, std::chrono::seconds linger = std::chrono::seconds(60));
  ~ConnectionPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

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

}  // namespace weft::server
