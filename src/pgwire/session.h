// One authenticated PostgreSQL connection: the protocol's state machine
// (docs/sql-endpoint.md) over the governed query path.
//
//   Session session(mesh, introspection, caller, transport, {.parameters = startup.parameters, .cancel = flag});
//   RETURN_IF_ERROR(session.Start(pid, secret));   // AuthenticationOk .. ReadyForQuery
//   Status end = session.Serve();                  // until Terminate or the connection ends
//
// Statements the session owns (SET, RESET, SHOW, BEGIN/COMMIT/ROLLBACK,
// DISCARD, DEALLOCATE: statements.h) never reach an engine; every other
// statement is asked of the catalog answers first (introspection.h:
// version(), pg_catalog, information_schema) and otherwise runs through
// service::QueryService — the path of `weft query`, with its grants,
// masks, row filters, limits, metering and audit. Rows go to the client a
// chunk at a time, written as they come, so a slow client slows the query
// rather than filling memory.
//
// Thread safety: a session belongs to its connection's thread; the cancel
// flag is set from others (a CancelRequest, the server stopping).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "pgwire/introspection.h"
#include "pgwire/messages.h"
#include "pgwire/statements.h"
#include "pgwire/transport.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::pgwire {

// A row as the wire carries it: each value text or binary, or NULL.
using Row = std::vector<std::optional<std::string>>;

struct SessionOptions {
  std::map<std::string, std::string> parameters;        // the StartupMessage's (user, database, application_name, ...)
  std::shared_ptr<std::atomic<bool>> cancel;            // set by a CancelRequest: the running query stops
  std::function<bool()> stopping;                       // true once the server stops
  std::chrono::milliseconds idle_timeout{3600 * 1000};  // between messages
  std::chrono::milliseconds read_timeout{30 * 1000};    // the rest of a message once it began
  std::string weft_version = "0.1.0";
};

// The SQLSTATE and severity a Status is reported with (the table of
// docs/sql-endpoint.md).
ErrorFields ErrorOf(const Status& status);

class Session {
 public:
  // `introspection` is shared by the listener's sessions (it caches).
  Session(service::Mesh& mesh, Introspection& introspection, service::Caller caller, Transport& transport,
          SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // AuthenticationOk, the ParameterStatus messages, BackendKeyData and the
  // first ReadyForQuery.
  Status Start(int32_t pid, int32_t secret);
  // Reads and answers messages until Terminate (OK), the client going away,
  // a timeout, the server stopping or a protocol violation (each reported
  // to the client when it can still hear it, then returned).
  Status Serve();
  // One message (tests and the fuzz target feed these directly). False
  // after Terminate; a non-OK Status ends the connection.
  Result<bool> Handle(const Frame& frame);
  // Writes what is buffered for the client.
  Status Flush();

  char transaction_status() const { return transaction_; }

 private:
  struct Prepared;
  struct Portal;
  struct Described;

  // The simple query protocol: each statement of the message in turn.
  Status SimpleQuery(const std::string& text);
  // The extended protocol's messages. An error is reported and the
  // messages up to the next Sync are dropped.
  void Parse(const ParseMessage& m);
  void Bind(const BindMessage& m);
  void Describe(const DescribeMessage& m);
  void Execute(const ExecuteMessage& m);
  void Close(const CloseMessage& m);
  void Sync();

  // A session statement, answered here; `describe`: the simple protocol,
  // whose SHOW sends its RowDescription first. An error is returned as the
  // fields to report.
  std::optional<ErrorFields> RunSessionStatement(const SessionStatement& s, bool describe);
  // What a statement returns and takes, without running it.
  Result<Described> DescribeSql(const std::string& sql, const std::vector<std::string>& parameter_types);
  // Runs a portal's query (the catalog's answer, else the governed path)
  // into the output: all its rows, or up to `max_rows` (then
  // PortalSuspended, and the next Execute goes on). `describe`: the simple
  // protocol, which sends the RowDescription first.
  // Returns the error to report; the connection's own failures are in
  // broken_ and Stopping().
  std::optional<ErrorFields> RunQuery(Portal& portal, bool describe, int32_t max_rows);
  // When the portal's query is a catalog query: its answer queued in the
  // portal (portal.started), and `fields` describing it. Returns the error
  // to report.
  std::optional<ErrorFields> QueueCatalogAnswer(Portal& portal, std::vector<FieldDescription>& fields);
  // Describe of a portal: starts it (the catalog's answer or the producer)
  // and sends the RowDescription of its answer once known.
  std::optional<ErrorFields> DescribePortal(Portal& portal);
  // Runs the portal's query on one of service::QueryThreads(), into its queue.
  void StartProducer(Portal& portal);
  // Up to `max_rows` (0: all) of the portal's queued rows to the client.
  std::optional<ErrorFields> Consume(Portal& portal, int32_t max_rows);
  // The wire form of a row, column by column in the portal's formats.
  Result<Row> Encode(const Described& columns, const std::vector<int16_t>& formats, const Row& row) const;
  Result<std::vector<FieldDescription>> Fields(const Described& columns, const std::vector<int16_t>& formats) const;

  void Fail(const ErrorFields& e);
  void SendParameterStatus(const std::string& name);
  std::string Setting(const std::string& name) const;
  bool Stopping() const { return options_.stopping && options_.stopping(); }
  Status Write();

  service::Mesh& mesh_;
  Introspection& introspection_;
  service::Caller caller_;
  Transport& transport_;
  SessionOptions options_;
  Encoder out_;
  bool broken_ = false;  // a write to the client failed: the connection is over
  char transaction_ = 'I';
  bool skip_until_sync_ = false;                 // an extended-protocol error: messages are dropped until Sync
  std::map<std::string, std::string> settings_;  // SET in this session (lower-cased names)
  std::map<std::string, std::unique_ptr<Prepared>> statements_;
  std::map<std::string, std::unique_ptr<Portal>> portals_;
};

}  // namespace weft::pgwire
