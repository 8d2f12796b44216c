// A workspace: one mesh's settings (weft.yaml), its catalog and the default
// home of its domains' storage roots.
//
//   ASSIGN_OR_RETURN(Workspace ws, FindWorkspace(flag_value));   // --workspace, WEFT_HOME, or cwd upward
//   ASSIGN_OR_RETURN(auto store, catalog::OpenStore(ws.CatalogLocation()));
//
// Thread safety: a value; safe to share read-only.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "common/status.h"
#include "spec/model.h"

namespace weft::control {

struct Workspace {
  std::filesystem::path root;  // the directory holding weft.yaml
  spec::WorkspaceSpec settings;

  std::filesystem::path SettingsFile() const { return root / "weft.yaml"; }
  // What weft can recompute at any time (the last plan's policy results);
  // safe to delete.
  std::filesystem::path CacheDir() const { return root / "cache"; }
  // A file path for SQLite (relative paths are under root), or a URL.
  std::string CatalogLocation() const;
  // The storage root of a domain: its storageRoot (relative to the
  // workspace when relative), else <root>/domains/<name>.
  std::filesystem::path DomainRoot(const spec::DomainSpec& domain) const;
  // Policy pack directories; "default" stands for the built-in pack.
  std::vector<std::string> PolicyPacks() const;
  std::filesystem::path ResolvePath(const std::string& relative) const;
};

// The workspace secret (<root>/secret.key, owner-only): the key of the hash
// masks, so equal values hash equal across products and workspaces differ.
// Created on first use.
Result<std::string> LoadOrCreateSecret(const Workspace& ws);

// Reads weft.yaml in `root` (errors carry file:line:col).
Result<Workspace> LoadWorkspace(const std::filesystem::path& root);

// The workspace named by `explicit_dir` (from --workspace) if not empty, else
// $WEFT_HOME, else the nearest directory from the current one upward that
// holds a weft.yaml.
Result<Workspace> FindWorkspace(const std::string& explicit_dir);

// Creates a workspace in `dir`: weft.yaml, domains/, and its catalog:
// `catalog` (a postgres:// URL, or a file path, relative to `dir`), by
// default catalog.db in `dir`. Refuses when dir already holds a weft.yaml,
// and a URL holding a password (weft.yaml would keep it in clear: it belongs
// in PGPASSWORD or a passfile).
Result<Workspace> InitWorkspace(const std::filesystem::path& dir, const std::string& mesh_name,
                                const std::string& catalog = "");

// Points weft.yaml's `catalog:` setting at `catalog` (what `weft catalog
// migrate` does once the copy is committed), keeping every other line; the
// file is replaced whole (written beside it, then renamed).
Status SetCatalog(const Workspace& ws, const std::string& catalog);

}  // namespace weft::control
