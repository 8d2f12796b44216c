// What another module adds to every snapshot the publisher seals: the
// Iceberg table files (lakehouse/iceberg_hook.h implements it). quality/
// sits below lakehouse/ in the dependency order, so it only knows this
// interface; service/ passes the implementation in PublishRequest and
// RollbackRequest.
//
// The calls, in order, for one snapshot:
//   CopyOptions   before the new data file is written: extra COPY options
//                 (Parquet field ids) for the columns of ctx.rows_sql
//   BeforeSeal    the data files are in the staging directory: write the
//                 snapshot's own metadata files beside them, so Seal()
//                 fsyncs them and gc removes them with the snapshot
//   AfterCommit   the catalog row is committed: update what lists the
//                 snapshots (the table metadata). Its error does not undo
//                 the publish: the publisher reports it as a warning and the
//                 next write or load repairs it from the catalog. What it
//                 returns is a notice for the publish report's warnings
//                 (the product is not offered as an Iceberg table, and why).
// A hook never fails a publish because of what the data is: a snapshot it
// cannot describe is published all the same and AfterCommit says so.
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
  // A publish or run: the SELECT of the rows the new data file is written
  // from, with the contract's column types (the file may store others:
  // Parquet holds a HUGEINT as a DOUBLE). Empty for a rollback.
  std::string rows_sql;
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
  // Text appended inside the COPY (ctx.rows_sql)'s option list, e.g.
  // ", FIELD_IDS {a: 1}"; empty for none.
  virtual Result<std::string> CopyOptions(engine::Connection& conn, const SnapshotContext& ctx) = 0;
  // `conn` may be null (a rollback has none); the hook opens its own engine
  // if it needs one.
  virtual Status BeforeSeal(engine::Connection* conn, const SnapshotContext& ctx,
                            const std::filesystem::path& staging_dir) = 0;
  // A notice for the report's warnings; empty for none.
  virtual Result<std::string> AfterCommit(const SnapshotContext& ctx) = 0;
};

}  // namespace weft::quality
