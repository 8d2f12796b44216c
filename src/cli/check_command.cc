// weft check [--repair] [-o table|json]: the catalog against the disk after
// a crash, a restore or a copy (storage/check.h). Committed state the disk
// does not back is a finding (exit 1) and is never "repaired"; garbage that
// nothing committed references is listed, and removed with --repair.
#include <chrono>
#include <ostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "storage/check.h"
#include "storage/file_system.h"
#include "storage/root_owner.h"

namespace weft::cli {

namespace {

using nlohmann::json;

void RunCheck(CommandContext& ctx, bool repair, int64_t grace_seconds, const std::string& format) {
  auto opened = OpenWorkspaceOrReport(ctx);
  if (!opened) return;
  auto roots = storage::DomainRoots(*opened->store);
  if (!roots.ok()) {
    ctx.err << "weft check: " << roots.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  // In a root another workspace owns, what looks like garbage here may be
  // that workspace's committed state: checked, never repaired.
  std::vector<std::string> refused;
  storage::WritableRoots(storage::DefaultFileSystem(), *roots, {opened->ws.CatalogLocation(), opened->ws.root}, false,
                         &refused);
  for (const auto& r : refused) ctx.err << "weft check: " << r << "\n";
  if (!refused.empty()) ctx.exit_code = kExitFindings;
  if (repair && !refused.empty()) {
    ctx.err << "weft check: --repair refused: nothing was changed; run it without --repair to see the findings\n";
    return;
  }
  auto report = storage::CheckStorage(*opened->store, storage::DefaultFileSystem(), *roots,
                                      {.now = std::chrono::system_clock::now(),
                                       .repair = repair,
                                       .grace = std::chrono::seconds(grace_seconds),
                                       .actor = Actor(ctx)});
  if (!report.ok()) {
    ctx.err << "weft check: " << report.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  if (!report->problems.empty() || !report->garbage.warnings.empty()) ctx.exit_code = kExitFindings;
  for (const auto& w : report->garbage.warnings) ctx.err << "weft check: warning: " << w << "\n";

  if (format == "json") {
    json problems = json::array(), garbage = json::array();
    for (const auto& p : report->problems)
      problems.push_back({{"object", p.object}, {"path", p.path}, {"problem", p.problem}});
    for (const auto& g : report->garbage.removals)
      garbage.push_back({{"kind", storage::GcKindName(g.kind)}, {"path", g.path.string()}, {"reason", g.reason},
                         {"removed", g.removed}});
    ctx.out << json({{"clean", report->problems.empty()},
                     {"snapshots", report->snapshots},
                     {"dataFiles", report->files},
                     {"archives", report->archives},
                     {"problems", problems},
                     {"garbage", garbage},
                     {"repaired", repair}})
                   .dump(2)
            << "\n";
    return;
  }
  ctx.out << "Checked " << report->snapshots << " committed snapshots (" << report->files << " data files) and "
          << report->archives << " archived inputs.\n";
  if (report->problems.empty()) {
    ctx.out << "Committed state: clean.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : report->problems) rows.push_back({p.object, p.problem, p.path});
    PrintTable(ctx.out, {"OBJECT", "PROBLEM", "PATH"}, rows);
    ctx.out << report->problems.size() << " problem" << (report->problems.size() == 1 ? "" : "s")
            << " with committed state; nothing was changed (restore the files from a backup, or roll the product "
               "back to a snapshot that is whole: weft rollback).\n";
  }
  if (report->garbage.removals.empty()) {
    ctx.out << "No garbage.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : report->garbage.removals)
    rows.push_back({repair ? (g.removed ? "removed" : "kept (failed)") : "garbage", storage::GcKindName(g.kind),
                    g.path.string(), g.reason});
  PrintTable(ctx.out, {"ACTION", "KIND", "PATH", "REASON"}, rows);
  if (!repair) ctx.out << "Nothing committed references these; `weft check --repair` removes them.\n";
}

}  // namespace

void AddCheckCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("check", "Check the catalog against the disk: committed snapshots, archived inputs, garbage");
  auto repair = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("table");
  cmd->add_flag("--repair", *repair, "Remove the garbage (never committed state)");
  auto grace = std::make_shared<int64_t>(3600);
  cmd->add_option("--grace", *grace,
                  "Leave garbage changed within this many seconds: a running publish may own it (0 when nothing runs, "
                  "e.g. after a crash)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, repair, grace, format] { RunCheck(ctx, *repair, *grace, *format); });
}

}  // namespace weft::cli
