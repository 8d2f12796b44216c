// Loading a tree of spec files for the commands that read one (lint, diff,
// later plan/apply): every *.yaml under the given paths, with the loader's
// diagnostics kept beside the documents.
// Thread safety: LoadSpecTree is safe to call concurrently; it loads the
// files on all cores (spec::LoadFiles).
#pragma once

#include <filesystem>
#include <vector>

#include "spec/loader.h"

namespace weft::spec {

struct SpecTree {
  std::vector<Document> documents;
  std::vector<Diagnostic> diagnostics;
  size_t files = 0;
  bool missing_path = false;  // a path named on the command line does not exist
};

SpecTree LoadSpecTree(const std::vector<std::filesystem::path>& roots);

}  // namespace weft::spec
