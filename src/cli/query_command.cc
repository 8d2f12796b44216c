// Reading products, and what reading them costs:
//   weft query SQL | -f FILE [--at SNAPSHOT|TIME] [-o table|csv|json|parquet] [--out FILE]
//     (csv and json are printed a chunk at a time as the gateway hands
//     them out; a table once every row is in, for its column widths)
//   weft usage DOMAIN.PRODUCT [--since DATE] [-o table|json]
//   weft cost [--domain D] [--month YYYY-MM] [-o table|json]
// The query runs through the governed gateway (query/gateway.h) as the
// acting principal (--as, $WEFT_USER, $USER).
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "access/access_control.h"
#include "access/principals.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/duckdb_sql_validator.h"
#include "query/gateway.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct QueryArgs {
  std::string sql;
  std::string file;
  std::string at;
  std::string output = "table";
  std::string out;
};

bool Fail(CommandContext& ctx, const std::string& command, const Status& s) {
  if (s.ok()) return false;
  ctx.err << "weft " << command << ": " << s.message() << "\n";
  ctx.exit_code = s.code() == StatusCode::kNotFound ? kExitUsage : kExitFindings;
  return true;
}

std::string CsvField(const std::optional<std::string>& v) {
  if (!v) return "";
  if (v->find_first_of(",\"\n\r") == std::string::npos) return *v;
  std::string q = "\"";
  for (char c : *v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// csv and json leave as the gateway hands out the rows: the header (or the
// JSON document's opening) with the first chunk, each row as it comes, the
// rest after the last. A table needs every row for its widths.
class StreamingPrinter {
 public:
  StreamingPrinter(std::ostream& out, std::string format) : out_(out), format_(std::move(format)) {}

  Status Rows(const std::vector<std::string>& columns, const Rows& rows) {
    if (!started_) Start(columns);
    for (const auto& row : rows) {
      if (format_ == "csv") {
        std::vector<std::string> cells;
        for (const auto& v : row) cells.push_back(CsvField(v));
        out_ << Join(cells, ",") << "\n";
      } else {
        json r = json::object();
        for (size_t i = 0; i < columns.size(); ++i) r[columns[i]] = row[i] ? json(*row[i]) : json();
        out_ << (first_row_ ? "\n    " : ",\n    ") << r.dump();
        first_row_ = false;
      }
    }
    if (!out_) return Status::IoError("cannot write the result");
    return Status::Ok();
  }

  void Finish(const query::QueryAnswer& a) {
    if (!started_) Start(a.columns);
    if (format_ == "json") out_ << (first_row_ ? "],\n" : "\n  ],\n") << "  \"warnings\": " << json(a.warnings).dump() << "\n}\n";
  }

 private:
  void Start(const std::vector<std::string>& columns) {
    started_ = true;
    if (format_ == "csv") out_ << Join(columns, ",") << "\n";
    else out_ << "{\n  \"columns\": " << json(columns).dump() << ",\n  \"rows\": [";
  }

  std::ostream& out_;
  std::string format_;
  bool started_ = false;
  bool first_row_ = true;
};

void PrintTableAnswer(std::ostream& out, const query::QueryAnswer& a) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : a.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(v ? *v : "NULL");
    rows.push_back(std::move(cells));
  }
  PrintTable(out, a.columns, rows);
  out << "(" << a.rows.size() << " row" << (a.rows.size() == 1 ? "" : "s") << ")\n";
}

void RunQuery(CommandContext& ctx, const QueryArgs& args) {
  std::string sql = args.sql;
  if (!args.file.empty()) {
    auto text = ReadFileToString(args.file);
    if (!text.ok()) {
      ctx.err << "weft query: " << text.status().message() << "\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    sql = *text;
  }
  if (Trim(sql).empty() || (!args.sql.empty() && !args.file.empty())) {
    ctx.err << "weft query: give one SELECT, as an argument or with -f FILE\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  if (args.output == "parquet" && args.out.empty()) {
    ctx.err << "weft query: -o parquet needs --out FILE\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  auto principal = access::LoadPrincipal(*open->store, Actor(ctx));
  if (Fail(ctx, "query", principal.status())) return;
  auto secret = control::LoadOrCreateSecret(open->ws);
  if (Fail(ctx, "query", secret.status())) return;
  auto parser = engine::DuckDbSqlValidator::Create();
  if (Fail(ctx, "query", parser.status())) return;
  auto is_type = [&p = **parser](const std::string& t) { return p.IsType(t); };
  auto ac = access::AccessControl::Load(*open->store,
                                        {.masking = open->ws.settings.masking, .key = *secret, .is_duckdb_type = is_type});
  if (Fail(ctx, "query", ac.status())) return;
  // One query per process: no warm engines to keep.
  query::RuntimeOptions options = query::RuntimeOptions::For(open->ws.root, open->ws.settings, *secret);
  options.warm_engines = 0;
  query::QueryRuntime runtime(std::move(options));
  query::Gateway gateway(*open->store, *ac, **parser, {.rate_card = open->ws.settings.rate_card}, runtime);
  query::QueryRequest req{.sql = sql, .at = args.at};
  if (args.output == "parquet") req.parquet_out = args.out;
  std::ofstream file;
  if (!args.out.empty() && args.output != "parquet") {
    file.open(args.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      ctx.err << "weft query: cannot write " << args.out << "\n";
      ctx.exit_code = kExitUsage;
      return;
    }
  }
  std::ostream& out = args.out.empty() ? ctx.out : file;
  StreamingPrinter printer(out, args.output);
  if (args.output == "csv" || args.output == "json")
    req.on_rows = [&printer](const std::vector<std::string>& columns, const Rows& rows) { return printer.Rows(columns, rows); };
  auto answer = gateway.Run(*principal, req);
  if (Fail(ctx, "query", answer.status())) return;
  for (const auto& w : answer->warnings) ctx.err << "weft query: warning: " << w << "\n";
  if (args.output == "parquet") {
    ctx.out << "Wrote " << answer->usage.rows_returned << " rows to " << args.out << "\n";
    return;
  }
  if (args.output == "table") PrintTableAnswer(out, *answer);
  else printer.Finish(*answer);
  if (!args.out.empty()) ctx.out << "Wrote " << answer->usage.rows_returned << " rows to " << args.out << "\n";
}

std::string Money(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(6) << v;  // queries cost fractions of a cent
  return s.str();
}

void RunUsage(CommandContext& ctx, const std::string& product, const std::string& since, const std::string& output) {
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  auto usage = open->store->ListUsage({.product_id = product, .since = since});
  if (Fail(ctx, "usage", usage.status())) return;
  std::map<std::string, std::pair<int64_t, double>> readers;  // principal (domain) -> queries, cost
  std::map<std::string, int64_t> columns;
  std::map<std::string, int64_t> days;
  int64_t refused = 0;
  for (const auto& u : *usage) {
    if (u.status != "ok") {
      ++refused;
      continue;
    }
    auto& r = readers[u.principal + (u.consumer_domain.empty() ? "" : " (" + u.consumer_domain + ")")];
    r.first += 1;
    r.second += u.cost;
    for (const auto& c : u.columns)
      if (StartsWith(c, product + "_v")) columns[c.substr(c.find('.', product.size()) + 1)] += 1;
    days[u.at.substr(0, 10)] += 1;
  }
  if (output == "json") {
    json j = {{"product", product}, {"refused", refused}, {"readers", json::array()}, {"columns", columns}, {"days", days}};
    for (const auto& [who, qc] : readers) j["readers"].push_back({{"reader", who}, {"queries", qc.first}, {"cost", qc.second}});
    ctx.out << j.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [who, qc] : readers) rows.push_back({who, std::to_string(qc.first), Money(qc.second)});
  ctx.out << "Readers of " << product << ":\n";
  if (rows.empty()) ctx.out << "  (none)\n";
  else PrintTable(ctx.out, {"READER", "QUERIES", "COST"}, rows);
  std::vector<std::pair<std::string, int64_t>> top(columns.begin(), columns.end());
  std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  rows.clear();
  for (const auto& [c, n] : top) rows.push_back({c, std::to_string(n)});
  ctx.out << "\nColumns read (by queries):\n";
  if (rows.empty()) ctx.out << "  (none)\n";
  else PrintTable(ctx.out, {"COLUMN", "QUERIES"}, rows);
  rows.clear();
  for (const auto& [d, n] : days) rows.push_back({d, std::to_string(n)});
  ctx.out << "\nQueries per day:\n";
  if (rows.empty()) ctx.out << "  (none)\n";
  else PrintTable(ctx.out, {"DAY", "QUERIES"}, rows);
  if (refused) ctx.out << "\n" << refused << " refused attempt(s)\n";
}

void RunCost(CommandContext& ctx, const std::string& domain, std::string month, const std::string& output) {
  if (month.empty()) month = NowIso().substr(0, 7);
  auto digits = [&](size_t from, size_t n) {
    return std::all_of(month.begin() + static_cast<long>(from), month.begin() + static_cast<long>(from + n),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (month.size() != 7 || month[4] != '-' || !digits(0, 4) || !digits(5, 2) || month.substr(5) < "01" ||
      month.substr(5) > "12") {
    ctx.err << "weft cost: --month '" << month << "' is not YYYY-MM\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  int year = std::stoi(month.substr(0, 4)), mon = std::stoi(month.substr(5, 2));
  char next[32];
  std::snprintf(next, sizeof next, "%04d-%02d", mon == 12 ? year + 1 : year, mon == 12 ? 1 : mon + 1);
  auto usage = open->store->ListUsage({.consumer_domain = domain, .since = month + "-01", .until = std::string(next) + "-01"});
  auto domains = open->store->ListDomains();
  auto snapshots = open->store->ListAllSnapshots();
  auto products = open->store->ListProducts();
  for (const auto* s : {&usage.status(), &domains.status(), &snapshots.status(), &products.status()})
    if (Fail(ctx, "cost", *s)) return;
  std::map<std::string, std::pair<int64_t, double>> by_consumer, by_product;
  for (const auto& u : *usage) {
    if (u.status != "ok") continue;
    auto& c = by_consumer[u.consumer_domain.empty() ? "(none)" : u.consumer_domain];
    c.first += 1;
    c.second += u.cost;
    // A query's cost is shared evenly by the products it read.
    for (const auto& p : u.products) {
      auto& b = by_product[p];
      b.first += 1;
      b.second += u.cost / static_cast<double>(u.products.size());
    }
  }
  // Storage: the current snapshot of each product major, by owning domain.
  std::map<std::string, std::string> domain_of;
  for (const auto& p : *products) domain_of[p.id] = p.domain;
  std::map<std::string, int64_t> stored;
  std::set<std::string> seen;
  for (const auto& s : *snapshots)  // newest first
    if (seen.insert(s.product_id + "@" + std::to_string(s.major)).second) stored[domain_of[s.product_id]] += s.bytes;
  double gb_month = open->ws.settings.rate_card.count("gbStoredMonth") ? open->ws.settings.rate_card.at("gbStoredMonth") : 0;
  const std::string currency = open->ws.settings.currency;
  if (output == "json") {
    json j = {{"month", month}, {"currency", currency}, {"consumers", json::array()}, {"products", json::array()},
              {"storage", json::array()}};
    for (const auto& d : *domains) {
      if (!domain.empty() && d.name != domain) continue;
      auto it = by_consumer.find(d.name);
      j["consumers"].push_back({{"domain", d.name}, {"queries", it == by_consumer.end() ? 0 : it->second.first},
                                {"cost", it == by_consumer.end() ? 0 : it->second.second},
                                {"budget", d.monthly_budget ? json(*d.monthly_budget) : json()}});
    }
    for (const auto& [p, qc] : by_product) j["products"].push_back({{"product", p}, {"queries", qc.first}, {"cost", qc.second}});
    for (const auto& [d, bytes] : stored)
      j["storage"].push_back({{"domain", d}, {"bytes", bytes}, {"cost", static_cast<double>(bytes) / 1e9 * gb_month}});
    ctx.out << j.dump(2) << "\n";
    return;
  }
  ctx.out << "Query cost in " << month << " (" << currency << "), by consuming domain:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : *domains) {
    if (!domain.empty() && d.name != domain) continue;
    auto it = by_consumer.find(d.name);
    double spent = it == by_consumer.end() ? 0 : it->second.second;
    std::string budget = d.monthly_budget ? Money(*d.monthly_budget) : "-";
    std::string used = d.monthly_budget && *d.monthly_budget > 0
                           ? std::to_string(static_cast<int>(100 * spent / *d.monthly_budget)) + "%"
                           : "-";
    rows.push_back({d.name, std::to_string(it == by_consumer.end() ? 0 : it->second.first), Money(spent), budget, used});
  }
  PrintTable(ctx.out, {"DOMAIN", "QUERIES", "COST", "BUDGET", "USED"}, rows);
  rows.clear();
  for (const auto& [p, qc] : by_product) rows.push_back({p, std::to_string(qc.first), Money(qc.second)});
  ctx.out << "\nBy product read:\n";
  if (rows.empty()) ctx.out << "  (none)\n";
  else PrintTable(ctx.out, {"PRODUCT", "QUERIES", "COST"}, rows);
  rows.clear();
  for (const auto& [d, bytes] : stored)
    if (domain.empty() || d == domain) rows.push_back({d, std::to_string(bytes), Money(static_cast<double>(bytes) / 1e9 * gb_month)});
  ctx.out << "\nStorage (current snapshots), per month:\n";
  PrintTable(ctx.out, {"DOMAIN", "BYTES", "COST"}, rows);
}

}  // namespace

void AddQueryCommands(CLI::App& app, CommandContext& ctx) {
  {
    auto a = std::make_shared<QueryArgs>();
    auto* cmd = app.add_subcommand("query", "Run one governed SELECT over domain.product names (masks and row filters apply)");
    cmd->add_option("sql", a->sql, "The SELECT (or use -f FILE)");
    cmd->add_option("-f,--file", a->file, "Read the SELECT from this file");
    cmd->add_option("--at", a->at, "Pin a snapshot id, or read the snapshots current at this time (ISO 8601)");
    cmd->add_option("-o,--output", a->output, "table, csv, json or parquet")
        ->check(CLI::IsMember({"table", "csv", "json", "parquet"}));
    cmd->add_option("--out", a->out, "Write the result to this file");
    cmd->callback([&ctx, a] { RunQuery(ctx, *a); });
  }
  {
    auto product = std::make_shared<std::string>();
    auto since = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("table");
    auto* cmd = app.add_subcommand("usage", "Who reads a product, which columns, and how often");
    cmd->add_option("product", *product, "DOMAIN.PRODUCT")->required();
    cmd->add_option("--since", *since, "Only reads at or after this date (YYYY-MM-DD)");
    cmd->add_option("-o,--output", *output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, product, since, output] { RunUsage(ctx, *product, *since, *output); });
  }
  {
    auto domain = std::make_shared<std::string>();
    auto month = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("table");
    auto* cmd = app.add_subcommand("cost", "Showback: query cost per consuming domain and per product, storage per domain");
    cmd->add_option("--domain", *domain, "Only this consuming domain");
    cmd->add_option("--month", *month, "The month (YYYY-MM; default: this month)");
    cmd->add_option("-o,--output", *output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, domain, month, output] { RunCost(ctx, *domain, *month, *output); });
  }
}

}  // namespace weft::cli
