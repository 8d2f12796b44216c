// `weft publish DOMAIN.PRODUCT[@vMAJOR] FILE... [--mode replace|append]
// [--format csv|parquet|json] [--object NAME] [-o table|json]`: checks an
// input against the product's contract and commits it as a new snapshot
// (quality/publisher.h). `weft run DOMAIN.PRODUCT [-o table|json]` does the
// same with a derived product's transform over its inputs (lineage/runner.h)
// and prints the same report. Exit 0 published (or a duplicate input), 1
// rejected or failed, 2 usage (including an unknown product).
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"
#include "engine/duckdb_sql_validator.h"
#include "access/access_control.h"
#include "query/runner.h"
#include "query/runtime.h"
#include "quality/publisher.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct PublishArgs {
  std::string target;
  std::vector<std::string> files;
  std::string mode = "replace";
  std::string format;
  std::string object;
  std::string output = "table";
};

std::string Number(double v) {
  std::ostringstream s;
  if (v == static_cast<double>(static_cast<int64_t>(v))) s << static_cast<int64_t>(v);
  else s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

std::string ResultWord(const quality::RuleResult& r) {
  if (!r.check.skipped.empty()) return "skipped";
  if (r.passed) return "pass";
  if (r.check.scope == quality::RuleScope::kRow) return r.check.severity == "error" ? "quarantined" : "warn";
  return r.check.severity == "error" ? "FAIL" : "warn";
}

json ReportJson(const quality::PublishReport& r) {
  json rules = json::array();
  for (const auto& x : r.checks.results) {
    json sample = json::array();
    for (const auto& s : x.sample) sample.push_back({{"row", s.row}, {"reason", s.reason}});
    rules.push_back({{"id", x.check.id}, {"kind", x.check.kind}, {"column", x.check.column},
                     {"severity", x.check.severity}, {"scope", x.check.scope == quality::RuleScope::kRow ? "row" : "dataset"},
                     {"threshold", x.check.ThresholdText()}, {"failingRows", x.failing_rows},
                     {"checkedRows", x.checked_rows}, {"value", x.value}, {"passed", x.passed},
                     {"result", ResultWord(x)}, {"note", x.check.skipped}, {"sample", sample}});
  }
  return {{"publishId", r.publish_id}, {"product", r.product_id}, {"major", r.major},
          {"contractVersion", r.contract_version}, {"object", r.object}, {"outcome", r.outcome}, {"mode", r.mode},
          {"snapshotId", r.snapshot_id}, {"parentSnapshotId", r.parent_snapshot_id}, {"snapshotRows", r.snapshot_rows},
          {"rowsIn", r.checks.rows_in}, {"rowsValid", r.checks.rows_valid},
          {"rowsQuarantined", r.checks.rows_quarantined}, {"rowsWarned", r.checks.rows_warned},
          {"rejectedBy", r.checks.rejected_by}, {"inputChecksum", r.input_checksum},
          {"archive", r.archive_path}, {"quarantine", r.quarantine_path}, {"warnings", r.warnings},
          {"seconds", r.seconds}, {"rules", rules}};
}

void PrintReport(std::ostream& out, const quality::PublishReport& r) {
  std::string address = r.product_id + "_v" + std::to_string(r.major);
  if (r.outcome == "duplicate") {
    if (r.mode == "run")
      out << address << ": the transform and its input snapshots are unchanged since snapshot " << r.snapshot_id
          << "; nothing to run\n";
    else
      out << address << ": duplicate input (sha256 " << r.input_checksum.substr(0, 12) << "...) is already snapshot "
          << r.snapshot_id << "; nothing published\n";
    return;
  }
  for (const auto& w : r.warnings) out << "warning: " << w << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : r.checks.results) {
    rows.push_back({x.check.id, x.check.column.empty() ? "-" : x.check.column, x.check.kind, x.check.severity,
                    x.check.scope == quality::RuleScope::kRow || x.check.kind != "sql" ? Number(static_cast<double>(x.failing_rows))
                                                                                       : "-",
                    x.check.skipped.empty() ? (x.check.threshold ? x.check.ThresholdText() + " (got " + Number(x.value) + ")" : "0 rows")
                                            : x.check.skipped,
                    ResultWord(x)});
  }
  PrintTable(out, {"RULE", "COLUMN", "KIND", "SEVERITY", "FAILING", "THRESHOLD", "RESULT"}, rows);
  bool header = false;
  for (const auto& x : r.checks.results) {
    for (const auto& s : x.sample) {
      if (!header) out << "\nFailing rows (input row numbers, up to " << quality::Checker::kSampleRows << " per rule):\n";
      header = true;
      out << "  row " << s.row << "  [" << x.check.id << "]  " << s.reason << "\n";
    }
  }
  const auto& c = r.checks;
  out << "\n" << c.rows_in << " rows in, " << c.rows_valid << " valid, " << c.rows_quarantined << " quarantined";
  if (c.rows_warned) out << ", " << c.rows_warned << " kept with warnings";
  out << "  (" << std::fixed << std::setprecision(1) << r.seconds << " s)\n";
  if (!r.quarantine_path.empty())
    out << "Quarantine: " << r.quarantine_path << "  (weft quarantine show " << r.product_id << ")\n";
  out << "Archive:    " << r.archive_path << "\n";
  if (r.outcome == "published") {
    out << "PUBLISHED " << address << " snapshot " << r.snapshot_id << " (" << r.snapshot_rows << " rows, " << r.mode << ")\n";
  } else {
    out << "REJECTED " << address << ": " << Join(c.rejected_by, ", ")
        << " failed; the current snapshot " << (r.parent_snapshot_id.empty() ? "(none)" : r.parent_snapshot_id)
        << " stays current\n";
  }
}

// One line, redrawn in place: phase, percent, rows and rows/s.
void DrawProgress(const quality::PublishProgress& p) {
  char line[160];
  double rate = p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0;
  if (p.phase.empty()) return;
  std::snprintf(line, sizeof line, "\r%-9s %5.1f%%  %12lld rows  %10.0f rows/s ", p.phase.c_str(),
                p.percent < 0 ? 0.0 : p.percent, static_cast<long long>(p.rows), rate);
  std::cerr << line << std::flush;
}

// Runs a publish or a derived run with the workspace's engine settings and
// a progress line on a terminal, then prints the report and sets the exit code.
void Execute(const std::string& command, const std::string& output, CommandContext& ctx, quality::PublishRequest req,
             const std::function<Result<quality::PublishReport>(catalog::Store&, const quality::PublishRequest&)>& run) {
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  req.actor = Actor(ctx);
  req.memory_limit = open->ws.settings.query_memory_limit;
  req.threads = static_cast<int>(open->ws.settings.query_threads.value_or(0));
  req.temp_dir = open->ws.root / "tmp";
  // A progress line only for a person watching a terminal.
  bool tty = &ctx.err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  if (tty) req.on_progress = DrawProgress;
  auto report = run(*open->store, req);
  if (tty) std::cerr << "\r" << std::string(60, ' ') << "\r" << std::flush;
  if (!report.ok()) {
    ctx.err << "weft " << command << ": " << report.status().message() << "\n";
    ctx.exit_code = report.status().code() == StatusCode::kNotFound ? kExitUsage : kExitFindings;
    return;
  }
  if (output == "json") ctx.out << ReportJson(*report).dump(2) << "\n";
  else PrintReport(ctx.out, *report);
  ctx.exit_code = report->outcome == "rejected" ? kExitFindings : kExitOk;
}

void RunPublish(const PublishArgs& args, CommandContext& ctx) {
  if (args.target.find('.') == std::string::npos) {
    ctx.err << "weft publish: '" << args.target << "' is not DOMAIN.PRODUCT (e.g. sales.orders)\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  for (const auto& f : args.files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f, ec)) {
      ctx.err << "weft publish: input file '" << f << "' does not exist or is not a file\n";
      ctx.exit_code = kExitUsage;
      return;
    }
  }
  quality::PublishRequest req{.target = args.target, .mode = args.mode, .format = args.format, .object = args.object};
  for (const auto& f : args.files) req.files.emplace_back(f);
  Execute("publish", args.output, ctx, std::move(req), quality::Publish);
}

struct RunArgs {
  std::string target;
  std::string output = "table";
};

void RunDerived(const RunArgs& args, CommandContext& ctx) {
  if (args.target.find('.') == std::string::npos || args.target.find('@') != std::string::npos) {
    ctx.err << "weft run: '" << args.target << "' is not DOMAIN.PRODUCT (e.g. finance.revenue_daily)\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  auto parser = engine::DuckDbSqlValidator::Create();
  if (!parser.ok()) {
    ctx.err << "weft run: " << parser.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  auto is_type = [&p = **parser](const std::string& t) { return p.IsType(t); };
  Execute("run", args.output, ctx, quality::PublishRequest{.target = args.target},
          [&](catalog::Store& store, const quality::PublishRequest& req) -> Result<quality::PublishReport> {
            auto ws = control::FindWorkspace(ctx.workspace);
            if (!ws.ok()) return ws.status();
            ASSIGN_OR_RETURN(std::string secret, control::LoadOrCreateSecret(*ws));
            ASSIGN_OR_RETURN(auto access, access::AccessControl::Load(store, {.masking = ws->settings.masking,
                                                                              .key = secret,
                                                                              .is_duckdb_type = is_type}));
            query::QueryRuntime runtime(query::RuntimeOptions::For(ws->root, ws->settings, secret));
            return query::RunDerived(store, **parser, access, runtime.copies(), req);
          });
}

}  // namespace

void AddPublishCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<PublishArgs>();
  CLI::App* cmd = app.add_subcommand("publish", "Check an input against the product's contract and publish it as a new snapshot");
  cmd->add_option("product", args->target, "DOMAIN.PRODUCT, optionally @vMAJOR")->required();
  cmd->add_option("files", args->files, "Input files (CSV with a header, Parquet, or NDJSON)")->required();
  cmd->add_option("--mode", args->mode, "replace the current snapshot, or append to it")
      ->check(CLI::IsMember({"replace", "append"}));
  cmd->add_option("--format", args->format, "Input format (default: from the file extension)")
      ->check(CLI::IsMember({"csv", "parquet", "json"}));
  cmd->add_option("--object", args->object, "The contract's schema object, when it has several");
  cmd->add_option("-o,--output", args->output, "Report format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([args, &ctx] { RunPublish(*args, ctx); });
}

void AddRunCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Build a derived product from its transform over its inputs' current snapshots, checked like a publish");
  cmd->add_option("product", args->target, "DOMAIN.PRODUCT of a derived product")->required();
  cmd->add_option("-o,--output", args->output, "Report format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([args, &ctx] { RunDerived(*args, ctx); });
}

}  // namespace weft::cli
