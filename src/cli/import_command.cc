// `weft import FORMAT FILE... [--domain D] [--out DIR]`: contracts in the
// simple format, dbt schema.yml, SQL DDL or JSON Schema, written as weft's
// layout under DIR (interop/import.h). Everything is read and checked before
// the first file is written; nothing is overwritten.
#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/file_writer.h"
#include "common/files.h"
#include "common/strings.h"
#include "interop/import.h"

namespace weft::cli {

void AddImportCommand(CLI::App& app, CommandContext& ctx) {
  struct Args {
    std::string format;
    std::vector<std::string> files;
    std::string domain;
    std::string support;
    std::string out = ".";
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("import", "Convert contracts from simple, dbt, sql or jsonschema into ODCS contracts "
                                           "and ODPS products under DIR/domains/");
  cmd->add_option("format", a->format, "simple, dbt, sql or jsonschema")->required();
  cmd->add_option("files", a->files, "Input files")->required();
  cmd->add_option("--domain", a->domain, "Domain of the products (a simple file may name its own)");
  cmd->add_option("--support", a->support, "Where consumers ask questions (mailto:..., a Slack or web URL)");
  cmd->add_option("--out", a->out, "Mesh root directory to write into")->default_val(".");
  cmd->callback([&ctx, a] {
    auto format = interop::ParseImportFormat(a->format);
    if (!format.ok()) {
      ctx.err << "weft import: " << format.status().message() << "\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    std::vector<interop::ImportInput> inputs;
    for (const auto& f : a->files) {
      auto text = ReadFileToString(f);
      if (!text.ok()) {
        ctx.err << "weft import: cannot read " << f << ": " << text.status().message() << "\n";
        ctx.exit_code = kExitUsage;
        return;
      }
      inputs.push_back({.file = f, .text = std::move(*text)});
    }
    auto files = interop::Import(*format, inputs, {.domain = a->domain, .support_url = a->support});
    if (!files.ok()) {
      ctx.err << "weft import: " << files.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    if (WriteAllOrNothing(*files, a->out, "import", ctx).empty()) return;
    ctx.out << "\nNext: run `weft lint " << a->out << "`, then `weft plan` and `weft apply`.\n";
  });
}

}  // namespace weft::cli
