#include "cli/commands.h"
namespace weft::cli {
void AddDiffCommand(CLI::App&, CommandContext&) {}
}
