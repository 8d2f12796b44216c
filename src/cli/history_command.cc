// weft history DOMAIN.PRODUCT [--limit N] [--snapshot ID | --publish ID] [-o table|json]:
// a product's publish attempts newest first and its last good publish, or
// the quality results per rule of one publish.
#include <fmt/format.h>

#include <algorithm>
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

}  // namespace

void AddHistoryCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("history", "A product's publish attempts and the quality results of each");
  auto args = std::make_shared<HistoryArgs>();
  cmd->add_option("product", args->product, "DOMAIN.PRODUCT")->required();
  cmd->add_option("--limit", args->limit, "Most publish attempts to show")->check(CLI::Range(1, 100000));
  auto* snapshot = cmd->add_option("--snapshot", args->snapshot, "Show the quality results of the publish of this snapshot");
  auto* publish = cmd->add_option("--publish", args->publish, "Show the quality results of this publish");
  snapshot->excludes(publish);
  cmd->add_option("-o,--output", args->format, "Output format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, args] {
    auto opened = OpenWorkspaceOrReport(ctx);
    if (!opened) return;
    auto products = opened->store->ListProducts();
    if (!Check(ctx, products)) return;
    std::vector<std::string> ids;
    for (const auto& p : *products) ids.push_back(p.id);
    if (std::find(ids.begin(), ids.end(), args->product) == ids.end()) {
      return NotFound(ctx, "product", args->product, "in the catalog", ids);
    }
    if (args->snapshot.empty() && args->publish.empty()) ShowPublishes(ctx, *opened->store, *args);
    else ShowQuality(ctx, *opened->store, *args);
  });
}

}  // namespace weft::cli
