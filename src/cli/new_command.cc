// `weft new domain NAME` and `weft new product DOMAIN/NAME`: write starter
// descriptors (spec/scaffold.h) into a mesh tree, never over existing files.
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/file_writer.h"
#include "common/strings.h"
#include "spec/loader.h"
#include "spec/scaffold.h"

namespace weft::cli {

namespace {

namespace fs = std::filesystem;

struct NewArgs {
  std::string name;
  std::string dir = ".";
  std::string kind = "batch";
  std::vector<std::string> inputs;
};

// Writes all files or none, then says what to do next.
void WriteScaffold(const std::vector<spec::ScaffoldFile>& files, const std::string& dir, CommandContext& ctx) {
  std::vector<std::string> written = WriteAllOrNothing(files, dir, "new", ctx);
  if (written.empty()) return;
  ctx.out << "\nNext: edit the values marked TODO(owner) in " << Join(written, ", ") << ", then run `weft lint "
          << dir << "`.\n";
}

// The version of `id`'s output port when the product is already in the tree.
std::string InputVersionFromTree(const fs::path& root, const spec::ProductRef& ref) {
  fs::path file = root / "domains" / ref.domain / "products" / ref.name / "product.odps.yaml";
  std::error_code ec;
  if (!fs::exists(file, ec)) return "";
  spec::LoadedFile loaded = spec::LoadFile(file);
  for (const auto& doc : loaded.documents) {
    const spec::DataProduct* p = doc.product();
    if (!p) continue;
    for (const auto& port : p->output_ports)
      if ((port.contract_id == ref.id() || port.name == ref.name) && !port.version.empty()) return port.version;
    if (!p->version.empty()) return p->version;
  }
  return "";
}

void RunNewDomain(const NewArgs& args, CommandContext& ctx) {
  auto files = spec::ScaffoldDomain(args.name);
  if (!files.ok()) {
    ctx.err << "weft new domain: " << files.status().message() << "\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  WriteScaffold(*files, args.dir, ctx);
  if (ctx.exit_code == kExitOk) {
    ctx.out << "Add products with `weft new product " << args.name << "/NAME --dir " << args.dir << "`.\n";
  }
}

void RunNewProduct(const NewArgs& args, CommandContext& ctx) {
  auto ref = spec::ParseProductRef(args.name);
  auto kind = spec::ParseProductTemplate(args.kind);
  if (!ref.ok() || !kind.ok()) {
    ctx.err << "weft new product: " << (!ref.ok() ? ref.status() : kind.status()).message() << "\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  const fs::path root(args.dir);
  std::vector<std::string> inputs;
  for (const auto& in : args.inputs) {
    if (in.find('@') != std::string::npos) {
      inputs.push_back(in);
      continue;
    }
    auto in_ref = spec::ParseProductRef(in);
    if (!in_ref.ok()) {  // ScaffoldProduct reports it with the right wording
      inputs.push_back(in);
      continue;
    }
    std::string version = InputVersionFromTree(root, *in_ref);
    if (version.empty()) {
      ctx.err << "weft new product: note: input " << in_ref->id() << " is not under " << args.dir
              << "; assuming version 1.0.0 (write " << in_ref->id() << "@X.Y.Z to choose)\n";
      version = "1.0.0";
    }
    inputs.push_back(in_ref->id() + "@" + version);
  }
  auto files = spec::ScaffoldProduct({.domain = ref->domain, .name = ref->name, .kind = *kind, .inputs = inputs});
  if (!files.ok()) {
    ctx.err << "weft new product: " << files.status().message() << "\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  std::error_code ec;
  if (!fs::exists(root / "domains" / ref->domain / "domain.yaml", ec)) {
    ctx.err << "weft new product: note: domain '" << ref->domain << "' has no domain.yaml under " << args.dir
            << " yet; create it with `weft new domain " << ref->domain << " --dir " << args.dir << "`\n";
  }
  WriteScaffold(*files, args.dir, ctx);
}

}  // namespace

void AddNewCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand("new", "Scaffold a domain or a data product from a template");
  cmd->require_subcommand(1);

  auto domain_args = std::make_shared<NewArgs>();
  CLI::App* domain = cmd->add_subcommand("domain", "Create DIR/domains/NAME/domain.yaml");
  domain->add_option("name", domain_args->name, "Domain name (lowercase snake_case)")->required();
  domain->add_option("--dir", domain_args->dir, "Mesh root directory")->default_val(".");
  domain->callback([domain_args, &ctx] { RunNewDomain(*domain_args, ctx); });

  auto product_args = std::make_shared<NewArgs>();
  CLI::App* product = cmd->add_subcommand(
      "product", "Create DIR/domains/DOMAIN/products/NAME/ with product.odps.yaml, NAME.odcs.yaml "
                 "(and transform.sql for --template derived)");
  product->add_option("ref", product_args->name, "DOMAIN/NAME (lowercase snake_case)")->required();
  product->add_option("--template", product_args->kind, "batch, derived or streaming")->default_val("batch");
  product->add_option("--input", product_args->inputs,
                      "Upstream product DOMAIN.PRODUCT[@VERSION] of a derived product (repeatable)");
  product->add_option("--dir", product_args->dir, "Mesh root directory")->default_val(".");
  product->callback([product_args, &ctx] { RunNewProduct(*product_args, ctx); });
}

}  // namespace weft::cli
