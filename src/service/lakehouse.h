// The lakehouse service: weft's products as an Apache Iceberg REST catalog
// (docs/lakehouse.md, "The REST catalog" and "Governed access"), for engines
// that are not weft (Trino, Spark, PyIceberg, iceberg-js and icebird).
//
//   LakehouseCatalog catalog(mesh.secret());            // one per server: signer and caches
//   LakehouseService lakehouse(mesh, catalog);
//   ASSIGN_OR_RETURN(std::string body, lakehouse.LoadTable(caller, "sales", "orders", base_url));
//   ASSIGN_OR_RETURN(ServedFile f, lakehouse.OpenFile(url_path, "", base_url));   // GET of a signed URL
//
// The model:
//   namespace  a domain (one level);
//   table      a product major: "<product>_v<major>", and "<product>" for its
//              newest major that is not retired (as `weft query` reads
//              "domain.product");
//   metadata   the Iceberg files the publisher writes beside each snapshot
//              (lakehouse/table_metadata.h), every path in them an absolute
//              file:// URI.
// What a caller gets (part 3 of issue 16):
//   - a caller who may read the snapshot whole (every column unmasked,
//     every row: the product's team, admins, whole grants) gets the table as
//     stored: its metadata with every file:// URI rewritten into a signed URL
//     (file_signer.h), or with local paths when weft.yaml says
//     `lakehouse: {fileAccess: local}`;
//   - any other reader gets its governed table: the current snapshot with
//     its masks and row filter applied (the governed copy a query of it
//     reads, query/governed_copies.h) as an Iceberg table of its own, built
//     once per copy; never a URL of a raw file;
//   - a caller with no grant is refused (403, as weft query refuses it);
//   - a major whose current snapshot is no Iceberg snapshot (a column of a
//     type Iceberg cannot hold) is no table for anyone: loads and HEAD
//     answer NoSuchTableException saying why, listings leave it out.
// Every load, plan and task fetch is recorded as usage (kind "iceberg"),
// refusals included, as a query is.
//
// Thread safety: a service is a view over the Mesh and a LakehouseCatalog;
// both are safe for concurrent use.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service/caller.h"
#include "service/file_signer.h"
#include "service/mesh.h"

namespace weft::service {

// The Iceberg exception a refusal stands for, the REST error model's
// "type": NoSuchNamespaceException, NoSuchTableException,
// NoSuchPlanIdException, NoSuchPlanTaskException, BadRequestException,
// NotAuthorizedException, ForbiddenException, ... (by the Status's code,
// and for NotFound by what was not found).
std::string IcebergErrorType(const Status& status);

// The catalog rows answers are made from, read once per catalog
// generation (a publish, grant or apply starts a new one): resolving a
// table name then costs no store read. Thread safety: safe for concurrent use.
class CatalogRows {
 public:
  std::vector<catalog::DomainRecord> domains;
  std::vector<catalog::ProductRecord> products;
  std::vector<catalog::PortVersionRecord> ports;
  // The product's snapshots, newest first (read on first use).
  Result<std::vector<catalog::SnapshotRecord>> Snapshots(catalog::Store& store, const std::string& product_id);

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<catalog::SnapshotRecord>> snapshots_;  // protected by mu_
};

// The state the catalog keeps between requests: the URL signer and what is
// expensive to make again (responses per caller, table and catalog
// generation; rewritten manifests). Thread safety: safe for concurrent use.
class LakehouseCatalog {
 public:
  explicit LakehouseCatalog(std::string_view workspace_secret) : signer_(workspace_secret) {}
  const FileSigner& signer() const { return signer_; }

  // A cached text, or empty. Entries belong to one catalog generation
  // (`access`): another generation clears them all.
  std::string Get(const void* generation, const std::string& key);
  void Put(const void* generation, const std::string& key, std::string value);
  // Who a caller tag (FileSigner::CallerTag) stands for: remembered when
  // URLs are issued, so that a file request is decided by its caller's
  // rights as they are now. Empty for a tag this process never issued.
  void Remember(const std::string& tag, const std::string& principal);
  std::string PrincipalOf(const std::string& tag);
  // The catalog rows of `generation`, read from `store` when it is new.
  Result<std::shared_ptr<CatalogRows>> Rows(const void* generation, catalog::Store& store);

 private:
  static constexpr size_t kMaxEntries = 4096;
  static constexpr size_t kMaxBytes = 256u << 20;
  const FileSigner signer_;
  std::mutex mu_;
  // Protected by mu_.
  const void* generation_ = nullptr;
  std::map<std::string, std::string> entries_;
  size_t bytes_ = 0;
  std::map<std::string, std::string> callers_;  // tag -> principal, for the life of the process
  const void* rows_generation_ = nullptr;
  std::shared_ptr<CatalogRows> rows_;
};

// A file a signed URL names, as the server sends it: the bytes of a
// metadata file with its paths rewritten, or a data file read in place.
struct ServedFile {
  std::string content;              // when rewritten (metadata JSON, manifest list, manifest)
  std::filesystem::path local;      // else the file to stream (Parquet, version-hint.text)
  int64_t size = 0;
  std::string content_type;
};

class LakehouseService {
 public:
  LakehouseService(Mesh& mesh, LakehouseCatalog& catalog) : mesh_(mesh), catalog_(catalog) {}

  // GET /v1/config: defaults, overrides (no prefix) and the endpoints served.
  Result<nlohmann::json> Config(const Caller& caller);
  // GET /v1/namespaces: the domains ("parent" lists nothing: one level).
  Result<nlohmann::json> Namespaces(const Caller& caller, const std::string& parent);
  // GET /v1/namespaces/{ns}: the domain's properties.
  Result<nlohmann::json> Namespace(const Caller& caller, const std::string& ns);
  // GET /v1/namespaces/{ns}/tables.
  Result<nlohmann::json> Tables(const Caller& caller, const std::string& ns);
  // HEAD /v1/namespaces/{ns}/tables/{table}: Ok when it exists (whoever asks:
  // weft's catalog is public, its data is not).
  Status TableExists(const Caller& caller, const std::string& ns, const std::string& table);
  // GET /v1/namespaces/{ns}/tables/{table}: the LoadTableResult as JSON text.
  Result<std::string> LoadTable(const Caller& caller, const std::string& ns, const std::string& table,
                                const std::string& base_url);
  // POST .../plan (planTableScan), GET .../plan/{plan-id} (fetchPlanningResult),
  // POST .../tasks (fetchScanTasks).
  Result<nlohmann::json> PlanScan(const Caller& caller, const std::string& ns, const std::string& table,
                                  const nlohmann::json& request, const std::string& base_url);
  Result<nlohmann::json> PlanResult(const Caller& caller, const std::string& ns, const std::string& table,
                                    const std::string& plan_id, const std::string& base_url);
  // DELETE .../plan/{plan-id} (cancelPlanning): plans hold no state here,
  // so only whether the plan id is one of this caller's for this table.
  Status CancelPlan(const Caller& caller, const std::string& ns, const std::string& table, const std::string& plan_id);
  Result<nlohmann::json> ScanTasks(const Caller& caller, const std::string& ns, const std::string& table,
                                   const nlohmann::json& request, const std::string& base_url);

  // GET of a signed URL (`url_path` as received). The URL is the credential;
  // when the request also carries a token, `principal` is its principal and
  // must be the one the URL was signed for.
  Result<ServedFile> OpenFile(const std::string& url_path, const std::string& principal, const std::string& base_url);

  struct Table;  // a resolved identifier (lakehouse.cc)
  struct Served;  // what a caller reads of a table (lakehouse.cc)

 private:
  Result<std::shared_ptr<CatalogRows>> Rows();
  Result<Table> Resolve(const std::string& ns, const std::string& table);
  // Why the major is no Iceberg table now (its current snapshot's sidecar,
  // lakehouse/table_metadata.h); empty when it is one, has no snapshot yet,
  // or its snapshot's Iceberg files are not written yet (a load writes them).
  Result<std::string> NotIceberg(const std::string& product_id, int64_t major);
  // The caller's rights on the table's current snapshot (PermissionDenied
  // without a grant), then the files they give (the table as stored or the
  // governed table), then both.
  Result<Served> Authorized(const Caller& caller, const Table& t);
  Status Materialize(const Table& t, Served& s);
  Result<Served> Readable(const Caller& caller, const Table& t);
  Result<nlohmann::json> Plan(const Caller& caller, const Table& t, const Served& s, int64_t snapshot_id,
                              const std::string& base_url);
  void Meter(const Caller& caller, const std::string& what, const Table* t, const Status& status,
             const std::vector<std::string>& columns = {}, int64_t rows = 0, int64_t bytes = 0);

  Mesh& mesh_;
  LakehouseCatalog& catalog_;
};

}  // namespace weft::service
