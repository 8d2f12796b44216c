// Streaming products (docs/streaming.md): a producer's NDJSON lines
// committed as contract-checked micro-batches, each an append snapshot.
//
//   ASSIGN_OR_RETURN(auto s, StreamSession::Open(mesh, caller, {.product = "inventory.stock_levels",
//                                                               .producer = "wh-ber1"}, on_ack));
//   for (line : input) RETURN_IF_ERROR(s->Add(line));   // may block: back-pressure
//   ASSIGN_OR_RETURN(StreamSummary sum, s->Finish());
//
// A producer names its stream (`producer`) and each line has an index in it
// (the offset). The catalog records, in each batch's own commit, how far the
// producer's stream is committed (quality::StreamBatch), so:
//   - a producer that reconnects asks Offset() (or reads its last ack) and
//     sends from there; lines it sends again below the committed offset are
//     skipped, never committed twice (`from` says where its lines start);
//   - two connections of one producer cannot both commit the same lines:
//     the second's commit is refused and its session fails.
// A batch is cut when it holds the descriptor's maxRows rows or maxBytes
// bytes, or maxSeconds after its first line came; a cut batch is handed to
// a committer thread. One batch commits while the next fills; a batch full
// before the commit ends waits in Add — the producer's connection stops
// being read, which is TCP's back-pressure on it. Every few batches the session compacts the
// product's small files in a thread of its own (CompactProduct).
//
// Bad input: a line that is not a JSON object fails the session with its
// line number, after committing the lines before it; a row of the wrong
// shape is the contract's to quarantine, like any publish.
//
// Thread safety: one thread calls Add and Finish; `on_ack` is called from
// the committer thread.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "quality/compactor.h"
#include "query/gateway.h"
#include "common/status.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

// One committed micro-batch: lines [from, to) of the producer's stream.
struct StreamAck {
  int64_t batch = 0;  // 1, 2, ... in this session
  int64_t from = 0;
  int64_t to = 0;
  std::string outcome;  // published | rejected | failed (the lines are archived and recorded either way)
  std::string publish_id;
  std::string snapshot_id;  // the snapshot committed (rejected: the one still current)
  int64_t rows_valid = 0;
  int64_t rows_quarantined = 0;
  double commit_seconds = 0;  // from the cut to the commit
  std::string message;        // why it was rejected or failed
};

struct StreamOptions {
  std::string product;   // DOMAIN.PRODUCT
  std::string producer;  // empty: the caller's name
  // The offset of the first line this session sends; empty: the committed
  // offset (the session continues where the producer's stream stands).
  std::optional<int64_t> from;
};

struct StreamSummary {
  std::string product;
  std::string producer;
  int64_t offset = 0;   // committed offset at the end: where to resume
  int64_t lines = 0;    // lines this session received
  int64_t skipped = 0;  // of them, already committed before (a resent prefix)
  int64_t batches = 0;
  int64_t rows_valid = 0;
  int64_t rows_quarantined = 0;
  double waited_seconds = 0;  // Add blocked on the committer (back-pressure)
  std::vector<StreamAck> acks;
};

class StreamSession {
 public:
  // PermissionDenied unless the caller may publish the product;
  // FailedPrecondition when it is not declared streaming (weft.stream) or
  // `from` is past the committed offset (lines would be missing).
  static Result<std::unique_ptr<StreamSession>> Open(Mesh& mesh, const Caller& caller, StreamOptions options,
                                                     std::function<void(const StreamAck&)> on_ack = {});
  ~StreamSession();
  StreamSession(const StreamSession&) = delete;
  StreamSession& operator=(const StreamSession&) = delete;

  // The committed offset when the session opened (where its first line goes).
  int64_t start() const;
  // One line of NDJSON, without its newline. An error fails the session:
  // a malformed line (InvalidArgument with its line number) or a batch that
  // could not commit; later calls return it again.
  Status Add(std::string_view line);
  // The longest line accepted: the product's weft.stream maxBytes, or the
  // workspace's publish input limit for a line if smaller.
  int64_t max_bytes() const;
  // Commits what is buffered and waits for every batch: the summary, or
  // the session's error (what committed stays committed).
  Result<StreamSummary> Finish();

  struct State;

 private:
  explicit StreamSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The change feed of a product (GET .../changes): the rows appended after
// snapshot `since` that the caller may read — `SELECT * FROM product` with
// query::QueryRequest::since, so grants, masks, row filters, budget and
// metering are the query path's own.
struct ChangesRequest {
  std::string product;  // DOMAIN.PRODUCT
  std::string since;    // a kept snapshot of it
  // Long-poll: when nothing was appended since `since`, wait up to this
  // long (at most 60 s) for the next commit before answering.
  double wait_seconds = 0;
  // Set: the rows are handed out a chunk at a time (query::QueryRequest::on_rows).
  std::function<Status(const std::vector<std::string>& columns,
                       const std::vector<std::vector<std::optional<std::string>>>& rows)>
      on_rows;
};

struct Changes {
  // A replace, run or rollback came after `since`: no rows; read the
  // product whole at `snapshot` and follow on from there.
  bool reset = false;
  std::string message;
  std::string snapshot;  // the snapshot the answer reaches: the next `since`
  query::QueryAnswer answer;
};

Result<Changes> ReadChanges(Mesh& mesh, const Caller& caller, const ChangesRequest& request);

// Merges a product's small data files now (quality/compactor.h): owners
// only. A stream session does it by itself every few batches; `weft
// compact` and POST .../compact do it on demand.
Result<quality::CompactReport> CompactProduct(Mesh& mesh, const Caller& caller, const std::string& product,
                                              size_t min_files = quality::CompactRequest{}.min_files);

// Whether any product of the catalog is declared streaming: the monitor
// then looks every few seconds, as their freshness is promised in seconds.
Result<bool> AnyStreamingProduct(Mesh& mesh);

// Where each producer of a streaming product stands (owners and readers of
// the product may look: it says how far data arrived, not what it holds).
Result<std::vector<catalog::StreamOffsetRecord>> StreamOffsets(Mesh& mesh, const Caller& caller,
                                                               const std::string& product);

nlohmann::json ToJson(const StreamAck& a);
// The feed's last NDJSON line: {"done": true, "since", "snapshot", "rows", ...} or {"reset": true, ...}.
nlohmann::json ToJson(const Changes& c, const std::string& since);
nlohmann::json ToJson(const StreamSummary& s);
nlohmann::json ToJson(const catalog::StreamOffsetRecord& o);
nlohmann::json ToJson(const quality::CompactReport& r);

}  // namespace weft::service
