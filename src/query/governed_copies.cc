#include "query/governed_copies.h"

#include <algorithm>

#include "access/masks.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "storage/snapshot.h"

namespace weft::query {

namespace fs = std::filesystem;

namespace {

std::string SelectList(const access::ReadAccess& access) {
  std::vector<std::string> exprs;
  for (const auto& c : access.columns) exprs.push_back(c.expression);
  return Join(exprs, ", ");
}

std::vector<std::string> Quoted(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(SqlQuote(f));
  return out;
}

}  // namespace

Result<std::vector<std::string>> GovernedCopies::FileColumns(const std::string& snapshot_id,
                                                             const std::vector<std::string>& files) {
  {
    std::lock_guard lock(mu_);
    if (auto it = columns_.find(snapshot_id); it != columns_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open({.threads = 1}));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  ASSIGN_OR_RETURN(engine::QueryResult r,
                   conn.Query("DESCRIBE SELECT * FROM read_parquet([" + Join(Quoted(files), ", ") + "])"));
  ASSIGN_OR_RETURN(auto rows, r.FetchAllAsStrings());
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(ToLower(row.at(0).value_or("")));
  std::lock_guard lock(mu_);
  columns_[snapshot_id] = names;
  return names;
}

Status GovernedCopies::Build(const std::vector<std::string>& files, const access::ReadAccess& access,
                             const fs::path& dir) const {
  engine::DatabaseConfig config{.threads = options_.threads, .memory_limit = options_.memory_limit};
  if (!options_.temp_dir.empty()) config.options["temp_directory"] = options_.temp_dir.string();
  ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open(config));
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  // Only weft's SQL runs here, but the engine is still confined to the
  // snapshot it copies and the copy it writes.
  if (std::any_of(access.columns.begin(), access.columns.end(),
                  [](const auto& c) { return c.mask.kind == access::MaskStrategy::Kind::kHash; }))
    RETURN_IF_ERROR(access::RegisterMaskFunctions(conn, options_.key));
  RETURN_IF_ERROR(conn.Execute("SET allowed_directories = [" + SqlQuote(fs::path(files.front()).parent_path().string() + "/") +
                               ", " + SqlQuote(dir.string() + "/") +
                               "]; SET enable_external_access = false; SET lock_configuration = true"));
  return conn.Execute("COPY (SELECT " + SelectList(access) + " FROM read_parquet([" + Join(Quoted(files), ", ") + "])" +
                      (access.row_filter.empty() ? "" : " WHERE " + access.row_filter) + ") TO " +
                      SqlQuote((dir / "data.parquet").string()) + " (FORMAT parquet, COMPRESSION zstd)");
}

Result<ReadableSnapshot> GovernedCopies::For(const std::string& snapshot_id, const fs::path& snapshot_dir,
                                             const access::ReadAccess& access) {
  ReadableSnapshot out;
  std::vector<std::string> files = storage::SnapshotDataFiles(snapshot_dir);
  std::error_code ec;
  if (files.empty())
    return Status::FailedPrecondition("snapshot " + snapshot_id + " of " + access.product_id + " has no data files");
  if (access.whole) {
    // Zero-copy only when the files hold nothing beyond the readable columns.
    ASSIGN_OR_RETURN(std::vector<std::string> stored, FileColumns(snapshot_id, files));
    std::vector<std::string> readable;
    for (const auto& c : access.columns) readable.push_back(ToLower(c.name));
    std::sort(stored.begin(), stored.end());
    std::sort(readable.begin(), readable.end());
    if (stored == readable) {
      out.files = std::move(files);
      return out;
    }
  }
  if (options_.root.empty()) return Status::Internal("the query gateway has no directory for governed copies");
  const std::string profile = Sha256Hex(SelectList(access) + "\n" + access.row_filter + "\n" + Sha256Hex(options_.key)).substr(0, 32);
  const fs::path dir = options_.root / snapshot_id / profile;
  out.copy = true;
  out.files = {(dir / "data.parquet").string()};
  if (fs::exists(dir / "data.parquet", ec)) return out;
  std::lock_guard build(build_mu_);
  if (fs::exists(dir / "data.parquet", ec)) return out;  // built while we waited
  const std::string suffix = RandomHex(8);
  if (suffix.empty()) return Status::Internal("the system's random generator failed");
  const fs::path tmp = options_.root / snapshot_id / (".building-" + profile + "-" + suffix);
  fs::create_directories(tmp, ec);
  if (ec) return Status::IoError("cannot create " + tmp.string() + ": " + ec.message());
  Status built = Build(files, access, tmp);
  if (built.ok()) {
    fs::rename(tmp, dir, ec);
    if (ec && fs::exists(dir / "data.parquet")) {  // another process built it first
      fs::remove_all(tmp, ec);
      return out;
    }
    if (ec) built = Status::IoError("cannot move the governed copy into " + dir.string() + ": " + ec.message());
  }
  if (!built.ok()) {
    fs::remove_all(tmp, ec);
    // DuckDB's text could quote a value the row filter or a mask choked on:
    // the caller hears what failed, not the value.
    return Status(built.code() == StatusCode::kIoError ? StatusCode::kIoError : StatusCode::kFailedPrecondition,
                  "cannot prepare what the caller may read of " + access.product_id + " (snapshot " + snapshot_id +
                      "): applying its masks and row filter failed; the product's owners can check the grant's "
                      "row filter with weft access list");
  }
  out.built = true;
  return out;
}

Status GovernedCopies::RemoveCopiesExcept(const std::set<std::string>& keep) const {
  std::error_code ec;
  if (!fs::exists(options_.root, ec)) return Status::Ok();
  for (fs::directory_iterator it(options_.root, ec), end; !ec && it != end; it.increment(ec)) {
    if (keep.count(it->path().filename().string())) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (rm) return Status::IoError("cannot remove " + it->path().string() + ": " + rm.message());
  }
  if (ec) return Status::IoError("cannot list " + options_.root.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace weft::query
