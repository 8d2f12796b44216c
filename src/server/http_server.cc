#include "server/http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace weft::server {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events` (or hung up), at most `timeout`:
// true when it is. Signals do not shorten the wait.
bool WaitFor(int fd, short events, std::chrono::microseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{.fd = fd, .events = events, .revents = 0};
    // Rounded up, so a wait of less than a millisecond still waits.
    const int r = ::poll(&p, 1, left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::chrono::microseconds Duration(time_t sec, time_t usec) {
  return std::chrono::seconds(sec) + std::chrono::microseconds(usec);
}

void Address(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  std::array<char, NI_MAXHOST> host{};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host.data(), host.size(), nullptr, 0, NI_NUMERICHOST) == 0)
    ip = host.data();
  if (addr.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  else if (addr.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
}

// One connection's socket, with a read-ahead buffer: httplib reads a
// request's line and headers a byte at a time.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int sock, std::chrono::microseconds read_timeout, std::chrono::microseconds write_timeout)
      : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  bool is_readable() const override { return WaitFor(sock_, POLLIN, read_timeout_); }
  bool is_writable() const override { return WaitFor(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ < end_) return TakeBuffered(ptr, size);
    if (!is_readable()) return -1;
    if (size >= buffer_.size()) return Receive(ptr, size);
    const ssize_t n = Receive(buffer_.data(), buffer_.size());
    if (n <= 0) return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
    return TakeBuffered(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) Address(addr, len, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) Address(addr, len, ip, port);
  }
  socket_t socket() const override { return sock_; }

  // Whether the next request has begun within `timeout`: bytes already
  // read ahead, or the socket readable (which includes its peer closing it,
  // which the request's read then sees).
  bool NextRequestWithin(std::chrono::microseconds timeout) const {
    return begin_ < end_ || WaitFor(sock_, POLLIN, timeout);
  }

 private:
  ssize_t TakeBuffered(char* ptr, size_t size) {
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t Receive(char* ptr, size_t size) {
    for (;;) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  int sock_;
  std::chrono::microseconds read_timeout_;
  std::chrono::microseconds write_timeout_;
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace

Result<int> HttpServer::Bind(const std::string& host, int port) {
  int listen_fd = -1;
  set_socket_options([&listen_fd](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);  // httplib's default, minus SO_REUSEPORT
    listen_fd = fd;
  });
  const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return Status::IoError(fmt::format("cannot listen on {}:{} (in use, or not an address of this host)", host, port));
  if (listen_fd < 0 || ::listen(listen_fd, SOMAXCONN) != 0)
    return Status::IoError(std::string("cannot deepen the listen backlog: ") + std::strerror(errno));
  return bound;
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  ConnectionStream stream(sock, Duration(read_timeout_sec_, read_timeout_usec_),
                          Duration(write_timeout_sec_, write_timeout_usec_));
  const auto keep_alive = std::chrono::seconds(keep_alive_timeout_sec_);
  bool ok = false;
  // As httplib: at most keep_alive_max_count_ requests, the last answered
  // with "Connection: close"; none once the server has stopped listening.
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    if (!stream.NextRequestWithin(keep_alive)) break;
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (!ok || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace weft::server
