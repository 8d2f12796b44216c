#include "catalog/sqlite/stored_paths.h"

#include <algorithm>

namespace weft::catalog::sqlite {

namespace fs = std::filesystem;

namespace {

// Lexically normal without a trailing separator ("/ws/" -> "/ws"), so that
// equal directories compare equal component by component.
fs::path Normal(const fs::path& p) {
  fs::path n = p.lexically_normal();
  if (n.has_relative_path() && !n.has_filename()) n = n.parent_path();
  return n;
}

}  // namespace

StoredPaths::StoredPaths(const std::string& catalog_file) {
  std::error_code ec;
  fs::path file = fs::absolute(catalog_file, ec);
  if (ec) file = catalog_file;
  base_ = Normal(file.parent_path());
}

std::string StoredPaths::ToStored(const std::string& path) const {
  if (path.empty()) return path;
  const fs::path p = Normal(path);
  if (!p.is_absolute()) return path;
  // Lexical, not canonical: the workspace computes its roots from the same
  // spelling of its own location, and a symlink inside the workspace that
  // points out of it must not turn into a relative path.
  if (std::mismatch(base_.begin(), base_.end(), p.begin(), p.end()).first != base_.end()) return path;
  const fs::path relative = p.lexically_relative(base_);
  return relative.empty() ? path : relative.string();
}

std::string StoredPaths::Resolve(const std::string& stored) const {
  if (stored.empty() || fs::path(stored).is_absolute()) return stored;
  if (stored == ".") return base_.string();
  return (base_ / stored).lexically_normal().string();
}

}  // namespace weft::catalog::sqlite
