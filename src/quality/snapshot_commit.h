// What every writer of snapshots of a product major shares (the publisher,
// rollback, the compactor): the names of data files and the check, under
// the commit's write lock, that the snapshot it built on is still current.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "catalog/store.h"
#include "common/status.h"

namespace weft::quality {

// The name of a snapshot's i-th data file: part-00000.parquet, ...
std::string PartName(size_t i);

// Under the commit's write lock: the snapshot a publish (or rollback, or
// compaction) built on must still be current. Another process or server
// committing a snapshot of the product meanwhile is refused here rather than
// overwritten — an append built on the old parent would drop the other's
// rows. Returns the created_at to record: never before the parent's, so the
// newest snapshot is always the last committed one, whatever the clocks of
// two hosts say. `raced` (optional) is set when another snapshot is current.
Result<std::string> CheckParentIsCurrent(catalog::Transaction& txn, const std::string& product_id, int64_t major,
                                         const std::string& parent_id, const std::string& now, bool* raced);

}  // namespace weft::quality
