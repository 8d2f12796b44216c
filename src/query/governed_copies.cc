#include "query/governed_copies.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "access/masks.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "storage/file_lineage.h"
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
  // A stream makes a snapshot a second and a change feed asks for a new
  // range each time: the cache is bounded, and a miss costs one footer read.
  if (columns_.size() >= 4096) columns_.clear();
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
  // The directories of the files read (a change feed's may be two: a
  // snapshot's and the tail of a compacted file) and of the copy.
  std::set<std::string> allowed = {SqlQuote(dir.string() + "/")};
  for (const auto& f : files) allowed.insert(SqlQuote(fs::path(f).parent_path().string() + "/"));
  RETURN_IF_ERROR(conn.Execute("SET allowed_directories = [" + Join({allowed.begin(), allowed.end()}, ", ") +
                               "]; SET enable_external_access = false; SET lock_configuration = true"));
  return conn.Execute("COPY (SELECT " + SelectList(access) + " FROM read_parquet([" + Join(Quoted(files), ", ") + "])" +
                      (access.row_filter.empty() ? "" : " WHERE " + access.row_filter) + ") TO " +
                      SqlQuote((dir / "data.parquet").string()) + " (FORMAT parquet, COMPRESSION zstd)");
}

Result<ReadableSnapshot> GovernedCopies::For(const std::string& snapshot_id, const fs::path& snapshot_dir,
                                             const access::ReadAccess& access) {
  std::vector<std::string> files;
  {
    std::lock_guard lock(mu_);
    if (auto it = listed_.find(snapshot_dir.string()); it != listed_.end()) files = it->second;
  }
  if (files.empty()) {
    files = storage::SnapshotDataFiles(snapshot_dir);
    std::lock_guard lock(mu_);
    if (listed_.size() >= 4096) listed_.clear();  // bounded, as columns_
    if (!files.empty()) listed_[snapshot_dir.string()] = files;
  }
  if (files.empty())
    return Status::FailedPrecondition("snapshot " + snapshot_id + " of " + access.product_id + " has no data files");
  return ForFiles(snapshot_id, std::move(files), access);
}

Result<ReadableSnapshot> GovernedCopies::ForChanges(const std::string& since_id, const fs::path& since_dir,
                                                    const std::string& snapshot_id, const fs::path& snapshot_dir,
                                                    const access::ReadAccess& access) {
  ASSIGN_OR_RETURN(std::vector<storage::FileLeaves> before, storage::SnapshotLeaves(since_dir));
  ASSIGN_OR_RETURN(std::vector<storage::FileLeaves> after, storage::SnapshotLeaves(snapshot_dir));
  if (before.empty() || after.empty())
    return Status::FailedPrecondition("snapshot " + (before.empty() ? since_id : snapshot_id) + " of " +
                                      access.product_id + " has no data files");
  auto reset = [&] {
    return Status::FailedPrecondition("reset: snapshot " + snapshot_id + " of " + access.product_id +
                                      " does not extend snapshot " + since_id +
                                      " (a replace, run or rollback came between); read it whole and follow on from it");
  };
  std::vector<std::string> held;  // the leaves of `since`, in order
  for (const auto& f : before)
    for (const auto& l : f.leaves) held.push_back(l.id);
  // The snapshot's files after `since`'s leaves: whole files, and at most
  // one merged file that `since` ends inside (compaction merged its last
  // leaves with later ones), of which only the rows after them are read.
  size_t matched = 0;
  std::vector<std::string> files;
  std::string straddled;
  int64_t skip_rows = 0;
  for (const auto& f : after) {
    size_t shared = 0;
    int64_t shared_rows = 0;
    for (const auto& l : f.leaves) {
      if (matched == held.size()) break;
      if (l.id != held[matched]) return reset();
      ++matched;
      ++shared;
      shared_rows += l.rows;
    }
    if (shared == 0) {
      files.push_back(f.file);
    } else if (shared < f.leaves.size()) {
      straddled = f.file;
      skip_rows = shared_rows;
    }
  }
  if (matched < held.size()) return reset();
  const std::string id = since_id + "~" + snapshot_id;
  if (!straddled.empty()) {
    ASSIGN_OR_RETURN(std::string head, TailOf(id, straddled, skip_rows));
    files.insert(files.begin(), std::move(head));
  }
  if (files.empty()) {
    ASSIGN_OR_RETURN(ReadableSnapshot columns, ForFiles(id, {after.back().file}, access));
    columns.no_rows = true;
    return columns;
  }
  return ForFiles(id, std::move(files), access);
}

Result<std::string> GovernedCopies::TailOf(const std::string& id, const std::string& file, int64_t skip_rows) {
  if (options_.root.empty()) return Status::Internal("the query gateway has no directory for governed copies");
  const fs::path dir = options_.root / id / "tail";
  const std::string out = (dir / "data.parquet").string();
  std::error_code ec;
  if (fs::exists(out, ec)) return out;
  std::lock_guard build(build_mu_);
  if (fs::exists(out, ec)) return out;
  const fs::path tmp = options_.root / id / (".building-tail-" + RandomHex(8));
  fs::create_directories(tmp, ec);
  if (ec) return Status::IoError("cannot create " + tmp.string() + ": " + ec.message());
  // weft's own SQL over one snapshot file, in an engine of its own: the
  // rows of the merged file after those the consumer has, in their order.
  Status built = [&]() -> Status {
    ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open({.threads = options_.threads,
                                                                  .memory_limit = options_.memory_limit}));
    ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
    return conn.Execute(fmt::format(
        "COPY (SELECT * EXCLUDE (file_row_number) FROM read_parquet({}, file_row_number = true) "
        "WHERE file_row_number >= {} ORDER BY file_row_number) TO {} (FORMAT parquet, COMPRESSION zstd)",
        SqlQuote(file), skip_rows, SqlQuote((tmp / "data.parquet").string())));
  }();
  if (built.ok()) {
    fs::rename(tmp, dir, ec);
    if (ec && !fs::exists(out)) built = Status::IoError("cannot move " + tmp.string() + " into place: " + ec.message());
  }
  fs::remove_all(tmp, ec);
  if (!built.ok()) return built.WithContext("while reading the rows appended inside a compacted file of snapshot " + id);
  return out;
}

Result<ReadableSnapshot> GovernedCopies::ForFiles(const std::string& snapshot_id, std::vector<std::string> files,
                                                  const access::ReadAccess& access) {
  ReadableSnapshot out;
  std::error_code ec;
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
