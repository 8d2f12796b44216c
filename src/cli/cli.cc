#include <cstdlib>
#include <ostream>

#include "cli/commands.h"
#include "common/strings.h"

namespace weft::cli {

namespace {

constexpr const char* kVersion = "weft 0.1.0 (DuckDB 1.4.4)";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// An option named `arg` on `app` or the commands above it (global options
// fall through), or null.
const CLI::Option* FindOption(CLI::App* app, const std::string& arg) {
  for (; app; app = app->get_parent())
    if (const CLI::Option* o = app->get_option_no_throw(arg)) return o;
  return nullptr;
}

// When a parse fails because a word stands where a command belongs and names
// none ("weft publsh", "weft access reqest"), the message for it: CLI11 says
// only "A subcommand is required" or "arguments were not expected". Empty
// when the failure is something else.
std::string UnknownCommand(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* level = &app;
  std::string path = "weft";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return "";
    if (StartsWith(arg, "-")) {
      if (arg.find('=') != std::string::npos) continue;
      const CLI::Option* o = FindOption(level, arg);
      if (o && o->get_type_size_max() > 0 && o->get_items_expected_max() > 0) ++i;  // its value
      continue;
    }
    std::vector<CLI::App*> subs = level->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return "";
    std::vector<std::string> names;
    for (CLI::App* sub : subs) {
      if (sub->check_name(arg)) {
        level = sub;
        path += " " + sub->get_name();
        names.clear();
        break;
      }
      names.push_back(sub->get_name());
    }
    if (names.empty()) continue;
    // A command that also takes positional arguments may take this word.
    if (!level->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty()) return "";
    const std::string hint = ClosestMatch(arg, names);
    return "unknown command '" + path + " " + arg + "'" + (hint.empty() ? "" : "; did you mean '" + path + " " + hint + "'?") +
           " ('" + path + " --help' lists its commands)";
  }
  return "";
}

}  // namespace

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err, const ExtraCommands& extra) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CLI::App app{"weft: a data mesh platform in one binary", "weft"};
  CommandContext ctx{out, err};
  ctx.server = Env("WEFT_SERVER");
  ctx.token = Env("WEFT_TOKEN");
  app.add_option("--workspace", ctx.workspace, "Workspace directory (default: $WEFT_HOME, or the nearest weft.yaml upward)");
  app.add_option("--as", ctx.as, "Act as this principal (default: $WEFT_USER, else $USER)");
  app.add_option("--server", ctx.server, "Call this weft server's API instead of a local workspace (default: $WEFT_SERVER; token in $WEFT_TOKEN)");
  app.fallthrough();  // so the global options may follow the subcommand
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  AddLintCommand(app, ctx);
  AddDiffCommand(app, ctx);
  AddNewCommand(app, ctx);
  AddImportCommand(app, ctx);
  AddExportCommand(app, ctx);
  AddDemoCommand(app, ctx);
  AddPolicyCommand(app, ctx);
  AddInitCommand(app, ctx);
  AddPlanApplyCommands(app, ctx);
  AddCatalogCommands(app, ctx);
  AddGlossaryCommand(app, ctx);
  AddWaiverCommand(app, ctx);
  AddPublishCommand(app, ctx);
  AddStreamCommand(app, ctx);
  AddRunCommand(app, ctx);
  AddRollbackCommand(app, ctx);
  AddAccessCommands(app, ctx);
  AddQueryCommands(app, ctx);
  AddQuarantineCommand(app, ctx);
  AddLineageCommands(app, ctx);
  AddGcCommand(app, ctx);
  AddCheckCommand(app, ctx);
  AddCatalogMigrateCommand(app, ctx);
  AddSecretCommand(app, ctx);
  AddLakehouseCommand(app, ctx);
  AddHistoryCommand(app, ctx);
  AddTokenCommand(app, ctx);
  AddMonitorCommands(app, ctx);
  if (extra) extra(app, ctx);
  // On a server the token says who acts; --as would be a claim nobody checks.
  app.parse_complete_callback([&ctx] {
    if (!ctx.server.empty() && !ctx.as.empty())
      throw CLI::ValidationError("--as", "acts locally only; on a server the token ($WEFT_TOKEN) says who you are");
    if (!ctx.server.empty() && !ctx.workspace.empty())
      throw CLI::ValidationError("--workspace", "names a local workspace; it cannot be used with --server");
  });
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (std::string unknown = UnknownCommand(app, args); !unknown.empty()) {
        err << "weft: " << unknown << "\n";
        return kExitUsage;
      }
    }
    // Prints help/version to `out` (exit 0) or the error to `err`; for help
    // after a subcommand, CLI11 prints that subcommand's help.
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace weft::cli
