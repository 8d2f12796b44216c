#include "service/query.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "access/masks.h"

namespace weft::service {

using nlohmann::json;

ThreadPool& QueryThreads() {
  static ThreadPool* const pool = new ThreadPool(/*core=*/0, /*max=*/std::numeric_limits<size_t>::max());
  return *pool;
}

Result<query::QueryAnswer> QueryService::Run(const Caller& caller, const query::QueryRequest& request) {
  ASSIGN_OR_RETURN(Mesh::Rules rules, mesh_.QueryRules());
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_.parser());
  ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
  const spec::WorkspaceSpec& settings = mesh_.workspace().settings;
  query::Gateway gateway(mesh_.store(), *rules.access, *parser,
                         {.rate_card = settings.rate_card, .currency = settings.Currency()}, *runtime, rules.reads);
  return gateway.Run(caller.principal, request);
}

Result<query::QueryAnswer> QueryService::Sample(const Caller& caller, const std::string& product) {
  return Run(caller, {.sql = "SELECT * FROM " + product + " LIMIT 20", .kind = "sample"});
}

Result<QuerySchema> QueryService::Schema(const Caller& caller) {
  ASSIGN_OR_RETURN(Mesh::Rules rules, mesh_.QueryRules());
  const auto& access = rules.access;
  ASSIGN_OR_RETURN(auto ports, rules.reads->ListPortVersions());
  QuerySchema schema;
  std::map<std::string, std::vector<catalog::SnapshotRecord>> snapshots;  // per product, newest first
  for (const auto& port : ports) {
    if (port.status == "retired") continue;
    if (!snapshots.count(port.product_id)) {
      ASSIGN_OR_RETURN(snapshots[port.product_id], rules.reads->ListSnapshots(port.product_id));
    }
    // As the gateway binds it: the columns of the contract version of the
    // snapshot a query would read now.
    std::string contract_version = port.version;
    for (const auto& s : snapshots[port.product_id])
      if (s.major == port.major) {
        contract_version = s.contract_version;
        break;
      }
    auto readable = access->Authorize(caller.principal, port.product_id, port.major, contract_version, caller.now);
    if (!readable.ok()) continue;  // not the caller's to see, nor to know the columns of
    QuerySchema::Relation r{.address = port.product_id + "_v" + std::to_string(port.major), .product = port.product_id,
                            .major = port.major, .newest = false, .status = readable->status,
                            .description = readable->description, .row_filter = !readable->row_filter.empty(), .columns = {}};
    for (const auto& c : readable->columns)
      r.columns.push_back({c.name, c.type, c.mask.kind == access::MaskStrategy::Kind::kNone ? "clear" : access::MaskStrategyName(c.mask),
                           c.description});
    schema.relations.push_back(std::move(r));
  }
  std::sort(schema.relations.begin(), schema.relations.end(),
            [](const auto& a, const auto& b) { return std::tie(a.product, b.major) < std::tie(b.product, a.major); });
  for (size_t i = 0; i < schema.relations.size(); ++i)
    schema.relations[i].newest = i == 0 || schema.relations[i - 1].product != schema.relations[i].product;
  return schema;
}

json RowJson(const std::vector<std::optional<std::string>>& row) {
  json r = json::array();
  for (const auto& v : row) r.push_back(v ? json(*v) : json());
  return r;
}

std::string CsvLine(const std::vector<std::optional<std::string>>& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) line += ',';
    if (!row[i]) continue;
    const std::string& v = *row[i];
    if (!v.empty() && v.find_first_of(",\"\n\r") == std::string::npos) {
      line += v;
      continue;
    }
    line += '"';
    for (char c : v) line += c == '"' ? std::string("\"\"") : std::string(1, c);
    line += '"';
  }
  return line + "\n";
}

json ToJson(const QuerySchema& s) {
  json relations = json::array();
  for (const auto& r : s.relations) {
    json columns = json::array();
    for (const auto& c : r.columns) columns.push_back({{"name", c.name}, {"type", c.type}, {"mask", c.mask}});
    relations.push_back({{"address", r.address}, {"product", r.product}, {"major", r.major}, {"newest", r.newest},
                         {"status", r.status}, {"rowFilter", r.row_filter}, {"columns", columns}});
  }
  return {{"relations", relations}};
}

json ToJson(const query::QueryAnswer& a) {
  json rows = json::array();
  for (const auto& r : a.rows) rows.push_back(RowJson(r));
  return {{"columns", a.columns}, {"types", a.column_types}, {"rows", rows}, {"warnings", a.warnings}};
}

json DoneJson(const query::QueryAnswer& a) {
  json snapshots = json::object();
  for (const auto& r : a.relations) snapshots[r.address] = r.snapshot_id;
  return {{"done", true},
          {"rows", a.usage.rows_returned},
          {"warnings", a.warnings},
          {"snapshots", snapshots},
          {"cached", a.cached},
          {"usage", {{"bytesScanned", a.usage.bytes_scanned}, {"rowsScanned", a.usage.rows_scanned},
                     {"cpuSeconds", a.usage.cpu_seconds}, {"cost", a.usage.cost}}}};
}

}  // namespace weft::service
