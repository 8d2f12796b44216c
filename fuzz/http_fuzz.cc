// libFuzzer target: raw HTTP requests through `weft serve`'s router, its
// authentication, roles and handlers, JSON bodies included (server/). The
// server has no entry point that takes a request without a socket (routing
// is cpp-httplib's), so it runs in this process on a loopback port and each
// input is written to a fresh connection as it is, then the answer read
// until the server closes it. Its workspace is tests/fixtures/query applied
// and published; four principals have tokens of fixed text (an admin, a
// domain owner, a steward and a consumer, kTokens), which the seed corpus
// and fuzz/http.dict carry, so the fuzzer reaches the authenticated routes.
//
// Oracle: no crash, no hang, no sanitizer report (the handlers run on the
// server's threads, in this process); every answer starts with an HTTP/1.1
// status line; and no request (the first, when several are pipelined) gets
// a 500, which the server sends when a handler threw or a service failed
// with an internal or I/O error, never for what the caller sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "access/principals.h"
#include "catalog/store.h"
#include "common/files.h"
#include "common/hashing.h"
#include "common/time.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "quality/publisher.h"
#include "server/server.h"
#include "spec/loader.h"
#include "storage/file_system.h"

namespace {

namespace fs = std::filesystem;
using namespace weft;

// weft_<id>_<secret>, as access/tokens.h makes them, with fixed text.
struct FixedToken {
  const char* principal;
  const char* id;
  char secret_digit;
};
constexpr FixedToken kTokens[] = {
    {"root", "00000001", '1'}, {"olga@example.com", "00000002", '2'}, {"stu", "00000003", '3'}, {"bob", "00000004", '4'}};

std::string TokenText(const FixedToken& t) { return std::string("weft_") + t.id + "_" + std::string(64, t.secret_digit); }

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  fprintf(stderr, "fuzz_http setup: %s: %s\n", what, s.message().c_str());
  std::abort();
}

struct World {
  std::unique_ptr<server::Server> server;
  std::thread serving;
  int port = 0;
};

void MakeWorkspace(const fs::path& root) {
  const fs::path fixtures = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/query";
  Check(control::InitWorkspace(root, "fuzz").status(), "init");
  Check(WriteStringToFile(root / "weft.yaml",
                          "apiVersion: weft/v1\nkind: Workspace\nname: fuzz\npolicyPacks: []\ncurrency: USD\n"
                          "masking: {pii: hash, restricted: redact}\nquery: {timeoutSeconds: 5}\n",
                          true),
        "settings");
  auto ws = control::LoadWorkspace(root);
  Check(ws.status(), "workspace");
  auto store = catalog::OpenStore(ws->CatalogLocation());
  Check(store.status(), "catalog");
  std::vector<spec::Diagnostic> diags;
  std::vector<spec::Document> docs;
  for (const auto& f : spec::FindSpecFiles({fixtures / "tree"}, diags))
    for (auto& d : spec::LoadFile(f).documents) docs.push_back(std::move(d));
  auto plan = control::MakePlan(*ws, **store, docs, diags, {.actor = "fuzz"});
  Check(plan.status(), "plan");
  Check(control::Apply(*ws, **store, storage::DefaultFileSystem(), *plan).status(), "apply");
  for (const auto& [product, file] : {std::pair<std::string, std::string>{"crm.customers", "customers.csv"},
                                      {"shop.orders", "orders.csv"}})
    Check(quality::Publish(**store, {.target = product, .files = {fixtures / "data" / file}, .actor = "fuzz", .threads = 1,
                                     .temp_dir = root / "tmp", .guards = quality::GuardSettings::Off()})
              .status(),
          "publish");
  auto txn = (*store)->BeginWrite();
  Check(txn.status(), "write");
  Check((*txn)->UpsertPrincipal({.name = "root", .kind = "user"}), "root");
  Check((*txn)->ReplaceMemberships("principal:root", {{.group = "platform:admins", .principal = "root", .role = "admin",
                                                       .source = "principal:root"}}),
        "admin");
  Check((*txn)->UpsertPrincipal({.name = "stu", .kind = "user"}), "stu");
  Check((*txn)->ReplaceMemberships("principal:stu", {{.group = "platform:stewards", .principal = "stu",
                                                      .role = "steward", .source = "principal:stu"}}),
        "steward");
  Check((*txn)->UpsertPrincipal({.name = "bob", .kind = "user", .attributes = {{"region", "EU"}}}), "bob");
  for (const FixedToken& t : kTokens)
    Check((*txn)->InsertToken({.id = std::string("tok_") + t.id, .principal = t.principal, .hash = Sha256Hex(TokenText(t)),
                               .description = "fuzz", .created_by = "root", .created_at = NowIso()}),
          "token");
  Check((*txn)->Commit(), "commit");
}

World& Setup() {
  static World* w = [] {
    auto* world = new World;
    const fs::path root = fs::temp_directory_path() / ("weft-fuzz-http-" + std::to_string(::getpid()));
    fs::remove_all(root);
    MakeWorkspace(root);
    world->server = std::make_unique<server::Server>(server::ServerOptions{.host = "127.0.0.1",
                                                                           .port = 0,
                                                                           .workspace = root,
                                                                           .max_body_bytes = 1 << 20,
                                                                           .read_timeout_seconds = 2,
                                                                           .write_timeout_seconds = 5,
                                                                           .threads = 4,
                                                                           // Every input is one caller: no limits.
                                                                           .rate_per_minute = 1e12,
                                                                           .rate_burst = 1e12,
                                                                           .monitor_interval_seconds = 0});
    auto port = world->server->Bind();
    Check(port.status(), "bind");
    world->port = *port;
    world->serving = std::thread([world] { world->server->Serve().IgnoreError(); });
    return world;
  }();
  return *w;
}

// Writes `request` on a new connection, half-closes it and reads the
// answer until the server closes its side.
std::string Exchange(int port, std::string_view request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  timeval tv{.tv_sec = 20, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The server is started before the first input: a refusal here is its failure.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    perror("fuzz_http: connect");
    std::abort();
  }
  for (size_t at = 0; at < request.size();) {
    ssize_t n = ::send(fd, request.data() + at, request.size() - at, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413, 400) and close before reading everything
    at += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[16384];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = Setup();
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const std::string answer = Exchange(w.port, request);
  if (answer.empty()) return 0;  // a connection closed without a request
  // Pipelined requests get one response each; the first one is checked.
  if (answer.size() < 12 || answer.compare(0, 9, "HTTP/1.1 ") != 0) {
    fprintf(stderr, "fuzz_http: not an HTTP response: %.200s\n", answer.c_str());
    std::abort();
  }
  if (answer.compare(9, 3, "500") == 0) {
    fprintf(stderr, "fuzz_http: a 500 for the request:\n%.*s\nanswer:\n%s\n", static_cast<int>(request.size()),
            request.data(), answer.c_str());
    std::abort();
  }
  return 0;
}
