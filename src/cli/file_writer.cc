#include "cli/file_writer.h"

#include <filesystem>
#include <ostream>

#include "common/files.h"

namespace weft::cli {

namespace fs = std::filesystem;

std::vector<std::string> WriteAllOrNothing(const std::vector<spec::ScaffoldFile>& files, const std::string& dir,
                                           const std::string& command, CommandContext& ctx) {
  const fs::path root(dir);
  for (const auto& f : files) {
    std::error_code ec;
    fs::path target = root / f.path;
    if (fs::exists(target, ec)) {
      ctx.err << "weft " << command << ": " << target.string() << " already exists; not overwriting anything "
              << "(remove it or pick another name)\n";
      ctx.exit_code = kExitFindings;
      return {};
    }
  }
  std::vector<std::string> written;
  for (const auto& f : files) {
    fs::path target = root / f.path;
    Status s = WriteStringToFile(target, f.content, /*overwrite=*/false);
    if (!s.ok()) {
      ctx.err << "weft " << command << ": cannot write " << target.string() << ": " << s.message() << "\n";
      for (const auto& w : written) {  // leave nothing half-made behind
        std::error_code ec;
        fs::remove(w, ec);
      }
      ctx.exit_code = kExitFindings;
      return {};
    }
    written.push_back(target.string());
    ctx.out << "created " << target.string() << "\n";
  }
  return written;
}

}  // namespace weft::cli
