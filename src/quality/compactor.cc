#include "quality/compactor.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "common/strings.h"
#include "common/time.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/snapshot_commit.h"
#include "storage/file_lineage.h"
#include "storage/snapshot.h"

namespace weft::quality {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One file of the new snapshot before the rebase: a merged file in the
// scratch directory, or a file of the parent as it is.
struct Output {
  fs::path file;
  std::vector<storage::Leaf> leaves;
};

// The leaves of `f`, each with its rows: recorded for a merged file, read
// from the Parquet footer for a file that is its own leaf.
Result<std::vector<storage::Leaf>> LeavesWithRows(engine::Connection& conn, const storage::FileLeaves& f) {
  std::vector<storage::Leaf> out = f.leaves;
  for (auto& l : out) {
    if (l.rows >= 0) continue;
    ASSIGN_OR_RETURN(engine::QueryResult r,
                     conn.Query("SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(" + SqlQuote(f.file) + ")"));
    ASSIGN_OR_RETURN(l.rows, r.ScalarInt64());
  }
  return out;
}

bool SameFiles(const std::vector<storage::FileLeaves>& parent, const std::vector<storage::FileLeaves>& current) {
  if (current.size() < parent.size()) return false;
  for (size_t i = 0; i < parent.size(); ++i) {
    if (parent[i].leaves.size() != current[i].leaves.size()) return false;
    for (size_t j = 0; j < parent[i].leaves.size(); ++j)
      if (parent[i].leaves[j].id != current[i].leaves[j].id) return false;
  }
  return true;
}

class Compactor {
 public:
  Compactor(catalog::Store& store, const CompactRequest& req)
      : store_(store), req_(req), fs_(req.fs ? *req.fs : storage::DefaultFileSystem()) {}
  ~Compactor() {
    std::error_code ec;
    if (!scratch_.empty()) fs::remove_all(scratch_, ec);
  }

  Result<CompactReport> Run() {
    const auto start = Clock::now();
    RETURN_IF_ERROR(Resolve());
    if (!parent_) {
      report_.note = "no snapshot yet";
      return report_;
    }
    ASSIGN_OR_RETURN(parent_files_, storage::SnapshotLeaves(parent_->path));
    report_.files_before = static_cast<int64_t>(parent_files_.size());
    if (parent_files_.size() <= req_.min_files) {
      report_.note = fmt::format("{} data file(s), no more than {}", parent_files_.size(), req_.min_files);
      return report_;
    }
    ASSIGN_OR_RETURN(bool merged, Merge());
    if (!merged) return report_;
    RETURN_IF_ERROR(CommitRebased());
    report_.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return report_;
  }

 private:
  Status Resolve() {
    report_.product_id = req_.product;
    ASSIGN_OR_RETURN(auto ports, store_.ListPortVersions());
    for (const auto& pv : ports) {
      if (pv.product_id != req_.product) continue;
      if (req_.major ? pv.major != req_.major : pv.status == "retired") continue;
      if (!port_ || pv.major > port_->major) port_ = pv;
    }
    if (!port_)
      return Status::NotFound(req_.major ? fmt::format("product '{}' has no version v{}", req_.product, req_.major)
                                         : "product '" + req_.product + "' has no active output port version");
    report_.major = port_->major;
    ASSIGN_OR_RETURN(auto snapshots, store_.ListSnapshots(req_.product));
    for (const auto& s : snapshots)
      if (s.major == port_->major) {
        parent_ = s;
        break;
      }
    return Status::Ok();
  }

  // Groups the parent's older files, in order, up to the target size; a
  // group of two or more is merged into one file of the scratch directory.
  // False when no group has two files (nothing to gain).
  Result<bool> Merge() {
    const size_t older = parent_files_.size() > req_.keep_newest ? parent_files_.size() - req_.keep_newest : 0;
    std::vector<std::vector<size_t>> groups;
    int64_t group_bytes = 0;
    for (size_t i = 0; i < older; ++i) {
      std::error_code ec;
      const auto size = static_cast<int64_t>(fs::file_size(parent_files_[i].file, ec));
      if (ec) return Status::IoError("cannot read the size of " + parent_files_[i].file + ": " + ec.message());
      // A file already half the target (an earlier merge) stays as it is:
      // a compaction rewrites small files, never the same large one again.
      const bool large = size >= req_.target_bytes / 2;
      if (groups.empty() || large || group_bytes + size > req_.target_bytes || group_bytes >= req_.target_bytes / 2) {
        groups.emplace_back();
        group_bytes = 0;
      }
      groups.back().push_back(i);
      group_bytes += size;
    }
    if (std::none_of(groups.begin(), groups.end(), [](const auto& g) { return g.size() > 1; })) {
      report_.note = fmt::format("{} data files: the newest {} stay as they are, and no two older ones are small enough "
                                 "to merge",
                                 parent_files_.size(), std::min(req_.keep_newest, parent_files_.size()));
      return false;
    }

    snapshot_id_ = storage::NewSnapshotId();
    scratch_ = fs::path(port_->storage_path) / ".staging" / ("compaction-" + snapshot_id_);
    RETURN_IF_ERROR(fs_.CreateDirectories(scratch_, storage::kOwnerOnly, nullptr));
    engine::DatabaseConfig config{.threads = req_.threads, .memory_limit = req_.memory_limit};
    if (!req_.temp_dir.empty()) {
      RETURN_IF_ERROR(fs_.CreateDirectories(req_.temp_dir, storage::kOwnerOnly, nullptr));
      config.options["temp_directory"] = req_.temp_dir.string();
    }
    ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
    ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
    for (const auto& group : groups) {
      if (group.size() == 1) {
        ASSIGN_OR_RETURN(auto leaves, LeavesWithRows(conn, parent_files_[group[0]]));
        outputs_.push_back({.file = parent_files_[group[0]].file, .leaves = std::move(leaves)});
        continue;
      }
      Output out{.file = scratch_ / fmt::format("merged-{:05d}.parquet", outputs_.size())};
      std::vector<std::string> quoted;
      for (size_t i : group) {
        quoted.push_back(SqlQuote(parent_files_[i].file));
        ASSIGN_OR_RETURN(auto leaves, LeavesWithRows(conn, parent_files_[i]));
        out.leaves.insert(out.leaves.end(), leaves.begin(), leaves.end());
      }
      const std::string list = "[" + Join(quoted, ", ") + "]";
      // The rows in the order the files held them: what the snapshot returned.
      rows_sql_ = "SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet(" + list +
                  ", filename = true, file_row_number = true) ORDER BY list_position(" + list +
                  ", filename), file_row_number";
      std::string options;
      if (req_.snapshot_hook) {
        ASSIGN_OR_RETURN(options, req_.snapshot_hook->CopyOptions(conn, Context(parent_->id, parent_->path)));
      }
      RETURN_IF_ERROR(conn.Execute("COPY (" + rows_sql_ + ") TO " + SqlQuote(out.file.string()) +
                                   " (FORMAT parquet, COMPRESSION zstd" + options + ")")
                          .WithContext("while merging files of " + req_.product));
      outputs_.push_back(std::move(out));
    }
    for (size_t i = older; i < parent_files_.size(); ++i) {
      ASSIGN_OR_RETURN(auto leaves, LeavesWithRows(conn, parent_files_[i]));
      outputs_.push_back({.file = parent_files_[i].file, .leaves = std::move(leaves)});
    }
    db_.emplace(std::move(db));
    return true;
  }

  SnapshotContext Context(const std::string& parent_id, const fs::path& parent_dir) const {
    return {.product_id = req_.product, .major = port_->major, .version_dir = port_->storage_path,
            .snapshot_id = snapshot_id_, .parent_snapshot_id = parent_id, .parent_dir = parent_dir,
            .mode = "compact", .contract_version = parent_->contract_version, .rows_sql = rows_sql_,
            .added_files = {}};
  }

  // The merged files with the current snapshot's: whatever was appended
  // since the parent comes after them, linked. Retried when another batch
  // commits between the rebase and the commit.
  Status CommitRebased() {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      bool raced = false;
      Status s = CommitOnce(raced);
      if (s.ok() || !raced || attempt == kAttempts) return s;
      snapshot_id_ = storage::NewSnapshotId();
    }
  }

  Status CommitOnce(bool& raced) {
    ASSIGN_OR_RETURN(auto snapshots, store_.ListSnapshots(req_.product));
    const catalog::SnapshotRecord* current = nullptr;
    for (const auto& s : snapshots)
      if (s.major == port_->major) {
        current = &s;
        break;
      }
    if (!current) return Status::FailedPrecondition("the snapshots of " + req_.product + " were removed during the compaction");
    ASSIGN_OR_RETURN(auto current_files, storage::SnapshotLeaves(current->path));
    if (!SameFiles(parent_files_, current_files))
      return Status::FailedPrecondition(fmt::format(
          "{}_v{} changed in a way a compaction cannot follow (a replace, rollback or another compaction since "
          "snapshot {}); nothing was changed",
          req_.product, port_->major, parent_->id));

    ASSIGN_OR_RETURN(storage::SnapshotWriter writer, storage::SnapshotWriter::Begin(fs_, port_->storage_path, snapshot_id_));
    std::vector<std::pair<std::string, std::vector<storage::Leaf>>> lineage;
    size_t part = 0;
    for (const auto& o : outputs_) {
      if (o.leaves.size() > 1) lineage.emplace_back(PartName(part), o.leaves);
      RETURN_IF_ERROR(writer.LinkExisting(o.file, PartName(part++)));
    }
    for (size_t i = parent_files_.size(); i < current_files.size(); ++i) {
      if (current_files[i].leaves.size() > 1 || current_files[i].leaves[0].rows >= 0)
        lineage.emplace_back(PartName(part), current_files[i].leaves);
      RETURN_IF_ERROR(writer.LinkExisting(current_files[i].file, PartName(part++)));
    }
    RETURN_IF_ERROR(storage::WriteCompactionLineage(fs_, writer.staging_dir(), lineage));
    if (req_.snapshot_hook) {
      engine::Connection* conn = nullptr;
      std::optional<engine::Connection> own;
      if (db_) {
        ASSIGN_OR_RETURN(engine::Connection c, engine::Connection::Open(*db_));
        own.emplace(std::move(c));
        conn = &*own;
      }
      RETURN_IF_ERROR(req_.snapshot_hook->BeforeSeal(conn, Context(current->id, current->path), writer.staging_dir()));
    }
    ASSIGN_OR_RETURN(storage::SealedSnapshot sealed, writer.Seal());
    Status committed = Record(*current, sealed, current_files.size(), raced);
    if (!committed.ok()) {
      storage::RemoveSealed(fs_, sealed).IgnoreError();
      return committed.WithContext("while committing the compaction of " + req_.product);
    }
    report_.compacted = true;
    report_.snapshot_id = sealed.id;
    report_.parent_snapshot_id = current->id;
    report_.files_before = static_cast<int64_t>(current_files.size());
    report_.files_after = static_cast<int64_t>(sealed.files.size());
    report_.rows = current->rows;
    if (req_.snapshot_hook) {
      Result<std::string> notice = req_.snapshot_hook->AfterCommit(Context(current->id, current->path));
      if (!notice.ok()) report_.warnings.push_back("the Iceberg table metadata was not updated: " + notice.status().message());
      else if (!notice->empty()) report_.warnings.push_back(*notice);
    }
    return Status::Ok();
  }

  // One transaction: the publish record (mode compact), the snapshot with
  // the current one's rows, checksum, quality and profile, and the audit.
  Status Record(const catalog::SnapshotRecord& current, const storage::SealedSnapshot& sealed, size_t files_before,
                bool& raced) {
    const std::string now = NowIso();
    const std::string publish_id = storage::NewSnapshotId();
    ASSIGN_OR_RETURN(std::optional<catalog::SnapshotProfileRecord> profile, store_.FindSnapshotProfile(current.id));
    ASSIGN_OR_RETURN(auto txn, store_.BeginWrite());
    // Dated just after the snapshot it compacts: the data is no fresher.
    ASSIGN_OR_RETURN(std::string created_at,
                     CheckParentIsCurrent(*txn, req_.product, port_->major, current.id, current.created_at, &raced));
    const std::string message = fmt::format("compacted {} files into {}", files_before, sealed.files.size());
    RETURN_IF_ERROR(txn->InsertPublish({.id = publish_id, .product_id = req_.product, .major = port_->major,
                                        .actor = req_.actor, .started_at = now, .finished_at = now,
                                        .outcome = "published", .mode = "compact", .snapshot_id = sealed.id,
                                        .rows_in = current.rows, .rows_valid = current.rows, .rows_quarantined = 0,
                                        .input_checksum = current.input_checksum, .input_archive = "",
                                        .quarantine_path = "", .message = message}));
    RETURN_IF_ERROR(txn->InsertSnapshot({.id = sealed.id, .product_id = req_.product, .major = port_->major,
                                         .parent_id = current.id, .created_at = created_at,
                                         .path = sealed.path.string(), .rows = current.rows, .bytes = sealed.bytes,
                                         .files = static_cast<int64_t>(sealed.files.size()),
                                         .contract_version = current.contract_version,
                                         .input_checksum = current.input_checksum, .publish_id = publish_id,
                                         .quality_json = current.quality_json}));
    if (profile)
      RETURN_IF_ERROR(txn->InsertSnapshotProfile({.snapshot_id = sealed.id, .product_id = req_.product,
                                                  .computed_at = profile->computed_at, .columns_json = profile->columns_json}));
    RETURN_IF_ERROR(txn->AppendAudit({.actor = req_.actor, .action = "product.compact", .object = "product:" + req_.product,
                                      .after_digest = current.input_checksum,
                                      .detail = message + " (snapshot " + sealed.id + " of " + current.id + ")"}));
    return txn->Commit();
  }

  catalog::Store& store_;
  const CompactRequest& req_;
  storage::FileSystem& fs_;
  CompactReport report_;
  std::optional<catalog::PortVersionRecord> port_;
  std::optional<catalog::SnapshotRecord> parent_;
  std::vector<storage::FileLeaves> parent_files_;
  std::vector<Output> outputs_;
  std::string snapshot_id_;
  std::string rows_sql_;  // of the last merged file: the hook derives the Iceberg schema from it
  fs::path scratch_;
  std::optional<engine::Database> db_;
};

}  // namespace

Result<CompactReport> Compact(catalog::Store& store, const CompactRequest& request) {
  Compactor compactor(store, request);
  return compactor.Run();
}

}  // namespace weft::quality
