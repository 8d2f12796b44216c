#include "common/files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace weft {

namespace fs = std::filesystem;

Result<std::string> ReadFileToString(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound(path.string() + ": no such file");
  }
  auto size = fs::file_size(path, ec);
  if (ec) return Status::IoError(path.string() + ": " + ec.message());
  if (size > max_bytes) {
    return Status::InvalidArgument(path.string() + ": file is " + std::to_string(size) +
                                   " bytes; the limit is " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path.string() + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError(path.string() + ": read failed");
  return ss.str();
}

Status WriteStringToFile(const fs::path& path, const std::string& content, bool overwrite) {
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec)) {
    return Status::AlreadyExists(path.string() + " already exists");
  }
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Status::IoError(path.parent_path().string() + ": " + ec.message());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IoError(path.string() + ": cannot open for writing");
  out << content;
  out.close();
  if (!out) return Status::IoError(path.string() + ": write failed");
  return Status::Ok();
}

Result<std::vector<fs::path>> CollectFiles(const std::vector<fs::path>& roots,
                                           const std::vector<std::string>& suffixes) {
  auto matches = [&](const fs::path& p) {
    std::string name = p.filename().string();
    return std::any_of(suffixes.begin(), suffixes.end(),
                       [&](const std::string& s) { return EndsWith(name, s); });
  };
  std::vector<fs::path> out;
  for (const auto& root : roots) {
    std::error_code ec;
    if (fs::is_regular_file(root, ec)) {
      out.push_back(root);
      continue;
    }
    if (!fs::is_directory(root, ec)) return Status::NotFound(root.string() + ": no such file or directory");
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         it != end; it.increment(ec)) {
      if (ec) return Status::IoError(root.string() + ": " + ec.message());
      if (it->is_regular_file(ec) && matches(it->path())) out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace weft
