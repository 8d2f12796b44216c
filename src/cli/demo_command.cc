// `weft demo generate --scale N --out DIR [--format csv|parquet]`: writes the
// synthetic source data of the example mesh (see cli/demo_generator.h and
// examples/mesh/README.md). `weft demo stream [--rate N] [--seconds S]`
// feeds the streaming product inventory.stock_levels with stock level
// changes, as a warehouse system would (docs/streaming.md).
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

#include <csignal>
#include <thread>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/demo_generator.h"
#include "common/time.h"
#include "service/stream.h"

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

struct StreamArgs {
  std::string product = "inventory.stock_levels";
  double rate = 20;     // rows a second
  double seconds = 0;   // 0: until stopped
  std::string producer = "demo-stream";
};

volatile std::sig_atomic_t stop_streaming = 0;

// Stock level changes at `rate` rows a second, committed by the product's
// own batching; SIGINT or SIGTERM stops it after committing what it holds.
void RunStream(const StreamArgs& args, CommandContext& ctx) {
  if (args.rate <= 0 || args.rate > 1e6) return (void)Report(ctx, "demo stream", Status::InvalidArgument("--rate must be 1 to 1000000 rows a second"));
  auto mesh = service::Mesh::Open(ctx.workspace);
  if (!Report(ctx, "demo stream", mesh.status())) return;
  std::ostream& out = ctx.out;
  auto session = service::StreamSession::Open(
      **mesh, LocalCaller(**mesh, ctx), {.product = args.product, .producer = args.producer},
      [&out](const service::StreamAck& a) {
        out << "batch " << a.batch << ": " << a.rows_valid << " rows " << a.outcome << ", snapshot " << a.snapshot_id << "\n"
            << std::flush;
      });
  if (!Report(ctx, "demo stream", session.status())) return;
  std::signal(SIGINT, [](int) { stop_streaming = 1; });
  std::signal(SIGTERM, [](int) { stop_streaming = 1; });
  out << "Streaming stock level changes into " << args.product << " as " << args.producer << " at " << args.rate
      << " rows/s from line " << (*session)->start() << (args.seconds > 0 ? "" : " (Ctrl-C stops)") << "\n" << std::flush;
  const auto start = std::chrono::steady_clock::now();
  int64_t sent = 0;
  Status status;
  while (status.ok() && !stop_streaming) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (args.seconds > 0 && elapsed >= args.seconds) break;
    std::string now = NowIso();
    if (!now.empty() && now.back() == 'Z') now.pop_back();  // the contract's updated_at is a TIMESTAMP in UTC
    for (const int64_t due = static_cast<int64_t>(elapsed * args.rate) + 1; sent < due && status.ok(); ++sent)
      status = (*session)->Add(DemoStockUpdate((*session)->start() + sent, now));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto summary = (*session)->Finish();
  if (!Report(ctx, "demo stream", status) || !Report(ctx, "demo stream", summary.status())) return;
  out << "Streamed " << summary->rows_valid << " rows in " << summary->batches << " batches; committed up to line "
      << summary->offset << "\n";
  (*mesh)->Close();
}

}  // namespace

void AddDemoCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* demo = app.add_subcommand("demo", "Demo mesh utilities (data generator, stock level stream)");
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
  auto stream = std::make_shared<StreamArgs>();
  CLI::App* feed = demo->add_subcommand(
      "stream", "Feed the streaming product inventory.stock_levels with stock level changes (Ctrl-C stops)");
  feed->add_option("--rate", stream->rate, "Rows a second")->default_val(20);
  feed->add_option("--seconds", stream->seconds, "Stop after this long (0: until stopped)")->default_val(0);
  feed->add_option("--producer", stream->producer, "The producer's name for its stream")->default_val("demo-stream");
  feed->add_option("--product", stream->product, "The streaming product")->default_val("inventory.stock_levels");
  feed->callback([stream, &ctx] { RunStream(*stream, ctx); });
}

}  // namespace weft::cli
