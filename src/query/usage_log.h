// Usage rows written off the answer's path: a query hands its row over and
// returns; a background thread writes what has queued in one transaction
// (one fsync for many queries under load). The writer lets rows gather for
// up to kGather after the first arrives (a catalog write costs more than a
// trivial query: at a thousand queries a second, batches of one or two rows
// took a quarter of the server's CPU). Metering may thus lag an answer by
// milliseconds, never by more than a Flush; the budget check reads the
// store, so a query may slip past a hard budget by the cost of the queries
// still queued.
//
//   UsageLog log;
//   log.Add(store, usage);   // returns at once
//   log.Flush();             // every row added so far is committed (or lost with a logged error)
//
// Thread safety: Add and Flush from any thread. The Store must outlive the
// UsageLog, or at least its last Flush (the destructor flushes).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "catalog/store.h"

namespace weft::query {

class UsageLog {
 public:
  UsageLog();
  ~UsageLog();
  UsageLog(const UsageLog&) = delete;
  UsageLog& operator=(const UsageLog&) = delete;

  void Add(catalog::Store& store, catalog::UsageRecord usage);
  void Flush();

  static constexpr auto kGather = std::chrono::milliseconds(5);
  static constexpr size_t kBatchRows = 512;  // written at once, gathered or not

 private:
  void Write();

  std::mutex mu_;
  std::condition_variable cv_;
  // Protected by mu_.
  std::deque<std::pair<catalog::Store*, catalog::UsageRecord>> queue_;
  uint64_t added_ = 0, written_ = 0;
  uint64_t flush_to_ = 0;  // a Flush waits for rows up to here: write them now
  bool stop_ = false;
  std::thread writer_;  // last: starts once the rest is constructed
};

}  // namespace weft::query
