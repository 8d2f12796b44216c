#include "lakehouse/table_metadata.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/files.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/database.h"
#include "lakehouse/iceberg_schema.h"
#include "lakehouse/manifest.h"
#include "lakehouse/snapshot_files.h"
#include "storage/snapshot.h"

namespace weft::lakehouse {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kSidecar[] = "snapshot.json";
constexpr char kHint[] = "version-hint.text";
constexpr size_t kMetadataLogMax = 100;  // Iceberg's write.metadata.previous-versions-max default

fs::path MetadataDir(const fs::path& snapshot_dir) { return snapshot_dir / storage::kSnapshotMetadataDir; }

json SidecarJson(const SnapshotSidecar& s) {
  json j = {{"weft-snapshot-id", s.weft_snapshot_id}, {"snapshot-id", s.snapshot_id},
            {"sequence-number", s.sequence_number},   {"timestamp-ms", s.timestamp_ms},
            {"schema", s.schema},                     {"last-column-id", s.last_column_id},
            {"last-schema-id", s.last_schema_id},
            {"summary", s.summary},                   {"manifest-list", s.manifest_list},
            {"contract-version", s.contract_version}};
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  if (!s.not_iceberg.empty()) j["not-iceberg"] = s.not_iceberg;
  return j;
}

// Writes a whole file under a temporary name and renames it, so a reader
// (or a crash) sees the old file or the new one.
Status WriteAtomically(storage::FileSystem& fs, const fs::path& path, std::string_view data) {
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp-" + storage::NewSnapshotId());
  RETURN_IF_ERROR(fs.WriteFile(tmp, data));
  Status renamed = fs.Rename(tmp, path);
  if (!renamed.ok()) {
    fs.RemoveAll(tmp).IgnoreError();
    return renamed;
  }
  return Status::Ok();
}

struct FileId {
  dev_t dev;
  ino_t ino;
  bool operator==(const FileId&) const = default;
};
std::optional<FileId> IdOf(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

std::string FileName(const std::string& uri) { return uri.substr(uri.rfind('/') + 1); }

}  // namespace

int64_t IcebergSnapshotId(std::string_view weft_snapshot_id) {
  const std::string hex = Sha256Hex(weft_snapshot_id).substr(0, 16);
  uint64_t v = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
  const auto id = static_cast<int64_t>(v & 0x7fffffffffffffffULL);
  return id == 0 ? 1 : id;
}

Result<SnapshotSidecar> ReadSidecar(const fs::path& snapshot_dir) {
  const fs::path path = MetadataDir(snapshot_dir) / kSidecar;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::NotFound(fmt::format("snapshot {} has no Iceberg files ({} is missing)", snapshot_dir.string(), path.string()));
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::InvalidArgument(fmt::format("{} is not valid JSON", path.string()));
  try {
    SnapshotSidecar s;
    s.weft_snapshot_id = j.at("weft-snapshot-id").get<std::string>();
    s.snapshot_id = j.at("snapshot-id").get<int64_t>();
    if (j.contains("parent-snapshot-id")) s.parent_snapshot_id = j.at("parent-snapshot-id").get<int64_t>();
    s.sequence_number = j.at("sequence-number").get<int64_t>();
    s.timestamp_ms = j.at("timestamp-ms").get<int64_t>();
    s.schema = j.at("schema");
    s.last_column_id = j.at("last-column-id").get<int>();
    // A sidecar that is no Iceberg snapshot without an Iceberg ancestor has no schema.
    s.last_schema_id = j.value("last-schema-id", s.schema.is_object() ? s.schema.value("schema-id", 0) : 0);
    s.summary = j.at("summary");
    s.manifest_list = j.at("manifest-list").get<std::string>();
    s.contract_version = j.value("contract-version", "");
    s.not_iceberg = j.value("not-iceberg", "");
    return s;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("{} lacks a field or has one of the wrong type: {}", path.string(), e.what()));
  }
}

namespace {

// Writes the sidecar (last: its presence says the snapshot's files are whole).
Status WriteSidecar(storage::FileSystem& fs, const fs::path& write_dir, const SnapshotSidecar& sidecar,
                    const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path dir = MetadataDir(write_dir);
  RETURN_IF_ERROR(fs.CreateDirectories(dir, storage::kOwnerOnly, nullptr));
  for (const auto& [name, bytes] : files) RETURN_IF_ERROR(fs.WriteFile(dir / name, bytes));
  RETURN_IF_ERROR(WriteAtomically(fs, dir / kSidecar, SidecarJson(sidecar).dump(2)));
  return fs.Sync(dir);
}

// The sidecar of a snapshot that is no Iceberg snapshot: its parent's
// Iceberg state, passed on (SnapshotSidecar::not_iceberg).
Status WriteNotIceberg(const SnapshotFilesRequest& req, const std::string& weft_id, const std::string& why) {
  SnapshotSidecar s = req.parent.value_or(SnapshotSidecar{});
  s.weft_snapshot_id = weft_id;
  s.timestamp_ms = req.timestamp_ms;
  s.contract_version = req.contract_version;
  s.not_iceberg = why;
  return WriteSidecar(req.fs, req.write_dir, s, {});
}

}  // namespace

Status WriteSnapshotFiles(const SnapshotFilesRequest& req) {
  const std::string weft_id = req.final_dir.filename().string();
  if (!req.not_iceberg.empty()) return WriteNotIceberg(req, weft_id, req.not_iceberg);
  const int64_t snapshot_id = IcebergSnapshotId(weft_id);
  const std::optional<SnapshotSidecar>& parent = req.parent;
  const int64_t sequence = (parent ? parent->sequence_number : 0) + 1;
  const std::vector<std::string> data = storage::SnapshotDataFiles(req.write_dir);
  auto shared = [&](const std::string& path) {
    const auto here = IdOf(path);
    return here && here == IdOf(req.source_dir / fs::path(path).filename());
  };

  // A file shared with a source that is no Iceberg snapshot (an append to
  // it, a rollback to it) has the columns that made it none.
  const bool from_source = req.source_kind != SnapshotFilesRequest::Source::kNone && req.source;
  if (from_source && !req.source->not_iceberg.empty() && std::any_of(data.begin(), data.end(), shared))
    return WriteNotIceberg(req, weft_id, req.source->not_iceberg);

  // Files this snapshot shares with `source` (a hard link of the same
  // inode, under the same name) keep the stats the source's manifest has.
  std::map<std::string, ManifestEntry> inherited;  // by file name
  const bool existing = req.source_kind == SnapshotFilesRequest::Source::kParent;
  if (from_source && req.source->not_iceberg.empty()) {
    ASSIGN_OR_RETURN(std::string list_bytes, ReadFileToString(MetadataDir(req.source_dir) / req.source->manifest_list));
    ASSIGN_OR_RETURN(ManifestList list, ReadManifestList(list_bytes));
    for (const ManifestFile& mf : list.manifests) {
      ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(MetadataDir(req.source_dir) / FileName(mf.manifest_path)));
      ASSIGN_OR_RETURN(Manifest m, ReadManifest(bytes));
      for (ManifestEntry& e : m.entries) {
        if (e.status == EntryStatus::kDeleted) continue;
        // Inherited values are made explicit: an EXISTING entry must carry them.
        if (!e.snapshot_id) e.snapshot_id = mf.added_snapshot_id;
        if (!e.sequence_number) e.sequence_number = mf.sequence_number;
        if (!e.file_sequence_number) e.file_sequence_number = mf.sequence_number;
        inherited[FileName(e.data_file.file_path)] = std::move(e);
      }
    }
  }

  std::vector<ManifestEntry> entries;
  std::vector<std::string> to_stat;  // files whose stats come from their footers
  for (const std::string& path : data) {
    const std::string name = fs::path(path).filename().string();
    auto it = inherited.find(name);
    if (it != inherited.end() && shared(path)) {
      ManifestEntry e = it->second;
      e.data_file.file_path = FileUri((req.final_dir / name).string());
      if (!existing) {  // a restored file is added again by this snapshot
        e.status = EntryStatus::kAdded;
        e.snapshot_id = snapshot_id;
        e.sequence_number = e.file_sequence_number = sequence;
      } else {
        e.status = EntryStatus::kExisting;
      }
      entries.push_back(std::move(e));
    } else {
      to_stat.push_back(path);
    }
  }

  // The schema: the source's when every file came from it, else from the files.
  json schema;
  int last_column_id = parent ? parent->last_column_id : 0;
  std::optional<engine::Database> own_db;
  std::optional<engine::Connection> own_conn;
  engine::Connection* conn = req.conn;
  auto connection = [&]() -> Result<engine::Connection*> {
    if (conn) return conn;
    ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open({.threads = 1}));
    own_db.emplace(std::move(db));
    ASSIGN_OR_RETURN(engine::Connection c, engine::Connection::Open(*own_db));
    own_conn.emplace(std::move(c));
    return conn = &*own_conn;
  };
  if (to_stat.empty() && req.source && !data.empty()) {
    schema = req.source->schema;
  } else {
    std::vector<Column> columns;
    if (!data.empty()) {
      ASSIGN_OR_RETURN(engine::Connection * c, connection());
      std::vector<std::string> quoted;
      for (const auto& p : data) quoted.push_back(SqlQuote(p));
      ASSIGN_OR_RETURN(columns, DescribeColumns(*c, "SELECT * FROM read_parquet([" + Join(quoted, ", ") + "])"));
    }
    Result<json> made =
        IcebergSchema(columns, parent ? parent->schema : json(), last_column_id, parent ? parent->last_schema_id : 0);
    // InvalidArgument: a column Iceberg cannot hold (iceberg_schema.h).
    if (made.status().code() == StatusCode::kInvalidArgument)
      return WriteNotIceberg(req, weft_id, made.status().message());
    if (!made.ok()) return made.status();
    schema = std::move(*made);
  }
  last_column_id = std::max(last_column_id, HighestFieldId(schema));
  const int last_schema_id = std::max(parent ? parent->last_schema_id : 0, schema.at("schema-id").get<int>());

  if (!to_stat.empty()) {
    ASSIGN_OR_RETURN(engine::Connection * c, connection());
    ASSIGN_OR_RETURN(std::vector<DataFile> stats, FileStats(*c, schema, to_stat));
    for (DataFile& f : stats) {
      f.file_path = FileUri((req.final_dir / FileName(f.file_path)).string());
      entries.push_back({.status = EntryStatus::kAdded, .snapshot_id = snapshot_id, .sequence_number = sequence,
                         .file_sequence_number = sequence, .data_file = std::move(f)});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.data_file.file_path < b.data_file.file_path; });

  // The manifest, the list, then the sidecar: the sidecar's presence says
  // the snapshot's Iceberg files are whole.
  ManifestFile mf{.sequence_number = sequence, .min_sequence_number = sequence, .added_snapshot_id = snapshot_id};
  int64_t total_records = 0, total_size = 0, added_records = 0, added_size = 0;
  for (const ManifestEntry& e : entries) {
    total_records += e.data_file.record_count;
    total_size += e.data_file.file_size_in_bytes;
    mf.min_sequence_number = std::min(mf.min_sequence_number, e.sequence_number.value_or(sequence));
    if (e.status == EntryStatus::kAdded) {
      ++mf.added_files_count;
      mf.added_rows_count += e.data_file.record_count;
      added_records += e.data_file.record_count;
      added_size += e.data_file.file_size_in_bytes;
    } else {
      ++mf.existing_files_count;
      mf.existing_rows_count += e.data_file.record_count;
    }
  }
  Manifest manifest{.schema_json = schema.dump(), .schema_id = schema.at("schema-id").get<int32_t>(), .entries = entries};
  ASSIGN_OR_RETURN(std::string manifest_bytes, WriteManifest(manifest));
  const std::string manifest_name = fmt::format("manifest-{}-0.avro", snapshot_id);
  const std::string list_name = fmt::format("snap-{}.avro", snapshot_id);
  mf.manifest_path = FileUri((MetadataDir(req.final_dir) / manifest_name).string());
  mf.manifest_length = static_cast<int64_t>(manifest_bytes.size());
  ManifestList list{.snapshot_id = snapshot_id, .sequence_number = sequence, .manifests = {mf}};
  // A parent that is no Iceberg snapshot names its nearest Iceberg ancestor (0: none).
  const bool iceberg_parent = parent && parent->snapshot_id != 0;
  if (iceberg_parent) list.parent_snapshot_id = parent->snapshot_id;
  ASSIGN_OR_RETURN(std::string list_bytes, WriteManifestList(list));

  const bool append = mf.existing_files_count > 0 || (req.mode == "append" && !parent);
  // A compaction rewrites files and not the rows: Iceberg's "replace".
  json summary = {{"operation", req.mode == "compact" ? "replace" : append ? "append" : "overwrite"},
                  {"weft.snapshot-id", weft_id},
                  {"weft.mode", req.mode},
                  {"added-data-files", std::to_string(mf.added_files_count)},
                  {"added-records", std::to_string(added_records)},
                  {"added-files-size", std::to_string(added_size)},
                  {"total-data-files", std::to_string(entries.size())},
                  {"total-records", std::to_string(total_records)},
                  {"total-files-size", std::to_string(total_size)},
                  {"total-delete-files", "0"},
                  {"total-position-deletes", "0"},
                  {"total-equality-deletes", "0"}};
  if (!append && iceberg_parent) {  // an overwrite removes every file the parent had
    summary["deleted-data-files"] = parent->summary.value("total-data-files", "0");
    summary["deleted-records"] = parent->summary.value("total-records", "0");
  }
  SnapshotSidecar sidecar{
      .weft_snapshot_id = weft_id,
      .snapshot_id = snapshot_id,
      .parent_snapshot_id = iceberg_parent ? std::optional<int64_t>(parent->snapshot_id) : std::nullopt,
      .sequence_number = sequence,
      .timestamp_ms = req.timestamp_ms,
      .schema = schema,
      .last_column_id = last_column_id,
      .last_schema_id = last_schema_id,
      .summary = summary,
      .manifest_list = list_name,
      .contract_version = req.contract_version};

  return WriteSidecar(req.fs, req.write_dir, sidecar, {{manifest_name, manifest_bytes}, {list_name, list_bytes}});
}

Result<LoadedTable> LoadTableMetadata(const fs::path& version_dir) {
  const fs::path dir = version_dir / "metadata";
  std::error_code ec;
  if (!fs::exists(dir / kHint, ec))
    return Status::NotFound(fmt::format("no Iceberg table metadata in {} ({} is missing)", dir.string(), kHint));
  ASSIGN_OR_RETURN(std::string hint, ReadFileToString(dir / kHint, 64));
  const std::string version(Trim(hint));
  if (version.empty() || version.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument(fmt::format("{} holds '{}', not a version number", (dir / kHint).string(), version));
  LoadedTable t;
  t.metadata_file = dir / ("v" + version + ".metadata.json");
  t.metadata_location = FileUri(t.metadata_file.string());
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(t.metadata_file));
  t.metadata = json::parse(text, nullptr, false);
  if (t.metadata.is_discarded() || !t.metadata.is_object())
    return Status::InvalidArgument(fmt::format("{} is not valid JSON", t.metadata_file.string()));
  return t;
}

namespace {

// The highest N of v<N>.metadata.json in `dir` (0: none).
int HighestVersion(const fs::path& dir) {
  int highest = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    int n = 0;
    if (name.size() > 15 && name[0] == 'v' && name.ends_with(".metadata.json") &&
        std::from_chars(name.data() + 1, name.data() + name.size() - 14, n).ec == std::errc())
      highest = std::max(highest, n);
  }
  return highest;
}

// A table uuid that is the same every time the table is written.
std::string TableUuid(const std::string& product_id, int64_t major) {
  std::string h = Sha256Hex(fmt::format("weft-table:{}:{}", product_id, major)).substr(0, 32);
  h[12] = '4';  // a version-4 shape, as readers expect
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// Makes sure every live snapshot of the table has its Iceberg files,
// oldest first (so each one's parent is there before it), and returns the
// sidecars oldest first.
Result<std::vector<SnapshotSidecar>> Sidecars(const std::vector<catalog::SnapshotRecord>& oldest_first,
                                              storage::FileSystem& fs) {
  std::vector<SnapshotSidecar> out;
  std::map<std::string, size_t> by_id;
  for (const auto& s : oldest_first) {
    Result<SnapshotSidecar> sidecar = ReadSidecar(s.path);
    if (sidecar.status().code() == StatusCode::kNotFound) {
      // Written before weft made Iceberg files: make them now. The parent is
      // the snapshot this one replaced, when still kept, else the one before it.
      std::optional<SnapshotSidecar> parent;
      fs::path parent_dir;
      auto p = by_id.find(s.parent_id);
      if (p != by_id.end()) {
        parent = out[p->second];
        parent_dir = oldest_first[p->second].path;
      } else if (!out.empty()) {
        parent = out.back();
        parent_dir = oldest_first[out.size() - 1].path;
      }
      RETURN_IF_ERROR(WriteSnapshotFiles({.fs = fs, .write_dir = s.path, .final_dir = s.path, .mode = "upgrade",
                                          .contract_version = s.contract_version,
                                          .timestamp_ms = ParseIsoMillis(s.created_at).value_or(0), .parent = parent,
                                          .source_kind = parent ? SnapshotFilesRequest::Source::kParent
                                                                : SnapshotFilesRequest::Source::kNone,
                                          .source = parent, .source_dir = parent_dir})
                          .WithContext("while writing the Iceberg files of snapshot " + s.id));
      sidecar = ReadSidecar(s.path);
    }
    if (!sidecar.ok()) return sidecar.status().WithContext("snapshot " + s.id + " of " + s.product_id);
    by_id[s.id] = out.size();
    out.push_back(std::move(*sidecar));
  }
  return out;
}

// An exclusive flock(2) on a table's lock file, released when destroyed.
class TableLock {
 public:
  static Result<TableLock> Take(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    if (::flock(fd, LOCK_EX) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError(fmt::format("cannot lock {}: {}", path.string(), std::strerror(err)));
    }
    return TableLock(fd);
  }
  TableLock(TableLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  TableLock& operator=(TableLock&&) = delete;
  ~TableLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  explicit TableLock(int fd) : fd_(fd) {}
  int fd_;
};

// The metadata JSON without metadata-log (which depends on what was written before).
json TableJson(const catalog::PortVersionRecord& port, const std::vector<SnapshotSidecar>& sidecars,
               const std::vector<catalog::SnapshotRecord>& oldest_first) {
  const fs::path version_dir = port.storage_path;
  json snapshots = json::array(), log = json::array(), schemas = json::array();
  std::set<int> schema_ids;
  int64_t last_sequence = 0;
  int last_column_id = 0;
  for (size_t i = 0; i < sidecars.size(); ++i) {
    const SnapshotSidecar& s = sidecars[i];
    json snap = {{"snapshot-id", s.snapshot_id},
                 {"sequence-number", s.sequence_number},
                 {"timestamp-ms", s.timestamp_ms},
                 {"manifest-list", FileUri((MetadataDir(oldest_first[i].path) / s.manifest_list).string())},
                 {"summary", s.summary},
                 {"schema-id", s.schema.at("schema-id")}};
    if (s.parent_snapshot_id) snap["parent-snapshot-id"] = *s.parent_snapshot_id;
    snapshots.push_back(std::move(snap));
    log.push_back({{"timestamp-ms", s.timestamp_ms}, {"snapshot-id", s.snapshot_id}});
    if (schema_ids.insert(s.schema.at("schema-id").get<int>()).second) schemas.push_back(s.schema);
    last_sequence = std::max(last_sequence, s.sequence_number);
    last_column_id = std::max({last_column_id, s.last_column_id, HighestFieldId(s.schema)});
  }
  std::sort(schemas.begin(), schemas.end(), [](const json& a, const json& b) { return a["schema-id"] < b["schema-id"]; });
  json properties = {{"weft.product", port.product_id},
                     {"weft.major", std::to_string(port.major)},
                     {"weft.contract-version", port.version},
                     {"write.parquet.compression-codec", "zstd"}};
  json t = {{"format-version", 2},
            {"table-uuid", TableUuid(port.product_id, port.major)},
            {"location", FileUri(version_dir.string())},
            {"last-sequence-number", last_sequence},
            {"last-column-id", last_column_id},
            {"schemas", schemas},
            {"default-spec-id", 0},
            {"partition-specs", json::array({{{"spec-id", 0}, {"fields", json::array()}}})},
            {"last-partition-id", 999},  // no partition fields; Iceberg's "none yet"
            {"default-sort-order-id", 0},
            {"sort-orders", json::array({{{"order-id", 0}, {"fields", json::array()}}})},
            {"snapshots", snapshots},
            {"snapshot-log", log},
            {"refs", json::object()}};
  if (sidecars.empty()) {
    t["current-schema-id"] = 0;
    t["schemas"] = json::array({{{"type", "struct"}, {"schema-id", 0}, {"fields", json::array()}}});
    t["current-snapshot-id"] = -1;  // v2's "no current snapshot"
    t["last-updated-ms"] = 0;
  } else {
    const SnapshotSidecar& current = sidecars.back();
    t["current-schema-id"] = current.schema.at("schema-id");
    t["current-snapshot-id"] = current.snapshot_id;
    t["last-updated-ms"] = current.timestamp_ms;
    t["refs"]["main"] = {{"snapshot-id", current.snapshot_id}, {"type", "branch"}};
    properties["weft.snapshot-id"] = current.weft_snapshot_id;
    properties["schema.name-mapping.default"] = NameMapping(current.schema).dump();
  }
  t["properties"] = properties;
  return t;
}

}  // namespace

Result<LoadedTable> SyncTable(catalog::Store& store, const std::string& product_id, int64_t major, storage::FileSystem& fs) {
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  auto port = std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.product_id == product_id && p.major == major; });
  if (port == ports.end()) return Status::NotFound(fmt::format("{} has no major version {}", product_id, major));
  // One sync of a table at a time (across processes too): each reads the
  // catalog and writes v<N+1>, so two at once could leave the older state last.
  const fs::path metadata_dir = fs::path(port->storage_path) / "metadata";
  RETURN_IF_ERROR(fs.CreateDirectories(metadata_dir, storage::kOwnerOnly, nullptr));
  ASSIGN_OR_RETURN(TableLock lock, TableLock::Take(metadata_dir / ".lock"));
  ASSIGN_OR_RETURN(auto all, store.ListSnapshots(product_id));
  std::vector<catalog::SnapshotRecord> oldest_first;
  for (auto it = all.rbegin(); it != all.rend(); ++it)  // the catalog lists newest first
    if (it->major == major) oldest_first.push_back(*it);
  const std::string context = fmt::format("while writing the Iceberg table of {}_v{}", product_id, major);
  Result<std::vector<SnapshotSidecar>> sidecars = Sidecars(oldest_first, fs);
  if (!sidecars.ok()) return sidecars.status().WithContext(context);

  const fs::path version_dir = port->storage_path;
  const fs::path dir = version_dir / "metadata";
  // A current snapshot that is no Iceberg snapshot: no table now. The
  // metadata of the last Iceberg state would show readers by path old rows
  // as current, so its version hint goes (the v<N> files stay, and the
  // numbering goes on from them when the table is one again).
  if (!sidecars->empty() && !sidecars->back().not_iceberg.empty()) {
    std::error_code ec;
    if (fs::exists(dir / kHint, ec)) {
      RETURN_IF_ERROR(fs.RemoveAll(dir / kHint).WithContext(context));
      RETURN_IF_ERROR(fs.Sync(dir).WithContext(context));
    }
    return LoadedTable{.not_iceberg = sidecars->back().not_iceberg};
  }
  // The metadata lists the live snapshots that are Iceberg snapshots.
  std::vector<SnapshotSidecar> listed;
  std::vector<catalog::SnapshotRecord> listed_records;
  for (size_t i = 0; i < sidecars->size(); ++i) {
    if (!(*sidecars)[i].not_iceberg.empty()) continue;
    listed.push_back(std::move((*sidecars)[i]));
    listed_records.push_back(oldest_first[i]);
  }
  json table = TableJson(*port, listed, listed_records);

  Result<LoadedTable> loaded = LoadTableMetadata(version_dir);
  json metadata_log = json::array();
  if (loaded.ok()) {
    json current = loaded->metadata;
    metadata_log = current.value("metadata-log", json::array());
    current.erase("metadata-log");
    if (current == table) return loaded;  // up to date: write nothing
    metadata_log.push_back({{"timestamp-ms", current.value("last-updated-ms", int64_t{0})}, {"metadata-file", loaded->metadata_location}});
    if (metadata_log.size() > kMetadataLogMax) metadata_log.erase(metadata_log.begin());
  }
  table["metadata-log"] = metadata_log;

  RETURN_IF_ERROR(fs.CreateDirectories(dir, storage::kOwnerOnly, nullptr).WithContext(context));
  const int version = HighestVersion(dir) + 1;
  LoadedTable t{.metadata_file = dir / fmt::format("v{}.metadata.json", version)};
  t.metadata_location = FileUri(t.metadata_file.string());
  RETURN_IF_ERROR(WriteAtomically(fs, t.metadata_file, table.dump(2)).WithContext(context));
  RETURN_IF_ERROR(WriteAtomically(fs, dir / kHint, std::to_string(version)).WithContext(context));
  RETURN_IF_ERROR(fs.Sync(dir).WithContext(context));
  t.metadata = std::move(table);
  return t;
}

Result<int> SyncAllTables(catalog::Store& store, storage::FileSystem& fs) {
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  int rewritten = 0;
  std::vector<std::string> failures;
  std::set<std::pair<std::string, int64_t>> done;
  for (const auto& p : ports) {
    std::error_code ec;
    if (!done.insert({p.product_id, p.major}).second || !fs::is_directory(p.storage_path, ec)) continue;  // not provisioned
    const auto before = LoadTableMetadata(p.storage_path);
    auto synced = SyncTable(store, p.product_id, p.major, fs);
    if (!synced.ok()) {
      failures.push_back(std::string(synced.status().message()));
      continue;
    }
    // A table that is none now was rewritten when its version hint went.
    if (synced->not_iceberg.empty() ? !before.ok() || before->metadata_file != synced->metadata_file : before.ok())
      ++rewritten;
  }
  if (!failures.empty()) return Status::Internal(fmt::format("{} table(s) could not be written: {}", failures.size(), Join(failures, "; ")));
  return rewritten;
}

}  // namespace weft::lakehouse
