#include "cli/commands.h"
namespace weft::cli {
void AddLintCommand(CLI::App&, CommandContext&) {}
}
