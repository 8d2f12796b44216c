#include "cli/workspace_context.h"

#include <cstdlib>
#include <ostream>

namespace weft::cli {

std::optional<OpenWorkspace> OpenWorkspaceOrReport(CommandContext& ctx) {
  if (!ctx.server.empty()) {
    ctx.err << "weft: this command works on a local workspace's files; it has no --server mode\n";
    ctx.exit_code = kExitUsage;
    return std::nullopt;
  }
  auto ws = control::FindWorkspace(ctx.workspace);
  if (!ws.ok()) {
    ctx.err << "weft: " << ws.status().message() << "\n";
    ctx.exit_code = kExitUsage;
    return std::nullopt;
  }
  auto store = catalog::OpenStore(ws->CatalogLocation());
  if (!store.ok()) {
    ctx.err << "weft: " << store.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return std::nullopt;
  }
  return OpenWorkspace{std::move(*ws), std::move(*store)};
}

std::string Actor(const CommandContext& ctx) {
  if (!ctx.as.empty()) return ctx.as;
  for (const char* var : {"WEFT_USER", "USER"})
    if (const char* v = std::getenv(var); v && *v) return v;
  return "unknown";
}

}  // namespace weft::cli
