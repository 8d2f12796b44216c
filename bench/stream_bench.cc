// Streaming ingest and the change feed (docs/streaming.md): a producer sends
// generated NDJSON rows of 12 columns as fast as the stream takes them into
// a streaming product whose contract has 10 rules (weft.stream maxRows
// 100,000, maxSeconds 1), through service::StreamSession, the code behind
// `weft stream` and POST .../stream: each micro-batch checked, archived,
// quarantined and committed as an append snapshot, with the session's own
// background compaction. A consumer follows the change feed
// (service::ReadChanges, long-poll) as `GET .../changes?wait=` does.
//
// Figures: sustained rows/s committed; commit latency (batch cut -> catalog
// commit) p50/p99; change-feed latency (commit acknowledged -> the consumer
// holds the rows) p50/p99. Baseline in the same run: raw DuckDB reading the
// same rows as NDJSON into Parquet (read_json -> COPY), rows/s.
// Targets (issue "Streaming products"): >= 100,000 rows/s with commit p99
// <= 2 s; feed p99 <= 1 s.
//
//   bench_stream [--seconds S (default 75)] [--dir DIR] [--keep]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_mesh.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "service/mesh.h"
#include "service/stream.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kDomain = R"(apiVersion: weft/v1
kind: Domain
name: telemetry
description: Device telemetry.
owners: [bench@example.com]
)";

constexpr const char* kProduct = R"(apiVersion: v1.0.0
kind: DataProduct
id: telemetry.readings
name: readings
version: 1.0.0
status: active
domain: telemetry
description:
  purpose: Sensor readings, streamed.
outputPorts:
  - name: readings
    version: 1.0.0
    type: tables
    contractId: telemetry.readings
customProperties:
  - property: weft.stream
    value: {maxRows: 100000, maxSeconds: 1}
)";

// 12 columns, 10 rules: required x3, a primary key (unique), validValues,
// a pattern, two ranges, a length and a dataset-level sql rule.
constexpr const char* kContract = R"(apiVersion: v3.1.0
kind: DataContract
id: telemetry.readings
name: readings
version: 1.0.0
status: active
domain: telemetry
dataProduct: readings
schema:
  - name: readings
    properties:
      - {name: reading_id, logicalType: integer, physicalType: BIGINT, required: true, primaryKey: true, primaryKeyPosition: 1}
      - {name: device_id, logicalType: string, physicalType: VARCHAR, required: true, logicalTypeOptions: {pattern: "^dev-[0-9]+$"}}
      - {name: site, logicalType: string, physicalType: VARCHAR, logicalTypeOptions: {maxLength: 16}}
      - {name: kind, logicalType: string, physicalType: VARCHAR, quality: [{metric: invalidValues, arguments: {validValues: [temp, humidity, pressure, co2]}, mustBe: 0}]}
      - {name: value, logicalType: number, physicalType: DOUBLE, logicalTypeOptions: {minimum: -100, maximum: 100000}}
      - {name: unit, logicalType: string, physicalType: VARCHAR}
      - {name: battery, logicalType: integer, physicalType: INTEGER, logicalTypeOptions: {minimum: 0, maximum: 100}}
      - {name: firmware, logicalType: string, physicalType: VARCHAR}
      - {name: lat, logicalType: number, physicalType: DOUBLE}
      - {name: lon, logicalType: number, physicalType: DOUBLE}
      - {name: ok, logicalType: boolean, physicalType: BOOLEAN}
      - {name: measured_at, logicalType: timestamp, physicalType: TIMESTAMP, required: true}
    quality:
      - {type: sql, name: no_future_readings, query: "SELECT COUNT(*) FROM {object} WHERE measured_at > TIMESTAMP '2100-01-01'", mustBe: 0}
)";

std::string Line(int64_t i) {
  static const char* kinds[] = {"temp", "humidity", "pressure", "co2"};
  return fmt::format(
      R"({{"reading_id":{},"device_id":"dev-{}","site":"site-{}","kind":"{}","value":{}.25,"unit":"si","battery":{},)"
      R"("firmware":"1.{}.0","lat":52.{},"lon":13.{},"ok":{},"measured_at":"2026-12-07T10:{:02d}:{:02d}"}})",
      i, i % 5000, i % 40, kinds[i % 4], i % 1000, i % 101, i % 7, i % 1000, i % 997, i % 2 ? "true" : "false",
      (i / 60) % 60, i % 60);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Fail(const weft::Status& s, const char* what) {
  std::fprintf(stderr, "bench_stream: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// Raw DuckDB on the same rows: NDJSON -> Parquet, rows/s.
weft::Result<double> Baseline(const fs::path& dir, int64_t rows) {
  const fs::path in = dir / "baseline.ndjson";
  {
    std::ofstream out(in);
    for (int64_t i = 0; i < rows; ++i) out << Line(i) << '\n';
  }
  ASSIGN_OR_RETURN(weft::engine::Database db, weft::engine::Database::Open({.threads = 2}));
  ASSIGN_OR_RETURN(weft::engine::Connection conn, weft::engine::Connection::Open(db));
  const auto start = Clock::now();
  RETURN_IF_ERROR(conn.Execute("COPY (SELECT * FROM read_json('" + in.string() +
                               "', format = 'newline_delimited')) TO '" + (dir / "baseline.parquet").string() +
                               "' (FORMAT parquet, COMPRESSION zstd)"));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fs::remove(in);
  return static_cast<double>(rows) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 75;  // long enough for the session's compaction to run under load
  fs::path dir;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
    else if (!std::strcmp(argv[i], "--keep")) keep = true;
    else {
      std::fprintf(stderr, "usage: bench_stream [--seconds S] [--dir DIR] [--keep]\n");
      return 2;
    }
  }
  if (dir.empty()) dir = fs::temp_directory_path() / fmt::format("weft-bench-stream-{}", ::getpid());
  fs::remove_all(dir);
  const fs::path tree = dir / "tree";
  fs::create_directories(tree / "domains/telemetry/products/readings");
  for (const auto& [file, text] : std::map<std::string, const char*>{
           {"domains/telemetry/domain.yaml", kDomain},
           {"domains/telemetry/products/readings/product.odps.yaml", kProduct},
           {"domains/telemetry/products/readings/readings.odcs.yaml", kContract}})
    if (auto s = weft::WriteStringToFile(tree / file, text, true); !s.ok()) return Fail(s, "writing the mesh");
  {
    auto applied = weft::bench::ApplyBenchMesh(dir / "ws", tree);
    if (!applied.ok()) return Fail(applied.status(), "applying the mesh");
  }
  auto mesh = weft::service::Mesh::Open((dir / "ws").string());
  if (!mesh.ok()) return Fail(mesh.status(), "opening the workspace");
  auto caller = (*mesh)->CallerFor("bench@example.com");
  if (!caller.ok()) return Fail(caller.status(), "the owner");

  std::mutex mu;
  std::map<std::string, Clock::time_point> committed_at;  // snapshot -> when its ack came
  std::vector<double> commit_latency;
  auto session = weft::service::StreamSession::Open(
      **mesh, *caller, {.product = "telemetry.readings", .producer = "bench"}, [&](const weft::service::StreamAck& a) {
        std::lock_guard lock(mu);
        committed_at[a.snapshot_id] = Clock::now();
        commit_latency.push_back(a.commit_seconds);
      });
  if (!session.ok()) return Fail(session.status(), "opening the stream");

  // The consumer: follows the feed from the first snapshot it sees.
  std::atomic<bool> stop{false};
  std::vector<double> feed_latency;
  int64_t feed_rows = 0;
  weft::Status consumer_status;
  std::thread consumer([&] {
    std::string since;
    while (!stop) {
      {
        std::lock_guard lock(mu);
        if (since.empty() && !committed_at.empty()) since = committed_at.begin()->first;
      }
      if (since.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      int64_t rows = 0;
      auto changes = weft::service::ReadChanges(
          **mesh, *caller,
          {.product = "telemetry.readings", .since = since, .wait_seconds = 2,
           .on_rows = [&](const auto&, const auto& chunk) {
             rows += static_cast<int64_t>(chunk.size());
             return weft::Status::Ok();
           }});
      if (!changes.ok()) {
        consumer_status = changes.status();
        return;
      }
      const auto now = Clock::now();
      if (changes->snapshot != since) {
        std::lock_guard lock(mu);
        if (auto it = committed_at.find(changes->snapshot); it != committed_at.end())
          feed_latency.push_back(std::chrono::duration<double>(now - it->second).count());
        feed_rows += rows;
      }
      since = changes->snapshot;
    }
  });

  const auto start = Clock::now();
  int64_t sent = 0;
  weft::Status status;
  while (status.ok() && std::chrono::duration<double>(Clock::now() - start).count() < seconds)
    for (int k = 0; k < 1000 && status.ok(); ++k) status = (*session)->Add(Line(sent++));
  auto summary = (*session)->Finish();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the feed catches up with the last batch
  stop = true;
  consumer.join();
  if (!status.ok()) return Fail(status, "streaming");
  if (!summary.ok()) return Fail(summary.status(), "finishing the stream");
  if (!consumer_status.ok()) return Fail(consumer_status, "the change feed");
  if (summary->rows_quarantined != 0) {
    std::fprintf(stderr, "bench_stream: %lld rows quarantined; the generated rows are all valid\n",
                 static_cast<long long>(summary->rows_quarantined));
    return 1;
  }
  // The session compacts every 16 batches once there are more than 32 files.
  int64_t files = -1;
  if (auto snapshots = (*mesh)->store().ListSnapshots("telemetry.readings"); snapshots.ok() && !snapshots->empty())
    files = snapshots->front().files;
  const double rate = static_cast<double>(summary->rows_valid) / elapsed;
  auto baseline = Baseline(dir, std::min<int64_t>(summary->rows_valid, 2'000'000));
  (*mesh)->Close();
  if (!baseline.ok()) return Fail(baseline.status(), "the baseline");

  const double commit_p50 = Percentile(commit_latency, 0.5), commit_p99 = Percentile(commit_latency, 0.99);
  const double feed_p50 = Percentile(feed_latency, 0.5), feed_p99 = Percentile(feed_latency, 0.99);
  std::printf("streamed %lld rows in %.1f s: %.0f rows/s in %lld batches (waited %.1f s on commits)\n",
              static_cast<long long>(summary->rows_valid), elapsed, rate, static_cast<long long>(summary->batches),
              summary->waited_seconds);
  std::printf("raw DuckDB NDJSON -> Parquet on the same rows: %.0f rows/s (weft / raw = %.2f)\n", *baseline,
              rate / *baseline);
  std::printf("commit latency (cut -> committed): p50 %.3f s, p99 %.3f s over %zu batches\n", commit_p50, commit_p99,
              commit_latency.size());
  std::printf("change feed latency (committed -> consumer has the rows): p50 %.3f s, p99 %.3f s over %zu answers, "
              "%lld rows\n",
              feed_p50, feed_p99, feed_latency.size(), static_cast<long long>(feed_rows));
  std::printf("data files of the final snapshot: %lld for %lld batches (the session compacts past 32)\n",
              static_cast<long long>(files), static_cast<long long>(summary->batches));
  const bool met = rate >= 100000 && commit_p99 <= 2 && feed_p99 <= 1 && !feed_latency.empty();
  std::printf("%s: >= 100,000 rows/s, commit p99 <= 2 s, feed p99 <= 1 s\n", met ? "MET" : "MISSED");
  if (!keep) fs::remove_all(dir);
  return 0;
}
