#include "storage/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>
#include <utility>

namespace weft::storage {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStagingDir = ".staging";
constexpr const char* kSnapshotsDir = "snapshots";

// A file name inside a snapshot: one path component, so a name can never
// point outside the snapshot directory.
Status CheckFileName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name.front() == '.') {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a snapshot file name: use a plain name such as part-0.parquet (no '/', not hidden)", name));
  }
  return Status::Ok();
}

// The regular files of a staging directory, sorted by name, and those of its
// metadata subdirectory (kSnapshotMetadataDir: the snapshot's Iceberg files).
// Both are flat: any other subdirectory means a writer put something where
// it does not belong.
struct Staged {
  std::vector<fs::path> files;     // the snapshot's data files, at the top
  std::vector<fs::path> metadata;  // metadata/'s files
  bool has_metadata_dir = false;
};

Result<std::vector<fs::path>> FlatFiles(const fs::path& dir, bool allow_metadata_dir, bool* has_metadata_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (allow_metadata_dir && it->path().filename() == kSnapshotMetadataDir && it->is_directory(ec)) {
      *has_metadata_dir = true;
      continue;
    }
    if (!it->is_regular_file(ec)) {
      return Status::InvalidArgument(fmt::format(
          "{} holds {}, which is not a regular file; a snapshot is a flat directory of files (and {}/)", dir.string(),
          it->path().filename().string(), kSnapshotMetadataDir));
    }
    files.push_back(it->path());
  }
  if (ec) return Status::IoError(fmt::format("list {}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

Result<Staged> StagedFiles(const fs::path& dir) {
  Staged staged;
  ASSIGN_OR_RETURN(staged.files, FlatFiles(dir, true, &staged.has_metadata_dir));
  if (staged.has_metadata_dir) {
    ASSIGN_OR_RETURN(staged.metadata, FlatFiles(dir / kSnapshotMetadataDir, false, nullptr));
  }
  return staged;
}

}  // namespace

std::string NewSnapshotId() {
  const auto now = std::chrono::system_clock::now();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
  // The random suffix tells apart ids made in the same microsecond (two
  // processes publishing at once); random_device reads the OS's entropy.
  std::random_device random;
  const uint32_t suffix = random();
  return fmt::format("{}.{:06d}Z-{:08x}", stamp, micros % 1'000'000, suffix);
}

SnapshotWriter::SnapshotWriter(FileSystem& fs, fs::path version_dir, std::string id)
    : fs_(&fs), version_dir_(std::move(version_dir)), id_(std::move(id)) {
  staging_ = version_dir_ / kStagingDir / id_;
}

SnapshotWriter::SnapshotWriter(SnapshotWriter&& other) noexcept
    : fs_(other.fs_),
      version_dir_(std::move(other.version_dir_)),
      id_(std::move(other.id_)),
      staging_(std::move(other.staging_)),
      open_(std::exchange(other.open_, false)) {}

SnapshotWriter::~SnapshotWriter() { Abort(); }

Result<SnapshotWriter> SnapshotWriter::Begin(FileSystem& fs, const fs::path& version_dir, std::string id) {
  RETURN_IF_ERROR(CheckFileName(id).WithContext("snapshot id"));
  SnapshotWriter writer(fs, version_dir, std::move(id));
  std::vector<fs::path> created;
  Status s = fs.CreateDirectories(writer.staging_, kOwnerOnly, &created);
  if (!s.ok()) {
    // Undo exactly what this call created, innermost first.
    for (auto it = created.rbegin(); it != created.rend(); ++it) fs.RemoveAll(*it).IgnoreError();
    return s.WithContext(fmt::format("while creating the staging directory of snapshot {}", writer.id_));
  }
  // The directory exists already if it was not created just now: a reused
  // id would mix two writers' files.
  if (created.empty() || created.back() != writer.staging_) {
    return Status::AlreadyExists(fmt::format("staging directory {} exists already; use a new snapshot id",
                                             writer.staging_.string()));
  }
  writer.open_ = true;
  return writer;
}

Status SnapshotWriter::LinkExisting(const fs::path& file, const std::string& name) {
  if (!open_) return Status::FailedPrecondition(fmt::format("snapshot {} is not being written", id_));
  RETURN_IF_ERROR(CheckFileName(name));
  return fs_->Link(file, staging_ / name).WithContext(fmt::format("while adding {} to snapshot {}", name, id_));
}

Result<SealedSnapshot> SnapshotWriter::Seal() {
  if (!open_) return Status::FailedPrecondition(fmt::format("snapshot {} is not being written", id_));
  const std::string context = fmt::format("while sealing snapshot {}", id_);
  ASSIGN_OR_RETURN(Staged staged, StagedFiles(staging_));
  SealedSnapshot sealed{.id = id_, .path = version_dir_ / kSnapshotsDir / id_};

  // 1. Every file's bytes, then the staging directory's entries, on disk:
  //    after the rename nothing may still be in the page cache only. The
  //    metadata files are not the snapshot's data: not in files or bytes.
  for (const fs::path& file : staged.metadata) RETURN_IF_ERROR(fs_->Sync(file).WithContext(context));
  if (staged.has_metadata_dir) RETURN_IF_ERROR(fs_->Sync(staging_ / kSnapshotMetadataDir).WithContext(context));
  for (const fs::path& file : staged.files) {
    RETURN_IF_ERROR(fs_->Sync(file).WithContext(context));
    std::error_code ec;
    const uintmax_t size = fs::file_size(file, ec);
    if (ec) return Status::IoError(fmt::format("size of {}: {}", file.string(), ec.message())).WithContext(context);
    sealed.bytes += static_cast<int64_t>(size);
    sealed.files.push_back(sealed.path / file.filename());
  }
  RETURN_IF_ERROR(fs_->Sync(staging_).WithContext(context));

  // 2. snapshots/ exists, durably: the version directory is synced every
  //    time, as a retry after a failed sync could not tell it still needs it.
  const fs::path snapshots = version_dir_ / kSnapshotsDir;
  RETURN_IF_ERROR(fs_->CreateDirectories(snapshots, kOwnerOnly, nullptr).WithContext(context));
  RETURN_IF_ERROR(fs_->Sync(version_dir_).WithContext(context));

  // 3. The atomic step. rename(2) would replace an empty directory of the
  //    same name, so a collision is refused first.
  std::error_code ec;
  if (fs::exists(sealed.path, ec)) {
    return Status::AlreadyExists(fmt::format("{} exists already; use a new snapshot id", sealed.path.string()))
        .WithContext(context);
  }
  RETURN_IF_ERROR(fs_->Rename(staging_, sealed.path).WithContext(context));

  // 4. The rename on disk. If that fails, the snapshot goes back to staging
  //    so the caller may retry Seal(); if even that fails, it is removed (or
  //    left for gc as an orphan: it has no catalog row, so no reader sees it).
  Status synced = fs_->Sync(snapshots);
  if (!synced.ok()) {
    if (fs_->Rename(sealed.path, staging_).ok()) {
      return synced.WithContext(context + " (after the rename; the files are back in staging, retry the seal)");
    }
    fs_->RemoveAll(sealed.path).IgnoreError();
    open_ = false;
    return synced.WithContext(context + " (after the rename; the snapshot was discarded)");
  }
  open_ = false;
  return sealed;
}

void SnapshotWriter::Abort() {
  if (!open_) return;
  open_ = false;
  // Best effort: what is left is a staging directory, which gc removes.
  fs_->RemoveAll(staging_).IgnoreError();
}

Status RemoveSealed(FileSystem& fs, const SealedSnapshot& s) {
  const std::string context = fmt::format("while removing snapshot {} whose catalog commit failed", s.id);
  RETURN_IF_ERROR(fs.RemoveAll(s.path).WithContext(context));
  return fs.Sync(s.path.parent_path()).WithContext(context);
}

std::vector<std::string> SnapshotDataFiles(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".parquet") files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace weft::storage
