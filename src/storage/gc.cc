#include "storage/gc.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <utility>

#include "common/time.h"
#include "spec/loader.h"

namespace weft::storage {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

namespace {

constexpr const char* kRetentionProperty = "weft.retention";

// ISO 8601 UTC as the catalog writes it (2026-01-02T03:04:05.678Z).
std::optional<Clock::time_point> ParseUtc(const std::string& text) {
  auto ms = ParseIsoMillis(text);
  if (!ms) return std::nullopt;
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(*ms)));
}

// The later of a directory's modification and status-change times: a
// rename updates the status-change time, so a snapshot directory that a
// publish renamed into snapshots/ a moment ago counts as fresh.
std::optional<Clock::time_point> LastChange(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  const auto at = [](const struct timespec& ts) {
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                         std::chrono::nanoseconds(ts.tv_nsec)));
  };
  return std::max(at(st.st_mtim), at(st.st_ctim));
}

// One file (inode) under a directory gc removes.
struct FileUse {
  std::pair<dev_t, ino_t> inode;
  int64_t size = 0;
  uint64_t links = 0;
};

// Every file under `dir` with its inode, so bytes freed can count a
// hard-linked file only when its last link goes.
std::vector<FileUse> FilesUnder(const fs::path& dir) {
  std::vector<FileUse> files;
  if (struct stat st {}; ::lstat(dir.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {  // a single file
    files.push_back({{st.st_dev, st.st_ino}, static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_nlink)});
    return files;
  }
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    files.push_back({{st.st_dev, st.st_ino}, static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_nlink)});
  }
  return files;
}

// The newest change of a path or of anything under it: an archive copy
// still being written changes its file, not its directory.
std::optional<Clock::time_point> NewestChangeUnder(const fs::path& path) {
  std::optional<Clock::time_point> newest = LastChange(path);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (auto t = LastChange(it->path()); t && (!newest || *t > *newest)) newest = t;
  return newest;
}

// The publish id an archive directory or a quarantine file is named after:
// archive/<publish id>/, quarantine/<product>/<publish id>.parquet[.tmp].
std::string PublishIdOf(const fs::path& path) {
  std::string name = path.filename().string();
  for (std::string_view suffix : {".tmp", ".parquet"})
    if (name.size() > suffix.size() && name.ends_with(suffix)) name.resize(name.size() - suffix.size());
  return name;
}

}  // namespace

bool IsSnapshotDirUnder(const fs::path& path, const std::string& id, const std::vector<GcRoot>& roots) {
  const fs::path normal = path.lexically_normal();
  if (normal.filename() != id || normal.parent_path().filename() != "snapshots") return false;
  for (const GcRoot& r : roots) {
    const fs::path relative = normal.lexically_relative(r.root.lexically_normal());
    std::vector<std::string> parts;
    for (const auto& part : relative) parts.push_back(part.string());
    if (parts.size() == 5 && parts[0] == "products" && parts[1] != ".." && parts[3] == "snapshots") return true;
  }
  return false;
}

namespace {

bool IsVersionDirName(const std::string& name) {
  return name.size() > 1 && name[0] == 'v' &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string DescribeRetention(const Retention& r) {
  std::vector<std::string> parts;
  if (r.snapshots) parts.push_back(fmt::format("the newest {} snapshots", *r.snapshots));
  if (r.days) parts.push_back(fmt::format("snapshots younger than {} days", *r.days));
  return parts.empty() ? "all snapshots" : fmt::format("{}", fmt::join(parts, " or "));
}

Result<int64_t> NonNegative(const spec::Json& value, const std::string& what) {
  if (!value.is_number_integer() || value.get<int64_t>() < 0) {
    return Status::InvalidArgument(fmt::format("{} is {}; it must be a whole number, 0 or more", what, value.dump()));
  }
  return value.get<int64_t>();
}

// The directories found under one version directory.
struct Found {
  GcRemoval removal;
  std::optional<Clock::time_point> changed;
};

}  // namespace

const char* GcKindName(GcKind kind) {
  switch (kind) {
    case GcKind::kStaging: return "staging";
    case GcKind::kOrphan: return "orphan";
    case GcKind::kExpired: return "expired";
    case GcKind::kUnrecorded: return "unrecorded";
  }
  return "?";
}

Retention RetentionFromWorkspace(const spec::WorkspaceSpec& settings) {
  return Retention{.snapshots = settings.retention_snapshots, .days = settings.retention_days};
}

Result<Retention> RetentionOfProduct(const catalog::ProductRecord& product, const Retention& fallback) {
  spec::LoadedFile loaded = spec::LoadText(product.spec_json, "catalog:product:" + product.id);
  const spec::DataProduct* p = loaded.documents.empty() ? nullptr : loaded.documents[0].product();
  if (!p) return fallback;
  for (const spec::CustomProperty& c : p->custom_properties) {
    if (c.property != kRetentionProperty) continue;
    const std::string what = fmt::format("product {}: {}", product.id, kRetentionProperty);
    Retention r;
    if (c.value.is_object()) {
      for (const auto& [key, value] : c.value.items()) {
        if (key == "snapshots") {
          ASSIGN_OR_RETURN(r.snapshots, NonNegative(value, what + ".snapshots"));
        } else if (key == "days") {
          ASSIGN_OR_RETURN(r.days, NonNegative(value, what + ".days"));
        } else {
          return Status::InvalidArgument(
              fmt::format("{} has an unknown key '{}'; use {{snapshots: N, days: D}}", what, key));
        }
      }
      return r;
    }
    if (c.value.is_number_integer()) {
      ASSIGN_OR_RETURN(r.snapshots, NonNegative(c.value, what));
      return r;
    }
    return Status::InvalidArgument(fmt::format(
        "{} is {}; use a number of snapshots or {{snapshots: N, days: D}}", what, c.value.dump()));
  }
  return fallback;
}

Result<std::vector<GcRoot>> DomainRoots(catalog::Store& store) {
  ASSIGN_OR_RETURN(std::vector<catalog::DomainRecord> domains, store.ListDomains());
  std::vector<GcRoot> roots;
  for (const auto& d : domains) roots.push_back({d.name, d.storage_root});
  return roots;
}

Result<GcReport> CollectGarbage(catalog::Store& store, FileSystem& fs, const std::vector<GcRoot>& roots,
                                const GcOptions& options) {
  GcReport report;
  report.dry_run = options.dry_run;

  // The catalog first, the disk after: a snapshot committed after this read
  // was renamed into place moments ago, so the grace period protects it.
  ASSIGN_OR_RETURN(std::vector<catalog::ProductRecord> products, store.ListProducts());
  ASSIGN_OR_RETURN(std::vector<catalog::SnapshotRecord> snapshots, store.ListAllSnapshots());

  std::map<std::string, std::optional<Retention>> retention;  // nullopt: keep everything
  for (const catalog::ProductRecord& p : products) {
    Result<Retention> r = RetentionOfProduct(p, options.default_retention);
    if (r.ok()) {
      retention[p.id] = *r;
    } else {
      retention[p.id] = std::nullopt;
      report.warnings.push_back(r.status().message() + "; keeping all of its snapshots");
    }
  }

  // (c) Expired: per (product, major), newest first as the store lists them.
  std::set<std::string> known;  // snapshot directories with a catalog row
  std::map<std::pair<std::string, int64_t>, int64_t> rank;
  // Per (product, major): the created_at of the snapshot listed before (its successor).
  std::map<std::pair<std::string, int64_t>, std::string> successor;
  std::vector<std::pair<GcRemoval, std::string>> expired;  // and the row's created_at
  for (const catalog::SnapshotRecord& s : snapshots) {
    known.insert(fs::path(s.path).lexically_normal().string());
    const std::pair<std::string, int64_t> key{s.product_id, s.major};
    const int64_t index = rank[key]++;
    const std::string superseded_at = std::exchange(successor[key], s.created_at);
    if (index == 0 || !options.expire) continue;  // current: never removed
    auto it = retention.find(s.product_id);
    const std::optional<Retention> rule = it == retention.end() ? std::optional(options.default_retention) : it->second;
    if (!rule || (!rule->snapshots && !rule->days)) continue;
    bool keep = rule->snapshots && index < *rule->snapshots;
    if (rule->days && !keep) {
      const std::optional<Clock::time_point> created = ParseUtc(s.created_at);
      if (!created) {
        report.warnings.push_back(fmt::format("snapshot {} of {} has an unreadable creation time '{}'; kept", s.id,
                                              s.product_id, s.created_at));
        continue;
      }
      keep = options.now - *created < std::chrono::days(*rule->days);
    }
    if (keep) continue;
    // Superseded moments ago: a reader that resolved it before its successor
    // committed may still be reading (an unreadable time counts as recent).
    const std::optional<Clock::time_point> superseded = ParseUtc(superseded_at);
    if (!superseded || options.now - *superseded < options.grace) {
      ++report.deferred;
      continue;
    }
    GcRemoval removal{.kind = GcKind::kExpired,
                      .product_id = s.product_id,
                      .major = s.major,
                      .snapshot_id = s.id,
                      .path = s.path,
                      .reason = fmt::format("beyond retention: keep {}", DescribeRetention(*rule))};
    if (!IsSnapshotDirUnder(removal.path, s.id, roots)) {
      report.warnings.push_back(fmt::format(
          "snapshot {} of {}: its directory '{}' is not a snapshot directory under a domain storage root; "
          "its catalog row is removed, the path is left alone",
          s.id, s.product_id, s.path));
      removal.path.clear();
    }
    expired.emplace_back(std::move(removal), s.created_at);
  }

  // (a) staging and (b) orphan directories, from the disk.
  std::vector<GcRemoval> staging;
  std::vector<GcRemoval> orphans;
  for (const GcRoot& root : roots) {
    std::error_code ec;
    const fs::path products_dir = root.root / "products";
    if (!fs::is_directory(products_dir, ec)) continue;  // not provisioned yet
    for (fs::directory_iterator p(products_dir, ec), end; !ec && p != end; p.increment(ec)) {
      std::error_code is_dir;
      if (!p->is_directory(is_dir)) continue;
      const std::string product_id = root.domain + "." + p->path().filename().string();
      std::error_code vec;
      for (fs::directory_iterator v(p->path(), vec); !vec && v != end; v.increment(vec)) {
        const std::string vname = v->path().filename().string();
        int64_t major = 0;
        if (!v->is_directory(is_dir) || !IsVersionDirName(vname) ||
            std::from_chars(vname.data() + 1, vname.data() + vname.size(), major).ec != std::errc()) {
          continue;
        }
        for (const auto& [sub, kind] : {std::pair{".staging", GcKind::kStaging}, std::pair{"snapshots", GcKind::kOrphan}}) {
          std::error_code sec;
          for (fs::directory_iterator e(v->path() / sub, sec); !sec && e != end; e.increment(sec)) {
            const fs::path path = e->path().lexically_normal();
            if (kind == GcKind::kOrphan && known.count(path.string())) continue;
            const std::optional<Clock::time_point> changed = LastChange(path);
            if (!changed || options.now - *changed < options.grace) continue;  // a publish may own it
            GcRemoval removal{.kind = kind,
                              .product_id = product_id,
                              .major = major,
                              .snapshot_id = path.filename().string(),
                              .path = path,
                              .reason = kind == GcKind::kStaging ? "unfinished publish (never sealed)"
                                                                 : "no catalog row (publish not committed)"};
            (kind == GcKind::kStaging ? staging : orphans).push_back(std::move(removal));
          }
        }
      }
    }
  }
  // (d) An input archive or a quarantine file no publish record names: a
  // publish killed before its commit (its failure path removes them
  // otherwise). The input was never accepted, so nothing kept is lost.
  std::set<std::string> recorded;  // publish ids
  {
    // Every product's, removed products' too: their archives are kept.
    ASSIGN_OR_RETURN(std::vector<catalog::PublishRecord> publishes, store.ListPublishes("", 0));
    for (const auto& pub : publishes) recorded.insert(pub.id);
  }
  std::vector<GcRemoval> unrecorded;
  auto consider = [&](const fs::path& path, const std::string& product_id, const char* what) {
    const std::string id = PublishIdOf(path);
    if (recorded.count(id)) return;
    const std::optional<Clock::time_point> changed = NewestChangeUnder(path);
    if (!changed || options.now - *changed < options.grace) return;  // a publish may be writing it
    unrecorded.push_back({.kind = GcKind::kUnrecorded, .product_id = product_id, .snapshot_id = id,
                          .path = path.lexically_normal(), .reason = what});
  };
  for (const GcRoot& root : roots) {
    std::error_code ec;
    for (fs::directory_iterator a(root.root / "archive", ec), end; !ec && a != end; a.increment(ec))
      consider(a->path(), "", "input archive of a publish that was never recorded (killed before its commit)");
    for (fs::directory_iterator q(root.root / "quarantine", ec), end; !ec && q != end; q.increment(ec)) {
      std::error_code fec;
      for (fs::directory_iterator f(q->path(), fec); !fec && f != end; f.increment(fec))
        consider(f->path(), root.domain + "." + q->path().filename().string(),
                 "quarantine file of a publish that was never recorded (killed before its commit)");
    }
  }
  const auto by_path = [](const GcRemoval& a, const GcRemoval& b) { return a.path < b.path; };
  std::sort(staging.begin(), staging.end(), by_path);
  std::sort(orphans.begin(), orphans.end(), by_path);
  std::sort(unrecorded.begin(), unrecorded.end(), by_path);
  std::sort(expired.begin(), expired.end(), [](const auto& a, const auto& b) { return a.first.path < b.first.path; });

  // Catalog rows of expired snapshots go first, in one transaction: after
  // the commit no reader opens them, so their directories are garbage.
  if (!options.dry_run && !expired.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<catalog::Transaction> txn, store.BeginWrite());
    for (const auto& [removal, created_at] : expired) {
      Status deleted = txn->DeleteSnapshot(removal.snapshot_id);
      if (deleted.code() == StatusCode::kNotFound) continue;  // another gc was faster
      RETURN_IF_ERROR(deleted.WithContext("while expiring snapshots"));
      RETURN_IF_ERROR(txn->AppendAudit({.actor = options.actor,
                                        .action = "gc.expire",
                                        .object = "product:" + removal.product_id,
                                        .detail = fmt::format("snapshot {} of v{} (created {}) {}", removal.snapshot_id,
                                                              removal.major, created_at, removal.reason)}));
    }
    RETURN_IF_ERROR(txn->Commit().WithContext("while expiring snapshots (nothing was removed)"));
  }

  // The directories. Every file is looked at before anything is removed, so
  // the link counts are those of the disk as gc found it. A failure leaves
  // garbage the next gc finds again.
  std::vector<GcRemoval*> all;
  for (GcRemoval& r : staging) all.push_back(&r);
  for (GcRemoval& r : orphans) all.push_back(&r);
  for (GcRemoval& r : unrecorded) all.push_back(&r);
  for (auto& [r, created_at] : expired) all.push_back(&r);
  std::vector<std::vector<FileUse>> files(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->path.empty()) continue;
    files[i] = FilesUnder(all[i]->path);
    for (const FileUse& f : files[i]) all[i]->bytes += f.size;
  }
  struct Inode {
    int64_t size = 0;
    uint64_t links = 0;  // as found
    uint64_t going = 0;  // links this run removes
  };
  std::map<std::pair<dev_t, ino_t>, Inode> inodes;
  for (size_t i = 0; i < all.size(); ++i) {
    GcRemoval& removal = *all[i];
    if (removal.path.empty()) continue;
    if (!options.dry_run) {
      Status s = fs.RemoveAll(removal.path);
      if (!s.ok()) {
        report.warnings.push_back(s.message() + "; the next gc retries");
        continue;
      }
      removal.removed = true;
    }
    for (const FileUse& f : files[i]) {
      Inode& inode = inodes[f.inode];
      inode.size = f.size;
      inode.links = f.links;
      ++inode.going;
    }
  }
  for (const auto& [key, inode] : inodes)
    if (inode.going >= inode.links) report.bytes_freed += inode.size;

  for (auto& r : staging) report.removals.push_back(std::move(r));
  for (auto& r : orphans) report.removals.push_back(std::move(r));
  for (auto& r : unrecorded) report.removals.push_back(std::move(r));
  for (auto& [r, created_at] : expired) report.removals.push_back(std::move(r));
  return report;
}

}  // namespace weft::storage
