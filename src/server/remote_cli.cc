#include "server/remote_cli.h"

#include <set>

#include "common/strings.h"

namespace weft::server {

const std::map<std::string, CliCommand>& CliCommands() {
  static const std::map<std::string, CliCommand> k = {
      {"get", {Role::kConsumer, false, -1, -1, false}},
      {"describe", {Role::kConsumer, false, -1, -1, false}},
      {"search", {Role::kConsumer, false, -1, -1, false}},
      {"history", {Role::kConsumer, false, -1, -1, false}},
      {"lineage", {Role::kConsumer, false, -1, -1, true}},
      {"impact", {Role::kConsumer, false, -1, 0, true}},
      {"cost", {Role::kConsumer, false, -1, -1, false}},
      {"query", {Role::kConsumer, false, -1, -1, false}},
      {"access", {Role::kConsumer, true, -1, -1, false}},
      {"principal", {Role::kConsumer, true, -1, -1, false}},  // add/set check for admins themselves
      {"token", {Role::kConsumer, true, -1, -1, false}},      // only admins make tokens for others
      {"usage", {Role::kOwner, false, 0, -1, false}},
      {"quarantine", {Role::kOwner, false, 1, -1, false}},  // quarantine show D.P
      {"publish", {Role::kOwner, true, 0, 1, false}},
      {"run", {Role::kOwner, true, 0, -1, false}},
      {"plan", {Role::kOwner, false, -1, -1, true}},
      {"apply", {Role::kOwner, true, -1, -1, true}},
      {"waiver", {Role::kSteward, true, -1, -1, false}},
      {"audit", {Role::kSteward, false, -1, -1, false}},
  };
  return k;
}

namespace {

// Options of the allowed commands that take no value; every other option
// takes one, so positionals can be told apart.
bool IsFlag(const std::string& name) {
  static const std::set<std::string> kFlags = {"--rules", "--upstream", "--downstream", "--columns", "--prune", "--mine",
                                               "--pending", "--clear-groups", "--clear-attrs", "--help", "-h"};
  return kFlags.count(name) > 0;
}

}  // namespace

Result<CliArgs> WalkCliArgs(const std::vector<std::string>& args) {
  if (args.empty()) return Status::InvalidArgument("no command");
  auto command = CliCommands().find(args[0]);
  if (command == CliCommands().end()) {
    std::vector<std::string> names;
    for (const auto& [name, c] : CliCommands()) names.push_back(name);
    return Status::InvalidArgument("weft " + args[0] + " cannot run through a server (these can: " + Join(names, ", ") + ")");
  }
  const CliCommand& spec = command->second;
  CliArgs out;
  bool after_dashes = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!after_dashes && a == "--") {
      after_dashes = true;
      continue;
    }
    if (!after_dashes && StartsWith(a, "-") && a.size() > 1) {
      std::string name = a.substr(0, a.find('='));
      bool inline_value = a.find('=') != std::string::npos;
      if (name == "--out" || name == "--workspace" || name == "--as" || name == "--server")
        return Status::InvalidArgument(name + " cannot be used through a server");
      if (name.size() > 2 && name[1] != '-')
        return Status::InvalidArgument("write '" + a.substr(0, 2) + " VALUE' as two arguments through a server");
      if (name == "-f" || name == "--file") {
        if (!spec.tree_option)
          return Status::InvalidArgument("weft " + args[0] + " " + name + " reads a file; through a server give its text instead");
        if (!inline_value && i + 1 >= args.size()) return Status::InvalidArgument(name + " needs a value");
        out.tree = inline_value ? i : i + 1;
        out.files.push_back(out.tree);
        i = out.tree;
        continue;
      }
      if (!inline_value && !IsFlag(name)) ++i;  // the option's value
      continue;
    }
    int index = static_cast<int>(out.positionals.size());
    if (spec.first_file_positional >= 0 && index >= spec.first_file_positional) out.files.push_back(i);
    out.positionals.push_back(a);
  }
  return out;
}

}  // namespace weft::server
