// The `weft` command line: each command lives in its own file and registers
// itself on the CLI11 app. Exit codes follow one convention across commands:
// 0 success, 1 the command ran and found problems (lint errors, breaking
// changes, a rejected publish), 2 usage errors.
//
// Thread safety: single-threaded (one process, one command).
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace weft::cli {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;
constexpr int kExitDenied = 3;  // the acting principal may not do this (the server answers 403)

struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  int exit_code = kExitOk;
  std::string workspace;  // --workspace (global; may follow the subcommand)
  std::string as;         // --as PRINCIPAL (global): who acts, in the trusted local mode
};

void AddLintCommand(CLI::App& app, CommandContext& ctx);
void AddDiffCommand(CLI::App& app, CommandContext& ctx);
void AddNewCommand(CLI::App& app, CommandContext& ctx);
void AddDemoCommand(CLI::App& app, CommandContext& ctx);
void AddPolicyCommand(CLI::App& app, CommandContext& ctx);
void AddInitCommand(CLI::App& app, CommandContext& ctx);
void AddPlanApplyCommands(CLI::App& app, CommandContext& ctx);
void AddCatalogCommands(CLI::App& app, CommandContext& ctx);  // get, describe, search, audit
void AddWaiverCommand(CLI::App& app, CommandContext& ctx);
void AddPublishCommand(CLI::App& app, CommandContext& ctx);
void AddRunCommand(CLI::App& app, CommandContext& ctx);
void AddAccessCommands(CLI::App& app, CommandContext& ctx);  // principal, access
void AddQueryCommands(CLI::App& app, CommandContext& ctx);   // query, usage, cost
void AddQuarantineCommand(CLI::App& app, CommandContext& ctx);
void AddLineageCommands(CLI::App& app, CommandContext& ctx);  // lineage, impact
void AddGcCommand(CLI::App& app, CommandContext& ctx);
void AddHistoryCommand(CLI::App& app, CommandContext& ctx);
void AddTokenCommand(CLI::App& app, CommandContext& ctx);
void AddServeCommand(CLI::App& app, CommandContext& ctx);

// Runs the CLI on argv; returns the process exit code. With --server URL
// (or $WEFT_SERVER) the command runs on that server instead (RunRemote).
int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

// Runs one command (args without the program name) on `workspace` as
// `actor`: how the server runs the commands its API shares with the CLI.
// --workspace, --as and serve do not exist here.
int RunCommandAs(const std::vector<std::string>& args, const std::string& workspace, const std::string& actor,
                 std::ostream& out, std::ostream& err);

// Sends a command line to a weft server (remote.cc).
int RunRemote(const std::string& url, const std::string& token, std::vector<std::string> args, std::ostream& out,
              std::ostream& err);

}  // namespace weft::cli
