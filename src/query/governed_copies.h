// What a caller's engine may read of one product snapshot (engine_pool.h):
//   - the snapshot's own files, when the caller may see every column of it
//     unmasked and every row (its owners; a whole grant): zero-copy;
//   - otherwise a governed copy: the snapshot with the caller's masks and
//     row filter applied, written once as Parquet by a trusted engine that
//     runs only weft's own SQL (the key lives there, in weft_hmac), and
//     kept for the next query of the same profile.
// Copies live in <cache>/<snapshot id>/<profile>/ where the profile is a
// hash of the select list, the row filter (with the caller's attributes
// substituted) and the key's fingerprint: callers with the same rights on
// the same snapshot share one copy; any other difference is another copy.
// A copy is built in a private directory and renamed into place, so a
// crash leaves no half copy behind. Snapshots are immutable, so a copy never
// goes stale; `weft gc` removes the copies of snapshots it removes
// (RemoveCopiesExcept).
//
//   GovernedCopies copies({.root = ws / "cache/governed", .key = secret});
//   ASSIGN_OR_RETURN(ReadableSnapshot r, copies.For(snapshot_id, snapshot_dir, access));
//   // r.files: the only files the caller's engine gets for this relation
//
// Thread safety: For may be called concurrently; two callers needing the
// same copy build it once.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "common/status.h"

namespace weft::query {

struct GovernedCopiesOptions {
  std::filesystem::path root;  // <workspace>/cache/governed
  std::string key;             // the workspace secret: hash masks
  int threads = 0;
  std::string memory_limit;
  std::filesystem::path temp_dir;
};

struct ReadableSnapshot {
  std::vector<std::string> files;
  bool copy = false;      // false: the snapshot's own files
  bool built = false;     // this call built the copy (the first query of the profile)
  bool no_rows = false;   // ForChanges with nothing appended: `files` give the columns, no row is read
};

class GovernedCopies {
 public:
  explicit GovernedCopies(GovernedCopiesOptions options) : options_(std::move(options)) {}

  Result<ReadableSnapshot> For(const std::string& snapshot_id, const std::filesystem::path& snapshot_dir,
                               const access::ReadAccess& access);

  // The rows appended to snapshot `since` to make `snapshot` (a change
  // feed, QueryRequest::since), readable as For reads a snapshot: the rows
  // of `snapshot` after `since`'s leaves (storage/file_lineage.h: an append
  // keeps its parent's files as hard links, compaction merges files in
  // order and records what it merged). Nothing appended: no_rows, with one
  // file for the columns. FailedPrecondition ("reset: ...") when `snapshot`
  // does not begin with `since`'s leaves: a replace, run or rollback came
  // between, and the feed must start again from `snapshot`.
  Result<ReadableSnapshot> ForChanges(const std::string& since_id, const std::filesystem::path& since_dir,
                                      const std::string& snapshot_id, const std::filesystem::path& snapshot_dir,
                                      const access::ReadAccess& access);

  // Removes the copies of every snapshot not in `keep` (snapshot ids).
  Status RemoveCopiesExcept(const std::set<std::string>& keep) const;

 private:
  // A Parquet file of `file`'s rows after the first `skip_rows`, built once
  // under the copies' directory (a change feed that starts inside a
  // compacted file).
  Result<std::string> TailOf(const std::string& id, const std::string& file, int64_t skip_rows);
  // For over a list of files (a snapshot's, or the ones a change feed reads).
  Result<ReadableSnapshot> ForFiles(const std::string& id, std::vector<std::string> files,
                                    const access::ReadAccess& access);
  Result<std::vector<std::string>> FileColumns(const std::string& snapshot_id, const std::vector<std::string>& files);
  Status Build(const std::vector<std::string>& files, const access::ReadAccess& access,
               const std::filesystem::path& dir) const;

  const GovernedCopiesOptions options_;
  std::mutex mu_;
  // Protected by mu_: the column names of each snapshot's files (immutable).
  std::map<std::string, std::vector<std::string>> columns_;
  // Protected by mu_: the data files of each snapshot directory. A committed
  // snapshot's directory never changes, and listing it was a twentieth of a
  // trivial query's CPU.
  std::map<std::string, std::vector<std::string>> listed_;
  // Protected by build_mu_: held while a copy is built, so it is built once.
  std::mutex build_mu_;
};

}  // namespace weft::query
