#include "storage/file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace weft::storage {

namespace fs = std::filesystem;

const char* FileOpName(FileOp op) {
  switch (op) {
    case FileOp::kCreateDir: return "create directory";
    case FileOp::kWrite: return "write";
    case FileOp::kSync: return "fsync";
    case FileOp::kRename: return "rename";
    case FileOp::kRemove: return "remove";
    case FileOp::kLink: return "link";
  }
  return "?";
}

namespace {

Status Errno(const std::string& what, const fs::path& path) {
  return Status::IoError(what + " " + path.string() + ": " + std::strerror(errno));
}

class PosixFileSystem : public FileSystem {
 public:
  Status CreateDirectories(const fs::path& dir, fs::perms perms, std::vector<fs::path>* created) override {
    // Walk down from the outermost missing ancestor so each level gets `perms`.
    std::vector<fs::path> missing;
    std::error_code ec;
    for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
      missing.push_back(p);
      if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (!fs::create_directory(*it, ec) && ec) return Status::IoError("create directory " + it->string() + ": " + ec.message());
      fs::permissions(*it, perms, fs::perm_options::replace, ec);
      if (ec) return Status::IoError("set permissions of " + it->string() + ": " + ec.message());
      if (created) created->push_back(*it);
    }
    if (!fs::is_directory(dir, ec)) return Status::IoError(dir.string() + " exists and is not a directory");
    return Status::Ok();
  }

  Status WriteFile(const fs::path& path, std::string_view data) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Errno("open", path);
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status s = Errno("write", path);
        ::close(fd);
        return s;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
      Status s = Errno("fsync", path);
      ::close(fd);
      return s;
    }
    if (::close(fd) != 0) return Errno("close", path);
    return Status::Ok();
  }

  Status Sync(const fs::path& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno("open", path);
    int rc = ::fsync(fd);
    Status s = rc == 0 ? Status::Ok() : Errno("fsync", path);
    ::close(fd);
    return s;
  }

  Status Rename(const fs::path& from, const fs::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename " + from.string() + " to", to);
    return Status::Ok();
  }

  Status RemoveAll(const fs::path& path) override {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return Status::IoError("remove " + path.string() + ": " + ec.message());
    return Status::Ok();
  }

  Status Link(const fs::path& target, const fs::path& link) override {
    if (::link(target.c_str(), link.c_str()) != 0) {
      // EXDEV: a hard link cannot cross file systems; say what to do.
      if (errno == EXDEV) {
        return Status::IoError("hard link " + link.string() + " to " + target.string() +
                               ": they are on different file systems; keep a product's snapshots on one file system");
      }
      return Errno("hard link " + target.string() + " as", link);
    }
    return Status::Ok();
  }
};

}  // namespace

FileSystem& DefaultFileSystem() {
  static PosixFileSystem fs;
  return fs;
}

void FaultInjectingFileSystem::FailNth(FileOp op, std::string path_part, int n) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({op, std::move(path_part), n - 1});
}

void FaultInjectingFileSystem::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

Status FaultInjectingFileSystem::Check(FileOp op, const fs::path& path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->op != op || path.string().find(it->path_part) == std::string::npos) continue;
    if (it->remaining-- > 0) continue;
    rules_.erase(it);
    return Status::IoError(std::string("injected fault: ") + FileOpName(op) + " " + path.string());
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::CreateDirectories(const fs::path& dir, fs::perms perms, std::vector<fs::path>* created) {
  RETURN_IF_ERROR(Check(FileOp::kCreateDir, dir));
  return base_.CreateDirectories(dir, perms, created);
}
Status FaultInjectingFileSystem::WriteFile(const fs::path& path, std::string_view data) {
  RETURN_IF_ERROR(Check(FileOp::kWrite, path));
  return base_.WriteFile(path, data);
}
Status FaultInjectingFileSystem::Sync(const fs::path& path) {
  RETURN_IF_ERROR(Check(FileOp::kSync, path));
  return base_.Sync(path);
}
Status FaultInjectingFileSystem::Rename(const fs::path& from, const fs::path& to) {
  RETURN_IF_ERROR(Check(FileOp::kRename, from));
  return base_.Rename(from, to);
}
Status FaultInjectingFileSystem::RemoveAll(const fs::path& path) {
  RETURN_IF_ERROR(Check(FileOp::kRemove, path));
  return base_.RemoveAll(path);
}
Status FaultInjectingFileSystem::Link(const fs::path& target, const fs::path& link) {
  RETURN_IF_ERROR(Check(FileOp::kLink, link));
  return base_.Link(target, link);
}

}  // namespace weft::storage
