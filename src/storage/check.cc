#include "storage/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "common/hashing.h"
#include "storage/snapshot.h"

namespace weft::storage {
namespace fs = std::filesystem;

namespace {

// A Parquet file starts and ends with the magic "PAR1" (and holds at least
// its footer length between them): a truncated or overwritten file fails.
std::string ParquetFramingProblem(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot be read";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 12) return fmt::format("is {} bytes: too short for a Parquet file", size);
  char head[4], tail[4];
  in.seekg(0);
  in.read(head, 4);
  in.seekg(size - 4);
  in.read(tail, 4);
  if (!in) return "cannot be read";
  if (std::string_view(head, 4) != "PAR1" || std::string_view(tail, 4) != "PAR1")
    return "is not a whole Parquet file (no PAR1 magic at its start or end: truncated or overwritten)";
  return "";
}

void CheckSnapshot(const catalog::SnapshotRecord& s, const std::vector<GcRoot>& roots, CheckReport& report) {
  const std::string object = fmt::format("snapshot:{} of {}_v{}", s.id, s.product_id, s.major);
  auto problem = [&](std::string path, std::string text) {
    report.problems.push_back({object, std::move(path), std::move(text)});
  };
  ++report.snapshots;
  if (!IsSnapshotDirUnder(s.path, s.id, roots)) {
    problem(s.path, "the catalog's path is not a snapshot directory under the domain's storage root");
    return;
  }
  std::error_code ec;
  if (!fs::is_directory(s.path, ec)) {
    problem(s.path, "the committed snapshot's directory is missing: its data is lost");
    return;
  }
  const std::vector<std::string> files = SnapshotDataFiles(s.path);
  report.files += static_cast<int64_t>(files.size());
  int64_t bytes = 0;
  for (const auto& f : files) {
    const auto size = fs::file_size(f, ec);
    if (!ec) bytes += static_cast<int64_t>(size);
    if (std::string why = ParquetFramingProblem(f); !why.empty()) problem(f, "data file " + why);
  }
  if (static_cast<int64_t>(files.size()) != s.files)
    problem(s.path, fmt::format("{} data files on disk, the commit recorded {}", files.size(), s.files));
  else if (bytes != s.bytes)
    problem(s.path, fmt::format("{} bytes of data files on disk, the commit recorded {}", bytes, s.bytes));
}

void CheckArchive(const catalog::PublishRecord& p, CheckReport& report) {
  if (p.input_archive.empty()) return;  // a duplicate, or a publish that failed before archiving
  const std::string object = fmt::format("publish:{} of {}", p.id, p.product_id);
  ++report.archives;
  std::error_code ec;
  if (!fs::is_directory(p.input_archive, ec)) {
    report.problems.push_back({object, p.input_archive, "the archived input is missing"});
    return;
  }
  if (p.mode == "run") return;  // a derived run archives its SQL and inputs, not the checksummed files
  std::vector<fs::path> files;
  for (fs::directory_iterator it(p.input_archive, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  if (files.empty()) {
    report.problems.push_back({object, p.input_archive, "the archived input holds no file"});
    return;
  }
  if (files.size() != 1 || p.input_checksum.empty()) return;
  Result<std::string> sum = Sha256HexOfFiles(files);
  if (!sum.ok()) {
    report.problems.push_back({object, files[0].string(), sum.status().message()});
  } else if (*sum != p.input_checksum) {
    report.problems.push_back({object, files[0].string(),
                               fmt::format("the archived input's SHA-256 is {}, the publish recorded {}: it changed",
                                           *sum, p.input_checksum)});
  }
}

}  // namespace

Result<CheckReport> CheckStorage(catalog::Store& store, FileSystem& fs, const std::vector<GcRoot>& roots,
                                 const CheckOptions& options) {
  CheckReport report;
  ASSIGN_OR_RETURN(std::vector<catalog::SnapshotRecord> snapshots, store.ListAllSnapshots());
  for (const auto& s : snapshots) CheckSnapshot(s, roots, report);
  ASSIGN_OR_RETURN(std::vector<catalog::PublishRecord> publishes, store.ListPublishes("", 0));
  for (const auto& p : publishes) CheckArchive(p, report);
  std::sort(report.problems.begin(), report.problems.end(),
            [](const CheckProblem& a, const CheckProblem& b) { return std::tie(a.object, a.path) < std::tie(b.object, b.path); });
  ASSIGN_OR_RETURN(report.garbage, CollectGarbage(store, fs, roots,
                                                  {.now = options.now,
                                                   .dry_run = !options.repair,
                                                   .default_retention = {},
                                                   .grace = options.grace,
                                                   .actor = options.actor,
                                                   .expire = false}));
  return report;
}

}  // namespace weft::storage
