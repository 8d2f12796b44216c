#include "server/connection_pool.h"

#include <thread>

namespace weft::server {

ConnectionPool::ConnectionPool(size_t core, size_t max, std::chrono::seconds linger)
    : core_(core), max_(std::max(core, max)), linger_(linger) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < core_; ++i) {
    ++live_;
    std::thread([this] { Work(); }).detach();
  }
}

ConnectionPool::~ConnectionPool() {
  shutdown();
}

void ConnectionPool::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  jobs_.push_back(std::move(fn));
  // Each queued job beyond the idle threads gets a thread of its own.
  if (jobs_.size() > idle_ && live_ < max_) {
    ++live_;
    std::thread([this] { Work(); }).detach();
  } else {
    work_cv_.notify_one();
  }
}

void ConnectionPool::shutdown() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  work_cv_.notify_all();
  done_cv_.wait(lock, [&] { return live_ == 0; });
}

size_t ConnectionPool::threads() const {
  std::lock_guard lock(mu_);
  return live_;
}

void ConnectionPool::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    const bool woken = work_cv_.wait_for(lock, linger_, [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
      continue;
    }
    if (stopping_ || (!woken && live_ > core_)) break;
  }
  --live_;
  // The threads are detached: the last one tells Shutdown only once it no
  // longer touches this pool (the lock is released and the waiter woken
  // at the thread's exit), so the pool may be destroyed right after.
  std::notify_all_at_thread_exit(done_cv_, std::move(lock));
}

}  // namespace weft::server
