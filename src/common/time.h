// Wall-clock time as the catalog records it.
// Thread safety: pure functions (the clock is the only input).
#pragma once

#include <string>

namespace weft {

// The current UTC time, ISO 8601 with milliseconds: "2026-11-22T01:33:54.123Z".
// Such strings order as the times they name, which the catalog relies on
// (expiries, "since", usage by month).
std::string NowIso();

}  // namespace weft
