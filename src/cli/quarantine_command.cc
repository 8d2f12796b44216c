// `weft quarantine show DOMAIN.PRODUCT [--publish ID] [--limit N]
// [-o table|json|csv]`: the rows a publish quarantined, with their input row
// numbers, the rules they failed and why, read from the quarantine Parquet
// file through DuckDB (format in docs/quality.md).
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "service/publish.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct ShowArgs {
  std::string product;
  std::string publish;
  int limit = 100;
  std::string output = "table";
};

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void Show(const ShowArgs& args, CommandContext& ctx) {
  Answer a = Call(ctx, {.path = "/api/v1/products/" + args.product + "/quarantine",
                        .query = {{"publish", args.publish}, {"limit", std::to_string(args.limit)}}},
                  [&](service::Mesh& m, const service::Caller& c) {
                    return Of(service::PublishService(m).Quarantine(c, args.product, args.publish, args.limit));
                  });
  if (!Report(ctx, "quarantine show", a.status)) return;
  const json& v = a.body;
  if (v["publishId"].is_null()) {
    ctx.err << "weft quarantine show: no publish of '" << args.product << "' quarantined any row\n";
    return;
  }
  if (Text(v["file"]).empty()) {
    ctx.out << "publish " << Text(v["publishId"]) << " quarantined no rows\n";
    return;
  }
  const std::vector<std::string> headers = Texts(v["columns"]);
  if (args.output == "json") {
    ctx.out << v.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& row : v["rows"]) {
    std::vector<std::string> cells;
    for (const auto& h : headers) cells.push_back(row[h].is_null() && args.output == "table" ? "NULL" : Text(row[h]));
    table.push_back(std::move(cells));
  }
  if (args.output == "csv") {
    std::vector<std::string> h;
    for (const auto& x : headers) h.push_back(CsvField(x));
    ctx.out << Join(h, ",") << "\n";
    for (const auto& r : table) {
      std::vector<std::string> cells;
      for (const auto& x : r) cells.push_back(CsvField(x));
      ctx.out << Join(cells, ",") << "\n";
    }
    return;
  }
  ctx.out << "publish " << Text(v["publishId"]) << ": " << Text(v["rowsQuarantined"]) << " rows quarantined (" << Text(v["file"]) << ")\n";
  PrintTable(ctx.out, headers, table);
}

}  // namespace

void AddQuarantineCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand("quarantine", "Inspect rows that publishes quarantined");
  cmd->require_subcommand(1);
  auto args = std::make_shared<ShowArgs>();
  CLI::App* show = cmd->add_subcommand("show", "Show the quarantined rows of a product's publish (the latest by default)");
  show->add_option("product", args->product, "DOMAIN.PRODUCT")->required();
  show->add_option("--publish", args->publish, "A publish id (default: the latest publish that quarantined rows)");
  show->add_option("--limit", args->limit, "At most this many rows")->check(CLI::PositiveNumber);
  show->add_option("-o,--output", args->output, "Output format")->check(CLI::IsMember({"table", "json", "csv"}));
  show->callback([args, &ctx] { Show(*args, ctx); });
}

}  // namespace weft::cli
