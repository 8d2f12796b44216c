// Which catalog may write a storage root that lies outside its workspace.
//
// A root under the catalog's directory (the default <workspace>/domains/<d>)
// is recorded relative to it and travels with a copy of the workspace
// (catalog/sqlite/stored_paths.h). A root declared elsewhere (domain.yaml
// storageRoot: /data/hr) stays absolute, so every copy of the workspace
// would share it: a publish in the copy would land beside the original's
// snapshots, which the original's gc then deletes as orphans, and a gc in the
// copy would expire the original's current snapshot. So such a root names
// its owner, the catalog file that first wrote it, in `.weft-catalog`, and
// a catalog that is not the owner is refused while the owner exists:
//
//   RETURN_IF_ERROR(ClaimRoot(fs, "/data/hr", {"/ws2/catalog.db", "/ws2"}));   // refused when /ws/catalog.db owns it
//
// A root that names no owner but lies inside another workspace (a catalog
// copied before schema 12 still names its original's default roots) is that
// workspace's. An owner that no longer exists (the workspace was moved, or
// restored on another machine) passes the root to the catalog asking.
// docs/reliability.md.
//
// Thread safety: functions of their arguments and the file system.
#pragma once

#include <filesystem>

#include "common/status.h"
#include "storage/file_system.h"
#include "storage/gc.h"

namespace weft::storage {

inline constexpr const char* kRootOwnerFile = ".weft-catalog";

// Who asks: the workspace's catalog (its file, or a catalog server's URL,
// named in owner files without its password) and the workspace's directory.
struct RootClaimant {
  std::filesystem::path catalog_file;
  std::filesystem::path workspace;
};

// OK when the catalog at `catalog_file` may write `root`: the root is under
// the catalog's directory, names no owner yet, names this catalog, or names
// one that no longer exists. FailedPrecondition, saying what to do, when it
// belongs to another catalog that exists. Changes nothing.
Status CheckRootOwner(const std::filesystem::path& root, const RootClaimant& claimant);

// CheckRootOwner, then records `catalog_file` as the owner of a root outside
// its directory when it is not yet (a root that does not exist yet is
// claimed when it is provisioned).
Status ClaimRoot(FileSystem& fs, const std::filesystem::path& root, const RootClaimant& claimant);

// After `weft catalog migrate`: a root whose owner file names `from`'s
// catalog names `to`'s instead (the same workspace, its catalog moved to a
// server). A root naming another owner, or none, is left as it is.
Status HandOverRoot(FileSystem& fs, const std::filesystem::path& root, const RootClaimant& from, const RootClaimant& to);

// The roots of `roots` the catalog may write — claimed (ClaimRoot) when
// `claim`, else only checked — and the refusal of each other one in
// `refused`. For gc: a copy collects its own roots, never its original's.
std::vector<GcRoot> WritableRoots(FileSystem& fs, const std::vector<GcRoot>& roots, const RootClaimant& claimant,
                                  bool claim, std::vector<std::string>* refused);

}  // namespace weft::storage
