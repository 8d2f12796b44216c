// Patterns in ODCS (`logicalTypeOptions.pattern`, `arguments.pattern`) are
// ECMA-262 regular expressions, as in JSON Schema; weft's checks run them in
// DuckDB, whose engine is RE2. The two differ: RE2 has no lookaround and no
// backreferences, libstdc++'s std::regex (ECMAScript grammar of ECMA-262 3rd
// edition) has no named groups, lookbehind or \p{...}. Lint compiles a
// pattern with both and tells which case it is (docs/spec-reference.md).
//
//   if (auto err = EcmaPatternError("(?=x)a"); !err.empty()) ...
//   if (NeedsBacktracking("(\\w)\\1")) /* RE2 cannot run it */
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace weft::spec {

// Empty when std::regex compiles `pattern` as ECMAScript, else why not.
std::string EcmaPatternError(const std::string& pattern);

// Whether `pattern` uses lookaround or a backreference: ECMA-262 features
// that RE2, and so a DuckDB check, cannot run.
bool NeedsBacktracking(std::string_view pattern);

// Whether `pattern` uses ECMAScript syntax newer than std::regex reads
// (named groups, lookbehind, Unicode property escapes).
bool UsesNewerEcmaSyntax(std::string_view pattern);

}  // namespace weft::spec
