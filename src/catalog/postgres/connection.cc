#include "catalog/postgres/connection.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <charconv>
#include <utility>

#include "common/strings.h"

namespace weft::catalog::postgres {
namespace {

// What libpq's URL parser finds, or nothing when the URL does not parse.
struct UrlParts {
  std::string user, password, host, port, dbname;
};

std::optional<UrlParts> ParseUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  // The parser's message may quote the URL, password and all: it is dropped.
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return std::nullopt;
  UrlParts parts;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "user") parts.user = o->val;
    if (key == "password") parts.password = o->val;
    if (key == "host") parts.host = o->val;
    if (key == "port") parts.port = o->val;
    if (key == "dbname") parts.dbname = o->val;
  }
  PQconninfoFree(options);
  return parts;
}

// The user-info part of scheme://user:password@host/..., found by hand for a
// URL libpq does not parse (its password must still be kept out of messages).
std::string_view UserInfo(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?"));
  const size_t at = rest.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : rest.substr(0, at);
}

// libpq's messages end in a newline and continue lines with "\n\t"; a Status
// message is one line.
std::string OneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      out += "; ";
      while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

// A row naming a parent that is not there (foreign_key_violation on an
// insert or update), said as the SQLite store says it: "domain sales is not
// in the catalog; apply the domain first". Writers rely on the foreign key
// rather than asking first: an existence check is a round trip the write
// pipeline would have to wait for (Connection::Send). Another 23503 (a
// delete of a row still referenced) keeps PostgreSQL's message.
std::optional<std::string> MissingParent(const PGresult* result) {
  const char* detail_field = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  const char* table_field = result != nullptr ? PQresultErrorField(result, PG_DIAG_TABLE_NAME) : nullptr;
  if (detail_field == nullptr || table_field == nullptr) return std::nullopt;
  // Key (domain)=(sales) is not present in table "domains".
  const std::string_view detail = detail_field;
  const std::string_view tail = ") is not present in table \"";
  const size_t value_at = detail.find(")=(");
  const size_t tail_at = detail.rfind(tail);
  if (!StartsWith(detail, "Key (") || value_at == std::string_view::npos || tail_at == std::string_view::npos ||
      tail_at < value_at)
    return std::nullopt;
  const std::string value(detail.substr(value_at + 3, tail_at - value_at - 3));
  std::string parent(detail.substr(tail_at + tail.size()));
  if (!parent.empty() && parent.back() == '.') parent.pop_back();
  if (!parent.empty() && parent.back() == '"') parent.pop_back();
  struct Noun {
    const char* table;
    const char* noun;
    const char* hint;
  };
  static constexpr Noun kNouns[] = {
      {"domains", "domain", "apply the domain first"},
      {"products", "product", "save the product first"},
      {"search_documents", "product", "index the product first"},
      {"glossary_terms", "glossary term", "save the term first"},
      {"publishes", "publish", "record the publish first"},
      {"incidents", "incident", "open the incident first"},
      {"webhooks", "webhook", "save the webhook first"},
  };
  for (const Noun& n : kNouns) {
    if (parent != n.table) continue;
    return fmt::format("{} {} is not in the catalog; {} (a row of {} names it)", n.noun, value, n.hint, table_field);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Param(const std::string& value) { return value; }
std::optional<std::string> Param(const char* value) { return std::string(value); }
std::optional<std::string> Param(int64_t value) { return std::to_string(value); }
std::optional<std::string> Param(int value) { return std::to_string(value); }
// fmt's shortest form reads back as the same double.
std::optional<std::string> Param(double value) { return fmt::format("{}", value); }
std::optional<std::string> Param(bool value) { return value ? "1" : "0"; }
std::optional<std::string> Param(const std::optional<double>& value) {
  if (!value) return std::nullopt;
  return Param(*value);
}

int64_t Rows::Changed() const {
  if (!result_) return 0;
  const char* n = PQcmdTuples(result_.get());
  int64_t value = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

std::string Rows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t Rows::Int(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  int64_t value = 0;
  std::from_chars(text, text + PQgetlength(result_.get(), row, column), value);
  return value;
}

double Rows::Double(int row, int column) const {
  return IsNull(row, column) ? 0.0 : strtod(PQgetvalue(result_.get(), row, column), nullptr);
}

std::optional<double> Rows::OptionalDouble(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Double(row, column);
}

std::string UrlPassword(const std::string& url) {
  if (auto parts = ParseUrl(url)) return parts->password;
  const std::string_view info = UserInfo(url);
  const size_t colon = info.find(':');
  return colon == std::string_view::npos ? "" : std::string(info.substr(colon + 1));
}

std::string CatalogName(std::string_view url) {
  const std::string text(url);
  if (auto parts = ParseUrl(text)) {
    std::string host = parts->host.empty() ? "localhost" : parts->host;
    if (!parts->port.empty()) host += ":" + parts->port;
    return fmt::format("postgres://{}{}/{}", parts->user.empty() ? "" : parts->user + "@", host, parts->dbname);
  }
  // Unparsable: the URL without its user-info and query (either may hold a password).
  std::string_view rest = url.substr(std::min(url.size(), url.find("://") == std::string_view::npos
                                                              ? url.size()
                                                              : url.find("://") + 3));
  const std::string_view info = UserInfo(url);
  if (!info.empty()) rest = rest.substr(info.size() + 1);
  return fmt::format("postgres://{}", rest.substr(0, rest.find('?')));
}

Result<Connection> Connection::Open(const std::string& url, int connect_timeout_s, std::string what) {
  const std::string name = CatalogName(url);
  const std::string timeout = std::to_string(connect_timeout_s);
  // Defaults first: with expand_dbname the URL's own settings (dbname comes
  // last) override them.
  const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "weft", "UTF8", url.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Status::ResourceExhausted("out of memory while connecting to the " + what + " " + name);
  Connection conn(raw, name, UrlPassword(url), what);
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::IoError(fmt::format("cannot connect to the PostgreSQL {} {}: {}", conn.what_, name,
                                       conn.Scrub(OneLine(PQerrorMessage(raw)))));
  }
  // Notices (e.g. "text-search query contains only stop words") are not
  // errors and must not reach stderr.
  PQsetNoticeProcessor(raw, &IgnoreNotice, nullptr);
  return conn;
}

std::string Connection::Scrub(std::string text) const {
  const char* env = getenv("PGPASSWORD");
  for (const std::string& secret : {*password_, std::string(env != nullptr ? env : "")}) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

bool Connection::Healthy() const {
  return PQstatus(conn_.get()) == CONNECTION_OK;
}

Status Connection::Reset() {
  PQreset(conn_.get());
  prepared_.clear();  // a new server session has none of them
  preparing_.clear();
  if (Healthy()) return Status::Ok();
  return Status::IoError(fmt::format("lost the connection to the PostgreSQL {} {} and cannot reconnect: {}", what_,
                                     *name_, Scrub(OneLine(PQerrorMessage(conn_.get())))));
}

Status Connection::ErrorOf(const PGresult* result) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string message = OneLine(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  if (message.empty()) message = OneLine(PQerrorMessage(conn_.get()));
  // libpq prefixes "ERROR:  "; the Status code says that already.
  if (StartsWith(message, "ERROR:  ")) message = message.substr(8);
  message = Scrub(std::move(message));
  if (sqlstate == "55P03") {  // lock_not_available: lock_timeout expired
    return Status::FailedPrecondition("the catalog is locked by another weft process (apply in progress?); retry");
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {  // serialization failure, deadlock
    return Status::FailedPrecondition(
        fmt::format("the catalog write conflicted with another weft process; retry ({})", message));
  }
  if (!Healthy() || StartsWith(sqlstate, "08") || StartsWith(sqlstate, "57P")) {
    return Status::IoError(fmt::format("lost the connection to the PostgreSQL {} {}: {}", what_, *name_, message));
  }
  if (sqlstate == "23503") {
    if (std::optional<std::string> missing = MissingParent(result)) return Status::FailedPrecondition(*missing);
  }
  if (StartsWith(sqlstate, "23")) return Status::FailedPrecondition(message);  // a constraint
  return Status::Internal(fmt::format("{} (PostgreSQL error {})", message, sqlstate));
}

Result<Rows> Connection::Check(PGresult* raw) const {
  const ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(raw);
  Status error = ErrorOf(raw);
  PQclear(raw);
  return error;
}

Status Connection::Exec(const std::string& sql) {
  RETURN_IF_ERROR(Flush());
  return Check(PQexec(conn_.get(), sql.c_str())).status();
}

Status Connection::Send(const std::string& sql, const Params& params, std::string context) {
  // Bounded: the server's answers pile up unread until Flush, and once
  // the socket's buffers are full neither side could go on.
  constexpr size_t kMaxSent = 512;
  if (sent_.size() >= kMaxSent) RETURN_IF_ERROR(Flush());
  PGconn* conn = conn_.get();
  if (sent_.empty() && PQenterPipelineMode(conn) != 1)
    return Status::IoError("cannot send statements to " + *name_ + ": " + Scrub(PQerrorMessage(conn)));
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  auto failed = [&](const char* what) {
    // Nothing was queued: what was sent before still has answers to read.
    Status error = Status::IoError(std::string("cannot send ") + what + " to " + *name_ + ": " +
                                   Scrub(PQerrorMessage(conn)));
    Flush().IgnoreError();
    return error.WithContext(context);
  };
  std::string name;  // "" while the cache is full: the unnamed statement, parsed each time
  if (auto it = prepared_.find(sql); it != prepared_.end()) {
    name = it->second;
  } else if (prepared_.size() < kMaxPrepared) {
    name = "weft_" + std::to_string(++statements_);
    if (PQsendPrepare(conn, name.c_str(), sql.c_str(), n, nullptr) != 1) return failed("a statement to prepare");
    sent_.push_back(context);  // the prepare's own answer
    prepared_.emplace(sql, name);
    preparing_.push_back(sql);
  }
  const int sent = name.empty() ? PQsendQueryParams(conn, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr,
                                                    /*resultFormat=*/0)
                                : PQsendQueryPrepared(conn, name.c_str(), n, values.data(), nullptr, nullptr,
                                                      /*resultFormat=*/0);
  if (sent != 1) return failed("a statement");
  sent_.push_back(std::move(context));
  return Status::Ok();
}

Status Connection::Flush() {
  if (sent_.empty()) return Status::Ok();
  std::vector<std::string> contexts = std::move(sent_);
  sent_.clear();
  PGconn* conn = conn_.get();
  if (PQpipelineSync(conn) != 1) {
    Status error = Status::IoError("lost the connection to " + *name_ + ": " + Scrub(PQerrorMessage(conn)));
    PQexitPipelineMode(conn);
    return error;
  }
  Status first;
  for (const std::string& context : contexts) {
    PGresult* result = PQgetResult(conn);
    if (result == nullptr) {
      if (first.ok()) first = Status::IoError("lost the connection to " + *name_ + ": " + Scrub(PQerrorMessage(conn)));
      break;
    }
    const ExecStatusType status = PQresultStatus(result);
    // After a failure the rest are PGRES_PIPELINE_ABORTED: they did not run.
    if (first.ok() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_PIPELINE_ABORTED)
      first = ErrorOf(result).WithContext(context);
    PQclear(result);
    while ((result = PQgetResult(conn)) != nullptr) PQclear(result);  // the end of this statement's answer
  }
  // The sync's own answer, then out of pipeline mode.
  for (PGresult* result; (result = PQgetResult(conn)) != nullptr;) {
    const bool synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
    PQclear(result);
    if (synced) break;
  }
  if (PQexitPipelineMode(conn) != 1 && first.ok())
    first = Status::IoError("cannot leave pipeline mode on " + *name_ + ": " + Scrub(PQerrorMessage(conn)));
  if (!first.ok())
    for (const std::string& sql : preparing_) prepared_.erase(sql);
  preparing_.clear();
  return first;
}

Status Connection::CopyOut(const std::string& sql, const std::function<Status(std::string_view)>& sink) {
  RETURN_IF_ERROR(Flush());
  PGconn* conn = conn_.get();
  PGresult* started = PQexec(conn, sql.c_str());
  if (PQresultStatus(started) != PGRES_COPY_OUT) {
    Status error = ErrorOf(started);
    PQclear(started);
    return error;
  }
  PQclear(started);
  Status sunk;
  int n = 0;
  for (char* data = nullptr; (n = PQgetCopyData(conn, &data, /*async=*/0)) > 0; data = nullptr) {
    if (sunk.ok()) {
      sunk = sink(std::string_view(data, static_cast<size_t>(n)));
      // The server would go on sending: ask it to stop, and drain what is in flight.
      if (!sunk.ok()) {
        if (PGcancel* cancel = PQgetCancel(conn)) {
          char reason[256];
          PQcancel(cancel, reason, sizeof reason);
          PQfreeCancel(cancel);
        }
      }
    }
    PQfreemem(data);
  }
  Status finished = n == -2 ? Status::IoError(fmt::format("lost the connection to the PostgreSQL {} {}: {}", what_,
                                                          *name_, Scrub(OneLine(PQerrorMessage(conn)))))
                            : Status::Ok();
  for (PGresult* result; (result = PQgetResult(conn)) != nullptr;) {
    if (finished.ok() && PQresultStatus(result) != PGRES_COMMAND_OK) finished = ErrorOf(result);
    PQclear(result);
  }
  RETURN_IF_ERROR(sunk);
  return finished;
}

Result<Rows> Connection::Run(const std::string& sql, const Params& params) {
  RETURN_IF_ERROR(Flush());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* raw = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, /*resultFormat=*/0);
  return Check(raw);
}

}  // namespace weft::catalog::postgres
