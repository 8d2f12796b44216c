// The default policy pack, compiled in: src/governance/default_pack/*.yaml,
// embedded verbatim at build time by cmake/embed_files.cmake.
// Thread safety: immutable data.
#pragma once

#include <string_view>
#include <vector>

namespace weft::governance {

struct EmbeddedPolicyFile {
  std::string_view name;  // file name, e.g. "product-has-owner.yaml"
  std::string_view text;
};

const std::vector<EmbeddedPolicyFile>& DefaultPackFiles();

}  // namespace weft::governance
