// weft catalog migrate --to postgres://USER@HOST[:PORT]/DB: moves the
// workspace's catalog from its SQLite file to a PostgreSQL server
// (catalog/migrate.h, docs/scaling.md). The copy is committed whole or not
// at all; then weft.yaml names the server and the storage roots the old
// catalog owned are handed to the new one. The old file is left as it was.
#include <fmt/format.h>

#include <ostream>

#include "catalog/location.h"
#include "catalog/migrate.h"
#include "catalog/store.h"
#include "cli/commands.h"
#include "control/workspace.h"
#include "storage/file_system.h"
#include "storage/gc.h"
#include "storage/root_owner.h"

namespace weft::cli {

namespace {

Status Migrate(CommandContext& ctx, const std::string& to) {
  if (!ctx.server.empty()) return Status::InvalidArgument("catalog migrate works on a local workspace; it has no --server mode");
  if (catalog::HasPassword(to))
    return Status::InvalidArgument("the URL holds a password, which weft.yaml would keep in clear; give it without (" +
                                   catalog::PrintableLocation(to) +
                                   ") and the password in PGPASSWORD or a passfile (PGPASSFILE, ~/.pgpass)");
  ASSIGN_OR_RETURN(control::Workspace ws, control::FindWorkspace(ctx.workspace));
  const std::string from = ws.CatalogLocation();
  ASSIGN_OR_RETURN(catalog::MigrationReport report, catalog::MigrateCatalog(from, to));
  ctx.out << fmt::format("Copied the catalog {} to {}: {} tables, {} rows, generation {} ({:.1f} s).\n", from,
                         catalog::PrintableLocation(to), report.tables, report.rows, report.generation, report.seconds);
  // Roots outside the workspace name the catalog that owns them (root_owner.h).
  ASSIGN_OR_RETURN(auto store, catalog::OpenStore(to));
  ASSIGN_OR_RETURN(std::vector<storage::GcRoot> roots, storage::DomainRoots(*store));
  for (const auto& r : roots)
    RETURN_IF_ERROR(storage::HandOverRoot(storage::DefaultFileSystem(), r.root, {from, ws.root}, {to, ws.root}));
  RETURN_IF_ERROR(control::SetCatalog(ws, to).WithContext(
      "the copy is committed, but weft.yaml still names " + from + "; set `catalog: \"" + catalog::PrintableLocation(to) +
      "\"` in it by hand"));
  ctx.out << fmt::format("{} now names it. {} is no longer read or written: keep it as a backup, or delete it.\n",
                         ws.SettingsFile().string(), from);
  return Status::Ok();
}

}  // namespace

void AddCatalogMigrateCommand(CLI::App& app, CommandContext& ctx) {
  auto* group = app.add_subcommand("catalog", "Administer the workspace's catalog");
  group->require_subcommand(1);
  auto* cmd = group->add_subcommand("migrate", "Copy the catalog to a PostgreSQL server and switch the workspace to it");
  auto to = std::make_shared<std::string>();
  cmd->add_option("--to", *to, "postgres://USER@HOST[:PORT]/DB: a database with no weft catalog in it yet")->required();
  cmd->callback([&ctx, to] {
    Status s = Migrate(ctx, *to);
    if (s.ok()) return;
    ctx.err << "weft catalog migrate: " << s.message() << "\n";
    ctx.exit_code = s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ? kExitUsage : kExitFindings;
  });
}

}  // namespace weft::cli
