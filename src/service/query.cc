#include "service/query.h"

namespace weft::service {

using nlohmann::json;

Result<query::QueryAnswer> QueryService::Run(const Caller& caller, const query::QueryRequest& request) {
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_.parser());
  ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
  const spec::WorkspaceSpec& settings = mesh_.workspace().settings;
  query::Gateway gateway(mesh_.store(), *access, *parser,
                         {.rate_card = settings.rate_card, .currency = settings.Currency()}, *runtime);
  return gateway.Run(caller.principal, request);
}

Result<query::QueryAnswer> QueryService::Sample(const Caller& caller, const std::string& product) {
  return Run(caller, {.sql = "SELECT * FROM " + product + " LIMIT 20", .kind = "sample"});
}

json RowJson(const std::vector<std::optional<std::string>>& row) {
  json r = json::array();
  for (const auto& v : row) r.push_back(v ? json(*v) : json());
  return r;
}

json ToJson(const query::QueryAnswer& a) {
  json rows = json::array();
  for (const auto& r : a.rows) rows.push_back(RowJson(r));
  return {{"columns", a.columns}, {"rows", rows}, {"warnings", a.warnings}};
}

json DoneJson(const query::QueryAnswer& a) {
  json snapshots = json::object();
  for (const auto& r : a.relations) snapshots[r.address] = r.snapshot_id;
  return {{"done", true},
          {"rows", a.usage.rows_returned},
          {"warnings", a.warnings},
          {"snapshots", snapshots},
          {"usage", {{"bytesScanned", a.usage.bytes_scanned}, {"rowsScanned", a.usage.rows_scanned},
                     {"cpuSeconds", a.usage.cpu_seconds}, {"cost", a.usage.cost}}}};
}

}  // namespace weft::service
