#include "server/metrics.h"

#include <fmt/format.h>

#include <tuple>

namespace weft::server {

namespace {

// Label values are route templates and fixed words, but escape anyway.
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountPublish(const std::string& outcome, int64_t rule_failures) {
  std::lock_guard lock(mu_);
  ++publishes_[outcome];
  rule_failures_ += static_cast<uint64_t>(rule_failures);
}

void Metrics::CountQuery(const std::string& status, int64_t bytes_scanned) {
  std::lock_guard lock(mu_);
  ++queries_[status];
  bytes_scanned_ += static_cast<uint64_t>(bytes_scanned);
}

void Metrics::CountRateLimited() {
  std::lock_guard lock(mu_);
  ++rate_limited_;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP weft_http_requests_total HTTP requests by route template and status.\n"
         "# TYPE weft_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("weft_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method,
                       Label(route), status, n);
  }
  out += "# HELP weft_http_request_duration_seconds Time from request to response, by route template.\n"
         "# TYPE weft_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const auto& [method, route] = key;
    std::string labels = fmt::format("method=\"{}\",route=\"{}\"", method, Label(route));
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += fmt::format("weft_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         h.buckets[i]);
    out += fmt::format("weft_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    out += fmt::format("weft_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("weft_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out += "# HELP weft_publishes_total Publishes and derived runs through the API, by outcome.\n"
         "# TYPE weft_publishes_total counter\n";
  for (const auto& [outcome, n] : publishes_)
    out += fmt::format("weft_publishes_total{{outcome=\"{}\"}} {}\n", Label(outcome), n);
  out += fmt::format(
      "# HELP weft_rule_failures_total Quality rules that failed in publishes through the API.\n"
      "# TYPE weft_rule_failures_total counter\nweft_rule_failures_total {}\n",
      rule_failures_);
  out += "# HELP weft_queries_total Governed queries through the API, by status.\n"
         "# TYPE weft_queries_total counter\n";
  for (const auto& [status, n] : queries_)
    out += fmt::format("weft_queries_total{{status=\"{}\"}} {}\n", Label(status), n);
  out += fmt::format(
      "# HELP weft_query_bytes_scanned_total Bytes of Parquet governed queries read.\n"
      "# TYPE weft_query_bytes_scanned_total counter\nweft_query_bytes_scanned_total {}\n",
      bytes_scanned_);
  out += fmt::format(
      "# HELP weft_http_rate_limited_total Requests refused by the per-token rate limit.\n"
      "# TYPE weft_http_rate_limited_total counter\nweft_http_rate_limited_total {}\n",
      rate_limited_);
  return out;
}

}  // namespace weft::server
