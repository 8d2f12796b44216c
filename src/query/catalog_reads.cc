#include "query/catalog_reads.h"

namespace weft::query {

namespace {

// The value kept under `key` in `cache`, else read (outside the lock: two
// first callers may both read, and the first answer stays) and kept.
template <typename Map, typename Key, typename Read>
Result<typename Map::mapped_type> Cached(std::mutex& mu, Map& cache, const Key& key, Read read) {
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  ASSIGN_OR_RETURN(typename Map::mapped_type value, read());
  std::lock_guard lock(mu);
  return cache.emplace(key, std::move(value)).first->second;
}

// The same for a value without a key.
template <typename T, typename Read>
Result<T> Once(std::mutex& mu, std::optional<T>& cache, Read read) {
  {
    std::lock_guard lock(mu);
    if (cache) return *cache;
  }
  ASSIGN_OR_RETURN(T value, read());
  std::lock_guard lock(mu);
  if (!cache) cache = std::move(value);
  return *cache;
}

}  // namespace

Result<std::optional<catalog::ProductRecord>> CatalogReads::FindProduct(const std::string& id) {
  return Cached(mu_, products_, id, [&] { return store_.FindProduct(id); });
}

Result<std::vector<catalog::SnapshotRecord>> CatalogReads::ListSnapshots(const std::string& product_id) {
  return Cached(mu_, snapshots_, product_id, [&] { return store_.ListSnapshots(product_id); });
}

Result<std::vector<catalog::PortVersionRecord>> CatalogReads::ListPortVersions() {
  return Once(mu_, ports_, [&] { return store_.ListPortVersions(); });
}

Result<std::vector<catalog::DomainRecord>> CatalogReads::ListDomains() {
  return Once(mu_, domains_, [&] { return store_.ListDomains(); });
}

}  // namespace weft::query
