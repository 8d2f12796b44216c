// Lint of N generated contracts (default 1,000). Baseline in the same
// process: yaml-cpp (weft's parser until issue 20) parsing the same files and
// nothing else, one by one. weft loads with spec::LoadFiles, as `weft lint`
// does: libyaml, files spread over the cores. Target (issues 2, 20): load +
// full lint under 1 s.
#include <time.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "engine/duckdb_sql_validator.h"
#include "spec/lint.h"
#include "spec/loader.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string Contract(int i) {
  std::string id = "bench.c" + std::to_string(i);
  std::string s = "apiVersion: v3.1.0\nkind: DataContract\nid: " + id + "\nname: c" + std::to_string(i) +
                  "\nversion: 1.2.0\nstatus: active\ndomain: bench\ndescription:\n  purpose: generated\n"
                  "team:\n  name: bench\n  members:\n    - username: alice\n      role: owner\n"
                  "support:\n  - channel: '#bench'\n    url: https://chat.example/bench\n"
                  "slaProperties:\n  - property: latency\n    value: 1\n    unit: d\n    element: t.id\n"
                  "  - property: retention\n    value: 3\n    unit: y\nschema:\n";
  for (int o = 0; o < 2; ++o) {
    std::string obj = o == 0 ? "t" : "u";
    s += "  - name: " + obj + "\n    physicalType: table\n    quality:\n      - metric: rowCount\n"
         "        mustBeGreaterThan: 0\n      - type: sql\n        query: SELECT COUNT(*) FROM {object} WHERE id IS NULL\n"
         "        mustBe: 0\n    properties:\n";
    s += "      - name: id\n        logicalType: string\n        required: true\n        primaryKey: true\n"
         "        classification: internal\n        logicalTypeOptions:\n          pattern: '^[A-Z][0-9]{6}$'\n"
         "        quality:\n          - metric: nullValues\n            mustBe: 0\n";
    for (int p = 0; p < 14; ++p) {
      std::string name = "col" + std::to_string(p);
      s += "      - name: " + name + "\n        logicalType: " + (p % 2 ? "integer" : "string") +
           "\n        classification: public\n        description: column " + std::to_string(p) + "\n";
      if (p % 2) s += "        logicalTypeOptions:\n          minimum: 0\n          maximum: 1000\n";
      if (p == 3)
        s += "        quality:\n          - metric: invalidValues\n            arguments:\n              validValues: [1, 2, 3]\n"
             "            mustBeLessThan: 5\n            unit: percent\n";
    }
    if (o == 1) s += "      - name: t_id\n        logicalType: string\n        relationships:\n          - to: t.id\n";
  }
  return s;
}

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// This process's CPU time: on a shared machine it shows what the work costs
// when other processes compete for the cores.
double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  fs::path dir = fs::temp_directory_path() / ("weft-lint-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<fs::path> files;
  for (int i = 0; i < n; ++i) {
    files.push_back(dir / ("c" + std::to_string(i) + ".odcs.yaml"));
    std::ofstream(files.back()) << Contract(i);
  }

  auto t0 = Clock::now();
  double c0 = CpuNow();
  size_t nodes = 0;
  for (const auto& f : files) nodes += YAML::LoadFile(f.string()).size();
  auto t1 = Clock::now();
  double c1 = CpuNow();

  std::vector<weft::spec::Document> docs;
  size_t load_diags = 0;
  for (auto& loaded : weft::spec::LoadFiles(files)) {
    load_diags += loaded.diagnostics.size();
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  auto t2 = Clock::now();
  double c2 = CpuNow();
  auto diags = weft::spec::Lint(docs);
  auto t3 = Clock::now();

  auto validator = weft::engine::DuckDbSqlValidator::Create();
  if (!validator.ok()) {
    std::fprintf(stderr, "cannot start DuckDB: %s\n", validator.status().message().c_str());
    return 1;
  }
  auto t4 = Clock::now();
  double c4 = CpuNow();
  auto diags_sql = weft::spec::Lint(docs, {.sql = validator->get()});
  auto t5 = Clock::now();
  double c5 = CpuNow();
  fs::remove_all(dir);

  double yaml = Seconds(t0, t1), load = Seconds(t1, t2), lint = Seconds(t2, t3), lint_sql = Seconds(t4, t5);
  std::printf("lint bench: %d contracts (%zu top-level keys), %zu diagnostics\n", n, nodes,
              load_diags + diags.size());
  std::printf("  baseline yaml-cpp parse only      %8.3f s  cpu %7.3f s\n", yaml, c1 - c0);
  std::printf("  weft load (parse + model)         %8.3f s  cpu %7.3f s  (%.2fx baseline; %u threads)\n", load,
              c2 - c1, load / yaml, std::thread::hardware_concurrency());
  std::printf("  weft lint, no SQL checks          %8.3f s\n", lint);
  std::printf("  weft lint with DuckDB SQL/regex   %8.3f s  cpu %7.3f s  (%zu diagnostics)\n", lint_sql, c5 - c4,
              diags_sql.size());
  const bool ok = load + lint_sql < 1.0;
  std::printf("  total load + full lint            %8.3f s  cpu %7.3f s  (%.2fx baseline; target < 1 s: %s)\n",
              load + lint_sql, (c2 - c1) + (c5 - c4), (load + lint_sql) / yaml, ok ? "met" : "MISSED");
  return 0;
}
