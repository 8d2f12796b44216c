// How the SQLite catalog records file-system paths (domain storage roots,
// snapshot directories, archived inputs, quarantine files): relative to the
// directory holding the catalog file when they lie under it (version
// directories of ports too), absolute
// otherwise. So a workspace copied or restored elsewhere (`cp -a ws ws2`)
// reads its own storage, not the original's: its catalog resolves the
// relative paths against where it is now. docs/reliability.md.
//
//   StoredPaths paths("/ws/catalog.db");
//   paths.ToStored("/ws/domains/sales");   // "domains/sales"
//   paths.Resolve("domains/sales");        // "/ws/domains/sales"
//   paths.ToStored("/data/sales");         // "/data/sales" (outside: absolute)
//
// Thread safety: a value; safe to share read-only.
#pragma once

#include <filesystem>
#include <string>

namespace weft::catalog::sqlite {

// The columns that hold paths, as "table.column" (what migration 12 made
// relative, and what an export makes absolute again).
inline constexpr const char* kPathColumns[] = {"domains.storage_root", "port_versions.storage_path", "snapshots.path",
                                               "publishes.input_archive", "publishes.quarantine_path"};

class StoredPaths {
 public:
  // `catalog_file` is the catalog's path as opened (made absolute here).
  explicit StoredPaths(const std::string& catalog_file);

  // The form to store: relative to the catalog's directory when under it,
  // else the path unchanged. Empty stays empty (a field not set).
  std::string ToStored(const std::string& path) const;
  // The absolute path of a stored one; an absolute stored path (outside the
  // catalog's directory, or written before schema 12 elsewhere) is returned as is.
  std::string Resolve(const std::string& stored) const;

  const std::filesystem::path& base() const { return base_; }

 private:
  std::filesystem::path base_;  // absolute, lexically normal, no trailing separator
};

}  // namespace weft::catalog::sqlite
