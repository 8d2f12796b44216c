// Iceberg v2 manifests and manifest lists: Avro object container files with
// the schemas of the Iceberg table spec (format/spec.md, "Manifests" and
// "Manifest Lists"), field ids included.
//
//   Manifest m{.schema_json = schema.dump(), .entries = {...}};
//   ASSIGN_OR_RETURN(std::string avro, WriteManifest(m));
//   ASSIGN_OR_RETURN(Manifest back, ReadManifest(avro));     // WriteManifest(back) == avro
//
// Deterministic: the same input gives the same bytes. The sync marker is
// derived from the file's content (never random), the header's metadata is
// written in a fixed order, and a file holds one block. So a reader that
// rewrites paths (the REST catalog signs each caller's URLs) and writes the
// file back gets the bytes it would have got from the writer directly, and
// read -> write reproduces a stored file exactly.
//
// Why not avro-c's file writer: it keeps no schema attributes it does not
// know (Iceberg readers need "field-id" on every field) and cannot write the
// header metadata Iceberg requires (schema, partition-spec, format-version,
// content). avro-c encodes and decodes the records; this module frames them
// in the container format itself (docs/lakehouse.md).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace weft::lakehouse {

// One Parquet data file, as a manifest's data_file struct records it.
// Maps are keyed by Iceberg field id. Bounds are Iceberg's binary
// single-value serialization of the column's type (spec Appendix D):
// little-endian int/long/float/double, days and microseconds for
// date/time/timestamp, UTF-8 for strings, big-endian two's complement for
// decimals. A bound that could not be written exactly is absent.
struct DataFile {
  int32_t content = 0;  // 0 data (weft writes no delete files)
  std::string file_path;  // absolute file:// URI (or a signed URL after a rewrite)
  std::string file_format = "PARQUET";
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, std::string> lower_bounds;
  std::map<int32_t, std::string> upper_bounds;
  std::optional<int32_t> sort_order_id;  // unset: unsorted

  bool operator==(const DataFile&) const = default;
};

enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  // The snapshot that added the file and the data/file sequence numbers it
  // got then. Unset: inherited from the manifest list's entry (spec).
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;

  bool operator==(const ManifestEntry&) const = default;
};

// A manifest file: its header metadata and its entries.
struct Manifest {
  std::string schema_json;          // the table schema (Iceberg JSON), header key "schema"
  int32_t schema_id = 0;            // "schema-id"
  int32_t partition_spec_id = 0;    // "partition-spec-id"
  std::string partition_spec_json = "[]";  // "partition-spec": the spec's fields (weft: unpartitioned)
  std::vector<ManifestEntry> entries;  // content "data", format-version 2

  bool operator==(const Manifest&) const = default;
};

// One entry of a manifest list (spec "Manifest Lists").
struct ManifestFile {
  std::string manifest_path;  // absolute file:// URI (or a signed URL)
  int64_t manifest_length = 0;  // bytes of the manifest file
  int32_t partition_spec_id = 0;
  int32_t content = 0;  // 0 data manifests
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  // partitions: absent (weft's tables are unpartitioned).

  bool operator==(const ManifestFile&) const = default;
};

// A manifest list and its header metadata.
struct ManifestList {
  int64_t snapshot_id = 0;         // "snapshot-id"
  std::optional<int64_t> parent_snapshot_id;  // "parent-snapshot-id"
  int64_t sequence_number = 0;     // "sequence-number"
  std::vector<ManifestFile> manifests;

  bool operator==(const ManifestList&) const = default;
};

Result<std::string> WriteManifest(const Manifest& manifest);
// InvalidArgument naming what is wrong (not Avro, not a v2 data manifest,
// truncated, a field of the wrong type) for anything else.
Result<Manifest> ReadManifest(std::string_view bytes);

Result<std::string> WriteManifestList(const ManifestList& list);
Result<ManifestList> ReadManifestList(std::string_view bytes);

// The JSON single-value serialization of a binary bound (the REST spec's
// PrimitiveTypeValue, Iceberg spec Appendix D "JSON single-value
// serialization") for a column of `iceberg_type` ("int", "long", "string",
// "decimal(10,2)", "timestamptz", ...). InvalidArgument when the bytes do
// not fit the type.
Result<nlohmann::json> BoundToJson(std::string_view iceberg_type, std::string_view bytes);

// A data file as the REST catalog's scan planning returns it (the OpenAPI
// DataFile: content "data", file-path, file-format, spec-id, partition,
// file-size-in-bytes, record-count, column-sizes, value-counts,
// null-value-counts, lower-bounds, upper-bounds as {keys, values} with JSON
// single-value bounds). `schema` is the table schema (Iceberg JSON) the
// bounds' types come from; a bound of a field it lacks is left out.
Result<nlohmann::json> DataFileToRestJson(const DataFile& file, const nlohmann::json& schema);

}  // namespace weft::lakehouse
