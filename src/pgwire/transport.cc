#include "pgwire/transport.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace weft::pgwire {

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "no detail";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

uint32_t BigEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

Result<Frame> ReadFrame(Transport& t, bool startup, size_t max_length, Clock::time_point first_byte_deadline,
                        Clock::duration rest, Clock::time_point deadline) {
  Frame f;
  char header[5];
  const size_t header_size = startup ? 4 : 5;
  RETURN_IF_ERROR(t.ReadExact(header, 1, first_byte_deadline));
  deadline = std::min(deadline, Clock::now() + rest);
  RETURN_IF_ERROR(t.ReadExact(header + 1, header_size - 1, deadline));
  if (!startup) f.type = header[0];
  uint32_t length = BigEndian32(header + header_size - 4);
  if (length < 4 || length > max_length)
    return Status::InvalidArgument(fmt::format("a message length of {} bytes is outside 4..{}", length, max_length));
  f.body.resize(length - 4);
  if (!f.body.empty()) RETURN_IF_ERROR(t.ReadExact(f.body.data(), f.body.size(), deadline));
  return f;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return Status::Internal("cannot make a TLS context: " + OpenSslError());
  std::shared_ptr<TlsContext> tls(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    return Status::InvalidArgument(fmt::format("cannot read the TLS certificate {}: {}", cert_file, OpenSslError()));
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return Status::InvalidArgument(fmt::format("cannot read the TLS key {}: {}", key_file, OpenSslError()));
  if (SSL_CTX_check_private_key(ctx) != 1)
    return Status::InvalidArgument(
        fmt::format("the TLS key {} does not match the certificate {}", key_file, cert_file));
  return tls;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

SocketTransport::SocketTransport(int fd, int stop_fd, SocketOptions options)
    : fd_(fd), stop_fd_(stop_fd), options_(options) {
  // A blocked send gives up after the write timeout (a client that stopped
  // reading). Reads wait in poll() with their own deadlines; the same bound
  // on recv backs up a TLS read that waits for the rest of a record.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(options_.write_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((options_.write_timeout.count() % 1000) * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

SocketTransport::~SocketTransport() {
  if (ssl_) {
    SSL_shutdown(ssl_);  // one close_notify, not waiting for the peer's
    SSL_free(ssl_);
  }
  ::close(fd_);
}

Status SocketTransport::StartTls(const TlsContext& tls, Clock::time_point deadline) {
  ssl_ = SSL_new(tls.get());
  if (!ssl_) return Status::Internal("cannot start TLS: " + OpenSslError());
  SSL_set_fd(ssl_, fd_);
  RETURN_IF_ERROR(WaitReadable(deadline));  // the ClientHello
  if (SSL_accept(ssl_) != 1) return Status::IoError("the TLS handshake failed: " + OpenSslError());
  return Status::Ok();
}

Status SocketTransport::WaitReadable(Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Status::DeadlineExceeded("the client sent nothing in time");
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, stop_fd_ >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) return Status::IoError(std::string("poll: ") + std::strerror(errno));
    if (n <= 0) continue;
    if (stop_fd_ >= 0 && (fds[1].revents & POLLIN)) return Status::Cancelled("the server is stopping");
    if (fds[0].revents) return Status::Ok();
  }
}

Status SocketTransport::ReadExact(char* buf, size_t n, Clock::time_point deadline) {
  while (n > 0) {
    if (!ssl_ || SSL_pending(ssl_) == 0) RETURN_IF_ERROR(WaitReadable(deadline));
    ssize_t got;
    if (ssl_) {
      int r = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, 1 << 30)));
      if (r <= 0) {
        int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
        return Status::IoError("the client closed the TLS connection");
      }
      got = r;
    } else {
      got = ::recv(fd_, buf, n, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;  // the deadline decides
      if (got <= 0) return Status::IoError("the client closed the connection");
    }
    buf += got;
    n -= static_cast<size_t>(got);
  }
  return Status::Ok();
}

Status SocketTransport::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t sent;
    if (ssl_) {
      int r = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
      if (r <= 0) return Status::IoError("cannot write to the client: " + OpenSslError());
      sent = r;
    } else {
      sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return Status::IoError("the client read nothing for the write timeout");
      if (sent < 0) return Status::IoError(std::string("cannot write to the client: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return Status::Ok();
}

bool SocketTransport::PeerGone() {
  pollfd p{fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace weft::pgwire
