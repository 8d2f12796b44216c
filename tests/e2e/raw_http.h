// Raw TCP clients for the server abuse tests and the soak: connections from
// a loopback address of one's own (the server limits failed logins per
// address, so an attacker must not share the healthy clients' 127.0.0.1),
// held idle, fed a byte at a time, or sent one request.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace weft::e2e {

// A TCP connection from `source` (e.g. "127.0.0.2") to 127.0.0.1:`port`; -1 on failure.
inline int ConnectFrom(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether the peer has closed `fd` (or it failed), without waiting.
inline bool PeerClosed(int fd) {
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// Sends `request` on a new connection from `source` and returns the
// response's first bytes (its status line: "HTTP/1.1 401 ..."); empty when
// nothing came within `timeout_seconds`.
inline std::string FirstBytes(const char* source, int port, const std::string& request, int timeout_seconds = 30) {
  int fd = ConnectFrom(source, port);
  if (fd < 0) return "";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  timeval tv{.tv_sec = timeout_seconds, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[16] = {};
  ssize_t got = recv(fd, buf, sizeof buf, MSG_WAITALL);
  close(fd);
  return std::string(buf, got > 0 ? static_cast<size_t>(got) : 0);
}

}  // namespace weft::e2e
