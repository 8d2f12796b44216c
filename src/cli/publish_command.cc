// `weft publish DOMAIN.PRODUCT[@vMAJOR] FILE...|--from-source [--mode
// replace|append] [--format csv|parquet|json] [--object NAME] [-o table|json]`:
// checks an input — files, or the rows of the product's operational
// database (service/postgres_source.h) — against the product's contract and
// commits it as a new snapshot (quality/publisher.h). `weft run DOMAIN.PRODUCT [-o table|json]` does the
// same with a derived product's transform over its inputs (lineage/runner.h)
// and prints the same report. Both take `--force --reason TEXT` past a
// refusing publish guard (quality/guards.h). `weft rollback DOMAIN.PRODUCT
// --to SNAPSHOT --reason TEXT` makes an earlier kept snapshot current again.
// Exit 0 published (or a duplicate input), 1 rejected or failed, 2 usage
// (including an unknown product).
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include <filesystem>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/files.h"
#include "common/strings.h"
#include "quality/publisher.h"
#include "service/publish.h"

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
  bool from_source = false;
  service::Force force;
};

void AddForceOptions(CLI::App* cmd, service::Force& force) {
  cmd->add_flag("--force", force.force, "Publish although a publish guard refuses (needs --reason; audited)");
  cmd->add_option("--reason", force.reason, "Why the guard is overridden (recorded in the audit log)");
}

// The server's query parameters for --force.
void AddForceParams(const service::Force& force, Rest& rest) {
  if (!force.force) return;
  rest.query.emplace_back("force", "true");
  rest.query.emplace_back("reason", force.reason);
}

std::string Number(double v) {
  std::ostringstream s;
  if (v == static_cast<double>(static_cast<int64_t>(v))) s << static_cast<int64_t>(v);
  else s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

void PrintReport(std::ostream& out, const json& r) {
  const std::string address = Text(r["product"]) + "_v" + Text(r["major"]);
  if (r["outcome"] == "duplicate") {
    if (r["mode"] == "run")
      out << address << ": the transform and its input snapshots are unchanged since snapshot " << Text(r["snapshotId"])
          << "; nothing to run\n";
    else
      out << address << ": duplicate input (sha256 " << Text(r["inputChecksum"]).substr(0, 12) << "...) is already snapshot "
          << Text(r["snapshotId"]) << "; nothing published\n";
    return;
  }
  for (const auto& w : r["warnings"]) out << "warning: " << Text(w) << "\n";
  if (r["mode"] == "rollback") {
    out << "ROLLED BACK " << address << " to the rows of an earlier snapshot: now snapshot " << Text(r["snapshotId"]) << " ("
        << Text(r["snapshotRows"]) << " rows); it replaced " << Text(r["parentSnapshotId"]) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : r["rules"]) {
    const bool counted = x["scope"] == "row" || x["kind"] != "sql";
    const std::string note = Text(x["note"]);
    rows.push_back({Text(x["id"]), Dash(x["column"]), Text(x["kind"]), Text(x["severity"]),
                    counted ? Number(x["failingRows"].get<double>()) : "-",
                    note.empty() ? (x["hasThreshold"] == true ? Text(x["threshold"]) + " (got " + Number(x["value"].get<double>()) + ")" : "0 rows")
                                 : note,
                    Text(x["result"])});
  }
  PrintTable(out, {"RULE", "COLUMN", "KIND", "SEVERITY", "FAILING", "THRESHOLD", "RESULT"}, rows);
  bool header = false;
  for (const auto& x : r["rules"]) {
    for (const auto& s : x["sample"]) {
      if (!header) out << "\nFailing rows (input row numbers, up to " << quality::Checker::kSampleRows << " per rule):\n";
      header = true;
      out << "  row " << Text(s["row"]) << "  [" << Text(x["id"]) << "]  " << Text(s["reason"]) << "\n";
    }
  }
  out << "\n" << Text(r["rowsIn"]) << " rows in, " << Text(r["rowsValid"]) << " valid, " << Text(r["rowsQuarantined"]) << " quarantined";
  if (r["rowsWarned"].get<int64_t>() > 0) out << ", " << Text(r["rowsWarned"]) << " kept with warnings";
  out << "  (" << std::fixed << std::setprecision(1) << r["seconds"].get<double>() << " s)\n";
  if (!Text(r["quarantine"]).empty())
    out << "Quarantine: " << Text(r["quarantine"]) << "  (weft quarantine show " << Text(r["product"]) << ")\n";
  out << "Archive:    " << Text(r["archive"]) << "\n";
  for (const auto& g : r["guards"])
    if (g["passed"] == false) out << (r["forced"] == true ? "FORCED past guard:" : "Refused by guard:") << Text(g["name"]) << ": " << Text(g["detail"]) << "\n";
  if (r["outcome"] == "published") {
    out << "PUBLISHED " << address << " snapshot " << Text(r["snapshotId"]) << " (" << Text(r["snapshotRows"]) << " rows, "
        << Text(r["mode"]) << ")\n";
  } else {
    std::vector<std::string> why = Texts(r["rejectedBy"]);
    for (const auto& g : r["guards"])
      if (g["passed"] == false) why.push_back("guard:" + Text(g["name"]));
    out << "REJECTED " << address << ": " << Join(why, ", ") << " failed; the current snapshot "
        << (Text(r["parentSnapshotId"]).empty() ? "(none)" : Text(r["parentSnapshotId"])) << " stays current\n";
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

// A progress line only for a person watching a terminal.
bool Watched(const CommandContext& ctx) { return &ctx.err == &std::cerr && ::isatty(STDERR_FILENO) == 1; }

// Prints the report (also of a rejected publish) and sets the exit code.
void Finish(CommandContext& ctx, const std::string& command, const std::string& output, const Answer& a, bool tty) {
  if (tty) std::cerr << "\r" << std::string(60, ' ') << "\r" << std::flush;
  if (a.body.is_null()) {
    Report(ctx, command, a.status);
    return;
  }
  if (output == "json") ctx.out << a.body.dump(2) << "\n";
  else PrintReport(ctx.out, a.body);
  ctx.exit_code = service::ExitCodeOf(a.status.code());
}

Answer ReportOf(const Result<quality::PublishReport>& r) {
  if (!r.ok()) return {r.status(), nullptr};
  return {service::PublishStatus(*r), service::ToJson(*r)};
}

// The format a server is told, from --format or the file's extension.
std::string FormatOf(const PublishArgs& args) {
  if (!args.format.empty()) return args.format;
  std::string ext = ToLower(std::filesystem::path(args.files[0]).extension().string());
  if (ext == ".parquet") return "parquet";
  if (ext == ".json" || ext == ".ndjson" || ext == ".jsonl") return "json";
  return "csv";
}

void RunPublish(const PublishArgs& args, CommandContext& ctx) {
  if (args.from_source == !args.files.empty())
    return (void)Report(ctx, "publish", Status::InvalidArgument(args.from_source
                                                                    ? "--from-source takes no input files: the source is the input"
                                                                    : "give the input files, or --from-source"));
  for (const auto& f : args.files)
    if (!Report(ctx, "publish", quality::CheckInputFile(f))) return;
  Rest rest{.method = "POST", .path = "/api/v1/products/" + args.target + "/publish", .content_type = "application/octet-stream"};
  if (!ctx.server.empty() && args.from_source) {
    rest.query = {{"fromSource", "true"}, {"mode", args.mode}, {"object", args.object}};
    AddForceParams(args.force, rest);
  } else if (!ctx.server.empty()) {
    if (args.files.size() != 1)
      return (void)Report(ctx, "publish", Status::InvalidArgument("a server takes one input file per publish"));
    auto data = ReadFileToString(args.files[0]);
    if (!Report(ctx, "publish", data.status())) return;
    rest.body = std::move(*data);
    rest.query = {{"format", FormatOf(args)}, {"mode", args.mode}, {"object", args.object}};
    AddForceParams(args.force, rest);
  }
  const bool tty = Watched(ctx);
  Answer a = Call(ctx, rest, [&](service::Mesh& m, const service::Caller& c) {
    quality::PublishRequest req{.target = args.target, .mode = args.mode, .format = args.format, .object = args.object,
                                .force = args.force.force, .force_reason = args.force.reason};
    for (const auto& f : args.files) req.files.emplace_back(f);
    if (tty) req.on_progress = DrawProgress;
    if (args.from_source) return ReportOf(service::PublishService(m).PublishFromSource(c, std::move(req)));
    return ReportOf(service::PublishService(m).Publish(c, std::move(req)));
  });
  Finish(ctx, "publish", args.output, a, tty);
}

struct RunArgs {
  std::string target;
  std::string output = "table";
  service::Force force;
};

void RunDerived(const RunArgs& args, CommandContext& ctx) {
  const bool tty = Watched(ctx);
  Rest rest{.method = "POST", .path = "/api/v1/products/" + args.target + "/run"};
  AddForceParams(args.force, rest);
  Answer a = Call(ctx, rest, [&](service::Mesh& m, const service::Caller& c) {
    return ReportOf(service::PublishService(m).Run(c, args.target, args.force, tty ? DrawProgress : nullptr));
  });
  Finish(ctx, "run", args.output, a, tty);
}

struct RollbackArgs {
  std::string target;
  std::string snapshot;
  std::string reason;
  std::string output = "table";
};

void RunRollback(const RollbackArgs& args, CommandContext& ctx) {
  Rest rest{.method = "POST", .path = "/api/v1/products/" + args.target + "/rollback",
            .query = {{"to", args.snapshot}, {"reason", args.reason}}};
  Answer a = Call(ctx, rest, [&](service::Mesh& m, const service::Caller& c) {
    return ReportOf(service::PublishService(m).Rollback(c, args.target, args.snapshot, args.reason));
  });
  Finish(ctx, "rollback", args.output, a, false);
}

}  // namespace

void AddPublishCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<PublishArgs>();
  CLI::App* cmd = app.add_subcommand("publish", "Check an input against the product's contract and publish it as a new snapshot");
  cmd->add_option("product", args->target, "DOMAIN.PRODUCT, optionally @vMAJOR")->required();
  cmd->add_option("files", args->files, "Input files (CSV with a header, Parquet, or NDJSON)");
  cmd->add_flag("--from-source", args->from_source,
                "Read the input from the product's operational database (its weft.source) instead of files");
  cmd->add_option("--mode", args->mode, "replace the current snapshot, or append to it")
      ->check(CLI::IsMember({"replace", "append"}));
  cmd->add_option("--format", args->format, "Input format (default: from the file extension)")
      ->check(CLI::IsMember({"csv", "parquet", "json"}));
  cmd->add_option("--object", args->object, "The contract's schema object, when it has several");
  cmd->add_option("-o,--output", args->output, "Report format")->check(CLI::IsMember({"table", "json"}));
  AddForceOptions(cmd, args->force);
  cmd->callback([args, &ctx] { RunPublish(*args, ctx); });
}

void AddRunCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Build a derived product from its transform over its inputs' current snapshots, checked like a publish");
  cmd->add_option("product", args->target, "DOMAIN.PRODUCT of a derived product")->required();
  cmd->add_option("-o,--output", args->output, "Report format")->check(CLI::IsMember({"table", "json"}));
  AddForceOptions(cmd, args->force);
  cmd->callback([args, &ctx] { RunDerived(*args, ctx); });
}

void AddRollbackCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<RollbackArgs>();
  CLI::App* cmd = app.add_subcommand("rollback", "Make an earlier kept snapshot of a product current again (audited)");
  cmd->add_option("product", args->target, "DOMAIN.PRODUCT")->required();
  cmd->add_option("--to", args->snapshot, "The snapshot to restore (weft history DOMAIN.PRODUCT lists them)")->required();
  cmd->add_option("--reason", args->reason, "Why (recorded in the audit log)")->required();
  cmd->add_option("-o,--output", args->output, "Report format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([args, &ctx] { RunRollback(*args, ctx); });
}

}  // namespace weft::cli
