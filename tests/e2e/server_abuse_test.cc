// `weft serve` under abuse (docs/reliability.md): 1,000 idle connections,
// clients sending their header a byte at a time, bad tokens at a high rate
// and runaway queries, each from a loopback address of its own — a healthy
// client keeps being served — and SIGTERM stopping the server within 10 s
// with all of it still connected. Bodies over the limit and a single
// stalled client: src/server/server_test.cc. The long version runs in
// `make soak` (tests/soak/soak.cc).
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "e2e/e2e_util.h"
#include "e2e/raw_http.h"

namespace weft::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Held connections, closed at the end.
class Connections {
 public:
  ~Connections() {
    for (int fd : fds_) close(fd);
  }
  // `n` connections from `source` that send nothing.
  void OpenIdle(const char* source, int port, int n) {
    for (int i = 0; i < n; ++i)
      if (int fd = ConnectFrom(source, port); fd >= 0) fds_.push_back(fd);
  }
  // `n` connections from `source` that have sent the first `bytes` of a
  // request whose header never ends.
  void OpenSlow(const char* source, int port, int n, size_t bytes) {
    const std::string start = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(bytes, 'a');
    for (int i = 0; i < n; ++i)
      if (int fd = ConnectFrom(source, port); fd >= 0) {
        send(fd, start.data(), bytes, MSG_NOSIGNAL);
        fds_.push_back(fd);
      }
  }
  // One more byte on each slow connection (a slowloris keeps its reads alive).
  void Trickle() {
    for (int fd : fds_) send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

// A server over the query fixture, with a token for its owner (olga) and a
// query time limit of 3 s.
class ServerAbuse : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server and this test each hold over 1,000 descriptors.
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
    ASSERT_GE(nofile.rlim_cur, 4096u) << "this test needs 4,096 open files";

    ws_ = tmp_ / "ws";
    RunResult init = e2e::Run({"init", ws_.string(), "--as", "root"});
    ASSERT_EQ(init.exit_code, 0) << init;
    WriteSettings(ws_,
                  "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                  "masking: {pii: hash, restricted: redact}\nquery: {timeoutSeconds: 3}\n");
    auto weft = [&](std::vector<std::string> args) {
      args.insert(args.end(), {"--workspace", ws_.string(), "--as", "root"});
      return e2e::Run(args);
    };
    ASSERT_EQ(weft({"apply", "-f", RepoPath("tests/fixtures/query/tree").string()}).exit_code, 0);
    RunResult pub = weft({"publish", "crm.customers", RepoPath("tests/fixtures/query/data/customers.csv").string()});
    ASSERT_EQ(pub.exit_code, 0) << pub;
    RunResult t = weft({"token", "create", "--for", "olga@example.com"});
    ASSERT_EQ(t.exit_code, 0) << t;
    token_ = LastLine(t.out);

    port_ = FreePort();
    server_ = std::make_unique<Process>(std::vector<std::string>{
        "serve", "--listen", "127.0.0.1:" + std::to_string(port_), "--workspace", ws_.string(), "--access-log", "off"});
    httplib::Client probe("127.0.0.1", port_);
    for (int i = 0; i < 400; ++i) {
      if (auto r = probe.Get("/healthz"); r && r->status == 200) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the server did not start" << server_->Wait();
  }

  // A healthy client's request on a new connection: its status, and how
  // long the answer took.
  std::pair<int, double> Healthy(const std::string& path = "/api/v1/me") {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    const auto start = Clock::now();
    auto r = client.Get(path.c_str(), {{"Authorization", "Bearer " + token_}});
    return {r ? r->status : -1, Seconds(Clock::now() - start)};
  }

  // A query that would run for hours (3^20 rows of the 3-row fixture,
  // each concatenated), sent on a thread of its own; the server's time
  // limit (3 s) stops it. `answer` (optional) gets the response body.
  std::thread Runaway(std::string* answer = nullptr) {
    std::string sql = "SELECT sum(length(t0.email || t19.email)) FROM crm.customers t0";
    for (int i = 1; i < 20; ++i) sql += ", crm.customers t" + std::to_string(i);
    return std::thread([this, sql, answer] {
      httplib::Client client("127.0.0.1", port_);
      client.set_read_timeout(60, 0);
      auto r = client.Post("/api/v1/query", {{"Authorization", "Bearer " + token_}},
                           nlohmann::json{{"sql", sql}}.dump(), "application/json");
      if (answer) *answer = r ? r->body : "no response: " + httplib::to_string(r.error());
    });
  }

  TempDir tmp_;
  std::filesystem::path ws_;
  std::string token_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
};

TEST_F(ServerAbuse, IdleAndSlowConnectionsDoNotKeepOthersWaiting) {
  Connections held;
  held.OpenIdle("127.0.0.3", port_, 1000);
  held.OpenSlow("127.0.0.4", port_, 50, 10);
  ASSERT_EQ(held.size(), 1050u);
  // Each healthy request comes on a new connection, so it queues behind
  // the held ones if anything does. (httplib's fixed pool of 64 threads
  // gave each idle connection a thread for the 5-s keep-alive timeout and
  // queued the rest, a new client behind all 1,050.)
  double worst = 0;
  for (int i = 0; i < 20; ++i) {
    held.Trickle();
    auto [status, seconds] = Healthy();
    EXPECT_EQ(status, 200);
    worst = std::max(worst, seconds);
  }
  RecordProperty("worst_healthy_ms", static_cast<int>(worst * 1000));
  EXPECT_LT(worst, 2.0) << "a healthy client waited behind 1,000 idle and 50 slow connections";
}

TEST_F(ServerAbuse, BadTokensAtAHighRateLockOutOnlyTheirAddress) {
  int refused = 0, limited = 0;
  const std::string bad =
      "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer weft_00000000_" +
      std::string(64, '0') + "\r\n\r\n";
  const auto start = Clock::now();
  for (int i = 0; i < 1000; ++i) {
    const std::string head = FirstBytes("127.0.0.2", port_, bad);
    if (head.rfind("HTTP/1.1 401", 0) == 0)
      ++refused;
    else if (head.rfind("HTTP/1.1 429", 0) == 0)
      ++limited;
    else
      ADD_FAILURE() << "a bad token got: " << head;
    if (i % 100 == 0) {
      auto [status, seconds] = Healthy();
      EXPECT_EQ(status, 200) << "the healthy client was refused while another address sent bad tokens";
      EXPECT_LT(seconds, 2.0);
    }
  }
  RecordProperty("bad_tokens_per_second", static_cast<int>(1000 / Seconds(Clock::now() - start)));
  EXPECT_EQ(refused + limited, 1000);
  EXPECT_GT(limited, 0) << "failed logins were never limited";
}

TEST_F(ServerAbuse, RunawayQueriesAreStoppedAndLeaveRoomForOthers) {
  std::vector<std::thread> runaway;
  std::vector<std::string> answers(4);
  for (auto& a : answers) runaway.push_back(Runaway(&a));  // the principal's limit of concurrent queries
  std::this_thread::sleep_for(500ms);
  auto [status, seconds] = Healthy("/api/v1/products");
  EXPECT_EQ(status, 200);
  EXPECT_LT(seconds, 2.0) << "the catalog did not answer while queries ran away";
  const auto start = Clock::now();
  for (auto& t : runaway) t.join();
  EXPECT_LT(Seconds(Clock::now() - start), 20.0) << "the 3-s time limit did not stop the runaway queries";
  for (const auto& a : answers)
    EXPECT_NE(a.find("time limit"), std::string::npos) << "not stopped by the time limit: " << a;
}

TEST_F(ServerAbuse, SigtermStopsTheServerWithinTenSecondsWhateverIsConnected) {
  Connections held;
  held.OpenIdle("127.0.0.3", port_, 1000);
  held.OpenSlow("127.0.0.4", port_, 50, 10);
  std::thread runaway = Runaway();
  std::this_thread::sleep_for(1s);
  held.Trickle();
  const auto start = Clock::now();
  server_->Signal(SIGTERM);
  const RunResult& stopped = server_->Wait();
  const double took = Seconds(Clock::now() - start);
  runaway.join();
  RecordProperty("stop_ms", static_cast<int>(took * 1000));
  EXPECT_EQ(stopped.exit_code, 0) << stopped;
  EXPECT_LT(took, 10.0) << "SIGTERM took too long with 1,000 idle and 50 slow connections and a runaway query";
}

}  // namespace
}  // namespace weft::e2e
