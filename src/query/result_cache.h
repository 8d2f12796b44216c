// Answers of repeated queries, kept by what determines them.
//
// A governed query's answer is fixed by its statement, its parameter values
// and the files its engine may read (engine_pool.h's ViewFiles: a
// snapshot's own files or the caller's governed copy, both immutable and
// named by snapshot id and access profile). When the statement calls
// nothing of the clock or of chance (IsRepeatable), the same key gives the
// same answer, so a dashboard that asks the same question again — or sixteen
// BI connections asking it at once — is answered without running DuckDB.
//
// Nothing about who may read what is cached: the gateway authorizes every
// query, checks its budget, admits it and records its usage before it looks
// here, and the key holds the files the caller's own engine would get, so
// two callers share an answer only when they may read exactly the same
// data. A new snapshot, a changed mask or row filter, a revoked grant: new
// files (or a refusal), so another key; old entries are never wrong, only
// unused, and leave by least-recent use.
//
//   ResultCache cache({.capacity_bytes = 64 << 20, .max_entry_bytes = 1 << 20});
//   if (auto hit = cache.Find(key)) ...;        // hit->rows, hit->columns
//   cache.Put(key, std::move(answer));          // ignored when over max_entry_bytes
//
// Thread safety: safe for concurrent use.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft::query {

struct CachedAnswer {
  std::vector<std::string> columns;
  std::vector<std::string> column_types;
  std::vector<std::string> parameter_types;
  std::vector<std::vector<std::optional<std::string>>> rows;
  // As metered when the query ran: a repeat is metered for the same data
  // (weft meters what a query reads, docs/security.md "Metering"), so what
  // a domain is charged does not depend on who asked first.
  int64_t bytes_scanned = 0;
  int64_t rows_scanned = 0;
  size_t bytes = 0;  // the values' and names' sizes: what the entry is charged
};

struct ResultCacheOptions {
  size_t capacity_bytes = 64 << 20;  // 0: nothing is kept
  size_t max_entry_bytes = 1 << 20;  // larger answers are not kept
};

class ResultCache {
 public:
  explicit ResultCache(ResultCacheOptions options) : options_(options) {}

  std::shared_ptr<const CachedAnswer> Find(const std::string& key);
  // Keeps `answer` (its `bytes` computed here) unless it is over the entry limit.
  void Put(const std::string& key, CachedAnswer answer);

  size_t max_entry_bytes() const { return options_.max_entry_bytes; }
  size_t bytes() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const CachedAnswer>>;
  const ResultCacheOptions options_;
  mutable std::mutex mu_;
  // Protected by mu_: most recently used first.
  std::list<Entry> lru_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

// The bytes a row is charged in the cache.
size_t RowBytes(const std::vector<std::optional<std::string>>& row);

// Whether a statement (json_serialize_sql's tree, already allowed by
// CheckAllowed) answers the same over the same data every time: it calls no
// function of the clock (now, current_date, age of one argument, ...) or of
// chance (random, uuid, ...). A row order the statement leaves open may
// differ between runs; any of them is the statement's answer.
bool IsRepeatable(const nlohmann::json& ast);

// The functions IsRepeatable refuses, for the test that checks them against
// the engine's own stability marks.
std::vector<std::string> UnrepeatableFunctions();

}  // namespace weft::query
