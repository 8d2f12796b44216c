#include "storage/root_owner.h"

#include <algorithm>

#include "catalog/location.h"
#include "common/files.h"
#include "common/strings.h"

namespace weft::storage {

namespace fs = std::filesystem;

namespace {

fs::path Absolute(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal();
}

bool IsUnder(const fs::path& path, const fs::path& dir) {
  fs::path d = dir;
  if (!d.has_filename()) d = d.parent_path();  // "/ws/" -> "/ws"
  return std::mismatch(d.begin(), d.end(), path.begin(), path.end()).first == d.end();
}

// The same file: by identity when both exist, else by name.
bool SameFile(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  const bool same = fs::equivalent(a, b, ec);
  return ec ? a == b : same;
}

struct Owner {
  bool inside = false;  // the root travels with the catalog: no owner needed
  fs::path file;        // the owner's catalog (named by the root), or weft.yaml (around it); empty: none yet
  bool named = false;   // `file` comes from the root's owner file
  bool ours = false;    // `file` is the catalog asking, or is gone
};

// How a root's owner file names the catalog: a file by its absolute path; a
// catalog server by its URL without the password (catalog/location.h).
std::string Identity(const fs::path& location) {
  return catalog::IsCatalogUrl(location.string()) ? catalog::PrintableLocation(location.string())
                                                   : Absolute(location).string();
}

// The directory whose roots are the catalog's own, needing no owner file:
// the catalog file's (they travel with a copy of it); for a catalog server,
// the workspace's.
fs::path Home(const RootClaimant& claimant) {
  return catalog::IsCatalogUrl(claimant.catalog_file.string()) ? Absolute(claimant.workspace)
                                                                : Absolute(claimant.catalog_file).parent_path();
}

// Whether the owner a root names is the catalog `identity`, or a catalog
// file that no longer exists (the root passes to the catalog asking).
bool SameOrGone(const std::string& owner, const std::string& identity) {
  if (owner == identity) return true;
  // A catalog server is not on this disk to look at: it is never "gone".
  if (catalog::IsCatalogUrl(owner)) return false;
  std::error_code ec;
  if (!fs::exists(owner, ec)) return true;
  return !catalog::IsCatalogUrl(identity) && SameFile(owner, identity);
}

Result<Owner> ReadOwner(const fs::path& root, const RootClaimant& claimant) {
  const std::string identity = Identity(claimant.catalog_file);
  const fs::path dir = Absolute(root);
  Owner owner;
  if (IsUnder(dir, Home(claimant))) {
    owner.inside = true;
    return owner;
  }
  std::error_code ec;
  if (fs::exists(dir / kRootOwnerFile, ec)) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(dir / kRootOwnerFile));
    owner.file = std::string(Trim(text));
    owner.named = true;
  } else {
    // A root inside another workspace is that workspace's: a catalog copied
    // before schema 12 still names its original's default roots, which name
    // no owner (they travel with their catalog).
    for (fs::path up = dir.parent_path(); up != up.parent_path(); up = up.parent_path()) {
      if (SameFile(up, Absolute(claimant.workspace))) break;
      if (fs::exists(up / "weft.yaml", ec)) {
        owner.file = up / "weft.yaml";
        break;
      }
    }
  }
  owner.ours = owner.file.empty() || SameOrGone(owner.file.string(), identity);
  return owner;
}

}  // namespace

Status CheckRootOwner(const fs::path& root, const RootClaimant& claimant) {
  ASSIGN_OR_RETURN(Owner owner, ReadOwner(root, claimant));
  if (owner.inside || owner.ours) return Status::Ok();
  const std::string here = Identity(claimant.catalog_file);
  const std::string marker = (Absolute(root) / kRootOwnerFile).string();
  if (!owner.named) {
    return Status::FailedPrecondition(
        "the storage root " + Absolute(root).string() + " lies in the workspace " + owner.file.parent_path().string() +
        ", not in this one (" + here +
        "): this catalog was probably copied from there before weft kept paths relative to the workspace. Open the "
        "original once with this weft (its catalog then keeps relative paths) and copy it again, or, if this "
        "workspace is meant to write there, write " +
        here + " into " + marker);
  }
  return Status::FailedPrecondition(
      "the storage root " + Absolute(root).string() + " belongs to the catalog " + owner.file.string() +
      ", not to this workspace's " + here +
      ": this workspace is probably a copy of that one, and a copy must not write into its original's storage. "
      "Give the domain a root of its own here (a storageRoot inside the workspace travels with a copy), or, if " +
      owner.file.string() + " is retired, delete it or " + marker);
}

Status ClaimRoot(FileSystem& fs, const fs::path& root, const RootClaimant& claimant) {
  ASSIGN_OR_RETURN(Owner owner, ReadOwner(root, claimant));
  if (owner.inside) return Status::Ok();
  if (!owner.ours) return CheckRootOwner(root, claimant);
  const std::string identity = Identity(claimant.catalog_file);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Status::Ok();
  if (owner.named && owner.file.string() == identity) return Status::Ok();
  return fs.WriteFile(Absolute(root) / kRootOwnerFile, identity + "\n")
      .WithContext("while recording this workspace's catalog as the owner of the storage root " + root.string());
}

Status HandOverRoot(FileSystem& fs, const fs::path& root, const RootClaimant& from, const RootClaimant& to) {
  ASSIGN_OR_RETURN(Owner owner, ReadOwner(root, from));
  if (!owner.named || owner.file.string() != Identity(from.catalog_file)) return Status::Ok();
  return fs.WriteFile(Absolute(root) / kRootOwnerFile, Identity(to.catalog_file) + "\n")
      .WithContext("while handing the storage root " + root.string() + " to " + Identity(to.catalog_file));
}

std::vector<GcRoot> WritableRoots(FileSystem& fs, const std::vector<GcRoot>& roots, const RootClaimant& claimant,
                                  bool claim, std::vector<std::string>* refused) {
  std::vector<GcRoot> out;
  for (const GcRoot& r : roots) {
    Status s = claim ? ClaimRoot(fs, r.root, claimant) : CheckRootOwner(r.root, claimant);
    if (s.ok()) {
      out.push_back(r);
    } else {
      refused->push_back("domain " + r.domain + ": " + s.message() + "; its root is left alone");
    }
  }
  return out;
}

}  // namespace weft::storage
