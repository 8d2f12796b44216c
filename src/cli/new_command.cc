#include "cli/commands.h"
namespace weft::cli {
void AddNewCommand(CLI::App&, CommandContext&) {}
}
