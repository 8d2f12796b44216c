// A thin RAII layer over libpq for the PostgreSQL catalog store: one
// connection, statements with text parameters ($1, $2, ...), results read by
// row and column, and PostgreSQL errors turned into Status.
//
//   ASSIGN_OR_RETURN(Connection conn, Connection::Open("postgres://weft@db/weft"));
//   ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT name FROM domains WHERE name = $1", "sales"));
//   for (int i = 0; i < rows.size(); ++i) names.push_back(rows.Text(i, 0));
//
// Credentials come from the URL, PGPASSFILE or the PG* environment, as libpq
// reads them. No message made here names a password: the catalog is named by
// user, host, port and database only (CatalogName), and any libpq text that
// could quote the URL is scrubbed of the password first.
//
// Thread safety: a Connection belongs to one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace weft::catalog::postgres {

// The parameters of one statement, in text form; nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

// Text forms of the C++ values statements bind.
std::optional<std::string> Param(const std::string& value);
std::optional<std::string> Param(const char* value);
std::optional<std::string> Param(int64_t value);
std::optional<std::string> Param(int value);
std::optional<std::string> Param(double value);
std::optional<std::string> Param(bool value);
std::optional<std::string> Param(const std::optional<double>& value);
inline std::optional<std::string> Param(const std::optional<std::string>& value) { return value; }

// The rows of a statement. Columns are read as text and converted here.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return result_ ? PQntuples(result_.get()) : 0; }
  int columns() const { return result_ ? PQnfields(result_.get()) : 0; }
  std::string ColumnName(int column) const { return PQfname(result_.get(), column); }
  Oid ColumnType(int column) const { return PQftype(result_.get(), column); }
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t Changed() const;

  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const;  // NULL reads as ""
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  std::optional<double> OptionalDouble(int row, int column) const;

 private:
  std::shared_ptr<PGresult> result_;
};

// One row of Rows, with the column accessors the record decoders use.
class Row {
 public:
  Row(const Rows& rows, int row) : rows_(&rows), row_(row) {}
  bool IsNull(int column) const { return rows_->IsNull(row_, column); }
  std::string Text(int column) const { return rows_->Text(row_, column); }
  int64_t Int(int column) const { return rows_->Int(row_, column); }
  double Double(int column) const { return rows_->Double(row_, column); }
  std::optional<double> OptionalDouble(int column) const { return rows_->OptionalDouble(row_, column); }

 private:
  const Rows* rows_;
  int row_;
};

// "postgres://user@host:port/db" for messages: everything that says which
// catalog, nothing secret. Works on a URL libpq cannot parse, too.
std::string CatalogName(std::string_view url);

// The password `url` holds (in its user-info or a password= parameter); "" if none.
std::string UrlPassword(const std::string& url);

class Connection {
 public:
  // Connects, waiting at most `connect_timeout_s` per address. A refused
  // connection, bad credentials or a missing database is kIoError naming the
  // catalog (never the password).
  // `what` names the database in messages: "catalog", or "source of
  // sales.orders" for a database a product is published from.
  static Result<Connection> Open(const std::string& url, int connect_timeout_s = 10, std::string what = "catalog");

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters or rows (BEGIN, DDL).
  Status Exec(const std::string& sql);
  // Runs one statement with `params` bound to $1, $2, ...
  Result<Rows> Run(const std::string& sql, const Params& params = {});
  template <typename... Args>
  Result<Rows> Query(const std::string& sql, const Args&... args) {
    return Run(sql, Params{Param(args)...});
  }

  // Sends one statement without waiting for its answer (libpq's pipeline
  // mode): a transaction's writes whose rows nobody reads cost no round trip
  // each. Each distinct `sql` is prepared on the server the first time and
  // only bound and run after that: parsing and planning the same INSERT
  // again for every row was most of a large apply's time on PostgreSQL. Its error comes from the next call that waits — Flush, or any
  // Exec or Run, which flush first — with `context` added. After an error
  // the statements sent after it did not run (PostgreSQL aborts the
  // transaction).
  Status Send(const std::string& sql, const Params& params, std::string context);
  // Waits for every statement Send sent; the first error, if any.
  Status Flush();

  // Runs `sql`, a COPY … TO STDOUT, handing its data to `sink` as it
  // arrives. A sink error cancels the COPY and is returned.
  Status CopyOut(const std::string& sql, const std::function<Status(std::string_view)>& sink);

  // Whether the server connection is still usable (it may have been dropped
  // between statements).
  bool Healthy() const;
  // Reconnects with the original parameters.
  Status Reset();

  const std::string& name() const { return *name_; }

 private:
  Connection(PGconn* conn, std::string name, std::string password, std::string what)
      : conn_(conn, &PQfinish),
        name_(std::make_unique<std::string>(std::move(name))),
        password_(std::make_unique<std::string>(std::move(password))),
        what_(std::move(what)) {}
  // Rows of a successful `raw`, else its error (and `raw` is freed).
  Result<Rows> Check(PGresult* raw) const;
  Status ErrorOf(const PGresult* result) const;
  std::string Scrub(std::string text) const;

  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::unique_ptr<std::string> name_;      // CatalogName of the URL
  std::unique_ptr<std::string> password_;  // the URL's, to scrub from messages; may be empty
  std::string what_;                       // "catalog", or what else the database is (Open)
  std::vector<std::string> sent_;          // the context of each statement Send sent, not yet read
  // Send's statements prepared in this server session, by SQL text; the
  // ones prepared since the last Flush are forgotten if it fails (a
  // prepare after an error in the pipeline did not run). Names are never
  // reused, so a prepare that did run is never asked for again by name.
  static constexpr size_t kMaxPrepared = 256;
  std::unordered_map<std::string, std::string> prepared_;
  std::vector<std::string> preparing_;
  uint64_t statements_ = 0;
};

}  // namespace weft::catalog::postgres
