#include "quality/snapshot_commit.h"

#include <cstdio>

#include <fmt/format.h>

#include "common/time.h"

namespace weft::quality {

std::string PartName(size_t i) {
  char name[40];
  std::snprintf(name, sizeof name, "part-%05zu.parquet", i);
  return name;
}

Result<std::string> CheckParentIsCurrent(catalog::Transaction& txn, const std::string& product_id, int64_t major,
                                         const std::string& parent_id, const std::string& now, bool* raced) {
  ASSIGN_OR_RETURN(std::optional<catalog::SnapshotRecord> current, txn.CurrentSnapshot(product_id, major));
  const std::string current_id = current ? current->id : "";
  if (current_id != parent_id) {
    if (raced) *raced = true;
    return Status::FailedPrecondition(
        fmt::format("another publish of {}_v{} committed snapshot {} while this one ran on {}", product_id, major,
                    current_id.empty() ? "(none: its snapshots were removed)" : current_id,
                    parent_id.empty() ? "no snapshot" : parent_id));
  }
  if (!current || now > current->created_at) return now;
  const std::optional<int64_t> parent_ms = ParseIsoMillis(current->created_at);
  return parent_ms ? IsoOfMillis(*parent_ms + 1) : now;
}

}  // namespace weft::quality
