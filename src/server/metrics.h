// The server's metrics, exposed at /metrics in the Prometheus text format
// (version 0.0.4): request counts by route template and status, latency
// histograms by route, and the data plane's own counters (publishes by
// outcome, rule failures, queries by status, bytes scanned).
//
// Thread safety: every method may be called concurrently (one mutex; a
// request holds it for a map lookup and a few additions).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace weft::server {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1,    2.5,   10};

  void ObserveRequest(const std::string& method, const std::string& route, int status, double seconds);
  void CountPublish(const std::string& outcome, int64_t rule_failures);
  void CountQuery(const std::string& status, int64_t bytes_scanned);
  void CountRateLimited();

  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // method, route, status
  std::map<std::pair<std::string, std::string>, Histogram> latency_;        // method, route
  std::map<std::string, uint64_t> publishes_;                               // by outcome
  uint64_t rule_failures_ = 0;
  std::map<std::string, uint64_t> queries_;  // by status
  uint64_t bytes_scanned_ = 0;
  uint64_t rate_limited_ = 0;
};

}  // namespace weft::server
