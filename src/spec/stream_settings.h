// weft.stream: a product declared streaming (docs/streaming.md). Producers
// send it rows continuously (`weft stream`, POST .../stream) and each
// micro-batch is committed as an append snapshot once it holds `max_rows`
// rows or `max_bytes` bytes, or `max_seconds` after its first row arrived.
//
//   customProperties:
//     - property: weft.stream
//       value: {maxRows: 10000, maxSeconds: 1}    # or: true (the defaults)
//
//   ASSIGN_OR_RETURN(std::optional<StreamSettings> s, StreamSettingsOf(product));
//   if (!s) ...   // not a streaming product
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "spec/model.h"

namespace weft::spec {

struct StreamSettings {
  int64_t max_rows = 10000;
  double max_seconds = 1;
  int64_t max_bytes = 64LL << 20;
};

// The product's weft.stream, nullopt when it has none; InvalidArgument
// naming the key when the value is not `true` or a mapping of maxRows
// (1..1,000,000), maxSeconds (0.05..3600) and maxBytes (1 KiB..1 GiB).
Result<std::optional<StreamSettings>> StreamSettingsOf(const DataProduct& product);

}  // namespace weft::spec
