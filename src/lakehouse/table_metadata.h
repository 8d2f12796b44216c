// Every product major is an Iceberg v2 table; every weft snapshot of it is
// one Iceberg snapshot. Layout (docs/lakehouse.md, "Tables on disk"):
//
//   <version dir>/                         the table location
//     metadata/v<N>.metadata.json          table metadata, one file per version
//     metadata/version-hint.text           "<N>" (Hadoop tables, DuckDB, icebird)
//     snapshots/<weft id>/part-*.parquet   data files (Parquet field ids)
//     snapshots/<weft id>/metadata/        this snapshot's Iceberg files, sealed with it:
//       manifest-<iceberg id>-0.avro ...   the data files and their stats
//       snap-<iceberg id>.avro             the manifest list
//       snapshot.json                      the sidecar (SnapshotSidecar)
//
// The table metadata lists exactly the catalog's live snapshots of the major
// (so `--at` and Iceberg snapshots name the same states), with the major's
// current weft snapshot as current-snapshot-id. It is rewritten after every
// commit (publish, run, rollback) and after gc expires snapshots; a write
// that was lost (a crash after the catalog commit) is repaired by the next
// SyncTable, which the REST catalog calls before it loads a table.
//
//   ASSIGN_OR_RETURN(LoadedTable t, SyncTable(store, "sales.orders", 1, fs));
//   t.metadata["current-snapshot-id"], t.metadata_location ("file:///.../v3.metadata.json")
//
// Every path inside metadata, manifest lists and manifests is an absolute
// file:// URI of the real file.
//
// Not every snapshot can be an Iceberg snapshot: one whose columns include a
// type Iceberg v2 cannot hold (HUGEINT, UBIGINT, INTERVAL, ...; see
// iceberg_schema.h) is published all the same, with a sidecar that says why
// (SnapshotSidecar::not_iceberg) and no manifest. While such a snapshot is
// the major's current one the major is not offered as an Iceberg table:
// SyncTable returns a LoadedTable with not_iceberg set and removes
// version-hint.text, so readers by path find no table either. Once the
// current snapshot is an Iceberg one again (a rollback), the metadata lists
// the live snapshots that are Iceberg snapshots.
//
// Thread safety: SyncTable may run concurrently, in threads or processes:
// it holds an exclusive flock on <version dir>/metadata/.lock while it reads
// the catalog and writes, so the last write is of the newest state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/store.h"
#include "common/status.h"
#include "storage/file_system.h"

namespace weft::lakehouse {

// The Iceberg snapshot id of a weft snapshot: the first 8 bytes of
// SHA-256(weft id) as a big-endian number with the sign bit cleared (and 1
// if that is 0). Deterministic, so repairs and upgrades give the same id.
int64_t IcebergSnapshotId(std::string_view weft_snapshot_id);

// snapshots/<id>/metadata/snapshot.json: what the table metadata needs of a
// snapshot, so it is assembled without reading Parquet or Avro.
struct SnapshotSidecar {
  std::string weft_snapshot_id;
  int64_t snapshot_id = 0;           // IcebergSnapshotId(weft_snapshot_id)
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;       // the parent's + 1 (1 for the first)
  int64_t timestamp_ms = 0;
  nlohmann::json schema;             // Iceberg schema JSON, "schema-id" and field ids
  int last_column_id = 0;            // the highest field id the table has used up to here
  int last_schema_id = 0;            // the highest schema id the table has used up to here
  nlohmann::json summary;            // operation, weft.snapshot-id, added/total records and files
  std::string manifest_list;         // file name inside metadata/ ("snap-<id>.avro")
  std::string contract_version;
  // Non-empty: this snapshot is no Iceberg snapshot, and why (the columns
  // Iceberg cannot hold and what to declare instead). It has no manifest,
  // and every field above but weft_snapshot_id, timestamp_ms and
  // contract_version is its parent's, passed on unchanged (zero without a
  // parent): the next Iceberg snapshot continues the table's sequence
  // numbers, field ids and schema ids from there, and names the nearest
  // Iceberg ancestor (snapshot_id; 0: none) as its parent.
  std::string not_iceberg;
};

// The sidecar of a committed (or staged) snapshot directory.
Result<SnapshotSidecar> ReadSidecar(const std::filesystem::path& snapshot_dir);

// A table's current metadata as stored.
struct LoadedTable {
  std::filesystem::path metadata_file;  // <version dir>/metadata/v<N>.metadata.json
  std::string metadata_location;        // its file:// URI
  nlohmann::json metadata;              // the parsed metadata JSON
  // From SyncTable only. Non-empty: the major's current snapshot is no
  // Iceberg snapshot (SnapshotSidecar::not_iceberg says why), so the major
  // is not an Iceberg table now; the fields above are empty.
  std::string not_iceberg;
};

// Reads version-hint.text and the metadata file it names. NotFound when the
// table has no metadata yet.
Result<LoadedTable> LoadTableMetadata(const std::filesystem::path& version_dir);

// Brings the table of one product major up to date with the catalog and
// returns it: snapshots without Iceberg files (written before weft had
// them) get them, stats from their Parquet footers; the metadata is
// rewritten when its snapshot list or current snapshot differs from the
// catalog's. Writes nothing when the table is current. NotFound for a major
// the catalog does not have. A major whose current snapshot is no Iceberg
// snapshot is no error: not_iceberg says why.
Result<LoadedTable> SyncTable(catalog::Store& store, const std::string& product_id, int64_t major,
                              storage::FileSystem& fs);

// SyncTable for every port version with snapshots: after gc, at
// `weft lakehouse repair`, when a workspace is upgraded. Returns how many
// tables it rewrote (a table that stopped being an Iceberg table counts once,
// when its version hint goes); a table that fails is reported in the error
// with the others still synced. A major that is not an Iceberg table is no
// failure.
Result<int> SyncAllTables(catalog::Store& store, storage::FileSystem& fs);

}  // namespace weft::lakehouse
