// A cache whose values are computed once per key, however many callers ask
// at once: the first caller of a key computes, the others wait for its
// answer instead of repeating the work. A server's per-generation caches
// need this: after a catalog write every request in flight misses at the
// same moment, and 32 identical rebuilds on 2 cores are what made replica
// latency jump after each write (docs/scaling.md).
//
//   SingleFlight<std::string, std::shared_ptr<const Page>> pages;
//   ASSIGN_OR_RETURN(auto page, pages.Get(key, [&] { return BuildPage(id); }));
//
// An error (or exception) is handed to the callers that waited for it and
// not kept: the next caller computes again. Entries live as long as the
// SingleFlight, or until Forget/ForgetBefore.
//
// Thread safety: Get may be called from any number of threads.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"

namespace weft {

template <typename Key, typename Value>
class SingleFlight {
 public:
  template <typename Compute>
  Result<Value> Get(const Key& key, Compute&& compute) {
    return GetOrStale(key, std::forward<Compute>(compute), std::nullopt);
  }

  // As Get, except that while another caller computes `key`, `stale` (when
  // set: an older value that may still be shown) is the answer at once.
  template <typename Compute>
  Result<Value> GetOrStale(const Key& key, Compute&& compute, const std::optional<Value>& stale) {
    std::promise<Result<Value>> mine;
    std::shared_future<Result<Value>> answer;
    bool computing = false;
    {
      std::lock_guard lock(mu_);
      auto [it, inserted] = entries_.try_emplace(key);
      if (inserted) {
        it->second = mine.get_future().share();
        computing = true;
      }
      answer = it->second;
    }
    if (!computing) {
      if (stale && answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return *stale;
      return answer.get();
    }
    try {
      Result<Value> value = std::forward<Compute>(compute)();
      if (!value.ok()) Forget(key);
      mine.set_value(value);
      return value;
    } catch (...) {  // e.g. a JSON dump of invalid UTF-8: the waiters get it too, and the key is computed again
      Forget(key);
      mine.set_exception(std::current_exception());
      throw;
    }
  }

  // The value of `key` if it is computed and not an error; never waits.
  std::optional<Value> Peek(const Key& key) {
    std::shared_future<Result<Value>> answer;
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(key);
      if (it == entries_.end()) return std::nullopt;
      answer = it->second;
    }
    if (answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
    const Result<Value>& value = answer.get();
    if (!value.ok()) return std::nullopt;
    return *value;
  }

  void Forget(const Key& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
  }
  // Every key ordered before `key` (older generations): their callers keep
  // the answers they already wait for.
  void ForgetBefore(const Key& key) {
    std::lock_guard lock(mu_);
    entries_.erase(entries_.begin(), entries_.lower_bound(key));
  }

 private:

  std::mutex mu_;
  std::map<Key, std::shared_future<Result<Value>>> entries_;
};

}  // namespace weft
