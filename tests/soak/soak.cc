// weft_soak: a bounded concurrency soak of one workspace, served by one
// `weft serve` and written by the CLI at the same time (`make soak`,
// docs/reliability.md). For SOAK_SECONDS (default 180):
//
//   4 publishers    replace a product with a random part of its rows; two
//                   upload through the server, two publish locally
//   16 queriers     SELECT count(*) of a product: 14 over HTTP (their
//                   latency is measured), 2 with the local CLI
//   2 appliers      apply the demo mesh and a revised one in turn, one
//                   through the server, one locally
//   2 access changers  grant a product to a principal of their own, check
//                   that it reads, revoke, check that it is refused; a
//                   querier per principal reads throughout
//   1 gc            `weft gc` in a loop (retention: 3 snapshots)
//   abuse           1,000 idle connections (in the middle third of the
//                   run), 50 slowloris connections, bad tokens as fast as
//                   one thread sends them, bodies over the limit, and
//                   runaway queries (each from its own loopback address, as
//                   an attacker elsewhere)
//
// and the server's RSS sampled each second. At the end: SIGTERM with the
// abuse still connected (the server must be gone within 10 s), `weft check`
// clean, and every query answer checked against the publish history: the
// snapshot that answered was committed, and the count is that snapshot's
// rows. Any violation, or any error that is not an expected outcome (a
// conflict between the two appliers, a refusal of the revoked principal),
// makes the exit code 1. The summary goes to stdout.
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "e2e/cli_runner.h"
#include "e2e/raw_http.h"

namespace weft::soak {
namespace {

namespace fs = std::filesystem;
using e2e::Env;
using e2e::RunResult;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --- what the run records ---------------------------------------------------------------

// One query answer: which product, the snapshot that answered it (HTTP
// answers say; the CLI's do not) and its count.
struct Answer {
  std::string product;
  std::string snapshot;
  int64_t count = 0;
};

// A grantee's query: when it ran and whether it was answered.
struct GranteeQuery {
  double start = 0, end = 0;
  bool answered = false;
};

class Record {
 public:
  void Op(const std::string& kind) {
    std::lock_guard lock(mu_);
    ops_[kind]++;
  }
  void Expected(const std::string& kind) {
    std::lock_guard lock(mu_);
    expected_[kind]++;
  }
  // An error no client should see; kept (the first few in full) for the summary.
  void Unexpected(const std::string& kind, const std::string& what) {
    std::lock_guard lock(mu_);
    unexpected_[kind]++;
    if (examples_.size() < 20) examples_.push_back(kind + ": " + what.substr(0, 600));
  }
  void Violation(const std::string& what) {
    std::lock_guard lock(mu_);
    violations_.push_back(what.substr(0, 600));
  }
  void Latency(const std::string& kind, double seconds) {
    std::lock_guard lock(mu_);
    latency_[kind].push_back(seconds);
  }
  void Answered(Answer a) {
    std::lock_guard lock(mu_);
    answers_.push_back(std::move(a));
  }
  void GranteeRead(const std::string& grantee, GranteeQuery q) {
    std::lock_guard lock(mu_);
    grantee_reads_[grantee].push_back(q);
  }
  // [revoked, granted again): the times between a revoke's answer and the
  // next grant's request, when the grantee must be refused.
  void RevokedWindow(const std::string& grantee, double from, double to) {
    std::lock_guard lock(mu_);
    revoked_[grantee].emplace_back(from, to);
  }

  std::mutex mu_;
  std::map<std::string, int64_t> ops_, expected_, unexpected_;
  std::vector<std::string> examples_, violations_;
  std::map<std::string, std::vector<double>> latency_;
  std::vector<Answer> answers_;
  std::map<std::string, std::vector<GranteeQuery>> grantee_reads_;
  std::map<std::string, std::vector<std::pair<double, double>>> revoked_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// --- the workspace ----------------------------------------------------------------------

struct Product {
  std::string id, owner;
};
// What the publishers replace and the queriers count.
const std::vector<Product> kProducts = {{"inventory.warehouses", "heidi@retail.example"},
                                        {"customer.customers", "alice@retail.example"},
                                        {"sales.orders", "carol@retail.example"},
                                        {"marketing.campaigns", "erin@retail.example"}};
// The healthy queriers' principals: a principal runs at most 4 queries at
// once (query.concurrentPerPrincipal), so the 16 queriers take turns over 4.
const std::vector<std::string> kAnalysts = {"analyst1@retail.example", "analyst2@retail.example",
                                            "analyst3@retail.example", "analyst4@retail.example"};
const std::string& Analyst(int n) {
  return kAnalysts[static_cast<size_t>(n) % kAnalysts.size()];
}

class Soak {
 public:
  explicit Soak(double seconds) : seconds_(seconds) {}
  int Main();

 private:
  // `weft ARGS --workspace W` locally, or through the server with `token`.
  RunResult Local(std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", ws_.string()});
    return e2e::Run(args);
  }
  RunResult Remote(const std::vector<std::string>& args, const std::string& token) {
    return e2e::Run(args, Env{{"WEFT_SERVER", url_}, {"WEFT_TOKEN", token}});
  }
  std::string Token(const std::string& principal) {
    RunResult t = Local({"token", "create", "--for", principal, "--as", "root"});
    if (t.exit_code != 0) Fatal("token create", t);
    return e2e::LastLine(t.out);
  }
  [[noreturn]] static void Fatal(const std::string& what, const RunResult& r) {
    std::cerr << "weft_soak: setup failed at " << what << r;
    std::exit(2);
  }
  void Setup();
  bool Running() const { return Clock::now() < deadline_ && !stop_; }

  // A file of `product`'s generated rows: a random share of them (80 to
  // 100 %), in a random order, so each publish has its own count.
  std::string Input(const std::string& product, std::mt19937& rng);

  // The workers.
  void Publisher(int n, bool remote);
  void HttpQuerier(int n);
  void CliQuerier(int n);
  void Applier(bool remote);
  void AccessChanger(int n, bool remote);
  void GranteeQuerier(int n);
  void Gc();
  void IdleConnections();
  void Slowloris();
  void BadTokens();
  void Oversized();
  void Runaway();
  void SampleRss();

  // One HTTP query as `token`: the answer and its latency, or an error.
  struct HttpAnswer {
    int status = 0;
    std::optional<Answer> answer;
    std::string error;
  };
  HttpAnswer HttpQuery(httplib::Client& client, const std::string& token, const std::string& product);

  void Verify();
  int Summary();

  const double seconds_;
  e2e::TempDir tmp_;
  fs::path ws_, data_, revised_;
  std::string url_;
  int port_ = 0;
  std::unique_ptr<e2e::Process> server_;
  std::map<std::string, std::string> tokens_;             // principal -> token
  std::map<std::string, std::vector<std::string>> rows_;  // product -> its generated CSV rows
  std::map<std::string, std::string> headers_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> idle_held_{false};  // the 1,000 idle connections are held
  Clock::time_point t0_, deadline_;
  Record rec_;
  std::vector<std::pair<double, double>> rss_;  // (seconds, MiB)
  std::vector<long> threads_;                   // the server's threads at each RSS sample
  double stop_seconds_ = 0;
  size_t answers_checked_ = 0;
  long check_garbage_ = -1;  // -1: check was not clean
  std::atomic<int> files_{0};
};

void Soak::Setup() {
  ws_ = tmp_ / "ws";
  data_ = tmp_ / "data";
  RunResult init = e2e::Run({"init", ws_.string(), "--as", "root"});
  if (init.exit_code != 0) Fatal("init", init);
  // Retention, so that gc expires snapshots queries may be reading; a
  // short query time limit, so runaway queries end.
  if (!e2e::ReplaceOnce(ws_ / "weft.yaml", "retention:\n  snapshots: 10\n  days: 30\n",
                        "retention:\n  snapshots: 3\n") ||
      !e2e::ReplaceOnce(ws_ / "weft.yaml", "query:\n", "query:\n  timeoutSeconds: 5\n"))
    Fatal("setting retention and the query time limit in weft.yaml", {});
  const fs::path mesh = e2e::RepoPath("examples/mesh");
  if (RunResult a = Local({"apply", "-f", mesh.string(), "--as", "root"}); a.exit_code != 0) Fatal("apply", a);
  // The revised mesh the appliers alternate with: every domain's
  // description reworded.
  revised_ = tmp_ / "revised";
  e2e::CopyTree(mesh, revised_);
  for (const auto& d : fs::directory_iterator(revised_ / "domains"))
    if (!e2e::ReplaceOnce(d.path() / "domain.yaml", "description: >-\n", "description: >-\n  Revised.\n"))
      Fatal("revising " + d.path().string(), {});
  RunResult gen = e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data_.string(), "--threads", "2"});
  if (gen.exit_code != 0) Fatal("demo generate", gen);
  for (const auto& p : kProducts) {
    const auto dot = p.id.find('.');
    std::ifstream in(data_ / p.id.substr(0, dot) / (p.id.substr(dot + 1) + ".csv"));
    std::string line;
    std::getline(in, headers_[p.id]);
    while (std::getline(in, line)) rows_[p.id].push_back(line);
    if (rows_[p.id].empty()) Fatal("reading the rows of " + p.id, {});
    RunResult pub = Local(
        {"publish", p.id, (data_ / p.id.substr(0, dot) / (p.id.substr(dot + 1) + ".csv")).string(), "--as", p.owner});
    if (pub.exit_code != 0) Fatal("publish " + p.id, pub);
  }
  // The analyst reads every product; the access changers' principals
  // start with nothing.
  std::vector<std::string> readers = kAnalysts;
  readers.push_back("runaway@retail.example");
  std::vector<std::string> everyone = readers;
  everyone.insert(everyone.end(), {"flip1@retail.example", "flip2@retail.example"});
  for (const std::string& who : everyone)
    if (RunResult r = Local({"principal", "add", who, "--as", "root"}); r.exit_code != 0) Fatal("principal add", r);
  for (const auto& p : kProducts)
    for (const std::string& who : readers)
      if (RunResult g = Local({"access", "grant", p.id, "--to", who, "--purpose", "soak", "--as", p.owner});
          g.exit_code != 0)
        Fatal("grant", g);
  for (const auto& p : kProducts) tokens_[p.owner] = Token(p.owner);
  everyone.push_back("root");
  for (const std::string& who : everyone) tokens_[who] = Token(who);

  // 1,000 idle connections need more descriptors than the usual 1,024;
  // the server inherits this limit.
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  port_ = e2e::FreePort();
  url_ = "http://127.0.0.1:" + std::to_string(port_);
  server_ = std::make_unique<e2e::Process>(
      std::vector<std::string>{"serve", "--listen", "127.0.0.1:" + std::to_string(port_), "--workspace", ws_.string(),
                               "--access-log", "off", "--max-body-mb", "8"},
      e2e::RunOptions{.timeout = std::chrono::seconds(static_cast<int64_t>(seconds_) + 3600)});
  httplib::Client probe("127.0.0.1", port_);
  for (int i = 0; i < 400; ++i) {
    if (auto r = probe.Get("/healthz"); r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Fatal("starting the server", server_->Wait());
}

std::string Soak::Input(const std::string& product, std::mt19937& rng) {
  std::vector<std::string> rows = rows_.at(product);
  std::shuffle(rows.begin(), rows.end(), rng);
  rows.resize(std::max<size_t>(1, rows.size() * std::uniform_int_distribution<size_t>(80, 100)(rng) / 100));
  const fs::path path = tmp_ / ("in-" + std::to_string(files_++) + ".csv");
  std::ofstream o(path);
  o << headers_.at(product) << "\n";
  for (const auto& r : rows) o << r << "\n";
  return path.string();
}

// Replaces its product (the publishers take one each) as its owner. A
// publish guard may refuse a replace that shrinks the product: an
// expected outcome.
void Soak::Publisher(int n, bool remote) {
  std::mt19937 rng(100 + n);
  const Product& p = kProducts[n];
  while (Running()) {
    const std::string input = Input(p.id, rng);
    std::vector<std::string> args = {"publish", p.id, input, "-o", "json"};
    RunResult r = remote ? Remote(args, tokens_.at(p.owner)) : Local([&] {
      args.insert(args.end(), {"--as", p.owner});
      return args;
    }());
    fs::remove(input);
    const std::string kind = remote ? "publish (server)" : "publish (CLI)";
    rec_.Op(kind);
    if (r.exit_code == 0) continue;
    if (r.exit_code == 1 && r.out.find("\"rejected\"") != std::string::npos) {
      rec_.Expected(kind + ": refused by a guard or the contract");
      continue;
    }
    rec_.Unexpected(kind, r.command + " -> " + std::to_string(r.exit_code) + " " + r.out + r.err);
  }
}

Soak::HttpAnswer Soak::HttpQuery(httplib::Client& client, const std::string& token, const std::string& product) {
  HttpAnswer out;
  const json body = {{"sql", "SELECT count(*) AS n FROM " + product}};
  auto r = client.Post("/api/v1/query", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
  if (!r) {
    out.error = "no response: " + httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  if (r->status != 200) {
    out.error = std::to_string(r->status) + " " + r->body;
    return out;
  }
  // NDJSON: the columns line, [n], then {"done": true, "snapshots": {...}}.
  std::istringstream lines(r->body);
  std::string line;
  Answer a{.product = product};
  bool counted = false, done = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      out.error = "not NDJSON: " + line;
      return out;
    }
    if (j.is_array() && !j.empty()) {
      a.count = std::stoll(j[0].is_string() ? j[0].get<std::string>() : j[0].dump());
      counted = true;
    } else if (j.is_object() && j.contains("error")) {
      // A refusal after the server began streaming (it waits 250 ms for a
      // first row): the problem's status is the answer's.
      out.status = j["error"].value("status", 0);
      out.error = "failed mid-stream: " + line;
      return out;
    } else if (j.is_object() && j.value("done", false)) {
      done = true;
      for (const auto& [address, snapshot] : j["snapshots"].items()) a.snapshot = snapshot.get<std::string>();
    }
  }
  if (!counted || !done) {
    out.error = "an answer without its count or its end: " + r->body;
    return out;
  }
  out.answer = a;
  return out;
}

// The healthy clients: their latency is the soak's p99.
void Soak::HttpQuerier(int n) {
  std::mt19937 rng(200 + n);
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  while (Running()) {
    const Product& p = kProducts[std::uniform_int_distribution<size_t>(0, kProducts.size() - 1)(rng)];
    const auto start = Clock::now();
    const bool attacked = idle_held_;
    HttpAnswer a = HttpQuery(client, tokens_.at(Analyst(n)), p.id);
    rec_.Op("query (server)");
    if (!a.answer) {
      rec_.Unexpected("query (server)", a.error);
      continue;
    }
    rec_.Latency(attacked && idle_held_ ? "query (server), 1,000 idle connections held" : "query (server)",
                 Since(start));
    rec_.Answered(*a.answer);
  }
}

void Soak::CliQuerier(int n) {
  std::mt19937 rng(300 + n);
  while (Running()) {
    const Product& p = kProducts[std::uniform_int_distribution<size_t>(0, kProducts.size() - 1)(rng)];
    RunResult r = Local({"query", "SELECT count(*) AS n FROM " + p.id, "-o", "json", "--as", Analyst(n)});
    rec_.Op("query (CLI)");
    // {"columns": ["n"], "rows": [{"n": "12"}]}: values are text.
    json j = json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || !j.is_object() || !j.contains("rows") || j["rows"].empty()) {
      rec_.Unexpected("query (CLI)", r.command + " -> " + std::to_string(r.exit_code) + " " + r.out + r.err);
      continue;
    }
    rec_.Answered({.product = p.id, .snapshot = "", .count = std::stoll(j["rows"][0]["n"].get<std::string>())});
  }
}

// Applies the mesh and the revised mesh in turn. Both appliers change the
// same domains, so one may find that the other applied first: the only
// refusal expected.
void Soak::Applier(bool remote) {
  const std::string kind = remote ? "apply (server)" : "apply (CLI)";
  for (int i = 0; Running(); ++i) {
    const std::string tree = (i % 2 ? e2e::RepoPath("examples/mesh") : revised_).string();
    RunResult r =
        remote ? Remote({"apply", "-f", tree}, tokens_.at("root")) : Local({"apply", "-f", tree, "--as", "root"});
    rec_.Op(kind);
    if (r.exit_code == 0) continue;
    const std::string said = r.out + r.err;
    if (r.exit_code == 1 && said.find("another apply") != std::string::npos) {
      rec_.Expected(kind + ": the other applier applied first");
      continue;
    }
    rec_.Unexpected(kind, r.command + " -> " + std::to_string(r.exit_code) + " " + said);
  }
}

// Grants its principal a product, checks that it reads, revokes, checks
// that it is refused at once; the principal's own querier reads meanwhile.
void Soak::AccessChanger(int n, bool remote) {
  const std::string grantee = "flip" + std::to_string(n + 1) + "@retail.example";
  const Product& p = kProducts[n];
  const std::string kind = remote ? "access change (server)" : "access change (CLI)";
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  auto run = [&](std::vector<std::string> args) {
    if (remote) return Remote(args, tokens_.at(p.owner));
    args.insert(args.end(), {"--as", p.owner});
    return Local(args);
  };
  double revoked_at = -1;  // when the last revoke was answered
  while (Running()) {
    if (revoked_at >= 0) rec_.RevokedWindow(grantee, revoked_at, Since(t0_));
    RunResult g = run({"access", "grant", p.id, "--to", grantee, "--purpose", "soak"});
    rec_.Op(kind);
    // "Grant N: who may read what"
    int64_t id = 0;
    if (g.exit_code != 0 || std::sscanf(g.out.c_str(), "Grant %ld", &id) != 1) {
      rec_.Unexpected(kind, g.command + " -> " + std::to_string(g.exit_code) + " " + g.out + g.err);
      continue;
    }
    if (HttpAnswer a = HttpQuery(client, tokens_.at(grantee), p.id); !a.answer)
      rec_.Unexpected(kind, "a granted principal was refused: " + a.error);
    RunResult r = run({"access", "revoke", std::to_string(id)});
    rec_.Op(kind);
    if (r.exit_code != 0) {
      rec_.Unexpected(kind, r.command + " -> " + std::to_string(r.exit_code) + " " + r.out + r.err);
      continue;
    }
    revoked_at = Since(t0_);
    HttpAnswer a = HttpQuery(client, tokens_.at(grantee), p.id);
    if (a.answer)
      rec_.Violation(grantee + " read " + p.id + " after its grant " + std::to_string(id) + " was revoked");
    else if (a.status != 403)
      rec_.Unexpected(kind, "the revoked principal's query: " + a.error);
    else
      rec_.Expected("query of a revoked principal refused (403)");
  }
  if (revoked_at >= 0) rec_.RevokedWindow(grantee, revoked_at, 1e9);
}

void Soak::GranteeQuerier(int n) {
  const std::string grantee = "flip" + std::to_string(n + 1) + "@retail.example";
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  while (Running()) {
    GranteeQuery q{.start = Since(t0_)};
    HttpAnswer a = HttpQuery(client, tokens_.at(grantee), kProducts[n].id);
    q.end = Since(t0_);
    q.answered = a.answer.has_value();
    rec_.Op("query of a granted-then-revoked principal");
    if (!q.answered && a.status != 403) rec_.Unexpected("query of a granted-then-revoked principal", a.error);
    rec_.GranteeRead(grantee, q);
    if (a.answer) rec_.Answered(*a.answer);
  }
}

void Soak::Gc() {
  while (Running()) {
    // A snapshot superseded within the grace is kept for the queries that
    // chose it. The grace must outlast the slowest query from resolving its
    // snapshot to reading its files, waiting for CPU included: with 1,000
    // idle connections held a query took up to 77 s here, and at 30 s one
    // in 1,700 read a snapshot gc had removed. 120 s leaves gc expiring
    // snapshots within a run of a few minutes.
    RunResult r = Local({"gc", "--grace", "120", "--as", "root"});
    rec_.Op("gc (CLI)");
    if (r.exit_code != 0)
      rec_.Unexpected("gc (CLI)", r.command + " -> " + std::to_string(r.exit_code) + " " + r.out + r.err);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

// --- abuse -------------------------------------------------------------------------------

// 1,000 connections that never send a byte, reopened as the server closes
// them: in the middle third of the run, so that the healthy clients'
// latency is measured with and without them, and again from the end of the
// run until the server has stopped.
void Soak::IdleConnections() {
  std::vector<int> fds(1000, -1);
  while (!stop_) {
    const double t = Since(t0_);
    const bool hold = (t > seconds_ / 3 && t < 2 * seconds_ / 3) || t >= seconds_;
    if (!hold) {
      for (int& fd : fds)
        if (fd >= 0) close(std::exchange(fd, -1));
      idle_held_ = false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    idle_held_ = true;
    for (int& fd : fds) {
      if (fd >= 0 && e2e::PeerClosed(fd)) {
        close(fd);
        fd = -1;
        rec_.Op("abuse: idle connection closed by the server");
      }
      if (fd < 0) fd = e2e::ConnectFrom("127.0.0.3", port_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
}

// 50 connections sending a request one header byte a second.
void Soak::Slowloris() {
  const std::string request = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(4096, 'a') + "\r\n\r\n";
  std::vector<std::pair<int, size_t>> conns(50, {-1, 0});
  while (!stop_) {
    for (auto& [fd, sent] : conns) {
      if (fd >= 0 && (e2e::PeerClosed(fd) || sent == request.size())) {
        close(fd);
        fd = -1;
        rec_.Op("abuse: slowloris connection ended");
      }
      if (fd < 0) {
        fd = e2e::ConnectFrom("127.0.0.4", port_);
        sent = 0;
      }
      if (fd >= 0 && send(fd, request.data() + sent, 1, MSG_NOSIGNAL) == 1) ++sent;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  for (auto& [fd, sent] : conns)
    if (fd >= 0) close(fd);
}

// Requests with made-up tokens, one after the other, from their own
// address: each must be refused (401, then 429 once the address's bucket
// of failed logins is empty).
void Soak::BadTokens() {
  std::mt19937_64 rng(7);
  while (Running()) {
    char token[96];
    std::snprintf(token, sizeof token, "weft_%08lx_%016lx%016lx%016lx%016lx",
                  static_cast<unsigned long>(rng() & 0xffffffff), static_cast<unsigned long>(rng()),
                  static_cast<unsigned long>(rng()), static_cast<unsigned long>(rng()),
                  static_cast<unsigned long>(rng()));
    const std::string head = e2e::FirstBytes(
        "127.0.0.2", port_,
        std::string("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ") + token +
            "\r\n\r\n");
    rec_.Op("abuse: bad token");
    if (head.rfind("HTTP/1.1 401", 0) == 0 || head.rfind("HTTP/1.1 429", 0) == 0)
      rec_.Expected("abuse: bad token refused (" + head.substr(9, 3) + ")");
    else if (head.empty())
      rec_.Unexpected("abuse: bad token", "no answer within 30 s");
    else
      rec_.Violation("a bad token was answered: " + head);
  }
}

// A 9 MiB publish body against --max-body-mb 8, every few seconds.
void Soak::Oversized() {
  const std::string body(9u << 20, 'x');
  while (Running()) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    auto r = client.Post("/api/v1/products/inventory.warehouses/publish",
                         {{"Authorization", "Bearer " + tokens_.at("heidi@retail.example")}}, body, "text/csv");
    rec_.Op("abuse: oversized body");
    // 413, or the connection closed before the body was read.
    if (r && r->status != 413)
      rec_.Violation("a body over the limit was taken: " + std::to_string(r->status));
    else
      rec_.Expected("abuse: oversized body refused");
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
}

// Queries that would run for hours: stopped by the time limit (5 s here).
void Soak::Runaway() {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(120, 0);
  const json body = {{"sql",
                      "SELECT count(*) FROM sales.orders a, sales.orders b, sales.orders c, sales.orders d, "
                      "sales.orders e WHERE a.order_id || b.order_id <> c.order_id || d.order_id || e.order_id"}};
  while (Running()) {
    const auto start = Clock::now();
    auto r = client.Post("/api/v1/query", {{"Authorization", "Bearer " + tokens_.at("runaway@retail.example")}},
                         body.dump(), "application/json");
    rec_.Op("abuse: runaway query");
    const std::string said = r ? r->body : httplib::to_string(r.error());
    if (r && said.find("time limit") == std::string::npos && said.find("timeout") == std::string::npos &&
        said.find("too many") == std::string::npos && said.find("cancel") == std::string::npos)
      rec_.Unexpected("abuse: runaway query", std::to_string(r->status) + " " + said);
    else
      rec_.Expected("abuse: runaway query stopped");
    rec_.Latency("abuse: runaway query (until stopped)", Since(start));
  }
}

// `field` ("VmRSS:", "Threads:") of /proc/PID/status, or -1.
long StatusField(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}

void Soak::SampleRss() {
  while (Running()) {
    const long kib = StatusField(server_->pid(), "VmRSS:");
    const long threads = StatusField(server_->pid(), "Threads:");
    if (kib > 0) {
      std::lock_guard lock(rec_.mu_);
      rss_.emplace_back(Since(t0_), static_cast<double>(kib) / 1024);
      threads_.push_back(threads);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// --- the end -----------------------------------------------------------------------------

void Soak::Verify() {
  // What was committed: every published snapshot of each product, with its rows.
  std::map<std::string, std::map<std::string, int64_t>> committed;  // product -> snapshot -> rows
  for (const auto& p : kProducts) {
    RunResult h = Local({"history", p.id, "--limit", "100000", "-o", "json", "--as", "root"});
    json j = json::parse(h.out, nullptr, false);
    if (h.exit_code != 0 || !j.is_object()) {
      rec_.Violation("history of " + p.id + " failed: " + h.err);
      continue;
    }
    for (const auto& pub : j["publishes"])
      if (pub["outcome"] == "published")
        committed[p.id][pub["snapshot"].get<std::string>()] = pub["rowsValid"].get<int64_t>();
  }
  size_t checked = 0;
  for (const auto& a : rec_.answers_) {
    const auto& snaps = committed[a.product];
    if (!a.snapshot.empty()) {
      auto it = snaps.find(a.snapshot);
      if (it == snaps.end())
        rec_.Violation(a.product + " answered from snapshot " + a.snapshot + ", which was never committed");
      else if (it->second != a.count)
        rec_.Violation(a.product + " snapshot " + a.snapshot + " counted " + std::to_string(a.count) +
                       " rows; it committed " + std::to_string(it->second));
    } else if (std::none_of(snaps.begin(), snaps.end(), [&](const auto& s) { return s.second == a.count; })) {
      rec_.Violation(a.product + " counted " + std::to_string(a.count) + " rows, which no committed snapshot holds");
    }
    ++checked;
  }
  answers_checked_ = checked;
  // A revoked grant is never honoured: no query that ran wholly inside a
  // window between a revoke's answer and the next grant's request was answered.
  for (const auto& [grantee, reads] : rec_.grantee_reads_)
    for (const auto& q : reads) {
      if (!q.answered) continue;
      for (const auto& [from, to] : rec_.revoked_[grantee])
        if (q.start > from && q.end < to)
          rec_.Violation(grantee + " was answered at " + std::to_string(q.start) + "-" + std::to_string(q.end) +
                         " s, after its grant was revoked at " + std::to_string(from) + " s");
    }
  RunResult c = Local({"check", "--grace", "0", "-o", "json"});
  json j = json::parse(c.out, nullptr, false);
  if (c.exit_code != 0 || !j.is_object() || j["clean"] != true)
    rec_.Violation("weft check after the soak: " + c.out + c.err);
  else
    check_garbage_ = j["garbage"].size();
}

// Least-squares slope of (x, y), per unit of x.
double Slope(const std::vector<std::pair<double, double>>& points) {
  if (points.size() < 2) return 0;
  double mx = 0, my = 0;
  for (const auto& [x, y] : points) {
    mx += x;
    my += y;
  }
  mx /= static_cast<double>(points.size());
  my /= static_cast<double>(points.size());
  double num = 0, den = 0;
  for (const auto& [x, y] : points) {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  }
  return den > 0 ? num / den : 0;
}

int Soak::Summary() {
  bool failed = false;
  std::printf("\n== weft soak: %.0f s against one server and the CLI, workspace %s\n", seconds_, ws_.c_str());
  std::printf("\noperations (count, expected refusals, unexpected errors):\n");
  std::set<std::string> kinds;
  for (const auto& m : {rec_.ops_, rec_.unexpected_})
    for (const auto& [k, v] : m) kinds.insert(k);
  for (const auto& k : kinds)
    std::printf("  %-48s %8ld   unexpected %ld\n", k.c_str(), rec_.ops_[k], rec_.unexpected_[k]);
  std::printf("expected outcomes:\n");
  for (const auto& [k, v] : rec_.expected_) std::printf("  %-60s %8ld\n", k.c_str(), v);
  int64_t unexpected = 0;
  for (const auto& [k, v] : rec_.unexpected_) unexpected += v;
  std::printf("unexpected errors: %ld\n", unexpected);
  for (const auto& e : rec_.examples_) std::printf("  %s\n", e.c_str());
  failed |= unexpected > 0;

  size_t with_snapshot = 0;
  for (const auto& a : rec_.answers_) with_snapshot += !a.snapshot.empty();
  std::printf("\nquery answers checked against the committed snapshots: %zu (%zu naming their snapshot)\n",
              answers_checked_, with_snapshot);
  size_t windows = 0, refused = 0, answered = 0;
  for (const auto& [g, w] : rec_.revoked_) windows += w.size();
  for (const auto& [g, reads] : rec_.grantee_reads_)
    for (const auto& q : reads) (q.answered ? answered : refused)++;
  std::printf("revocations: %zu; the revoked principals' own queries: %zu answered, %zu refused\n", windows, answered,
              refused);

  std::printf("\nlatency of healthy clients (s):\n");
  for (const auto& [k, v] : rec_.latency_)
    std::printf("  %-40s n=%-7zu p50 %.3f  p99 %.3f  max %.3f\n", k.c_str(), v.size(), Percentile(v, 0.5),
                Percentile(v, 0.99), Percentile(v, 1.0));

  if (!rss_.empty()) {
    double peak = 0;
    for (const auto& [t, mib] : rss_) peak = std::max(peak, mib);
    const std::vector<std::pair<double, double>> second_half(rss_.begin() + static_cast<long>(rss_.size() / 2),
                                                             rss_.end());
    std::printf(
        "\nserver RSS (MiB, %zu samples): start %.1f, peak %.1f, end %.1f; slope %.2f MiB/min over the run, "
        "%.2f MiB/min over its second half\n",
        rss_.size(), rss_.front().second, peak, rss_.back().second, Slope(rss_) * 60, Slope(second_half) * 60);
    // The course of the run, for telling a leak (rising throughout) from
    // the threads of the idle connections (held in the middle third) and
    // caches that fill and stop: RSS and threads at each tenth.
    std::printf("  RSS (MiB) / server threads by tenth of the run:");
    for (size_t i = 0; i <= 10; ++i) {
      const size_t at = std::min(rss_.size() - 1, i * (rss_.size() - 1) / 10);
      std::printf(" %.0fs %.0f/%ld", rss_[at].first, rss_[at].second, threads_[at]);
    }
    std::printf("\n");
  }
  std::printf("SIGTERM with 1,000 idle and 50 slowloris connections and a runaway query: stopped in %.2f s\n",
              stop_seconds_);
  if (stop_seconds_ > 10) {
    std::printf("VIOLATION: the server took more than 10 s to stop\n");
    failed = true;
  }
  std::printf("weft check after the soak: %s (%zu garbage listed)\n", check_garbage_ >= 0 ? "clean" : "NOT clean",
              check_garbage_ >= 0 ? static_cast<size_t>(check_garbage_) : 0);
  std::printf("\nviolations: %zu\n", rec_.violations_.size());
  for (const auto& v : rec_.violations_) std::printf("  VIOLATION: %s\n", v.c_str());
  failed |= !rec_.violations_.empty();
  std::printf("%s\n", failed ? "SOAK FAILED" : "soak passed");
  return failed ? 1 : 0;
}

int Soak::Main() {
  Setup();
  t0_ = Clock::now();
  deadline_ = t0_ + std::chrono::milliseconds(static_cast<int64_t>(seconds_ * 1000));
  std::vector<std::thread> timed;
  timed.emplace_back([this] { SampleRss(); });
  for (int i = 0; i < 4; ++i) timed.emplace_back([this, i] { Publisher(i, i % 2 == 0); });
  for (int i = 0; i < 12; ++i) timed.emplace_back([this, i] { HttpQuerier(i); });
  for (int i = 0; i < 2; ++i) timed.emplace_back([this, i] { CliQuerier(i); });
  for (int i = 0; i < 2; ++i) timed.emplace_back([this, i] { GranteeQuerier(i); });
  for (int i = 0; i < 2; ++i) timed.emplace_back([this, i] { Applier(i == 0); });
  for (int i = 0; i < 2; ++i) timed.emplace_back([this, i] { AccessChanger(i, i == 0); });
  timed.emplace_back([this] { Gc(); });
  timed.emplace_back([this] { BadTokens(); });
  timed.emplace_back([this] { Oversized(); });
  timed.emplace_back([this] { Runaway(); });
  // The abuse that holds connections stays until the server has stopped.
  std::thread idle([this] { IdleConnections(); });
  std::thread slow([this] { Slowloris(); });
  for (auto& t : timed) t.join();

  // SIGTERM while the idle and slowloris connections are held and a
  // runaway query runs: the server must be gone within 10 s.
  std::thread last_runaway([this] {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120, 0);
    client.Post(
        "/api/v1/query", {{"Authorization", "Bearer " + tokens_.at("runaway@retail.example")}},
        json{{"sql", "SELECT count(*) FROM sales.orders a, sales.orders b, sales.orders c, sales.orders d"}}.dump(),
        "application/json");
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto term = Clock::now();
  server_->Signal(SIGTERM);
  const RunResult& stopped = server_->Wait();
  stop_seconds_ = Since(term);
  if (stopped.exit_code != 0)
    rec_.Violation("the server's exit after SIGTERM: " + std::to_string(stopped.exit_code) + " " + stopped.err);
  stop_ = true;
  last_runaway.join();
  idle.join();
  slow.join();
  Verify();
  return Summary();
}

}  // namespace
}  // namespace weft::soak

int main(int argc, char** argv) {
  // SOAK_SECONDS, or the first argument.
  double seconds = 180;
  if (const char* env = std::getenv("SOAK_SECONDS"); env && std::atof(env) > 0) seconds = std::atof(env);
  if (argc > 1 && std::atof(argv[1]) > 0) seconds = std::atof(argv[1]);
  signal(SIGPIPE, SIG_IGN);
  return weft::soak::Soak(seconds).Main();
}
