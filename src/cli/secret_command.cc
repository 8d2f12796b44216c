// weft secret set NAME | list | rm NAME: the workspace's secrets
// (control/secrets.h), e.g. the URL of a product's operational database
// that its weft.source names. `set` reads the value from standard input —
// never from the command line, which `ps` and shell history would show —
// without echoing it on a terminal.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <ostream>

#include "cli/commands.h"
#include "common/strings.h"
#include "control/secrets.h"
#include "control/workspace.h"
#include "spec/model.h"

namespace weft::cli {

namespace {

// Standard input to its end; on a terminal, one line typed without echo.
std::string ReadValue(CommandContext& ctx, const std::string& name) {
  if (::isatty(STDIN_FILENO) != 1) return std::string(std::istreambuf_iterator<char>(std::cin), {});
  ctx.err << "value of secret " << name << " (not shown): " << std::flush;
  termios old{};
  const bool terminal = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (terminal) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  ctx.err << "\n";
  return line;
}

Result<control::Workspace> LocalWorkspace(const CommandContext& ctx) {
  if (!ctx.server.empty()) return Status::InvalidArgument("secrets are the local workspace's files; there is no --server mode");
  return control::FindWorkspace(ctx.workspace);
}

void Finish(CommandContext& ctx, const std::string& command, const Status& s) {
  if (s.ok()) return;
  ctx.err << "weft secret " << command << ": " << s.message() << "\n";
  ctx.exit_code = s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ? kExitUsage : kExitFindings;
}

}  // namespace

void AddSecretCommand(CLI::App& app, CommandContext& ctx) {
  auto* group = app.add_subcommand("secret", "The workspace's secrets (database URLs a weft.source names)");
  group->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto* set = group->add_subcommand("set", "Set a secret; the value is read from standard input");
  set->add_option("name", *name, "a-z, 0-9, '.', '_', '-'")->required();
  set->callback([&ctx, name] {
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(control::Workspace ws, LocalWorkspace(ctx));
      RETURN_IF_ERROR(spec::CheckSecretName(*name));
      std::string value(Trim(ReadValue(ctx, *name)));
      if (value.empty()) return Status::InvalidArgument("no value on standard input; nothing was set");
      RETURN_IF_ERROR(control::WriteSecret(ws, *name, value));
      ctx.out << "Secret " << *name << " set (" << (ws.root / "secrets" / *name).string() << ", owner-only)\n";
      return Status::Ok();
    }();
    Finish(ctx, "set", s);
  });
  auto* list = group->add_subcommand("list", "The secrets' names (never their values)");
  list->callback([&ctx] {
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(control::Workspace ws, LocalWorkspace(ctx));
      ASSIGN_OR_RETURN(std::vector<std::string> names, control::ListSecrets(ws));
      for (const auto& n : names) ctx.out << n << "\n";
      return Status::Ok();
    }();
    Finish(ctx, "list", s);
  });
  auto* rm = group->add_subcommand("rm", "Remove a secret");
  rm->add_option("name", *name, "The secret")->required();
  rm->callback([&ctx, name] {
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(control::Workspace ws, LocalWorkspace(ctx));
      RETURN_IF_ERROR(control::RemoveSecret(ws, *name));
      ctx.out << "Secret " << *name << " removed\n";
      return Status::Ok();
    }();
    Finish(ctx, "rm", s);
  });
}

}  // namespace weft::cli
