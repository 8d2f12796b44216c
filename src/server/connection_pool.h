// The threads httplib serves connections on (httplib::Server's
// new_task_queue): a ThreadPool (common/thread_pool.h). httplib keeps each
// connection on one thread for as long as it is open — waiting up to the
// keep-alive timeout for its next request, or reading a slow client's
// header a byte at a time — so a fixed pool of N threads would be held by N
// idle or slow connections while every other client waits in its queue.
#pragma once

#include <httplib.h>

#include "common/thread_pool.h"

namespace weft::server {

class ConnectionPool : public httplib::TaskQueue {
 public:
  ConnectionPool(size_t core, size_t max) : pool_(core, max) {}

  void enqueue(std::function<void()> fn) override { pool_.Enqueue(std::move(fn)); }
  // httplib calls it when it stops listening.
  void shutdown() override { pool_.Shutdown(); }

 private:
  ThreadPool pool_;
};

}  // namespace weft::server
