#include "pgwire/session.h"

#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <mutex>

#include "common/strings.h"
#include "pgwire/types.h"
#include "service/query.h"

namespace weft::pgwire {

namespace {

// The run-time parameters a session knows: what SHOW answers and what the
// client is told at startup (report). PostgreSQL's names and defaults;
// read-only ones describe the server and cannot be SET.
struct SettingInfo {
  const char* name;  // as PostgreSQL spells it (ParameterStatus, SHOW's column)
  const char* value;
  bool report;
  bool read_only;
  const char* description;
};

constexpr SettingInfo kSettings[] = {
    {"application_name", "", true, false, "Sets the application name to be reported in statistics and logs."},
    {"client_encoding", "UTF8", true, false, "Sets the client's character set encoding (weft speaks UTF8 only)."},
    {"DateStyle", "ISO, MDY", true, false, "Sets the display format for date and time values."},
    {"default_transaction_isolation", "read committed", false, false,
     "Sets the transaction isolation level of each new transaction."},
    {"default_transaction_read_only", "on", false, false, "The mesh is read-only."},
    {"extra_float_digits", "1", false, false, "Sets the number of digits displayed for floating-point values."},
    {"integer_datetimes", "on", true, true, "Shows whether datetimes are integer based."},
    {"IntervalStyle", "postgres", true, false, "Sets the display format for interval values."},
    {"is_superuser", "off", true, true, "Shows whether the current user is a superuser."},
    {"lc_collate", "C", false, true, "Shows the collation order locale."},
    {"lc_ctype", "C", false, true, "Shows the character classification and case conversion locale."},
    {"max_identifier_length", "63", false, true, "Shows the maximum identifier length."},
    {"search_path", "\"$user\", public", false, false,
     "Sets the schema search order for names that are not schema-qualified."},
    {"server_encoding", "UTF8", true, true, "Shows the server (database) character set encoding."},
    {"server_version", "", true, true, "Shows the server version."},
    {"server_version_num", "160000", false, true, "Shows the server version as an integer."},
    {"session_authorization", "", true, true, "The principal of the token this session signed in with."},
    {"standard_conforming_strings", "on", true, true, "Causes '...' strings to treat backslashes literally."},
    {"statement_timeout", "0", false, false, "Ignored: the workspace's query.timeoutSeconds limits every query."},
    {"TimeZone", "UTC", true, false,
     "Sets the time zone for displaying and interpreting time stamps (answers are in UTC)."},
    {"transaction_isolation", "read committed", false, false, "Sets the current transaction's isolation level."},
    {"transaction_read_only", "on", false, false, "The mesh is read-only."},
};

const SettingInfo* FindSetting(const std::string& lower) {
  for (const auto& s : kSettings)
    if (ToLower(s.name) == lower) return &s;
  return nullptr;
}

// A result format the column's type cannot be sent in.
ErrorFields FieldsError(const Status& s) {
  return {.sqlstate = s.code() == StatusCode::kFailedPrecondition ? "0A000" : "08P01", .message = s.message()};
}

bool IsUtf8Name(std::string v) {
  v = ToLower(v);
  return v == "utf8" || v == "utf-8" || v == "unicode";
}

}  // namespace

struct Session::Described {
  std::vector<std::string> columns;          // empty: the statement returns no rows (NoData)
  std::vector<std::string> types;            // DuckDB's type of each column ("" unknown)
  std::vector<std::string> parameter_types;  // DuckDB's type of each parameter ("" unknown)
};

// A statement made by Parse.
struct Session::Prepared {
  std::string sql;
  SessionStatement session;
  std::vector<int32_t> parameter_types;  // as Parse gave them (0: unspecified)
  std::optional<Described> described;    // after a Describe
};

// A statement bound to its parameters. Its rows go to the client as the
// query hands them out; when Execute asks for some at a time, the query
// runs on one of service::QueryThreads() and hands rows over a bounded
// queue, so a suspended portal holds a few chunks, never the whole answer.
struct Session::Portal {
  std::string sql;
  SessionStatement session;
  std::vector<std::optional<std::string>> parameters;
  std::vector<std::string> parameter_types;  // DuckDB types, from the statement's declared OIDs
  std::vector<int16_t> result_formats;
  bool started = false, finished = false;
  // Shared with the producer thread, under mu.
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Described> columns;  // known once the query said (on_columns)
  std::deque<Row> pending;
  bool produced = false;             // the producer is done: `status` says how
  bool closed = false;               // the portal went away: the producer stops
  std::optional<ErrorFields> error;  // how the producer failed
  std::string tag;                   // a catalog answer's CommandComplete tag
  bool suspended = false;            // an Execute stopped at its row limit
  bool producing = false;            // a producer runs; it no longer touches the portal once false
  static constexpr size_t kMaxPending = 8192;

  ~Portal() {
    std::unique_lock lock(mu);
    closed = true;
    cv.notify_all();
    cv.wait(lock, [&] { return !producing; });
  }
};

ErrorFields ErrorOf(const Status& status) {
  ErrorFields e;
  e.message = status.message();
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      e.sqlstate = "42501";  // insufficient_privilege
      break;
    case StatusCode::kNotFound:
      e.sqlstate = "42P01";  // undefined_table: an unknown product or snapshot
      break;
    case StatusCode::kInvalidArgument:
      // The gateway says InvalidArgument for all of these; its message tells
      // which (docs/sql-endpoint.md, "Errors and SQLSTATE").
      if (m.find("is not a product") != std::string::npos || m.find("Catalog Error") != std::string::npos)
        e.sqlstate = "42P01";  // undefined_table
      else if ((m.find("column '") != std::string::npos && m.find("is not in") != std::string::npos) ||
               m.find("Binder Error") != std::string::npos)
        e.sqlstate = "42703";  // undefined_column
      else if (m.find("send exactly one SELECT") != std::string::npos || m.find("Parser Error") != std::string::npos ||
               m.find("syntax error") != std::string::npos)
        e.sqlstate = "42601";  // syntax_error: not one SELECT statement
      else if (StartsWith(m, "query refused"))
        e.sqlstate = "42501";  // a construct the allow-list refuses: the caller may not use it
      else if (m.find("Conversion Error") != std::string::npos || m.find("Invalid Input Error") != std::string::npos ||
               m.find("Out of Range Error") != std::string::npos)
        e.sqlstate = "22000";  // data_exception
      else
        e.sqlstate = "42000";  // syntax_error_or_access_rule_violation
      break;
    case StatusCode::kFailedPrecondition:
      e.sqlstate = "55000";  // object_not_in_prerequisite_state
      break;
    case StatusCode::kResourceExhausted:
      e.sqlstate = "53300";  // too_many_connections (and the principal's query slots)
      break;
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kCancelled:
      e.sqlstate = "57014";  // query_canceled
      break;
    case StatusCode::kUnauthenticated:
      e.sqlstate = "28P01";
      break;
    case StatusCode::kAlreadyExists:
      e.sqlstate = "42710";  // duplicate_object
      break;
    case StatusCode::kRejected:
      e.sqlstate = "42000";
      break;
    default:
      e.sqlstate = "XX000";  // internal_error
      break;
  }
  return e;
}

namespace {

// A governed query's failure; a cancel the client asked for says so as
// PostgreSQL does.
ErrorFields QueryError(const Status& s, const std::atomic<bool>* cancel) {
  if (s.code() == StatusCode::kCancelled && cancel && cancel->load())
    return {.sqlstate = "57014", .message = "canceling statement due to user request"};
  return ErrorOf(s);
}

}  // namespace

Session::Session(service::Mesh& mesh, Introspection& introspection, service::Caller caller, Transport& transport,
                 SessionOptions options)
    : mesh_(mesh),
      introspection_(introspection),
      caller_(std::move(caller)),
      transport_(transport),
      options_(std::move(options)) {
  // The client's startup parameters are its first SETs; what cannot be set
  // is ignored here, as PostgreSQL would refuse the connection for less.
  for (const auto& [name, value] : options_.parameters) {
    std::string lower = ToLower(name);
    if (lower == "user" || lower == "database" || lower == "options" || lower == "replication") continue;
    const SettingInfo* info = FindSetting(lower);
    if (info && info->read_only) continue;
    if (lower == "client_encoding" && !IsUtf8Name(value)) continue;
    settings_[lower] = value;
  }
}

Session::~Session() = default;

std::string Session::Setting(const std::string& lower) const {
  if (lower == "client_encoding") return "UTF8";  // whatever the spelling it was set with
  if (auto it = settings_.find(lower); it != settings_.end()) return it->second;
  if (lower == "server_version") return "16.0 (weft " + options_.weft_version + ")";
  if (lower == "session_authorization") return caller_.principal.name;
  const SettingInfo* info = FindSetting(lower);
  return info ? info->value : "";
}

void Session::SendParameterStatus(const std::string& lower) {
  const SettingInfo* info = FindSetting(lower);
  if (info && info->report) out_.ParameterStatus(info->name, Setting(lower));
}

Status Session::Write() {
  if (out_.size() == 0) return Status::Ok();
  Status s = transport_.Write(out_.buffer());
  out_.Clear();
  if (!s.ok()) broken_ = true;
  return s;
}

Status Session::Flush() {
  return Write();
}

Status Session::Start(int32_t pid, int32_t secret) {
  out_.AuthenticationOk();
  for (const auto& s : kSettings)
    if (s.report) out_.ParameterStatus(s.name, Setting(ToLower(s.name)));
  out_.BackendKeyData(pid, secret);
  out_.ReadyForQuery(transaction_);
  return Write();
}

Status Session::Serve() {
  for (;;) {
    auto frame = ReadFrame(transport_, /*startup=*/false, kMaxMessageLength, Clock::now() + options_.idle_timeout,
                           options_.read_timeout);
    if (!frame.ok()) {
      const Status& s = frame.status();
      if (s.code() == StatusCode::kInvalidArgument) {
        out_.Error({.severity = "FATAL", .sqlstate = "08P01", .message = s.message()});
      } else if (s.code() == StatusCode::kCancelled) {
        out_.Error(
            {.severity = "FATAL", .sqlstate = "57P01", .message = "terminating connection: the server is stopping"});
      } else if (s.code() == StatusCode::kDeadlineExceeded) {
        out_.Error({.severity = "FATAL",
                    .sqlstate = "08006",
                    .message = "terminating connection: no message for longer than the endpoint's timeout"});
      }
      Write().IgnoreError();  // the client may be gone already
      return s;
    }
    auto more = Handle(*frame);
    if (!more.ok()) {
      Write().IgnoreError();
      return more.status();
    }
    if (!*more) return Status::Ok();
  }
}

Result<bool> Session::Handle(const Frame& frame) {
  // After an error in the extended protocol, everything up to Sync is
  // dropped (the error itself was sent at once, as PostgreSQL does).
  if (skip_until_sync_ && frame.type != 'S' && frame.type != 'X') return true;
  // A message its decoder cannot read is a protocol violation: FATAL, and
  // the connection ends.
  auto dispatch = [this](auto decoded, auto&& run) -> Status {
    if (!decoded.ok()) {
      out_.Error({.severity = "FATAL", .sqlstate = "08P01", .message = decoded.status().message()});
      return decoded.status();
    }
    return run(*decoded);
  };
  auto then_ok = [](auto&& step) {
    return [step](const auto& m) {
      step(m);
      return Status::Ok();
    };
  };
  switch (frame.type) {
    case 'Q':
      RETURN_IF_ERROR(dispatch(DecodeQuery(frame.body), [this](const std::string& q) { return SimpleQuery(q); }));
      break;
    case 'P':
      RETURN_IF_ERROR(dispatch(DecodeParse(frame.body), then_ok([this](const ParseMessage& m) { Parse(m); })));
      break;
    case 'B':
      RETURN_IF_ERROR(dispatch(DecodeBind(frame.body), then_ok([this](const BindMessage& m) { Bind(m); })));
      break;
    case 'D':
      RETURN_IF_ERROR(dispatch(DecodeDescribe(frame.body), then_ok([this](const DescribeMessage& m) { Describe(m); })));
      break;
    case 'E':
      RETURN_IF_ERROR(dispatch(DecodeExecute(frame.body), then_ok([this](const ExecuteMessage& m) { Execute(m); })));
      break;
    case 'C':
      RETURN_IF_ERROR(dispatch(DecodeClose(frame.body), then_ok([this](const CloseMessage& m) { Close(m); })));
      break;
    case 'S':
      Sync();
      RETURN_IF_ERROR(Write());
      break;
    case 'H':
      RETURN_IF_ERROR(Write());
      break;
    case 'X':
      return false;
    case 'd':
    case 'c':
    case 'f':
      return true;  // CopyData, CopyDone, CopyFail outside COPY: ignored, as PostgreSQL does
    default:
      return dispatch(Result<int>(Status::InvalidArgument(fmt::format("unexpected message type 0x{:02x} after startup",
                                                                      static_cast<unsigned char>(frame.type)))),
                      [](int) { return Status::Ok(); });
  }
  if (broken_) return Status::IoError("the client went away");
  if (Stopping()) {
    out_.Error({.severity = "FATAL", .sqlstate = "57P01", .message = "terminating connection: the server is stopping"});
    return Status::Cancelled("the server is stopping");
  }
  // PostgreSQL sends when a Sync or Flush asks, when its buffer fills, and
  // an error at once (a client may wait for it before sending Sync).
  if (out_.size() > (64u << 10) || skip_until_sync_) RETURN_IF_ERROR(Write());
  return true;
}

void Session::Fail(const ErrorFields& e) {
  out_.Error(e);
  if (transaction_ == 'T') transaction_ = 'E';
}

// --- the simple query protocol ------------------------------------------------------------

Status Session::SimpleQuery(const std::string& text) {
  // A simple Query ends the extended protocol's unnamed statement and portal.
  statements_.erase("");
  portals_.erase("");
  // Each statement runs in turn; the first error ends the message (as in
  // PostgreSQL, whose implicit transaction then rolls back: nothing to roll
  // back in a read-only mesh).
  for (const std::string& sql : SplitStatements(text)) {
    auto classified = ClassifyStatement(sql);
    if (!classified.ok()) {
      Fail({.sqlstate = "42601", .message = classified.status().message()});
      break;
    }
    using Kind = SessionStatement::Kind;
    if (classified->kind == Kind::kEmpty) {
      out_.EmptyQueryResponse();
      continue;
    }
    if (transaction_ == 'E' && classified->kind != Kind::kRollback && classified->kind != Kind::kCommit &&
        classified->kind != Kind::kRollbackTo) {
      out_.Error({.sqlstate = "25P02",
                  .message = "current transaction is aborted, commands ignored until end of transaction block"});
      break;
    }
    if (classified->kind != Kind::kNone) {
      if (auto error = RunSessionStatement(*classified, /*describe=*/true)) {
        Fail(*error);
        break;
      }
      continue;
    }
    Portal portal;
    portal.sql = sql;
    std::optional<ErrorFields> error = RunQuery(portal, /*describe=*/true, 0);
    if (broken_) return Status::IoError("the client went away");
    if (Stopping()) break;
    if (error) {
      Fail(*error);
      break;
    }
  }
  if (Stopping()) return Status::Ok();  // Handle() says goodbye
  out_.ReadyForQuery(transaction_);
  return Write();
}

// --- statements the session answers ------------------------------------------------------------

std::optional<ErrorFields> Session::RunSessionStatement(const SessionStatement& st, bool describe) {
  using Kind = SessionStatement::Kind;
  switch (st.kind) {
    case Kind::kSet: {
      const SettingInfo* info = FindSetting(st.name);
      if (info && info->read_only)
        return ErrorFields{.sqlstate = "55P02",
                           .message = fmt::format("parameter \"{}\" cannot be changed", info->name)};
      if (st.name == "client_encoding" && !IsUtf8Name(st.value))
        return ErrorFields{
            .sqlstate = "22023",
            .message = fmt::format("client_encoding \"{}\" is not supported: weft speaks UTF8 only", st.value)};
      if ((st.name == "transaction_read_only" || st.name == "default_transaction_read_only") &&
          ToLower(st.value) != "on" && ToLower(st.value) != "true")
        return ErrorFields{.sqlstate = "25006", .message = "the mesh is read-only: " + st.name + " stays on"};
      settings_[st.name] = st.value;
      SendParameterStatus(st.name);
      break;
    }
    case Kind::kReset:
      settings_.erase(st.name);
      SendParameterStatus(st.name);
      break;
    case Kind::kResetAll:
      settings_.clear();
      for (const auto& s : kSettings) SendParameterStatus(ToLower(s.name));
      break;
    case Kind::kShow: {
      const SettingInfo* info = FindSetting(st.name);
      if (!info && !settings_.count(st.name))
        return ErrorFields{.sqlstate = "42704",
                           .message = fmt::format("unrecognized configuration parameter \"{}\"", st.name)};
      if (describe) out_.RowDescription({{.name = info ? info->name : st.name}});
      out_.DataRow({Setting(st.name)});
      break;
    }
    case Kind::kShowAll: {
      if (describe) out_.RowDescription({{.name = "name"}, {.name = "setting"}, {.name = "description"}});
      for (const auto& s : kSettings) out_.DataRow({s.name, Setting(ToLower(s.name)), s.description});
      break;
    }
    case Kind::kBegin:
      if (transaction_ != 'I')
        out_.Notice(
            {.severity = "WARNING", .sqlstate = "25001", .message = "there is already a transaction in progress"});
      else
        transaction_ = 'T';
      break;
    case Kind::kCommit:
    case Kind::kRollback: {
      if (transaction_ == 'I')
        out_.Notice({.severity = "WARNING", .sqlstate = "25P01", .message = "there is no transaction in progress"});
      // COMMIT of a failed block rolls it back, and says so.
      std::string tag = st.kind == Kind::kCommit && transaction_ == 'E' ? "ROLLBACK" : st.tag;
      transaction_ = 'I';
      portals_.clear();
      out_.CommandComplete(tag);
      return std::nullopt;
    }
    case Kind::kSavepoint:
    case Kind::kRelease:
    case Kind::kRollbackTo:
      if (transaction_ == 'I')
        return ErrorFields{.sqlstate = "25P01", .message = st.tag + " can only be used in transaction blocks"};
      if (st.kind == Kind::kRollbackTo) transaction_ = 'T';
      break;
    case Kind::kDiscard:
      if (st.name == "all") {
        if (transaction_ != 'I')
          return ErrorFields{.sqlstate = "25001", .message = "DISCARD ALL cannot run inside a transaction block"};
        settings_.clear();
        statements_.clear();
        portals_.clear();
      }
      break;
    case Kind::kDeallocate:
      if (st.name.empty())
        statements_.clear();
      else if (!statements_.erase(st.name))
        return ErrorFields{.sqlstate = "26000",
                           .message = fmt::format("prepared statement \"{}\" does not exist", st.name)};
      break;
    case Kind::kSetIgnored:
      break;
    case Kind::kNone:
    case Kind::kEmpty:
      break;
  }
  out_.CommandComplete(st.tag);
  return std::nullopt;
}

// --- rows ----------------------------------------------------------------------------------

Result<std::vector<FieldDescription>> Session::Fields(const Described& d, const std::vector<int16_t>& formats) const {
  if (formats.size() > 1 && formats.size() != d.columns.size())
    return Status::InvalidArgument(
        fmt::format("bind message has {} result formats but query has {} columns", formats.size(), d.columns.size()));
  if (d.columns.size() > 32767)
    return Status::InvalidArgument("the answer has more columns than the protocol can describe");
  std::vector<FieldDescription> fields;
  for (size_t i = 0; i < d.columns.size(); ++i) {
    PgType t = PgTypeOf(i < d.types.size() ? d.types[i] : "");
    int16_t format = FormatAt(formats, i);
    if (format == 1 && !HasBinaryFormat(t))
      return Status::FailedPrecondition(  // 0A000 (FieldsError)
          fmt::format("column \"{}\" ({}) has no binary format here: ask for it as text", d.columns[i], t.name));
    fields.push_back({.name = d.columns[i],
                      .type_oid = static_cast<int32_t>(t.oid),
                      .type_size = t.size,
                      .type_modifier = t.modifier,
                      .format = format});
  }
  return fields;
}

Result<Row> Session::Encode(const Described& d, const std::vector<int16_t>& formats, const Row& row) const {
  Row out;
  out.reserve(row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    const std::string& duckdb_type = i < d.types.size() ? d.types[i] : std::string();
    PgType t = PgTypeOf(duckdb_type);
    if (FormatAt(formats, i) == 0 || !row[i]) {
      out.push_back(PgText(t, duckdb_type, row[i]));
      continue;
    }
    ASSIGN_OR_RETURN(std::string bytes, PgBinary(t, duckdb_type, *row[i]));
    out.emplace_back(std::move(bytes));
  }
  return out;
}

// --- the governed path ----------------------------------------------------------------------

Result<Session::Described> Session::DescribeSql(const std::string& sql,
                                                const std::vector<std::string>& parameter_types) {
  ASSIGN_OR_RETURN(std::optional<CatalogAnswer> catalog, introspection_.Describe(caller_, sql));
  if (catalog) return Described{catalog->columns, catalog->types, catalog->parameter_types};
  query::QueryRequest request{.sql = sql, .parameter_types = parameter_types, .describe_only = true};
  ASSIGN_OR_RETURN(query::QueryAnswer a, service::QueryService(mesh_).Run(caller_, request));
  return Described{a.columns, a.column_types, a.parameter_types};
}

std::optional<ErrorFields> Session::RunQuery(Portal& portal, bool describe, int32_t max_rows) {
  if (portal.finished) {  // PostgreSQL answers a completed portal with no rows
    out_.CommandComplete("SELECT 0");
    return std::nullopt;
  }
  if (!portal.started) {
    std::vector<FieldDescription> fields;
    if (auto error = QueueCatalogAnswer(portal, fields)) {
      portal.finished = true;
      return error;
    }
    if (portal.started && describe) out_.RowDescription(fields);
  }
  if (portal.started || max_rows > 0) {
    if (!portal.started) StartProducer(portal);
    return Consume(portal, max_rows);
  }
  portal.started = true;
  portal.finished = true;
  auto cancel = options_.cancel;
  if (cancel) cancel->store(false);
  Described columns;
  int64_t sent = 0;
  std::optional<ErrorFields> refused;  // the rows cannot be sent as asked
  query::QueryRequest request{
      .sql = portal.sql, .parameters = portal.parameters, .parameter_types = portal.parameter_types};
  request.on_columns = [&](const std::vector<std::string>& names, const std::vector<std::string>& types) -> Status {
    columns = {names, types, {}};
    auto fields = Fields(columns, portal.result_formats);
    if (!fields.ok()) {
      refused = FieldsError(fields.status());
      return fields.status();
    }
    if (describe) out_.RowDescription(*fields);
    return Status::Ok();
  };
  request.on_rows = [&](const std::vector<std::string>&, const std::vector<Row>& rows) -> Status {
    for (const auto& row : rows) {
      ASSIGN_OR_RETURN(Row wire, Encode(columns, portal.result_formats, row));
      out_.DataRow(wire);
    }
    sent += static_cast<int64_t>(rows.size());
    // Written as the buffer fills, synchronously: a slow reader slows the query.
    if (out_.size() > (64u << 10)) return Write();
    return Status::Ok();
  };
  request.cancelled = [this, cancel] { return (cancel && cancel->load()) || transport_.PeerGone(); };
  auto answer = service::QueryService(mesh_).Run(caller_, request);
  if (!answer.ok()) return refused ? refused : QueryError(answer.status(), cancel.get());
  out_.CommandComplete(fmt::format("SELECT {}", sent));
  return std::nullopt;
}

std::optional<ErrorFields> Session::QueueCatalogAnswer(Portal& portal, std::vector<FieldDescription>& fields) {
  auto catalog = introspection_.Answer(caller_, portal.sql, portal.parameters);
  if (!catalog.ok()) return ErrorOf(catalog.status());
  if (!*catalog) return std::nullopt;
  // Small, and made whole by the shadow catalog: its rows wait in the
  // portal's queue for as many Executes as the client asks for.
  portal.started = true;
  Described d{(*catalog)->columns, (*catalog)->types, (*catalog)->parameter_types};
  auto described = Fields(d, portal.result_formats);
  if (!described.ok()) return FieldsError(described.status());
  fields = std::move(*described);
  std::lock_guard lock(portal.mu);
  portal.columns = std::move(d);
  portal.pending.assign((*catalog)->rows.begin(), (*catalog)->rows.end());
  portal.produced = true;
  portal.tag = (*catalog)->command_tag;
  return std::nullopt;
}

std::optional<ErrorFields> Session::DescribePortal(Portal& portal) {
  if (!portal.started) {
    std::vector<FieldDescription> fields;
    if (auto error = QueueCatalogAnswer(portal, fields)) return error;
    if (!portal.started) StartProducer(portal);
  }
  std::unique_lock lock(portal.mu);
  portal.cv.wait(lock, [&] { return portal.columns || portal.produced; });
  if (portal.error) return portal.error;
  if (!portal.columns) {
    out_.NoData();
    return std::nullopt;
  }
  auto fields = Fields(*portal.columns, portal.result_formats);
  if (!fields.ok()) return FieldsError(fields.status());
  out_.RowDescription(*fields);
  return std::nullopt;
}

void Session::StartProducer(Portal& portal) {
  auto cancel = options_.cancel;
  portal.started = true;
  if (cancel) cancel->store(false);
  {
    std::lock_guard lock(portal.mu);
    portal.producing = true;
  }
  service::QueryThreads().Enqueue([this, &portal, cancel] {
    query::QueryRequest request{
        .sql = portal.sql, .parameters = portal.parameters, .parameter_types = portal.parameter_types};
    request.on_columns = [&portal](const std::vector<std::string>& names,
                                   const std::vector<std::string>& types) -> Status {
      std::lock_guard lock(portal.mu);
      portal.columns = Described{names, types, {}};
      portal.cv.notify_all();
      return Status::Ok();
    };
    request.on_rows = [&portal](const std::vector<std::string>&, const std::vector<Row>& rows) -> Status {
      std::unique_lock lock(portal.mu);
      for (const auto& row : rows) {
        portal.cv.wait(lock, [&] { return portal.closed || portal.pending.size() < Portal::kMaxPending; });
        if (portal.closed) return Status::Cancelled("the portal was closed");
        portal.pending.push_back(row);
        portal.cv.notify_all();
      }
      return Status::Ok();
    };
    request.cancelled = [this, &portal, cancel] {
      {
        std::lock_guard lock(portal.mu);
        if (portal.closed) return true;
      }
      return (cancel && cancel->load()) || transport_.PeerGone();
    };
    auto answer = service::QueryService(mesh_).Run(caller_, request);
    std::lock_guard lock(portal.mu);
    if (!answer.ok()) portal.error = QueryError(answer.status(), cancel.get());
    portal.produced = true;
    portal.producing = false;  // the last touch: the portal may go once the lock is released
    portal.cv.notify_all();
  });
}

std::optional<ErrorFields> Session::Consume(Portal& portal, int32_t max_rows) {
  int64_t sent = 0;
  std::unique_lock lock(portal.mu);
  for (;;) {
    portal.cv.wait(lock, [&] { return portal.produced || (portal.columns && !portal.pending.empty()); });
    if (portal.error) {
      portal.finished = true;
      return portal.error;
    }
    if (sent == 0 && portal.columns) {
      if (auto fields = Fields(*portal.columns, portal.result_formats); !fields.ok()) {
        portal.finished = true;
        return FieldsError(fields.status());
      }
    }
    while (!portal.pending.empty() && (max_rows == 0 || sent < max_rows)) {
      auto wire = Encode(*portal.columns, portal.result_formats, portal.pending.front());
      if (!wire.ok()) {
        portal.finished = true;
        return ErrorOf(wire.status());
      }
      portal.pending.pop_front();
      out_.DataRow(*wire);
      ++sent;
    }
    portal.cv.notify_all();
    if (portal.produced && portal.pending.empty()) {
      portal.finished = true;
      out_.CommandComplete(!portal.tag.empty() && !portal.suspended ? portal.tag : fmt::format("SELECT {}", sent));
      return std::nullopt;
    }
    if (max_rows > 0 && sent >= max_rows) {
      portal.suspended = true;
      out_.PortalSuspended();
      return std::nullopt;
    }
    if (out_.size() > (64u << 10)) {
      lock.unlock();
      if (!Write().ok()) return std::nullopt;  // broken_: the connection ends
      lock.lock();
    }
  }
}

// --- the extended query protocol ----------------------------------------------------------------

void Session::Parse(const ParseMessage& m) {
  auto fail = [this](ErrorFields e) {
    Fail(e);
    skip_until_sync_ = true;
  };
  if (!m.statement.empty() && statements_.count(m.statement))
    return fail({.sqlstate = "42P05", .message = fmt::format("prepared statement \"{}\" already exists", m.statement)});
  std::vector<std::string> pieces = SplitStatements(m.query);
  if (pieces.size() > 1)
    return fail({.sqlstate = "42601", .message = "cannot insert multiple commands into a prepared statement"});
  auto classified = ClassifyStatement(pieces[0]);
  if (!classified.ok()) return fail({.sqlstate = "42601", .message = classified.status().message()});
  auto p = std::make_unique<Prepared>();
  p->sql = pieces[0];
  p->session = *classified;
  p->parameter_types = m.parameter_types;
  statements_[m.statement] = std::move(p);
  out_.ParseComplete();
}

void Session::Bind(const BindMessage& m) {
  auto fail = [this](ErrorFields e) {
    Fail(e);
    skip_until_sync_ = true;
  };
  auto st = statements_.find(m.statement);
  if (st == statements_.end())
    return fail({.sqlstate = "26000", .message = fmt::format("prepared statement \"{}\" does not exist", m.statement)});
  if (!m.portal.empty() && portals_.count(m.portal))
    return fail({.sqlstate = "42P03", .message = fmt::format("cursor \"{}\" already exists", m.portal)});
  Prepared& prepared = *st->second;
  auto portal = std::make_unique<Portal>();
  portal->sql = prepared.sql;
  portal->session = prepared.session;
  portal->result_formats = m.result_formats;
  for (int32_t oid : prepared.parameter_types)
    portal->parameter_types.push_back(DuckDbTypeForOid(static_cast<uint32_t>(oid)));
  for (size_t i = 0; i < m.parameters.size(); ++i) {
    const auto& value = m.parameters[i];
    if (!value || FormatAt(m.parameter_formats, i) == 0) {
      if (value && FindInvalidUtf8(*value) != std::string::npos)
        return fail({.sqlstate = "22021", .message = fmt::format("parameter ${} is not valid UTF-8", i + 1)});
      portal->parameters.push_back(value);
      continue;
    }
    // A binary value is read by its type: as Parse declared it, else as
    // DuckDB infers it from the statement.
    uint32_t oid = i < prepared.parameter_types.size() ? static_cast<uint32_t>(prepared.parameter_types[i]) : 0;
    if (oid == 0 && prepared.session.kind == SessionStatement::Kind::kNone) {
      if (!prepared.described) {
        auto d = DescribeSql(prepared.sql, portal->parameter_types);
        if (!d.ok()) return fail(ErrorOf(d.status()));
        prepared.described = *d;
      }
      if (i < prepared.described->parameter_types.size()) oid = ParameterOid(prepared.described->parameter_types[i]);
    }
    auto decoded = DecodeBinaryParameter(oid, *value);
    if (!decoded.ok())
      return fail(
          {.sqlstate = "22P03", .message = fmt::format("parameter ${}: {}", i + 1, decoded.status().message())});
    portal->parameters.push_back(*decoded);
  }
  portals_[m.portal] = std::move(portal);
  out_.BindComplete();
}

void Session::Describe(const DescribeMessage& m) {
  auto fail = [this](const ErrorFields& e) {
    Fail(e);
    skip_until_sync_ = true;
  };
  const SessionStatement* session = nullptr;
  Prepared* prepared = nullptr;
  if (m.kind == 'S') {
    auto it = statements_.find(m.name);
    if (it == statements_.end())
      return fail({.sqlstate = "26000", .message = fmt::format("prepared statement \"{}\" does not exist", m.name)});
    prepared = it->second.get();
    session = &prepared->session;
  } else {
    auto it = portals_.find(m.name);
    if (it == portals_.end())
      return fail({.sqlstate = "34000", .message = fmt::format("portal \"{}\" does not exist", m.name)});
    Portal& portal = *it->second;
    if (portal.session.kind == SessionStatement::Kind::kNone) {
      // Described by running it: its columns are the answer's, and the
      // Execute that follows (libpq's PQexecPrepared sends Describe and
      // Execute every time) sends its rows instead of running the whole
      // governed path a second time.
      if (auto error = DescribePortal(portal)) {
        portal.finished = true;
        fail(*error);
      }
      return;
    }
    session = &portal.session;
  }
  if (session->kind != SessionStatement::Kind::kNone) {
    if (m.kind == 'S') out_.ParameterDescription({});
    if (session->kind == SessionStatement::Kind::kShow)
      out_.RowDescription({{.name = session->name}});
    else if (session->kind == SessionStatement::Kind::kShowAll)
      out_.RowDescription({{.name = "name"}, {.name = "setting"}, {.name = "description"}});
    else
      out_.NoData();
    return;
  }
  const std::vector<int32_t>& declared = prepared->parameter_types;
  if (!prepared->described) {
    std::vector<std::string> parameter_types;
    for (int32_t oid : declared) parameter_types.push_back(DuckDbTypeForOid(static_cast<uint32_t>(oid)));
    auto d = DescribeSql(prepared->sql, parameter_types);
    if (!d.ok()) return fail(ErrorOf(d.status()));
    prepared->described = std::move(*d);
  }
  const Described& d = *prepared->described;
  std::vector<int32_t> oids;
  for (size_t i = 0; i < d.parameter_types.size(); ++i)
    oids.push_back(i < declared.size() && declared[i] != 0 ? declared[i]
                                                           : static_cast<int32_t>(ParameterOid(d.parameter_types[i])));
  out_.ParameterDescription(oids);
  if (d.columns.empty()) return out_.NoData();
  auto fields = Fields(d, {});  // a statement's results are described in text (no formats before Bind)
  if (!fields.ok()) return fail(FieldsError(fields.status()));
  out_.RowDescription(*fields);
}

void Session::Execute(const ExecuteMessage& m) {
  auto it = portals_.find(m.portal);
  if (it == portals_.end()) {
    Fail({.sqlstate = "34000", .message = fmt::format("portal \"{}\" does not exist", m.portal)});
    skip_until_sync_ = true;
    return;
  }
  Portal& portal = *it->second;
  using Kind = SessionStatement::Kind;
  if (transaction_ == 'E' && portal.session.kind != Kind::kRollback && portal.session.kind != Kind::kCommit &&
      portal.session.kind != Kind::kRollbackTo) {
    out_.Error({.sqlstate = "25P02",
                .message = "current transaction is aborted, commands ignored until end of transaction block"});
    skip_until_sync_ = true;
    return;
  }
  if (portal.session.kind == Kind::kEmpty) return out_.EmptyQueryResponse();
  if (portal.session.kind != Kind::kNone) {
    if (auto error = RunSessionStatement(portal.session, /*describe=*/false)) {
      Fail(*error);
      skip_until_sync_ = true;
    }
    return;
  }
  std::optional<ErrorFields> error = RunQuery(portal, /*describe=*/false, m.max_rows);
  if (error && !broken_ && !Stopping()) {
    Fail(*error);
    skip_until_sync_ = true;
  }
}

void Session::Close(const CloseMessage& m) {
  if (m.kind == 'S')
    statements_.erase(m.name);
  else
    portals_.erase(m.name);
  out_.CloseComplete();
}

void Session::Sync() {
  skip_until_sync_ = false;
  // Outside a transaction block each Sync ends an implicit transaction,
  // and its portals with it.
  if (transaction_ == 'I') portals_.clear();
  out_.ReadyForQuery(transaction_);
}

}  // namespace weft::pgwire
