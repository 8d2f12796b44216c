// `weft check`: does what the catalog says agree with what the disk holds?
// Run after a crash, a restore or a copy, or any time (docs/reliability.md).
//
//   ASSIGN_OR_RETURN(CheckReport r, CheckStorage(*store, DefaultFileSystem(), roots, {.now = Clock::now()}));
//   if (!r.problems.empty()) ...   // committed state the disk does not back: never repaired, only reported
//   // r.garbage: what no committed state references (a gc dry run's staging,
//   // orphan and unrecorded removals); {.repair = true} removes it.
//
// What is checked, for every committed snapshot: its directory exists
// under a domain root; its data files are as many and as large as the
// catalog recorded; each is framed as Parquet ("PAR1" at both ends, so a
// truncated or overwritten file shows). For every recorded publish that
// archived its input: the archive exists, and for a one-file input its
// SHA-256 is the input checksum the publish recorded (a several-file
// archive does not keep the files' order, so only their presence is checked).
// Expired snapshots are gc's business, not a repair's: check never removes
// a committed snapshot.
//
// Thread safety: may run beside publishes; the grace keeps a running
// publish's files out of the garbage, as for gc.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "storage/file_system.h"
#include "storage/gc.h"

namespace weft::storage {

struct CheckOptions {
  std::chrono::system_clock::time_point now;
  bool repair = false;  // remove the garbage (staging, orphans, unrecorded archives and quarantine files)
  std::chrono::seconds grace = std::chrono::hours(1);
  std::string actor;
};

struct CheckProblem {
  std::string object;  // "snapshot:<id> of <product>_v<major>", "publish:<id> of <product>"
  std::string path;
  std::string problem;
};

struct CheckReport {
  int64_t snapshots = 0;  // committed snapshots checked
  int64_t files = 0;      // their data files
  int64_t archives = 0;   // publish archives checked
  std::vector<CheckProblem> problems;
  GcReport garbage;  // dry run unless repair
};

Result<CheckReport> CheckStorage(catalog::Store& store, FileSystem& fs, const std::vector<GcRoot>& roots,
                                 const CheckOptions& options);

}  // namespace weft::storage
