// Writing generated files into a mesh tree all or nothing: `weft new` and
// `weft import` check every target first (none may exist: nothing is
// overwritten) and remove what they wrote when a later write fails.
// Thread safety: single-threaded (one process, one command).
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "spec/scaffold.h"

namespace weft::cli {

// Writes `files` under `dir`, printing "created PATH" for each. On failure
// reports on ctx.err as "weft COMMAND: ...", sets the exit code and returns
// an empty list.
std::vector<std::string> WriteAllOrNothing(const std::vector<spec::ScaffoldFile>& files, const std::string& dir,
                                           const std::string& command, CommandContext& ctx);

}  // namespace weft::cli
