// `weft export DOMAIN.PRODUCT --format odcs|odps|sql-ddl|jsonschema|dbt
// [--dialect duckdb|postgres] [--version X.Y.Z]`: the applied contract (or
// product descriptor) from the catalog, in another format, on stdout
// (interop/export.h). Works on the local workspace.
#include <memory>
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "interop/export.h"
#include "service/catalog.h"
#include "spec/loader.h"

namespace weft::cli {

void AddExportCommand(CLI::App& app, CommandContext& ctx) {
  struct Args {
    std::string product;
    std::string format;
    std::string dialect = "duckdb";
    std::string version;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", "Print an applied product's contract as odcs, odps, sql-ddl, jsonschema or dbt");
  cmd->add_option("product", a->product, "DOMAIN.PRODUCT")->required();
  cmd->add_option("--format", a->format, "odcs, odps, sql-ddl, jsonschema or dbt")->required();
  cmd->add_option("--dialect", a->dialect, "SQL dialect of sql-ddl: duckdb or postgres")->default_val("duckdb");
  cmd->add_option("--version", a->version, "Contract version (default: the newest applied)");
  cmd->callback([&ctx, a] {
    auto format = interop::ParseExportFormat(a->format);
    auto dialect = interop::ParseSqlDialect(a->dialect);
    if (!format.ok() || !dialect.ok()) {
      ctx.err << "weft export: " << (!format.ok() ? format.status() : dialect.status()).message() << "\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    auto mesh = OpenLocalMesh(ctx, "export");
    if (!Report(ctx, "export", mesh.status())) return;
    auto specs = service::CatalogService(**mesh).Specs(LocalCaller(**mesh, ctx), a->product, a->version);
    if (!Report(ctx, "export", specs.status())) return;
    spec::LoadedFile product = spec::LoadText(specs->product_json, "catalog:product:" + a->product);
    spec::LoadedFile contract = spec::LoadText(specs->contract_json, "catalog:contract:" + a->product);
    if (product.documents.empty() || contract.documents.empty()) {
      Report(ctx, "export", Status::Internal("the catalog's specs of " + a->product + " do not load"));
      return;
    }
    auto text = interop::Export(*format, product.documents[0], contract.documents[0], *dialect);
    if (!Report(ctx, "export", text.status())) return;
    ctx.out << *text;
  });
}

}  // namespace weft::cli
