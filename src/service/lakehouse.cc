#include "service/lakehouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "lakehouse/iceberg_schema.h"
#include "lakehouse/manifest.h"
#include "lakehouse/table_metadata.h"
#include "storage/file_system.h"

namespace weft::service {

namespace fs = std::filesystem;
using nlohmann::json;

// What a NotFound of this service was about: its message starts with one
// of these, and IcebergErrorType reads it back.
namespace {
constexpr std::string_view kNoNamespace = "no namespace ";
constexpr std::string_view kNoTable = "no table ";
constexpr std::string_view kNoPlan = "no plan ";
constexpr std::string_view kNoPlanTask = "no plan task ";
constexpr std::string_view kGoverned = "governed/";
}  // namespace

std::string IcebergErrorType(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return "BadRequestException";
    case StatusCode::kUnauthenticated: return "NotAuthorizedException";
    case StatusCode::kPermissionDenied: return "ForbiddenException";
    case StatusCode::kNotFound:
      if (StartsWith(m, kNoNamespace)) return "NoSuchNamespaceException";
      if (StartsWith(m, kNoPlanTask)) return "NoSuchPlanTaskException";
      if (StartsWith(m, kNoPlan)) return "NoSuchPlanIdException";
      return "NoSuchTableException";
    case StatusCode::kAlreadyExists: return "AlreadyExistsException";
    case StatusCode::kFailedPrecondition: return "CommitFailedException";
    case StatusCode::kResourceExhausted: return "TooManyRequestsException";
    case StatusCode::kCancelled: return "ServiceUnavailableException";
    default: return "InternalServerError";
  }
}

// --- LakehouseCatalog --------------------------------------------------------------------------

std::string LakehouseCatalog::Get(const void* generation, const std::string& key) {
  std::lock_guard lock(mu_);
  if (generation != generation_) return "";
  auto it = entries_.find(key);
  return it == entries_.end() ? "" : it->second;
}

void LakehouseCatalog::Put(const void* generation, const std::string& key, std::string value) {
  std::lock_guard lock(mu_);
  // A new generation (a grant, a publish) or a full cache starts over:
  // simpler than an LRU, and the entries are cheap to make again.
  if (generation != generation_ || entries_.size() >= kMaxEntries || bytes_ + value.size() > kMaxBytes) {
    entries_.clear();
    bytes_ = 0;
    generation_ = generation;
  }
  bytes_ += key.size() + value.size();
  entries_[key] = std::move(value);
}

Result<std::vector<catalog::SnapshotRecord>> CatalogRows::Snapshots(catalog::Store& store, const std::string& product_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = snapshots_.find(product_id); it != snapshots_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(auto list, store.ListSnapshots(product_id));
  std::lock_guard lock(mu_);
  snapshots_[product_id] = list;
  return list;
}

void LakehouseCatalog::Remember(const std::string& tag, const std::string& principal) {
  std::lock_guard lock(mu_);
  callers_.emplace(tag, principal);
}

std::string LakehouseCatalog::PrincipalOf(const std::string& tag) {
  std::lock_guard lock(mu_);
  auto it = callers_.find(tag);
  return it == callers_.end() ? "" : it->second;
}

Result<std::shared_ptr<CatalogRows>> LakehouseCatalog::Rows(const void* generation, catalog::Store& store) {
  {
    std::lock_guard lock(mu_);
    if (rows_ && rows_generation_ == generation) return rows_;
  }
  auto rows = std::make_shared<CatalogRows>();
  ASSIGN_OR_RETURN(rows->domains, store.ListDomains());
  ASSIGN_OR_RETURN(rows->products, store.ListProducts());
  ASSIGN_OR_RETURN(rows->ports, store.ListPortVersions());
  std::lock_guard lock(mu_);
  rows_ = rows;
  rows_generation_ = generation;
  return rows;
}

// --- resolving identifiers ---------------------------------------------------------------------

struct LakehouseService::Table {
  std::string ns;
  std::string product_id;  // domain.product
  int64_t major = 0;
  std::string address;     // domain.product_vN: the URL's table field
  fs::path version_dir;    // PortVersionRecord::storage_path
  std::string status;
  std::string version;     // the contract version the major serves
};

// What one caller reads of a table now.
struct LakehouseService::Served {
  catalog::SnapshotRecord snapshot;  // the major's current snapshot
  access::ReadAccess access;
  bool governed = false;
  bool local = false;                // file:// paths instead of URLs (fileAccess: local)
  fs::path root;                     // the table's directory: the version dir or the governed copy
  std::string rel_prefix;            // how URLs name root: "" or governed/<snapshot>/<profile>/
  lakehouse::LoadedTable table;      // as stored: file:// URIs
};

namespace {

bool PlainName(const std::string& s) {
  static const std::regex kName("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");
  return std::regex_match(s, kName);
}

Status NoTable(const std::string& ns, const std::string& table, const std::string& why) {
  return Status::NotFound(std::string(kNoTable) + ns + "." + table + ": " + why);
}

// A major whose current snapshot is no Iceberg snapshot (a column Iceberg
// cannot hold; lakehouse/table_metadata.h): a NoSuchTableException that says
// why, the REST error model's answer for a table that does not exist as one.
Status NotIcebergTable(const std::string& address, const std::string& why) {
  return Status::NotFound(std::string(kNoTable) + address + ": not an Iceberg table: " + why);
}

std::string ReadWhole(const fs::path& p, std::error_code& ec) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    ec = std::make_error_code(std::errc::no_such_file_or_directory);
    return "";
  }
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Rewrites a table's file:// URIs into signed URLs for one caller and
// expiry, and reads the files URLs name back (OpenFile).
class UrlRewriter {
 public:
  UrlRewriter(const FileSigner& signer, std::string base, std::string table, std::string caller, int64_t expires,
              fs::path root, std::string rel_prefix)
      : signer_(signer), base_(std::move(base)), table_(std::move(table)), caller_(std::move(caller)),
        expires_(expires), root_(std::move(root)), rel_prefix_(std::move(rel_prefix)) {}

  // The signed URL of a file:// URI inside the table; the table's own
  // location becomes the (unreadable) prefix of its URLs.
  Result<std::string> Url(const std::string& uri) const {
    ASSIGN_OR_RETURN(std::string sub, Sub(uri));
    if (sub.empty()) return base_ + "/iceberg/files/" + table_;
    return base_ + signer_.Path(table_, caller_, rel_prefix_ + sub, expires_);
  }

  // The path of a file:// URI relative to the table's directory ("" for
  // the directory itself). Internal error for anything outside it: the
  // catalog never hands out a URL of another file.
  Result<std::string> Sub(const std::string& uri) const {
    const std::string root = lakehouse::FileUri(root_.string());
    if (uri == root || uri == root + "/") return std::string();
    if (!StartsWith(uri, root + "/"))
      return Status::Internal("the metadata of " + table_ + " names a file outside the table: " + uri);
    return uri.substr(root.size() + 1);
  }

  // Every file:// string of a metadata JSON document, rewritten.
  Status RewriteJson(json& j) const {
    if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      if (StartsWith(s, "file://")) {
        ASSIGN_OR_RETURN(std::string url, Url(s));
        j = url;
      }
      return Status::Ok();
    }
    if (j.is_structured())
      for (auto& v : j) RETURN_IF_ERROR(RewriteJson(v));
    return Status::Ok();
  }

  // The bytes of the table file `sub` as this caller reads them: metadata
  // JSON, manifest lists and manifests with their paths rewritten; nullopt
  // for a file sent as stored (data, version-hint.text).
  Result<std::optional<std::string>> Rewritten(const std::string& sub) const {
    const std::string name = fs::path(sub).filename().string();
    const bool metadata_json = EndsWith(name, ".metadata.json");
    const bool avro = EndsWith(name, ".avro");
    if (!metadata_json && !avro) return std::optional<std::string>();
    std::error_code ec;
    std::string bytes = ReadWhole(root_ / sub, ec);
    if (ec) return Status::NotFound(std::string(kNoTable) + table_ + ": it has no file " + sub);
    if (metadata_json) {
      json doc = json::parse(bytes, nullptr, false);
      if (doc.is_discarded()) return Status::Internal("the stored metadata " + sub + " of " + table_ + " is not JSON");
      RETURN_IF_ERROR(RewriteJson(doc));
      return std::optional<std::string>(doc.dump());
    }
    if (StartsWith(name, "snap-")) {
      ASSIGN_OR_RETURN(lakehouse::ManifestList list, lakehouse::ReadManifestList(bytes));
      for (auto& m : list.manifests) {
        ASSIGN_OR_RETURN(std::string msub, Sub(m.manifest_path));
        ASSIGN_OR_RETURN(std::optional<std::string> manifest, Rewritten(msub));
        if (!manifest) return Status::Internal("the manifest list " + sub + " of " + table_ + " names " + msub);
        // The manifest the URL serves is the rewritten one: its length.
        m.manifest_length = static_cast<int64_t>(manifest->size());
        ASSIGN_OR_RETURN(m.manifest_path, Url(m.manifest_path));
      }
      ASSIGN_OR_RETURN(std::string out, lakehouse::WriteManifestList(list));
      return std::optional<std::string>(std::move(out));
    }
    ASSIGN_OR_RETURN(lakehouse::Manifest manifest, lakehouse::ReadManifest(bytes));
    for (auto& e : manifest.entries) {
      ASSIGN_OR_RETURN(e.data_file.file_path, Url(e.data_file.file_path));
    }
    ASSIGN_OR_RETURN(std::string out, lakehouse::WriteManifest(manifest));
    return std::optional<std::string>(std::move(out));
  }

  const fs::path& root() const { return root_; }

 private:
  const FileSigner& signer_;
  const std::string base_, table_, caller_;
  const int64_t expires_;
  const fs::path root_;
  const std::string rel_prefix_;
};

// --- governed tables ---------------------------------------------------------------------------

// A UUID (RFC 4122 layout) from a hash, so the same copy always gets the same one.
std::string UuidOf(const std::string& seed) {
  std::string h = Sha256Hex(seed).substr(0, 32);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

// The Iceberg files of a governed copy (`dir` holds its data.parquet):
// one snapshot (the weft snapshot's Iceberg id), a manifest, a manifest
// list, v1.metadata.json and version-hint.text under dir/metadata. Written
// once, into a private directory renamed into place, as the copy itself.
Result<lakehouse::LoadedTable> GovernedTable(const fs::path& dir, const catalog::SnapshotRecord& snap,
                                             const std::string& address) {
  if (fs::exists(dir / "metadata" / "version-hint.text")) return lakehouse::LoadTableMetadata(dir);
  const fs::path data = dir / "data.parquet";
  // The schema and stats of the copy as written (masked columns are
  // strings), the same way the publisher makes a snapshot's.
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open({.threads = 1}));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  ASSIGN_OR_RETURN(auto columns, lakehouse::DescribeColumns(conn, "SELECT * FROM read_parquet(" + SqlQuote(data.string()) + ")"));
  ASSIGN_OR_RETURN(json schema, lakehouse::IcebergSchema(columns, nullptr, 0));
  ASSIGN_OR_RETURN(auto stats, lakehouse::FileStats(conn, schema, {data.string()}));
  if (stats.size() != 1) return Status::Internal("no stats of the governed copy " + data.string());
  const int64_t rows = stats.front().record_count;
  const int64_t sid = lakehouse::IcebergSnapshotId(snap.id);
  const int64_t ms = ParseIsoMillis(snap.created_at).value_or(0);
  std::error_code ec;

  const fs::path meta = dir / "metadata";
  const std::string manifest_name = fmt::format("manifest-{}-0.avro", sid), list_name = fmt::format("snap-{}.avro", sid);
  lakehouse::Manifest manifest{.schema_json = schema.dump(), .entries = {}};
  manifest.entries.push_back({.status = lakehouse::EntryStatus::kAdded, .snapshot_id = sid, .sequence_number = 1,
                              .file_sequence_number = 1, .data_file = stats.front()});
  ASSIGN_OR_RETURN(std::string manifest_bytes, lakehouse::WriteManifest(manifest));
  lakehouse::ManifestList list{.snapshot_id = sid, .sequence_number = 1, .manifests = {}};
  list.manifests.push_back({.manifest_path = lakehouse::FileUri((meta / manifest_name).string()),
                            .manifest_length = static_cast<int64_t>(manifest_bytes.size()), .sequence_number = 1,
                            .min_sequence_number = 1, .added_snapshot_id = sid, .added_files_count = 1,
                            .added_rows_count = rows});
  ASSIGN_OR_RETURN(std::string list_bytes, lakehouse::WriteManifestList(list));
  const json metadata = {
      {"format-version", 2},
      {"table-uuid", UuidOf(dir.string())},
      {"location", lakehouse::FileUri(dir.string())},
      {"last-sequence-number", 1},
      {"last-updated-ms", ms},
      {"last-column-id", lakehouse::HighestFieldId(schema)},
      {"current-schema-id", 0},
      {"schemas", {schema}},
      {"default-spec-id", 0},
      {"partition-specs", {{{"spec-id", 0}, {"fields", json::array()}}}},
      {"last-partition-id", 999},
      {"default-sort-order-id", 0},
      {"sort-orders", {{{"order-id", 0}, {"fields", json::array()}}}},
      // The copy's Parquet has no field ids: readers map columns by name.
      {"properties",
       {{"schema.name-mapping.default", lakehouse::NameMapping(schema).dump()}, {"weft.table", address}, {"weft.snapshot-id", snap.id},
        {"weft.contract-version", snap.contract_version}, {"weft.governed", "true"}}},
      {"current-snapshot-id", sid},
      {"refs", {{"main", {{"snapshot-id", sid}, {"type", "branch"}}}}},
      {"snapshots",
       {{{"snapshot-id", sid},
         {"sequence-number", 1},
         {"timestamp-ms", ms},
         {"manifest-list", lakehouse::FileUri((meta / list_name).string())},
         {"summary", {{"operation", "append"}, {"weft.snapshot-id", snap.id}, {"total-records", std::to_string(rows)},
                      {"total-data-files", "1"}}},
         {"schema-id", 0}}}},
      {"snapshot-log", {{{"timestamp-ms", ms}, {"snapshot-id", sid}}}},
      {"metadata-log", json::array()}};

  const std::string suffix = RandomHex(8);
  if (suffix.empty()) return Status::Internal("the system's random generator failed");
  const fs::path tmp = dir / (".metadata-" + suffix);
  fs::create_directories(tmp, ec);
  if (ec) return Status::IoError("cannot create " + tmp.string() + ": " + ec.message());
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream f(tmp / name, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    return f ? Status::Ok() : Status::IoError("cannot write " + (tmp / name).string());
  };
  Status written = write(manifest_name, manifest_bytes);
  if (written.ok()) written = write(list_name, list_bytes);
  if (written.ok()) written = write("v1.metadata.json", metadata.dump());
  if (written.ok()) written = write("version-hint.text", "1");
  if (written.ok()) {
    fs::rename(tmp, meta, ec);
    if (ec && !fs::exists(meta / "version-hint.text"))  // else another request wrote it first
      written = Status::IoError("cannot move the governed table's metadata into " + meta.string() + ": " + ec.message());
  }
  fs::remove_all(tmp, ec);
  RETURN_IF_ERROR(written);
  return lakehouse::LoadTableMetadata(dir);
}

// The spec's endpoint strings of what this catalog serves (GET config).
const std::vector<std::string>& Endpoints() {
  static const std::vector<std::string> k = {
      "GET /v1/{prefix}/namespaces",
      "GET /v1/{prefix}/namespaces/{namespace}",
      "HEAD /v1/{prefix}/namespaces/{namespace}",
      "GET /v1/{prefix}/namespaces/{namespace}/tables",
      "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan",
      "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
      "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
      "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks",
  };
  return k;
}

// Plan ids and plan tasks: "<kind>-<snapshot id>-<manifest>-<expires>-<mac>",
// the MAC over those and the table and caller, which the token does not
// carry but the request that presents it does.
std::string TokenText(const std::string& kind, const std::string& address, const std::string& caller, int64_t snapshot,
                      int64_t manifest, int64_t expires) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{:010d}", kind, address, caller, snapshot, manifest, expires);
}

struct Token {
  int64_t snapshot = 0;
  int64_t manifest = 0;
};

}  // namespace

Result<std::shared_ptr<CatalogRows>> LakehouseService::Rows() {
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  return catalog_.Rows(access.get(), mesh_.store());
}

Result<LakehouseService::Table> LakehouseService::Resolve(const std::string& ns, const std::string& table) {
  if (ns.find('\x1f') != std::string::npos)
    return Status::InvalidArgument("namespace '" + ns + "' has several levels; weft's namespaces are its domains, one level");
  if (!PlainName(ns)) return Status::InvalidArgument("'" + ns + "' is not a namespace (a domain name: letters, digits, _ and -)");
  if (!PlainName(table))
    return Status::InvalidArgument("'" + table + "' is not a table name (<product> or <product>_v<major>: letters, digits, _ and -)");
  ASSIGN_OR_RETURN(auto rows, Rows());
  const auto& domains = rows->domains;
  const auto& products = rows->products;
  if (std::none_of(domains.begin(), domains.end(), [&](const auto& d) { return d.name == ns; }))
    return Status::NotFound(std::string(kNoNamespace) + ns + ": weft has no domain of that name");
  auto is_product = [&](const std::string& id) {
    return std::any_of(products.begin(), products.end(), [&](const auto& p) { return p.id == id; });
  };
  // As `weft query` reads names: the product itself is its newest major
  // that is not retired; <product>_v<major> (canonical: no leading zero) one major.
  Table t{.ns = ns, .product_id = ns + "." + table};
  std::optional<int64_t> major;
  if (!is_product(t.product_id)) {
    auto v = table.rfind("_v");
    if (v == std::string::npos || v + 2 >= table.size() || table[v + 2] == '0' || v + 8 < table.size() ||
        table.find_first_not_of("0123456789", v + 2) != std::string::npos || !is_product(ns + "." + table.substr(0, v)))
      return NoTable(ns, table, "no product " + t.product_id + " in the catalog (weft get products lists them)");
    t.product_id = ns + "." + table.substr(0, v);
    major = std::stoll(table.substr(v + 2));
  }
  const catalog::PortVersionRecord* port = nullptr;
  for (const auto& pv : rows->ports) {
    if (pv.product_id != t.product_id || pv.status == "retired") continue;
    if (major && pv.major != *major) continue;
    if (!port || pv.major > port->major) port = &pv;
  }
  if (!port) return NoTable(ns, table, t.product_id + " serves no such version (weft get versions lists them)");
  t.major = port->major;
  t.address = t.product_id + "_v" + std::to_string(t.major);
  t.version_dir = port->storage_path;
  t.status = port->status;
  t.version = port->version;
  return t;
}

Result<LakehouseService::Served> LakehouseService::Authorized(const Caller& caller, const Table& t) {
  ASSIGN_OR_RETURN(auto rows, Rows());
  ASSIGN_OR_RETURN(auto snapshots, rows->Snapshots(mesh_.store(), t.product_id));  // newest first
  auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == t.major; });
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  // Grants first, so a caller without one learns that and nothing more.
  ASSIGN_OR_RETURN(access::ReadAccess readable,
                   access->Authorize(caller.principal, t.product_id, t.major,
                                     current == snapshots.end() ? t.version : current->contract_version, caller.now));
  if (current == snapshots.end())
    return Status::NotFound(std::string(kNoTable) + t.address +
                            ": it has no snapshot yet; its owners publish it with: weft publish " + t.product_id);
  catalog_.Remember(catalog_.signer().CallerTag(caller.principal.name), caller.principal.name);
  return Served{.snapshot = *current, .access = std::move(readable)};
}

Status LakehouseService::Materialize(const Table& t, Served& s) {
  // A major that is no Iceberg table now is none for every caller, governed
  // ones included: its governed copy could hide the column that makes it
  // none, but the product would then be an Iceberg table to some and not to others.
  ASSIGN_OR_RETURN(lakehouse::LoadedTable stored,
                   lakehouse::SyncTable(mesh_.store(), t.product_id, t.major, storage::DefaultFileSystem()));
  if (!stored.not_iceberg.empty()) return NotIcebergTable(t.address, stored.not_iceberg);
  ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
  // The files a query of the caller would read: the snapshot's own when
  // it may read them whole, else its governed copy.
  ASSIGN_OR_RETURN(query::ReadableSnapshot files, runtime->copies().For(s.snapshot.id, s.snapshot.path, s.access));
  if (!files.copy) {
    s.table = std::move(stored);
    s.root = t.version_dir;
    s.local = mesh_.workspace().settings.lakehouse_file_access == "local";
    return Status::Ok();
  }
  s.governed = true;
  s.root = fs::path(files.files.front()).parent_path();
  s.rel_prefix = std::string(kGoverned) + s.snapshot.id + "/" + s.root.filename().string() + "/";
  ASSIGN_OR_RETURN(s.table, GovernedTable(s.root, s.snapshot, t.address));
  return Status::Ok();
}

Result<LakehouseService::Served> LakehouseService::Readable(const Caller& caller, const Table& t) {
  ASSIGN_OR_RETURN(Served s, Authorized(caller, t));
  RETURN_IF_ERROR(Materialize(t, s));
  return s;
}

void LakehouseService::Meter(const Caller& caller, const std::string& what, const Table* t, const Status& status,
                             const std::vector<std::string>& columns, int64_t rows, int64_t bytes) {
  auto runtime = mesh_.runtime();
  if (!runtime.ok()) return;
  catalog::UsageRecord u{.at = caller.now, .principal = caller.principal.name,
                         .consumer_domain = caller.principal.domain, .kind = "iceberg"};
  if (t) u.products.push_back(t->address);
  u.columns = columns;
  u.rows_scanned = rows;
  u.bytes_scanned = bytes;
  u.status = status.ok() ? "ok" : "refused";
  u.message = status.ok() ? what : what + ": " + status.message();
  (*runtime)->usage().Add(mesh_.store(), std::move(u));
}

Result<json> LakehouseService::Config(const Caller&) {
  // One workspace, one catalog: a client's warehouse name (DuckDB sends the
  // name it attached the catalog as) selects nothing and is ignored.
  return json{{"defaults", json::object()}, {"overrides", json::object()}, {"endpoints", Endpoints()}};
}

Result<json> LakehouseService::Namespaces(const Caller&, const std::string& parent) {
  ASSIGN_OR_RETURN(auto rows, Rows());
  const auto& domains = rows->domains;
  json out = json::array();
  if (!parent.empty()) {
    // One level: a domain has no namespaces under it.
    if (std::none_of(domains.begin(), domains.end(), [&](const auto& d) { return d.name == parent; }))
      return Status::NotFound(std::string(kNoNamespace) + parent + ": weft has no domain of that name");
    return json{{"namespaces", out}};
  }
  for (const auto& d : domains) out.push_back(json::array({d.name}));
  return json{{"namespaces", out}};
}

Result<json> LakehouseService::Namespace(const Caller&, const std::string& ns) {
  if (!PlainName(ns)) return Status::InvalidArgument("'" + ns + "' is not a namespace (a domain name: letters, digits, _ and -)");
  ASSIGN_OR_RETURN(auto rows, Rows());
  for (const auto& d : rows->domains)
    if (d.name == ns)
      return json{{"namespace", {d.name}},
                  {"properties", {{"comment", d.description}, {"owners", Join(d.owners, ",")}, {"weft.kind", "domain"}}}};
  return Status::NotFound(std::string(kNoNamespace) + ns + ": weft has no domain of that name");
}

Result<json> LakehouseService::Tables(const Caller& caller, const std::string& ns) {
  RETURN_IF_ERROR(Namespace(caller, ns).status());
  ASSIGN_OR_RETURN(auto rows, Rows());
  const auto& ports = rows->ports;
  json ids = json::array();
  for (const auto& p : rows->products) {
    if (p.domain != ns) continue;
    std::vector<int64_t> majors;
    for (const auto& pv : ports)
      if (pv.product_id == p.id && pv.status != "retired") majors.push_back(pv.major);
    if (majors.empty()) continue;
    std::sort(majors.begin(), majors.end());
    // Majors that are no Iceberg table now are left out; <product> is the
    // newest major, so it is listed when that one is.
    std::vector<int64_t> offered;
    for (int64_t m : majors) {
      ASSIGN_OR_RETURN(std::string why, NotIceberg(p.id, m));
      if (why.empty()) offered.push_back(m);
    }
    if (!offered.empty() && offered.back() == majors.back()) ids.push_back({{"namespace", {ns}}, {"name", p.name}});
    for (int64_t m : offered) ids.push_back({{"namespace", {ns}}, {"name", p.name + "_v" + std::to_string(m)}});
  }
  return json{{"identifiers", ids}};
}

Result<std::string> LakehouseService::NotIceberg(const std::string& product_id, int64_t major) {
  ASSIGN_OR_RETURN(auto rows, Rows());
  ASSIGN_OR_RETURN(auto snapshots, rows->Snapshots(mesh_.store(), product_id));  // newest first
  auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == major; });
  if (current == snapshots.end()) return std::string();
  Result<lakehouse::SnapshotSidecar> sidecar = lakehouse::ReadSidecar(current->path);
  if (sidecar.status().code() == StatusCode::kNotFound) return std::string();  // not written yet: a load writes it
  if (!sidecar.ok()) return sidecar.status();
  return sidecar->not_iceberg;
}

Status LakehouseService::TableExists(const Caller&, const std::string& ns, const std::string& table) {
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  ASSIGN_OR_RETURN(std::string why, NotIceberg(t.product_id, t.major));
  return why.empty() ? Status::Ok() : NotIcebergTable(t.address, why);
}

Result<std::string> LakehouseService::LoadTable(const Caller& caller, const std::string& ns, const std::string& table,
                                                const std::string& base_url) {
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  const std::string caller_tag = catalog_.signer().CallerTag(caller.principal.name);
  const int64_t expires = FileSigner::ExpiryFor(NowSeconds());
  // The caller's rights are decided on every load; what they give is
  // cached per caller, table, snapshot, rights, base URL and expiry bucket
  // within one generation (a grant that expires changes the rights, not
  // the generation).
  auto served = Authorized(caller, t);
  if (!served.ok()) {
    Meter(caller, "load table", &t, served.status());
    return served.status();
  }
  std::vector<std::string> columns, expressions;
  for (const auto& c : served->access.columns) {
    columns.push_back(t.address + "." + c.name);
    expressions.push_back(c.expression);
  }
  const std::string key = fmt::format("load\n{}\n{}\n{}\n{}\n{}\n{}", caller.principal.name, t.address, served->snapshot.id,
                                      Sha256Hex(Join(expressions, "\n") + "\n" + served->access.row_filter), base_url, expires);
  if (std::string hit = catalog_.Get(access.get(), key); !hit.empty()) {
    Meter(caller, "load table", &t, Status::Ok(), columns);
    return hit;
  }
  if (Status made = Materialize(t, *served); !made.ok()) {
    Meter(caller, "load table", &t, made);
    return made;
  }
  json result;
  if (served->local) {
    result = {{"metadata-location", served->table.metadata_location}, {"metadata", served->table.metadata},
              {"config", json::object()}};
  } else {
    UrlRewriter urls(catalog_.signer(), base_url, t.address, caller_tag, expires, served->root, served->rel_prefix);
    json metadata = served->table.metadata;
    RETURN_IF_ERROR(urls.RewriteJson(metadata));
    ASSIGN_OR_RETURN(std::string location, urls.Url(served->table.metadata_location));
    result = {{"metadata-location", location}, {"metadata", metadata}, {"config", json::object()}};
  }
  std::string body = result.dump();
  catalog_.Put(access.get(), key, body);
  Meter(caller, served->governed ? "load table (governed)" : "load table", &t, Status::Ok(), columns);
  return body;
}

namespace {

Result<const json*> SnapshotIn(const json& metadata, int64_t snapshot_id, const std::string& address) {
  // By reference into `metadata`: the pointer outlives this call.
  if (auto list = metadata.find("snapshots"); list != metadata.end() && list->is_array())
    for (const auto& s : *list)
      if (s.value("snapshot-id", int64_t{0}) == snapshot_id) return &s;
  return Status::InvalidArgument(fmt::format("table {} has no snapshot {}{}", address, snapshot_id,
                                             metadata.value("properties", json::object()).value("weft.governed", "") == "true"
                                                 ? " (what you may read of it is its current snapshot, masked)"
                                                 : ""));
}

Result<json> SchemaOf(const json& metadata, const json& snapshot) {
  const int64_t id = snapshot.value("schema-id", metadata.value("current-schema-id", int64_t{0}));
  for (const auto& s : metadata.value("schemas", json::array()))
    if (s.value("schema-id", int64_t{-1}) == id) return s;
  return Status::Internal("the table metadata has no schema " + std::to_string(id));
}

}  // namespace

Result<json> LakehouseService::Plan(const Caller& caller, const Table& t, const Served& s, int64_t snapshot_id,
                                    const std::string&) {
  ASSIGN_OR_RETURN(const json* snap, SnapshotIn(s.table.metadata, snapshot_id, t.address));
  UrlRewriter files(catalog_.signer(), "", t.address, "", 0, s.root, s.rel_prefix);
  ASSIGN_OR_RETURN(std::string list_sub, files.Sub(snap->value("manifest-list", "")));
  std::error_code ec;
  std::string bytes = ReadWhole(s.root / list_sub, ec);
  if (ec) return Status::Internal("the manifest list of " + t.address + " snapshot " + std::to_string(snapshot_id) + " is missing");
  ASSIGN_OR_RETURN(lakehouse::ManifestList list, lakehouse::ReadManifestList(bytes));
  const std::string tag = catalog_.signer().CallerTag(caller.principal.name);
  const int64_t expires = FileSigner::ExpiryFor(NowSeconds());
  auto token = [&](const std::string& kind, int64_t manifest) {
    const std::string text = TokenText(kind, t.address, tag, snapshot_id, manifest, expires);
    return fmt::format("{}-{}-{}-{:010d}-{}", kind, snapshot_id, manifest, expires, catalog_.signer().Mac(text));
  };
  json tasks = json::array();
  for (size_t i = 0; i < list.manifests.size(); ++i) tasks.push_back(token("task", static_cast<int64_t>(i)));
  return json{{"status", "completed"}, {"plan-id", token("plan", 0)}, {"plan-tasks", tasks},
              {"file-scan-tasks", json::array()}, {"delete-files", json::array()}};
}

namespace {

// A plan id or plan task of `kind` presented for `address` by `caller`.
Result<Token> ReadToken(const FileSigner& signer, const std::string& kind, const std::string& text,
                        const std::string& address, const std::string& caller, std::string_view not_found) {
  auto missing = [&] {
    return Status::NotFound(std::string(not_found) + "'" + text.substr(0, 200) + "' for " + address +
                            ": it is not one this catalog issued for this table and caller, or it expired; plan the scan again");
  };
  std::vector<std::string> parts = Split(text, '-');
  if (parts.size() != 5 || parts[0] != kind) return missing();
  // Snapshot ids use all 63 bits: parsed without overflow or exceptions.
  int64_t numbers[3] = {0, 0, 0};
  for (size_t i = 1; i < 4; ++i) {
    const std::string& p = parts[i];
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), numbers[i - 1]);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || numbers[i - 1] < 0) return missing();
  }
  Token t{.snapshot = numbers[0], .manifest = numbers[1]};
  const int64_t expires = numbers[2];
  if (!signer.Matches(TokenText(kind, address, caller, t.snapshot, t.manifest, expires), parts[4]) || expires <= NowSeconds())
    return missing();
  return t;
}

Status CheckPlanRequest(const json& r) {
  if (!r.is_object()) return Status::InvalidArgument("the plan request must be a JSON object (PlanTableScanRequest)");
  for (const char* name : {"snapshot-id", "min-rows-requested", "start-snapshot-id", "end-snapshot-id"})
    if (r.contains(name) && !r[name].is_number_integer())
      return Status::InvalidArgument(std::string("\"") + name + "\" must be an integer");
  for (const char* name : {"case-sensitive", "use-snapshot-schema"})
    if (r.contains(name) && !r[name].is_boolean()) return Status::InvalidArgument(std::string("\"") + name + "\" must be true or false");
  for (const char* name : {"select", "stats-fields"})
    if (r.contains(name) && (!r[name].is_array() || !std::all_of(r[name].begin(), r[name].end(), [](const json& v) { return v.is_string(); })))
      return Status::InvalidArgument(std::string("\"") + name + "\" must be an array of field names");
  if (r.contains("filter") && !r["filter"].is_object() && !r["filter"].is_boolean())
    return Status::InvalidArgument("\"filter\" must be an expression (a JSON object, or true/false)");
  if (r.contains("start-snapshot-id") || r.contains("end-snapshot-id"))
    return Status::InvalidArgument("incremental scans (start-snapshot-id, end-snapshot-id) are not offered; plan a "
                                   "point-in-time scan with snapshot-id");
  return Status::Ok();
}

}  // namespace

Result<json> LakehouseService::PlanScan(const Caller& caller, const std::string& ns, const std::string& table,
                                        const json& request, const std::string& base_url) {
  RETURN_IF_ERROR(CheckPlanRequest(request));
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  auto served = Readable(caller, t);
  if (!served.ok()) {
    Meter(caller, "plan scan", &t, served.status());
    return served.status();
  }
  const json& metadata = served->table.metadata;
  int64_t snapshot = request.value("snapshot-id", metadata.value("current-snapshot-id", int64_t{-1}));
  if (request.contains("select")) {
    ASSIGN_OR_RETURN(const json* snap, SnapshotIn(metadata, snapshot, t.address));
    ASSIGN_OR_RETURN(json schema, SchemaOf(metadata, *snap));
    const bool sensitive = request.value("case-sensitive", true);
    for (const auto& want : request["select"]) {
      const std::string w = want.get<std::string>();
      bool found = false;
      std::vector<std::string> names;
      for (const auto& f : schema["fields"]) {
        const std::string n = f.value("name", "");
        names.push_back(n);
        found = found || (sensitive ? n == w : ToLower(n) == ToLower(w));
      }
      if (!found)
        return Status::InvalidArgument("table " + t.address + " has no column '" + w + "' that you may read (columns: " +
                                       Join(names, ", ") + ")");
    }
  }
  auto plan = Plan(caller, t, *served, snapshot, base_url);
  Meter(caller, "plan scan", &t, plan.status());
  return plan;
}

Result<json> LakehouseService::PlanResult(const Caller& caller, const std::string& ns, const std::string& table,
                                          const std::string& plan_id, const std::string& base_url) {
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  ASSIGN_OR_RETURN(Token token, ReadToken(catalog_.signer(), "plan", plan_id, t.address,
                                          catalog_.signer().CallerTag(caller.principal.name), kNoPlan));
  ASSIGN_OR_RETURN(Served s, Readable(caller, t));
  ASSIGN_OR_RETURN(json plan, Plan(caller, t, s, token.snapshot, base_url));
  plan.erase("plan-id");
  return plan;
}

Status LakehouseService::CancelPlan(const Caller& caller, const std::string& ns, const std::string& table,
                                    const std::string& plan_id) {
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  return ReadToken(catalog_.signer(), "plan", plan_id, t.address, catalog_.signer().CallerTag(caller.principal.name), kNoPlan)
      .status();
}

Result<json> LakehouseService::ScanTasks(const Caller& caller, const std::string& ns, const std::string& table,
                                         const json& request, const std::string& base_url) {
  if (!request.is_object() || !request.contains("plan-task") || !request["plan-task"].is_string())
    return Status::InvalidArgument("the request needs \"plan-task\": a plan task from planTableScan (FetchScanTasksRequest)");
  ASSIGN_OR_RETURN(Table t, Resolve(ns, table));
  const std::string tag = catalog_.signer().CallerTag(caller.principal.name);
  ASSIGN_OR_RETURN(Token token, ReadToken(catalog_.signer(), "task", request["plan-task"].get<std::string>(), t.address,
                                          tag, kNoPlanTask));
  // The caller's rights now, not at planning time: a revoked grant stops here.
  auto served = Readable(caller, t);
  if (!served.ok()) {
    Meter(caller, "scan tasks", &t, served.status());
    return served.status();
  }
  const json& metadata = served->table.metadata;
  auto snap = SnapshotIn(metadata, token.snapshot, t.address);
  if (!snap.ok()) return Status::NotFound(std::string(kNoPlanTask) + "for " + t.address + ": its snapshot is no longer readable; plan the scan again");
  ASSIGN_OR_RETURN(json schema, SchemaOf(metadata, **snap));
  const int64_t expires = FileSigner::ExpiryFor(NowSeconds());
  UrlRewriter urls(catalog_.signer(), base_url, t.address, tag, expires, served->root, served->rel_prefix);
  std::error_code ec;
  ASSIGN_OR_RETURN(std::string list_sub, urls.Sub((*snap)->value("manifest-list", "")));
  ASSIGN_OR_RETURN(lakehouse::ManifestList list, lakehouse::ReadManifestList(ReadWhole(served->root / list_sub, ec)));
  if (token.manifest < 0 || token.manifest >= static_cast<int64_t>(list.manifests.size()))
    return Status::NotFound(std::string(kNoPlanTask) + "for " + t.address + ": the snapshot has no such manifest");
  ASSIGN_OR_RETURN(std::string manifest_sub, urls.Sub(list.manifests[token.manifest].manifest_path));
  ASSIGN_OR_RETURN(lakehouse::Manifest manifest, lakehouse::ReadManifest(ReadWhole(served->root / manifest_sub, ec)));
  json tasks = json::array();
  int64_t rows = 0, bytes = 0;
  for (auto& e : manifest.entries) {
    if (e.status == lakehouse::EntryStatus::kDeleted) continue;
    rows += e.data_file.record_count;
    bytes += e.data_file.file_size_in_bytes;
    if (!served->local) {
      ASSIGN_OR_RETURN(e.data_file.file_path, urls.Url(e.data_file.file_path));
    }
    ASSIGN_OR_RETURN(json file, lakehouse::DataFileToRestJson(e.data_file, schema));
    tasks.push_back({{"data-file", file}});
  }
  std::vector<std::string> columns;
  for (const auto& c : served->access.columns) columns.push_back(t.address + "." + c.name);
  Meter(caller, "scan tasks", &t, Status::Ok(), columns, rows, bytes);
  return json{{"file-scan-tasks", tasks}, {"delete-files", json::array()}, {"plan-tasks", json::array()}};
}

Result<ServedFile> LakehouseService::OpenFile(const std::string& url_path, const std::string& principal,
                                              const std::string& base_url) {
  ASSIGN_OR_RETURN(SignedFile f, FileSigner::Parse(url_path));
  RETURN_IF_ERROR(catalog_.signer().Verify(f, NowSeconds()));
  if (!principal.empty() && catalog_.signer().CallerTag(principal) != f.caller)
    return Status::PermissionDenied("the file URL was signed for another caller; load the table as " + principal +
                                    " for URLs of your own");
  // The table: domain.product_vN, served or not any more.
  auto dot = f.table.find('.'), v = f.table.rfind("_v");
  if (dot == std::string::npos || v == std::string::npos || v < dot)
    return Status::NotFound(std::string(kNoTable) + f.table);
  ASSIGN_OR_RETURN(Table t, Resolve(f.table.substr(0, dot), f.table.substr(dot + 1)));
  if (t.address != f.table) return Status::NotFound(std::string(kNoTable) + f.table);
  // The URL's caller, with its rights as they are now: a revoked grant
  // stops its URLs at once, and a file of the table as stored needs the
  // caller to read the snapshot it belongs to whole (an older snapshot's
  // contract version may have masked what the current one does not).
  const std::string who = catalog_.PrincipalOf(f.caller);
  if (who.empty())
    return Status::PermissionDenied("this server did not issue the file URL (or restarted since); load the table again");
  auto caller = mesh_.CallerFor(who);
  if (!caller.ok()) return Status::PermissionDenied("the file URL's caller is no longer registered");
  ASSIGN_OR_RETURN(Served now, Authorized(*caller, t));
  if (!StartsWith(f.path, kGoverned)) {
    bool whole = now.access.whole;
    if (std::vector<std::string> parts = Split(f.path, '/'); parts.size() > 1 && parts[0] == "snapshots" && parts[1] != now.snapshot.id) {
      ASSIGN_OR_RETURN(auto rows, Rows());
      ASSIGN_OR_RETURN(auto snapshots, rows->Snapshots(mesh_.store(), t.product_id));
      auto s = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& x) { return x.id == parts[1] && x.major == t.major; });
      if (s == snapshots.end()) return Status::NotFound(std::string(kNoTable) + f.table + ": snapshot " + parts[1] + " is gone");
      ASSIGN_OR_RETURN(auto access, mesh_.Access());
      auto then = access->Authorize(caller->principal, t.product_id, t.major, s->contract_version, caller->now);
      whole = then.ok() && then->whole;
    }
    if (!whole)
      return Status::PermissionDenied("you may not read " + f.table + " as stored (" + f.path +
                                      "); load the table again for what you may read");
  }
  fs::path root = t.version_dir;
  std::string prefix, sub = f.path;
  if (StartsWith(f.path, kGoverned)) {
    std::vector<std::string> parts = Split(f.path, '/');
    if (parts.size() < 4) return Status::NotFound(std::string(kNoTable) + f.table + ": it has no file " + f.path);
    ASSIGN_OR_RETURN(auto rows, Rows());
    ASSIGN_OR_RETURN(auto snapshots, rows->Snapshots(mesh_.store(), t.product_id));
    auto s = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& x) { return x.id == parts[1] && x.major == t.major; });
    if (s == snapshots.end()) return Status::NotFound(std::string(kNoTable) + f.table + ": snapshot " + parts[1] + " is gone");
    // The copy must be the one the caller's rights give it now: a grant
    // narrowed since the URL was signed (a new mask or row filter) is
    // another profile, and the old copy is no longer what it may read.
    ASSIGN_OR_RETURN(auto access, mesh_.Access());
    ASSIGN_OR_RETURN(access::ReadAccess then,
                     access->Authorize(caller->principal, t.product_id, t.major, s->contract_version, caller->now));
    ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
    ASSIGN_OR_RETURN(query::ReadableSnapshot readable, runtime->copies().For(s->id, s->path, then));
    if (readable.copy && fs::path(readable.files.front()).parent_path().filename() != parts[2])
      return Status::PermissionDenied("your access to " + f.table +
                                      " changed since this file URL was signed; load the table again");
    root = runtime->options().copies_dir / parts[1] / parts[2];
    prefix = std::string(kGoverned) + parts[1] + "/" + parts[2] + "/";
    sub = f.path.substr(prefix.size());
  } else if (!StartsWith(f.path, "metadata/") && !StartsWith(f.path, "snapshots/")) {
    return Status::NotFound(std::string(kNoTable) + f.table + ": it has no file " + f.path);
  }
  // The file must be inside the table's directory once links are
  // followed: a link inside it that points out is refused.
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(root / sub, ec)))  // gone: expired by gc since it was signed
    return Status::NotFound(std::string(kNoTable) + f.table + ": it no longer has " + f.path + "; load the table again");
  const fs::path real = fs::canonical(root / sub, ec);
  const fs::path real_root = fs::canonical(root, ec);
  if (ec || !StartsWith(real.string(), real_root.string() + "/") || !fs::is_regular_file(real, ec))
    return Status::PermissionDenied("the file URL names nothing this table holds");
  UrlRewriter urls(catalog_.signer(), base_url, f.table, f.caller, std::stoll(f.expires), root, prefix);
  ServedFile out;
  ASSIGN_OR_RETURN(auto access, mesh_.Access());
  const std::string key = "file\n" + base_url + "\n" + url_path;
  if (std::string hit = catalog_.Get(access.get(), key); !hit.empty()) {
    out.content = std::move(hit);
  } else {
    ASSIGN_OR_RETURN(std::optional<std::string> rewritten, urls.Rewritten(sub));
    if (rewritten) {
      out.content = std::move(*rewritten);
      catalog_.Put(access.get(), key, out.content);
    }
  }
  if (!out.content.empty()) {
    out.size = static_cast<int64_t>(out.content.size());
    out.content_type = EndsWith(sub, ".json") ? "application/json" : "application/avro";
    return out;
  }
  out.local = real;
  out.size = static_cast<int64_t>(fs::file_size(real, ec));
  if (ec) return Status::IoError("cannot read " + f.path + " of " + f.table);
  out.content_type = EndsWith(sub, ".parquet") ? "application/vnd.apache.parquet" : "application/octet-stream";
  return out;
}

}  // namespace weft::service
