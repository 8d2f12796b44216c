#include "query/runtime.h"

namespace weft::query {

RuntimeOptions RuntimeOptions::For(const std::filesystem::path& root, const spec::WorkspaceSpec& settings,
                                   std::string key) {
  RuntimeOptions o{.copies_dir = root / "cache" / "governed", .temp_dir = root / "tmp" / "engines", .key = std::move(key),
                   .memory_limit = settings.query_memory_limit,
                   .threads = static_cast<int>(settings.query_threads.value_or(0))};
  if (settings.query_timeout_seconds && *settings.query_timeout_seconds > 0)
    o.timeout_seconds = *settings.query_timeout_seconds;
  if (settings.query_concurrency && *settings.query_concurrency > 0)
    o.concurrent_per_principal = static_cast<int>(*settings.query_concurrency);
  return o;
}

QueryRuntime::QueryRuntime(RuntimeOptions options)
    : options_(std::move(options)),
      copies_({.root = options_.copies_dir, .key = options_.key, .threads = options_.threads,
               .memory_limit = options_.memory_limit, .temp_dir = options_.temp_dir}),
      engines_({.threads = options_.threads, .memory_limit = options_.memory_limit, .temp_dir = options_.temp_dir,
                .max_engines = options_.warm_engines}),
      results_(options_.warm_engines == 0 ? ResultCacheOptions{.capacity_bytes = 0, .max_entry_bytes = 0}
                                          : options_.result_cache) {}

Result<QueryRuntime::Admission> QueryRuntime::Admit(const std::string& principal) {
  std::lock_guard lock(mu_);
  if (stopping_) return Status::Cancelled("the server is stopping; the query was not started");
  if (options_.max_running > 0 && total_ >= options_.max_running)
    return Status::ResourceExhausted("the server runs its limit of " + std::to_string(options_.max_running) +
                                     " queries at once; try again in a moment");
  int& n = running_[principal];
  if (n >= options_.concurrent_per_principal)
    return Status::ResourceExhausted(principal + " already runs " + std::to_string(n) +
                                     " queries, its limit (query.concurrentPerPrincipal in weft.yaml); wait for one to finish");
  ++n;
  ++total_;
  return Admission(this, principal);
}

QueryRuntime::Admission::~Admission() {
  if (!rt_) return;
  std::lock_guard lock(rt_->mu_);
  --rt_->total_;
  if (--rt_->running_[principal_] <= 0) rt_->running_.erase(principal_);
}

}  // namespace weft::query
