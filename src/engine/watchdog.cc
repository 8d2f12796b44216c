#include "engine/watchdog.h"

#include <algorithm>
#include <utility>

namespace weft::engine {

Watchdog::Watchdog(Connection& conn, double seconds, std::function<bool()> cancelled)
    : conn_(conn),
      cancelled_fn_(std::move(cancelled)),
      deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))),
      thread_([this] { Watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// Interrupts again every 20 ms until the query is over: DuckDB clears an
// interrupt that arrives before the query starts.
void Watchdog::Watch() {
  std::unique_lock lock(mu_);
  while (!done_) {
    if (!timed_out_ && !cancelled_) {
      if (Clock::now() >= deadline_) timed_out_ = true;
      else if (cancelled_fn_ && cancelled_fn_()) cancelled_ = true;
    }
    if (timed_out_ || cancelled_) conn_.Interrupt();
    cv_.wait_until(lock, std::min(deadline_, Clock::now() + std::chrono::milliseconds(20)));
  }
}

}  // namespace weft::engine
