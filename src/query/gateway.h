// The governed query gateway: one SELECT over `domain.product` (the newest
// major the principal may read) and `domain.product_vN` names, answered
// by an engine that can reach nothing but what the principal may see.
//
//   QueryRuntime runtime(RuntimeOptions::For(ws.root, ws.settings, secret));   // once per process
//   Gateway gw(store, access, parser, {.rate_card = ws.settings.rate_card}, runtime);
//   ASSIGN_OR_RETURN(QueryAnswer a, gw.Run(bob, {.sql = "SELECT country, count(*) FROM customer.customers GROUP BY 1"}));
//
// The path of a query (docs/security.md):
//   1. budget: the consumer domain's month-to-date cost against its monthly
//      budget: over the hard limit refuses, over the soft limit warns;
//   2. parse with DuckDB (json_serialize_sql) and check every node against
//      the allow-list (sql_allowlist.h): one SELECT, vetted expressions and
//      functions, no table functions, catalogs or settings;
//   3. authorize each product name (access_control.h) and pin its snapshot
//      (current, or --at a snapshot id or a time);
//   4. analyze the SELECT against the authorized columns only
//      (lineage/sql_lineage.h): a column outside the grant is refused, and
//      the columns read are recorded;
//   5. what the principal may read of each snapshot: its own files when it
//      may see them whole, else a governed copy with masks and row filter
//      applied (governed_copies.h);
//   6. an engine sandboxed to exactly those files (engine_pool.h), admitted
//      under the principal's concurrency limit, watched by a timer that
//      interrupts it at the time limit or when the caller goes away;
//   7. run, handing the rows out chunk by chunk when asked (on_rows),
//      meter (CPU, rows and bytes scanned), price with the rate card, record
//      usage — refused queries are recorded too, at no cost.
//
// Thread safety: Run may be called concurrently. The Store serializes the
// usage writes; the runtime is shared.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "access/principals.h"
#include "catalog/store.h"
#include "query/catalog_reads.h"
#include "common/status.h"
#include "common/time.h"
#include "engine/duckdb_sql_validator.h"
#include "query/runtime.h"

namespace weft::query {

struct GatewayOptions {
  std::map<std::string, double> rate_card;  // cpuSecond, gbScanned (weft.yaml rateCard)
  std::string currency = "USD";             // of the rate card and the budgets (WorkspaceSpec::Currency)
};

struct QueryRequest {
  std::string sql;
  // The values of the SQL's positional parameters $1..$n (or ?), as text;
  // std::nullopt is NULL. Bound by DuckDB's prepared statement, never put
  // into the SQL text (parameters.h): a value cannot name a column or a
  // table. As many as the SQL's highest $n, else InvalidArgument.
  std::vector<std::optional<std::string>> parameters;
  // The DuckDB type of each parameter ("INTEGER", "DATE"); "" or missing:
  // DuckDB infers it from where the parameter is used. No more than the SQL
  // has parameters.
  std::vector<std::string> parameter_types;
  // Set: everything up to running the SELECT — parse, allow-list, budget,
  // authorize, analyze, the engine of its reach, prepare — and the answer's
  // columns, column_types and parameter_types, without running it: no row
  // is read, `parquet_out` is ignored. `parameters` may then be empty (a
  // statement described before its values are known). Refused exactly as
  // the run would be; a refusal is recorded in usage, a description (which
  // costs nothing, and which a wire protocol makes before most runs) is not.
  bool describe_only = false;
  std::string at;  // a snapshot id (pins the product it belongs to) or an ISO 8601 time (pins every product)
  // A snapshot id: the product it belongs to reads only the rows appended
  // after it, up to its current snapshot (or `at`'s) — a change feed
  // (docs/streaming.md). FailedPrecondition when a replace, run or rollback
  // came between: the feed must restart from the new snapshot.
  std::string since;
  std::string kind = "query";  // recorded in usage: query | run
  // Set: the result is written there as Parquet (zstd) by DuckDB, not returned.
  std::filesystem::path parquet_out;
  // Set: called once with the answer's column names and types
  // (QueryAnswer::column_types) before the first on_rows call, also when no
  // row follows, so that a wire protocol describes the rows first. A non-OK
  // Status stops the query.
  std::function<Status(const std::vector<std::string>& names, const std::vector<std::string>& types)> on_columns;
  // Set: the rows are handed to it a chunk at a time (with the column
  // names) and QueryAnswer::rows stays empty, so a large answer is never
  // held as text whole. A non-OK Status stops the query.
  std::function<Status(const std::vector<std::string>& columns,
                       const std::vector<std::vector<std::optional<std::string>>>& rows)>
      on_rows;
  // Polled while the query runs: true stops it (the client went away).
  std::function<bool()> cancelled;
};

// One product name the query read, as it was bound.
struct BoundRelation {
  std::string address;  // as written, lower-cased: "sales.orders" or "sales.orders_v1"
  std::string product_id;
  int64_t major = 0;
  std::string snapshot_id;
  std::filesystem::path snapshot_dir;
  access::ReadAccess access;
  std::string since_snapshot_id;  // set: only the rows appended after it (QueryRequest::since)
};

struct QueryAnswer {
  std::vector<std::string> columns;
  // Each column's DuckDB type as typeof() spells it ("INTEGER",
  // "DECIMAL(18,2)", "VARCHAR[]", "STRUCT(a INTEGER, b VARCHAR)",
  // "TIMESTAMP WITH TIME ZONE"); "" in a description where the type depends
  // on a parameter DuckDB could not type (SELECT $1).
  std::vector<std::string> column_types;
  // Each parameter's type: as declared in the request, else as DuckDB
  // inferred it, else "".
  std::vector<std::string> parameter_types;
  std::vector<std::vector<std::optional<std::string>>> rows;  // empty with parquet_out or on_rows
  std::vector<BoundRelation> relations;
  std::vector<std::string> warnings;
  catalog::UsageRecord usage;
  double overhead_seconds = 0;  // parse, authorize, views: everything before the query runs
  // Answered from the answers of repeated queries (result_cache.h): the
  // same statement over the same files ran before and nothing ran now.
  // Usage meters the same bytes and rows as that run, and no CPU.
  bool cached = false;
};

class Gateway {
 public:
  // `reads`: the catalog reads of `access`'s generation, shared between
  // queries (service::Mesh keeps them); without, this gateway reads its own.
  Gateway(catalog::Store& store, const access::AccessControl& access, const engine::DuckDbSqlValidator& parser,
          GatewayOptions options, QueryRuntime& runtime, std::shared_ptr<CatalogReads> reads = nullptr)
      : store_(store),
        access_(access),
        parser_(parser),
        options_(std::move(options)),
        runtime_(runtime),
        reads_(reads ? std::move(reads) : std::make_shared<CatalogReads>(store)) {}

  // InvalidArgument (bad SQL, refused constructs, parameters that do not
  // fit), PermissionDenied (no
  // grant, over budget), NotFound (unknown product or snapshot),
  // FailedPrecondition (no snapshot yet, a retired version),
  // ResourceExhausted (the principal's concurrency limit), DeadlineExceeded
  // (the time limit), Cancelled (the caller went away, the server stops).
  Result<QueryAnswer> Run(const access::Principal& principal, const QueryRequest& request);

 private:
  Result<std::vector<BoundRelation>> Bind(const access::Principal& principal, const nlohmann::json& ast,
                                          const QueryRequest& request, const std::string& now,
                                          std::vector<std::string>& warnings);
  Status CheckBudget(const access::Principal& principal, const std::string& now, std::vector<std::string>& warnings);
  void Record(catalog::UsageRecord usage);
  Result<std::vector<ViewFiles>> Readable(const std::vector<BoundRelation>& relations);
  // What `usage` costs at the workspace's rate card.
  double Cost(const catalog::UsageRecord& usage) const;
  // A cached answer handed to the request's receivers, and its usage recorded.
  Result<QueryAnswer> Replay(const CachedAnswer& hit, const QueryRequest& request, QueryAnswer answer,
                             std::chrono::steady_clock::time_point start);

  catalog::Store& store_;
  const access::AccessControl& access_;
  const engine::DuckDbSqlValidator& parser_;
  GatewayOptions options_;
  QueryRuntime& runtime_;
  std::shared_ptr<CatalogReads> reads_;
};

// A domain's monthly budget in the workspace's `currency`. None when it has
// none, or when its record is in another currency: weft converts nothing,
// and plan refuses such a domain, but weft.yaml's currency may have changed
// since it was applied (docs/spec-reference.md, "One currency per workspace").
std::optional<double> MonthlyBudget(const catalog::DomainRecord& domain, const std::string& currency);

// The two-part relation names (schema.table, lower-cased) a parse tree
// reads, CTE references and other one-part names excluded.
std::vector<std::string> RelationNames(const nlohmann::json& ast);

}  // namespace weft::query
