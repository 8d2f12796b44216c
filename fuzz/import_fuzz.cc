// libFuzzer target: the `weft import` parsers (interop/import.h). The first
// byte picks the format (simple, dbt, sql, jsonschema); the rest is the file.
// Oracle: no crash, no hang, no sanitizer report; a refusal is an
// InvalidArgument whose message names the input file (the user learns where),
// and an import that succeeds yields files for a product and its contract.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "common/strings.h"
#include "interop/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weft;
  if (size == 0) return -1;
  static const interop::ImportFormat kFormats[] = {interop::ImportFormat::kSimple, interop::ImportFormat::kDbt,
                                                   interop::ImportFormat::kSql, interop::ImportFormat::kJsonSchema};
  const interop::ImportFormat format = kFormats[data[0] % 4];
  const interop::ImportInput in{.file = "fuzz.in", .text = std::string(reinterpret_cast<const char*>(data + 1), size - 1)};
  auto files = interop::Import(format, {in}, {.domain = "fuzz"});
  if (!files.ok()) {
    const std::string& message = files.status().message();
    if (files.status().code() != StatusCode::kInvalidArgument || message.find("fuzz.in") == std::string::npos) {
      fprintf(stderr, "refusal without the file or not InvalidArgument: %s\n", files.status().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  if (files->empty() || files->size() % 2 != 0) std::abort();
  for (const auto& f : *files)
    if (!StartsWith(f.path, "domains/") || f.content.empty()) std::abort();
  return 0;
}
