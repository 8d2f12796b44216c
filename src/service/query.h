// The query service: one governed SELECT as the caller (query/gateway.h),
// and a product's sample. The engine that runs the SQL reaches only what
// the caller may see (docs/security.md).
//
//   ASSIGN_OR_RETURN(query::QueryAnswer a, QueryService(mesh).Run(caller, {.sql = "SELECT ..."}));
//
// Thread safety: as the Mesh; queries run concurrently.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "query/gateway.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

class QueryService {
 public:
  explicit QueryService(Mesh& mesh) : mesh_(mesh) {}

  Result<query::QueryAnswer> Run(const Caller& caller, const query::QueryRequest& request);
  // Up to 20 rows, masked and filtered for the caller.
  Result<query::QueryAnswer> Sample(const Caller& caller, const std::string& product);

 private:
  Mesh& mesh_;
};

// An answer held whole: {"columns", "rows", "warnings"}.
nlohmann::json ToJson(const query::QueryAnswer& a);
// A streamed answer's last line: {"done", "rows", "warnings", "snapshots", "usage"}.
nlohmann::json DoneJson(const query::QueryAnswer& a);
// One row as a JSON array (null for SQL NULL).
nlohmann::json RowJson(const std::vector<std::optional<std::string>>& row);

}  // namespace weft::service
