#include "common/thread_pool.h"

#include <algorithm>
#include <thread>

namespace weft {

ThreadPool::ThreadPool(size_t core, size_t max, std::chrono::seconds linger)
    : core_(core), max_(std::max(core, max)), linger_(linger) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < core_; ++i) {
    ++live_;
    std::thread([this] { Work(nullptr); }).detach();
  }
}

ThreadPool::~ThreadPool() {
  Shutdown();
}

void ThreadPool::Enqueue(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (!idle_.empty()) {  // the thread idle the shortest time: the others may expire
    Idle* thread = idle_.back();
    idle_.pop_back();
    thread->job = std::move(fn);
    thread->cv.notify_one();
  } else if (live_ < max_) {
    ++live_;
    std::thread([this, job = std::move(fn)]() mutable { Work(std::move(job)); }).detach();
  } else {
    jobs_.push_back(std::move(fn));
  }
}

void ThreadPool::Shutdown() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  for (Idle* thread : idle_) thread->cv.notify_one();
  done_cv_.wait(lock, [&] { return live_ == 0; });
}

size_t ThreadPool::threads() const {
  std::lock_guard lock(mu_);
  return live_;
}

void ThreadPool::Work(std::function<void()> job) {
  std::unique_lock lock(mu_);
  Idle self;
  for (;;) {
    if (job) {
      lock.unlock();
      job();
      job = nullptr;
      lock.lock();
      continue;
    }
    if (!jobs_.empty()) {
      job = std::move(jobs_.front());
      jobs_.pop_front();
      continue;
    }
    if (stopping_) break;
    idle_.push_back(&self);
    const bool handed = self.cv.wait_for(lock, linger_, [&] { return self.job != nullptr || stopping_; });
    if (self.job) {
      job = std::move(self.job);
      self.job = nullptr;
      continue;  // enqueue took `self` off idle_
    }
    idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
    if (stopping_ || (!handed && live_ > core_)) break;
  }
  --live_;
  // The threads are detached: the last one tells Shutdown only once it no
  // longer touches this pool (the lock is released and the waiter woken
  // at the thread's exit), so the pool may be destroyed right after.
  std::notify_all_at_thread_exit(done_cv_, std::move(lock));
}

}  // namespace weft
