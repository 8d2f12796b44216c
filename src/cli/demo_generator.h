// The demo data generator behind `weft demo generate`: synthetic, deterministic
// source files for the example mesh (examples/mesh), one per non-derived
// product, written by DuckDB straight from SQL.
//
// Every value is a pure function of a row number and a salt through DuckDB's
// hash(), never random(): the same scale gives the same rows on every run and
// with any number of threads. A few deliberate contract violations are planted
// (PlantedViolations lists them with exact counts) so publish checks have
// something to find; examples/mesh/README.md documents them.
//
//   DemoOptions options{.scale = 0.1, .out_dir = "/tmp/demo", .format = DemoFormat::kParquet};
//   ASSIGN_OR_RETURN(std::vector<DemoFile> files, GenerateDemoData(options));
//   for (const auto& f : files) std::cout << f.product_id << " " << f.rows << " " << f.path << "\n";
//
// Thread safety: GenerateDemoData uses its own in-memory DuckDB instance; calls
// with distinct output directories may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::cli {

enum class DemoFormat { kCsv, kParquet };
Result<DemoFormat> ParseDemoFormat(std::string_view name);

struct DemoOptions {
  double scale = 1.0;  // 1 = one million orders; (0, kMaxDemoScale]
  std::filesystem::path out_dir;
  DemoFormat format = DemoFormat::kCsv;
  int threads = 0;  // DuckDB threads; 0 = one per core (the output does not depend on it)
};
constexpr double kMaxDemoScale = 100;

// Row counts of the clean data at a scale (planted extra rows not included).
struct DemoSizes {
  int64_t customers = 0;
  int64_t orders = 0;  // order_items average 2.5 lines per order
  int64_t skus = 0;
  int64_t campaigns = 0;
  int64_t leads = 0;
  int64_t warehouses = 0;
  int64_t snapshot_weeks = 0;
};
DemoSizes DemoSizesFor(double scale);

// A deliberate violation in the generated data.
struct PlantedViolation {
  std::string product_id;  // "sales.orders"
  std::string column;      // "customer_id", or "warehouse_id, sku"
  std::string rule;        // what it breaks, in contract terms
  std::string example;     // what the bad value looks like
  int64_t rows = 0;        // exact number of offending rows at this scale
};
std::vector<PlantedViolation> PlantedViolations(double scale);

// Row `i` of the demo's stock level stream (`weft demo stream`): one NDJSON
// object for inventory.stock_levels, the level of a (warehouse, SKU) after a
// movement at `updated_at` (ISO 8601). Consecutive rows have distinct keys,
// so a batch never repeats one.
std::string DemoStockUpdate(int64_t i, const std::string& updated_at);

struct DemoFile {
  std::string product_id;
  std::filesystem::path path;
  int64_t rows = 0;
  double seconds = 0;  // time to generate and write the file
};

// Checks the options (InvalidArgument for a bad scale), creates out_dir and
// writes <out_dir>/<domain>/<product>.csv|.parquet for each generated product.
Result<std::vector<DemoFile>> GenerateDemoData(const DemoOptions& options);

// The SELECT that generates one product, after the session setup; for tests
// and for reading what the generator does. Product ids as in PlantedViolations.
struct DemoQuery {
  std::string product_id;
  std::string select_sql;
};
std::vector<DemoQuery> DemoQueries(double scale);
// The statements to run once per session before the queries (macros).
std::string DemoSetupSql(double scale);

}  // namespace weft::cli
