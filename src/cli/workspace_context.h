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

// Who is acting: $WEFT_USER, else $USER (trusted local mode; the server
// issue adds tokens).
std::string Actor();

}  // namespace weft::cli
