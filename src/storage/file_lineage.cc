#include "storage/file_lineage.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include "common/files.h"
#include "storage/snapshot.h"

namespace weft::storage {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kLineageFile[] = "weft-compaction.json";

}  // namespace

Result<std::string> LeafIdOf(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Status::IoError("cannot stat " + file.string());
  return fmt::format("{}:{}:{}:{}.{}", st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

Result<std::vector<FileLeaves>> SnapshotLeaves(const fs::path& dir) {
  std::map<std::string, std::vector<Leaf>> merged;
  const fs::path lineage = dir / kSnapshotMetadataDir / kLineageFile;
  std::error_code ec;
  if (fs::exists(lineage, ec)) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(lineage));
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return Status::Internal(lineage.string() + " is not a JSON object");
    for (const auto& [name, leaves] : j.items()) {
      if (!leaves.is_array()) return Status::Internal(lineage.string() + ": the leaves of " + name + " are not a list");
      for (const auto& l : leaves) {
        if (!l.is_object() || !l.contains("id") || !l["id"].is_string() || !l.contains("rows") || !l["rows"].is_number_integer())
          return Status::Internal(lineage.string() + ": a leaf of " + name + " has no id or rows");
        merged[name].push_back({.id = l["id"].get<std::string>(), .rows = l["rows"].get<int64_t>()});
      }
    }
  }
  std::vector<FileLeaves> out;
  for (const std::string& file : SnapshotDataFiles(dir)) {
    FileLeaves f{.file = file};
    if (auto it = merged.find(fs::path(file).filename().string()); it != merged.end()) {
      f.leaves = it->second;
    } else {
      ASSIGN_OR_RETURN(std::string id, LeafIdOf(file));
      f.leaves = {{.id = std::move(id)}};
    }
    out.push_back(std::move(f));
  }
  return out;
}

Status WriteCompactionLineage(FileSystem& fs, const fs::path& staging_dir,
                              const std::vector<std::pair<std::string, std::vector<Leaf>>>& merged) {
  json j = json::object();
  for (const auto& [name, leaves] : merged) {
    json list = json::array();
    for (const auto& l : leaves) list.push_back({{"id", l.id}, {"rows", l.rows}});
    j[name] = std::move(list);
  }
  const fs::path dir = staging_dir / kSnapshotMetadataDir;
  RETURN_IF_ERROR(fs.CreateDirectories(dir, kOwnerOnly, nullptr));
  return fs.WriteFile(dir / kLineageFile, j.dump());
}

Status CarryCompactionLineage(FileSystem& fs, const fs::path& parent_dir, const fs::path& staging_dir) {
  const fs::path lineage = parent_dir / kSnapshotMetadataDir / kLineageFile;
  std::error_code ec;
  if (!fs::exists(lineage, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(lineage));
  RETURN_IF_ERROR(fs.CreateDirectories(staging_dir / kSnapshotMetadataDir, kOwnerOnly, nullptr));
  return fs.WriteFile(staging_dir / kSnapshotMetadataDir / kLineageFile, text);
}

}  // namespace weft::storage
