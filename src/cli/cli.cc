#include <ostream>

#include "cli/commands.h"

namespace weft::cli {

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"weft: a data mesh platform in one binary", "weft"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "weft 0.1.0 (DuckDB 1.4.4)");
  CommandContext ctx{out, err};
  app.add_option("--workspace", ctx.workspace, "Workspace directory (default: $WEFT_HOME, or the nearest weft.yaml upward)");
  app.add_option("--as", ctx.as, "Act as this principal (default: $WEFT_USER, else $USER)");
  app.fallthrough();  // so --workspace and --as may follow the subcommand
  AddLintCommand(app, ctx);
  AddDiffCommand(app, ctx);
  AddNewCommand(app, ctx);
  AddDemoCommand(app, ctx);
  AddPolicyCommand(app, ctx);
  AddInitCommand(app, ctx);
  AddPlanApplyCommands(app, ctx);
  AddCatalogCommands(app, ctx);
  AddWaiverCommand(app, ctx);
  AddPublishCommand(app, ctx);
  AddRunCommand(app, ctx);
  AddAccessCommands(app, ctx);
  AddQueryCommands(app, ctx);
  AddQuarantineCommand(app, ctx);
  AddLineageCommands(app, ctx);
  AddGcCommand(app, ctx);
  AddHistoryCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Prints help/version to `out` (exit 0) or the error to `err`; for help
    // after a subcommand, CLI11 prints that subcommand's help.
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace weft::cli
