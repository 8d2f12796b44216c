// `weft serve`: the HTTP API and the web catalog over one workspace.
//
//   Server server(options);
//   ASSIGN_OR_RETURN(int port, server.Bind());   // 0 in options picks a free port
//   server.Serve();                              // blocks until Stop()
//
// Every request goes through the same steps (docs/server.md):
//   1. route: the request matches one route of the table (api.cc), which is
//      also what /api/openapi.json documents: a path no route matches is a
//      404 problem;
//   2. authenticate: `Authorization: Bearer <token>` (access/tokens.h) for
//      every route but health, metrics, the OpenAPI document and the UI;
//   3. rate limit per token (per address without one);
//   4. authorize: the route's role (consumer, owner, steward, admin);
//   5. handle; errors are RFC 9457 problem+json;
//   6. log one JSON line (access log) and count it in /metrics.
//
// Every handler is an adapter: parse the request, call a service
// (service/) as the token's principal, render the view with its ToJson.
// The CLI calls the same services, so both front ends answer alike.
//
// Thread safety: Bind/Serve/Stop from any thread; Stop may be called from
// a signal-watching thread while Serve runs. Requests run concurrently on
// the server's thread pool.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "pgwire/listener.h"

namespace weft::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::filesystem::path workspace;
  size_t max_body_bytes = 256u << 20;  // uploads (publish) are the large ones
  int read_timeout_seconds = 30;       // a client this slow is cut off
  int write_timeout_seconds = 60;
  int threads = 64;                    // kept ready; each open connection holds one
  size_t max_connections = 4096;       // served at once (a thread each); past it they wait
  double rate_per_minute = 1200;       // per token
  double rate_burst = 200;
  std::ostream* access_log = nullptr;  // one JSON line per request; null: none
  int monitor_interval_seconds = 60;   // SLA/incident passes and webhook deliveries; 0: no monitor
  // The PostgreSQL wire protocol endpoint (--pg-listen, docs/sql-endpoint.md);
  // unset: none. Its log lines go to the access log; its failed logins drain
  // the same per-address bucket as the API's.
  std::optional<pgwire::ListenerOptions> pg;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the workspace and its catalog and binds the socket; returns the port.
  Result<int> Bind();
  // The PostgreSQL endpoint's port once bound (0: none).
  int pg_port() const;
  // Serves until Stop(): in-flight requests finish, then the catalog closes.
  Status Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::server
