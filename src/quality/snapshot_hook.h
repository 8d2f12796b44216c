// What another module adds to every snapshot the publisher seals: the
// Iceberg table files (lakehouse/iceberg_hook.h implements it). quality/
// sits below lakehouse/ in the dependency order, so it only knows this
// interface; service/ passes the implementation in PublishRequest and
// RollbackRequest.
//
// The calls, in order, for one snapshot:
//   CopyOptions   before the new data file is written: extra COPY options
//                 (Parquet field ids) for `select_sql`'s columns
//   BeforeSeal    the data files are in the staging directory: write the
//                 snapshot's own metadata files beside them, so Seal()
//                 fsyncs them and gc removes them with the snapshot
//   AfterCommit   the catalog row is committed: update what lists the
//                 snapshots (the table metadata). Its error does not undo
//                 the publish: the publisher reports it as a warning and the
//                 next write or load repairs it from the catalog.
//
// Thread safety: one publish calls one hook from one thread; a hook shared
// by concurrent publishes must be safe for that.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/connection.h"

namespace weft::quality {

struct SnapshotContext {
  std::string product_id;   // DOMAIN.PRODUCT
  int64_t major = 0;
  std::filesystem::path version_dir;  // <domain root>/products/<product>/v<major>
  std::string snapshot_id;            // the new weft snapshot
  std::string parent_snapshot_id;     // the major's current snapshot before; empty: none
  std::filesystem::path parent_dir;   // its directory; empty: none
  std::string mode;                   // replace | append | run | rollback
  std::string contract_version;
  // The data files of the staging directory this snapshot writes itself
  // (names). In append mode the others are links of the parent's files.
  std::vector<std::string> added_files;
  // A rollback: the directory of the snapshot it restores (its files are
  // links of that one's). Empty otherwise.
  std::filesystem::path restored_dir;
};

class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  // Text appended inside the COPY's option list, e.g. ", FIELD_IDS {a: 1}";
  // empty for none.
  virtual Result<std::string> CopyOptions(engine::Connection& conn, const SnapshotContext& ctx,
                                          const std::string& select_sql) = 0;
  // `conn` may be null (a rollback has none); the hook opens its own engine
  // if it needs one.
  virtual Status BeforeSeal(engine::Connection* conn, const SnapshotContext& ctx,
                            const std::filesystem::path& staging_dir) = 0;
  virtual Status AfterCommit(const SnapshotContext& ctx) = 0;
};

}  // namespace weft::quality
