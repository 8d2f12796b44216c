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

#include "common/thread_pool.h"
#include "query/gateway.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

// What a caller may query, for the SQL console's schema browser and its
// completion: each product version it may read, with the columns it reads
// as AccessControl::Authorize gives them. A version it may not read is not
// listed, nor is a column its grant does not name.
struct QuerySchema {
  struct Column {
    std::string name, type;
    std::string mask;  // clear, or the mask's name (hash, redact, ...)
    std::string description;  // the contract's
  };
  struct Relation {
    std::string address;  // domain.product_vN
    std::string product;
    int64_t major = 0;
    bool newest = false;  // the newest major it reads: also addressed as domain.product
    std::string status;   // active | deprecated
    std::string description;  // the product's
    bool row_filter = false;
    std::vector<Column> columns;
  };
  std::vector<Relation> relations;
};

class QueryService {
 public:
  explicit QueryService(Mesh& mesh) : mesh_(mesh) {}

  Result<query::QueryAnswer> Run(const Caller& caller, const query::QueryRequest& request);
  // Up to 20 rows, masked and filtered for the caller.
  Result<query::QueryAnswer> Sample(const Caller& caller, const std::string& product);
  // The product versions and columns the caller may read now.
  Result<QuerySchema> Schema(const Caller& caller);

 private:
  Mesh& mesh_;
};

// The threads a query runs on when its rows go to a client at the client's
// pace — a PostgreSQL portal read some rows at a time, a streamed REST
// answer — instead of one started and joined per query (a prepared query
// over the wire cost four times the CPU that way, docs/benchmarks.md).
// Never queued behind each other: such a query waits for its client, so
// another one queued behind it could wait for good; a thread is started
// whenever none is idle. Never destroyed: its threads may be idle at exit.
ThreadPool& QueryThreads();

// An answer held whole: {"columns", "types" (DuckDB's, one per column), "rows", "warnings"}.
nlohmann::json ToJson(const query::QueryAnswer& a);
// A streamed answer's last line: {"done", "rows", "warnings", "snapshots", "usage"}.
nlohmann::json DoneJson(const query::QueryAnswer& a);
// One row as a JSON array (null for SQL NULL).
nlohmann::json RowJson(const std::vector<std::optional<std::string>>& row);
// One row as a CSV line (RFC 4180: quoted when it holds a comma, quote or
// line break, or empty: "" is the empty string, an empty field SQL NULL), with its "\n".
std::string CsvLine(const std::vector<std::optional<std::string>>& row);
nlohmann::json ToJson(const QuerySchema& s);

}  // namespace weft::service
