#include "query/usage_log.h"

#include <algorithm>
#include <vector>

namespace weft::query {

UsageLog::UsageLog() : writer_([this] { Write(); }) {}

UsageLog::~UsageLog() {
  Flush();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void UsageLog::Add(catalog::Store& store, catalog::UsageRecord usage) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(&store, std::move(usage));
    ++added_;
  }
  cv_.notify_all();
}

void UsageLog::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = added_;
  flush_to_ = std::max(flush_to_, target);
  cv_.notify_all();
  cv_.wait(lock, [&] { return written_ >= target; });
}

void UsageLog::Write() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    cv_.wait_for(lock, kGather,
                 [&] { return stop_ || flush_to_ > written_ || queue_.size() >= kBatchRows; });
    std::vector<std::pair<catalog::Store*, catalog::UsageRecord>> batch(std::make_move_iterator(queue_.begin()),
                                                                       std::make_move_iterator(queue_.end()));
    queue_.clear();
    lock.unlock();
    // One transaction per store per batch. Metering must not fail an answer
    // already given: a batch that cannot be written is dropped (the store
    // reports its own errors), rather than retried forever.
    for (size_t i = 0; i < batch.size();) {
      catalog::Store* store = batch[i].first;
      size_t j = i;
      while (j < batch.size() && batch[j].first == store) ++j;
      auto txn = store->BeginWrite();
      bool ok = txn.ok();
      for (size_t k = i; ok && k < j; ++k) ok = (*txn)->InsertUsage(batch[k].second).ok();
      if (ok) (*txn)->Commit().IgnoreError();
      i = j;
    }
    lock.lock();
    written_ += batch.size();
    cv_.notify_all();
  }
}

}  // namespace weft::query
