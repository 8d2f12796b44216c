#include <cstdlib>
#include <ostream>

#include "cli/commands.h"

namespace weft::cli {

namespace {

constexpr const char* kVersion = "weft 0.1.0 (DuckDB 1.4.4)";

// Every command but serve, on one app.
void AddCommands(CLI::App& app, CommandContext& ctx) {
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
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
  AddTokenCommand(app, ctx);
}

// Parses (args in CLI11's reversed order) and runs; help and version go
// to `out` with exit 0.
int Parse(CLI::App& app, CommandContext& ctx, std::vector<std::string> reversed) {
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // Prints help/version to `out` (exit 0) or the error to `err`; for help
    // after a subcommand, CLI11 prints that subcommand's help.
    int code = app.exit(e, ctx.out, ctx.err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // --server URL anywhere (or $WEFT_SERVER): the command runs on that server.
  std::string server;
  if (const char* env = std::getenv("WEFT_SERVER"); env && *env) server = env;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--server" && i + 1 < args.size()) {
      server = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      break;
    }
    if (args[i].rfind("--server=", 0) == 0) {
      server = args[i].substr(9);
      args.erase(args.begin() + static_cast<long>(i));
      break;
    }
  }
  bool local_only = !args.empty() && (args[0] == "serve" || args[0] == "init" || args[0] == "--help" ||
                                      args[0] == "-h" || args[0] == "--version");
  if (!server.empty() && !local_only) {
    const char* token = std::getenv("WEFT_TOKEN");
    return RunRemote(server, token ? token : "", args, out, err);
  }
  CLI::App app{"weft: a data mesh platform in one binary", "weft"};
  CommandContext ctx{out, err};
  app.add_option("--workspace", ctx.workspace, "Workspace directory (default: $WEFT_HOME, or the nearest weft.yaml upward)");
  app.add_option("--as", ctx.as, "Act as this principal (default: $WEFT_USER, else $USER)");
  app.add_option("--server", server, "Run the command on this weft server (default: $WEFT_SERVER; token in $WEFT_TOKEN)");
  app.fallthrough();  // so --workspace and --as may follow the subcommand
  AddCommands(app, ctx);
  AddServeCommand(app, ctx);
  return Parse(app, ctx, std::vector<std::string>(args.rbegin(), args.rend()));
}

int RunCommandAs(const std::vector<std::string>& args, const std::string& workspace, const std::string& actor,
                 std::ostream& out, std::ostream& err) {
  CLI::App app{"weft", "weft"};
  CommandContext ctx{out, err};
  ctx.workspace = workspace;
  ctx.as = actor;
  AddCommands(app, ctx);
  return Parse(app, ctx, std::vector<std::string>(args.rbegin(), args.rend()));
}

}  // namespace weft::cli
