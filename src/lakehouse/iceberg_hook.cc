#include "lakehouse/iceberg_hook.h"

#include <chrono>

#include <fmt/format.h>

#include "lakehouse/iceberg_schema.h"
#include "lakehouse/snapshot_files.h"
#include "lakehouse/table_metadata.h"

namespace weft::lakehouse {

namespace {

namespace fs = std::filesystem;

// The sidecar of a kept snapshot; one written before weft made Iceberg
// files gets them first (SyncTable upgrades the whole table, oldest first).
Result<std::optional<SnapshotSidecar>> SidecarOf(catalog::Store& store, storage::FileSystem& files,
                                                 const quality::SnapshotContext& ctx, const fs::path& dir) {
  if (dir.empty()) return std::optional<SnapshotSidecar>();
  Result<SnapshotSidecar> s = ReadSidecar(dir);
  if (s.status().code() == StatusCode::kNotFound) {
    RETURN_IF_ERROR(SyncTable(store, ctx.product_id, ctx.major, files).status());
    s = ReadSidecar(dir);
  }
  if (!s.ok()) return s.status();
  return std::optional<SnapshotSidecar>(std::move(*s));
}

// The Iceberg schema of the rows a publish writes (ctx.rows_sql), with the
// parent's field ids, or why there is none. Decided from the rows' own
// types, which are the contract's: the Parquet file may hold others (a
// HUGEINT is written as a DOUBLE), so its footer cannot tell.
struct RowsSchema {
  nlohmann::json schema;
  std::string not_iceberg;
};
Result<RowsSchema> SchemaOfRows(engine::Connection& conn, const quality::SnapshotContext& ctx,
                                const std::optional<SnapshotSidecar>& parent) {
  ASSIGN_OR_RETURN(std::vector<Column> columns, DescribeColumns(conn, "SELECT * FROM (" + ctx.rows_sql + ")"));
  Result<nlohmann::json> schema =
      IcebergSchema(columns, parent ? parent->schema : nlohmann::json(), parent ? parent->last_column_id : 0,
                    parent ? parent->last_schema_id : 0);
  // InvalidArgument: a column Iceberg cannot hold (iceberg_schema.h).
  if (schema.status().code() == StatusCode::kInvalidArgument)
    return RowsSchema{.not_iceberg = schema.status().message()};
  if (!schema.ok()) return schema.status();
  return RowsSchema{.schema = std::move(*schema)};
}

}  // namespace

Result<std::string> IcebergHook::CopyOptions(engine::Connection& conn, const quality::SnapshotContext& ctx) {
  ASSIGN_OR_RETURN(std::optional<SnapshotSidecar> parent, SidecarOf(store_, fs_, ctx, ctx.parent_dir));
  ASSIGN_OR_RETURN(RowsSchema rows, SchemaOfRows(conn, ctx, parent));
  if (!rows.not_iceberg.empty()) return std::string();  // no Iceberg snapshot: BeforeSeal records why
  return ", FIELD_IDS " + FieldIdsOption(rows.schema);
}

Status IcebergHook::BeforeSeal(engine::Connection* conn, const quality::SnapshotContext& ctx, const fs::path& staging_dir) {
  ASSIGN_OR_RETURN(std::optional<SnapshotSidecar> parent, SidecarOf(store_, fs_, ctx, ctx.parent_dir));
  SnapshotFilesRequest req{.fs = fs_,
                           .write_dir = staging_dir,
                           .final_dir = ctx.version_dir / "snapshots" / ctx.snapshot_id,
                           .mode = ctx.mode,
                           .contract_version = ctx.contract_version,
                           .timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count(),
                           .parent = parent,
                           .conn = conn};
  if (conn && !ctx.rows_sql.empty()) {
    ASSIGN_OR_RETURN(RowsSchema rows, SchemaOfRows(*conn, ctx, parent));
    req.not_iceberg = std::move(rows.not_iceberg);
  }
  if (!ctx.restored_dir.empty()) {
    ASSIGN_OR_RETURN(req.source, SidecarOf(store_, fs_, ctx, ctx.restored_dir));
    req.source_kind = SnapshotFilesRequest::Source::kRestored;
    req.source_dir = ctx.restored_dir;
  } else if (ctx.mode == "append" && parent) {
    req.source = parent;
    req.source_kind = SnapshotFilesRequest::Source::kParent;
    req.source_dir = ctx.parent_dir;
  }
  return WriteSnapshotFiles(req).WithContext("while writing the Iceberg files of snapshot " + ctx.snapshot_id);
}

Result<std::string> IcebergHook::AfterCommit(const quality::SnapshotContext& ctx) {
  ASSIGN_OR_RETURN(LoadedTable table, SyncTable(store_, ctx.product_id, ctx.major, fs_));
  if (table.not_iceberg.empty()) return std::string();
  return fmt::format(
      "{}_v{} is not offered as an Iceberg table (the Iceberg REST catalog answers that it is none): {}. The snapshot "
      "is published all the same: weft query, --at, rollback and append work as for any product. A new major version "
      "whose contract declares those types is an Iceberg table from its first publish (docs/lakehouse.md)",
      ctx.product_id, ctx.major, table.not_iceberg);
}

}  // namespace weft::lakehouse
