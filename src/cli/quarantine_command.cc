// `weft quarantine show DOMAIN.PRODUCT [--publish ID] [--limit N]
// [-o table|json|csv]`: the rows a publish quarantined, with their input row
// numbers, the rules they failed and why, read from the quarantine Parquet
// file through DuckDB (format in docs/quality.md).
#include <ostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"

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
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  auto publishes = open->store->ListPublishes(args.product, 0);
  if (!publishes.ok()) {
    ctx.err << "weft quarantine show: " << publishes.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  const catalog::PublishRecord* chosen = nullptr;
  for (const auto& p : *publishes) {
    if (args.publish.empty() ? !p.quarantine_path.empty() : p.id == args.publish) {
      chosen = &p;
      break;  // newest first
    }
  }
  if (!chosen) {
    ctx.err << "weft quarantine show: "
            << (args.publish.empty() ? "no publish of '" + args.product + "' quarantined any row"
                                     : "no publish '" + args.publish + "' of '" + args.product + "'")
            << "\n";
    ctx.exit_code = args.publish.empty() ? kExitOk : kExitUsage;
    return;
  }
  if (chosen->quarantine_path.empty()) {
    ctx.out << "publish " << chosen->id << " quarantined no rows\n";
    return;
  }
  auto db = engine::Database::Open({.threads = 1});
  auto conn = db.ok() ? engine::Connection::Open(*db) : Result<engine::Connection>(db.status());
  if (!conn.ok()) {
    ctx.err << "weft quarantine show: " << conn.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  auto result = conn->Query("SELECT __row AS \"row\", array_to_string(__rules, ', ') AS rules, "
                            "array_to_string(__reasons, '; ') AS reasons, * EXCLUDE (__row, __rules, __reasons) FROM read_parquet(" +
                            SqlQuote(chosen->quarantine_path) + ") ORDER BY __row LIMIT " + std::to_string(args.limit));
  if (!result.ok()) {
    ctx.err << "weft quarantine show: cannot read " << chosen->quarantine_path << ": " << result.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  std::vector<std::string> headers;
  for (size_t i = 0; i < result->column_count(); ++i) headers.push_back(result->column_name(i));
  auto rows = result->FetchAllAsStrings();
  if (!rows.ok()) {
    ctx.err << "weft quarantine show: " << rows.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  std::vector<std::vector<std::string>> table;
  json objects = json::array();
  for (const auto& row : *rows) {
    std::vector<std::string> cells;
    json object = json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      cells.push_back(row[i].value_or(args.output == "table" ? "NULL" : ""));
      object[headers[i]] = row[i] ? json(*row[i]) : json();
    }
    table.push_back(std::move(cells));
    objects.push_back(std::move(object));
  }
  if (args.output == "json") {
    ctx.out << json{{"product", args.product}, {"publishId", chosen->id}, {"file", chosen->quarantine_path},
                    {"rowsQuarantined", chosen->rows_quarantined}, {"rows", objects}}.dump(2) << "\n";
  } else if (args.output == "csv") {
    std::vector<std::string> h;
    for (const auto& x : headers) h.push_back(CsvField(x));
    ctx.out << Join(h, ",") << "\n";
    for (const auto& r : table) {
      std::vector<std::string> cells;
      for (const auto& x : r) cells.push_back(CsvField(x));
      ctx.out << Join(cells, ",") << "\n";
    }
  } else {
    ctx.out << "publish " << chosen->id << ": " << chosen->rows_quarantined << " rows quarantined (" << chosen->quarantine_path
            << ")\n";
    PrintTable(ctx.out, headers, table);
  }
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
