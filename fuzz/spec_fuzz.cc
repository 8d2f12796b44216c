// libFuzzer target: arbitrary bytes through the spec loader and lint.
// Oracle: no crash, no hang, no sanitizer report; and every diagnostic has a
// rule id (the user always learns which rule fired).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/lint.h"
#include "spec/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  weft::spec::LoadLimits limits;
  limits.max_nodes = 100'000;  // keep each run fast; the limit itself is what is tested
  weft::spec::LoadedFile f = weft::spec::LoadText(text, "fuzz.yaml", limits);
  auto diags = weft::spec::Lint(f.documents);
  for (const auto* list : {&f.diagnostics, &diags})
    for (const auto& d : *list)
      if (d.rule.empty()) std::abort();
  return 0;
}
