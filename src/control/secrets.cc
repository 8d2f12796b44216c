#include "control/secrets.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/files.h"
#include "common/hashing.h"
#include "spec/model.h"

namespace weft::control {

namespace fs = std::filesystem;

namespace {

fs::path Dir(const Workspace& ws) { return ws.root / "secrets"; }

constexpr auto kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

}  // namespace

Status WriteSecret(const Workspace& ws, const std::string& name, const std::string& value) {
  RETURN_IF_ERROR(spec::CheckSecretName(name));
  std::error_code ec;
  fs::create_directories(Dir(ws), ec);
  if (ec) return Status::IoError("cannot create " + Dir(ws).string() + ": " + ec.message());
  fs::permissions(Dir(ws), fs::perms::owner_all, ec);
  if (ec) return Status::IoError("cannot make " + Dir(ws).string() + " owner-only: " + ec.message());
  // Created owner-only before the value is in it, then renamed into place.
  const fs::path tmp = Dir(ws) / ("." + name + "." + RandomHex(4) + ".tmp");
  RETURN_IF_ERROR(WriteStringToFile(tmp, ""));
  fs::permissions(tmp, kOwnerOnly, ec);
  Status written = ec ? Status::IoError("cannot make " + tmp.string() + " owner-only: " + ec.message())
                      : WriteStringToFile(tmp, value + "\n", /*overwrite=*/true);
  if (written.ok()) {
    fs::rename(tmp, Dir(ws) / name, ec);
    if (ec) written = Status::IoError("cannot write " + (Dir(ws) / name).string() + ": " + ec.message());
  }
  if (!written.ok()) fs::remove(tmp, ec);
  return written;
}

Result<std::string> ReadSecret(const Workspace& ws, const std::string& name) {
  RETURN_IF_ERROR(spec::CheckSecretName(name));
  const fs::path file = Dir(ws) / name;
  struct stat st{};
  if (::lstat(file.c_str(), &st) != 0)
    return Status::NotFound("no secret '" + name + "' in this workspace; set it with `weft secret set " + name +
                            "` (the value is read from standard input)");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(file.string() + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return Status::FailedPrecondition("the secret " + file.string() +
                                      " may be read by others than its owner; `chmod 600` it (or set it again)");
  ASSIGN_OR_RETURN(std::string value, ReadFileToString(file, 1 << 16));
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return Status::FailedPrecondition("the secret '" + name + "' is empty");
  return value;
}

Status RemoveSecret(const Workspace& ws, const std::string& name) {
  RETURN_IF_ERROR(spec::CheckSecretName(name));
  std::error_code ec;
  if (!fs::remove(Dir(ws) / name, ec)) {
    if (ec) return Status::IoError("cannot remove the secret '" + name + "': " + ec.message());
    return Status::NotFound("no secret '" + name + "' in this workspace");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ListSecrets(const Workspace& ws) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(Dir(ws), ec)) return names;
  for (const auto& entry : fs::directory_iterator(Dir(ws), ec))
    if (entry.is_regular_file() && spec::CheckSecretName(entry.path().filename().string()).ok())
      names.push_back(entry.path().filename().string());
  if (ec) return Status::IoError("cannot list " + Dir(ws).string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace weft::control
