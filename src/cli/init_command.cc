// weft init [DIR] [--name NAME] [--catalog URL]: the workspace, its secret,
// and the person who ran it registered as a platform admin (--as, $WEFT_USER
// or $USER), with an API token for `weft serve` (shown once). --catalog puts
// the catalog on a PostgreSQL server (src/catalog/README.md).
#include <ostream>

#include "access/principals.h"
#include "access/tokens.h"
#include "catalog/location.h"
#include "catalog/store.h"
#include "cli/commands.h"
#include "cli/workspace_context.h"
#include "common/time.h"
#include "control/workspace.h"

namespace weft::cli {

void AddInitCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("init", "Create a workspace: weft.yaml, catalog.db and domains/");
  auto dir = std::make_shared<std::string>(".");
  auto name = std::make_shared<std::string>();
  auto catalog = std::make_shared<std::string>();
  cmd->add_option("dir", *dir, "Directory of the new workspace (created if missing)");
  cmd->add_option("--name", *name, "Mesh name (default: the directory's name)");
  cmd->add_option("--catalog", *catalog,
                  "The catalog: a postgres://USER@HOST[:PORT]/DB URL (password in PGPASSWORD or a passfile), or a "
                  "file path (default: catalog.db in the workspace)");
  cmd->callback([&ctx, dir, name, catalog] {
    auto ws = control::InitWorkspace(*dir, *name, *catalog);
    if (!ws.ok()) {
      ctx.err << "weft init: " << ws.status().message() << "\n";
      const StatusCode code = ws.status().code();
      ctx.exit_code = code == StatusCode::kAlreadyExists || code == StatusCode::kInvalidArgument ? kExitUsage
                                                                                                : kExitFindings;
      return;
    }
    const std::string admin = Actor(ctx);
    Status s = control::LoadOrCreateSecret(*ws).status();
    auto store = catalog::OpenStore(ws->CatalogLocation());
    if (s.ok()) s = store.status();
    if (s.ok()) {
      auto txn = (*store)->BeginWrite();
      s = txn.status();
      if (s.ok()) s = (*txn)->EnsurePrincipal({.name = admin, .kind = "user"});
      if (s.ok())
        s = (*txn)->ReplaceMemberships(access::PrincipalSource(admin),
                                       {{.group = access::kAdminsGroup, .principal = admin, .role = "admin",
                                         .source = access::PrincipalSource(admin)}});
      if (s.ok()) s = (*txn)->Commit();
    }
    std::string token;
    if (s.ok()) {
      auto actor = access::LoadPrincipal(**store, admin);
      auto issued = actor.ok() ? access::IssueToken(**store, *actor, admin, "", "made by weft init", NowIso())
                               : Result<access::IssuedToken>(actor.status());
      s = issued.status();
      if (s.ok()) token = issued->text;
    }
    if (!s.ok()) {
      ctx.err << "weft init: " << s.message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    ctx.out << "Created workspace '" << ws->settings.name << "' in " << ws->root.string() << "\n"
            << "  settings  " << ws->SettingsFile().string() << "\n"
            << "  catalog   " << catalog::PrintableLocation(ws->CatalogLocation()) << "\n"
            << "  admin     " << admin << " (platform:admins)\n"
            << "  token     " << token << "  (the admin's API token for weft serve; shown only now)\n"
            << "Next: weft apply -f DIR --workspace " << ws->root.string() << "\n";
  });
}

}  // namespace weft::cli
