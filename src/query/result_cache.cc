#include "query/result_cache.h"

#include <algorithm>
#include <string_view>

#include "common/strings.h"
#include "lineage/value_keywords.h"

namespace weft::query {

namespace {

// Of the allowed functions (allowed_functions.inc), those whose answer
// depends on when or by chance. DuckDB's own stability marks are not
// enough: it calls current_localtimestamp and age (whose one-argument form
// counts from today) consistent. result_cache_test.cc checks that every
// allowed function DuckDB marks otherwise is here.
constexpr std::string_view kUnrepeatable[] = {
    "age",  "current_date", "current_localtime", "current_localtimestamp", "gen_random_uuid", "get_current_time",
    "get_current_timestamp", "now", "random", "today", "transaction_timestamp", "uuid", "uuidv4", "uuidv7",
};

bool Unrepeatable(const std::string& given) {
  const std::string name = ToLower(given);
  if (std::find(std::begin(kUnrepeatable), std::end(kUnrepeatable), name) != std::end(kUnrepeatable)) return true;
  // A function added to the list later under a telling name is refused too.
  return name.find("current") != std::string::npos || name.find("random") != std::string::npos;
}

bool Walk(const nlohmann::json& node) {
  if (node.is_array()) return std::all_of(node.begin(), node.end(), Walk);
  if (!node.is_object()) return true;
  for (const auto& [key, value] : node.items()) {
    if (key == "function_name" && value.is_string() && Unrepeatable(value.get<std::string>())) return false;
    // current_date, CURRENT_TIMESTAMP, localtime written without
    // parentheses: a one-part column reference the engine binds to the clock.
    if (key == "column_names" && value.is_array() && value.size() == 1 && value[0].is_string() &&
        lineage::IsValueKeyword(ToLower(value[0].get<std::string>())))
      return false;
    if (!Walk(value)) return false;
  }
  return true;
}

}  // namespace

size_t RowBytes(const std::vector<std::optional<std::string>>& row) {
  size_t n = sizeof(row) + row.size() * sizeof(std::optional<std::string>);
  for (const auto& v : row) n += v ? v->size() : 0;
  return n;
}

std::shared_ptr<const CachedAnswer> ResultCache::Find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void ResultCache::Put(const std::string& key, CachedAnswer answer) {
  answer.bytes = key.size();
  for (const auto& c : answer.columns) answer.bytes += c.size();
  for (const auto& t : answer.column_types) answer.bytes += t.size();
  for (const auto& row : answer.rows) answer.bytes += RowBytes(row);
  if (answer.bytes > options_.max_entry_bytes || answer.bytes > options_.capacity_bytes) return;
  auto entry = std::make_shared<const CachedAnswer>(std::move(answer));
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {  // two misses of one key at once: the answers are the same
    bytes_ -= it->second->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += entry->bytes;
  lru_.emplace_front(key, std::move(entry));
  index_[key] = lru_.begin();
  while (bytes_ > options_.capacity_bytes) {
    bytes_ -= lru_.back().second->bytes;
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

size_t ResultCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

bool IsRepeatable(const nlohmann::json& ast) { return Walk(ast); }

std::vector<std::string> UnrepeatableFunctions() { return {std::begin(kUnrepeatable), std::end(kUnrepeatable)}; }

}  // namespace weft::query
