#include "cli/commands.h"
namespace weft::cli {
void AddDemoCommand(CLI::App&, CommandContext&) {}
}
