#include "control/workspace.h"

#include <cstdlib>

#include "catalog/location.h"
#include "catalog/store.h"
#include "common/files.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "spec/lint.h"
#include "spec/loader.h"

namespace weft::control {

namespace fs = std::filesystem;

namespace {

// The weft.yaml written by `weft init`: every setting with its default, so a
// user sees what can be changed.
// weft.yaml's `catalog:` line for `catalog` (empty: the default file), with
// the comment above it.
std::string CatalogSetting(const std::string& catalog) {
  // A URL is written double-quoted: it may hold '#', ': ' or '?'.
  std::string quoted;
  for (char c : catalog) quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return catalog.empty()
             ? "# The control-plane catalog: a SQLite file beside this one, or a postgres:// URL.\ncatalog: catalog.db\n"
             : "# The control-plane catalog. The password, if any: PGPASSWORD or a passfile (PGPASSFILE, ~/.pgpass).\n"
               "catalog: \"" + quoted + "\"\n";
}

std::string DefaultSettings(const std::string& name, const std::string& catalog) {
  const std::string setting = CatalogSetting(catalog);
  return "apiVersion: weft/v1\n"
         "kind: Workspace\n"
         "name: " + name + "\n" + setting +
         "# Governance policy packs run on every plan, apply and publish.\n"
         "# 'default' is weft's built-in pack; add directories of your own.\n"
         "policyPacks: [default]\n"
         "# Prices for showback: per CPU-second of queries, per GB scanned, per GB stored a month.\n"
         "currency: USD\n"
         "rateCard:\n"
         "  cpuSecond: 0.00005\n"
         "  gbScanned: 0.005\n"
         "  gbStoredMonth: 0.023\n"
         "# Masking applied by classification unless a property sets weft.mask.\n"
         "masking:\n"
         "  pii: hash\n"
         "  restricted: redact\n"
         "retention:\n"
         "  snapshots: 10\n"
         "  days: 30\n"
         "query:\n"
         "  memoryLimit: 2GB\n"
         "  threads: 2\n"
         "# Bounds on reading one publish input: decompressed size, gzip expansion, one field.\n"
         "publish:\n"
         "  maxInputBytes: 16GB\n"
         "  maxExpansion: 100\n"
         "  maxFieldBytes: 8MB\n";
}

}  // namespace

std::string Workspace::CatalogLocation() const {
  std::string c = settings.catalog.empty() ? "catalog.db" : settings.catalog;
  if (c.find("://") != std::string::npos) return c;
  return ResolvePath(c).string();
}

fs::path Workspace::ResolvePath(const std::string& relative) const {
  fs::path p(relative);
  return p.is_absolute() ? p : root / p;
}

fs::path Workspace::DomainRoot(const spec::DomainSpec& domain) const {
  if (!domain.storage_root.empty()) return ResolvePath(domain.storage_root).lexically_normal();
  return root / "domains" / domain.name;
}

std::vector<std::string> Workspace::PolicyPacks() const {
  if (!settings.Has("policyPacks")) return {"default"};
  return settings.policy_packs;
}

Result<Workspace> LoadWorkspace(const fs::path& root) {
  fs::path file = root / "weft.yaml";
  spec::LoadedFile loaded = spec::LoadFile(file);
  std::vector<spec::Diagnostic> diags = loaded.diagnostics;
  for (auto& d : spec::Lint(loaded.documents)) diags.push_back(std::move(d));
  if (spec::CountErrors(diags) > 0) {
    std::vector<std::string> lines;
    for (const auto& d : diags)
      if (d.severity == spec::Severity::kError) lines.push_back(spec::FormatGcc(d));
    return Status::InvalidArgument("invalid workspace settings:\n" + Join(lines, "\n"));
  }
  if (loaded.documents.size() != 1 || !loaded.documents[0].workspace())
    return Status::InvalidArgument(file.string() + ": expected one document of kind Workspace");
  Workspace ws;
  std::error_code ec;
  ws.root = fs::absolute(root, ec).lexically_normal();
  ws.settings = *loaded.documents[0].workspace();
  return ws;
}

Result<Workspace> FindWorkspace(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return LoadWorkspace(explicit_dir);
  if (const char* home = std::getenv("WEFT_HOME"); home && *home) return LoadWorkspace(home);
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "weft.yaml", ec)) return LoadWorkspace(dir);
    if (dir == dir.parent_path()) break;
  }
  return Status::NotFound(
      "no weft workspace here: run 'weft init DIR', or point to one with --workspace DIR or WEFT_HOME");
}

Result<std::string> LoadOrCreateSecret(const Workspace& ws) {
  const fs::path file = ws.root / "secret.key";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    std::string secret = RandomHex(32);
    if (secret.empty()) return Status::Internal("the system's random generator failed; cannot create " + file.string());
    // Written to a temporary name and linked into place, so two processes
    // racing to create it agree on one secret.
    fs::path tmp = file.string() + "." + RandomHex(4) + ".tmp";
    RETURN_IF_ERROR(WriteStringToFile(tmp, secret + "\n"));
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
    fs::create_hard_link(tmp, file, ec);  // fails if another process won: its secret stands
    fs::remove(tmp, ec);
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(file));
  std::string secret(Trim(text));
  if (secret.size() < 32) return Status::FailedPrecondition(file.string() + " holds no usable secret (too short)");
  return secret;
}

Result<Workspace> InitWorkspace(const fs::path& dir, const std::string& mesh_name, const std::string& catalog) {
  if (catalog::HasPassword(catalog)) {
    return Status::InvalidArgument(
        "the catalog URL holds a password, which weft.yaml would keep in clear; give the URL without it (" +
        catalog::PrintableLocation(catalog) + ") and the password in PGPASSWORD or a passfile (PGPASSFILE, ~/.pgpass)");
  }
  // A catalog server is reached before anything is written: a wrong URL or
  // password leaves no half-made workspace behind.
  if (catalog::IsCatalogUrl(catalog)) {
    auto store = catalog::OpenStore(catalog);
    if (!store.ok()) return store.status().WithContext("while opening the catalog");
  }
  std::error_code ec;
  if (fs::exists(dir / "weft.yaml", ec))
    return Status::AlreadyExists((dir / "weft.yaml").string() + " already exists; this is already a workspace");
  fs::create_directories(dir / "domains", ec);
  if (ec) return Status::IoError("cannot create " + (dir / "domains").string() + ": " + ec.message());
  std::string name = mesh_name.empty() ? fs::absolute(dir).filename().string() : mesh_name;
  RETURN_IF_ERROR(WriteStringToFile(dir / "weft.yaml", DefaultSettings(name, catalog)));
  ASSIGN_OR_RETURN(Workspace ws, LoadWorkspace(dir));
  // Creating the store runs the catalog's migrations.
  auto store = catalog::OpenStore(ws.CatalogLocation());
  if (!store.ok()) return store.status().WithContext("while creating the catalog");
  return ws;
}

Status SetCatalog(const Workspace& ws, const std::string& catalog) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(ws.SettingsFile()));
  std::vector<std::string> lines = Split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  bool replaced = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const bool comment = lines[i].rfind("# The control-plane catalog", 0) == 0 && i + 1 < lines.size() &&
                         lines[i + 1].rfind("catalog:", 0) == 0;
    if (comment) continue;  // CatalogSetting writes its own
    if (lines[i].rfind("catalog:", 0) == 0) {
      out += CatalogSetting(catalog);
      replaced = true;
      continue;
    }
    out += lines[i] + "\n";
  }
  if (!replaced) out += CatalogSetting(catalog);
  const fs::path tmp = ws.SettingsFile().string() + "." + RandomHex(4) + ".tmp";
  RETURN_IF_ERROR(WriteStringToFile(tmp, out));
  std::error_code ec;
  fs::rename(tmp, ws.SettingsFile(), ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::IoError("cannot replace " + ws.SettingsFile().string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace weft::control
