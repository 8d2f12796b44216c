// The threads httplib serves connections on (httplib::Server's
// new_task_queue). httplib keeps each connection on one thread for as long
// as it is open: waiting up to the keep-alive timeout for its next request,
// or reading a slow client's header a byte at a time. A fixed pool of N
// threads is then held by N idle or slow connections while every other
// client waits in its queue. This pool keeps `core` threads and starts
// another for each connection that no idle thread can take, up to `max`
// (past that, connections wait); a thread above `core` ends after
// `linger` without work.
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
  void Work();

  const size_t core_, max_;
  const std::chrono::seconds linger_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a job was queued, or shutdown
  std::condition_variable done_cv_;  // a thread ended
  // Protected by mu_.
  std::deque<std::function<void()>> jobs_;
  size_t live_ = 0;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace weft::server
