// Compaction: a product major's small data files merged into larger ones
// (docs/streaming.md). A streaming product commits a file a second, and
// every snapshot links all of its parent's files: without compaction a
// snapshot of a day-old stream has 86,400 files, each publish links them all
// and each query opens them all.
//
//   ASSIGN_OR_RETURN(CompactReport r, Compact(store, {.product = "inventory.stock_levels", .actor = "heidi"}));
//
// Compact reads the current snapshot P, merges its older files — all but
// the newest `keep_newest`, in order, into files of up to `target_bytes`;
// a file already half that size (an earlier merge) is left as it is, so no
// large file is rewritten again and again —
// into a private staging directory, then commits a new snapshot (mode
// "compact") holding the merged files, links of P's newest files and links
// of any file appended since P (a stream does not wait for a compaction:
// the new snapshot is rebased on the current one at commit, under the write
// lock, and retried if another batch lands meanwhile). So:
//   - the new snapshot returns the same rows, in the same order, as the
//     current one it was committed on;
//   - every earlier snapshot keeps its own files: time travel (`--at`) is
//     unchanged, and gc's retention removes them as any snapshot;
//   - the merged files record which appended files they hold
//     (storage/file_lineage.h), so the change feed follows through it;
//   - its created_at is the compacted snapshot's (plus 1 ms), and the
//     monitor does not count it as a publish: a compaction never makes a
//     stalled stream look fresh.
//
// Thread safety: as Publish; concurrent compactions of one product: one
// commits, the other finds the snapshot changed in a way it cannot rebase
// on and reports FailedPrecondition.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "quality/snapshot_hook.h"
#include "storage/file_system.h"

namespace weft::quality {

struct CompactRequest {
  std::string product;  // DOMAIN.PRODUCT
  int64_t major = 0;    // 0: the newest major that is not retired
  // Nothing is done unless the current snapshot has more data files than this.
  size_t min_files = 64;
  // The newest files stay as they are: change-feed consumers are usually
  // there, and reading them needs no partial file.
  size_t keep_newest = 8;
  int64_t target_bytes = 128LL << 20;
  std::string actor;
  int threads = 0;
  std::string memory_limit;
  std::filesystem::path temp_dir;
  storage::FileSystem* fs = nullptr;      // null: storage::DefaultFileSystem()
  SnapshotHook* snapshot_hook = nullptr;  // the Iceberg files, as a publish's
};

struct CompactReport {
  bool compacted = false;  // false: nothing to gain (`note` says why), nothing changed
  std::string note;
  std::string product_id;
  int64_t major = 0;
  std::string snapshot_id;         // the new snapshot
  std::string parent_snapshot_id;  // the one it was committed on
  int64_t files_before = 0;        // of the parent
  int64_t files_after = 0;
  int64_t rows = 0;
  double seconds = 0;
  std::vector<std::string> warnings;
};

Result<CompactReport> Compact(catalog::Store& store, const CompactRequest& request);

}  // namespace weft::quality
