// The web UI's built files (ui/dist), compiled into the binary by
// embed_ui.cmake so `weft serve` needs no files beside it. Empty when the
// UI was not built (the server then says how to build it).
// Thread safety: immutable data.
#pragma once

#include <cstddef>
#include <vector>

namespace weft::server {

struct UiAsset {
  const char* path;  // "/index.html", "/assets/index-3f2a.js"
  const char* content_type;
  const char* data;
  size_t size;
};

const std::vector<UiAsset>& UiAssets();

}  // namespace weft::server
