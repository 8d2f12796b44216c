// The PostgreSQL endpoint's socket: `weft serve --pg-listen HOST:PORT`
// (docs/sql-endpoint.md). Accepts connections, negotiates TLS, reads the
// startup packet, authenticates a weft token as the password, answers
// cancel requests, and runs one Session per connection on its own thread.
//
//   Listener pg(mesh, {.host = "127.0.0.1", .port = 5432});
//   ASSIGN_OR_RETURN(int port, pg.Bind());
//   pg.Start();      // accepts on its own thread
//   ...
//   pg.Stop();       // new connections refused, sessions told 57P01, running queries cancelled
//
// Authentication: AuthenticationCleartextPassword, the password being a
// weft token (access/tokens.h) whose principal must be the startup packet's
// user. A password travels only over TLS or from a loopback peer: any other
// plaintext connection is refused before the password is asked for.
//
// Thread safety: Bind, Start and Stop from one owner thread; Stop may run
// while sessions are serving.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "pgwire/introspection.h"
#include "pgwire/transport.h"
#include "service/mesh.h"

namespace weft::pgwire {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 5432;                                    // 0: any free port
  std::string tls_cert, tls_key;                      // both, or neither (then SSLRequest is answered 'N')
  int max_connections = 64;                           // more are refused with 53300
  std::chrono::milliseconds startup_timeout{10'000};  // connect to authenticated
  std::chrono::milliseconds idle_timeout{3'600'000};  // between messages
  std::chrono::milliseconds read_timeout{30'000};     // the rest of a message once it began
  std::chrono::milliseconds write_timeout{60'000};    // a client reading nothing this long is cut off
  // Tests: a loopback peer counts as remote, so the plaintext refusal can
  // be tried without another host.
  bool loopback_is_remote = false;
  std::string weft_version = "0.1.0";
  // One JSON line per login, refusal and cancel (never a token's text).
  std::function<void(const std::string& line)> log;
  // Failed logins per address (the server's limiter, shared with the HTTP
  // API): false refuses the address before its password is read.
  std::function<bool(const std::string& address, int& retry_after)> may_authenticate;
  std::function<void(const std::string& address)> authentication_failed;
};

class Listener {
 public:
  Listener(service::Mesh& mesh, ListenerOptions options);
  ~Listener();  // Stop()s
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Loads the TLS certificate and binds; returns the port.
  Result<int> Bind();
  // Accepts connections on a thread of its own until Stop().
  void Start();
  // Stops accepting; idle sessions are told 57P01 and closed, running
  // queries are cancelled (the Mesh's Shutdown does that for the governed
  // path); returns once every connection's thread has ended — within a few
  // seconds, as those still blocked are cut off.
  void Stop();

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    bool done = false;  // guarded by mu_: the thread is over and the socket closed or about to be
  };
  struct CancelKey {
    int32_t secret;
    std::shared_ptr<std::atomic<bool>> flag;
  };

  void AcceptLoop();
  void Serve(Connection& connection, std::string address, bool loopback);
  void Cancel(int32_t pid, int32_t secret, const std::string& address);
  void Log(const std::string& event, const std::string& address, const std::string& user, const std::string& detail);
  void Reap(bool all);

  service::Mesh& mesh_;
  const ListenerOptions options_;
  Introspection introspection_;  // shared by the sessions
  std::shared_ptr<TlsContext> tls_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd: readable once Stop() began
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::atomic<int32_t> next_pid_{1000};

  std::mutex mu_;  // guards the two below and each Connection's done
  std::list<std::unique_ptr<Connection>> connections_;
  std::map<int32_t, CancelKey> cancel_keys_;
  std::mutex log_mu_;
};

}  // namespace weft::pgwire
