#include "pgwire/listener.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "access/principals.h"
#include "access/tokens.h"
#include "common/time.h"
#include "pgwire/session.h"

namespace weft::pgwire {

namespace {

// The peer's address as text, and whether it is this host (127.0.0.0/8,
// ::1, or an IPv4-mapped loopback address).
std::pair<std::string, bool> PeerOf(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {"unknown", false};
  char text[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    return {text, (ntohl(a->sin_addr.s_addr) >> 24) == 127};
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    bool loopback =
        IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) || (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
    return {text, loopback};
  }
  return {"unknown", false};
}

int32_t RandomSecret() {
  int32_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) {
    // OpenSSL's generator never fails once seeded; a zero key would still
    // need the connection's pid to be guessed along with it.
    v = 0;
  }
  return v;
}

// A FATAL error written to a socket that has no session (yet), then closed
// by the caller.
void RefuseConnection(Transport& t, const std::string& sqlstate, const std::string& message,
                      const std::string& hint = "") {
  Encoder e;
  e.Error({.severity = "FATAL", .sqlstate = sqlstate, .message = message, .hint = hint});
  t.Write(e.buffer()).IgnoreError();
}

}  // namespace

Listener::Listener(service::Mesh& mesh, ListenerOptions options)
    : mesh_(mesh), options_(std::move(options)), introspection_(mesh, options_.weft_version) {}

Listener::~Listener() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

Result<int> Listener::Bind() {
  if (options_.tls_cert.empty() != options_.tls_key.empty())
    return Status::InvalidArgument("TLS needs both a certificate (--pg-tls-cert) and its key (--pg-tls-key)");
  if (!options_.tls_cert.empty()) {
    ASSIGN_OR_RETURN(tls_, TlsContext::Load(options_.tls_cert, options_.tls_key));
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return Status::IoError(std::string("eventfd: ") + std::strerror(errno));

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  if (int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return Status::InvalidArgument(fmt::format("--pg-listen host '{}': {}", options_.host, gai_strerror(rc)));
  std::string last_error = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0)
    return Status::IoError(
        fmt::format("cannot listen on {}:{} for PostgreSQL clients: {}", options_.host, options_.port, last_error));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  return static_cast<int>(ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port));
}

void Listener::Start() {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void Listener::Stop() {
  if (stopping_.exchange(true)) return;
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
  }
  {
    std::lock_guard lock(mu_);
    for (auto& [pid, key] : cancel_keys_) key.flag->store(true);
  }
  if (acceptor_.joinable()) acceptor_.join();
  // Sessions see the stop at their next read, and queries at their next
  // watchdog poll; one still blocked writing to a client that reads
  // nothing is cut off after a grace period, so the server stops in time.
  for (int i = 0; i < 50; ++i) {
    {
      std::lock_guard lock(mu_);
      bool all_done = true;
      for (const auto& c : connections_) all_done = all_done && c->done;
      if (all_done) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& c : connections_)
      if (!c->done) ::shutdown(c->fd, SHUT_RDWR);
  }
  Reap(/*all=*/true);
}

void Listener::Reap(bool all) {
  std::list<std::unique_ptr<Connection>> ended;
  {
    std::lock_guard lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (all || (*it)->done) {
        ended.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : ended) c->thread.join();
}

void Listener::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, 1000) <= 0) {
      Reap(false);
      continue;
    }
    if (fds[1].revents) break;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Reap(false);
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);  // a peer that vanished is found out
    auto [address, loopback] = PeerOf(fd);
    std::lock_guard lock(mu_);
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      // Answered at once, before the startup packet: libpq reports an
      // ErrorResponse in place of the answer to its SSLRequest too.
      SocketTransport t(fd, -1, {.write_timeout = std::chrono::milliseconds(1000)});
      RefuseConnection(t, "53300", "sorry, too many clients already",
                       fmt::format("the endpoint serves at most {} connections at once", options_.max_connections));
      Log("refused", address, "", "too many connections");
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    Connection* raw = c.get();
    c->thread = std::thread([this, raw, address = address, loopback = loopback] {
      // A write to a client that is gone must fail, not raise SIGPIPE (TLS
      // writes go through OpenSSL's socket BIO, which cannot say MSG_NOSIGNAL).
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      Serve(*raw, address, loopback);
    });
    connections_.push_back(std::move(c));
  }
}

void Listener::Log(const std::string& event, const std::string& address, const std::string& user,
                   const std::string& detail) {
  if (!options_.log) return;
  nlohmann::json line = {{"time", NowIso()}, {"pg", event}, {"address", address}};
  if (!user.empty()) line["user"] = user;
  if (!detail.empty()) line["detail"] = detail;
  std::lock_guard lock(log_mu_);
  options_.log(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Listener::Cancel(int32_t pid, int32_t secret, const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = cancel_keys_.find(pid);
  // Like PostgreSQL, a wrong key gets no answer: the requester learns nothing.
  if (it == cancel_keys_.end() || it->second.secret != secret) {
    Log("cancel-refused", address, "", fmt::format("no connection {} with that key", pid));
    return;
  }
  it->second.flag->store(true);
  Log("cancel", address, "", fmt::format("connection {}", pid));
}

void Listener::Serve(Connection& connection, std::string address, bool loopback) {
  SocketTransport t(connection.fd, stop_fd_, {.write_timeout = options_.write_timeout});
  // Marked done before the transport closes the socket: Stop() shuts down
  // only sockets still open, never a number the kernel already reused.
  struct MarkDone {
    Listener& l;
    Connection& c;
    ~MarkDone() {
      std::lock_guard lock(l.mu_);
      c.done = true;
    }
  } mark_done{*this, connection};
  const auto deadline = Clock::now() + options_.startup_timeout;
  StartupPacket startup;
  for (;;) {
    auto frame = ReadFrame(t, /*startup=*/true, kMaxStartupLength, deadline, options_.startup_timeout, deadline);
    if (!frame.ok()) {
      if (frame.status().code() == StatusCode::kInvalidArgument)
        RefuseConnection(t, "08P01", "invalid startup packet: " + frame.status().message());
      Log("startup-failed", address, "", frame.status().message());
      return;
    }
    auto packet = DecodeStartup(frame->body);
    if (!packet.ok()) {
      const bool version = packet.status().message().find("unsupported frontend protocol") != std::string::npos;
      RefuseConnection(t, version ? "0A000" : "08P01", packet.status().message());
      Log("startup-failed", address, "", packet.status().message());
      return;
    }
    switch (packet->kind) {
      case StartupPacket::Kind::kSslRequest: {
        if (t.tls()) {
          Log("startup-failed", address, "", "SSLRequest inside TLS");
          return;
        }
        Encoder e;
        e.Byte(tls_ ? 'S' : 'N');
        if (!t.Write(e.buffer()).ok()) return;
        if (tls_) {
          if (Status s = t.StartTls(*tls_, deadline); !s.ok()) {
            Log("startup-failed", address, "", s.message());
            return;
          }
        }
        continue;
      }
      case StartupPacket::Kind::kGssEncRequest: {
        Encoder e;
        e.Byte('N');
        if (!t.Write(e.buffer()).ok()) return;
        continue;
      }
      case StartupPacket::Kind::kCancel:
        Cancel(packet->cancel_pid, packet->cancel_secret, address);
        return;
      case StartupPacket::Kind::kStartup:
        break;
    }
    startup = std::move(*packet);
    break;
  }
  const std::string user = startup.parameters.count("user") ? startup.parameters.at("user") : "";
  if (user.empty()) {
    RefuseConnection(t, "28000", "no PostgreSQL user name specified in startup packet",
                     "connect as the principal your weft token belongs to, e.g. user=grace@retail.example");
    Log("login-failed", address, "", "no user");
    return;
  }
  if (!t.tls() && (!loopback || options_.loopback_is_remote)) {
    RefuseConnection(
        t, "28000",
        fmt::format(
            "weft accepts a token as the password only over TLS or from this host: connect with sslmode=require"),
        tls_ ? "" : "this server has no TLS certificate: start weft serve with --pg-tls-cert and --pg-tls-key");
    Log("login-refused", address, user, "plaintext from a remote address");
    return;
  }
  int retry = 0;
  if (options_.may_authenticate && !options_.may_authenticate(address, retry)) {
    RefuseConnection(t, "28000",
                     fmt::format("too many failed authentications from this address; retry in {} s", retry));
    Log("login-refused", address, user, "rate limited");
    return;
  }
  {
    Encoder e;
    e.AuthenticationCleartextPassword();
    if (!t.Write(e.buffer()).ok()) return;
  }
  auto frame = ReadFrame(t, /*startup=*/false, kMaxStartupLength, deadline, options_.startup_timeout, deadline);
  if (!frame.ok() || frame->type != 'p') {
    if (frame.ok() || frame.status().code() == StatusCode::kInvalidArgument)
      RefuseConnection(t, "08P01", "expected a password message");
    Log("login-failed", address, user, frame.ok() ? "no password message" : frame.status().message());
    return;
  }
  auto password = DecodePassword(frame->body);
  const std::string now = NowIso();
  std::string reason;
  std::optional<access::Principal> principal;
  std::string token_id;
  if (!password.ok()) {
    reason = password.status().message();
  } else if (auto token = access::VerifyToken(mesh_.store(), *password, now); !token.ok()) {
    reason = token.status().message();  // says which check failed, never the secret
  } else if (token->principal != user) {
    reason = fmt::format("token {} belongs to another principal", token->id);
  } else if (auto p = access::LoadPrincipal(mesh_.store(), user); !p.ok()) {
    reason = "the token's principal is no longer registered";
  } else {
    principal = std::move(*p);
    token_id = token->id;
  }
  if (!principal) {
    if (options_.authentication_failed) options_.authentication_failed(address);
    // A failed guess costs the guesser time; the limiter above bounds how many.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    RefuseConnection(t, "28P01", fmt::format("password authentication failed for user \"{}\"", user),
                     "the password is a weft token of this principal (weft token create)");
    Log("login-failed", address, user, reason);
    return;
  }

  const int32_t pid = next_pid_++;
  const int32_t secret = RandomSecret();
  auto flag = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    cancel_keys_[pid] = {secret, flag};
  }
  Log("login", address, user, fmt::format("token {}, connection {}{}", token_id, pid, t.tls() ? ", TLS" : ""));
  Session session(mesh_, introspection_, {*principal, now}, t,
                  {.parameters = startup.parameters,
                   .cancel = flag,
                   .stopping = [this] { return stopping_.load(); },
                   .idle_timeout = options_.idle_timeout,
                   .read_timeout = options_.read_timeout,
                   .weft_version = options_.weft_version});
  Status ended = session.Start(pid, secret);
  if (ended.ok()) ended = session.Serve();
  {
    std::lock_guard lock(mu_);
    cancel_keys_.erase(pid);
  }
  if (!ended.ok() && ended.code() != StatusCode::kIoError) Log("closed", address, user, ended.message());
}

}  // namespace weft::pgwire
