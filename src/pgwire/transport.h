// How the PostgreSQL endpoint reads and writes bytes: a TCP socket,
// optionally under TLS (OpenSSL), with deadlines on every read and a wake-up
// when the server stops; and framing of protocol messages on top of it.
//
//   ASSIGN_OR_RETURN(auto tls, TlsContext::Load(cert, key));
//   SocketTransport t(fd, stop_fd, {.write_timeout = 60s});
//   RETURN_IF_ERROR(t.StartTls(*tls, deadline));
//   ASSIGN_OR_RETURN(Frame f, ReadFrame(t, /*startup=*/false, kMaxMessageLength, idle_deadline, 30s));
//
// The session depends only on Transport, so tests and the fuzz target drive
// it over bytes in memory.
//
// Thread safety: a transport belongs to its connection's thread; PeerGone
// may be called from the query's watchdog thread.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pgwire/messages.h"

namespace weft::pgwire {

using Clock = std::chrono::steady_clock;

class Transport {
 public:
  virtual ~Transport() = default;
  // Exactly n bytes. DeadlineExceeded when `deadline` passes first,
  // Cancelled when the server stops, IoError when the peer closed.
  virtual Status ReadExact(char* buf, size_t n, Clock::time_point deadline) = 0;
  // All of `data`, or IoError (the peer went away, or read nothing for the
  // write timeout: a reader that slow holds no server thread forever).
  virtual Status Write(std::string_view data) = 0;
  // True when the peer has closed or reset the connection (polled while a
  // query runs, so a client that goes away cancels it).
  virtual bool PeerGone() = 0;
};

// One message: `startup` packets have no type byte. A length under 4 or
// over `max_length` is refused before anything is allocated for it.
// `first_byte_deadline` bounds the wait for the message to begin (idle);
// the rest of it must come within `rest` of its first byte, and by
// `deadline`.
Result<Frame> ReadFrame(Transport& t, bool startup, size_t max_length, Clock::time_point first_byte_deadline,
                        Clock::duration rest, Clock::time_point deadline = Clock::time_point::max());

// A server certificate and key, loaded once.
class TlsContext {
 public:
  static Result<std::shared_ptr<TlsContext>> Load(const std::string& cert_file, const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

struct SocketOptions {
  std::chrono::milliseconds write_timeout{60000};
};

class SocketTransport : public Transport {
 public:
  // `stop_fd` becomes readable when the server stops (-1: never).
  SocketTransport(int fd, int stop_fd, SocketOptions options);
  ~SocketTransport() override;  // closes the socket (after a TLS close_notify)
  SocketTransport(const SocketTransport&) = delete;
  SocketTransport& operator=(const SocketTransport&) = delete;

  // The TLS handshake, after 'S' answered an SSLRequest.
  Status StartTls(const TlsContext& tls, Clock::time_point deadline);
  bool tls() const { return ssl_ != nullptr; }

  Status ReadExact(char* buf, size_t n, Clock::time_point deadline) override;
  Status Write(std::string_view data) override;
  bool PeerGone() override;

 private:
  // Waits until the socket has bytes to read; false at the deadline.
  Status WaitReadable(Clock::time_point deadline);

  int fd_;
  int stop_fd_;
  SocketOptions options_;
  SSL* ssl_ = nullptr;
};

}  // namespace weft::pgwire
