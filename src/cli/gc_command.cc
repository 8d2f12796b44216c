// weft gc [--dry-run] [--grace S] [-o table|json]: removes unfinished publishes, orphan
// snapshot directories and snapshots beyond retention (docs/storage.md),
// then the governed copies of snapshots that no longer exist, and rewrites
// the Iceberg table metadata so it lists the snapshots that are left.
#include <fmt/format.h>

#include <chrono>
#include <ostream>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "lakehouse/table_metadata.h"
#include "query/governed_copies.h"
#include "query/runtime.h"
#include "storage/file_system.h"
#include "storage/gc.h"
#include "storage/root_owner.h"

namespace weft::cli {

namespace {

using nlohmann::json;

// 1536 -> "1.5 KiB": sizes a reader compares at a glance.
std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

void RunGc(CommandContext& ctx, bool dry_run, int64_t grace_seconds, const std::string& format) {
  auto opened = OpenWorkspaceOrReport(ctx);
  if (!opened) return;
  auto roots = storage::DomainRoots(*opened->store);
  if (!roots.ok()) {
    ctx.err << "weft gc: " << roots.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  // A root another workspace owns (this one is its copy) is left alone.
  std::vector<std::string> refused;
  *roots = storage::WritableRoots(storage::DefaultFileSystem(), *roots, {opened->ws.CatalogLocation(), opened->ws.root},
                                  !dry_run, &refused);
  for (const auto& r : refused) ctx.err << "weft gc: " << r << "\n";
  if (!refused.empty()) ctx.exit_code = kExitFindings;
  const storage::GcOptions options{.now = std::chrono::system_clock::now(),
                                   .dry_run = dry_run,
                                   .default_retention = storage::RetentionFromWorkspace(opened->ws.settings),
                                   .grace = std::chrono::seconds(grace_seconds),
                                   .actor = Actor(ctx)};
  auto report = storage::CollectGarbage(*opened->store, storage::DefaultFileSystem(), *roots, options);
  if (!report.ok()) {
    ctx.err << "weft gc: " << report.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  // Governed copies (query/governed_copies.h) of snapshots that are gone.
  if (!dry_run) {
    auto products = opened->store->ListProducts();
    std::set<std::string> keep;
    Status listed = products.status();
    for (size_t i = 0; listed.ok() && i < products->size(); ++i) {
      auto snaps = opened->store->ListSnapshots((*products)[i].id);
      if (!snaps.ok()) listed = snaps.status();
      else for (const auto& snap : *snaps) keep.insert(snap.id);
    }
    query::GovernedCopies copies({.root = query::RuntimeOptions::For(opened->ws.root, opened->ws.settings, "").copies_dir});
    Status removed = listed.ok() ? copies.RemoveCopiesExcept(keep) : listed;
    if (!removed.ok()) report->warnings.push_back("governed copies: " + removed.message());
    // Expired snapshots leave their Iceberg tables' metadata too. Not while
    // a root is another workspace's: the sync rewrites every table.
    if (refused.empty()) {
      auto synced = lakehouse::SyncAllTables(*opened->store, storage::DefaultFileSystem());
      if (!synced.ok()) report->warnings.push_back("Iceberg tables: " + synced.status().message());
    } else {
      report->warnings.push_back("Iceberg tables not synced while a storage root belongs to another workspace; "
                                 "gc again once that is settled");
    }
  }
  for (const auto& w : report->warnings) ctx.err << "weft gc: warning: " << w << "\n";
  // A warning is something gc could not do or did not dare to: CI should see it.
  if (!report->warnings.empty()) ctx.exit_code = kExitFindings;

  if (format == "json") {
    json removals = json::array();
    for (const auto& r : report->removals) {
      removals.push_back({{"kind", storage::GcKindName(r.kind)}, {"product", r.product_id}, {"major", r.major},
                          {"snapshot", r.snapshot_id}, {"path", r.path.string()}, {"bytes", r.bytes},
                          {"reason", r.reason}, {"removed", r.removed}});
    }
    ctx.out << json({{"dryRun", report->dry_run}, {"removals", removals}, {"bytesFreed", report->bytes_freed},
                     {"deferred", report->deferred}, {"warnings", report->warnings}})
                   .dump(2)
            << "\n";
    return;
  }
  const std::string deferred =
      report->deferred == 0
          ? ""
          : fmt::format("{} snapshot{} beyond retention kept: superseded less than {} s ago, a reader may still use {} "
                        "(--grace).\n",
                        report->deferred, report->deferred == 1 ? "" : "s", grace_seconds,
                        report->deferred == 1 ? "it" : "them");
  if (report->removals.empty()) {
    ctx.out << "Nothing to remove.\n" << deferred;
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : report->removals) {
    const std::string state = report->dry_run ? "would remove" : r.removed ? "removed" : "kept (failed)";
    // An unrecorded archive names no product (its directory is the publish id's).
    const std::string product = r.product_id.empty() ? "-"
                                : r.major > 0        ? r.product_id + "_v" + std::to_string(r.major)
                                                     : r.product_id;
    rows.push_back({state, storage::GcKindName(r.kind), product, r.snapshot_id,
                    HumanBytes(r.bytes), r.reason});
  }
  PrintTable(ctx.out, {"ACTION", "KIND", "PRODUCT", "SNAPSHOT", "SIZE", "REASON"}, rows);
  ctx.out << (report->dry_run ? "Would free " : "Freed ") << HumanBytes(report->bytes_freed)
          << (report->dry_run ? " (dry run: nothing was removed)" : "") << ".\n"
          << deferred;
}

}  // namespace

void AddGcCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand(
      "gc", "Remove unfinished publishes, orphan snapshot directories and snapshots beyond retention");
  auto dry_run = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("table");
  cmd->add_flag("--dry-run", *dry_run, "List what would be removed; change nothing");
  auto grace = std::make_shared<int64_t>(3600);
  cmd->add_option("--grace", *grace,
                  "Seconds to leave alone what a running publish may own and snapshots a running reader may use "
                  "(superseded more recently than this)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, dry_run, grace, format] { RunGc(ctx, *dry_run, *grace, *format); });
}

}  // namespace weft::cli
