#include "service/stream.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "common/hashing.h"
#include "common/strings.h"
#include "lakehouse/iceberg_hook.h"
#include "service/authorizer.h"
#include "service/catalog.h"
#include "service/publish.h"
#include "service/query.h"
#include "spec/loader.h"
#include "spec/stream_settings.h"
#include "storage/file_system.h"

namespace weft::service {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Batch {
  int64_t number = 0;
  int64_t from = 0;
  int64_t to = 0;
  std::string lines;  // NDJSON, each line ending in '\n'
  std::vector<std::string> keys;  // every top-level key of the lines
  Clock::time_point cut_at;
};

// The weft.stream of a product as the catalog holds its descriptor; nullopt: none.
Result<std::optional<spec::StreamSettings>> StreamSettingsOf(const catalog::ProductRecord& record) {
  spec::LoadedFile loaded = spec::LoadText(record.spec_json, "catalog:product:" + record.id);
  const spec::DataProduct* descriptor = loaded.documents.empty() ? nullptr : loaded.documents[0].product();
  if (!descriptor)
    return Status::FailedPrecondition("the descriptor of " + record.id + " in the catalog does not load; re-apply it");
  return spec::StreamSettingsOf(*descriptor);
}

// The product's weft.stream settings; FailedPrecondition when it has none.
Result<spec::StreamSettings> SettingsOf(Mesh& mesh, const std::string& product) {
  ASSIGN_OR_RETURN(std::optional<catalog::ProductRecord> record, mesh.store().FindProduct(product));
  if (!record) return Status::NotFound("no product '" + product + "' in the catalog");
  ASSIGN_OR_RETURN(std::optional<spec::StreamSettings> settings, StreamSettingsOf(*record));
  if (!settings)
    return Status::FailedPrecondition(product + " is not a streaming product: declare it in its descriptor "
                                                "(customProperties: weft.stream: {maxRows: 10000, maxSeconds: 1}) and "
                                                "apply it, or publish files with `weft publish --mode append`");
  return *settings;
}

Result<int64_t> CommittedOffset(Mesh& mesh, const std::string& product, int64_t major, const std::string& producer) {
  ASSIGN_OR_RETURN(auto offsets, mesh.store().ListStreamOffsets(product));
  for (const auto& o : offsets)
    if (o.major == major && o.producer == producer) return o.offset;
  return 0;
}

// A producer's name goes into messages and the catalog: printable, short.
Status CheckProducer(const std::string& producer) {
  if (producer.empty() || producer.size() > 200)
    return Status::InvalidArgument("a producer name is 1 to 200 characters");
  for (unsigned char c : producer)
    if (c < 0x21 || c == 0x7f) return Status::InvalidArgument("a producer name has no spaces or control characters");
  return Status::Ok();
}

// The start of a bad line for a message: printable ASCII only, so a
// message stays valid UTF-8 whatever the producer sent.
std::string Excerpt(std::string_view line) {
  std::string out;
  for (unsigned char c : line.substr(0, 80)) out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return line.size() > 80 ? out + "..." : out;
}

// What the JSON parser says about a line the session's parse refused, or
// that it is JSON but no object.
std::string WhyNotAnObject(std::string_view line) {
  try {
    const json value = json::parse(line);
    return std::string("it is a JSON ") + value.type_name();
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 9: ..." -> from "column".
    const std::string what = e.what();
    const size_t at = what.find("column");
    return at == std::string::npos ? "not JSON" : Excerpt(what.substr(at));
  }
}

// The top-level keys of one NDJSON line, parsed once (nlohmann's SAX):
// whether it is well-formed JSON, and each key the batch has not had yet
// appended to `keys`. Lines of one producer nearly always carry the same
// keys in the same order, so a key is first compared with the one at its
// position in the batch's list, with no lookup.
class KeySax {
 public:
  KeySax(std::vector<std::string>& keys, std::set<std::string>& seen, int64_t max_string)
      : keys_(keys), seen_(seen), max_string_(max_string) {}
  // The length of a string over the limit that stopped the parse; 0: none.
  size_t too_long() const { return too_long_; }
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t& v) { return Within(v); }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) {
    ++depth_;
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool key(json::string_t& k) {
    if (!Within(k)) return false;
    if (depth_ != 1) return true;
    const size_t at = position_++;
    if (at < keys_.size() && keys_[at] == k) return true;
    if (seen_.insert(k).second) keys_.push_back(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  bool Within(const json::string_t& v) {
    if (static_cast<int64_t>(v.size()) <= max_string_) return true;
    too_long_ = v.size();
    return false;
  }

  std::vector<std::string>& keys_;
  std::set<std::string>& seen_;
  const int64_t max_string_;
  size_t too_long_ = 0;
  int depth_ = 0;
  size_t position_ = 0;
};

}  // namespace

struct StreamSession::State {
  Mesh& mesh;
  Caller caller;
  std::string product;
  int64_t major = 0;
  std::string producer;
  spec::StreamSettings settings;
  quality::InputLimits limits;
  std::function<void(const StreamAck&)> on_ack;
  std::filesystem::path spool_dir;

  std::mutex mu;
  std::condition_variable changed;
  // The batch being filled, under mu.
  std::string current;
  std::vector<std::string> current_keys;  // of the batch being filled (KeySax)
  std::set<std::string> current_key_set;
  std::vector<std::string> spare;  // buffers of committed batches, for the next ones
  int64_t current_from = 0;
  int64_t current_rows = 0;
  Clock::time_point first_at;
  std::deque<Batch> ready;  // cut, not yet committing (at most one)
  bool committing = false;
  bool finishing = false;
  Status failure;
  int64_t next_line = 0;  // the offset of the next line Add receives
  int64_t skip = 0;       // lines still to skip: committed before
  int64_t batches = 0;
  StreamSummary summary;
  std::thread committer;
  // A compaction of the product's small files, every kCompactEvery batches,
  // one at a time, beside the commits (it rebases on them).
  static constexpr int64_t kCompactEvery = 16;
  static constexpr size_t kCompactPast = 32;  // data files of the current snapshot
  std::thread compaction;
  std::atomic<bool> compacting{false};

  State(Mesh& m, Caller c) : mesh(m), caller(std::move(c)) {}

  // The longest line accepted: the product's batch limit, or the publish's
  // own input limit for a line (input_limits.h) if smaller.
  int64_t MaxLine() const { return std::min(settings.max_bytes, limits.MaxRecordBytes()); }

  // Under mu: moves the filled batch to `ready`.
  void Cut() {
    if (current_rows == 0) return;
    ready.push_back({.number = ++batches, .from = current_from, .to = next_line, .lines = std::move(current),
                     .keys = std::move(current_keys), .cut_at = Clock::now()});
    current_keys.clear();
    current_key_set.clear();
    // A committed batch's buffer, its pages already mapped: a batch of
    // 100,000 rows is some 20 MB, and fresh memory for each cost the
    // producer a page fault every 4 KiB.
    current.clear();
    if (!spare.empty()) {
      current.swap(spare.back());
      spare.pop_back();
      current.clear();
    }
    current_rows = 0;
    current_from = next_line;
    changed.notify_all();
  }

  bool HasBuffered() const { return current_rows > 0; }

  void CommitLoop() {
    std::unique_lock lock(mu);
    while (true) {
      if (ready.empty() && HasBuffered()) {
        const auto due = first_at + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(settings.max_seconds));
        if (finishing || !failure.ok() || Clock::now() >= due) {
          if (failure.ok()) {
            Cut();
          } else {
            current.clear();
            current_rows = 0;
            current_from = next_line;
          }
        } else {
          changed.wait_until(lock, due);
          continue;
        }
      }
      if (ready.empty()) {
        if (finishing) return;
        changed.wait(lock);
        continue;
      }
      Batch batch = std::move(ready.front());
      ready.pop_front();
      if (!failure.ok()) continue;  // a failed session commits nothing more
      committing = true;
      changed.notify_all();
      lock.unlock();
      Result<StreamAck> ack = Commit(batch);
      lock.lock();
      committing = false;
      if (spare.size() < 2) spare.push_back(std::move(batch.lines));
      if (ack.ok()) {
        summary.acks.push_back(*ack);
        ++summary.batches;
        summary.rows_valid += ack->rows_valid;
        summary.rows_quarantined += ack->rows_quarantined;
        summary.offset = ack->to;
      } else if (failure.ok()) {
        // A batch the publish recorded as failed (a required column missing
        // from every line) is archived and its lines count as received; an
        // error before the commit left the offset where it was. Either way
        // the producer hears where its stream stands.
        lock.unlock();
        Result<int64_t> at = CommittedOffset(mesh, product, major, producer);
        lock.lock();
        failure = at.ok() ? ack.status().WithContext(fmt::format("the stream of producer {} is committed up to line {}: "
                                                                 "resume there",
                                                                 producer, *at))
                          : ack.status();
      }
      changed.notify_all();
      if (ack.ok() && ack->batch % kCompactEvery == 0) StartCompaction();
      if (ack.ok() && on_ack) {
        lock.unlock();
        on_ack(*ack);
        lock.lock();
      }
    }
  }

  // Its failure is no failure of the stream: the next one tries again, and
  // a product a compaction cannot follow (a replace meanwhile) is left as is.
  void StartCompaction() {
    if (compacting.exchange(true)) return;
    if (compaction.joinable()) compaction.join();
    compaction = std::thread([this] {
      // Behind the commits and the readers for the CPU: on Linux a thread's
      // nice value is its own, and the engine threads it starts inherit it.
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
      CompactProduct(mesh, caller, product, kCompactPast).status().IgnoreError();
      compacting = false;
    });
  }

  void JoinCompaction() {
    if (compaction.joinable()) compaction.join();
  }

  Result<StreamAck> Commit(const Batch& batch) {
    StreamAck ack{.batch = batch.number, .from = batch.from, .to = batch.to};
    std::filesystem::path spool = spool_dir / fmt::format("lines-{}-{}.ndjson", batch.from, batch.to);
    {
      std::ofstream out(spool, std::ios::binary | std::ios::trunc);
      out.write(batch.lines.data(), static_cast<std::streamsize>(batch.lines.size()));
      out.close();
      if (!out) return Status::IoError("cannot write the batch spool file " + spool.string());
    }
    quality::PublishRequest request{.target = product, .files = {spool}, .mode = "append", .format = "json"};
    request.stream = quality::StreamBatch{.producer = producer, .from = batch.from, .to = batch.to, .columns = batch.keys,
                                          .within_limits = true};
    Result<quality::PublishReport> report = PublishService(mesh).Publish(caller, std::move(request));
    std::error_code ec;
    std::filesystem::remove(spool, ec);  // the publish archived its own copy
    if (!report.ok())
      return report.status().WithContext(
          fmt::format("while committing lines {} to {} of producer {}", batch.from, batch.to - 1, producer));
    ack.outcome = report->outcome;
    ack.publish_id = report->publish_id;
    ack.snapshot_id = report->outcome == "published" ? report->snapshot_id : report->parent_snapshot_id;
    ack.rows_valid = report->outcome == "published" ? report->checks.rows_valid : 0;
    ack.rows_quarantined = report->checks.rows_quarantined;
    if (report->outcome != "published") ack.message = PublishStatus(*report).message();
    ack.commit_seconds = std::chrono::duration<double>(Clock::now() - batch.cut_at).count();
    return ack;
  }
};

StreamSession::StreamSession(std::unique_ptr<State> state) : state_(std::move(state)) {}

StreamSession::~StreamSession() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mu);
    state_->finishing = true;
    if (state_->failure.ok()) state_->failure = Status::Cancelled("the stream session was abandoned");
    state_->changed.notify_all();
  }
  if (state_->committer.joinable()) state_->committer.join();
  state_->JoinCompaction();
  std::error_code ec;
  std::filesystem::remove_all(state_->spool_dir, ec);
}

Result<std::unique_ptr<StreamSession>> StreamSession::Open(Mesh& mesh, const Caller& caller, StreamOptions options,
                                                           std::function<void(const StreamAck&)> on_ack) {
  RETURN_IF_ERROR(CatalogService(mesh).CheckProduct(options.product));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kPublish, Resource::Product(options.product)));
  if (options.producer.empty()) options.producer = caller.principal.name;
  RETURN_IF_ERROR(CheckProducer(options.producer));
  ASSIGN_OR_RETURN(spec::StreamSettings settings, SettingsOf(mesh, options.product));
  // The major a stream appends to: the newest active one, as the publisher resolves it.
  ASSIGN_OR_RETURN(auto access, mesh.Access());
  ASSIGN_OR_RETURN(int64_t major, access->NewestMajor(options.product));
  ASSIGN_OR_RETURN(int64_t committed, CommittedOffset(mesh, options.product, major, options.producer));
  const int64_t from = options.from.value_or(committed);
  if (from < 0) return Status::InvalidArgument("from must be 0 or more");
  if (from > committed)
    return Status::FailedPrecondition(fmt::format(
        "producer {} of {} is committed up to line {}; lines {} to {} were never received, so this stream cannot "
        "start at line {}: resend from line {}",
        options.producer, options.product, committed, committed, from - 1, from, committed));

  auto state = std::make_unique<State>(mesh, caller);
  state->product = options.product;
  state->major = major;
  state->producer = options.producer;
  state->settings = settings;
  state->limits = quality::WorkspaceInputLimits(mesh.workspace().settings);
  state->on_ack = std::move(on_ack);
  state->next_line = from;
  state->skip = committed - from;
  state->current_from = committed;
  state->summary = {.product = options.product, .producer = options.producer, .offset = committed};
  state->spool_dir = mesh.workspace().root / "tmp" / ("stream-" + RandomHex(8));
  std::error_code ec;
  std::filesystem::create_directories(state->spool_dir, ec);
  if (ec) return Status::IoError("cannot create " + state->spool_dir.string() + ": " + ec.message());
  std::filesystem::permissions(state->spool_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  State* raw = state.get();
  state->committer = std::thread([raw] { raw->CommitLoop(); });
  return std::unique_ptr<StreamSession>(new StreamSession(std::move(state)));
}

int64_t StreamSession::start() const {
  std::lock_guard lock(state_->mu);
  return state_->summary.offset;
}

Status StreamSession::Add(std::string_view line) {
  State& s = *state_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return Status::Ok();  // a blank line is no record and has no offset
  // The input limits are held here as each line is parsed, so the publish
  // need not read the batch again.
  const int64_t max_line = s.MaxLine();
  const bool too_long = static_cast<int64_t>(line.size()) > max_line;
  std::unique_lock lock(s.mu);
  if (!s.failure.ok()) return s.failure;
  ++s.summary.lines;
  if (s.skip > 0) {
    --s.skip;
    ++s.summary.skipped;
    ++s.next_line;
    return Status::Ok();
  }
  // Parsed once, under the lock (the batch's keys are the committer's at a cut).
  const size_t keys_before = s.current_keys.size();
  KeySax keys(s.current_keys, s.current_key_set, s.limits.max_field_bytes);
  const bool malformed = !too_long && (line[start] != '{' || !json::sax_parse(line, &keys));
  const int64_t index = s.next_line;
  if (too_long || malformed) {
    // The keys the refused line added are no batch's.
    for (size_t k = keys_before; k < s.current_keys.size(); ++k) s.current_key_set.erase(s.current_keys[k]);
    s.current_keys.resize(keys_before);
    if (too_long)
      s.failure = Status::InvalidArgument(fmt::format(
          "line {} of producer {} is {} bytes, over the limit of {} bytes (the product's weft.stream maxBytes, and 4 "
          "times the workspace's publish.maxFieldBytes)",
          index, s.producer, line.size(), max_line));
    else if (keys.too_long() > 0)
      s.failure = Status::InvalidArgument(fmt::format(
          "line {} of producer {} has a string of {} bytes, over publish.maxFieldBytes ({} bytes; raise it in weft.yaml)",
          index, s.producer, keys.too_long(), s.limits.max_field_bytes));
    else
      s.failure = Status::InvalidArgument(fmt::format("line {} of producer {} is not a JSON object ({}): {}", index,
                                                      s.producer, WhyNotAnObject(line), Excerpt(line)));
    // The lines before it are whole: commit them, then report.
    Status failure = s.failure;
    s.failure = Status::Ok();
    s.Cut();
    s.finishing = true;
    s.changed.notify_all();
    s.changed.wait(lock, [&] { return s.ready.empty() && !s.committing; });
    if (s.failure.ok())
      s.failure = failure.WithContext(fmt::format("lines before it are committed: resume from line {} once it is fixed",
                                                  s.summary.offset));
    return s.failure;
  }
  if (s.current_rows == 0) {
    s.first_at = Clock::now();
    s.current_from = s.next_line;
  }
  ++s.next_line;
  s.current.append(line);
  s.current.push_back('\n');
  ++s.current_rows;
  if (s.current_rows >= s.settings.max_rows || static_cast<int64_t>(s.current.size()) >= s.settings.max_bytes) {
    // Back-pressure: one batch commits while the next fills; a full batch
    // waits here, with its producer, for the commit to end. A batch queued
    // behind the commit instead would hold memory and add its wait to the
    // commit latency, and commit no sooner.
    if (!s.ready.empty() || s.committing) {
      const auto waited_from = Clock::now();
      s.changed.wait(lock, [&] { return (s.ready.empty() && !s.committing) || !s.failure.ok(); });
      s.summary.waited_seconds += std::chrono::duration<double>(Clock::now() - waited_from).count();
      if (!s.failure.ok()) return s.failure;
    }
    s.Cut();
  } else if (s.current_rows == 1) {
    s.changed.notify_all();  // the committer's timer starts with a batch's first line
  }
  return Status::Ok();
}

Result<StreamSummary> StreamSession::Finish() {
  State& s = *state_;
  {
    std::lock_guard lock(s.mu);
    s.finishing = true;
    s.changed.notify_all();
  }
  if (s.committer.joinable()) s.committer.join();
  s.JoinCompaction();
  std::error_code ec;
  std::filesystem::remove_all(s.spool_dir, ec);
  std::lock_guard lock(s.mu);
  if (!s.failure.ok()) return s.failure;
  return s.summary;
}

int64_t StreamSession::max_bytes() const { return state_->MaxLine(); }

namespace {

// Of `snapshots` (newest first), the newest of the major `since` belongs to, or NotFound.
Result<catalog::SnapshotRecord> NewestAfter(const std::vector<catalog::SnapshotRecord>& snapshots,
                                            const std::string& product, const std::string& since) {
  auto it = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.id == since; });
  if (it == snapshots.end())
    return Status::NotFound("snapshot " + since + " is not a kept snapshot of " + product +
                            " (gc may have removed it): read the product whole and follow on from its current snapshot");
  for (const auto& s : snapshots)
    if (s.major == it->major) return s;
  return *it;
}

}  // namespace

Result<Changes> ReadChanges(Mesh& mesh, const Caller& caller, const ChangesRequest& request) {
  RETURN_IF_ERROR(CatalogService(mesh).CheckProduct(request.product));
  if (request.since.empty()) return Status::InvalidArgument("say which snapshot the feed follows on from (since=SNAPSHOT)");
  if (request.wait_seconds < 0 || request.wait_seconds > 60) return Status::InvalidArgument("wait must be 0 to 60 seconds");
  // A caller who may not read the product learns nothing of its snapshots
  // (nor, waiting, of when it changes): the query's own rule, asked first.
  ASSIGN_OR_RETURN(auto access, mesh.Access());
  ASSIGN_OR_RETURN(int64_t major, access->NewestMajor(request.product));
  std::string contract_version;
  ASSIGN_OR_RETURN(auto ports, mesh.store().ListPortVersions());
  for (const auto& pv : ports)
    if (pv.product_id == request.product && pv.major == major) contract_version = pv.version;
  ASSIGN_OR_RETURN(auto snapshots, mesh.store().ListSnapshots(request.product));  // newest first
  for (const auto& s : snapshots)
    if (s.major == major) {
      contract_version = s.contract_version;
      break;
    }
  RETURN_IF_ERROR(access->Authorize(caller.principal, request.product, major, contract_version, caller.now).status());
  ASSIGN_OR_RETURN(catalog::SnapshotRecord newest, NewestAfter(snapshots, request.product, request.since));

  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(request.wait_seconds));
  // Long-poll: a commit moves the catalog generation; only then is the
  // product looked at again.
  ASSIGN_OR_RETURN(int64_t generation, mesh.store().Generation());
  while (newest.id == request.since && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSIGN_OR_RETURN(int64_t now, mesh.store().Generation());
    if (now == generation) continue;
    generation = now;
    ASSIGN_OR_RETURN(snapshots, mesh.store().ListSnapshots(request.product));
    ASSIGN_OR_RETURN(newest, NewestAfter(snapshots, request.product, request.since));
  }
  // Pinned at the snapshot named in the answer, whatever commits meanwhile.
  query::QueryRequest query{.sql = "SELECT * FROM " + request.product, .at = newest.id, .since = request.since,
                            .kind = "changes"};
  query.on_rows = request.on_rows;
  Changes changes{.snapshot = newest.id};
  Result<query::QueryAnswer> answer = QueryService(mesh).Run(caller, query);
  if (answer.ok()) {
    changes.answer = std::move(*answer);
    return changes;
  }
  // A reset is an answer, not an error (query/governed_copies.h, ForChanges).
  if (answer.status().code() != StatusCode::kFailedPrecondition || !StartsWith(answer.status().message(), "reset:"))
    return answer.status();
  changes.reset = true;
  changes.message = std::string(answer.status().message());
  return changes;
}

json ToJson(const Changes& c, const std::string& since) {
  if (c.reset) return {{"reset", true}, {"since", since}, {"snapshot", c.snapshot}, {"message", c.message}};
  return {{"done", true},
          {"since", since},
          {"snapshot", c.snapshot},
          {"rows", c.answer.usage.rows_returned},
          {"warnings", c.answer.warnings}};
}

Result<quality::CompactReport> CompactProduct(Mesh& mesh, const Caller& caller, const std::string& product,
                                              size_t min_files) {
  RETURN_IF_ERROR(CatalogService(mesh).CheckProduct(product));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kPublish, Resource::Product(product)));
  const control::Workspace& ws = mesh.workspace();
  lakehouse::IcebergHook iceberg(mesh.store(), storage::DefaultFileSystem());
  auto report = quality::Compact(mesh.store(), {.product = product, .min_files = min_files, .actor = caller.principal.name,
                                                .threads = static_cast<int>(ws.settings.query_threads.value_or(0)),
                                                .memory_limit = ws.settings.query_memory_limit,
                                                .temp_dir = ws.root / "tmp", .snapshot_hook = &iceberg});
  mesh.CatalogChanged();
  return report;
}

Result<bool> AnyStreamingProduct(Mesh& mesh) {
  ASSIGN_OR_RETURN(auto products, mesh.store().ListProducts());
  for (const auto& p : products) {
    if (p.spec_json.find("weft.stream") == std::string::npos) continue;  // most products: no parse
    auto settings = StreamSettingsOf(p);
    if (settings.ok() && settings->has_value()) return true;
  }
  return false;
}

Result<std::vector<catalog::StreamOffsetRecord>> StreamOffsets(Mesh& mesh, const Caller& caller,
                                                               const std::string& product) {
  RETURN_IF_ERROR(CatalogService(mesh).CheckProduct(product));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kPublish, Resource::Product(product)));
  return mesh.store().ListStreamOffsets(product);
}

json ToJson(const StreamAck& a) {
  json j = {{"batch", a.batch},           {"from", a.from},
            {"to", a.to},                 {"outcome", a.outcome},
            {"publish", a.publish_id},    {"snapshot", a.snapshot_id},
            {"rowsValid", a.rows_valid},  {"rowsQuarantined", a.rows_quarantined},
            {"commitSeconds", a.commit_seconds}};
  if (!a.message.empty()) j["message"] = a.message;
  return j;
}

json ToJson(const StreamSummary& s) {
  json acks = json::array();
  for (const auto& a : s.acks) acks.push_back(ToJson(a));
  return {{"product", s.product},
          {"producer", s.producer},
          {"offset", s.offset},
          {"lines", s.lines},
          {"skipped", s.skipped},
          {"batches", s.batches},
          {"rowsValid", s.rows_valid},
          {"rowsQuarantined", s.rows_quarantined},
          {"waitedSeconds", s.waited_seconds},
          {"acks", acks}};
}

json ToJson(const quality::CompactReport& r) {
  return {{"product", r.product_id},    {"major", r.major},          {"compacted", r.compacted}, {"note", r.note},
          {"snapshot", r.snapshot_id},  {"parent", r.parent_snapshot_id}, {"filesBefore", r.files_before},
          {"filesAfter", r.files_after}, {"rows", r.rows},           {"seconds", r.seconds},
          {"warnings", r.warnings}};
}

json ToJson(const catalog::StreamOffsetRecord& o) {
  return {{"product", o.product_id}, {"major", o.major},          {"producer", o.producer}, {"offset", o.offset},
          {"publish", o.publish_id}, {"snapshot", o.snapshot_id}, {"updatedAt", o.updated_at}};
}

}  // namespace weft::service
