// The CLI over HTTP: which commands `weft --server URL ...` may run on a
// server, who may run them, and which of their arguments are files. Both
// ends read this table: the client uploads exactly those arguments (as
// "@upload:NAME"), the server refuses any other path, so a remote command
// can neither read nor write the server's files.
// Thread safety: immutable data and pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/routes.h"

namespace weft::server {

inline constexpr std::string_view kUploadPrefix = "@upload:";

struct CliCommand {
  Role role;
  bool writes;                // runs one at a time with the server's other writes
  int product_arg;            // the positional naming the product whose owners may run it (-1: none)
  int first_file_positional;  // positionals from this index on are files (-1: none)
  bool tree_option;           // -f/--file DIR is a spec tree
};

const std::map<std::string, CliCommand>& CliCommands();

struct CliArgs {
  std::vector<std::string> positionals;  // after the command word, options and their values left out
  std::vector<size_t> files;             // indexes into args of the file arguments
  size_t tree = 0;                       // index of the -f/--file argument; 0: none
};

// Classifies args (args[0] is the command). Refuses what can never run
// remotely: unknown commands, --out, --workspace, --as, --server, -f where
// the command reads no tree, and packed short options (-fPATH).
Result<CliArgs> WalkCliArgs(const std::vector<std::string>& args);

}  // namespace weft::server
