// weft init [DIR] [--name NAME]
#include <ostream>

#include "cli/commands.h"
#include "control/workspace.h"

namespace weft::cli {

void AddInitCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("init", "Create a workspace: weft.yaml, catalog.db and domains/");
  auto dir = std::make_shared<std::string>(".");
  auto name = std::make_shared<std::string>();
  cmd->add_option("dir", *dir, "Directory of the new workspace (created if missing)");
  cmd->add_option("--name", *name, "Mesh name (default: the directory's name)");
  cmd->callback([&ctx, dir, name] {
    auto ws = control::InitWorkspace(*dir, *name);
    if (!ws.ok()) {
      ctx.err << "weft init: " << ws.status().message() << "\n";
      ctx.exit_code = ws.status().code() == StatusCode::kAlreadyExists ? kExitUsage : kExitFindings;
      return;
    }
    ctx.out << "Created workspace '" << ws->settings.name << "' in " << ws->root.string() << "\n"
            << "  settings  " << ws->SettingsFile().string() << "\n"
            << "  catalog   " << ws->CatalogLocation() << "\n"
            << "Next: weft apply -f DIR --workspace " << ws->root.string() << "\n";
  });
}

}  // namespace weft::cli
