#include "spec/tree.h"

namespace weft::spec {

SpecTree LoadSpecTree(const std::vector<std::filesystem::path>& roots) {
  SpecTree tree;
  for (const auto& root : roots) {
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) tree.missing_path = true;  // FindSpecFiles reports it
  }
  std::vector<std::filesystem::path> files = FindSpecFiles(roots, tree.diagnostics);
  tree.files = files.size();
  for (LoadedFile& loaded : LoadFiles(files)) {
    for (auto& d : loaded.documents) tree.documents.push_back(std::move(d));
    for (auto& d : loaded.diagnostics) tree.diagnostics.push_back(std::move(d));
  }
  return tree;
}

}  // namespace weft::spec
