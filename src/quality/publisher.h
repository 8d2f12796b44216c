// `weft publish`: an input file set becomes a new immutable snapshot of a
// product major, or is rejected, with every contract rule checked on the way
// (docs/quality.md has the whole flow and its decisions).
//
//   PublishRequest req{.target = "sales.orders", .files = {"orders.csv"}, .actor = "carol"};
//   ASSIGN_OR_RETURN(PublishReport report, Publish(*store, req));
//   if (report.outcome == "rejected") ...   // checks.rejected_by names the rules, refused_by the guards
//
// The flow: resolve the product port and its contract -> SHA-256 of the
// input (streamed) -> identical to the current snapshot's input? report
// "duplicate", change nothing -> stage the input in DuckDB (CSV as VARCHAR,
// columns matched by name) -> archive the input -> compile and run the checks
// (checker.h) -> quarantine file for the failing rows -> the publish guards
// (guards.h: quarantined share, shrink, volume) -> rejected: no
// snapshot; published: a sealed snapshot directory -> one catalog
// transaction (publish record, snapshot, quality results, audit).
//
// Failure handling: an error before the input is staged changes nothing; an
// error later removes what this publish wrote (archive copy, quarantine file,
// sealed snapshot) so a failed publish leaves no trace, and the current
// snapshot stays current. A rejected publish is not a failure: its archive,
// quarantine and publish record are kept for diagnosis.
//
// Thread safety: Publish may run concurrently for different products; the
// Store serializes the commits. Two concurrent publishes of one product both
// commit (the later snapshot becomes current).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "quality/checker.h"
#include "quality/guards.h"
#include "quality/input_limits.h"
#include "quality/snapshot_hook.h"
#include "storage/file_system.h"

namespace weft::quality {

// What the progress callback sees, a few times a second, from a watcher thread.
struct PublishProgress {
  std::string phase;  // reading, checking, writing
  double percent = -1;  // -1: unknown
  int64_t rows = 0;     // rows processed by the running query so far
  double seconds = 0;   // since the phase started
};

// A derived product's input: its transform SELECT over upstream snapshots.
// The caller (query/runner.h) has checked that the SQL reads only these
// addresses; the publisher binds each to its snapshot's files as a view and
// runs the SQL in a DuckDB instance that can read nothing else.
struct TransformInput {
  struct Binding {
    std::string address;     // as the SQL names it: "sales.orders" or "sales.orders_v1"
    std::string product_id;  // the upstream product
    int64_t major = 0;
    std::string snapshot_id;  // its current snapshot
    // The files the run may read of it: the snapshot's own directory, or its
    // governed copy's (query/governed_copies.h); its name is part of what
    // the run's result is a function of.
    std::filesystem::path snapshot_dir;
    // What the reader may see (access/): the view's select list over the raw
    // columns, masks applied (empty: every column as stored), and its row
    // filter (empty: every row).
    std::string select_list;
    std::string row_filter;
  };
  std::string sql;
  std::vector<Binding> bindings;
};

// A micro-batch of a producer's stream into a streaming product
// (service/stream.h): lines [from, to) of the stream named `producer`. Its
// commit checks, under the catalog's write lock, that the producer's
// committed offset is still `from` (else FailedPrecondition: another
// connection of the producer committed these lines) and advances it to
// `to` in the same transaction — whatever the outcome, since rows the
// contract refused are in quarantine, not lost. Two batches may carry the
// same rows, so an input equal to the current snapshot's is no duplicate.
struct StreamBatch {
  std::string producer;
  int64_t from = 0;
  int64_t to = 0;
  // Every top-level key of the batch's lines, in the order first seen (the
  // session parsed each line): the input's columns, known without DuckDB
  // sampling the file for them.
  std::vector<std::string> columns;
  // The session held every line to the publish's input limits as it parsed
  // it (input_limits.h: no string over maxFieldBytes, no line over 4 times
  // that): the publish does not read the batch again to check them.
  bool within_limits = false;
};

struct PublishRequest {
  std::string target;  // DOMAIN.PRODUCT, optionally @vMAJOR
  std::vector<std::filesystem::path> files;
  // Set for a derived run instead of files: the snapshot is replaced by the
  // transform's result (mode "run").
  std::optional<TransformInput> transform;
  std::string mode = "replace";  // replace | append
  std::string format;            // csv | parquet | json; empty: from the file extension
  std::string object;            // the schema object, when the contract has several
  std::string actor;
  // DuckDB settings: the workspace's query_memory_limit / query_threads, and
  // where big inputs spill.
  std::string memory_limit;
  int threads = 0;
  std::filesystem::path temp_dir;
  storage::FileSystem* fs = nullptr;  // null: storage::DefaultFileSystem()
  std::function<void(const PublishProgress&)> on_progress;
  // The workspace's guard settings (guards.h); the product's and the
  // contract's customProperties override them.
  GuardSettings guards;
  // The workspace's bounds on reading the input files (input_limits.h).
  InputLimits limits;
  // Publish although a guard refuses, for the reason given (required); the
  // override is audited as publish.forced.
  bool force = false;
  std::string force_reason;
  // Adds the Iceberg files to the snapshot (lakehouse::IcebergHook); null: none.
  SnapshotHook* snapshot_hook = nullptr;
  // Set: this publish is a streamed micro-batch, appended (mode "append").
  std::optional<StreamBatch> stream;
};

struct PublishReport {
  std::string publish_id;
  std::string product_id;
  int64_t major = 0;
  std::string contract_version;
  std::string object;
  std::string outcome;  // published | rejected | duplicate
  std::string mode;     // replace | append | run
  std::string snapshot_id;         // published: the new one; duplicate: the one with this input
  std::string parent_snapshot_id;  // the snapshot current before
  int64_t snapshot_rows = 0;       // rows in the new snapshot (append: parent + new)
  std::string input_checksum;  // files: their SHA-256; run: of the SQL and the input snapshot ids
  std::string archive_path;
  std::string quarantine_path;
  CheckOutcome checks;
  std::vector<GuardResult> guards;  // evaluated when the input was checked
  std::string refused_by;           // the failing guards and their figures, when they refused it
  bool forced = false;              // a guard failed and --force overrode it
  std::vector<std::string> warnings;  // extra columns, rules not run, ...
  double seconds = 0;
};

Result<PublishReport> Publish(catalog::Store& store, const PublishRequest& request);

// `weft rollback D.P --to SNAPSHOT`: an earlier kept snapshot becomes current
// again, as a new snapshot (mode "rollback") whose files are hard links of
// the earlier one's, so it costs no copy, readers see it at the next query,
// and retention may later expire the earlier snapshot without touching it.
// Audited as product.rollback with the reason.
struct RollbackRequest {
  std::string product;   // DOMAIN.PRODUCT
  std::string snapshot;  // the kept snapshot to restore
  std::string reason;
  std::string actor;
  storage::FileSystem* fs = nullptr;  // null: storage::DefaultFileSystem()
  SnapshotHook* snapshot_hook = nullptr;  // as PublishRequest's
};
Result<PublishReport> Rollback(catalog::Store& store, const RollbackRequest& request);

// OK when `file` is a regular file itself: not missing, not a symbolic link
// (a link to /etc/passwd would be copied into the domain's archive), not a
// directory, device, pipe or socket. InvalidArgument saying which otherwise.
Status CheckInputFile(const std::filesystem::path& file);

}  // namespace weft::quality
