// weft history [DOMAIN.PRODUCT] [--limit N] [--snapshot ID | --publish ID | --rules] [-o table|json]:
// without a product, every product's last good publish and latest attempt;
// with one, its publish attempts newest first and its last good publish, the
// quality results per rule of one publish, or (--rules) each rule's result
// across the recent publishes — the data of a quality history chart.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct HistoryArgs {
  std::string product;
  int limit = 20;
  std::string snapshot;
  std::string publish;
  bool rules = false;
  std::string format = "table";
};

template <typename T>
bool Check(CommandContext& ctx, const Result<T>& r) {
  if (r.ok()) return true;
  ctx.err << "weft history: " << r.status().message() << "\n";
  ctx.exit_code = kExitFindings;
  return false;
}

// "weft history: no product 'sales.ordrs' in the catalog; did you mean 'sales.orders'?"
void NotFound(CommandContext& ctx, const std::string& what, const std::string& name, const std::string& where,
              const std::vector<std::string>& candidates) {
  const std::string hint = ClosestMatch(name, candidates);
  ctx.err << "weft history: no " << what << " '" << name << "' " << where
          << (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") << "\n";
  ctx.exit_code = kExitFindings;
}

// When a publish ended: the time its snapshot (if any) was committed.
std::string EndTime(const catalog::PublishRecord& p) { return p.finished_at.empty() ? p.started_at : p.finished_at; }

json PublishJson(const catalog::PublishRecord& p) {
  return {{"id", p.id},
          {"major", p.major},
          {"actor", p.actor},
          {"startedAt", p.started_at},
          {"finishedAt", p.finished_at},
          {"outcome", p.outcome},
          {"mode", p.mode},
          {"snapshot", p.snapshot_id},
          {"rowsIn", p.rows_in},
          {"rowsValid", p.rows_valid},
          {"rowsQuarantined", p.rows_quarantined},
          {"inputChecksum", p.input_checksum},
          {"inputArchive", p.input_archive},
          {"quarantinePath", p.quarantine_path},
          {"message", p.message}};
}

void ShowPublishes(CommandContext& ctx, catalog::Store& store, const HistoryArgs& args) {
  auto publishes = store.ListPublishes(args.product, args.limit);
  if (!Check(ctx, publishes)) return;
  const auto good = [](const catalog::PublishRecord& p) { return p.outcome == "published"; };
  std::optional<catalog::PublishRecord> last_good;
  if (auto it = std::find_if(publishes->begin(), publishes->end(), good); it != publishes->end()) {
    last_good = *it;
  } else if (args.limit > 0 && static_cast<int>(publishes->size()) == args.limit) {
    // Older than the shown window: look through all of them.
    auto all = store.ListPublishes(args.product, 0);
    if (!Check(ctx, all)) return;
    if (auto older = std::find_if(all->begin(), all->end(), good); older != all->end()) last_good = *older;
  }
  if (args.format == "json") {
    json list = json::array();
    for (const auto& p : *publishes) list.push_back(PublishJson(p));
    ctx.out << json({{"product", args.product},
                     {"publishes", list},
                     {"lastGoodPublish", last_good ? json(EndTime(*last_good)) : json()},
                     {"lastGoodSnapshot", last_good ? json(last_good->snapshot_id) : json()}})
                   .dump(2)
            << "\n";
    return;
  }
  if (publishes->empty()) {
    ctx.out << "No publish attempts of " << args.product << ".\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : *publishes) {
      rows.push_back({p.started_at, p.outcome, p.mode, std::to_string(p.rows_in), std::to_string(p.rows_valid),
                      std::to_string(p.rows_quarantined), p.snapshot_id.empty() ? "-" : p.snapshot_id, p.id,
                      p.message});
    }
    PrintTable(ctx.out, {"TIME", "OUTCOME", "MODE", "ROWS IN", "VALID", "QUARANTINED", "SNAPSHOT", "PUBLISH", "MESSAGE"},
               rows);
  }
  if (last_good) {
    ctx.out << "last good publish: " << EndTime(*last_good) << " (snapshot " << last_good->snapshot_id << ")\n";
  } else {
    ctx.out << "never published\n";
  }
}

void ShowQuality(CommandContext& ctx, catalog::Store& store, const HistoryArgs& args) {
  auto publishes = store.ListPublishes(args.product, 0);
  if (!Check(ctx, publishes)) return;
  std::string publish_id = args.publish;
  if (!args.snapshot.empty()) {
    auto snapshots = store.ListSnapshots(args.product);
    if (!Check(ctx, snapshots)) return;
    std::vector<std::string> ids;
    for (const auto& s : *snapshots) {
      ids.push_back(s.id);
      if (s.id == args.snapshot) publish_id = s.publish_id;
    }
    // A snapshot gc expired keeps its publish record: look there too.
    for (const auto& p : *publishes)
      if (publish_id.empty() && p.snapshot_id == args.snapshot) publish_id = p.id;
    if (publish_id.empty()) return NotFound(ctx, "snapshot", args.snapshot, "of " + args.product, ids);
  }
  auto it = std::find_if(publishes->begin(), publishes->end(),
                         [&](const catalog::PublishRecord& p) { return p.id == publish_id; });
  if (it == publishes->end()) {
    std::vector<std::string> ids;
    for (const auto& p : *publishes) ids.push_back(p.id);
    return NotFound(ctx, "publish", publish_id, "of " + args.product, ids);
  }
  auto results = store.ListQualityResults(publish_id);
  if (!Check(ctx, results)) return;
  if (args.format == "json") {
    json list = json::array();
    for (const auto& r : *results) {
      list.push_back({{"rule", r.rule_id}, {"kind", r.kind}, {"object", r.object}, {"column", r.column},
                      {"severity", r.severity}, {"dimension", r.dimension}, {"failingRows", r.failing_rows},
                      {"checkedRows", r.checked_rows}, {"value", r.value}, {"threshold", r.threshold},
                      {"passed", r.passed}, {"rowLevel", r.row_level}});
    }
    ctx.out << json({{"product", args.product}, {"publish", PublishJson(*it)}, {"results", list}}).dump(2) << "\n";
    return;
  }
  ctx.out << "publish " << it->id << "  " << it->outcome << "  " << it->started_at
          << (it->snapshot_id.empty() ? "" : "  snapshot " + it->snapshot_id) << "\n";
  if (results->empty()) {
    ctx.out << "No quality results recorded.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : *results) {
    const std::string where = r.column.empty() ? r.object : r.object + "." + r.column;
    rows.push_back({r.rule_id, r.kind, where, r.severity, r.passed ? "pass" : "FAIL",
                    fmt::format("{}/{}", r.failing_rows, r.checked_rows), fmt::format("{}", r.value), r.threshold,
                    r.row_level && !r.passed ? "quarantined" : ""});
  }
  PrintTable(ctx.out, {"RULE", "KIND", "WHERE", "SEVERITY", "RESULT", "FAILING/CHECKED", "VALUE", "THRESHOLD", "ROWS"},
             rows);
}

// Rules down, publishes (oldest to newest) across: each cell the rule's
// failing rows in that publish, or "ok".
void ShowRules(CommandContext& ctx, catalog::Store& store, const HistoryArgs& args) {
  auto publishes = store.ListPublishes(args.product, args.limit);
  if (!Check(ctx, publishes)) return;
  std::reverse(publishes->begin(), publishes->end());
  struct Row {
    std::string rule, kind, column, severity;
    std::map<std::string, catalog::QualityResultRecord> by_publish;
  };
  std::vector<Row> rows;  // in the order rules first appear
  for (const auto& p : *publishes) {
    auto results = store.ListQualityResults(p.id);
    if (!Check(ctx, results)) return;
    for (const auto& r : *results) {
      auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& x) { return x.rule == r.rule_id && x.column == r.column; });
      if (it == rows.end()) it = rows.insert(rows.end(), Row{r.rule_id, r.kind, r.column, r.severity, {}});
      it->by_publish[p.id] = r;
    }
  }
  if (args.format == "json") {
    json pubs = json::array();
    for (const auto& p : *publishes)
      pubs.push_back({{"id", p.id}, {"startedAt", p.started_at}, {"outcome", p.outcome}, {"snapshot", p.snapshot_id}});
    json rules = json::array();
    for (const auto& row : rows) {
      json cells = json::array();
      for (const auto& p : *publishes) {
        auto it = row.by_publish.find(p.id);
        if (it == row.by_publish.end()) {
          cells.push_back(nullptr);
          continue;
        }
        cells.push_back({{"publish", p.id}, {"failingRows", it->second.failing_rows},
                         {"checkedRows", it->second.checked_rows}, {"value", it->second.value},
                         {"passed", it->second.passed}});
      }
      rules.push_back({{"rule", row.rule}, {"kind", row.kind}, {"column", row.column}, {"severity", row.severity},
                       {"results", cells}});
    }
    ctx.out << json({{"product", args.product}, {"publishes", pubs}, {"rules", rules}}).dump(2) << "\n";
    return;
  }
  if (publishes->empty()) {
    ctx.out << "No publish attempts of " << args.product << ".\n";
    return;
  }
  std::vector<std::string> header = {"RULE", "COLUMN", "SEVERITY"};
  for (size_t i = 0; i < publishes->size(); ++i) header.push_back("#" + std::to_string(i + 1));
  std::vector<std::vector<std::string>> table;
  for (const auto& row : rows) {
    std::vector<std::string> line = {row.rule, row.column.empty() ? "-" : row.column, row.severity};
    for (const auto& p : *publishes) {
      auto it = row.by_publish.find(p.id);
      line.push_back(it == row.by_publish.end() ? "" : it->second.passed ? "ok" : std::to_string(it->second.failing_rows));
    }
    table.push_back(std::move(line));
  }
  PrintTable(ctx.out, header, table);
  ctx.out << "\nCells: failing rows of a rule that did not pass, \"ok\" when it passed. Columns, oldest first:\n";
  for (size_t i = 0; i < publishes->size(); ++i) {
    const auto& p = (*publishes)[i];
    ctx.out << "  #" << i + 1 << "  " << p.started_at << "  " << p.outcome << "  " << p.mode
            << (p.snapshot_id.empty() ? "" : "  snapshot " + p.snapshot_id) << "\n";
  }
}

// One line per product: when it last published successfully, and how its
// latest attempt went.
void ShowOverview(CommandContext& ctx, catalog::Store& store, const std::vector<std::string>& ids,
                  const HistoryArgs& args) {
  json list = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& id : ids) {
    auto publishes = store.ListPublishes(id, 0);
    if (!Check(ctx, publishes)) return;
    auto good = std::find_if(publishes->begin(), publishes->end(),
                             [](const catalog::PublishRecord& p) { return p.outcome == "published"; });
    const catalog::PublishRecord* latest = publishes->empty() ? nullptr : &publishes->front();
    int64_t failed_rules = 0;
    if (latest) {
      auto results = store.ListQualityResults(latest->id);
      if (!Check(ctx, results)) return;
      for (const auto& r : *results) failed_rules += r.passed ? 0 : 1;
    }
    list.push_back({{"product", id},
                    {"lastGoodPublish", good != publishes->end() ? json(EndTime(*good)) : json()},
                    {"lastGoodSnapshot", good != publishes->end() ? json(good->snapshot_id) : json()},
                    {"latestOutcome", latest ? json(latest->outcome) : json()},
                    {"latestRowsIn", latest ? latest->rows_in : 0},
                    {"latestRowsQuarantined", latest ? latest->rows_quarantined : 0},
                    {"latestRulesFailed", failed_rules}});
    rows.push_back({id, good != publishes->end() ? EndTime(*good) : "never", latest ? latest->outcome : "-",
                    latest ? std::to_string(latest->rows_in) : "-", latest ? std::to_string(latest->rows_valid) : "-",
                    latest ? std::to_string(latest->rows_quarantined) : "-", latest ? std::to_string(failed_rules) : "-"});
  }
  if (args.format == "json") {
    ctx.out << json({{"products", list}}).dump(2) << "\n";
    return;
  }
  PrintTable(ctx.out, {"PRODUCT", "LAST GOOD PUBLISH", "LATEST", "ROWS IN", "VALID", "QUARANTINED", "RULES FAILED"}, rows);
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
    auto opened = OpenWorkspaceOrReport(ctx);
    if (!opened) return;
    auto products = opened->store->ListProducts();
    if (!Check(ctx, products)) return;
    std::vector<std::string> ids;
    for (const auto& p : *products) ids.push_back(p.id);
    if (args->product.empty()) {
      if (!args->snapshot.empty() || !args->publish.empty() || args->rules) {
        ctx.err << "weft history: --snapshot, --publish and --rules need a product\n";
        ctx.exit_code = kExitUsage;
        return;
      }
      return ShowOverview(ctx, *opened->store, ids, *args);
    }
    if (std::find(ids.begin(), ids.end(), args->product) == ids.end()) {
      return NotFound(ctx, "product", args->product, "in the catalog", ids);
    }
    if (args->rules) ShowRules(ctx, *opened->store, *args);
    else if (args->snapshot.empty() && args->publish.empty()) ShowPublishes(ctx, *opened->store, *args);
    else ShowQuality(ctx, *opened->store, *args);
  });
}

}  // namespace weft::cli
