// Opening the workspace and its catalog for the commands that need them.
// Thread safety: single-threaded.
#pragma once

#include <memory>
#include <string>

#include "catalog/store.h"
#include "cli/commands.h"
#include "control/workspace.h"

namespace weft::cli {

struct OpenWorkspace {
  control::Workspace ws;
  std::unique_ptr<catalog::Store> store;
};

// Reports the error on ctx.err and sets the exit code when it fails.
std::optional<OpenWorkspace> OpenWorkspaceOrReport(CommandContext& ctx);

// Who is acting: --as, else $WEFT_USER, else $USER. This is the trusted
// local mode (docs/security.md): whoever runs the binary on the workspace
// may act as anyone, as they could read its files anyway; the server
// authenticates with tokens instead.
std::string Actor(const CommandContext& ctx);

}  // namespace weft::cli
