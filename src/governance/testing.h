// Test helpers shared by the governance tests: loading spec trees from the
// fixtures, and building a ProposedState over them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "governance/metadata_model.h"
#include "spec/loader.h"

namespace weft::governance::testing {

inline std::filesystem::path SourceDir() {
  const char* dir = std::getenv("WEFT_SOURCE_DIR");
  return dir && *dir ? std::filesystem::path(dir) : std::filesystem::current_path();
}

// Every document under `root`; load errors fail the calling test.
inline std::vector<spec::Document> LoadTree(const std::filesystem::path& root) {
  std::vector<spec::Diagnostic> diags;
  std::vector<spec::Document> docs;
  for (const auto& f : spec::FindSpecFiles({root}, diags)) {
    spec::LoadedFile loaded = spec::LoadFile(f);
    for (auto& d : loaded.diagnostics) diags.push_back(std::move(d));
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  EXPECT_EQ(spec::CountErrors(diags), 0u) << root << (diags.empty() ? "" : ": " + spec::FormatGcc(diags[0]));
  return docs;
}

inline ProposedState StateOver(const std::vector<spec::Document>& docs) {
  ProposedState state;
  for (const auto& d : docs) state.documents.push_back(&d);
  return state;
}

}  // namespace weft::governance::testing
