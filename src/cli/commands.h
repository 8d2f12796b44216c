// The `weft` command line: each command lives in its own file and registers
// itself on the CLI11 app. Exit codes follow one convention across commands:
// 0 success, 1 the command ran and found problems (lint errors, breaking
// changes, a rejected publish), 2 usage errors.
//
// Thread safety: single-threaded (one process, one command).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "service/outcome.h"

namespace weft::cli {

using service::kExitDenied;  // the acting principal may not do this (the server answers 403)
using service::kExitFindings;
using service::kExitOk;
using service::kExitUsage;

struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  int exit_code = kExitOk;
  std::string workspace;  // --workspace (global; may follow the subcommand)
  std::string as;         // --as PRINCIPAL (global): who acts, in the trusted local mode
  std::string server;     // --server URL / $WEFT_SERVER: run on that server (cli/call.h)
  std::string token;      // $WEFT_TOKEN: the bearer token for --server
};

void AddLintCommand(CLI::App& app, CommandContext& ctx);
void AddDiffCommand(CLI::App& app, CommandContext& ctx);
void AddNewCommand(CLI::App& app, CommandContext& ctx);
void AddImportCommand(CLI::App& app, CommandContext& ctx);  // import FORMAT FILE...
void AddExportCommand(CLI::App& app, CommandContext& ctx);  // export D.P --format F
void AddDemoCommand(CLI::App& app, CommandContext& ctx);
void AddPolicyCommand(CLI::App& app, CommandContext& ctx);
void AddInitCommand(CLI::App& app, CommandContext& ctx);
void AddPlanApplyCommands(CLI::App& app, CommandContext& ctx);
void AddCatalogCommands(CLI::App& app, CommandContext& ctx);  // get, describe, search, audit
void AddGlossaryCommand(CLI::App& app, CommandContext& ctx);  // glossary list, glossary show
void AddWaiverCommand(CLI::App& app, CommandContext& ctx);
void AddPublishCommand(CLI::App& app, CommandContext& ctx);
void AddRunCommand(CLI::App& app, CommandContext& ctx);
void AddRollbackCommand(CLI::App& app, CommandContext& ctx);
void AddStreamCommand(CLI::App& app, CommandContext& ctx);  // stream D.P [FILE|-], compact D.P
void AddAccessCommands(CLI::App& app, CommandContext& ctx);  // principal, access
void AddQueryCommands(CLI::App& app, CommandContext& ctx);   // query, usage, cost
void AddQuarantineCommand(CLI::App& app, CommandContext& ctx);
void AddLineageCommands(CLI::App& app, CommandContext& ctx);  // lineage, impact
void AddGcCommand(CLI::App& app, CommandContext& ctx);
void AddCheckCommand(CLI::App& app, CommandContext& ctx);  // check [--repair]
void AddCatalogMigrateCommand(CLI::App& app, CommandContext& ctx);  // catalog migrate --to URL
void AddSecretCommand(CLI::App& app, CommandContext& ctx);  // secret set|list|rm
void AddLakehouseCommand(CLI::App& app, CommandContext& ctx);  // lakehouse repair
void AddHistoryCommand(CLI::App& app, CommandContext& ctx);
void AddTokenCommand(CLI::App& app, CommandContext& ctx);
void AddMonitorCommands(CLI::App& app, CommandContext& ctx);  // sla, incidents, monitor, subscribe, webhooks

// Commands a binary adds beside the library's (main.cc adds `weft serve`,
// which needs server/, which cli/ does not depend on).
using ExtraCommands = std::function<void(CLI::App& app, CommandContext& ctx)>;

// Runs the CLI on argv; returns the process exit code. With --server URL
// (or $WEFT_SERVER, token in $WEFT_TOKEN) every command that works on a
// workspace calls that server's REST API instead (cli/call.h).
int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err, const ExtraCommands& extra = {});

}  // namespace weft::cli
