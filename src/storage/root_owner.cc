#include "storage/root_owner.h"

#include <algorithm>

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
  fs::path file;        // the owner the root names; empty: none yet
  bool ours = false;    // `file` is the catalog asking, or is gone
};

Result<Owner> ReadOwner(const fs::path& root, const fs::path& catalog_file) {
  const fs::path catalog = Absolute(catalog_file);
  const fs::path dir = Absolute(root);
  Owner owner;
  if (IsUnder(dir, catalog.parent_path())) {
    owner.inside = true;
    return owner;
  }
  std::error_code ec;
  if (!fs::exists(dir / kRootOwnerFile, ec)) return owner;
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(dir / kRootOwnerFile));
  owner.file = std::string(Trim(text));
  owner.ours = owner.file.empty() || SameFile(owner.file, catalog) || !fs::exists(owner.file, ec);
  return owner;
}

}  // namespace

Status CheckRootOwner(const fs::path& root, const fs::path& catalog_file) {
  ASSIGN_OR_RETURN(Owner owner, ReadOwner(root, catalog_file));
  if (owner.inside || owner.file.empty() || owner.ours) return Status::Ok();
  return Status::FailedPrecondition(
      "the storage root " + Absolute(root).string() + " belongs to the catalog " + owner.file.string() +
      ", not to this workspace's " + Absolute(catalog_file).string() +
      ": this workspace is probably a copy of that one, and a copy must not write into its original's storage. "
      "Give the domain a root of its own here (a storageRoot inside the workspace travels with a copy), or, if " +
      owner.file.string() + " is retired, delete it or " + (Absolute(root) / kRootOwnerFile).string());
}

Status ClaimRoot(FileSystem& fs, const fs::path& root, const fs::path& catalog_file) {
  ASSIGN_OR_RETURN(Owner owner, ReadOwner(root, catalog_file));
  if (owner.inside) return Status::Ok();
  if (!owner.file.empty() && !owner.ours) return CheckRootOwner(root, catalog_file);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Status::Ok();
  if (!owner.file.empty() && SameFile(owner.file, Absolute(catalog_file))) return Status::Ok();
  return fs.WriteFile(Absolute(root) / kRootOwnerFile, Absolute(catalog_file).string() + "\n")
      .WithContext("while recording this workspace's catalog as the owner of the storage root " + root.string());
}

std::vector<GcRoot> WritableRoots(FileSystem& fs, const std::vector<GcRoot>& roots, const fs::path& catalog_file,
                                  bool claim, std::vector<std::string>* refused) {
  std::vector<GcRoot> out;
  for (const GcRoot& r : roots) {
    Status s = claim ? ClaimRoot(fs, r.root, catalog_file) : CheckRootOwner(r.root, catalog_file);
    if (s.ok()) {
      out.push_back(r);
    } else {
      refused->push_back("domain " + r.domain + ": " + s.message() + "; its root is left alone");
    }
  }
  return out;
}

}  // namespace weft::storage
