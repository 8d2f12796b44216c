// `weft demo generate --scale N --out DIR [--format csv|parquet]`: writes the
// synthetic source data of the example mesh (see cli/demo_generator.h and
// examples/mesh/README.md).
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/demo_generator.h"

namespace weft::cli {

namespace {

struct DemoArgs {
  double scale = 1.0;
  std::string out;
  std::string format = "csv";
  int threads = 0;
};

std::string WithThousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

void RunGenerate(const DemoArgs& args, CommandContext& ctx) {
  auto format = ParseDemoFormat(args.format);
  if (!format.ok()) {
    ctx.err << "weft demo generate: " << format.status().message() << "\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  if (!(args.scale > 0) || args.scale > kMaxDemoScale) {
    ctx.err << "weft demo generate: --scale must be greater than 0 and at most " << kMaxDemoScale
            << " (1 means one million orders; try 0.1 for a quick sample)\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  if (args.threads < 0) {
    ctx.err << "weft demo generate: --threads must be 0 (all cores) or more\n";
    ctx.exit_code = kExitUsage;
    return;
  }

  DemoOptions options{.scale = args.scale, .out_dir = args.out, .format = *format, .threads = args.threads};
  const auto start = std::chrono::steady_clock::now();
  auto files = GenerateDemoData(options);
  if (!files.ok()) {
    ctx.err << "weft demo generate: " << files.status().message() << "\n";
    ctx.exit_code = files.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFindings;
    return;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  size_t width = 7;
  for (const auto& f : *files) width = std::max(width, f.product_id.size());
  ctx.out << std::left << std::setw(static_cast<int>(width)) << "PRODUCT" << "  " << std::right << std::setw(12)
          << "ROWS" << "  SECONDS  FILE\n";
  int64_t total = 0;
  for (const auto& f : *files) {
    ctx.out << std::left << std::setw(static_cast<int>(width)) << f.product_id << "  " << std::right
            << std::setw(12) << WithThousands(f.rows) << "  " << std::setw(7) << std::fixed << std::setprecision(1)
            << f.seconds << "  " << f.path.string() << "\n";
    total += f.rows;
  }
  std::ostringstream secs;
  secs << std::fixed << std::setprecision(1) << seconds;
  ctx.out << "\n" << WithThousands(total) << " rows in " << files->size() << " files, " << secs.str()
          << " s (scale " << std::defaultfloat << args.scale << ").\n";
  ctx.out << "Planted violations (publish checks should find them; see examples/mesh/README.md):\n";
  for (const auto& v : PlantedViolations(args.scale)) {
    ctx.out << "  " << v.product_id << " " << v.column << ": " << v.rows << " row" << (v.rows == 1 ? "" : "s")
            << ", " << v.rule << "\n";
  }
  ctx.out << "Derived products (finance.revenue_daily, finance.campaign_roi) are built by their transform.sql.\n";
}

}  // namespace

void AddDemoCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* demo = app.add_subcommand("demo", "Demo mesh utilities (data generator)");
  demo->require_subcommand(1);
  auto args = std::make_shared<DemoArgs>();
  CLI::App* gen = demo->add_subcommand(
      "generate",
      "Write deterministic synthetic source data for examples/mesh: one file per non-derived product, "
      "with a few planted contract violations");
  gen->add_option("--scale", args->scale, "Size: 1 = one million orders, 100k customers, 200k leads")
      ->default_val(1.0);
  gen->add_option("--out", args->out, "Output directory (created if missing); files go to DIR/<domain>/<product>.*")
      ->required();
  gen->add_option("--format", args->format, "csv (with header) or parquet (zstd)")->default_val("csv");
  gen->add_option("--threads", args->threads, "DuckDB threads (0 = all cores); the data does not depend on it")
      ->default_val(0);
  gen->callback([args, &ctx] { RunGenerate(*args, ctx); });
}

}  // namespace weft::cli
