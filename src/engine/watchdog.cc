#include "engine/watchdog.h"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace weft::engine {

// The one thread that watches every live Watchdog, every 20 ms while there
// is one. Never destroyed: the thread may be waiting when the process exits.
class WatchThread {
 public:
  static WatchThread& Get() {
    static WatchThread* const instance = new WatchThread();
    return *instance;
  }

  void Add(Watchdog* w) {
    {
      std::lock_guard lock(mu_);
      watched_.insert(w);
    }
    cv_.notify_one();
  }

  // Checks run under mu_, so once this returns none is running on `w`.
  void Remove(Watchdog* w) {
    std::lock_guard lock(mu_);
    watched_.erase(w);
  }

 private:
  WatchThread() { std::thread([this] { Loop(); }).detach(); }

  // Interrupts again every 20 ms until the query is over: DuckDB clears an
  // interrupt that arrives before the query starts.
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return !watched_.empty(); });
      const auto now = Watchdog::Clock::now();
      for (Watchdog* w : watched_) w->Check(now);
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<Watchdog*> watched_;  // Protected by mu_
};

Watchdog::Watchdog(Connection& conn, double seconds, std::function<bool()> cancelled)
    : conn_(conn),
      cancelled_fn_(std::move(cancelled)),
      deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))) {
  WatchThread::Get().Add(this);
}

Watchdog::~Watchdog() { WatchThread::Get().Remove(this); }

void Watchdog::Check(Clock::time_point now) {
  if (!timed_out_ && !cancelled_) {
    if (now >= deadline_) timed_out_ = true;
    else if (cancelled_fn_ && cancelled_fn_()) cancelled_ = true;
  }
  if (timed_out_ || cancelled_) conn_.Interrupt();
}

}  // namespace weft::engine
