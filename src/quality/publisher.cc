#include "quality/publisher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/guards.h"
#include "quality/profile.h"
#include "quality/snapshot_commit.h"
#include "spec/loader.h"
#include "spec/references.h"
#include "storage/file_lineage.h"
#include "storage/snapshot.h"

namespace weft::quality {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


// The snapshot is committed: what the hook updates after it (the table
// metadata) can be repaired later, so its failure is a warning, not an
// error; so is its notice.
void AfterCommit(SnapshotHook& hook, const SnapshotContext& ctx, PublishReport& report) {
  Result<std::string> notice = hook.AfterCommit(ctx);
  if (!notice.ok())
    report.warnings.push_back("snapshot " + ctx.snapshot_id + " is committed, but its Iceberg table metadata was not updated (" +
                              std::string(notice.status().message()) + "); the next publish or `weft lakehouse repair` writes it");
  else if (!notice->empty())
    report.warnings.push_back(std::move(*notice));
}

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Polls DuckDB's progress of the running query on a watcher thread and
// hands it to the callback; the phase names what the query is for.
class ProgressWatch {
 public:
  ProgressWatch(const engine::Connection& conn, std::function<void(const PublishProgress&)> callback)
      : conn_(conn.handle()), callback_(std::move(callback)) {
    if (callback_) thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressWatch() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  ProgressWatch(const ProgressWatch&) = delete;
  ProgressWatch& operator=(const ProgressWatch&) = delete;

  void Phase(const std::string& phase) {
    std::lock_guard<std::mutex> lock(mu_);
    phase_ = phase;
    start_ = Clock::now();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      if (phase_.empty()) continue;
      duckdb_query_progress_type p = duckdb_query_progress(conn_);
      PublishProgress out{.phase = phase_, .percent = p.percentage,
                          .rows = static_cast<int64_t>(p.rows_processed), .seconds = Since(start_)};
      callback_(out);
    }
  }

  duckdb_connection conn_;
  std::function<void(const PublishProgress&)> callback_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                  // Protected by mu_
  std::string phase_;                  // Protected by mu_
  Clock::time_point start_ = Clock::now();  // Protected by mu_
  std::thread thread_;
};

// Removes what a failed publish wrote, unless disarmed.
class Cleanup {
 public:
  explicit Cleanup(storage::FileSystem& fs) : fs_(fs) {}
  ~Cleanup() {
    for (const auto& p : paths_) fs_.RemoveAll(p).IgnoreError();
  }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  void Add(const fs::path& p) { paths_.push_back(p); }
  void Disarm() { paths_.clear(); }

 private:
  storage::FileSystem& fs_;
  std::vector<fs::path> paths_;
};

struct Target {
  std::string product_id;
  std::optional<int64_t> major;
};

Result<Target> ParseTarget(const std::string& text) {
  Target t;
  std::string id = text;
  if (auto at = text.find('@'); at != std::string::npos) {
    id = text.substr(0, at);
    std::string v = text.substr(at + 1);
    if (v.size() < 2 || v[0] != 'v' || v.find_first_not_of("0123456789", 1) != std::string::npos)
      return Status::InvalidArgument("'" + text + "': the version must be written @vMAJOR, e.g. " + id + "@v2");
    t.major = std::stoll(v.substr(1));
  }
  if (std::count(id.begin(), id.end(), '.') != 1 || id.front() == '.' || id.back() == '.')
    return Status::InvalidArgument("'" + text + "' is not DOMAIN.PRODUCT (e.g. sales.orders)");
  t.product_id = id;
  return t;
}

// The extension that names a file's format, lower case: a gzip file's
// (orders.csv.gz) is the one before .gz; DuckDB decompresses it as it reads.
std::string FormatExtension(const fs::path& file) {
  const std::string ext = ToLower(file.extension().string());
  return ext == ".gz" ? ToLower(file.stem().extension().string()) : ext;
}

Result<std::string> DetectFormat(const PublishRequest& req) {
  if (!req.format.empty()) {
    if (req.format != "csv" && req.format != "parquet" && req.format != "json")
      return Status::InvalidArgument("unknown --format '" + req.format + "'; use csv, parquet or json");
    return req.format;
  }
  std::string format;
  for (const auto& f : req.files) {
    std::string ext = FormatExtension(f);
    std::string this_one = ext == ".csv" || ext == ".tsv" ? "csv"
                           : ext == ".parquet"            ? "parquet"
                           : ext == ".json" || ext == ".ndjson" || ext == ".jsonl" ? "json" : "";
    if (this_one.empty())
      return Status::InvalidArgument("cannot tell the format of '" + f.string() + "' from its extension; pass --format csv|parquet|json");
    if (!format.empty() && format != this_one)
      return Status::InvalidArgument("the input files mix formats (" + format + " and " + this_one + "); publish them separately");
    format = this_one;
  }
  return format;
}

// The CSV dialect weft reads: fixed rather than sniffed, as a sniffer faced
// with a broken file guesses another dialect and reports nonsense columns.
// A .tsv file is tab-separated.
char CsvDelimiter(const std::vector<fs::path>& files) {
  return !files.empty() && FormatExtension(files[0]) == ".tsv" ? '\t' : ',';
}

std::string CsvDialect(const std::vector<fs::path>& files, const InputLimits& limits) {
  const std::string delim = CsvDelimiter(files) == '\t' ? "\\t" : ",";
  return "header = true, delim = '" + delim + "', quote = '\"', escape = '\"', strict_mode = true, skip = 0, " +
         "max_line_size = " + std::to_string(limits.ReaderLineBytes()) +
         ", buffer_size = " + std::to_string(limits.ReaderBufferBytes());
}

std::string FileList(const std::vector<fs::path>& files) {
  std::vector<std::string> quoted;
  for (const auto& f : files) quoted.push_back(SqlQuote(f.string()));
  return "[" + Join(quoted, ", ") + "]";
}

// NDJSON files read with `options` appended (", union_by_name = true",
// ", columns = {...}").
std::string JsonReader(const std::vector<fs::path>& files, const InputLimits& limits, const std::string& options) {
  return "read_json(" + FileList(files) + ", format = 'newline_delimited', maximum_object_size = " +
         std::to_string(limits.ReaderLineBytes()) + options + ")";
}

// The input read as it is staged when it is not read typed (TypedCsvStage):
// every CSV value as text, so a value that does not fit its type becomes a
// failing row (TRY_CAST in the checker) rather than a read error.
std::string ReaderSql(const std::string& format, const std::vector<fs::path>& files, const InputLimits& limits) {
  std::string list = FileList(files);
  // Several files are matched by column name; one file needs no matching,
  // and union_by_name costs a third of the staging time on a large CSV.
  std::string by_name = files.size() > 1 ? ", union_by_name = true" : "";
  if (format == "csv")
    return "read_csv(" + list + ", all_varchar = true" + by_name + ", " + CsvDialect(files, limits) + ")";
  if (format == "parquet") return "read_parquet(" + list + by_name + ")";
  return JsonReader(files, limits, by_name);
}

// The start of one line of a reader's message. DuckDB quotes the input line
// it failed on whole: a 200 MB field once printed 10 KB of itself, and the
// reason was lost after it.
std::string Clip(std::string_view line) {
  constexpr size_t kMaxBytes = 200;
  if (line.size() <= kMaxBytes) return std::string(line);
  size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return std::string(line.substr(0, cut)) + "… (" + std::to_string(line.size() - cut) + " more bytes not shown)";
}

// DuckDB's reader errors end with advice about its own options (strict_mode,
// null_padding, ...) that a publisher cannot pass; the first lines say
// what is wrong and where.
Status InputError(const std::vector<fs::path>& files, const std::string& format, const std::string& duckdb_message) {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.string());
  std::vector<std::string> kept;
  for (const auto& line : Split(duckdb_message, '\n')) {
    if (Trim(line).empty() || kept.size() == 2) break;
    kept.push_back(Clip(Trim(line)));
  }
  return Status::InvalidArgument("cannot read " + Join(names, ", ") + " as " + format +
                                 (format == "csv" ? " (a header row, comma-separated, \"-quoted)" : "") + ": " +
                                 Join(kept, " ") + "; fix the file (nothing was published)");
}


// The catalog's current specs, loaded, for resolving relationship targets.
struct CatalogSpecs {
  std::vector<spec::Document> docs;
  std::vector<catalog::ContractVersionRecord> contracts;
};

Result<CatalogSpecs> LoadCatalogSpecs(catalog::Store& store) {
  CatalogSpecs out;
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(out.contracts, store.ListContractVersions());
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  ASSIGN_OR_RETURN(auto entities, store.ListReferenceEntities());
  // Newest major first: the resolver keeps the first document of an id.
  std::sort(ports.begin(), ports.end(), [](const auto& a, const auto& b) { return a.major > b.major; });
  auto add = [&](const std::string& text, const std::string& name) {
    auto loaded = spec::LoadText(text, name);
    for (auto& d : loaded.documents) out.docs.push_back(std::move(d));
  };
  for (const auto& pv : ports)
    for (const auto& c : out.contracts)
      if (c.contract_id == pv.contract_id && c.version == pv.version) add(c.spec_json, "catalog:contract:" + c.contract_id);
  for (const auto& p : products) add(p.spec_json, "catalog:product:" + p.id);
  for (const auto& e : entities) add(e.spec_json, "catalog:entity:" + e.name);
  return out;
}

using Parts = std::vector<CheckPart>;

class Publisher {
 public:
  Publisher(catalog::Store& store, const PublishRequest& req)
      : store_(store), req_(req), fs_(req.fs ? *req.fs : storage::DefaultFileSystem()), cleanup_(fs_) {}
  ~Publisher() {
    if (archive_.joinable()) archive_.join();
  }
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Whether Run failed because another publish of the product committed
  // while it ran: starting again (a new Publisher) builds on that one.
  bool raced() const { return raced_; }

  Result<PublishReport> Run() {
    auto start = Clock::now();
    const bool derived = req_.transform.has_value();
    report_.mode = derived ? "run" : req_.mode;
    std::string format;
    if (derived) {
      if (!req_.files.empty()) return Status::InvalidArgument("a derived run reads its inputs, not files");
    } else {
      if (req_.mode != "replace" && req_.mode != "append")
        return Status::InvalidArgument("unknown --mode '" + req_.mode + "'; use replace or append");
      if (req_.stream && req_.mode != "append") return Status::InvalidArgument("a streamed batch is appended (mode append)");
      if (req_.files.empty()) return Status::InvalidArgument("no input file given");
      for (const auto& f : req_.files) RETURN_IF_ERROR(CheckInputFile(f));
      ASSIGN_OR_RETURN(format, DetectFormat(req_));
    }
    if (req_.force && Trim(req_.force_reason).empty())
      return Status::InvalidArgument("--force needs a reason (--reason TEXT): overriding a publish guard is audited");
    RETURN_IF_ERROR(ResolveProduct());
    // Before anything reads the input for real: a bomb or a runaway field
    // fails here, with no archive, record or snapshot made.
    if (!derived && !(req_.stream && req_.stream->within_limits))
      RETURN_IF_ERROR(CheckInputLimits(req_.files, format, CsvDelimiter(req_.files), req_.limits));
    if (derived) {
      report_.input_checksum = TransformChecksum(*req_.transform);
    } else {
      ASSIGN_OR_RETURN(report_.input_checksum, Sha256HexOfFiles(req_.files));
    }
    ASSIGN_OR_RETURN(auto snapshots, store_.ListSnapshots(report_.product_id));
    for (const auto& s : snapshots) {
      if (s.major != report_.major) continue;
      parent_ = s;  // newest first: the current one
      break;
    }
    if (parent_ && parent_->input_checksum == report_.input_checksum && !req_.stream) {
      report_.outcome = "duplicate";
      report_.snapshot_id = parent_->id;
      report_.parent_snapshot_id = parent_->id;
      report_.snapshot_rows = parent_->rows;
      report_.seconds = Since(start);
      return std::move(report_);
    }
    if (report_.mode == "append" && !parent_)
      report_.warnings.push_back("no current snapshot to append to; this publish starts the product");
    if (parent_) report_.parent_snapshot_id = parent_->id;
    report_.publish_id = storage::NewSnapshotId();

    ASSIGN_OR_RETURN(engine::Database db, OpenEngine());
    ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
    RETURN_IF_ERROR(conn.Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false"));
    ProgressWatch progress(conn, req_.on_progress);

    // Compiled first: a derived run is sandboxed before its SQL runs, and
    // the sandbox must already allow the snapshots the checks read.
    ASSIGN_OR_RETURN(CheckPlan plan, Compile(conn));
    progress.Phase("reading");
    std::vector<CheckPart> parts;
    if (derived) {
      RETURN_IF_ERROR(BindInputs(conn, plan));
      std::string from = "(" + req_.transform->sql + "\n)";
      Status staged = StageRaw(conn, from, "the transform's result", "", [&](const std::string& m) {
        return Status::InvalidArgument("the transform of " + report_.product_id + " fails: " + m);
      });
      RETURN_IF_ERROR(ArchiveTransform());
      if (!staged.ok()) return RecordFailure(staged);
      parts = {Checker::RawTable(plan, kStaged)};
    } else {
      RETURN_IF_ERROR(StartArchive());
      Result<std::vector<CheckPart>> read = ReadInput(conn, plan, format);
      RETURN_IF_ERROR(FinishArchive());
      if (!read.ok()) return RecordFailure(read.status());
      parts = std::move(*read);
    }
    progress.Phase("checking");
    Checker checker(conn, plan);
    ASSIGN_OR_RETURN(report_.checks, checker.Run(parts));
    for (const auto& n : plan.notes) report_.warnings.push_back(n);
    progress.Phase("writing");
    if (report_.checks.rows_quarantined > 0) RETURN_IF_ERROR(WriteQuarantine(conn, checker));

    RETURN_IF_ERROR(Guard());

    std::optional<storage::SealedSnapshot> sealed;
    if (report_.checks.rejected || !report_.refused_by.empty()) {
      report_.outcome = "rejected";
    } else {
      report_.outcome = "published";
      ASSIGN_OR_RETURN(sealed, WriteSnapshot(conn, checker));
      // A stream commits a snapshot a second: profiling every file of it
      // each time would grow with the stream. Its page shows the profile of
      // the last snapshot that has one.
      if (!req_.stream) Profile(conn, *sealed);
    }
    progress.Phase("");
    report_.seconds = Since(start);
    Status committed = Commit(sealed);
    if (!committed.ok()) {
      if (sealed) storage::RemoveSealed(fs_, *sealed).IgnoreError();
      return committed.WithContext("while committing the publish of " + report_.product_id);
    }
    cleanup_.Disarm();
    if (sealed && req_.snapshot_hook) AfterCommit(*req_.snapshot_hook, snapshot_ctx_, report_);
    return std::move(report_);
  }

 private:
  Status ResolveProduct() {
    ASSIGN_OR_RETURN(Target target, ParseTarget(req_.target));
    report_.product_id = target.product_id;
    ASSIGN_OR_RETURN(auto products, store_.ListProducts());
    auto product = std::find_if(products.begin(), products.end(), [&](const auto& p) { return p.id == target.product_id; });
    if (product == products.end()) {
      std::vector<std::string> ids;
      for (const auto& p : products) ids.push_back(p.id);
      std::string hint = ClosestMatch(target.product_id, ids);
      return Status::NotFound("no product '" + target.product_id + "' in the catalog" +
                              (hint.empty() ? "; `weft get products` lists them" : "; did you mean '" + hint + "'?"));
    }
    product_ = *product;
    ASSIGN_OR_RETURN(auto ports, store_.ListPortVersions());
    const catalog::PortVersionRecord* chosen = nullptr;
    for (const auto& pv : ports) {
      if (pv.product_id != product_.id) continue;
      if (target.major ? pv.major != *target.major : pv.status == "retired") continue;
      if (!chosen || pv.major > chosen->major) chosen = &pv;
    }
    if (!chosen)
      return Status::NotFound(target.major ? "product '" + product_.id + "' has no version v" + std::to_string(*target.major)
                                           : "product '" + product_.id + "' has no active output port version");
    if (chosen->status == "retired")
      return Status::FailedPrecondition(product_.id + "_v" + std::to_string(chosen->major) +
                                        " is retired; publish to a newer major instead");
    port_ = *chosen;
    report_.major = port_.major;
    report_.contract_version = port_.version;
    ASSIGN_OR_RETURN(auto domains, store_.ListDomains());
    for (const auto& d : domains)
      if (d.name == product_.domain) domain_root_ = d.storage_root;
    if (domain_root_.empty()) return Status::FailedPrecondition("domain '" + product_.domain + "' of " + product_.id + " is not in the catalog");

    ASSIGN_OR_RETURN(specs_, LoadCatalogSpecs(store_));
    for (const auto& d : specs_.docs) {
      const spec::DataContract* c = d.contract();
      if (c && c->id == port_.contract_id && c->version == port_.version) contract_ = c;
      if (d.product() && d.file == "catalog:product:" + product_.id) product_spec_ = d.product();
    }
    if (!contract_)
      return Status::FailedPrecondition("contract " + port_.contract_id + "@" + port_.version + " of " + product_.id +
                                        " is not in the catalog (or does not load); re-apply the product");
    if (!req_.object.empty()) {
      object_ = contract_->FindObject(req_.object);
      if (!object_) return Status::InvalidArgument("contract " + contract_->id + " has no schema object '" + req_.object + "'");
    } else if (contract_->schema.size() == 1) {
      object_ = &contract_->schema[0];
    } else {
      std::vector<std::string> names;
      for (const auto& o : contract_->schema) names.push_back(o.name);
      return Status::InvalidArgument("contract " + contract_->id + " has " + std::to_string(names.size()) +
                                     " schema objects (" + Join(names, ", ") + "); say which one with --object");
    }
    report_.object = object_->name;
    return Status::Ok();
  }

  // The publish as a whole against the product's history (guards.h). A
  // failing guard refuses the publish unless it is forced; forced, its
  // figures become warnings and the override is audited at commit.
  Status Guard() {
    ASSIGN_OR_RETURN(GuardSettings settings, GuardSettingsFor(req_.guards, product_spec_, contract_));
    GuardInput in{.mode = report_.mode, .rows_in = report_.checks.rows_in,
                  .rows_quarantined = report_.checks.rows_quarantined, .rows_added = report_.checks.rows_valid,
                  .at_ms = SystemClock().NowMillis()};
    if (parent_) in.current_rows = parent_->rows;
    // A streamed batch is judged by itself (its quarantined share): its
    // size follows the producer's pace, not a volume a history predicts,
    // and reading every earlier batch each second would grow with the stream.
    std::vector<catalog::PublishRecord> publishes;
    if (!req_.stream) {
      ASSIGN_OR_RETURN(publishes, store_.ListPublishes(report_.product_id, 0));
    }
    for (const auto& p : publishes) {
      if (p.major != report_.major || p.outcome != "published" || p.mode != report_.mode) continue;
      if (auto at = ParseIsoMillis(p.finished_at)) in.history.push_back({.at_ms = *at, .value = static_cast<double>(p.rows_valid)});
    }
    report_.guards = EvaluateGuards(settings, in);
    if (!AnyFailed(report_.guards)) return Status::Ok();
    if (req_.force) {
      report_.forced = true;
      report_.warnings.push_back("forced past " + RefusalMessage(report_.guards) + " (reason: " + req_.force_reason + ")");
    } else {
      report_.refused_by = RefusalMessage(report_.guards);
    }
    return Status::Ok();
  }

  // An input that cannot be staged (unreadable, a header that does not match
  // the contract, a failing transform) is kept: its archive copy stays and a
  // "failed" publish records why, so `weft history` shows the attempt. The
  // current snapshot stays current.
  Status RecordFailure(const Status& error) {
    if (error.code() != StatusCode::kInvalidArgument) return error;
    report_.outcome = "failed";
    Status committed = Commit(std::nullopt, std::string(error.message()));
    if (!committed.ok()) return error;  // the cleanup removes the archive copy
    cleanup_.Disarm();
    return Status(error.code(), std::string(error.message()) + " (the input is archived at " + report_.archive_path + ")");
  }

  Result<engine::Database> OpenEngine() {
    engine::DatabaseConfig config;
    config.threads = req_.threads;
    config.memory_limit = req_.memory_limit;
    if (!req_.temp_dir.empty()) {
      std::vector<fs::path> created;
      RETURN_IF_ERROR(fs_.CreateDirectories(req_.temp_dir, storage::kOwnerOnly, &created));
      config.options["temp_directory"] = req_.temp_dir.string();
    }
    return engine::Database::Open(config);
  }

  // Why no column matched, when the header itself looks wrong: CSV is read
  // comma-separated with a header row, so a file with another separator
  // shows one long column, and a file without a header shows its first
  // row's values as column names.
  std::string HeaderHint(const std::string& format, const std::vector<std::string>& found,
                         const std::set<std::string>& used) const {
    if (format != "csv" || !used.empty()) return "";
    if (found.size() == 1) {
      for (const char* sep : {";", "\t", "|"})
        if (found[0].find(sep) != std::string::npos)
          return std::string("; the header looks separated by '") + (std::string(sep) == "\t" ? "\\t" : sep) +
                 "', but weft reads .csv files comma-separated (.tsv: tab-separated): convert the file or rename a "
                 "tab-separated one to .tsv";
    }
    std::vector<std::string> expected;
    for (const auto& p : object_->properties) expected.push_back(p.name);
    return "; no column found is one of the contract's, so the first row is probably data, not a header: add a "
           "header row (" + Join(expected, ",") + ")";
  }

  // How the input's columns meet the contract's: for each property, the
  // input column it is read from (matched by name, case-insensitively), or
  // none. Missing required columns are an error; missing optional columns
  // and columns the contract does not have are warnings.
  struct ColumnMatch {
    std::vector<std::string> input;               // the input's columns, in order
    std::vector<std::optional<std::string>> from;  // per property, in contract order
  };

  // DESCRIBE only sniffs: the columns are matched before anything is read.
  // `what` names the source in messages; `format` (csv, parquet, json; ""
  // for a transform) picks the header hints; `read_error` turns DuckDB's
  // error into the user's.
  Result<ColumnMatch> MatchColumns(engine::Connection& conn, const std::string& from, const std::string& what,
                                   const std::string& format, const std::function<Status(const std::string&)>& read_error) {
    auto described = conn.Query("DESCRIBE SELECT * FROM " + from);
    if (!described.ok()) return read_error(described.status().message());
    ASSIGN_OR_RETURN(auto cols, described->FetchAllAsStrings());
    std::vector<std::string> names;
    for (const auto& c : cols)
      if (c[0]) names.push_back(*c[0]);
    return MatchNames(names, what, format);
  }

  // The input's column names (as DESCRIBE or a stream session found them) against the contract's.
  Result<ColumnMatch> MatchNames(const std::vector<std::string>& names, const std::string& what, const std::string& format) {
    ColumnMatch match;
    std::map<std::string, std::string> by_lower;  // lower-case name -> name as written
    for (const auto& name : names) {
      match.input.push_back(name);
      by_lower[ToLower(name)] = name;
    }
    std::vector<std::string> missing_required, missing_optional;
    std::set<std::string> used;
    for (const auto& p : object_->properties) {
      auto it = by_lower.find(ToLower(p.name));
      if (it == by_lower.end()) {
        (p.is_required() || p.is_primary_key() ? missing_required : missing_optional).push_back(p.name);
        match.from.push_back(std::nullopt);
      } else {
        match.from.push_back(it->second);
        used.insert(it->first);
      }
    }
    std::vector<std::string> unmatched;
    for (const auto& c : match.input)
      if (!used.count(ToLower(c))) unmatched.push_back(c);
    // "custmer_id" in the header: the contract's column it most resembles.
    auto near = [&unmatched](const std::string& name) {
      std::string hint = ClosestMatch(name, unmatched);
      return hint.empty() ? std::string() : " (did you mean '" + hint + "'?)";
    };
    if (!missing_required.empty()) {
      std::vector<std::string> missing;
      for (const auto& m : missing_required) missing.push_back(m + near(m));
      return Status::InvalidArgument(what + " has no column " + Join(missing, ", ") + ", required by contract " +
                                     contract_->id + "; columns found: " + Join(match.input, ", ") +
                                     HeaderHint(format, match.input, used));
    }
    for (const auto& m : missing_optional)
      report_.warnings.push_back(what + " has no column '" + m + "'" + near(m) + "; it is published as NULL");
    for (const auto& name : unmatched) report_.warnings.push_back("column '" + name + "' is not in the contract and is dropped");
    return match;
  }

  // The staged columns in contract order: each property from its input
  // column, a missing one as NULL of `missing_type(i)`.
  std::string StagedColumns(const ColumnMatch& match, const std::function<std::string(size_t)>& missing_type) const {
    std::vector<std::string> select;
    for (size_t i = 0; i < match.from.size(); ++i) {
      const std::string name = SqlIdent(object_->properties[i].name);
      select.push_back(match.from[i] ? SqlIdent(*match.from[i]) + " AS " + name : "NULL::" + missing_type(i) + " AS " + name);
    }
    return Join(select, ", ");
  }

  // Stages the rows of `from` (a reader or a parenthesized SELECT) as they
  // come, as kStaged, columns matched to the contract by name; the checker
  // types them (Checker::RawTable).
  Status StageRaw(engine::Connection& conn, const std::string& from, const std::string& what, const std::string& format,
                  const std::function<Status(const std::string&)>& read_error) {
    ASSIGN_OR_RETURN(ColumnMatch match, MatchColumns(conn, from, what, format, read_error));
    return StageRaw(conn, from, match, read_error);
  }
  Status StageRaw(engine::Connection& conn, const std::string& from, const ColumnMatch& match,
                  const std::function<Status(const std::string&)>& read_error) {
    // Insertion order is preserved, so rowid + 1 is the input row number.
    Status s = conn.Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kStaged) + " AS SELECT " +
                            StagedColumns(match, [](size_t) { return std::string("VARCHAR"); }) + " FROM " + from);
    if (!s.ok()) return read_error(s.message());
    return Status::Ok();
  }

  // Reads the input files into the parts the checker checks. One CSV file
  // is read typed (TypedCsv); one Parquet file is checked where it lies;
  // anything else is staged as it comes.
  Result<std::vector<CheckPart>> ReadInput(engine::Connection& conn, const CheckPlan& plan, const std::string& format) {
    const std::string reader = ReaderSql(format, req_.files, req_.limits);
    auto read_error = [&](const std::string& m) { return InputError(req_.files, format, m); };
    // A streamed batch's keys are known (StreamBatch::columns): no sampling.
    const bool keys_known = req_.stream && !req_.stream->columns.empty() && format == "json";
    ASSIGN_OR_RETURN(ColumnMatch match, keys_known ? MatchNames(req_.stream->columns, "the input", format)
                                                   : MatchColumns(conn, reader, "the input", format, read_error));
    if (req_.files.size() == 1 && format == "csv") {
      ASSIGN_OR_RETURN(auto typed, TypedCsv(conn, plan, match));
      if (typed) return std::move(*typed);
    }
    if (req_.files.size() == 1 && format == "parquet") return std::vector<CheckPart>{ParquetInPlace(plan, match)};
    if (format == "json") {
      // The names are known now: every value is read as its JSON text and
      // the reader detects no types again (the checker casts to the
      // contract's; a stream pays the detection on every batch).
      std::vector<std::string> columns;
      for (const auto& name : match.input) columns.push_back(SqlQuote(name) + ": 'VARCHAR'");
      RETURN_IF_ERROR(StageRaw(conn, JsonReader(req_.files, req_.limits, ", columns = {" + Join(columns, ", ") + "}"),
                               match, read_error));
      return std::vector<CheckPart>{Checker::RawTable(plan, kStaged)};
    }
    RETURN_IF_ERROR(StageRaw(conn, reader, match, read_error));
    return std::vector<CheckPart>{Checker::RawTable(plan, kStaged)};
  }

  // One Parquet file is already typed and numbered (file_row_number): every
  // pass reads its columns where it lies, and nothing is staged.
  CheckPart ParquetInPlace(const CheckPlan& plan, const ColumnMatch& match) const {
    std::vector<std::string> cols;
    for (const auto& c : plan.columns) {
      const std::string value = match.from[c.index] ? SqlIdent(*match.from[c.index]) : "NULL";
      cols.push_back(value + " AS " + c.RawRef() + ", TRY_CAST(" + value + " AS " + c.sql_type + ") AS " + SqlIdent(c.name));
    }
    return {.rows = "SELECT file_row_number + 1 AS __id, " + Join(cols, ", ") + " FROM read_parquet(" +
                    FileList(req_.files) + ", file_row_number = true)"};
  }

  // One CSV file read typed, once: the reader converts each column to the
  // contract's type as it parses (in parallel), so the stage holds typed
  // values (a third less memory than text) and no pass casts again. A row
  // with a value the reader cannot convert is kept out of the stage and
  // recorded in kRejects with its line (store_rejects); those few rows are
  // read again as text from their recorded lines and checked as a second
  // part, where they fail their type rule exactly as a staged row would.
  //
  // Stage rows are numbered by rank (rowid + 1); a flagged row's input row
  // number adds the rejected rows before it (kRowShift). A value that
  // converted is quoted as converted in reasons and the quarantine.
  //
  // Returns nothing (the caller stages the file as text) when the reader
  // rejected a row for another reason than a value (a broken line: the
  // text stage reports it as today), or when TRY_CAST would have taken
  // every value of a rejected row (the reader is stricter than the checker).
  Result<std::optional<Parts>> TypedCsv(engine::Connection& conn, const CheckPlan& plan, const ColumnMatch& match) {
    std::map<std::string, std::string> type_of;  // input column -> the type it is read as
    for (const auto& c : plan.columns)
      if (match.from[c.index]) type_of[*match.from[c.index]] = c.sql_type;
    std::vector<std::string> columns;
    for (const auto& name : match.input)
      columns.push_back(SqlQuote(name) + ": " + SqlQuote(type_of.count(name) ? type_of[name] : "VARCHAR"));
    Status staged = conn.Execute(
        "CREATE OR REPLACE TEMP TABLE " + std::string(kStaged) + " AS SELECT " +
        StagedColumns(match, [&](size_t i) { return plan.columns[i].sql_type; }) + " FROM read_csv(" + FileList(req_.files) +
        ", " + CsvDialect(req_.files, req_.limits) + ", columns = {" + Join(columns, ", ") +
        "}, store_rejects = true, rejects_table = '" + kRejects + "', rejects_scan = '" + kRejects + "_scan')");
    if (!staged.ok()) return std::optional<Parts>();
    ASSIGN_OR_RETURN(auto counted, conn.Query("SELECT count(*) FILTER (WHERE CAST(error_type AS VARCHAR) <> 'CAST'), "
                                              "count(DISTINCT line) FROM " + std::string(kRejects)));
    ASSIGN_OR_RETURN(auto counts, counted.FetchAllAsStrings());
    if (counts.size() != 1 || counts[0][0].value_or("0") != "0") return std::optional<Parts>();
    std::vector<std::string> typed_cols;
    for (const auto& c : plan.columns) typed_cols.push_back(SqlIdent(c.name) + " AS " + c.RawRef() + ", " + SqlIdent(c.name));
    CheckPart typed{.rows = "SELECT rowid + 1 AS __id, " + Join(typed_cols, ", ") + " FROM " + kStaged};
    if (counts[0][1].value_or("0") == "0") return std::optional<Parts>(Parts{typed});

    ASSIGN_OR_RETURN(auto rejected, RejectedRows(conn, plan, match));
    if (!rejected) return std::optional<Parts>();
    // Stage rank r follows rejected row j (input row x_j, 1-based j in row
    // order) when x_j - j < r: x_j - j stage rows come before it.
    RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kRowShift) +
                                 " AS SELECT x - j AS after, max(j) AS shift FROM (SELECT CAST(line AS BIGINT) - 1 AS x, row_number() "
                                 "OVER (ORDER BY line) AS j FROM (SELECT DISTINCT line FROM " + kRejects + ")) GROUP BY 1"));
    typed.row_shifts = kRowShift;
    return std::optional<Parts>(Parts{typed, *rejected});
  }

  // The rows the typed reader rejected, as text: their recorded lines under
  // the input's header in a file of their own, read with the same dialect.
  // __id is minus the line (line 1 is the header, so the input row number
  // is line - 1). Nothing when the checker's TRY_CAST would take them.
  Result<std::optional<CheckPart>> RejectedRows(engine::Connection& conn, const CheckPlan& plan, const ColumnMatch& match) {
    ASSIGN_OR_RETURN(auto lines_result, conn.Query("SELECT line, any_value(csv_line) FROM " + std::string(kRejects) +
                                                   " GROUP BY line ORDER BY line"));
    ASSIGN_OR_RETURN(auto lines, lines_result.FetchAllAsStrings());
    const std::string delim(1, CsvDelimiter(req_.files));
    std::vector<std::string> header;
    for (const auto& name : match.input) {
      std::string quoted = "\"";
      for (char ch : name) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      header.push_back(quoted + "\"");
    }
    std::string text = Join(header, delim) + "\n";
    for (const auto& l : lines) text += l[1].value_or("") + "\n";
    const fs::path dir = req_.temp_dir.empty() ? fs::temp_directory_path() : req_.temp_dir;
    std::vector<fs::path> created;
    RETURN_IF_ERROR(fs_.CreateDirectories(dir, storage::kOwnerOnly, &created));
    const fs::path file = dir / (report_.publish_id + "-rejected" + FormatExtension(req_.files[0]));
    cleanup_.Add(file);
    RETURN_IF_ERROR(fs_.WriteFile(file, text));
    Status read = conn.Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kRejected) + " AS SELECT * FROM read_csv(" +
                               SqlQuote(file.string()) + ", all_varchar = true, " +
                               CsvDialect(req_.files, req_.limits) + ")");
    fs_.RemoveAll(file).IgnoreError();
    if (!read.ok()) return std::optional<CheckPart>();
    // The file holds the lines in line order, so its rowid is the line's rank.
    const std::string by_rank = "(SELECT rowid AS __rank, * FROM " + std::string(kRejected) + ") r JOIN (SELECT row_number() OVER "
                                "(ORDER BY line) - 1 AS __rank, line FROM (SELECT DISTINCT line FROM " + kRejects +
                                ")) l USING (__rank)";
    std::vector<std::string> cols, convertible;
    for (const auto& c : plan.columns) {
      const std::string raw = match.from[c.index] ? SqlIdent(*match.from[c.index]) : "NULL";
      cols.push_back(raw + " AS " + c.RawRef() + ", TRY_CAST(" + raw + " AS " + c.sql_type + ") AS " + SqlIdent(c.name));
      convertible.push_back("(" + raw + " IS NULL OR TRY_CAST(" + raw + " AS " + c.sql_type + ") IS NOT NULL)");
    }
    ASSIGN_OR_RETURN(auto check, conn.Query("SELECT count(*), count(*) FILTER (WHERE " + Join(convertible, " AND ") +
                                            ") FROM " + by_rank));
    ASSIGN_OR_RETURN(auto checked, check.FetchAllAsStrings());
    if (checked.size() != 1 || checked[0][0].value_or("") != std::to_string(lines.size()) || checked[0][1].value_or("") != "0")
      return std::optional<CheckPart>();
    return std::optional<CheckPart>(CheckPart{.rows = "SELECT -CAST(line AS BIGINT) AS __id, " + Join(cols, ", ") + " FROM " + by_rank, .row_number = "-__id - 1"});
  }

  // Each input address becomes a view over its snapshot's files ("sales.orders"
  // is view orders in schema sales), then the instance is sandboxed: it may
  // touch the input snapshots, the snapshots the checks join against, this
  // domain's root (where the run writes) and the spill directory, and no
  // other file; its configuration is locked. The runner has already refused
  // SQL that names anything but the inputs; this holds even if it had not.
  Status BindInputs(engine::Connection& conn, const CheckPlan& plan) {
    std::set<std::string> allowed = {domain_root_.string() + "/"};
    if (!req_.temp_dir.empty()) allowed.insert(req_.temp_dir.string() + "/");
    for (const auto& b : req_.transform->bindings) {
      auto dot = b.address.find('.');
      if (dot == std::string::npos) return Status::InvalidArgument("input address '" + b.address + "' is not DOMAIN.PRODUCT");
      std::vector<std::string> files;
      for (const auto& f : storage::SnapshotDataFiles(b.snapshot_dir)) files.push_back(SqlQuote(f));
      if (files.empty())
        return Status::FailedPrecondition("snapshot " + b.snapshot_id + " of " + b.product_id + " has no data files at " +
                                          b.snapshot_dir.string() + "; run weft gc and publish it again");
      std::string schema = SqlIdent(b.address.substr(0, dot));
      RETURN_IF_ERROR(conn.Execute("CREATE SCHEMA IF NOT EXISTS " + schema + "; CREATE VIEW " + schema + "." +
                                   SqlIdent(b.address.substr(dot + 1)) + " AS SELECT " +
                                   (b.select_list.empty() ? "*" : b.select_list) + " FROM read_parquet([" +
                                   Join(files, ", ") + "])" + (b.row_filter.empty() ? "" : " WHERE " + b.row_filter)));
      allowed.insert(b.snapshot_dir.string() + "/");
    }
    for (const auto& fk : plan.foreign_keys)
      for (const auto& f : fk.target.files) allowed.insert(fs::path(f).parent_path().string() + "/");
    std::vector<std::string> quoted;
    for (const auto& a : allowed) quoted.push_back(SqlQuote(a));
    return conn.Execute("SET allowed_directories = [" + Join(quoted, ", ") +
                        "]; SET enable_external_access = false; SET lock_configuration = true");
  }

  // What a run's result is a function of: the SQL, the input snapshots, and
  // what the reader may see of them (a changed grant changes the result).
  static std::string TransformChecksum(const TransformInput& t) {
    std::string text = t.sql;
    for (const auto& b : t.bindings)
      text += "\n-- " + b.address + " = " + b.product_id + "_v" + std::to_string(b.major) + "@" + b.snapshot_id +
              " SELECT " + b.select_list + " WHERE " + b.row_filter + " FROM " + b.snapshot_dir.filename().string();
    return Sha256Hex(text);
  }

  // Keeps what the run read, so its result can be explained and redone:
  // the SQL and which snapshot each input was bound to.
  Status ArchiveTransform() {
    fs::path dir = domain_root_ / "archive" / report_.publish_id;
    std::vector<fs::path> created;
    RETURN_IF_ERROR(fs_.CreateDirectories(dir, storage::kOwnerOnly, &created));
    cleanup_.Add(dir);
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& b : req_.transform->bindings)
      inputs.push_back({{"address", b.address}, {"product", b.product_id}, {"major", b.major},
                        {"snapshot", b.snapshot_id}, {"path", b.snapshot_dir.string()}});
    for (const auto& [name, text] : {std::pair<std::string, std::string>{"transform.sql", req_.transform->sql},
                                     {"inputs.json", inputs.dump(2) + "\n"}}) {
      RETURN_IF_ERROR(fs_.WriteFile(dir / name, text));
      RETURN_IF_ERROR(fs_.Sync(dir / name));
    }
    RETURN_IF_ERROR(fs_.Sync(dir));
    report_.archive_path = dir.string();
    return Status::Ok();
  }

  // Starts copying the input under <domain root>/archive/<publish id>/ on a
  // thread of its own, so the copy and its fsync overlap reading and
  // checking; FinishArchive waits for it, and Commit calls FinishArchive
  // first: no publish is recorded before its input is safely kept.
  Status StartArchive() {
    fs::path dir = domain_root_ / "archive" / report_.publish_id;
    std::vector<fs::path> created;
    RETURN_IF_ERROR(fs_.CreateDirectories(dir, storage::kOwnerOnly, &created));
    cleanup_.Add(dir);
    archive_ = std::thread([this, dir] { archive_status_ = CopyInputs(dir); });
    archive_dir_ = dir;
    return Status::Ok();
  }

  Status FinishArchive() {
    if (!archive_.joinable()) return Status::Ok();
    archive_.join();
    RETURN_IF_ERROR(archive_status_);
    report_.archive_path = archive_dir_.string();
    return Status::Ok();
  }

  // A plain copy (copy_file_range where the kernel has it) then fsync:
  // inputs can be large, and the file seam writes whole buffers only.
  Status CopyInputs(const fs::path& dir) {
    std::set<std::string> names;
    for (size_t i = 0; i < req_.files.size(); ++i) {
      std::string name = req_.files[i].filename().string();
      if (!names.insert(name).second) name = std::to_string(i + 1) + "-" + name;
      std::error_code ec;
      fs::copy_file(req_.files[i], dir / name, ec);
      if (ec) return Status::IoError("archive " + req_.files[i].string() + " to " + (dir / name).string() + ": " + ec.message());
      RETURN_IF_ERROR(fs_.Sync(dir / name));
    }
    return fs_.Sync(dir);
  }

  Result<CheckPlan> Compile(engine::Connection& conn) {
    spec::ReferenceResolver resolver(specs_.docs);
    CheckPlanOptions opts;
    opts.is_duckdb_type = [&conn](const std::string& t) { return conn.Execute("SELECT CAST(NULL AS " + t + ")").ok(); };
    opts.foreign_keys = [&](const ForeignKeyRequest& r) { return LookUp(resolver, r); };
    return CompileCheckPlan(*object_, opts);
  }

  ForeignKeyTarget LookUp(const spec::ReferenceResolver& resolver, const ForeignKeyRequest& r) {
    ForeignKeyTarget out;
    const spec::DataContract* target = nullptr;
    for (const auto& to : r.to) {
      spec::ResolvedTarget t = resolver.Resolve(*contract_, "", to);
      if (!t.ok()) {
        out.error = t.error;
        return out;
      }
      if (target && target != t.contract) {
        out.error = "a composite key must point into one contract";
        return out;
      }
      target = t.contract;
      out.columns.push_back(t.property->name);
    }
    const catalog::ContractVersionRecord* record = nullptr;
    for (const auto& c : specs_.contracts)
      if (c.contract_id == target->id && c.version == target->version) record = &c;
    if (!record) {
      out.error = "contract " + target->id + " is not applied";
      return out;
    }
    out.resolved = true;
    out.product_id = record->product_id;
    auto snapshots = store_.ListSnapshots(record->product_id);
    if (!snapshots.ok()) {
      out.resolved = false;
      out.error = snapshots.status().message();
      return out;
    }
    for (const auto& s : *snapshots) {
      if (s.major != record->major) continue;
      out.has_snapshot = true;
      out.snapshot_id = s.id;
      out.files = storage::SnapshotDataFiles(s.path);
      break;
    }
    if (out.has_snapshot && out.files.empty()) out.has_snapshot = false;
    return out;
  }

  // Writes to a temporary name and renames, so a quarantine file is whole or absent.
  Status WriteQuarantine(engine::Connection& conn, const Checker& checker) {
    fs::path dir = domain_root_ / "quarantine" / product_.name;
    std::vector<fs::path> created;
    RETURN_IF_ERROR(fs_.CreateDirectories(dir, storage::kOwnerOnly, &created));
    fs::path file = dir / (report_.publish_id + ".parquet");
    fs::path tmp = dir / (report_.publish_id + ".parquet.tmp");
    cleanup_.Add(tmp);
    cleanup_.Add(file);
    RETURN_IF_ERROR(conn.Execute("COPY (" + checker.QuarantineQuery() + ") TO " + SqlQuote(tmp.string()) +
                                 " (FORMAT parquet, COMPRESSION zstd)"));
    RETURN_IF_ERROR(fs_.Sync(tmp));
    RETURN_IF_ERROR(fs_.Rename(tmp, file));
    RETURN_IF_ERROR(fs_.Sync(dir));
    report_.quarantine_path = file.string();
    return Status::Ok();
  }

  Result<storage::SealedSnapshot> WriteSnapshot(engine::Connection& conn, const Checker& checker) {
    ASSIGN_OR_RETURN(storage::SnapshotWriter writer, storage::SnapshotWriter::Begin(fs_, port_.storage_path, storage::NewSnapshotId()));
    size_t part = 0;
    report_.snapshot_rows = report_.checks.rows_valid;
    if (report_.mode == "append" && parent_) {
      // The parent's files are shared (hard links), never rewritten.
      for (const auto& f : storage::SnapshotDataFiles(parent_->path)) RETURN_IF_ERROR(writer.LinkExisting(f, PartName(part++)));
      // Which of them compaction merged: the change feed reads it (storage/file_lineage.h).
      RETURN_IF_ERROR(storage::CarryCompactionLineage(fs_, parent_->path, writer.staging_dir()));
      report_.snapshot_rows += parent_->rows;
    }
    snapshot_ctx_ = {.product_id = report_.product_id, .major = report_.major, .version_dir = port_.storage_path,
                     .snapshot_id = writer.id(), .parent_snapshot_id = parent_ ? parent_->id : "",
                     .parent_dir = parent_ ? fs::path(parent_->path) : fs::path(), .mode = report_.mode,
                     .contract_version = report_.contract_version, .rows_sql = checker.ValidRowsQuery(),
                     .added_files = {PartName(part)}};
    // The hook adds Parquet field ids to the new file and the snapshot's
    // Iceberg files beside it, before the seal makes them durable.
    std::string options;
    if (req_.snapshot_hook) {
      ASSIGN_OR_RETURN(options, req_.snapshot_hook->CopyOptions(conn, snapshot_ctx_));
    }
    RETURN_IF_ERROR(conn.Execute("COPY (" + snapshot_ctx_.rows_sql + ") TO " +
                                 SqlQuote((writer.staging_dir() / PartName(part)).string()) +
                                 " (FORMAT parquet, COMPRESSION zstd" + options + ")"));
    if (req_.snapshot_hook) RETURN_IF_ERROR(req_.snapshot_hook->BeforeSeal(&conn, snapshot_ctx_, writer.staging_dir()));
    ASSIGN_OR_RETURN(storage::SealedSnapshot sealed, writer.Seal());
    report_.snapshot_id = sealed.id;
    return sealed;
  }

  // The snapshot's column profile, from its files (an append's shared
  // parent files included). A profile is a convenience: when it cannot be
  // made the publish goes on, with a warning, and the page shows none.
  void Profile(engine::Connection& conn, const storage::SealedSnapshot& sealed) {
    auto columns = ProfileFiles(conn, sealed.files);
    if (columns.ok()) profile_json_ = columns->dump();
    else report_.warnings.push_back("no column profile for snapshot " + sealed.id + ": " + columns.status().message());
  }

  Status Commit(const std::optional<storage::SealedSnapshot>& sealed, const std::string& failure = "") {
    RETURN_IF_ERROR(FinishArchive());
    std::string now = NowIso();
    const CheckOutcome& c = report_.checks;
    int64_t failed = 0;
    for (const auto& r : c.results) failed += r.passed ? 0 : 1;
    nlohmann::json summary = {{"rules", c.results.size()}, {"failed", failed}, {"rowsIn", c.rows_in},
                              {"rowsQuarantined", c.rows_quarantined}, {"rowsWarned", c.rows_warned}};
    ASSIGN_OR_RETURN(auto txn, store_.BeginWrite());
    std::string created_at = now;
    if (sealed) {
      ASSIGN_OR_RETURN(created_at, CheckParentIsCurrent(*txn, report_.product_id, report_.major,
                                                        report_.parent_snapshot_id, now, &raced_));
    }
    RETURN_IF_ERROR(txn->InsertPublish({.id = report_.publish_id, .product_id = report_.product_id, .major = report_.major,
                                        .actor = req_.actor, .started_at = started_at_, .finished_at = now,
                                        .outcome = report_.outcome, .mode = report_.mode,
                                        .snapshot_id = sealed ? sealed->id : "", .rows_in = c.rows_in,
                                        .rows_valid = c.rows_valid, .rows_quarantined = c.rows_quarantined,
                                        .input_checksum = report_.input_checksum, .input_archive = report_.archive_path,
                                        .quarantine_path = report_.quarantine_path,
                                        .message = !failure.empty() ? failure : RejectionMessage()}));
    if (sealed) {
      RETURN_IF_ERROR(txn->InsertSnapshot({.id = sealed->id, .product_id = report_.product_id, .major = report_.major,
                                           .parent_id = report_.parent_snapshot_id, .created_at = created_at,
                                           .path = sealed->path.string(), .rows = report_.snapshot_rows,
                                           .bytes = sealed->bytes, .files = static_cast<int64_t>(sealed->files.size()),
                                           .contract_version = report_.contract_version,
                                           .input_checksum = report_.input_checksum, .publish_id = report_.publish_id,
                                           .quality_json = summary.dump()}));
      if (!profile_json_.empty())
        RETURN_IF_ERROR(txn->InsertSnapshotProfile(
            {.snapshot_id = sealed->id, .product_id = report_.product_id, .computed_at = now, .columns_json = profile_json_}));
    }
    RETURN_IF_ERROR(txn->InsertQualityResults(c.Records(report_.publish_id)));
    if (req_.stream) RETURN_IF_ERROR(AdvanceStream(*txn, sealed ? sealed->id : report_.parent_snapshot_id, now));
    RETURN_IF_ERROR(txn->AppendAudit({.actor = req_.actor, .action = "publish." + report_.outcome,
                                      .object = "product:" + report_.product_id,
                                      .after_digest = report_.input_checksum,
                                      .detail = !failure.empty() ? "failed (" + report_.mode + "): " + failure
                                                : report_.outcome + " " + std::to_string(c.rows_valid) + " of " +
                                                      std::to_string(c.rows_in) + " rows (" + report_.mode + ")" +
                                                      (sealed ? ", snapshot " + sealed->id : "") +
                                                      (report_.refused_by.empty() ? "" : "; refused by " + report_.refused_by)}));
    if (report_.forced)
      RETURN_IF_ERROR(txn->AppendAudit({.actor = req_.actor, .action = "publish.forced",
                                        .object = "product:" + report_.product_id,
                                        .after_digest = report_.input_checksum,
                                        .detail = "reason: " + req_.force_reason + "; overrode " +
                                                  RefusalMessage(report_.guards)}));
    return txn->Commit();
  }

  // A streamed batch's producer offset: still where the batch started (a
  // second connection of the producer has not committed these lines), then
  // past it, in the publish's own transaction.
  Status AdvanceStream(catalog::Transaction& txn, const std::string& snapshot_id, const std::string& now) {
    const StreamBatch& b = *req_.stream;
    ASSIGN_OR_RETURN(auto committed, txn.FindStreamOffset(report_.product_id, report_.major, b.producer));
    const int64_t at = committed ? committed->offset : 0;
    if (at != b.from)
      return Status::FailedPrecondition(fmt::format(
          "producer {} of {} is committed up to line {}, and this batch starts at line {}: another connection of "
          "the producer committed meanwhile; resume from line {}",
          b.producer, report_.product_id, at, b.from, at));
    return txn.UpsertStreamOffset({.product_id = report_.product_id, .major = report_.major, .producer = b.producer,
                                   .offset = b.to, .publish_id = report_.publish_id, .snapshot_id = snapshot_id,
                                   .updated_at = now});
  }

  // Why a rejected publish was rejected: the contract's failed dataset
  // rules, the guards that refused it, or both.
  std::string RejectionMessage() const {
    std::vector<std::string> parts;
    if (report_.checks.rejected) parts.push_back("rejected by " + Join(report_.checks.rejected_by, ", "));
    if (!report_.refused_by.empty()) parts.push_back("refused by " + report_.refused_by);
    return Join(parts, "; ");
  }

  static constexpr char kStaged[] = "__weft_staged";
  static constexpr char kRejects[] = "__weft_rejects";     // the typed reader's reject_errors
  static constexpr char kRejected[] = "__weft_rejected";   // the rejected rows, as text
  static constexpr char kRowShift[] = "__weft_row_shift";  // stage rank -> input row number

  catalog::Store& store_;
  const PublishRequest& req_;
  storage::FileSystem& fs_;
  Cleanup cleanup_;
  std::thread archive_;       // copies the input (StartArchive); joined before the cleanup runs
  Status archive_status_;     // the copy's outcome, set by archive_
  fs::path archive_dir_;
  PublishReport report_;
  std::string started_at_ = NowIso();
  std::string profile_json_;  // the new snapshot's column profile; empty: none
  bool raced_ = false;        // the commit found another snapshot current than the parent read
  catalog::ProductRecord product_;
  catalog::PortVersionRecord port_;
  fs::path domain_root_;
  CatalogSpecs specs_;
  const spec::DataContract* contract_ = nullptr;
  const spec::DataProduct* product_spec_ = nullptr;
  const spec::SchemaObject* object_ = nullptr;
  std::optional<catalog::SnapshotRecord> parent_;
  SnapshotContext snapshot_ctx_;  // what the snapshot hook is told about the new snapshot
};

}  // namespace

Status CheckInputFile(const fs::path& file) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(file, ec);
  if (ec || !fs::exists(st)) return Status::InvalidArgument("input file '" + file.string() + "' does not exist");
  if (fs::is_symlink(st)) {
    std::error_code rec;
    const fs::path target = fs::read_symlink(file, rec);
    return Status::InvalidArgument("input file '" + file.string() + "' is a symbolic link" +
                                   (rec ? "" : " (to '" + target.string() + "')") +
                                   "; weft follows no links in what it publishes and archives — give the file itself");
  }
  if (!fs::is_regular_file(st))
    return Status::InvalidArgument("input file '" + file.string() +
                                   "' is not a regular file (a directory, device, pipe or socket); give a file");
  return Status::Ok();
}

Result<PublishReport> Publish(catalog::Store& store, const PublishRequest& request) {
  // Concurrent publishes of one product are rare, and each loser has its
  // input at hand: it starts again on the winner's snapshot (its files were
  // removed when it failed). A product published this often by this many
  // writers at once gets the error after a few rounds.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    Publisher publisher(store, request);
    Result<PublishReport> report = publisher.Run();
    if (report.ok() || !publisher.raced() || attempt == kAttempts) return report;
  }
}

Result<PublishReport> Rollback(catalog::Store& store, const RollbackRequest& req) {
  storage::FileSystem& files = req.fs ? *req.fs : storage::DefaultFileSystem();
  if (Trim(req.reason).empty()) return Status::InvalidArgument("a rollback needs a reason (--reason TEXT); it is audited");
  ASSIGN_OR_RETURN(auto snapshots, store.ListSnapshots(req.product));
  auto target = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.id == req.snapshot; });
  if (target == snapshots.end()) {
    std::vector<std::string> ids;
    for (const auto& s : snapshots) ids.push_back(s.id);
    std::string hint = ClosestMatch(req.snapshot, ids);
    return Status::NotFound("no kept snapshot '" + req.snapshot + "' of " + req.product +
                            (hint.empty() ? "; `weft history " + req.product + "` lists them" : "; did you mean '" + hint + "'?"));
  }
  // Newest first: the first of the target's major is that major's current snapshot.
  const auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == target->major; });
  if (current->id == target->id)
    return Status::FailedPrecondition("snapshot " + target->id + " is already the current snapshot of " + req.product + "_v" +
                                      std::to_string(target->major));
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  for (const auto& pv : ports)
    if (pv.product_id == req.product && pv.major == target->major && pv.status == "retired")
      return Status::FailedPrecondition(req.product + "_v" + std::to_string(pv.major) + " is retired; it cannot be rolled back");
  const std::vector<std::string> data = storage::SnapshotDataFiles(target->path);
  if (data.empty())
    return Status::FailedPrecondition("snapshot " + target->id + " has no data files at " + target->path + "; it cannot be restored");

  PublishReport report;
  report.publish_id = storage::NewSnapshotId();
  report.product_id = req.product;
  report.major = target->major;
  report.contract_version = target->contract_version;
  report.outcome = "published";
  report.mode = "rollback";
  report.parent_snapshot_id = current->id;
  report.snapshot_rows = target->rows;
  report.input_checksum = target->input_checksum;
  report.checks.rows_in = report.checks.rows_valid = target->rows;
  const std::string started = NowIso();
  auto start = Clock::now();
  ASSIGN_OR_RETURN(storage::SnapshotWriter writer,
                   storage::SnapshotWriter::Begin(files, fs::path(target->path).parent_path().parent_path(), storage::NewSnapshotId()));
  for (size_t i = 0; i < data.size(); ++i) RETURN_IF_ERROR(writer.LinkExisting(data[i], PartName(i)));
  const SnapshotContext ctx{.product_id = req.product, .major = target->major,
                            .version_dir = fs::path(target->path).parent_path().parent_path(),
                            .snapshot_id = writer.id(), .parent_snapshot_id = current->id, .parent_dir = current->path,
                            .mode = "rollback", .contract_version = target->contract_version,
                            .restored_dir = target->path};
  if (req.snapshot_hook) RETURN_IF_ERROR(req.snapshot_hook->BeforeSeal(nullptr, ctx, writer.staging_dir()));
  ASSIGN_OR_RETURN(storage::SealedSnapshot sealed, writer.Seal());
  report.snapshot_id = sealed.id;
  const std::string now = NowIso();
  const std::string message = "rollback to " + target->id + ": " + req.reason;
  Status committed = [&]() -> Status {
    ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
    // A rollback racing a publish is not retried: what to restore may have
    // changed with it, so the caller looks again.
    ASSIGN_OR_RETURN(const std::string created_at,
                     CheckParentIsCurrent(*txn, req.product, target->major, current->id, now, nullptr));
    RETURN_IF_ERROR(txn->InsertPublish({.id = report.publish_id, .product_id = req.product, .major = target->major,
                                        .actor = req.actor, .started_at = started, .finished_at = now,
                                        .outcome = "published", .mode = "rollback", .snapshot_id = sealed.id,
                                        .rows_in = target->rows, .rows_valid = target->rows,
                                        .input_checksum = target->input_checksum, .message = message}));
    RETURN_IF_ERROR(txn->InsertSnapshot({.id = sealed.id, .product_id = req.product, .major = target->major,
                                         .parent_id = current->id, .created_at = created_at, .path = sealed.path.string(),
                                         .rows = target->rows, .bytes = sealed.bytes,
                                         .files = static_cast<int64_t>(sealed.files.size()),
                                         .contract_version = target->contract_version,
                                         .input_checksum = target->input_checksum, .publish_id = report.publish_id,
                                         .quality_json = target->quality_json}));
    // The same files, so the same profile.
    ASSIGN_OR_RETURN(auto profile, store.FindSnapshotProfile(target->id));
    if (profile)
      RETURN_IF_ERROR(txn->InsertSnapshotProfile(
          {.snapshot_id = sealed.id, .product_id = req.product, .computed_at = now, .columns_json = profile->columns_json}));
    RETURN_IF_ERROR(txn->AppendAudit({.actor = req.actor, .action = "product.rollback", .object = "product:" + req.product,
                                      .before_digest = current->id, .after_digest = sealed.id,
                                      .detail = "restored snapshot " + target->id + " (" + std::to_string(target->rows) +
                                                " rows) over " + current->id + " as " + sealed.id + "; reason: " + req.reason}));
    return txn->Commit();
  }();
  if (!committed.ok()) {
    storage::RemoveSealed(files, sealed).IgnoreError();
    return committed.WithContext("while committing the rollback of " + req.product);
  }
  if (req.snapshot_hook) AfterCommit(*req.snapshot_hook, ctx, report);
  report.seconds = Since(start);
  return report;
}

}  // namespace weft::quality
