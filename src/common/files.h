// Whole-file reads and directory walks for inputs the user names (specs, SQL).
// Data-plane writes go through the storage module's file seam, not through here.
// Thread safety: pure functions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace weft {

// Reads a file, refusing anything larger than max_bytes with a clear error.
Result<std::string> ReadFileToString(const std::filesystem::path& path,
                                     size_t max_bytes = 64u << 20);

// Writes a file (creating parent directories); fails if it exists and !overwrite.
Status WriteStringToFile(const std::filesystem::path& path, const std::string& content,
                         bool overwrite = false);

// Files under each root (or the root itself when it is a file) whose name ends
// with one of the suffixes, sorted so that output is deterministic.
Result<std::vector<std::filesystem::path>> CollectFiles(
    const std::vector<std::filesystem::path>& roots, const std::vector<std::string>& suffixes);

}  // namespace weft
