// Which rows each data file of a snapshot holds, as a sequence of leaves: a
// file an append wrote is one leaf (its rows, as first written); a file
// compaction merged (quality/compactor.h) holds, in order, the leaves of
// the files it merged, recorded beside it in the snapshot's
// metadata/weft-compaction.json. A leaf is named by the identity of the
// file that first held it (device, inode, size and modification time: the
// same through every hard link later snapshots make of it).
//
// The change feed (query/governed_copies.h) compares two snapshots by their
// leaves: T holds the rows appended after S when S's leaves are the start of
// T's, whether or not compaction merged files in between.
//
//   ASSIGN_OR_RETURN(std::vector<FileLeaves> files, SnapshotLeaves(dir));
//
// Thread safety: functions of the file system only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/file_system.h"

namespace weft::storage {

struct Leaf {
  std::string id;
  int64_t rows = -1;  // -1: not recorded (a file that is its own only leaf)
};

struct FileLeaves {
  std::string file;  // absolute path of the snapshot's data file
  std::vector<Leaf> leaves;
};

// The identity of a data file: what its leaf is named by.
Result<std::string> LeafIdOf(const std::filesystem::path& file);

// The data files of a snapshot directory (SnapshotDataFiles) with their leaves.
Result<std::vector<FileLeaves>> SnapshotLeaves(const std::filesystem::path& dir);

// Records, in a snapshot being staged, the leaves its merged files hold
// (file name -> leaves, each with its rows); SnapshotWriter::Seal makes it
// durable with the snapshot.
Status WriteCompactionLineage(FileSystem& fs, const std::filesystem::path& staging_dir,
                              const std::vector<std::pair<std::string, std::vector<Leaf>>>& merged);

// An append's new snapshot links its parent's files under the same names:
// it carries the parent's record of merged files along (none: nothing).
Status CarryCompactionLineage(FileSystem& fs, const std::filesystem::path& parent_dir,
                              const std::filesystem::path& staging_dir);

}  // namespace weft::storage
