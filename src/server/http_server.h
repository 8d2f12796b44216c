// httplib::Server, waiting for a connection's next request without a busy
// loop.
//
// Debian's cpp-httplib 0.11.4 (a compiled library: its timing constants
// cannot be changed from here) waits for the next request on a keep-alive
// connection — and for the first one on a new connection — by polling the
// socket with a 10 ms timeout and sleeping 1 ms in between, for up to the
// keep-alive timeout. Every open connection that sends nothing wakes its
// thread some 90 times a second: 1,000 idle connections (the soak's abuse,
// docs/reliability.md) made 90,000 wake-ups a second on two cores, and
// healthy requests waited seconds for a core.
//
// HttpServer serves a connection exactly as httplib::Server does (its
// request parsing, routing and response writing are httplib's own,
// `process_request`), but waits for each request in one poll(2) that sleeps
// until bytes arrive, the keep-alive timeout passes, or the socket is shut
// down (Server::Stop cuts the connections it leaves). It keeps one stream per
// connection, so bytes read ahead of one request (a pipelining client) are
// the next request's start rather than lost.
//
// It overrides httplib::Server's private virtual `process_and_close_socket`,
// the one hook httplib gives for how a connection is served; a newer
// httplib waits without polling, and then that override can go.
//
// Bind also listens with the system's deepest backlog: httplib's is 5,
// baked into Debian's build, and a burst of new connections (a browser, a
// load balancer, wrk) then waits for SYN retransmits, a second each.
#pragma once

#include <httplib.h>

#include <string>

#include "common/status.h"

namespace weft::server {

class HttpServer : public httplib::Server {
 public:
  // Binds host:port (0: a free port) and listens: the port, or an error
  // naming the address. Then listen_after_bind serves.
  Result<int> Bind(const std::string& host, int port);

 private:
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace weft::server
