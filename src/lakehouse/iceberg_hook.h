// quality::SnapshotHook that makes each sealed snapshot an Iceberg snapshot:
// Parquet field ids in the data file (stable per table: a column keeps its
// id across contract versions of the major, a new one gets max + 1), the
// snapshot's manifest(s), manifest list and sidecar before Seal, and the
// table metadata after the catalog commit (table_metadata.h). Rows with a
// column Iceberg cannot hold make a snapshot that is no Iceberg snapshot:
// no field ids, a sidecar saying why, and AfterCommit's notice.
//
//   lakehouse::IcebergHook hook(store, fs);
//   PublishRequest req{..., .snapshot_hook = &hook};
//
// Thread safety: safe for concurrent publishes (it keeps no state between calls).
#pragma once

#include "catalog/store.h"
#include "quality/snapshot_hook.h"
#include "storage/file_system.h"

namespace weft::lakehouse {

class IcebergHook : public quality::SnapshotHook {
 public:
  IcebergHook(catalog::Store& store, storage::FileSystem& fs) : store_(store), fs_(fs) {}

  Result<std::string> CopyOptions(engine::Connection& conn, const quality::SnapshotContext& ctx) override;
  Status BeforeSeal(engine::Connection* conn, const quality::SnapshotContext& ctx,
                    const std::filesystem::path& staging_dir) override;
  // The notice when the major is no Iceberg table now (table_metadata.h).
  Result<std::string> AfterCommit(const quality::SnapshotContext& ctx) override;

 private:
  catalog::Store& store_;
  storage::FileSystem& fs_;
};

}  // namespace weft::lakehouse
