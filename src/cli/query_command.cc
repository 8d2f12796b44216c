// Reading products, and what reading them costs:
//   weft query SQL | -f FILE [--at SNAPSHOT|TIME] [--since SNAPSHOT] [-o table|csv|json|parquet] [--out FILE] [--all]
//     (csv and json are printed a chunk at a time as the gateway hands
//     them out; a table once every row is in, for its column widths. A
//     table on a terminal shows the first 1,000 rows and says how many it
//     left out, unless --all: a person reads it. A pipe or a file gets
//     every row, as do csv and json: a program reads them.)
//   weft usage DOMAIN.PRODUCT [--since DATE] [-o table|json]
//   weft cost [--domain D] [--month YYYY-MM] [-o table|json]
// The query runs through the governed gateway (query/gateway.h) as the
// acting principal (--as, $WEFT_USER, $USER).
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/files.h"
#include "common/strings.h"
#include "service/finops.h"
#include "service/query.h"

namespace weft::cli {

namespace {

using nlohmann::json;

struct QueryArgs {
  std::string sql;
  std::string file;
  std::string at;
  std::string since;  // a change feed: only the rows appended after this snapshot
  std::string output = "table";
  std::string out;
  bool all = false;  // a table on a terminal: every row, not the first kTerminalRows
};

constexpr size_t kTerminalRows = 1000;

// 12345 -> "12,345", for counts a person reads.
std::string WithThousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool OnTerminal(const CommandContext& ctx) { return &ctx.out == &std::cout && ::isatty(STDOUT_FILENO) == 1; }

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
        out_ << service::CsvLine(row);
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
    if (format_ == "csv") out_ << service::CsvLine(std::vector<std::optional<std::string>>(columns.begin(), columns.end()));
    else out_ << "{\n  \"columns\": " << json(columns).dump() << ",\n  \"rows\": [";
  }

  std::ostream& out_;
  std::string format_;
  bool started_ = false;
  bool first_row_ = true;
};

// `limit`: the most rows drawn; the rest are counted in a note that says
// how to get them.
void PrintTableAnswer(std::ostream& out, const query::QueryAnswer& a, size_t limit) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : a.rows) {
    if (rows.size() == limit) break;
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(v ? *v : "NULL");
    rows.push_back(std::move(cells));
  }
  PrintTable(out, a.columns, rows);
  if (rows.size() < a.rows.size()) {
    out << "(" << WithThousands(rows.size()) << " of " << WithThousands(a.rows.size()) << " rows shown; "
        << WithThousands(a.rows.size() - rows.size()) << " left out. Every row: add --all, or -o csv, or --out FILE)\n";
    return;
  }
  out << "(" << a.rows.size() << " row" << (a.rows.size() == 1 ? "" : "s") << ")\n";
}

// The answer of a query on a server, read from its NDJSON stream: a
// columns line, row arrays, then a done line (or an error line).
Result<query::QueryAnswer> RemoteQuery(CommandContext& ctx, const QueryArgs& args, StreamingPrinter* printer) {
  query::QueryAnswer answer;
  bool done = false;
  Status s = CallStreaming(ctx, {.method = "POST", .path = "/api/v1/query", .body = json{{"sql", args.sql}, {"at", args.at}, {"since", args.since}}.dump()},
                           [&](std::string_view line) -> Status {
                             json j = json::parse(line, nullptr, false);
                             if (j.is_array()) {
                               std::vector<std::optional<std::string>> row;
                               for (const auto& v : j) row.push_back(v.is_null() ? std::nullopt : std::optional<std::string>(Text(v)));
                               if (!printer) {
                                 answer.rows.push_back(std::move(row));
                                 return Status::Ok();
                               }
                               return printer->Rows(answer.columns, {std::move(row)});
                             }
                             if (!j.is_object()) return Status::Internal("the server sent a line that is not JSON");
                             if (j.contains("columns")) answer.columns = j["columns"].get<std::vector<std::string>>();
                             if (j.contains("error"))
                               return Status(service::StatusCodeOfHttp(j["error"].value("status", 500)), j["error"].value("detail", "the query failed"));
                             if (j.contains("done")) {
                               done = true;
                               answer.warnings = j.value("warnings", std::vector<std::string>{});
                               answer.usage.rows_returned = j.value("rows", int64_t{0});
                               // Named: a range-for over a temporary's items() reads freed memory.
                               const json snapshots = j.value("snapshots", json::object());
                               for (const auto& [address, snapshot] : snapshots.items())
                                 if (snapshot.is_string())
                                   answer.relations.push_back({.address = address, .snapshot_id = snapshot.get<std::string>()});
                             }
                             return Status::Ok();
                           });
  if (!s.ok()) return s;
  if (!done) return Status::IoError("the server's answer ended before the query did");
  return answer;
}

void RunQuery(CommandContext& ctx, const QueryArgs& given) {
  QueryArgs args = given;
  if (!args.file.empty()) {
    auto text = ReadFileToString(args.file);
    if (!Report(ctx, "query", text.ok() ? Status::Ok() : Status::InvalidArgument(text.status().message()))) return;
    if (!args.sql.empty()) return (void)Report(ctx, "query", Status::InvalidArgument("give one SELECT, as an argument or with -f FILE"));
    args.sql = *text;
  }
  if (Trim(args.sql).empty()) return (void)Report(ctx, "query", Status::InvalidArgument("give one SELECT, as an argument or with -f FILE"));
  if (args.output == "parquet" && args.out.empty())
    return (void)Report(ctx, "query", Status::InvalidArgument("-o parquet needs --out FILE"));
  if (args.output == "parquet" && !ctx.server.empty())
    return (void)Report(ctx, "query", Status::InvalidArgument("-o parquet is written by the workspace's own engine: run it without --server"));
  std::ofstream file;
  if (!args.out.empty() && args.output != "parquet") {
    file.open(args.out, std::ios::binary | std::ios::trunc);
    if (!file) return (void)Report(ctx, "query", Status::InvalidArgument("cannot write " + args.out));
  }
  std::ostream& out = args.out.empty() ? ctx.out : file;
  StreamingPrinter printer(out, args.output);
  const bool streams = args.output == "csv" || args.output == "json";
  Result<query::QueryAnswer> answer = Status::Internal("not run");
  if (!ctx.server.empty()) {
    answer = RemoteQuery(ctx, args, streams ? &printer : nullptr);
  } else {
    auto mesh = service::Mesh::Open(ctx.workspace);
    if (!mesh.ok()) {
      Report(ctx, "query", mesh.status().code() == StatusCode::kNotFound ? Status::InvalidArgument(mesh.status().message()) : mesh.status());
      return;
    }
    query::QueryRequest req{.sql = args.sql, .at = args.at, .since = args.since};
    if (args.output == "parquet") req.parquet_out = args.out;
    if (streams) req.on_rows = [&printer](const std::vector<std::string>& columns, const Rows& rows) { return printer.Rows(columns, rows); };
    service::Caller caller = LocalCaller(**mesh, ctx);
    answer = service::QueryService(**mesh).Run(caller, req);
    (*mesh)->Close();
  }
  if (!Report(ctx, "query", answer.status())) return;
  for (const auto& w : answer->warnings) ctx.err << "weft query: warning: " << w << "\n";
  if (!args.since.empty())
    for (const auto& r : answer->relations)
      ctx.err << "weft query: " << r.address << ": the rows appended after " << args.since << " up to snapshot "
              << r.snapshot_id << "; follow on with --since " << r.snapshot_id << "\n";
  if (args.output == "parquet") {
    ctx.out << "Wrote " << answer->usage.rows_returned << " rows to " << args.out << "\n";
    return;
  }
  if (args.output == "table") PrintTableAnswer(out, *answer, args.all || !args.out.empty() || !OnTerminal(ctx) ? SIZE_MAX : kTerminalRows);
  else printer.Finish(*answer);
  if (!args.out.empty()) ctx.out << "Wrote " << answer->usage.rows_returned << " rows to " << args.out << "\n";
}

std::string Money(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(6) << v;  // queries cost fractions of a cent
  return s.str();
}

std::string Money(const json& v) { return v.is_number() ? Money(v.get<double>()) : "-"; }

// Prints a titled table, or "(none)".
void Section(std::ostream& out, const std::string& title, const std::vector<std::string>& headers,
             const std::vector<std::vector<std::string>>& rows) {
  out << title << "\n";
  if (rows.empty()) out << "  (none)\n";
  else PrintTable(out, headers, rows);
}

void PrintUsage(std::ostream& out, const json& u) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : u["readers"]) rows.push_back({Text(r["reader"]), Text(r["queries"]), Money(r["cost"])});
  Section(out, "Readers of " + Text(u["product"]) + " (costs in " + Text(u["currency"]) + "):", {"READER", "QUERIES", "COST"},
          rows);
  std::vector<std::pair<std::string, int64_t>> top;
  for (const auto& [c, n] : u["columns"].items()) top.emplace_back(c, n.get<int64_t>());
  std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  rows.clear();
  for (const auto& [c, n] : top) rows.push_back({c, std::to_string(n)});
  Section(out, "\nColumns read (by queries):", {"COLUMN", "QUERIES"}, rows);
  rows.clear();
  for (const auto& [d, n] : u["days"].items()) rows.push_back({d, Text(n)});
  Section(out, "\nQueries per day:", {"DAY", "QUERIES"}, rows);
  if (u["refused"].get<int64_t>() > 0) out << "\n" << Text(u["refused"]) << " refused attempt(s)\n";
}

void PrintCost(std::ostream& out, const json& c) {
  out << "Query cost in " << Text(c["month"]) << " (" << Text(c["currency"]) << "), by consuming domain:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : c["consumers"]) {
    const double spent = d["cost"].get<double>();
    const json& budget = d["budget"];
    std::string used = budget.is_number() && budget.get<double>() > 0
                           ? std::to_string(static_cast<int>(100 * spent / budget.get<double>())) + "%"
                           : "-";
    rows.push_back({Text(d["domain"]), Text(d["queries"]), Money(spent), Money(budget), used});
  }
  PrintTable(out, {"DOMAIN", "QUERIES", "COST", "BUDGET", "USED"}, rows);
  rows.clear();
  for (const auto& p : c["products"]) rows.push_back({Text(p["product"]), Text(p["queries"]), Money(p["cost"])});
  Section(out, "\nBy product read:", {"PRODUCT", "QUERIES", "COST"}, rows);
  rows.clear();
  for (const auto& s : c["storage"]) rows.push_back({Text(s["domain"]), Text(s["bytes"]), Money(s["cost"])});
  out << "\nStorage (current snapshots), per month:\n";
  PrintTable(out, {"DOMAIN", "BYTES", "COST"}, rows);
  for (const auto& w : c["warnings"]) out << "\nwarning: " << Text(w) << "\n";
}

void RunUsage(CommandContext& ctx, const std::string& product, const std::string& since, const std::string& output) {
  Answer a = Call(ctx, {.path = "/api/v1/products/" + product + "/usage", .query = {{"since", since}}},
                  [&](service::Mesh& m, const service::Caller& c) { return Of(service::FinopsService(m).Usage(c, product, since)); });
  if (!Report(ctx, "usage", a.status)) return;
  if (output == "json") ctx.out << a.body.dump(2) << "\n";
  else PrintUsage(ctx.out, a.body);
}

void RunCost(CommandContext& ctx, const std::string& domain, const std::string& month, const std::string& output) {
  Answer a = Call(ctx, {.path = "/api/v1/cost", .query = {{"month", month}, {"domain", domain}}},
                  [&](service::Mesh& m, const service::Caller& c) { return Of(service::FinopsService(m).Cost(c, month, domain)); });
  if (!Report(ctx, "cost", a.status)) return;
  if (output == "json") ctx.out << a.body.dump(2) << "\n";
  else PrintCost(ctx.out, a.body);
}

}  // namespace

void AddQueryCommands(CLI::App& app, CommandContext& ctx) {
  {
    auto a = std::make_shared<QueryArgs>();
    auto* cmd = app.add_subcommand("query", "Run one governed SELECT over domain.product names (masks and row filters apply)");
    cmd->add_option("sql", a->sql, "The SELECT (or use -f FILE)");
    cmd->add_option("-f,--file", a->file, "Read the SELECT from this file");
    cmd->add_option("--at", a->at, "Pin a snapshot id, or read the snapshots current at this time (ISO 8601)");
    cmd->add_option("--since", a->since,
                    "A change feed: only the rows appended after this snapshot (of a product the SELECT reads); "
                    "fails with 'reset' when a replace came between");
    cmd->add_option("-o,--output", a->output, "table, csv, json or parquet")
        ->check(CLI::IsMember({"table", "csv", "json", "parquet"}));
    cmd->add_option("--out", a->out, "Write the result to this file");
    cmd->add_flag("--all", a->all, "On a terminal, print every row of a table (default: the first 1,000; pipes and files get every row)");
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
