// The Iceberg files of one weft snapshot, in <snapshot dir>/metadata/: the
// manifest, the manifest list and the sidecar (table_metadata.h has the
// layout). Internal to lakehouse/: the hook writes them into a staging
// directory before Seal, SyncTable into sealed snapshots that lack them.
//
// Entries: a data file that is a hard link of the source snapshot's file
// of the same name keeps that file's stats; with Source::kParent (append,
// upgrade) it is EXISTING with its original snapshot id and sequence
// numbers, with Source::kRestored (rollback) it is ADDED again. Every other
// file is ADDED, its stats from its Parquet footer.
//
// No Iceberg snapshot (only a sidecar saying why, SnapshotSidecar::not_iceberg)
// when the caller already knows it is none (`not_iceberg`), when it shares a
// file with a source that is none, or when its files' columns have a type
// Iceberg cannot hold.
//
// Thread safety: one call per snapshot directory at a time.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "engine/connection.h"
#include "lakehouse/table_metadata.h"
#include "storage/file_system.h"

namespace weft::lakehouse {

struct SnapshotFilesRequest {
  enum class Source { kNone, kParent, kRestored };
  storage::FileSystem& fs;
  std::filesystem::path write_dir;  // where the data files are now (staging or sealed)
  std::filesystem::path final_dir;  // snapshots/<weft id>: what the URIs name
  std::string mode;                 // replace | append | run | rollback | upgrade (summary's weft.mode)
  std::string contract_version;
  int64_t timestamp_ms = 0;
  std::optional<SnapshotSidecar> parent;  // the table's current snapshot before this one
  Source source_kind = Source::kNone;
  std::optional<SnapshotSidecar> source;  // whose files this one links
  std::filesystem::path source_dir;
  engine::Connection* conn = nullptr;  // null: an in-memory DuckDB of its own, when footers must be read
  // Non-empty: no Iceberg snapshot, for this reason. The hook knows it from
  // the rows it wrote, whose types the files may not show (Parquet holds a
  // HUGEINT as a DOUBLE).
  std::string not_iceberg;
};

Status WriteSnapshotFiles(const SnapshotFilesRequest& request);

}  // namespace weft::lakehouse
