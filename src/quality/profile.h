// Column profiles of a snapshot: per column its null share, a distinct
// estimate, min/max and its most frequent values, computed in one
// aggregate pass over the snapshot's Parquet files (and one over a sample
// for the frequent values of a large one) when a publish commits
// it (catalog::SnapshotProfileRecord keeps them). The values are raw: who
// may see which figure is the catalog service's decision
// (service::CatalogService::Profile, docs/server.md "The product page").
//
//   ASSIGN_OR_RETURN(nlohmann::json columns, ProfileFiles(conn, sealed.files));
//   // [{"name": "amount", "type": "DECIMAL(12,2)", "rows": 1000, "nulls": 3,
//   //   "distinct": 812, "min": "0.50", "max": "9120.00", "top": ["10.00", ...]}, ...]
//
// Thread safety: uses the caller's connection, as any query on it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/status.h"
#include "engine/connection.h"

namespace weft::quality {

// How many frequent values a profile keeps per column, and how much of each
// value's text: enough to recognise a column, not a copy of it.
inline constexpr int kProfileTopValues = 5;
inline constexpr int kProfileValueChars = 64;
// Above this many rows the top values come from a 10% sample of the
// snapshot's row groups: approx_top_k over every row is the profile's
// dearest part (docs/benchmarks.md).
inline constexpr int64_t kProfileSampleAbove = 100'000;

Result<nlohmann::json> ProfileFiles(engine::Connection& conn, const std::vector<std::filesystem::path>& files);

}  // namespace weft::quality
