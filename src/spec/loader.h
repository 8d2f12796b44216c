// Reads YAML spec files into the model of spec/model.h.
//
// The loader never throws and never aborts on bad input: a file that is not
// valid UTF-8, is malformed YAML, is too large or too deeply nested, or whose
// fields have the wrong shape, yields diagnostics with positions, plus as
// much of the document as could be read (so lint can keep going).
//
//   LoadedFile f = LoadFile("domains/sales/products/orders/orders.odcs.yaml");
//   for (const auto& d : f.diagnostics) std::cerr << FormatGcc(d) << "\n";
//   if (CountErrors(f.diagnostics) == 0) Use(f.documents);
//
// Thread safety: pure functions; safe to call concurrently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.h"

namespace weft::spec {

struct LoadLimits {
  size_t max_bytes = 16u << 20;     // per file
  int max_depth = 64;               // nesting of maps/lists
  size_t max_nodes = 2'000'000;     // after alias expansion: defeats "billion laughs"
};

struct LoadedFile {
  std::vector<Document> documents;
  std::vector<Diagnostic> diagnostics;
};

// Supported apiVersion values per kind (errors name them).
const std::vector<std::string>& SupportedApiVersions(DocKind kind);

LoadedFile LoadText(std::string_view text, const std::string& file, const LoadLimits& limits = {});
LoadedFile LoadFile(const std::filesystem::path& path, const LoadLimits& limits = {});
// LoadFile of each path, spread over the machine's cores; results in the
// order of `paths`, exactly as LoadFile one by one would give them.
std::vector<LoadedFile> LoadFiles(const std::vector<std::filesystem::path>& paths, const LoadLimits& limits = {});

// The spec files under the given files/directories: *.yaml and *.yml.
std::vector<std::filesystem::path> FindSpecFiles(const std::vector<std::filesystem::path>& roots,
                                                 std::vector<Diagnostic>& diags);

}  // namespace weft::spec
