#include "lakehouse/iceberg_hook.h"

#include <chrono>

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

}  // namespace

Result<std::string> IcebergHook::CopyOptions(engine::Connection& conn, const quality::SnapshotContext& ctx,
                                             const std::string& select_sql) {
  ASSIGN_OR_RETURN(std::optional<SnapshotSidecar> parent, SidecarOf(store_, fs_, ctx, ctx.parent_dir));
  ASSIGN_OR_RETURN(std::vector<Column> columns, DescribeColumns(conn, "SELECT * FROM (" + select_sql + ")"));
  ASSIGN_OR_RETURN(nlohmann::json schema, IcebergSchema(columns, parent ? parent->schema : nlohmann::json(),
                                                        parent ? parent->last_column_id : 0,
                                                        parent ? parent->last_schema_id : 0));
  return ", FIELD_IDS " + FieldIdsOption(schema);
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

Status IcebergHook::AfterCommit(const quality::SnapshotContext& ctx) {
  return SyncTable(store_, ctx.product_id, ctx.major, fs_).status();
}

}  // namespace weft::lakehouse
