// weft lakehouse repair: brings every product major's Iceberg table up to
// date with the catalog (docs/lakehouse.md, "Tables on disk"): snapshots
// written before weft made Iceberg files get them, and table metadata a
// crash left behind the catalog is rewritten. Idempotent: a second run
// rewrites nothing.
#include <ostream>

#include "cli/commands.h"
#include "cli/workspace_context.h"
#include "lakehouse/table_metadata.h"
#include "storage/file_system.h"

namespace weft::cli {

void AddLakehouseCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("lakehouse", "Iceberg tables of the products: repair");
  cmd->require_subcommand(1);
  auto* repair = cmd->add_subcommand(
      "repair", "Write the Iceberg files of every kept snapshot that lacks them and rewrite stale table metadata");
  repair->callback([&ctx] {
    auto opened = OpenWorkspaceOrReport(ctx);
    if (!opened) return;
    auto rewritten = lakehouse::SyncAllTables(*opened->store, storage::DefaultFileSystem());
    if (!rewritten.ok()) {
      ctx.err << "weft lakehouse repair: " << rewritten.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    ctx.out << "Rewrote the metadata of " << *rewritten << " table(s); every table lists the catalog's snapshots.\n";
  });
}

}  // namespace weft::cli
