// Garbage collection of domain storage roots: `weft gc`.
//
// Three kinds of garbage, each safe to remove for a different reason
// (docs/storage.md, "gc"):
//   - staging directories (products/<p>/v<M>/.staging/<id>) of publishes
//     that crashed or were killed before sealing;
//   - orphan snapshot directories (snapshots/<id> with no catalog row) of
//     publishes that crashed between the rename and the catalog commit;
//   - committed snapshots beyond the product's retention;
//   - input archives (archive/<publish id>/) and quarantine files
//     (quarantine/<product>/<publish id>.parquet[.tmp]) that no publish
//     record names: publishes killed before their commit.
// Readers only ever open snapshots that have a catalog row, so the first two
// are invisible. Expired snapshots lose their catalog rows first (one
// transaction, one audit event each) and their directories after the commit:
// a crash in between leaves orphans, which the next gc removes. Every snapshot
// directory holds its own hard links, so removing one never breaks another.
//
//   GcOptions options{.now = std::chrono::system_clock::now(), .dry_run = true,
//                     .default_retention = RetentionFromWorkspace(ws.settings)};
//   ASSIGN_OR_RETURN(GcReport report, CollectGarbage(*store, DefaultFileSystem(), roots, options));
//
// Thread safety: CollectGarbage may run beside publishes (see `grace`), and
// beside another gc: the catalog transaction serializes their deletions.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "catalog/store.h"
#include "common/status.h"
#include "spec/model.h"
#include "storage/file_system.h"

namespace weft::storage {

// How many committed snapshots of one product major to keep. A snapshot is
// kept when it is among the newest `snapshots` OR younger than `days` days;
// with only one of them set, that one decides; with neither, all are kept.
// The newest snapshot of a (product, major) is always kept: it is current.
struct Retention {
  std::optional<int64_t> snapshots;
  std::optional<int64_t> days;
};

// The workspace default: weft.yaml's `retention: {snapshots, days}`.
Retention RetentionFromWorkspace(const spec::WorkspaceSpec& settings);

// A product's retention: its descriptor's `weft.retention` custom property
// (an integer: snapshots to keep; or an object {snapshots: N, days: D}),
// else `fallback`. A value of another shape is an InvalidArgument naming
// the product.
Result<Retention> RetentionOfProduct(const catalog::ProductRecord& product, const Retention& fallback);

// One domain's storage root (catalog::DomainRecord::storage_root).
struct GcRoot {
  std::string domain;
  std::filesystem::path root;
};

// Every domain's storage root, from the catalog.
Result<std::vector<GcRoot>> DomainRoots(catalog::Store& store);

struct GcOptions {
  std::chrono::system_clock::time_point now;
  bool dry_run = false;
  Retention default_retention;
  // A staging or orphan directory changed within `grace` of `now` is left
  // alone: a running publish may own it (writing, or between its rename and
  // its catalog commit). A snapshot beyond retention whose successor (the
  // commit that made it non-current) is younger than `grace` is kept too: a
  // query, an Iceberg reader or a governed copy that chose it just before
  // that commit may still be reading its files. The default outlasts every
  // query time limit; tests that expire at once pass 0.
  std::chrono::seconds grace = std::chrono::hours(1);
  std::string actor;  // for the audit events
  // false: leave committed snapshots alone whatever the retention (what
  // `weft check --repair` removes is only what nothing committed references).
  bool expire = true;
};

enum class GcKind { kStaging, kOrphan, kExpired, kUnrecorded };
const char* GcKindName(GcKind kind);  // "staging", "orphan", "expired", "unrecorded"

struct GcRemoval {
  GcKind kind = GcKind::kStaging;
  std::string product_id;
  int64_t major = 0;
  std::string snapshot_id;  // the directory's name (kUnrecorded: the publish id)
  std::filesystem::path path;
  int64_t bytes = 0;  // apparent size of its files
  std::string reason;
  bool removed = false;  // false in a dry run, or when removing the directory failed (see warnings)
};

struct GcReport {
  bool dry_run = false;
  std::vector<GcRemoval> removals;  // staging, orphans, unrecorded, then expired; each by path
  // Bytes given back to the file system: a file's bytes count only when the
  // last of its hard links goes (in a dry run: would go).
  int64_t bytes_freed = 0;
  std::vector<std::string> warnings;  // what was skipped and why
  // Snapshots beyond retention kept because their successor is younger than
  // the grace (a reader may still use them); the next gc after that expires them.
  int64_t deferred = 0;
};

// True when `path` names <root>/products/<p>/v<M>/snapshots/<id> for one of
// the roots: gc never removes a directory a catalog row points elsewhere.
bool IsSnapshotDirUnder(const std::filesystem::path& path, const std::string& id, const std::vector<GcRoot>& roots);

// Scans every root's products/*/v*/ directories and removes (or, in a dry
// run, lists) the garbage described above. Products come from the catalog;
// a product whose weft.retention is malformed keeps all its snapshots and
// gets a warning. Fails only when the catalog cannot be read or written;
// a directory that cannot be removed is a warning (the next gc retries).
Result<GcReport> CollectGarbage(catalog::Store& store, FileSystem& fs, const std::vector<GcRoot>& roots,
                                const GcOptions& options);

}  // namespace weft::storage
