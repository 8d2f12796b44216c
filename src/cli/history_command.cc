// weft history [DOMAIN.PRODUCT] [--limit N] [--snapshot ID | --publish ID | --rules] [-o table|json]:
// without a product, every product's last good publish and latest attempt;
// with one, its publish attempts newest first and its last good publish, the
// quality results per rule of one publish, or (--rules) each rule's result
// across the recent publishes — the data of a quality history chart
// (service/catalog.h).
#include <fmt/format.h>

#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "service/catalog.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::CatalogService;
using service::Caller;
using service::Mesh;

struct HistoryArgs {
  std::string product;
  int limit = 20;
  std::string snapshot;
  std::string publish;
  bool rules = false;
  std::string format = "table";
};

void PrintPublishes(std::ostream& out, const json& h) {
  if (h["publishes"].empty()) {
    out << "No publish attempts of " << Text(h["product"]) << ".\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : h["publishes"])
      rows.push_back({Text(p["startedAt"]), Text(p["outcome"]), Text(p["mode"]), Text(p["rowsIn"]), Text(p["rowsValid"]),
                      Text(p["rowsQuarantined"]), Dash(p["snapshot"]), Text(p["id"]), Text(p["message"])});
    PrintTable(out, {"TIME", "OUTCOME", "MODE", "ROWS IN", "VALID", "QUARANTINED", "SNAPSHOT", "PUBLISH", "MESSAGE"}, rows);
  }
  if (h["lastGoodPublish"].is_string())
    out << "last good publish: " << Text(h["lastGoodPublish"]) << " (snapshot " << Text(h["lastGoodSnapshot"]) << ")\n";
  else
    out << "never published\n";
}

void PrintQuality(std::ostream& out, const json& q) {
  const json& p = q["publish"];
  out << "publish " << Text(p["id"]) << "  " << Text(p["outcome"]) << "  " << Text(p["startedAt"])
      << (Text(p["snapshot"]).empty() ? "" : "  snapshot " + Text(p["snapshot"])) << "\n";
  if (q["results"].empty()) {
    out << "No quality results recorded.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : q["results"]) {
    const std::string where = Text(r["column"]).empty() ? Text(r["object"]) : Text(r["object"]) + "." + Text(r["column"]);
    const bool passed = r["passed"].get<bool>();
    rows.push_back({Text(r["rule"]), Text(r["kind"]), where, Text(r["severity"]), passed ? "pass" : "FAIL",
                    Text(r["failingRows"]) + "/" + Text(r["checkedRows"]), fmt::format("{}", r["value"].get<double>()),
                    Text(r["threshold"]), r["rowLevel"].get<bool>() && !passed ? "quarantined" : ""});
  }
  PrintTable(out, {"RULE", "KIND", "WHERE", "SEVERITY", "RESULT", "FAILING/CHECKED", "VALUE", "THRESHOLD", "ROWS"}, rows);
}

// Rules down, publishes (oldest to newest) across: each cell the rule's
// failing rows in that publish, or "ok".
void PrintRules(std::ostream& out, const json& h) {
  const json& publishes = h["publishes"];
  if (publishes.empty()) {
    out << "No publish attempts of " << Text(h["product"]) << ".\n";
    return;
  }
  std::vector<std::string> header = {"RULE", "COLUMN", "SEVERITY"};
  for (size_t i = 0; i < publishes.size(); ++i) header.push_back("#" + std::to_string(i + 1));
  std::vector<std::vector<std::string>> table;
  for (const auto& row : h["rules"]) {
    std::vector<std::string> line = {Text(row["rule"]), Dash(row["column"]), Text(row["severity"])};
    for (const auto& c : row["results"])
      line.push_back(c.is_null() ? "" : c["passed"].get<bool>() ? "ok" : Text(c["failingRows"]));
    table.push_back(std::move(line));
  }
  PrintTable(out, header, table);
  out << "\nCells: failing rows of a rule that did not pass, \"ok\" when it passed. Columns, oldest first:\n";
  for (size_t i = 0; i < publishes.size(); ++i) {
    const auto& p = publishes[i];
    out << "  #" << i + 1 << "  " << Text(p["startedAt"]) << "  " << Text(p["outcome"]) << "  " << Text(p["mode"])
        << (Text(p["snapshot"]).empty() ? "" : "  snapshot " + Text(p["snapshot"])) << "\n";
  }
}

// One line per product: when it last published successfully, and how its
// latest attempt went.
void PrintOverview(std::ostream& out, const json& o) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : o["products"]) {
    const bool latest = !l["latestOutcome"].is_null();
    rows.push_back({Text(l["product"]), l["lastGoodPublish"].is_string() ? Text(l["lastGoodPublish"]) : "never",
                    latest ? Text(l["latestOutcome"]) : "-", latest ? Text(l["latestRowsIn"]) : "-",
                    latest ? Text(l["latestRowsValid"]) : "-", latest ? Text(l["latestRowsQuarantined"]) : "-",
                    latest ? Text(l["latestRulesFailed"]) : "-"});
  }
  PrintTable(out, {"PRODUCT", "LAST GOOD PUBLISH", "LATEST", "ROWS IN", "VALID", "QUARANTINED", "RULES FAILED"}, rows);
}

}  // namespace

void AddHistoryCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("history", "A product's publish attempts and the quality results of each");
  auto args = std::make_shared<HistoryArgs>();
  cmd->add_option("product", args->product, "DOMAIN.PRODUCT (default: an overview of every product)");
  cmd->add_option("--limit", args->limit, "Most publish attempts to show")->check(CLI::Range(1, 100000));
  auto* snapshot = cmd->add_option("--snapshot", args->snapshot, "Show the quality results of the publish of this snapshot");
  auto* publish = cmd->add_option("--publish", args->publish, "Show the quality results of this publish");
  auto* rules = cmd->add_flag("--rules", args->rules, "Each rule's result across the recent publishes");
  snapshot->excludes(publish);
  rules->excludes(snapshot)->excludes(publish);
  cmd->add_option("-o,--output", args->format, "Output format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, args] {
    const HistoryArgs& a = *args;
    if (a.product.empty() && (!a.snapshot.empty() || !a.publish.empty() || a.rules)) {
      Report(ctx, "history", Status::InvalidArgument("--snapshot, --publish and --rules need a product"));
      return;
    }
    void (*print)(std::ostream&, const json&) = nullptr;
    Rest rest{.path = "/api/v1/history"};
    LocalCall local;
    const std::string limit = std::to_string(a.limit);
    if (a.product.empty()) {
      print = PrintOverview;
      local = [](Mesh& m, const Caller& c) { return Of(CatalogService(m).History(c)); };
    } else if (a.rules) {
      print = PrintRules;
      rest = {.path = "/api/v1/products/" + a.product + "/history", .query = {{"view", "rules"}, {"limit", limit}}};
      local = [&a](Mesh& m, const Caller& c) { return Of(CatalogService(m).Rules(c, a.product, a.limit)); };
    } else if (a.snapshot.empty() && a.publish.empty()) {
      print = PrintPublishes;
      rest = {.path = "/api/v1/products/" + a.product + "/history", .query = {{"view", "publishes"}, {"limit", limit}}};
      local = [&a](Mesh& m, const Caller& c) { return Of(CatalogService(m).Publishes(c, a.product, a.limit)); };
    } else {
      print = PrintQuality;
      rest = {.path = "/api/v1/products/" + a.product + "/history",
              .query = {{"view", "quality"}, {"publish", a.publish}, {"snapshot", a.snapshot}}};
      local = [&a](Mesh& m, const Caller& c) { return Of(CatalogService(m).Quality(c, a.product, a.publish, a.snapshot)); };
    }
    Answer answer = Call(ctx, rest, local);
    if (!Report(ctx, "history", answer.status)) return;
    if (a.format == "json") ctx.out << answer.body.dump(2) << "\n";
    else print(ctx.out, answer.body);
  });
}

}  // namespace weft::cli
