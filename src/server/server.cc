#include "server/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "access/principals.h"
#include "access/tokens.h"
#include "common/hashing.h"
#include "common/single_flight.h"
#include "common/strings.h"
#include "common/time.h"
#include "server/connection_pool.h"
#include "server/http_server.h"
#include "server/mcp.h"
#include "server/metrics.h"
#include "server/problem.h"
#include "server/rate_limiter.h"
#include "server/routes.h"
#include "server/ui_assets.h"
#include "service/file_signer.h"
#include "service/lakehouse.h"
#include "service/mesh.h"
#include "service/stream.h"
#include "service/views.h"

namespace weft::server {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kVersion = "0.1.0";
// The body of the one route that reads it as it arrives (Stream).
constexpr const char* kStreamBody = "application/x-ndjson";

// Shuts down, without closing (httplib owns the descriptors), every TCP
// connection accepted on `port`: the threads reading or writing them fail
// at once. httplib keeps no list of its connections, so they are found
// among this process's descriptors.
void CutConnections(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;  // not a socket
    int local = -1;
    if (addr.ss_family == AF_INET) local = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    else if (addr.ss_family == AF_INET6) local = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    int listening = 1;
    socklen_t size = sizeof listening;
    if (local != port || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening) continue;
    ::shutdown(fd, SHUT_RDWR);
  }
}

struct CatalogView;

// One request as a handler sees it.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  const Route& route;
  access::Principal principal;  // empty name on public routes
  std::string token_id;
  std::vector<std::string> params;  // path parameters, in template order
  std::shared_ptr<void> in_flight;  // held until the response is complete (streams: their releaser holds it)
  std::shared_ptr<CatalogView> view;  // the catalog state the caller was authenticated against
  // A route that reads its body as it comes (a stream): the body, unread.
  const httplib::ContentReader* reader = nullptr;

  void Json(const json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }
};

// The Iceberg REST catalog: its routes, and the signed file URLs it hands out.
bool IsIceberg(const std::string& path) { return StartsWith(path, "/iceberg/"); }

// Errors are problems, but under /iceberg/ the catalog's own error model,
// which Iceberg clients read.
void SendProblem(const httplib::Request& req, httplib::Response& res, const Problem& p) {
  res.status = p.status;
  if (p.status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"weft\"");  // RFC 6750 3
  if (IsIceberg(req.path)) {
    res.set_content(IcebergErrorJson(p).dump(), "application/json");
    return;
  }
  res.set_content(p.ToJson(req.path).dump(), "application/problem+json");
}

// A product id as the catalog spells them; anything else (slashes, dots
// twice, "..", NUL, spaces) never reaches a lookup or a command line.
bool ValidProductId(const std::string& id) {
  static const std::regex kId("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}\\.[A-Za-z0-9_][A-Za-z0-9_-]{0,127}(@v[0-9]{1,6})?");
  return std::regex_match(id, kId);
}

Result<json> ParseJsonBody(const httplib::Request& req) {
  if (req.body.empty()) return Status::InvalidArgument("the request needs a JSON body");
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    // Parse again for the position: nlohmann reports it in the exception.
    try {
      [[maybe_unused]] json again = json::parse(req.body);
    } catch (const json::parse_error& e) {
      return Status::InvalidArgument(fmt::format("the body is not JSON: {}", e.what()));
    }
    return Status::InvalidArgument("the body is not JSON");
  }
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return body;
}

// A member of a JSON body: absent gives the default; present with another
// type is an error naming the member.
Result<std::string> StringField(const json& body, const char* name, bool required = false) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string("the body needs \"") + name + "\" (a string)");
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(std::string("\"") + name + "\" must be a string");
  return it->get<std::string>();
}

Result<std::vector<std::string>> StringListField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::vector<std::string>();
  bool ok = it->is_array() && std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); });
  if (!ok) return Status::InvalidArgument(std::string("\"") + name + "\" must be an array of strings");
  return it->get<std::vector<std::string>>();
}

// A boolean member: absent or null is false; present with another type is
// an error naming the member (json::value would throw, and the server
// answered that with a 500).
Result<bool> BoolField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Status::InvalidArgument(std::string("\"") + name + "\" must be true or false");
  return it->get<bool>();
}

Result<int64_t> IdParam(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Status::InvalidArgument(fmt::format("{} '{}' is not a number", what, text));
  return std::stoll(text);
}

// Upload names for a spec tree: relative, inside the tree, plain characters.
Status CheckTreePath(const std::string& rel) {
  static const std::regex kPath("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,8}");
  if (!std::regex_match(rel, kPath)) return Status::InvalidArgument("file name '" + rel + "' is not a relative path of plain names");
  for (const auto& part : Split(rel, '/'))
    if (part == "." || part == "..") return Status::InvalidArgument("file name '" + rel + "' leaves the tree");
  return Status::Ok();
}

// The catalog state derived from one generation: rebuilt only when a
// write has happened since (a new AccessControl from the Mesh).
struct CatalogView {
  std::shared_ptr<const access::AccessControl> access;
  int64_t control_generation = -1;
  // The view this one replaced, while the control plane has not changed
  // since (a grant, a token or a publish moved the generation): its pages
  // answer while this view's are built, so a write does not stall every
  // request for a page at once. Only pages: access rules and tokens are
  // always this view's. Its own `previous` is dropped: one step back at most.
  std::shared_ptr<CatalogView> previous;
  // Product pages as one principal sees them, without the parts that age
  // with the clock (principal + '\n' + product id -> page). Built once per
  // view however many requests ask at once (SingleFlight), as are tokens.
  struct Page {
    std::string body;  // the page as JSON text, without the live parts (LivePageParts)
    service::LiveInputs live;
    // What the live parts are judged from, kept for kLiveRecordsFor: new
    // snapshots come with a new generation (a new view), incidents with the
    // monitor, which a page may show a moment late. One request at a time
    // reloads them; the others answer from the previous ones meanwhile.
    std::mutex mu;
    std::shared_ptr<const service::LiveRecords> records;
    std::chrono::steady_clock::time_point records_at;
    bool reloading = false;
  };
  SingleFlight<std::string, std::shared_ptr<Page>> pages;
  // Verified tokens: SHA-256 of the text -> its record and principal. A
  // revocation is a catalog write, so it starts a new view; expiry is
  // checked again on every use.
  SingleFlight<std::string, std::pair<catalog::TokenRecord, access::Principal>> tokens;
};

// A governed query's rows on their way from the gateway's thread to the
// HTTP connection: bounded, so a slow reader slows the query instead of
// filling memory.
struct RowStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> lines;
  bool started = false;  // the columns line is queued
  bool finished = false;
  bool cancelled = false;  // the client went away
  Status status;
  static constexpr size_t kMaxQueued = 64;  // chunks of up to 2,048 rows each
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<service::Mesh> mesh;  // the workspace: store, secret, parser, query runtime
  Metrics metrics;
  RateLimiter limiter;
  HttpServer http;  // httplib::Server without its busy wait between requests
  std::vector<Route> routes;
  std::vector<std::regex> route_regexes;
  std::mutex view_mu;
  std::shared_ptr<CatalogView> view;
  std::mutex log_mu;
  std::atomic<bool> ready{false};
  // Graceful stop: Stop() drains (new requests get 503) until no request
  // is in flight, streams included, and only then stops httplib, which
  // would cut a chunked response short.
  std::atomic<bool> draining{false};
  int in_flight = 0;
  std::mutex drain_mu;
  std::condition_variable drain_cv;
  std::unique_ptr<service::MonitorLoop> monitor;  // while serving, unless turned off
  std::unique_ptr<service::LakehouseCatalog> lakehouse;  // the Iceberg catalog's signer and caches
  std::unique_ptr<McpServer> mcp;  // /mcp: its sessions
  std::unique_ptr<pgwire::Listener> pg;  // --pg-listen
  int port = 0;  // bound
  int pg_port = 0;

  std::shared_ptr<void> EnterRequest() {
    std::lock_guard lock(drain_mu);
    ++in_flight;
    return std::shared_ptr<void>(nullptr, [this](void*) {
      std::lock_guard l(drain_mu);
      if (--in_flight == 0) drain_cv.notify_all();
    });
  }

  explicit Impl(ServerOptions o) : options(std::move(o)), limiter(options.rate_per_minute, options.rate_burst) {}

  // --- catalog state --------------------------------------------------------------------

  // The catalog state as of now: a new view whenever the Mesh loaded new
  // access rules (the catalog generation moved).
  Result<std::shared_ptr<CatalogView>> View() {
    ASSIGN_OR_RETURN(auto access, mesh->Access());
    {
      std::lock_guard lock(view_mu);
      if (view && view->access == access) return view;
    }
    // Read after the rules: a control change between the two reads shows
    // as a newer generation here, and the old pages are not reused.
    ASSIGN_OR_RETURN(int64_t control, mesh->store().ControlGeneration());
    std::lock_guard lock(view_mu);
    if (view && view->access == access) return view;  // another request made it meanwhile
    auto fresh = std::make_shared<CatalogView>();
    fresh->access = std::move(access);
    fresh->control_generation = control;
    if (view && view->control_generation == control) {
      view->previous.reset();
      fresh->previous = view;
    }
    view = fresh;
    return fresh;
  }

  // The view `v` replaced (CatalogView::previous), read under the lock View() resets it with.
  std::shared_ptr<CatalogView> PreviousOf(const CatalogView& v) {
    std::lock_guard lock(view_mu);
    return v.previous;
  }

  // The view the request was authenticated against (one generation read
  // per request), else the current one.
  Result<std::shared_ptr<CatalogView>> ViewFor(Call& call) {
    if (call.view) return call.view;
    return View();
  }

  static service::Caller CallerOf(const Call& call) { return {call.principal, NowIso()}; }

  // A service's view as the response, or its error as a problem.
  template <typename T>
  Status Reply(Call& call, const Result<T>& r, int status = 200) {
    if (!r.ok()) return r.status();
    call.Json(service::ToJson(*r), status);
    return Status::Ok();
  }

  // A service's answer that carries a body also when it refuses (a plan, a
  // publish report, an impact report): the body, or a problem with the
  // body as its "result".
  Status ReplyWithResult(Call& call, const Status& status, json body) {
    if (status.ok()) {
      call.Json(body);
      return Status::Ok();
    }
    Problem p = ProblemFromStatus(status);
    p.extensions["result"] = std::move(body);
    SendProblem(call.req, call.res, p);
    return Status::Ok();
  }

  // --- authentication and roles ------------------------------------------------------------

  // 401 unless a valid bearer token names a registered principal.
  std::optional<Problem> Authenticate(Call& call) {
    std::string header = call.req.get_header_value("Authorization");
    if (header.empty())
      return MakeProblem(401, "unauthenticated", "this route needs a token: Authorization: Bearer <token> (weft token create)");
    // The scheme is case-insensitive (RFC 9110 11.1).
    std::string scheme = header.substr(0, 7);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "bearer ") return MakeProblem(401, "unauthenticated", "the Authorization header must be 'Bearer <token>'");
    std::string_view text = std::string_view(header).substr(7);
    const std::string now = NowIso();
    auto v = View();
    if (!v.ok()) return ProblemFromStatus(v.status());
    call.view = *v;
    // A refusal is not kept: a bad token is looked at anew each time (a
    // malformed one without a catalog read, see VerifyToken).
    auto token = (*v)->tokens.Get(Sha256Hex(text), [&]() -> Result<std::pair<catalog::TokenRecord, access::Principal>> {
      ASSIGN_OR_RETURN(catalog::TokenRecord record, access::VerifyToken(mesh->store(), text, now));
      auto principal = access::LoadPrincipal(mesh->store(), record.principal);
      if (!principal.ok()) return Status::Unauthenticated("the token's principal is no longer registered");
      return std::make_pair(std::move(record), std::move(*principal));
    });
    if (!token.ok()) {
      const StatusCode code = token.status().code();
      if (code == StatusCode::kPermissionDenied || code == StatusCode::kUnauthenticated)
        return MakeProblem(401, "unauthenticated", token.status().message());
      return ProblemFromStatus(token.status());
    }
    Status in_force = access::CheckTokenInForce(token->first, now);
    if (!in_force.ok()) return MakeProblem(401, "unauthenticated", in_force.message());
    call.principal = token->second;
    call.token_id = token->first.id;
    return std::nullopt;
  }

  // Authenticate, with its limits. Failed authentications drain a bucket
  // per address. Once it is empty the address is refused before its token
  // is even looked at: a guess that happens to be right is refused too, so
  // guessing is limited. A token over its rate is refused.
  std::optional<Problem> AuthenticateWithinLimits(Call& call) {
    const std::string address = "addr:" + call.req.remote_addr;
    int retry = 0;
    if (limiter.Exhausted(address, Clock::now(), retry)) {
      metrics.CountRateLimited();
      call.res.set_header("Retry-After", std::to_string(retry));
      return MakeProblem(429, "rate-limited", "too many failed authentications from this address; retry in " +
                                                  std::to_string(retry) + " s");
    }
    if (auto p = Authenticate(call)) {
      limiter.Allow(address, Clock::now(), retry);
      return p;
    }
    if (!limiter.Allow("token:" + call.token_id, Clock::now(), retry)) {
      metrics.CountRateLimited();
      call.res.set_header("Retry-After", std::to_string(retry));
      Problem p = MakeProblem(429, "rate-limited", fmt::format("token {} is over its rate limit ({:.0f} requests a minute); retry in {} s",
                                                               call.token_id, options.rate_per_minute, retry));
      p.extensions["retryAfter"] = retry;
      return p;
    }
    return std::nullopt;
  }

  bool OwnsSomeDomain(const access::Principal& p) const {
    for (const auto& [group, roles] : p.roles)
      if (StartsWith(group, "team:") && roles.count("owner")) return true;
    return false;
  }

  std::optional<Problem> Authorize(Call& call) {
    const access::Principal& p = call.principal;
    auto deny = [&](const std::string& why) {
      return MakeProblem(403, "forbidden", fmt::format("{} may not {} {}: {}", p.name, call.route.method, call.route.path, why));
    };
    switch (call.route.role) {
      case Role::kPublic:
      case Role::kConsumer:
        return std::nullopt;
      case Role::kAdmin:
        if (p.admin()) return std::nullopt;
        return deny("platform admins only");
      case Role::kSteward:
        if (p.admin() || p.steward()) return std::nullopt;
        return deny("platform stewards and admins only");
      case Role::kOwner: {
        if (p.admin()) return std::nullopt;
        auto params = PathParams(call.route.path);
        if (!params.empty() && params[0] == "id") {
          auto v = View();
          if (!v.ok()) return ProblemFromStatus(v.status());
          if ((*v)->access->IsOwner(p, call.params[0])) return std::nullopt;
          auto approvers = (*v)->access->Approvers(call.params[0]);
          return deny("owners of " + call.params[0] + " only (" + (approvers.empty() ? "none" : Join(approvers, ", ")) + ")");
        }
        if (OwnsSomeDomain(p)) return std::nullopt;
        return deny("domain owners and admins only");
      }
    }
    return deny("unknown role");
  }

  // --- the request pipeline ------------------------------------------------------------------

  void Handle(const Route& route, const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* reader = nullptr) {
    auto start = Clock::now();
    Call call{req, res, route, {}, {}, {}, EnterRequest()};
    // A refused stream leaves its body unread: the connection cannot
    // carry another request.
    call.reader = reader;
    if (reader) res.set_header("Connection", "close");
    for (size_t i = 1; i < req.matches.size(); ++i) call.params.push_back(req.matches[i].str());
    auto finish = [&] {
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      metrics.ObserveRequest(route.method, route.path, res.status, seconds);
      Log(req, res, route.path, call.principal.name, call.token_id, seconds);
    };
    auto fail = [&](const Problem& p) {
      SendProblem(req, res, p);
      finish();
    };
    if (draining && route.role != Role::kPublic) {
      res.set_header("Connection", "close");
      return fail(MakeProblem(503, "shutting-down", "the server is shutting down; retry against another instance"));
    }
    if (route.path == "/mcp")
      if (auto p = McpServer::CheckOrigin(req, options.host, port)) return fail(*p);
    if (route.role != Role::kPublic) {
      if (auto p = AuthenticateWithinLimits(call)) return fail(*p);
      const auto names = PathParams(route.path);
      for (size_t i = 0; i < call.params.size(); ++i) {
        if (names[i] == "id" && !ValidProductId(call.params[i]))
          return fail(MakeProblem(400, "invalid-argument", "'" + call.params[i] + "' is not a product id (DOMAIN.PRODUCT)"));
      }
      if (auto p = Authorize(call)) return fail(*p);
    }
    Status s = Dispatch(call);
    if (!s.ok()) {
      Problem p = ProblemFromStatus(s);
      if (IsIceberg(req.path)) p.extensions["icebergType"] = service::IcebergErrorType(s);
      SendProblem(req, res, p);
    }
    if (req.method != "GET") mesh->CatalogChanged();
    finish();
  }

  void Log(const httplib::Request& req, const httplib::Response& res, const std::string& route,
           const std::string& principal, const std::string& token, double seconds) {
    if (!options.access_log) return;
    json line = {{"time", NowIso()},          {"method", req.method},   {"path", service::FileSigner::Redacted(req.path)},
                 {"route", route},            {"status", res.status},   {"ms", std::round(seconds * 1e5) / 100},
                 {"principal", principal},    {"token", token},         {"remote", req.remote_addr},
                 {"bytesIn", req.body.size()}, {"bytesOut", res.body.size()}};
    std::lock_guard lock(log_mu);
    *options.access_log << line.dump() << "\n" << std::flush;
  }

  // Requests no route matched: 405 when the path exists with another
  // method, else 404; both as problems, logged and counted.
  void Unrouted(const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> allowed;
    for (size_t i = 0; i < routes.size(); ++i)
      if (std::regex_match(req.path, route_regexes[i])) allowed.push_back(routes[i].method);
    if (IsIceberg(req.path)) {
      SendProblem(req, res, MakeProblem(406, "unsupported", "weft's Iceberg REST catalog does not offer " + req.method + " " +
                                                                req.path + "; GET /iceberg/v1/config lists the endpoints it does"));
    } else if (!allowed.empty()) {
      res.set_header("Allow", Join(allowed, ", "));
      SendProblem(req, res, MakeProblem(405, "method-not-allowed", req.method + " is not allowed on " + req.path + " (allowed: " + Join(allowed, ", ") + ")"));
    } else {
      SendProblem(req, res, MakeProblem(404, "no-route", "no route " + req.method + " " + req.path + " (see /api/openapi.json)"));
    }
    metrics.ObserveRequest(req.method, "(unmatched)", res.status, 0);
    Log(req, res, "(unmatched)", "", "", 0);
  }

  Status Dispatch(Call& call);
  Status Iceberg(Call& call);

  // --- the Iceberg REST catalog (docs/lakehouse.md) --------------------------------------

  // Where the caller reached this server, for the URLs it is handed: the
  // Host header when it is a plain host[:port], else the bound address.
  std::string BaseUrl(const httplib::Request& req) const {
    static const std::regex kHost("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");
    std::string host = req.get_header_value("Host");
    if (!std::regex_match(host, kHost)) host = options.host + ":" + std::to_string(port);
    return (req.get_header_value("X-Forwarded-Proto") == "https" ? "https://" : "http://") + host;
  }

  service::LakehouseService Lakehouse() { return service::LakehouseService(*mesh, *lakehouse); }

  Status IcebergJson(Call& call, const Result<json>& r) {
    if (!r.ok()) return r.status();
    call.Json(*r);
    return Status::Ok();
  }

  // GET /iceberg/files/...: a file a signed URL names. The URL is the
  // credential (clients fetch manifests and data with no headers); a
  // request that carries a token as well must be the caller it was signed
  // for. Ranges (206) are httplib's, over the file read in place.
  void HandleFile(const httplib::Request& req, httplib::Response& res) {
    static const Route kFiles{"GET", "/iceberg/files/{file}", Role::kPublic, "A file of an Iceberg table, by signed URL", {}, "", "", "Iceberg"};
    auto start = Clock::now();
    Call call{req, res, kFiles, {}, {}, {}, EnterRequest()};
    auto finish = [&] {
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      metrics.ObserveRequest(req.method, kFiles.path, res.status, seconds);
      Log(req, res, kFiles.path, call.principal.name, call.token_id, seconds);
    };
    if (draining) {
      SendProblem(req, res, MakeProblem(503, "shutting-down", "the server is shutting down; retry against another instance"));
      return finish();
    }
    if (!req.get_header_value("Authorization").empty()) {
      if (auto p = AuthenticateWithinLimits(call)) {
        SendProblem(req, res, *p);
        return finish();
      }
    }
    auto file = Lakehouse().OpenFile(req.path, call.principal.name, BaseUrl(req));
    if (!file.ok()) {
      Problem p = ProblemFromStatus(file.status());
      p.extensions["icebergType"] = service::IcebergErrorType(file.status());
      SendProblem(req, res, p);
      return finish();
    }
    // A range past the end is refused here, as the spec of ranges says
    // (RFC 9110 15.5.17): httplib would cut the connection instead.
    for (const auto& [first, last] : req.ranges) {
      const bool satisfiable = first < 0 ? last > 0 : first < file->size && (last < 0 || last >= first);
      if (!satisfiable) {
        res.set_header("Content-Range", "bytes */" + std::to_string(file->size));
        SendProblem(req, res, MakeProblem(416, "range", fmt::format("the range is outside the file ({} bytes)", file->size)));
        return finish();
      }
    }
    res.set_header("Cache-Control", "private, max-age=300");
    if (file->local.empty()) {
      res.set_content(std::move(file->content), file->content_type);
      return finish();
    }
    if (Status sent = SendFile(res, file->local, static_cast<size_t>(file->size), file->content_type, call.in_flight); !sent.ok())
      SendProblem(req, res, ProblemFromStatus(sent));
    finish();
  }

  // --- handlers ------------------------------------------------------------------------------

  Status Me(Call& call) {
    json me = service::ToJson(service::AccessService(*mesh).Me(CallerOf(call)));
    me["token"] = call.token_id;
    call.Json(me);
    return Status::Ok();
  }

  Status Search(Call& call) {
    catalog::SearchQuery q;
    q.text = call.req.get_param_value("q");
    q.domain = call.req.get_param_value("domain");
    q.tag = call.req.get_param_value("tag");
    q.classification = call.req.get_param_value("classification");
    q.column_tag = call.req.get_param_value("column_tag");
    q.status = call.req.get_param_value("status");
    if (call.req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t limit, IdParam(call.req.get_param_value("limit"), "limit"));
      if (limit < 1 || limit > 1000) return Status::InvalidArgument("limit must be 1 to 1000");
      q.limit = static_cast<int>(limit);
    }
    return Reply(call, service::CatalogService(*mesh).Search(CallerOf(call), q, call.req.get_param_value("quality")));
  }

  // The page of `id` for the caller: cached per catalog generation and
  // principal; freshness, SLA state and open incidents are worked out at each
  // request, as they change with the clock and the monitor alone.
  Status Product(Call& call) {
    const std::string& id = call.params[0];
    ASSIGN_OR_RETURN(auto v, ViewFor(call));
    const service::Caller caller = CallerOf(call);
    const auto now = std::chrono::steady_clock::now();
    using Page = CatalogView::Page;
    const std::string key = call.principal.name + "\n" + id;
    // While one request builds this view's page, the others answer with the
    // previous view's (a grant or a publish ago, the control plane unchanged).
    std::optional<std::shared_ptr<Page>> stale;
    if (auto previous = PreviousOf(*v)) stale = previous->pages.Peek(key);
    ASSIGN_OR_RETURN(std::shared_ptr<Page> page,
                     v->pages.GetOrStale(key, [&]() -> Result<std::shared_ptr<Page>> {
                       ASSIGN_OR_RETURN(service::ProductPage p, service::CatalogService(*mesh).Page(caller, id));
                       auto built = std::make_shared<Page>();
                       built->body = service::ToJson(p).dump();
                       built->live = service::LiveInputsOf(p);
                       ASSIGN_OR_RETURN(service::LiveRecords records, service::LoadLiveRecords(*mesh, built->live));
                       built->records = std::make_shared<const service::LiveRecords>(std::move(records));
                       built->records_at = now;
                       return built;
                     }, stale));
    constexpr auto kLiveRecordsFor = std::chrono::seconds(2);
    std::shared_ptr<const service::LiveRecords> records;
    bool reload = false;
    {
      std::lock_guard lock(page->mu);
      records = page->records;
      reload = now - page->records_at > kLiveRecordsFor && !page->reloading;
      page->reloading = page->reloading || reload;
    }
    if (reload) {
      Result<service::LiveRecords> fresh = service::LoadLiveRecords(*mesh, page->live);
      std::lock_guard lock(page->mu);
      page->reloading = false;
      if (!fresh.ok()) return fresh.status();
      records = page->records = std::make_shared<const service::LiveRecords>(std::move(*fresh));
      page->records_at = now;
    }
    // The cached text ends with the object's '}': splice the live parts in.
    const json live = service::LivePageParts(caller, page->live, *records);
    std::string body = page->body;
    body.pop_back();
    for (const auto& [name, part] : live.items()) body += ",\"" + name + "\":" + part.dump();
    body += "}";
    call.res.status = 200;
    call.res.set_content(std::move(body), "application/json");
    return Status::Ok();
  }

  Status Sample(Call& call) {
    auto answer = service::QueryService(*mesh).Sample(CallerOf(call), call.params[0]);
    metrics.CountQuery(answer.ok() ? "ok" : "refused", answer.ok() ? answer->usage.bytes_scanned : 0);
    return Reply(call, answer);
  }

  Status History(Call& call) {
    const std::string shape = call.req.get_param_value("view");
    int limit = 20;
    if (call.req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t n, IdParam(call.req.get_param_value("limit"), "limit"));
      if (n < 1 || n > 100000) return Status::InvalidArgument("limit must be 1 to 100000");
      limit = static_cast<int>(n);
    }
    service::CatalogService catalog(*mesh);
    const service::Caller caller = CallerOf(call);
    const std::string& id = call.params[0];
    // The rules across publishes by default: the quality chart's data.
    if (shape.empty() || shape == "rules") return Reply(call, catalog.Rules(caller, id, limit));
    if (shape == "publishes") return Reply(call, catalog.Publishes(caller, id, limit));
    if (shape == "quality")
      return Reply(call, catalog.Quality(caller, id, call.req.get_param_value("publish"), call.req.get_param_value("snapshot")));
    return Status::InvalidArgument("view must be rules, publishes or quality");
  }

  Status Lineage(Call& call) {
    const std::string direction = call.req.get_param_value("direction");
    if (!direction.empty() && direction != "both" && direction != "upstream" && direction != "downstream")
      return Status::InvalidArgument("direction must be both, upstream or downstream");
    return Reply(call, service::LineageService(*mesh).Lineage(CallerOf(call), call.params[0],
                                                             {.upstream = direction == "upstream",
                                                              .downstream = direction == "downstream",
                                                              .transforms = nullptr}));
  }

  Status Quarantine(Call& call) {
    int limit = 100;
    if (call.req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t n, IdParam(call.req.get_param_value("limit"), "limit"));
      if (n < 1 || n > 100000) return Status::InvalidArgument("limit must be 1 to 100000");
      limit = static_cast<int>(n);
    }
    return Reply(call, service::PublishService(*mesh).Quarantine(CallerOf(call), call.params[0],
                                                                call.req.get_param_value("publish"), limit));
  }

  // POST /api/v1/query: the rows are streamed as NDJSON (or, with
  // ?format=csv, as CSV) while DuckDB hands them out. The query runs on one
  // of service::QueryThreads(); until its first chunk (or its end) the
  // response status is still open, so a refused or invalid query is a proper
  // problem response, and a failure after rows were sent is a last
  // {"error": problem} line in NDJSON, and a cut connection (no last chunk)
  // in CSV, which has no line to say it with. ?format=parquet: QueryParquet.
  Status Query(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    ASSIGN_OR_RETURN(std::string sql, StringField(body, "sql", true));
    ASSIGN_OR_RETURN(std::string at, StringField(body, "at"));
    ASSIGN_OR_RETURN(std::string since, StringField(body, "since"));
    const std::string format = call.req.has_param("format") ? call.req.get_param_value("format") : "ndjson";
    if (format == "parquet") return QueryParquet(call, {.sql = sql, .at = at, .since = since});
    if (format != "ndjson" && format != "csv") return Status::InvalidArgument("format must be ndjson (the default), csv or parquet");
    const bool csv = format == "csv";
    // The columns line: the CSV header, or {"columns": [...]}.
    auto header = [csv](const std::vector<std::string>& columns) {
      if (!csv) return json{{"columns", columns}}.dump() + "\n";
      return service::CsvLine(std::vector<std::optional<std::string>>(columns.begin(), columns.end()));
    };
    auto stream = std::make_shared<RowStream>();
    // Its last touch of this server is `finished`: waiting for that is
    // waiting for the query.
    service::QueryThreads().Enqueue([this, stream, sql, at, since, csv, header, caller = CallerOf(call)] {
      query::QueryRequest request{.sql = sql, .at = at, .since = since};
      request.cancelled = [stream] {
        std::lock_guard lock(stream->mu);
        return stream->cancelled;
      };
      request.on_rows = [stream, csv, header](const std::vector<std::string>& columns,
                                              const std::vector<std::vector<std::optional<std::string>>>& rows) -> Status {
        std::unique_lock lock(stream->mu);
        if (!stream->started) {
          stream->lines.push_back(header(columns));
          stream->started = true;
        }
        std::string chunk;
        for (const auto& r : rows) chunk += csv ? service::CsvLine(r) : service::RowJson(r).dump() + "\n";
        stream->cv.wait(lock, [&] { return stream->lines.size() < RowStream::kMaxQueued || stream->cancelled; });
        if (stream->cancelled) return Status::FailedPrecondition("the client went away");
        stream->lines.push_back(std::move(chunk));
        stream->cv.notify_all();
        return Status::Ok();
      };
      auto answer = service::QueryService(*mesh).Run(caller, request);
      std::lock_guard lock(stream->mu);
      if (answer.ok()) {
        metrics.CountQuery("ok", answer->usage.bytes_scanned);
        if (!stream->started) {
          stream->lines.push_back(header(answer->columns));
          stream->started = true;
        }
        if (!csv) stream->lines.push_back(service::DoneJson(*answer).dump() + "\n");
      } else {
        metrics.CountQuery("refused", 0);
        stream->status = answer.status();
      }
      stream->finished = true;
      stream->cv.notify_all();
    });
    // Wait for the first line or the end, briefly: a refusal comes at
    // once and is a proper problem response; a query still running after
    // that streams, so that a client that goes away is noticed (the
    // heartbeats below fail) and its query cancelled. A later failure is
    // the stream's last line.
    {
      std::unique_lock lock(stream->mu);
      stream->cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return stream->started || stream->finished; });
      if (stream->finished && !stream->started) return stream->status;
    }
    call.res.status = 200;
    if (csv) call.res.set_header("Content-Disposition", "attachment; filename=\"query.csv\"");
    call.res.set_chunked_content_provider(
        csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
        [stream, csv](size_t, httplib::DataSink& sink) {
          std::unique_lock lock(stream->mu);
          if (!stream->cv.wait_for(lock, std::chrono::seconds(1), [&] { return !stream->lines.empty() || stream->finished; })) {
            // Nothing yet: an empty line (NDJSON readers skip it) finds out
            // whether the client is still there. CSV has no line to spare:
            // there the next row's write finds out.
            if (csv) return true;
            lock.unlock();
            bool alive = sink.write("\n", 1);
            lock.lock();
            if (!alive) {
              stream->cancelled = true;
              stream->cv.notify_all();
              return false;
            }
            return true;
          }
          while (!stream->lines.empty()) {
            std::string line = std::move(stream->lines.front());
            stream->lines.pop_front();
            stream->cv.notify_all();
            lock.unlock();
            bool ok = sink.write(line.data(), line.size());
            lock.lock();
            if (!ok) {
              stream->cancelled = true;
              stream->cv.notify_all();
              return false;
            }
          }
          if (stream->finished) {
            if (!stream->status.ok()) {
              if (csv) return false;  // no last chunk: the client sees the download fail
              sink.os << json{{"error", ProblemFromStatus(stream->status).ToJson("")}}.dump() << "\n";
            }
            sink.done();
          }
          return true;
        },
        [stream, in_flight = call.in_flight](bool) {
          std::unique_lock lock(stream->mu);
          stream->cancelled = true;
          stream->cv.notify_all();
          stream->cv.wait(lock, [&] { return stream->finished; });
        });
    return Status::Ok();
  }

  // POST /api/v1/query?format=parquet: the same governed query, which
  // DuckDB writes as one Parquet file (zstd) into a private directory of
  // its own (the engine may write there and nowhere else); the file is sent
  // once the query is done, as a Parquet footer comes last.
  Status QueryParquet(Call& call, query::QueryRequest request) {
    ASSIGN_OR_RETURN(std::shared_ptr<Scratch> scratch, MakeScratch("downloads"));
    const std::filesystem::path file = scratch->dir / "query.parquet";
    request.parquet_out = file;
    auto answer = service::QueryService(*mesh).Run(CallerOf(call), request);
    metrics.CountQuery(answer.ok() ? "ok" : "refused", answer.ok() ? answer->usage.bytes_scanned : 0);
    if (!answer.ok()) return answer.status();
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return Status::Internal("the query's Parquet file is missing: " + ec.message());
    call.res.status = 200;
    call.res.set_header("Content-Disposition", "attachment; filename=\"query.parquet\"");
    return SendFile(call.res, file, static_cast<size_t>(size), "application/vnd.apache.parquet",
                    std::make_shared<std::pair<std::shared_ptr<Scratch>, std::shared_ptr<void>>>(scratch, call.in_flight));
  }

  // `file` as the response body, read as the client takes it (ranges
  // too: httplib asks for the slices); `hold` lives until the response is done.
  static Status SendFile(httplib::Response& res, const std::filesystem::path& file, size_t size, const std::string& type,
                         std::shared_ptr<void> hold) {
    auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
    if (!*in) return Status::IoError("cannot read " + file.filename().string());
    res.set_content_provider(
        size, type,
        [in](size_t offset, size_t length, httplib::DataSink& sink) {
          std::string buf(std::min<size_t>(length, 1 << 16), '\0');
          in->seekg(static_cast<std::streamoff>(offset));
          in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
          const auto got = static_cast<size_t>(in->gcount());
          return got > 0 && sink.write(buf.data(), got);
        },
        [in, hold](bool) { in->close(); });
    return Status::Ok();
  }

  // --- access ------------------------------------------------------------------------------

  Status AccessList(Call& call) {
    return Reply(call, service::AccessService(*mesh).List(CallerOf(call), call.req.get_param_value("scope")));
  }

  Status AccessRequest(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    access::RequestArgs args;
    ASSIGN_OR_RETURN(args.product, StringField(body, "product", true));
    ASSIGN_OR_RETURN(args.purpose, StringField(body, "purpose", true));
    ASSIGN_OR_RETURN(args.columns, StringListField(body, "columns"));
    ASSIGN_OR_RETURN(args.until, StringField(body, "until"));
    if (args.until.empty()) {
      ASSIGN_OR_RETURN(args.until, StringField(body, "expiresAt"));
    }
    ASSIGN_OR_RETURN(args.grantee, StringField(body, "for"));
    if (!ValidProductId(args.product)) return Status::InvalidArgument("'" + args.product + "' is not a product id (DOMAIN.PRODUCT[@vN])");
    return Reply(call, service::AccessService(*mesh).Request(CallerOf(call), args), 201);
  }

  Result<access::GrantArgs> GrantArgsFrom(const json& body) {
    access::GrantArgs g;
    ASSIGN_OR_RETURN(g.grantee, StringField(body, "to"));
    ASSIGN_OR_RETURN(g.columns, StringListField(body, "columns"));
    ASSIGN_OR_RETURN(g.clearances, StringListField(body, "clearances"));
    ASSIGN_OR_RETURN(g.row_filter, StringField(body, "rowFilter"));
    ASSIGN_OR_RETURN(g.purpose, StringField(body, "purpose"));
    ASSIGN_OR_RETURN(g.until, StringField(body, "until"));
    if (auto w = body.find("widen"); w != body.end() && !w->is_null()) {
      if (!w->is_boolean()) return Status::InvalidArgument("\"widen\" must be true or false");
      g.widen = w->get<bool>();
    }
    return g;
  }

  Status AccessDecide(Call& call, bool approve) {
    ASSIGN_OR_RETURN(int64_t id, IdParam(call.params[0], "request id"));
    json body = json::object();
    if (!call.req.body.empty()) {
      ASSIGN_OR_RETURN(body, ParseJsonBody(call.req));
    }
    ASSIGN_OR_RETURN(std::string reason, StringField(body, "reason"));
    service::AccessService access(*mesh);
    if (!approve) {
      RETURN_IF_ERROR(access.Deny(CallerOf(call), id, reason));
      call.Json({{"id", id}, {"status", "denied"}});
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(access::GrantArgs extra, GrantArgsFrom(body));
    ASSIGN_OR_RETURN(int64_t grant, access.Approve(CallerOf(call), id, extra, reason));
    call.Json({{"id", id}, {"status", "approved"}, {"grant", grant}});
    return Status::Ok();
  }

  Status GrantCreate(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    ASSIGN_OR_RETURN(std::string product, StringField(body, "product", true));
    if (!ValidProductId(product)) return Status::InvalidArgument("'" + product + "' is not a product id (DOMAIN.PRODUCT[@vN])");
    ASSIGN_OR_RETURN(access::GrantArgs args, GrantArgsFrom(body));
    if (args.grantee.empty()) return Status::InvalidArgument("the body needs \"to\" (a principal, team:X or domain:X)");
    if (args.purpose.empty()) return Status::InvalidArgument("the body needs \"purpose\" (a string)");
    ASSIGN_OR_RETURN(int64_t id, service::AccessService(*mesh).Grant(CallerOf(call), product, args));
    call.Json({{"id", id}}, 201);
    return Status::Ok();
  }

  Status GrantRevoke(Call& call) {
    ASSIGN_OR_RETURN(int64_t id, IdParam(call.params[0], "grant id"));
    RETURN_IF_ERROR(service::AccessService(*mesh).Revoke(CallerOf(call), id));
    call.Json({{"id", id}, {"status", "revoked"}});
    return Status::Ok();
  }

  // POST /principals (add) and /principals/{name} (set).
  Status PrincipalChange(Call& call, const std::string& existing) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    service::PrincipalChange change;
    change.name = existing;
    if (change.name.empty()) {
      ASSIGN_OR_RETURN(change.name, StringField(body, "name", true));
      ASSIGN_OR_RETURN(std::string kind, StringField(body, "kind"));
      if (!kind.empty()) change.kind = kind;
    }
    static const std::regex kName("[A-Za-z0-9_][A-Za-z0-9._@+-]{0,199}");
    if (!std::regex_match(change.name, kName))
      return Status::InvalidArgument("'" + change.name + "' is not a principal name (letters, digits and . _ @ + -)");
    ASSIGN_OR_RETURN(change.groups, StringListField(body, "groups"));
    if (auto attrs = body.find("attributes"); attrs != body.end() && !attrs->is_null()) {
      if (!attrs->is_object()) return Status::InvalidArgument("\"attributes\" must be an object of strings");
      for (const auto& [k, v] : attrs->items()) {
        if (!v.is_string()) return Status::InvalidArgument("attribute \"" + k + "\" must be a string");
        change.attributes[k] = v.get<std::string>();
      }
    }
    if (!existing.empty()) {
      ASSIGN_OR_RETURN(change.clear_groups, BoolField(body, "clearGroups"));
      ASSIGN_OR_RETURN(change.clear_attributes, BoolField(body, "clearAttributes"));
    }
    return Reply(call, service::AccessService(*mesh).SavePrincipal(CallerOf(call), change, existing.empty()));
  }

  // --- tokens -----------------------------------------------------------------------------------

  Status TokenCreate(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    ASSIGN_OR_RETURN(std::string principal, StringField(body, "principal"));
    ASSIGN_OR_RETURN(std::string expires, StringField(body, "expires"));
    ASSIGN_OR_RETURN(std::string description, StringField(body, "description"));
    return Reply(call, service::AccessService(*mesh).CreateToken(CallerOf(call), principal, expires, description), 201);
  }

  // --- uploads: publish, plan/apply, impact ----------------------------------------------------

  // A private directory for one request's files (owner-only, under
  // <workspace>/private/uploads, which no query engine is ever given),
  // removed when the request ends. Made only once the route's role check
  // passed; the service authorizes again before it reads them.
  struct Scratch {
    std::filesystem::path dir;
    ~Scratch() {
      std::error_code ignored;
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  };

  // `purpose`: "uploads", or "downloads" for a query's Parquet answer.
  Result<std::unique_ptr<Scratch>> MakeScratch(const char* purpose = "uploads") {
    auto s = std::make_unique<Scratch>();
    std::string rnd = RandomHex(8);
    if (rnd.empty()) return Status::Internal("the system's random generator failed");
    s->dir = mesh->workspace().root / "private" / purpose / rnd;
    std::error_code ec;
    std::filesystem::create_directories(s->dir, ec);
    if (ec) return Status::IoError(std::string("cannot create a directory in private/") + purpose + ": " + ec.message());
    for (const auto& d : {s->dir.parent_path().parent_path(), s->dir.parent_path(), s->dir})
      std::filesystem::permissions(d, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    return s;
  }

  static Status WriteFile(const std::filesystem::path& path, const std::string& data) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.close();
    if (!f) return Status::IoError("cannot write an uploaded file");
    return Status::Ok();
  }

  Status PublishReport(Call& call, const Result<quality::PublishReport>& report) {
    if (!report.ok()) return report.status();
    int64_t failures = 0;
    for (const auto& r : report->checks.results) failures += r.passed ? 0 : 1;
    metrics.CountPublish(report->outcome, failures);
    // A new snapshot or a refusal changes what the monitor sees: look now.
    if (monitor) monitor->Wake();
    return ReplyWithResult(call, service::PublishStatus(*report), service::ToJson(*report));
  }

  Status Publish(Call& call) {
    const std::string& id = call.params[0];
    std::string format = call.req.get_param_value("format");
    std::string mode = call.req.get_param_value("mode");
    if (format.empty()) format = "csv";
    if (format != "csv" && format != "parquet" && format != "json")
      return Status::InvalidArgument("format must be csv, parquet or json");
    if (mode.empty()) mode = "replace";
    if (mode != "replace" && mode != "append") return Status::InvalidArgument("mode must be replace or append");
    const std::string from_source = call.req.get_param_value("fromSource");
    if (!from_source.empty() && from_source != "true" && from_source != "false")
      return Status::InvalidArgument("fromSource must be true or false");
    if (from_source == "true") {
      if (!call.req.body.empty()) return Status::InvalidArgument("fromSource=true takes no body: the source is the input");
      ASSIGN_OR_RETURN(service::Force force, ForceOf(call));
      quality::PublishRequest request{.target = id, .mode = mode, .object = call.req.get_param_value("object"),
                                      .force = force.force, .force_reason = force.reason};
      return PublishReport(call, service::PublishService(*mesh).PublishFromSource(CallerOf(call), std::move(request)));
    }
    if (call.req.body.empty()) return Status::InvalidArgument("the body must be the input file (CSV, Parquet or NDJSON)");
    ASSIGN_OR_RETURN(auto scratch, MakeScratch());
    std::filesystem::path input = scratch->dir / ("upload." + std::string(format == "json" ? "ndjson" : format));
    RETURN_IF_ERROR(WriteFile(input, call.req.body));
    ASSIGN_OR_RETURN(service::Force force, ForceOf(call));
    quality::PublishRequest request{.target = id, .files = {input}, .mode = mode, .format = format,
                                    .object = call.req.get_param_value("object"), .force = force.force,
                                    .force_reason = force.reason};
    return PublishReport(call, service::PublishService(*mesh).Publish(CallerOf(call), std::move(request)));
  }

  // POST /products/{id}/stream: the body's lines go to a stream session as
  // they arrive, so a stream of any length holds one batch in memory. The
  // answer comes when the body ends (httplib answers after the handler):
  // an ack line per committed batch and a summary line with the offset to
  // resume from. A producer that goes away mid-body loses only its last,
  // unfinished line: its whole lines are committed and the offset says so.
  Status Stream(Call& call) {
    if (!call.reader) return Status::Internal("the stream route was served without its body reader");
    std::optional<int64_t> from;
    if (call.req.has_param("from")) {
      ASSIGN_OR_RETURN(from, IdParam(call.req.get_param_value("from"), "from"));
    }
    ASSIGN_OR_RETURN(auto session, service::StreamSession::Open(*mesh, CallerOf(call),
                                                                {.product = call.params[0],
                                                                 .producer = call.req.get_param_value("producer"),
                                                                 .from = from}));
    std::string pending;
    Status status;
    const size_t max_line = static_cast<size_t>(session->max_bytes());
    const bool whole = (*call.reader)([&](const char* data, size_t n) {
      pending.append(data, n);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        status = session->Add(std::string_view(pending).substr(start, nl - start));
        if (!status.ok()) return false;
      }
      pending.erase(0, start);
      if (pending.size() > max_line) {
        status = Status::InvalidArgument(fmt::format("a line of the stream is over the product's batch limit of {} bytes "
                                                     "(weft.stream maxBytes)", max_line));
        return false;
      }
      return true;
    });
    if (status.ok() && whole && !pending.empty()) status = session->Add(pending);  // the last line, unterminated
    auto summary = session->Finish();
    if (!status.ok()) return status;
    if (!summary.ok()) return summary.status();
    std::string body;
    for (const auto& a : summary->acks) body += service::ToJson(a).dump() + "\n";
    json last = service::ToJson(*summary);
    last.erase("acks");
    last["done"] = whole;
    if (!whole) last["message"] = "the body ended early: the whole lines it carried are committed";
    body += last.dump() + "\n";
    call.res.status = 200;
    call.res.set_content(body, "application/x-ndjson");
    return Status::Ok();
  }

  // GET /products/{id}/changes?since=S[&wait=N]: a columns line, row
  // arrays, then the done line naming the snapshot to follow on from (or a
  // reset line). The answer is held until it is sent, up to a bound: a
  // consumer far behind follows on in steps.
  Status Changes(Call& call) {
    static constexpr size_t kMaxBytes = 64 << 20;
    double wait = 0;
    if (call.req.has_param("wait")) {
      ASSIGN_OR_RETURN(int64_t w, IdParam(call.req.get_param_value("wait"), "wait"));
      wait = static_cast<double>(w);
    }
    const std::string since = call.req.get_param_value("since");
    std::string body;
    bool started = false;
    auto on_rows = [&](const std::vector<std::string>& columns,
                       const std::vector<std::vector<std::optional<std::string>>>& rows) -> Status {
      if (!started) body += json{{"columns", columns}}.dump() + "\n";
      started = true;
      for (const auto& r : rows) body += service::RowJson(r).dump() + "\n";
      if (body.size() > kMaxBytes)
        return Status::ResourceExhausted(fmt::format(
            "the rows appended since {} are over {} MiB: follow on in steps (read the product at a snapshot in between "
            "with POST /api/v1/query and at, or read it whole)", since, kMaxBytes >> 20));
      return Status::Ok();
    };
    ASSIGN_OR_RETURN(service::Changes changes,
                     service::ReadChanges(*mesh, CallerOf(call),
                                          {.product = call.params[0], .since = since, .wait_seconds = wait, .on_rows = on_rows}));
    if (!started && !changes.reset) body += json{{"columns", changes.answer.columns}}.dump() + "\n";
    body += service::ToJson(changes, since).dump() + "\n";
    call.res.status = 200;
    call.res.set_content(body, "application/x-ndjson");
    return Status::Ok();
  }

  // force=true&reason=TEXT: publish past a refusing guard (audited).
  static Result<service::Force> ForceOf(Call& call) {
    const std::string force = call.req.get_param_value("force");
    if (!force.empty() && force != "true" && force != "false") return Status::InvalidArgument("force must be true or false");
    return service::Force{.force = force == "true", .reason = call.req.get_param_value("reason")};
  }

  Status Run(Call& call) {
    ASSIGN_OR_RETURN(service::Force force, ForceOf(call));
    return PublishReport(call, service::PublishService(*mesh).Run(CallerOf(call), call.params[0], force));
  }

  Status Rollback(Call& call) {
    return PublishReport(call, service::PublishService(*mesh).Rollback(CallerOf(call), call.params[0],
                                                                        call.req.get_param_value("to"),
                                                                        call.req.get_param_value("reason")));
  }

  // --- monitoring: SLA status, incidents, the monitor pass, subscriptions, webhooks ---

  Status Incidents(Call& call) {
    catalog::IncidentFilter filter{.product_id = call.req.get_param_value("product"),
                                   .status = call.req.get_param_value("status"), .limit = 0};
    if (call.req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t limit, IdParam(call.req.get_param_value("limit"), "limit"));
      filter.limit = static_cast<int>(std::min<int64_t>(limit, 100000));
    }
    auto list = service::MonitorService(*mesh).Incidents(CallerOf(call), filter);
    if (!list.ok()) return list.status();
    json out = json::array();
    for (const auto& i : *list) out.push_back(service::ToJson(i));
    call.Json({{"incidents", out}});
    return Status::Ok();
  }

  // POST /incidents/{incident}/{ack|assign|resolve|note} with {note, assignee, falsePositive}.
  Status IncidentChange(Call& call, service::IncidentChange::Kind kind) {
    ASSIGN_OR_RETURN(int64_t id, IdParam(call.params[0], "incident id"));
    json body = json::object();
    if (!call.req.body.empty()) {
      ASSIGN_OR_RETURN(body, ParseJsonBody(call.req));
    }
    service::IncidentChange change{.kind = kind, .assignee = "", .note = "", .false_positive = false};
    ASSIGN_OR_RETURN(change.note, StringField(body, "note"));
    ASSIGN_OR_RETURN(change.assignee, StringField(body, "assignee", kind == service::IncidentChange::Kind::kAssign));
    if (auto fp = body.find("falsePositive"); fp != body.end() && !fp->is_null()) {
      if (!fp->is_boolean()) return Status::InvalidArgument("\"falsePositive\" must be true or false");
      change.false_positive = fp->get<bool>();
    }
    return Reply(call, service::MonitorService(*mesh).Change(CallerOf(call), id, change));
  }

  // POST /monitor/run?now=ISO: one pass as of now (or the given time), then the deliveries due.
  Status MonitorRun(Call& call) {
    int64_t now = SystemClock().NowMillis();
    if (call.req.has_param("now")) {
      auto at = ParseIsoMillis(call.req.get_param_value("now"));
      if (!at) return Status::InvalidArgument("now must be an ISO 8601 time such as 2026-12-05T10:00:00Z");
      now = *at;
    }
    return Reply(call, service::MonitorService(*mesh).Pass(CallerOf(call), now));
  }

  Status Subscriptions(Call& call, std::optional<bool> on) {
    service::MonitorService monitoring(*mesh);
    Result<std::vector<catalog::SubscriptionRecord>> list = std::vector<catalog::SubscriptionRecord>();
    if (!on) {
      list = monitoring.Subscriptions(CallerOf(call));
    } else if (*on) {
      ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
      ASSIGN_OR_RETURN(std::string product, StringField(body, "product", true));
      list = monitoring.Subscribe(CallerOf(call), product, true);
    } else {
      list = monitoring.Subscribe(CallerOf(call), call.params[0], false);
    }
    if (!list.ok()) return list.status();
    json out = json::array();
    for (const auto& x : *list) out.push_back(service::ToJson(x));
    call.Json({{"subscriptions", out}});
    return Status::Ok();
  }

  Status Webhooks(Call& call) {
    auto list = service::MonitorService(*mesh).Webhooks(CallerOf(call));
    if (!list.ok()) return list.status();
    json out = json::array();
    for (const auto& x : *list) out.push_back(service::ToJson(x));
    call.Json({{"webhooks", out}});
    return Status::Ok();
  }

  Status WebhookCreate(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    ASSIGN_OR_RETURN(std::string url, StringField(body, "url", true));
    ASSIGN_OR_RETURN(std::vector<std::string> events, StringListField(body, "events"));
    return Reply(call, service::MonitorService(*mesh).AddWebhook(CallerOf(call), url, events), 201);
  }

  // plan/apply take the tree as {"files": {"domains/sales/domain.yaml": "...", ...}}.
  // The planner refuses every write outside the domains the caller owns
  // (service::Authorizer), whichever document kind asks for it.
  Status PlanApply(Call& call, bool apply) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    auto files = body.find("files");
    if (files == body.end() || !files->is_object() || files->empty())
      return Status::InvalidArgument("the body needs \"files\": an object of relative path -> file text");
    for (const auto& [rel, text] : files->items()) {
      RETURN_IF_ERROR(CheckTreePath(rel));
      if (!text.is_string()) return Status::InvalidArgument("files[\"" + rel + "\"] must be a string");
    }
    ASSIGN_OR_RETURN(const bool prune, BoolField(body, "prune"));
    ASSIGN_OR_RETURN(auto scratch, MakeScratch());
    for (const auto& [rel, text] : files->items()) RETURN_IF_ERROR(WriteFile(scratch->dir / rel, text.get<std::string>()));
    auto plan = service::ControlService(*mesh).Plan(CallerOf(call), scratch->dir,
                                                    {.apply = apply, .prune = prune, .show_root_as = ""});
    if (!plan.ok()) return plan.status();
    return ReplyWithResult(call, service::PlanStatus(*plan), service::ToJson(*plan));
  }

  Status Impact(Call& call) {
    if (call.req.body.empty()) return Status::InvalidArgument("the body must be the proposed contract (ODCS YAML)");
    auto impact = service::LineageService(*mesh).Impact(CallerOf(call), call.req.body, "proposed.odcs.yaml");
    if (!impact.ok()) return impact.status();
    return ReplyWithResult(call, service::ImpactStatus(*impact), service::ToJson(*impact));
  }

  // --- governance -------------------------------------------------------------------------------

  Status WaiverAdd(Call& call) {
    ASSIGN_OR_RETURN(json body, ParseJsonBody(call.req));
    catalog::WaiverRecord w;
    ASSIGN_OR_RETURN(w.policy_id, StringField(body, "policy", true));
    ASSIGN_OR_RETURN(w.subject, StringField(body, "subject", true));
    ASSIGN_OR_RETURN(w.reason, StringField(body, "reason", true));
    ASSIGN_OR_RETURN(w.expires_at, StringField(body, "expiresAt", true));
    // Through the API the approver is whoever the token belongs to: the
    // audit trail must not name someone who never approved.
    ASSIGN_OR_RETURN(std::string approver, StringField(body, "approver"));
    if (!approver.empty() && approver != call.principal.name)
      return Status::InvalidArgument("the approver of a waiver made through the API is its caller (" + call.principal.name + ")");
    w.approver = call.principal.name;
    return Reply(call, service::GovernanceService(*mesh).AddWaiver(CallerOf(call), std::move(w)), 201);
  }
};

namespace {

std::vector<Route> RouteTable() {
  const std::string product = "Products";
  const std::string kIceberg = "Iceberg";
  return {
      {"GET", "/healthz", Role::kPublic, "Liveness: the process serves requests", {}, "", "application/json", "Operations"},
      {"GET", "/readyz", Role::kPublic, "Readiness: the catalog answers", {}, "", "application/json", "Operations"},
      {"GET", "/metrics", Role::kPublic, "Prometheus metrics (text format 0.0.4)", {}, "", "text/plain", "Operations"},
      {"GET", "/api/openapi.json", Role::kPublic, "This document", {}, "", "application/json", "Operations"},
      {"GET", "/api/v1/me", Role::kConsumer, "Who the token belongs to: principal, groups, roles, owned domains", {}, "", "application/json", "Access", "Me"},
      {"GET", "/api/v1/domains", Role::kConsumer, "Domains with owners, budgets and storage roots", {}, "", "application/json", "Catalog", "Domains"},
      {"GET", "/api/v1/search", Role::kConsumer, "Search products, with facets (domain, tag, classification, column_tag, status, quality), and the glossary terms that match",
       {{"q", "Words to look for"}, {"domain", "Only this domain"}, {"tag", "Only this tag"},
        {"classification", "Only products with a column of this classification"},
        {"column_tag", "Only products with a column of this tag"}, {"status", "Only this status"},
        {"quality", "Only this quality: passing, warnings, failing, none"}, {"limit", "Most hits (1-1000)", false, "integer"}},
       "", "application/json", "Catalog", "Search"},
      {"GET", "/api/v1/glossary", Role::kConsumer, "The business glossary: every term with how many columns use it", {}, "",
       "application/json", "Catalog", "Glossary"},
      {"GET", "/api/v1/glossary/{term}", Role::kConsumer,
       "A glossary term: definition, owners, synonyms, related terms and every column that names it", {}, "",
       "application/json", "Catalog", "GlossaryTerm"},
      {"GET", "/api/v1/products", Role::kConsumer, "Every product with its versions", {}, "", "application/json", product, "Products"},
      {"GET", "/api/v1/products/{id}", Role::kConsumer,
       "A product page: description, owners, support, versions, contract schema, freshness, what the caller may read, consumers",
       {}, "", "application/json", product, "ProductPage"},
      {"GET", "/api/v1/products/{id}/sample", Role::kConsumer, "Up to 20 rows, masked and filtered for the caller", {}, "", "application/json", product, "Sample"},
      {"GET", "/api/v1/products/{id}/history", Role::kConsumer,
       "Publish history: each quality rule across the recent publishes (view=rules, the default), the attempts "
       "(view=publishes), or one publish's results (view=quality with publish or snapshot)",
       {{"view", "rules, publishes or quality"}, {"limit", "Most publishes", false, "integer"}, {"publish", "A publish id (view=quality)"},
        {"snapshot", "A snapshot id (view=quality)"}}, "", "application/json", product, "RuleHistory"},
      {"GET", "/api/v1/products/{id}/sla", Role::kConsumer, "The product's SLAs judged now, with their history of changes",
       {{"history", "Most changes of state (default 20)", false, "integer"}}, "", "application/json", product},
      {"GET", "/api/v1/products/{id}/lineage", Role::kConsumer, "Lineage graph with column lineage",
       {{"direction", "both (default), upstream or downstream"}}, "", "application/json", product, "Lineage"},
      {"GET", "/api/v1/products/{id}/usage", Role::kOwner, "Who reads the product, which columns, how often",
       {{"since", "YYYY-MM-DD"}}, "", "application/json", product, "Usage"},
      {"GET", "/api/v1/products/{id}/quarantine", Role::kOwner, "Rows the latest publish quarantined, with reasons",
       {{"publish", "A publish id"}, {"limit", "Most rows", false, "integer"}}, "", "application/json", product, "Quarantine"},
      {"GET", "/api/v1/products/{id}/changelog", Role::kConsumer,
       "The product's contract versions, newest first, with the dates, semver bump and changes of each", {}, "",
       "application/json", product, "Changelog"},
      {"GET", "/api/v1/products/{id}/diff", Role::kConsumer, "What changed between two contract versions (weft diff's rules)",
       {{"from", "The older version (1.0.0; default: the one before to)"}, {"to", "The newer version (default: the newest)"}}, "",
        "application/json", product, "VersionDiff"},
      {"GET", "/api/v1/products/{id}/profile", Role::kConsumer,
       "Column profiles of the current snapshot; min, max and top values only of columns the caller reads in clear over every row",
       {}, "", "application/json", product, "Profile"},
      {"GET", "/api/v1/products/{id}/audit", Role::kConsumer,
       "The product's audit trail, newest first (owners of its domain, stewards, admins)",
       {{"limit", "Most events (default 200)", false, "integer"}}, "", "application/json", product, "AuditEvents"},
      {"POST", "/api/v1/products/{id}/publish", Role::kOwner, "Publish the uploaded file as a new snapshot (contract-checked)",
       {{"format", "csv (default), parquet or json (NDJSON)"}, {"mode", "replace (default) or append"},
        {"object", "The contract's schema object, when it has several"},
        {"fromSource", "true: read the input from the product's operational database (weft.source); no body", false,
         "boolean"},
        {"force", "true: publish although a publish guard refuses (needs reason; audited)", false, "boolean"},
        {"reason", "Why a guard is overridden"}},
       "application/octet-stream", "application/json", product, "PublishReport"},
      {"POST", "/api/v1/products/{id}/run", Role::kOwner, "Run a derived product's transform over its inputs' current snapshots",
       {{"force", "true: publish although a publish guard refuses (needs reason; audited)", false, "boolean"},
        {"reason", "Why a guard is overridden"}}, "", "application/json", product, "PublishReport"},
      {"POST", "/api/v1/products/{id}/rollback", Role::kOwner, "Make an earlier kept snapshot current again (audited)",
       {{"to", "The snapshot to restore", true}, {"reason", "Why (audited)", true}}, "", "application/json", product, "PublishReport"},
      {"POST", "/api/v1/products/{id}/stream", Role::kOwner,
       "Stream NDJSON rows into a streaming product (weft.stream): committed as contract-checked micro-batches, "
       "one ack line per batch with its snapshot, then a summary line with the offset to resume from",
       {{"producer", "The producer's name for its stream (default: the caller)"},
        {"from", "The offset of the body's first line in the producer's stream (default: where it is committed); "
                 "lines below the committed offset are skipped", false, "integer"}},
       kStreamBody, "application/x-ndjson", product},
      {"GET", "/api/v1/products/{id}/stream", Role::kOwner, "Each producer of a streaming product and how far it is committed",
       {}, "", "application/json", product},
      {"POST", "/api/v1/products/{id}/compact", Role::kOwner,
       "Merge the product's small data files into larger ones: a new snapshot with the same rows in the same order",
       {{"minFiles", "Compact only a snapshot of more data files than this (default 64)", false, "integer"}},
       "", "application/json", product},
      {"GET", "/api/v1/products/{id}/changes", Role::kConsumer,
       "The rows appended after a snapshot that the caller may read (masks and row filters apply): a columns line, row "
       "arrays, then a done line naming the snapshot to follow on from, or a reset line after a replace",
       {{"since", "The snapshot the feed follows on from", true},
        {"wait", "Long-poll: wait up to this many seconds (at most 60) for a commit when nothing is new", false, "integer"}},
       "", "application/x-ndjson", product},
      {"GET", "/api/v1/versions", Role::kConsumer, "Every served port version with its lifecycle dates", {}, "", "application/json", product, "Versions"},
      {"POST", "/api/v1/plan", Role::kOwner, "Plan a spec tree ({files: {path: text}}) against the catalog", {}, "application/json", "application/json", "Control plane", "Plan"},
      {"POST", "/api/v1/apply", Role::kOwner, "Apply a spec tree: provision, register, configure, in one transaction", {}, "application/json", "application/json", "Control plane", "Plan"},
      {"POST", "/api/v1/impact", Role::kConsumer, "Downstream products and columns a proposed contract breaks (body: ODCS YAML)", {}, "application/yaml", "application/json", "Lineage", "Impact"},
      {"POST", "/api/v1/query", Role::kConsumer, "One governed SELECT; rows streamed as NDJSON (columns line, row arrays, a done line)",
       {{"format", "ndjson (default), csv (streamed, with a header line) or parquet (one file, sent when the query is done)"}},
       "application/json", "application/x-ndjson", "Query"},
      {"GET", "/api/v1/query/schema", Role::kConsumer,
       "The product versions and columns the caller may query, with types, mask state and whether a row filter applies",
       {}, "", "application/json", "Query", "QuerySchema"},
      {"GET", "/api/v1/access/requests", Role::kConsumer, "Access requests and grants the caller made, holds or decides",
       {{"scope", "mine or pending (the approval inbox)"}}, "", "application/json", "Access", "AccessList"},
      {"POST", "/api/v1/access/requests", Role::kConsumer, "Ask a product's owners for read access", {}, "application/json", "application/json", "Access", "AccessRequest"},
      {"POST", "/api/v1/access/requests/{request}/approve", Role::kOwner, "Approve a pending request (optionally with a row filter)", {}, "application/json", "application/json", "Access"},
      {"POST", "/api/v1/access/requests/{request}/deny", Role::kOwner, "Deny a pending request", {}, "application/json", "application/json", "Access"},
      {"GET", "/api/v1/grants", Role::kConsumer, "Requests and grants the caller holds or decides", {}, "", "application/json", "Access", "AccessList"},
      {"POST", "/api/v1/grants", Role::kOwner, "Grant access directly (owners, admins)", {}, "application/json", "application/json", "Access"},
      {"DELETE", "/api/v1/grants/{grant}", Role::kOwner, "Revoke a grant; it stops working at once", {}, "", "application/json", "Access"},
      {"GET", "/api/v1/principals", Role::kConsumer, "Principals with their groups and attributes", {}, "", "application/json", "Access", "Principals"},
      {"POST", "/api/v1/principals", Role::kAdmin, "Register a principal: {name, kind, groups, attributes}", {}, "application/json", "application/json", "Access", "Principal"},
      {"POST", "/api/v1/principals/{name}", Role::kAdmin, "Change a principal: {groups, attributes, clearGroups, clearAttributes}", {}, "application/json", "application/json", "Access", "Principal"},
      {"GET", "/api/v1/tokens", Role::kConsumer, "The caller's tokens (all, for admins); never the secrets", {}, "", "application/json", "Access", "Tokens"},
      {"POST", "/api/v1/tokens", Role::kConsumer, "Make a token (for another principal: admins); shown once", {}, "application/json", "application/json", "Access", "IssuedToken"},
      {"DELETE", "/api/v1/tokens/{token}", Role::kConsumer, "Revoke a token (one's own; any, for admins)", {}, "", "application/json", "Access"},
      {"GET", "/api/v1/cost", Role::kConsumer, "Showback for one month: cost per consuming domain and product, storage per domain",
       {{"month", "YYYY-MM (default: this month)"}, {"domain", "Only this consuming domain"}}, "", "application/json", "Cost", "Cost"},
      {"GET", "/api/v1/cost/monthly", Role::kConsumer, "Query cost per month (and the domain's budget), for charts",
       {{"domain", "Only this consuming domain"}}, "", "application/json", "Cost", "MonthlyCost"},
      {"GET", "/api/v1/policies", Role::kConsumer, "The policies in force", {}, "", "application/json", "Governance", "Policies"},
      {"GET", "/api/v1/policies/violations", Role::kConsumer, "The policies run over the catalog as it is", {}, "", "application/json", "Governance", "Violations"},
      {"GET", "/api/v1/waivers", Role::kConsumer, "Policy waivers", {}, "", "application/json", "Governance", "Waivers"},
      {"POST", "/api/v1/waivers", Role::kSteward, "Waive a policy for one subject until a date", {}, "application/json", "application/json", "Governance", "Waiver"},
      {"DELETE", "/api/v1/waivers/{waiver}", Role::kSteward, "Remove a waiver", {}, "", "application/json", "Governance"},
      {"GET", "/api/v1/audit", Role::kSteward, "The audit trail",
       {{"object", "An object, or a prefix ending in *"}, {"since", "ISO 8601"}, {"limit", "Most events", false, "integer"}},
       "", "application/json", "Governance", "AuditEvents"},
      {"GET", "/api/v1/history", Role::kConsumer, "Last good publish and latest attempt of every product", {}, "", "application/json", "Catalog", "HistoryOverview"},
      {"GET", "/api/v1/sla", Role::kConsumer, "Every product's SLAs judged now, with their history of changes",
       {{"product", "Only this product"}, {"history", "Most changes of state per product (default 20)", false, "integer"}},
       "", "application/json", "Monitoring"},
      {"GET", "/api/v1/incidents", Role::kConsumer, "Incidents, newest first",
       {{"product", "Only this product"}, {"status", "open, acknowledged, resolved or unresolved"},
        {"limit", "Most incidents", false, "integer"}}, "", "application/json", "Monitoring"},
      {"GET", "/api/v1/incidents/{incident}", Role::kConsumer, "One incident with its timeline", {}, "", "application/json", "Monitoring"},
      {"POST", "/api/v1/incidents/{incident}/ack", Role::kConsumer, "Acknowledge an incident (the product's owners): {note}", {}, "application/json", "application/json", "Monitoring"},
      {"POST", "/api/v1/incidents/{incident}/assign", Role::kConsumer, "Assign an incident to a principal: {assignee, note}", {}, "application/json", "application/json", "Monitoring"},
      {"POST", "/api/v1/incidents/{incident}/resolve", Role::kConsumer, "Resolve an incident: {note, falsePositive}", {}, "application/json", "application/json", "Monitoring"},
      {"POST", "/api/v1/incidents/{incident}/note", Role::kConsumer, "Add a note to an incident's timeline: {note}", {}, "application/json", "application/json", "Monitoring"},
      {"POST", "/api/v1/monitor/run", Role::kAdmin, "One monitor pass (SLAs, incidents, notifications), then the deliveries due",
       {{"now", "Judge as of this ISO 8601 time (default: now)"}}, "", "application/json", "Monitoring"},
      {"GET", "/api/v1/subscriptions", Role::kConsumer, "The caller's subscriptions", {}, "", "application/json", "Monitoring"},
      {"POST", "/api/v1/subscriptions", Role::kConsumer, "Subscribe to a product's events: {product} (\"*\": every product)", {}, "application/json", "application/json", "Monitoring"},
      {"DELETE", "/api/v1/subscriptions/{product}", Role::kConsumer, "Unsubscribe from a product's events", {}, "", "application/json", "Monitoring"},
      {"GET", "/api/v1/webhooks", Role::kConsumer, "The caller's webhooks (everyone's, for admins) with recent deliveries", {}, "", "application/json", "Monitoring"},
      {"POST", "/api/v1/webhooks", Role::kConsumer, "Add a webhook: {url, events}; the answer carries its signing secret, once", {}, "application/json", "application/json", "Monitoring"},
      {"DELETE", "/api/v1/webhooks/{webhook}", Role::kConsumer, "Remove a webhook", {}, "", "application/json", "Monitoring"},
      {"POST", "/api/v1/webhooks/{webhook}/test", Role::kConsumer, "Send a webhook.test event now and answer with its delivery", {}, "", "application/json", "Monitoring"},
      // The Iceberg REST catalog (Apache Iceberg's OpenAPI spec documents
      // these, so /api/openapi.json leaves them out). HEAD is GET's route.
      {"GET", "/iceberg/v1/config", Role::kConsumer, "getConfig", {}, "", "application/json", kIceberg},
      {"GET", "/iceberg/v1/namespaces", Role::kConsumer, "listNamespaces", {}, "", "application/json", kIceberg},
      {"GET", "/iceberg/v1/namespaces/{namespace}", Role::kConsumer, "loadNamespaceMetadata, namespaceExists", {}, "", "application/json", kIceberg},
      {"GET", "/iceberg/v1/namespaces/{namespace}/tables", Role::kConsumer, "listTables", {}, "", "application/json", kIceberg},
      {"GET", "/iceberg/v1/namespaces/{namespace}/tables/{table}", Role::kConsumer, "loadTable, tableExists", {}, "", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/tables/{table}/plan", Role::kConsumer, "planTableScan", {}, "application/json", "application/json", kIceberg},
      {"GET", "/iceberg/v1/namespaces/{namespace}/tables/{table}/plan/{plan-id}", Role::kConsumer, "fetchPlanningResult", {}, "", "application/json", kIceberg},
      {"DELETE", "/iceberg/v1/namespaces/{namespace}/tables/{table}/plan/{plan-id}", Role::kConsumer, "cancelPlanning", {}, "", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/tables/{table}/tasks", Role::kConsumer, "fetchScanTasks", {}, "application/json", "application/json", kIceberg},
      // Writes: refused (406), as producers publish through weft, where the contract is checked.
      {"POST", "/iceberg/v1/namespaces", Role::kConsumer, "createNamespace (refused)", {}, "application/json", "application/json", kIceberg},
      {"DELETE", "/iceberg/v1/namespaces/{namespace}", Role::kConsumer, "dropNamespace (refused)", {}, "", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/properties", Role::kConsumer, "updateProperties (refused)", {}, "application/json", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/tables", Role::kConsumer, "createTable (refused)", {}, "application/json", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/tables/{table}", Role::kConsumer, "updateTable (refused)", {}, "application/json", "application/json", kIceberg},
      {"DELETE", "/iceberg/v1/namespaces/{namespace}/tables/{table}", Role::kConsumer, "dropTable (refused)", {}, "", "application/json", kIceberg},
      {"POST", "/iceberg/v1/namespaces/{namespace}/register", Role::kConsumer, "registerTable (refused)", {}, "application/json", "application/json", kIceberg},
      {"POST", "/iceberg/v1/tables/rename", Role::kConsumer, "renameTable (refused)", {}, "application/json", "application/json", kIceberg},
      {"POST", "/iceberg/v1/transactions/commit", Role::kConsumer, "commitTransaction (refused)", {}, "application/json", "application/json", kIceberg},
      // The Model Context Protocol for AI agents (server/mcp.h, docs/mcp.md).
      {"POST", "/mcp", Role::kConsumer, "MCP: one JSON-RPC message (Streamable HTTP)", {}, "application/json", "application/json", "MCP"},
      {"DELETE", "/mcp", Role::kConsumer, "MCP: end the session", {}, "", "", "MCP"},
  };
}

}  // namespace

Status Server::Impl::Dispatch(Call& call) {
  const std::string key = call.route.method + " " + call.route.path;
  const httplib::Request& req = call.req;
  const auto& p = call.params;
  if (key == "GET /healthz") {
    call.Json({{"status", "ok"}});
    return Status::Ok();
  }
  if (key == "GET /readyz") {
    auto g = mesh->store().Generation();
    if (!g.ok() || !ready) {
      SendProblem(req, call.res, MakeProblem(503, "not-ready", g.ok() ? "starting" : g.status().message()));
      return Status::Ok();
    }
    call.Json({{"status", "ready"}, {"generation", *g}});
    return Status::Ok();
  }
  if (key == "GET /metrics") {
    call.res.set_content(metrics.Render(), "text/plain; version=0.0.4");
    return Status::Ok();
  }
  if (key == "GET /api/openapi.json") {
    call.Json(OpenApiDocument(routes, kVersion));
    return Status::Ok();
  }
  if (IsIceberg(call.route.path)) return Iceberg(call);
  if (call.route.path == "/mcp") {
    mcp->Handle(CallerOf(call), call.token_id, req, call.res);
    return Status::Ok();
  }
  if (key == "GET /api/v1/me") return Me(call);
  const service::Caller caller = CallerOf(call);
  service::CatalogService catalog(*mesh);
  if (key == "GET /api/v1/domains") return Reply(call, catalog.Domains(caller));
  if (key == "GET /api/v1/search") return Search(call);
  if (key == "GET /api/v1/glossary") return Reply(call, service::GlossaryService(*mesh).Terms(caller));
  if (key == "GET /api/v1/glossary/{term}") return Reply(call, service::GlossaryService(*mesh).Term(caller, p[0]));
  if (key == "GET /api/v1/products") return Reply(call, catalog.Products(caller));
  if (key == "GET /api/v1/versions") return Reply(call, catalog.Versions(caller));
  if (key == "GET /api/v1/products/{id}") return Product(call);
  if (key == "GET /api/v1/products/{id}/sample") return Sample(call);
  if (key == "GET /api/v1/products/{id}/history") return History(call);
  if (key == "GET /api/v1/products/{id}/lineage") return Lineage(call);
  if (key == "GET /api/v1/products/{id}/usage")
    return Reply(call, service::FinopsService(*mesh).Usage(caller, p[0], req.get_param_value("since")));
  if (key == "GET /api/v1/products/{id}/quarantine") return Quarantine(call);
  if (key == "GET /api/v1/products/{id}/changelog") return Reply(call, catalog.VersionsOf(caller, p[0]));
  if (key == "GET /api/v1/products/{id}/diff")
    return Reply(call, catalog.Diff(caller, p[0], req.get_param_value("from"), req.get_param_value("to")));
  if (key == "GET /api/v1/products/{id}/profile") return Reply(call, catalog.Profile(caller, p[0]));
  if (key == "GET /api/v1/products/{id}/audit") {
    int limit = 200;
    if (req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t n, IdParam(req.get_param_value("limit"), "limit"));
      limit = static_cast<int>(std::min<int64_t>(n, 100000));
    }
    return Reply(call, catalog.ProductAudit(caller, p[0], limit));
  }
  if (key == "POST /api/v1/products/{id}/publish") return Publish(call);
  if (key == "POST /api/v1/products/{id}/run") return Run(call);
  if (key == "POST /api/v1/products/{id}/stream") return Stream(call);
  if (key == "GET /api/v1/products/{id}/stream") {
    ASSIGN_OR_RETURN(auto offsets, service::StreamOffsets(*mesh, caller, p[0]));
    json list = json::array();
    for (const auto& o : offsets) list.push_back(service::ToJson(o));
    call.Json({{"product", p[0]}, {"producers", list}});
    return Status::Ok();
  }
  if (key == "GET /api/v1/products/{id}/changes") return Changes(call);
  if (key == "POST /api/v1/products/{id}/compact") {
    int64_t min_files = static_cast<int64_t>(quality::CompactRequest{}.min_files);
    if (req.has_param("minFiles")) {
      ASSIGN_OR_RETURN(min_files, IdParam(req.get_param_value("minFiles"), "minFiles"));
    }
    return Reply(call, service::CompactProduct(*mesh, caller, p[0], static_cast<size_t>(min_files)));
  }
  if (key == "POST /api/v1/products/{id}/rollback") return Rollback(call);
  if (key == "GET /api/v1/sla" || key == "GET /api/v1/products/{id}/sla") {
    int history = 20;
    if (req.has_param("history")) {
      ASSIGN_OR_RETURN(int64_t h, IdParam(req.get_param_value("history"), "history"));
      history = static_cast<int>(std::min<int64_t>(h, 10000));
    }
    const std::string product = key == "GET /api/v1/sla" ? req.get_param_value("product") : p[0];
    return Reply(call, service::MonitorService(*mesh).SlaStatus(caller, product, history));
  }
  if (key == "GET /api/v1/incidents") return Incidents(call);
  if (key == "GET /api/v1/incidents/{incident}") {
    ASSIGN_OR_RETURN(int64_t id, IdParam(p[0], "incident id"));
    return Reply(call, service::MonitorService(*mesh).Incident(caller, id));
  }
  using IncidentKind = service::IncidentChange::Kind;
  if (key == "POST /api/v1/incidents/{incident}/ack") return IncidentChange(call, IncidentKind::kAcknowledge);
  if (key == "POST /api/v1/incidents/{incident}/assign") return IncidentChange(call, IncidentKind::kAssign);
  if (key == "POST /api/v1/incidents/{incident}/resolve") return IncidentChange(call, IncidentKind::kResolve);
  if (key == "POST /api/v1/incidents/{incident}/note") return IncidentChange(call, IncidentKind::kNote);
  if (key == "POST /api/v1/monitor/run") return MonitorRun(call);
  if (key == "GET /api/v1/subscriptions") return Subscriptions(call, std::nullopt);
  if (key == "POST /api/v1/subscriptions") return Subscriptions(call, true);
  if (key == "DELETE /api/v1/subscriptions/{product}") return Subscriptions(call, false);
  if (key == "GET /api/v1/webhooks") return Webhooks(call);
  if (key == "POST /api/v1/webhooks") return WebhookCreate(call);
  if (key == "DELETE /api/v1/webhooks/{webhook}") {
    RETURN_IF_ERROR(service::MonitorService(*mesh).RemoveWebhook(caller, p[0]));
    call.Json({{"id", p[0]}, {"status", "removed"}});
    return Status::Ok();
  }
  if (key == "POST /api/v1/webhooks/{webhook}/test") return Reply(call, service::MonitorService(*mesh).TestWebhook(caller, p[0]));
  if (key == "POST /api/v1/plan") return PlanApply(call, false);
  if (key == "POST /api/v1/apply") return PlanApply(call, true);
  if (key == "POST /api/v1/impact") return Impact(call);
  if (key == "POST /api/v1/query") return Query(call);
  if (key == "GET /api/v1/query/schema") return Reply(call, service::QueryService(*mesh).Schema(caller));
  if (key == "GET /api/v1/access/requests" || key == "GET /api/v1/grants") return AccessList(call);
  if (key == "POST /api/v1/access/requests") return AccessRequest(call);
  if (key == "POST /api/v1/access/requests/{request}/approve") return AccessDecide(call, true);
  if (key == "POST /api/v1/access/requests/{request}/deny") return AccessDecide(call, false);
  if (key == "POST /api/v1/grants") return GrantCreate(call);
  if (key == "DELETE /api/v1/grants/{grant}") return GrantRevoke(call);
  if (key == "GET /api/v1/principals") return Reply(call, service::AccessService(*mesh).Principals(caller));
  if (key == "POST /api/v1/principals") return PrincipalChange(call, "");
  if (key == "POST /api/v1/principals/{name}") return PrincipalChange(call, p[0]);
  if (key == "GET /api/v1/tokens") return Reply(call, service::AccessService(*mesh).Tokens(caller));
  if (key == "POST /api/v1/tokens") return TokenCreate(call);
  if (key == "DELETE /api/v1/tokens/{token}") {
    RETURN_IF_ERROR(service::AccessService(*mesh).RevokeToken(caller, p[0]));
    call.Json({{"id", p[0]}, {"status", "revoked"}});
    return Status::Ok();
  }
  if (key == "GET /api/v1/cost")
    return Reply(call, service::FinopsService(*mesh).Cost(caller, req.get_param_value("month"), req.get_param_value("domain")));
  if (key == "GET /api/v1/cost/monthly") return Reply(call, service::FinopsService(*mesh).Monthly(caller, req.get_param_value("domain")));
  if (key == "GET /api/v1/policies") return Reply(call, catalog.Policies(caller));
  if (key == "GET /api/v1/policies/violations") return Reply(call, service::ControlService(*mesh).Violations(caller));
  if (key == "GET /api/v1/waivers") return Reply(call, catalog.Waivers(caller));
  if (key == "POST /api/v1/waivers") return WaiverAdd(call);
  if (key == "DELETE /api/v1/waivers/{waiver}") {
    ASSIGN_OR_RETURN(int64_t id, IdParam(p[0], "waiver id"));
    RETURN_IF_ERROR(service::GovernanceService(*mesh).RemoveWaiver(caller, id));
    call.Json({{"id", id}, {"status", "removed"}});
    return Status::Ok();
  }
  if (key == "GET /api/v1/audit") {
    catalog::AuditFilter filter{.object = req.get_param_value("object"), .since = req.get_param_value("since")};
    if (req.has_param("limit")) {
      ASSIGN_OR_RETURN(int64_t n, IdParam(req.get_param_value("limit"), "limit"));
      if (n < 1 || n > 100000) return Status::InvalidArgument("limit must be 1 to 100000");
      filter.limit = static_cast<int>(n);
    }
    return Reply(call, catalog.Audit(caller, filter));
  }
  if (key == "GET /api/v1/history") return Reply(call, catalog.History(caller));
  return Status::Internal("route " + key + " has no handler");
}

Status Server::Impl::Iceberg(Call& call) {
  const std::string key = call.route.method + " " + call.route.path;
  const httplib::Request& req = call.req;
  const auto& p = call.params;
  const service::Caller caller = CallerOf(call);
  service::LakehouseService catalog = Lakehouse();
  const bool head = req.method == "HEAD";
  if (key == "GET /iceberg/v1/config") return IcebergJson(call, catalog.Config(caller));
  if (key == "GET /iceberg/v1/namespaces") return IcebergJson(call, catalog.Namespaces(caller, req.get_param_value("parent")));
  if (key == "GET /iceberg/v1/namespaces/{namespace}") {
    auto ns = catalog.Namespace(caller, p[0]);
    if (head && ns.ok()) {
      call.res.status = 204;
      return Status::Ok();
    }
    return IcebergJson(call, ns);
  }
  if (key == "GET /iceberg/v1/namespaces/{namespace}/tables") return IcebergJson(call, catalog.Tables(caller, p[0]));
  if (key == "GET /iceberg/v1/namespaces/{namespace}/tables/{table}") {
    if (head) {
      RETURN_IF_ERROR(catalog.TableExists(caller, p[0], p[1]));
      call.res.status = 204;
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::string body, catalog.LoadTable(caller, p[0], p[1], BaseUrl(req)));
    call.res.status = 200;
    call.res.set_content(std::move(body), "application/json");
    return Status::Ok();
  }
  // Plan and task requests: the spec's body is optional for a plan.
  auto body = [&]() -> Result<json> {
    if (req.body.empty() && call.route.path.ends_with("/plan")) return json::object();
    return ParseJsonBody(req);
  };
  if (key == "POST /iceberg/v1/namespaces/{namespace}/tables/{table}/plan") {
    ASSIGN_OR_RETURN(json request, body());
    return IcebergJson(call, catalog.PlanScan(caller, p[0], p[1], request, BaseUrl(req)));
  }
  if (key == "GET /iceberg/v1/namespaces/{namespace}/tables/{table}/plan/{plan-id}")
    return IcebergJson(call, catalog.PlanResult(caller, p[0], p[1], p[2], BaseUrl(req)));
  if (key == "DELETE /iceberg/v1/namespaces/{namespace}/tables/{table}/plan/{plan-id}") {
    RETURN_IF_ERROR(catalog.CancelPlan(caller, p[0], p[1], p[2]));
    call.res.status = 204;
    return Status::Ok();
  }
  if (key == "POST /iceberg/v1/namespaces/{namespace}/tables/{table}/tasks") {
    ASSIGN_OR_RETURN(json request, body());
    return IcebergJson(call, catalog.ScanTasks(caller, p[0], p[1], request, BaseUrl(req)));
  }
  // Every other route of the table is a write.
  Problem refused = MakeProblem(406, "unsupported",
                                call.route.summary.substr(0, call.route.summary.find(' ')) +
                                    " is not offered: weft's Iceberg catalog is read-only. Producers publish through weft, "
                                    "where the contract is checked: weft publish DOMAIN.PRODUCT FILE, or POST "
                                    "/api/v1/products/{id}/publish");
  refused.extensions["icebergType"] = "UnsupportedOperationException";
  SendProblem(req, call.res, refused);
  return Status::Ok();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

Result<int> Server::Bind() {
  Impl& s = *impl_;
  // Queries never hold every HTTP thread: at most half run at once.
  ASSIGN_OR_RETURN(s.mesh, service::Mesh::Open(s.options.workspace.string(),
                                               {.warm_engines = 16, .max_running = std::max(1, s.options.threads / 2)}));
  RETURN_IF_ERROR(s.mesh->runtime().status());
  RETURN_IF_ERROR(s.View().status());
  s.lakehouse = std::make_unique<service::LakehouseCatalog>(s.mesh->secret());
  if (s.options.pg) {
    pgwire::ListenerOptions pg = *s.options.pg;
    pg.weft_version = kVersion;
    pg.log = [&s](const std::string& line) {
      if (!s.options.access_log) return;
      std::lock_guard lock(s.log_mu);
      *s.options.access_log << line << "\n" << std::flush;
    };
    pg.may_authenticate = [&s](const std::string& address, int& retry) {
      return !s.limiter.Exhausted("addr:" + address, Clock::now(), retry);
    };
    pg.authentication_failed = [&s](const std::string& address) {
      int retry = 0;
      s.limiter.Allow("addr:" + address, Clock::now(), retry);
    };
    s.pg = std::make_unique<pgwire::Listener>(*s.mesh, std::move(pg));
    ASSIGN_OR_RETURN(s.pg_port, s.pg->Bind());
  }
  s.mcp = std::make_unique<McpServer>(*s.mesh, kVersion);

  s.routes = RouteTable();
  for (const auto& r : s.routes) s.route_regexes.emplace_back(PathRegex(r.path));
  for (size_t i = 0; i < s.routes.size(); ++i) {
    const Route* route = &s.routes[i];
    auto handler = [&s, route](const httplib::Request& req, httplib::Response& res) { s.Handle(*route, req, res); };
    std::string pattern = PathRegex(route->path);
    if (route->body == kStreamBody) {
      // Read as it comes: a producer's stream may last hours (Stream).
      s.http.Post(pattern, [&s, route](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) { s.Handle(*route, req, res, &reader); });
      continue;
    }
    if (route->method == "GET") s.http.Get(pattern, handler);
    else if (route->method == "POST") s.http.Post(pattern, handler);
    else if (route->method == "DELETE") s.http.Delete(pattern, handler);
  }
  // The web UI: index.html at / and the built assets; everything else the
  // UI routes client-side (#/...), so nothing more is needed here.
  auto serve_asset = [&s](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.path == "/" ? "/index.html" : req.path;
    for (const auto& a : UiAssets())
      if (a.path == path) {
        res.set_content(std::string(a.data, a.size), a.content_type);
        // Hashed asset names never change content; index.html must be re-read.
        res.set_header("Cache-Control", path == "/index.html" ? "no-cache" : "public, max-age=31536000, immutable");
        res.set_header("X-Content-Type-Options", "nosniff");
        if (path == "/index.html")
          res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
        s.metrics.ObserveRequest("GET", "/ (ui)", 200, 0);
        return;
      }
    if (req.path == "/") {
      res.set_content("<!doctype html><title>weft</title><p>The web UI is not built into this binary: run <code>make</code>.",
                      "text/html");
      return;
    }
    s.Unrouted(req, res);
  };
  s.http.Get("/", serve_asset);
  s.http.Get("/assets/.+", serve_asset);
  s.http.Get("/favicon.svg", serve_asset);
  s.http.Get("/iceberg/files/.+", [&s](const httplib::Request& req, httplib::Response& res) { s.HandleFile(req, res); });

  s.http.set_error_handler([&s](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own problem
    if (res.status == 404 || res.status == 405) return s.Unrouted(req, res);
    if (res.status == 413)
      return SendProblem(req, res, MakeProblem(413, "too-large", fmt::format("the body is over the limit of {} bytes", s.options.max_body_bytes)));
    SendProblem(req, res, MakeProblem(res.status, "http", "the request could not be handled"));
  });
  s.http.set_exception_handler([&s](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unexpected error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendProblem(req, res, MakeProblem(500, "internal", what));
    s.metrics.ObserveRequest(req.method, "(exception)", 500, 0);
  });
  s.http.set_payload_max_length(s.options.max_body_bytes);
  s.http.set_read_timeout(s.options.read_timeout_seconds, 0);
  s.http.set_write_timeout(s.options.write_timeout_seconds, 0);
  s.http.set_keep_alive_max_count(10000);
  // Headers and body go out in separate writes: without NODELAY, Nagle and
  // the client's delayed ACK hold every response for ~40 ms.
  s.http.set_tcp_nodelay(true);
  s.http.set_keep_alive_timeout(5);
  // A thread per open connection (connection_pool.h): idle and slow
  // connections no longer keep everyone else waiting.
  s.http.new_task_queue = [core = static_cast<size_t>(s.options.threads), max = s.options.max_connections] {
    return new ConnectionPool(core, max);
  };

  ASSIGN_OR_RETURN(int port, s.http.Bind(s.options.host, s.options.port));
  s.port = port;
  return port;
}

Status Server::Serve() {
  if (impl_->options.monitor_interval_seconds > 0)
    impl_->monitor = std::make_unique<service::MonitorLoop>(
        *impl_->mesh, std::chrono::seconds(impl_->options.monitor_interval_seconds), &std::cerr);
  impl_->ready = true;
  if (impl_->pg) impl_->pg->Start();
  bool ok = impl_->http.listen_after_bind();
  impl_->ready = false;
  impl_->pg.reset();  // Stop() has stopped it; its sessions have ended
  impl_->monitor.reset();  // waits for a pass in progress
  // Every in-flight request has finished (the pool is joined); write the
  // last usage rows, then close the catalog.
  impl_->view.reset();
  if (impl_->mesh) impl_->mesh->Close();
  return ok ? Status::Ok() : Status::IoError("the server stopped listening unexpectedly");
}

int Server::pg_port() const { return impl_->pg_port; }

void Server::Stop() {
  Impl& s = *impl_;
  s.draining = true;
  s.ready = false;
  // Running queries stop now (their clients get a cancelled problem).
  if (s.mesh) s.mesh->Shutdown();
  // The PostgreSQL sessions end alongside the HTTP drain, within its bound.
  std::thread pg_stop([&s] {
    if (s.pg) s.pg->Stop();
  });
  {
    std::unique_lock lock(s.drain_mu);
    // A request that never ends (a client reading a stream at a trickle)
    // does not hold the stop forever: the server is gone within 10 s.
    s.drain_cv.wait_for(lock, std::chrono::seconds(8), [&] { return s.in_flight == 0; });
  }
  pg_stop.join();
  s.http.stop();
  // What is still connected (idle keep-alives, a client sending its header
  // a byte at a time, a request past the drain) holds a pool thread in a
  // read or write that would last up to the read timeout, or for ever at
  // a trickle; Serve waits for every pool thread.
  CutConnections(s.port);
}

}  // namespace weft::server
