// Immutable snapshots of a product major, committed atomically.
//
// A writer stages files in <version dir>/.staging/<id>/, then Seal() fsyncs
// every file and the directory and renames it to <version dir>/snapshots/<id>
// (fsyncing the parent). Only then does the caller commit the snapshot's
// catalog row. A crash before the rename leaves a staging directory; after
// the rename but before the commit, an orphan snapshot directory. Neither is
// visible to readers (they list snapshots from the catalog), and `weft gc`
// removes both. So the current snapshot is always the old or the new one,
// never a mix. Layout and format: docs/storage.md.
//
//   ASSIGN_OR_RETURN(SnapshotWriter w, SnapshotWriter::Begin(fs, version_dir, NewSnapshotId()));
//   ... DuckDB: COPY valid TO '<w.staging_dir()>/part-0.parquet' (FORMAT parquet, COMPRESSION zstd) ...
//   ASSIGN_OR_RETURN(SealedSnapshot s, w.Seal());        // s.path, s.files, s.bytes
//   RETURN_IF_ERROR(CommitInCatalog(...));               // or RemoveSealed(fs, s) on failure
//
// Thread safety: a SnapshotWriter belongs to one thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/file_system.h"

namespace weft::storage {

// A new snapshot id: UTC time to the microsecond plus random bits, so ids
// sort by creation time and never collide.
std::string NewSnapshotId();

// The one subdirectory a snapshot may hold: its own metadata files (the
// Iceberg manifests, lakehouse/table_metadata.h), flat. Seal() fsyncs them
// with the snapshot; they are not data files (not in files or bytes).
constexpr char kSnapshotMetadataDir[] = "metadata";

struct SealedSnapshot {
  std::string id;
  std::filesystem::path path;  // <version dir>/snapshots/<id>
  std::vector<std::filesystem::path> files;  // the data files, not metadata/'s
  int64_t bytes = 0;
};

class SnapshotWriter {
 public:
  static Result<SnapshotWriter> Begin(FileSystem& fs, const std::filesystem::path& version_dir, std::string id);
  SnapshotWriter(SnapshotWriter&&) noexcept;
  SnapshotWriter& operator=(SnapshotWriter&&) = delete;
  ~SnapshotWriter();  // aborts (removes the staging directory) unless sealed

  const std::string& id() const { return id_; }
  const std::filesystem::path& staging_dir() const { return staging_; }

  // Adds a file to the snapshot without copying it: a hard link of a file of
  // an earlier snapshot (append mode shares the unchanged files).
  Status LinkExisting(const std::filesystem::path& file, const std::string& name);

  // fsyncs, renames into snapshots/, fsyncs the parent. After Seal the
  // writer no longer owns the directory.
  Result<SealedSnapshot> Seal();
  void Abort();

 private:
  SnapshotWriter(FileSystem& fs, std::filesystem::path version_dir, std::string id);
  FileSystem* fs_;
  std::filesystem::path version_dir_;
  std::string id_;
  std::filesystem::path staging_;
  bool open_ = false;
};

// Removes a sealed snapshot directory whose catalog commit failed.
Status RemoveSealed(FileSystem& fs, const SealedSnapshot& s);

// The data files of a snapshot directory (its *.parquet parts), sorted, as
// absolute paths: what readers of a committed snapshot scan.
std::vector<std::string> SnapshotDataFiles(const std::filesystem::path& dir);

}  // namespace weft::storage
