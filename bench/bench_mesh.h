// Shared by the benchmarks that need a workspace with a mesh applied:
// `weft init`'s settings (query memory 2 GB, 2 threads) without the policy
// pack — governance is not what they measure, and a mesh that passes it
// would need owners, budgets and classifications — and `tree` applied
// through the planner, as `weft apply -f` does.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/files.h"
#include "common/status.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "spec/loader.h"
#include "storage/file_system.h"

namespace weft::bench {

struct BenchMesh {
  control::Workspace ws;
  std::unique_ptr<catalog::Store> store;
};

inline Result<BenchMesh> ApplyBenchMesh(const std::filesystem::path& ws_dir, const std::filesystem::path& tree) {
  ASSIGN_OR_RETURN(control::Workspace ws, control::InitWorkspace(ws_dir, "bench"));
  ASSIGN_OR_RETURN(std::string yaml, ReadFileToString(ws.root / "weft.yaml"));
  const std::string packs = "policyPacks: [default]";
  auto at = yaml.find(packs);
  if (at == std::string::npos) return Status::Internal("weft.yaml has no '" + packs + "' line");
  yaml.replace(at, packs.size(), "policyPacks: []");
  RETURN_IF_ERROR(WriteStringToFile(ws.root / "weft.yaml", yaml, true));
  ASSIGN_OR_RETURN(ws, control::LoadWorkspace(ws.root));
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::Store> store, catalog::OpenStore(ws.CatalogLocation()));
  std::vector<spec::Document> docs;
  std::vector<spec::Diagnostic> diags;
  for (const auto& f : spec::FindSpecFiles({tree}, diags)) {
    auto loaded = spec::LoadFile(f);
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
    for (auto& d : loaded.diagnostics) diags.push_back(std::move(d));
  }
  ASSIGN_OR_RETURN(control::Plan plan, control::MakePlan(ws, *store, docs, diags, {.actor = "bench"}));
  for (const auto& r : plan.refusals)
    std::fprintf(stderr, "  refused: %s:%d: [%s] %s\n", r.file.c_str(), r.pos.line, r.rule.c_str(), r.message.c_str());
  if (plan.refused()) return Status::FailedPrecondition("the bench mesh was refused (above)");
  RETURN_IF_ERROR(control::Apply(ws, *store, storage::DefaultFileSystem(), plan).status());
  return BenchMesh{std::move(ws), std::move(store)};
}

}  // namespace weft::bench
