// Bounds on what one publish input may cost to read, checked before anything
// is staged, archived or written: a gzip bomb (31 MB expanding to 9.4 GB
// once ran for ten minutes at 2.5 GB of memory) or a single 200 MB CSV field
// fails at once with the file, the limit and the weft.yaml setting to raise.
//
//   InputLimits limits = WorkspaceInputLimits(ws.settings);
//   RETURN_IF_ERROR(CheckInputLimits(files, "csv", limits));
//
// The check streams each file once (gzip decompressed on the way) with a
// fixed-size buffer, so its memory does not grow with the input:
//   maxInputBytes  the bytes of one input file as read, decompressed (default 16 GB)
//   maxExpansion   decompressed / compressed size of a gzip input (default 100)
//   maxFieldBytes  one CSV field, or one JSON string (default 8 MB); a
//                  record (a CSV row, an NDJSON line) may be 4 times that
//   kMaxColumns    columns of a CSV header (20,000; fixed)
// A zstd-compressed input is refused: it cannot be bounded without libzstd.
// Parquet is compressed inside; only maxInputBytes applies to its file size.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "spec/model.h"

namespace weft::quality {

struct InputLimits {
  int64_t max_input_bytes = 16'000'000'000;
  double max_expansion = 100;
  int64_t max_field_bytes = 8'000'000;

  // A CSV record or an NDJSON line: room for a few fields at the limit.
  int64_t MaxRecordBytes() const { return 4 * max_field_bytes; }
  // What DuckDB's readers are told (read_csv max_line_size, read_json
  // maximum_object_size): a little above MaxRecordBytes, so that the check
  // here, which says where and which setting, is the one that refuses.
  int64_t ReaderLineBytes() const { return MaxRecordBytes() + (1 << 20); }
  // read_csv's buffer_size, which must hold a line. Left to itself DuckDB
  // takes 16 lines (a 976 MiB block for a gzip input at the defaults,
  // refused under a 2 GB memory limit).
  int64_t ReaderBufferBytes() const { return 2 * ReaderLineBytes(); }

  // Columns of a CSV header. DuckDB's reader needs memory per column: 20,000
  // read in a second at 180 MB, 100,000 ran out of a 2 GB memory limit.
  static constexpr int64_t kMaxColumns = 20'000;
};

// The workspace's `publish:` settings over the defaults.
InputLimits WorkspaceInputLimits(const spec::WorkspaceSpec& ws);

// OK when every file is within the limits; otherwise InvalidArgument naming
// the file, where in it (line, field), the limit and the setting that
// raises it. `format` is csv, json or parquet; `delimiter` the CSV's.
Status CheckInputLimits(const std::vector<std::filesystem::path>& files, const std::string& format, char delimiter,
                        const InputLimits& limits);

}  // namespace weft::quality
