// The one seam through which weft touches the files of domain storage roots
// (provisioning, snapshots, gc; quarantine and archives in the data plane),
// so tests can make a create, write, fsync or rename fail at a chosen point
// (LevelDB's Env habit).
//
//   FileSystem& fs = DefaultFileSystem();
//   std::vector<std::filesystem::path> created;
//   RETURN_IF_ERROR(fs.CreateDirectories(root / "products/orders/v1", kOwnerOnly, &created));
//
// Thread safety: DefaultFileSystem() is safe for concurrent use;
// FaultInjectingFileSystem's rules are guarded by a mutex.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::storage {

constexpr std::filesystem::perms kOwnerOnly = std::filesystem::perms::owner_all;

enum class FileOp { kCreateDir, kWrite, kSync, kRename, kRemove, kLink };
const char* FileOpName(FileOp op);

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `dir` and any missing parents with `perms`; appends each
  // directory it created (outermost first) to `created` so a caller can undo.
  virtual Status CreateDirectories(const std::filesystem::path& dir, std::filesystem::perms perms,
                                   std::vector<std::filesystem::path>* created) = 0;
  // Writes the whole file (replacing it) and fsyncs it.
  virtual Status WriteFile(const std::filesystem::path& path, std::string_view data) = 0;
  // fsync of a file or directory (a directory's fsync makes renames in it durable).
  virtual Status Sync(const std::filesystem::path& path) = 0;
  virtual Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  virtual Status RemoveAll(const std::filesystem::path& path) = 0;
  // Creates `link` as a hard link to the existing file `target`: both names
  // share one inode, so the file's bytes live until the last name goes.
  // Fails if `link` exists or the two are on different file systems.
  virtual Status Link(const std::filesystem::path& target, const std::filesystem::path& link) = 0;
};

FileSystem& DefaultFileSystem();

// Wraps another FileSystem and fails chosen operations: the n-th call (from
// 1) of `op` whose path contains `path_part` fails with an IoError. The path
// matched is the one the operation changes: the source of a rename, the new
// name of a link.
class FaultInjectingFileSystem : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& base) : base_(base) {}

  void FailNth(FileOp op, std::string path_part, int n = 1);
  void Clear();

  Status CreateDirectories(const std::filesystem::path& dir, std::filesystem::perms perms,
                           std::vector<std::filesystem::path>* created) override;
  Status WriteFile(const std::filesystem::path& path, std::string_view data) override;
  Status Sync(const std::filesystem::path& path) override;
  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status RemoveAll(const std::filesystem::path& path) override;
  Status Link(const std::filesystem::path& target, const std::filesystem::path& link) override;

 private:
  struct Rule {
    FileOp op;
    std::string path_part;
    int remaining;  // calls left before the one that fails
  };
  Status Check(FileOp op, const std::filesystem::path& path);

  FileSystem& base_;
  std::mutex mu_;
  std::vector<Rule> rules_;  // Protected by mu_
};

}  // namespace weft::storage
