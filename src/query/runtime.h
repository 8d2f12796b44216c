// What governed queries run with, made once per process: the governed
// copies (governed_copies.h), the warm engines (engine_pool.h), the answers
// of repeated queries (result_cache.h), the time
// limit, the per-principal concurrency limit, and whether the process is
// stopping (each query's watchdog interrupts it once it is).
//
//   QueryRuntime runtime(RuntimeOptions::For(ws.root, ws.settings, secret));
//   Gateway gw(store, access, parser, {.rate_card = ...}, runtime);
//   ...
//   runtime.Shutdown();   // SIGTERM: running queries stop now, new ones are refused
//
// Thread safety: safe for concurrent use.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"
#include "query/engine_pool.h"
#include "query/governed_copies.h"
#include "query/result_cache.h"
#include "query/usage_log.h"
#include "spec/model.h"

namespace weft::query {

struct RuntimeOptions {
  std::filesystem::path copies_dir;  // <workspace>/cache/governed
  std::filesystem::path temp_dir;    // spill files: <workspace>/tmp/engines
  std::string key;                   // the workspace secret (hash masks)
  std::string memory_limit;          // per engine
  int threads = 0;                   // per engine
  double timeout_seconds = 60;
  int concurrent_per_principal = 4;
  // All principals together (a server sets it below its HTTP threads, so
  // queries never hold every thread); 0: no limit.
  int max_running = 0;
  size_t warm_engines = 16;  // 0: a fresh engine per query (a one-shot CLI)
  // The answers of repeated queries; a runtime without warm engines (a
  // one-shot CLI, which never asks twice) keeps none.
  ResultCacheOptions result_cache;

  // The workspace's settings (weft.yaml query:) for a workspace at `root`.
  static RuntimeOptions For(const std::filesystem::path& root, const spec::WorkspaceSpec& settings, std::string key);
};

class QueryRuntime {
 public:
  explicit QueryRuntime(RuntimeOptions options);

  const RuntimeOptions& options() const { return options_; }
  GovernedCopies& copies() { return copies_; }
  EnginePool& engines() { return engines_; }
  ResultCache& results() { return results_; }
  // Queries' usage rows, written in the background (flushed on destruction).
  UsageLog& usage() { return usage_; }

  // Held while one of a principal's queries runs.
  class Admission {
   public:
    Admission(Admission&& o) noexcept : rt_(o.rt_), principal_(std::move(o.principal_)) { o.rt_ = nullptr; }
    Admission& operator=(Admission&&) = delete;
    ~Admission();

   private:
    friend class QueryRuntime;
    Admission(QueryRuntime* rt, std::string principal) : rt_(rt), principal_(std::move(principal)) {}
    QueryRuntime* rt_;
    std::string principal_;
  };

  // ResourceExhausted when `principal` already runs its limit of queries,
  // or the runtime its limit of all; Cancelled once Shutdown was called.
  Result<Admission> Admit(const std::string& principal);

  // Running queries stop (their watchdogs poll this, gateway.cc); every
  // later Admit is refused.
  void Shutdown() { stopping_ = true; }
  bool stopping() const { return stopping_.load(); }

 private:
  const RuntimeOptions options_;
  GovernedCopies copies_;
  EnginePool engines_;
  ResultCache results_;
  UsageLog usage_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  // Protected by mu_.
  std::map<std::string, int> running_;  // principal -> queries running
  int total_ = 0;
};

}  // namespace weft::query
