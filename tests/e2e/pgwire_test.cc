// `weft serve --pg-listen` with a real PostgreSQL client (libpq): logins,
// the governed answers `weft query` gives the same principal, refusals with
// their SQLSTATE (the attack suite over the wire), prepared statements,
// single-row mode, cancel, TLS, raw-socket abuse, and SIGTERM.
//
// The setting is tests/fixtures/query (query/testing.h): bob (team
// finance, region EU) holds a grant on crm.customers filtered to his
// region, so C2 (US) is a filtered row and e-mails are hashed; shop.orders
// is open with a contract filter that hides O4; eve holds nothing.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "e2e/cli_runner.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Raw PII, the filtered-out order: none may appear in any answer or error.
const std::vector<std::string> kForbidden = {"ada@example.com",
                                             "bob@example.com",
                                             "cy@example.com",
                                             "Ada Lovelace",
                                             "Bob Stone",
                                             "Cy Young",
                                             "4111111111111111",
                                             "5500000000000004",
                                             "340000000000009",
                                             "1815-12-10",
                                             "1980-05-17",
                                             "5000",
                                             "O4"};

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, PgConnDeleter>;
using Res = std::unique_ptr<PGresult, PgResultDeleter>;

std::string Sqlstate(const PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s ? s : "";
}

// A `weft serve` with the PostgreSQL endpoint, on free ports.
class PgServer {
 public:
  PgServer(const std::string& ws, std::vector<std::string> extra, const std::filesystem::path& log) {
    std::vector<std::string> args = {"serve",       "--listen", "127.0.0.1:0",        "--pg-listen", "127.0.0.1:0",
                                     "--workspace", ws,         "--monitor-interval", "0",           "--access-log",
                                     log.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(args, RunOptions{.timeout = std::chrono::seconds(600)});
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::string out = process_->OutputSoFar();
      auto at = out.find("PostgreSQL endpoint 127.0.0.1:");
      if (at != std::string::npos)
        port_ = std::atoi(out.c_str() + at + 30);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  int port() const { return port_; }
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

class PgwireE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    ws_ = (*tmp_ / "ws").string();
    auto weft = [](std::vector<std::string> args, const std::string& as) {
      args.insert(args.end(), {"--workspace", ws_, "--as", as});
      RunResult r = e2e::Run(args);
      EXPECT_EQ(r.exit_code, 0) << r;
      return r;
    };
    ASSERT_EQ(e2e::Run({"init", ws_, "--as", "root"}).exit_code, 0);
    WriteSettings(*tmp_ / "ws",
              "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
              "masking: {pii: hash, restricted: redact}\n");
    weft({"apply", "-f", RepoPath("tests/fixtures/query/tree").string()}, "root");
    weft({"publish", "crm.customers", RepoPath("tests/fixtures/query/data/customers.csv").string()},
         "olga@example.com");
    weft({"publish", "shop.orders", RepoPath("tests/fixtures/query/data/orders.csv").string()}, "sam@example.com");
    weft({"principal", "add", "bob", "--group", "team:finance", "--attr", "region=EU"}, "root");
    weft({"principal", "add", "eve"}, "root");
    weft({"access", "grant", "crm.customers", "--to", "bob", "--purpose", "eu", "--row-filter",
          "region = $principal.region"},
         "olga@example.com");
    tokens_ = new std::map<std::string, std::string>();
    for (const char* p : {"bob", "eve", "olga@example.com"})
      (*tokens_)[p] = LastLine(weft({"token", "create", "--for", p}, "root").out);
    server_ = new PgServer(ws_, {}, *tmp_ / "access.log");
    ASSERT_NE(server_->port(), 0) << server_->process().OutputSoFar();
  }

  static void TearDownTestSuite() {
    if (server_) {
      server_->process().Signal(SIGTERM);
      const RunResult& stopped = server_->process().Wait();
      EXPECT_EQ(stopped.exit_code, 0) << stopped;
    }
    delete server_;
    delete tokens_;
    delete tmp_;
  }

  static std::string ConnInfo(const std::string& user, const std::string& password, int port = 0,
                              const std::string& extra = "sslmode=disable") {
    return "host=127.0.0.1 port=" + std::to_string(port ? port : server_->port()) + " dbname=weft user=" + user +
           " password=" + password + " connect_timeout=10 " + extra;
  }
  static Conn Connect(const std::string& user, const std::string& extra = "sslmode=disable") {
    return Conn(PQconnectdb(ConnInfo(user, (*tokens_)[user], 0, extra).c_str()));
  }
  static Res Exec(PGconn* c, const std::string& sql) { return Res(PQexec(c, sql.c_str())); }

  static void ExpectNoLeak(const std::string& text, const std::string& where) {
    for (const auto& f : kForbidden)
      EXPECT_EQ(text.find(f), std::string::npos) << where << " leaked '" << f << "': " << text;
  }

  // `weft query` as `who` (the CLI's local, trusted mode over the same
  // workspace): the reference every wire answer is compared with.
  static std::string WeftQueryCsv(const std::string& sql, const std::string& who) {
    RunResult r = e2e::Run({"query", sql, "-o", "csv", "--workspace", ws_, "--as", who});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out;
  }

  // The answer as CSV lines like `weft query -o csv` prints (no quoting
  // needed for these fixtures): header, rows.
  static std::string AsCsv(const PGresult* r) {
    std::string out;
    for (int c = 0; c < PQnfields(r); ++c) out += std::string(c ? "," : "") + PQfname(r, c);
    out += "\n";
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int c = 0; c < PQnfields(r); ++c)
        out += std::string(c ? "," : "") + (PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c));
      out += "\n";
    }
    return out;
  }

  static inline TempDir* tmp_ = nullptr;
  static inline std::string ws_;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
  static inline PgServer* server_ = nullptr;
};

TEST_F(PgwireE2e, ATokenOfTheUserLogsInAndEveryOtherPasswordIsRefused) {
  Conn ok = Connect("bob");
  ASSERT_EQ(PQstatus(ok.get()), CONNECTION_OK) << PQerrorMessage(ok.get());
  EXPECT_EQ(PQserverVersion(ok.get()), 160000);
  EXPECT_STREQ(PQparameterStatus(ok.get(), "session_authorization"), "bob");
  EXPECT_STREQ(PQparameterStatus(ok.get(), "server_encoding"), "UTF8");

  auto refused = [](const std::string& user, const std::string& password) {
    Conn c(PQconnectdb(ConnInfo(user, password).c_str()));
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD) << user;
    std::string message = PQerrorMessage(c.get());
    EXPECT_THAT(message, HasSubstr("password authentication failed for user \"" + user + "\"")) << message;
    EXPECT_THAT(message, Not(HasSubstr(password))) << "the password is never echoed";
  };
  refused("bob", "weft_00000000_" + std::string(64, '0'));  // no such token
  refused("bob", "not-a-token");
  refused("bob", (*tokens_)["eve"]);  // another principal's token
  refused("eve", (*tokens_)["bob"]);
  // A revoked token stops working at once.
  RunResult t = e2e::Run({"token", "create", "--for", "bob", "--workspace", ws_, "--as", "root"});
  ASSERT_EQ(t.exit_code, 0) << t;
  const std::string revocable = LastLine(t.out);
  Conn before(PQconnectdb(ConnInfo("bob", revocable).c_str()));
  EXPECT_EQ(PQstatus(before.get()), CONNECTION_OK) << PQerrorMessage(before.get());
  const std::string id = "tok_" + revocable.substr(5, 8);
  RunResult revoke = e2e::Run({"token", "revoke", id, "--workspace", ws_, "--as", "root"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke;
  refused("bob", revocable);
  // No user at all.
  Conn nobody(PQconnectdb(
      ("host=127.0.0.1 port=" + std::to_string(server_->port()) + " user= password=x sslmode=disable").c_str()));
  EXPECT_EQ(PQstatus(nobody.get()), CONNECTION_BAD);
  // The access log says who failed and why, never the secret.
  const std::string log = ReadFile(*tmp_ / "access.log");
  EXPECT_THAT(log, HasSubstr("\"pg\":\"login-failed\""));
  EXPECT_THAT(log, HasSubstr("belongs to another principal"));
  for (const auto& [who, token] : *tokens_) EXPECT_THAT(log, Not(HasSubstr(token.substr(14)))) << who;
}

TEST_F(PgwireE2e, AnswersAreWhatWeftQueryGivesTheSamePrincipal) {
  Conn bob = Connect("bob");
  ASSERT_EQ(PQstatus(bob.get()), CONNECTION_OK) << PQerrorMessage(bob.get());
  for (const std::string sql : {"SELECT customer_id, email, full_name, region FROM crm.customers ORDER BY customer_id",
                                "SELECT order_id, amount FROM shop.orders ORDER BY order_id",
                                "SELECT region, count(*) AS n FROM crm.customers GROUP BY region ORDER BY region"}) {
    Res r = Exec(bob.get(), sql);
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r.get());
    EXPECT_EQ(AsCsv(r.get()), WeftQueryCsv(sql, "bob")) << sql;
    ExpectNoLeak(AsCsv(r.get()), sql);
  }
  // Masked: e-mails are 64 hex characters; filtered: only the EU customers.
  Res r = Exec(bob.get(), "SELECT customer_id, email FROM crm.customers ORDER BY 1");
  ASSERT_EQ(PQntuples(r.get()), 2);
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "C1");
  EXPECT_STREQ(PQgetvalue(r.get(), 1, 0), "C3");
  EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 1)).size(), 64u);
  // The owner reads her own product in clear.
  Conn olga = Connect("olga@example.com");
  Res own = Exec(olga.get(), "SELECT email FROM crm.customers WHERE customer_id = 'C2'");
  ASSERT_EQ(PQntuples(own.get()), 1) << PQresultErrorMessage(own.get());
  EXPECT_STREQ(PQgetvalue(own.get(), 0, 0), "bob@example.com");
}

TEST_F(PgwireE2e, RefusalsCarryTheirSqlstateAndTheAttackSuiteLeaksNothing) {
  Conn eve = Connect("eve");
  ASSERT_EQ(PQstatus(eve.get()), CONNECTION_OK) << PQerrorMessage(eve.get());
  Res denied = Exec(eve.get(), "SELECT * FROM crm.customers");
  EXPECT_EQ(PQresultStatus(denied.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(Sqlstate(denied.get()), "42501") << PQresultErrorMessage(denied.get());
  EXPECT_THAT(PQresultErrorMessage(denied.get()), HasSubstr("crm.customers"));
  Res unknown = Exec(eve.get(), "SELECT * FROM crm.nothing_here");
  EXPECT_EQ(Sqlstate(unknown.get()), "42P01") << PQresultErrorMessage(unknown.get());
  Res syntax = Exec(eve.get(), "SELEKT 1");
  EXPECT_EQ(Sqlstate(syntax.get()), "42601") << PQresultErrorMessage(syntax.get());

  // A representative set of src/query/attack_test.cc, as bob, over the wire.
  const std::string snapshots = ws_ + "/domains/crm";
  Conn bob = Connect("bob");
  ASSERT_EQ(PQstatus(bob.get()), CONNECTION_OK);
  for (const std::string& sql : std::vector<std::string>{
           "SELECT * FROM read_parquet('" + snapshots + "/**/*.parquet')",
           "SELECT * FROM read_csv_auto('/etc/passwd')",
           "SELECT * FROM read_text('" + ws_ + "/secret.key')",
           "SELECT * FROM glob('" + ws_ + "/*')",
           "SELECT * FROM query('SELECT * FROM crm.customers')",
           "SELECT sql FROM duckdb_views()",
           "SELECT * FROM duckdb_settings()",
           "SELECT current_setting('allowed_directories')",
           "SELECT * FROM memory.crm.customers",
           "SELECT * FROM shop.orders WHERE order_id IN (SELECT column0 FROM read_csv('/etc/passwd'))",
           "ATTACH '" + ws_ + "/catalog.db' AS cat",
           "COPY (SELECT * FROM crm.customers) TO '/tmp/weft-pg-leak.csv'",
           "CREATE TABLE t AS SELECT * FROM crm.customers",
           "PRAGMA database_list",
           "INSTALL httpfs",
           "SELECT * FROM crm.customers_v2",
           "SELECT * FROM \"crm.customers\"",
           "SELECT getvariable('x')",
       }) {
    Res r = Exec(bob.get(), sql);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR) << sql << " answered " << PQntuples(r.get()) << " rows";
    EXPECT_THAT(Sqlstate(r.get()), ::testing::AnyOf("42501", "42601", "42P01", "42703", "42000")) << sql;
    ExpectNoLeak(PQresultErrorMessage(r.get()), sql);
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/weft-pg-leak.csv"));
  // Several statements in one message: each goes to the gateway alone.
  Res two = Exec(bob.get(), "SELECT 1 AS a; SELECT * FROM read_csv('/etc/passwd')");
  EXPECT_EQ(Sqlstate(two.get()), "42501");
  // Predicates see only masked values; aggregates count only visible rows.
  for (const std::string sql :
       {"SELECT * FROM crm.customers WHERE email = 'ada@example.com'",
        "SELECT * FROM crm.customers WHERE region = 'US'", "SELECT * FROM shop.orders WHERE amount > 1000"}) {
    Res r = Exec(bob.get(), sql);
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << sql << PQresultErrorMessage(r.get());
    EXPECT_EQ(PQntuples(r.get()), 0) << sql;
  }
  Res count = Exec(bob.get(), "SELECT count(*) FROM crm.customers");
  EXPECT_STREQ(PQgetvalue(count.get(), 0, 0), "2");
  // The connection is still good after every refusal.
  Res ok = Exec(bob.get(), "SELECT 1");
  EXPECT_EQ(PQresultStatus(ok.get()), PGRES_TUPLES_OK);
}

TEST_F(PgwireE2e, PreparedStatementsBindParametersAsValues) {
  Conn bob = Connect("bob");
  ASSERT_EQ(PQstatus(bob.get()), CONNECTION_OK);
  Res prepared = Res(PQprepare(bob.get(), "by_region",
                               "SELECT customer_id FROM crm.customers WHERE region = $1 ORDER BY 1", 0, nullptr));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(prepared.get());
  Res described = Res(PQdescribePrepared(bob.get(), "by_region"));
  ASSERT_EQ(PQresultStatus(described.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(described.get());
  EXPECT_EQ(PQnparams(described.get()), 1);
  EXPECT_EQ(PQnfields(described.get()), 1);
  EXPECT_STREQ(PQfname(described.get(), 0), "customer_id");
  const char* eu[] = {"EU"};
  Res rows = Res(PQexecPrepared(bob.get(), "by_region", 1, eu, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(rows.get());
  EXPECT_EQ(PQntuples(rows.get()), 2);
  // A value that looks like SQL is a value: no row has that region.
  const char* injection[] = {"EU' OR '1'='1"};
  rows = Res(PQexecPrepared(bob.get(), "by_region", 1, injection, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(rows.get());
  EXPECT_EQ(PQntuples(rows.get()), 0);
  // A binary int4 parameter and a binary result.
  uint32_t big_endian = htonl(15);
  const char* values[] = {reinterpret_cast<const char*>(&big_endian)};
  const int lengths[] = {4};
  const int formats[] = {1};
  const Oid types[] = {23};
  rows = Res(PQexecParams(bob.get(), "SELECT order_id, amount FROM shop.orders WHERE amount > $1 ORDER BY 1", 1, types,
                          values, lengths, formats, 0));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(rows.get());
  EXPECT_EQ(PQntuples(rows.get()), 2);  // O2, O3; O4 stays filtered
  rows =
      Res(PQexecParams(bob.get(), "SELECT count(*) AS n FROM shop.orders", 0, nullptr, nullptr, nullptr, nullptr, 1));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(rows.get());
  ASSERT_EQ(PQgetlength(rows.get(), 0, 0), 8);  // int8 in binary
  EXPECT_EQ(PQgetvalue(rows.get(), 0, 0)[7], 3);
  // A refused statement is refused when prepared or described, with its SQLSTATE.
  Res refused = Res(PQprepare(bob.get(), "", "SELECT * FROM read_csv('/etc/passwd')", 0, nullptr));
  Res refused_run = Res(PQexecPrepared(bob.get(), "", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_EQ(Sqlstate(refused_run.get()), "42501") << PQresultErrorMessage(refused_run.get());
}

TEST_F(PgwireE2e, SingleRowModeStreamsRowByRow) {
  Conn bob = Connect("bob");
  ASSERT_EQ(PQsendQuery(bob.get(), "SELECT order_id FROM shop.orders ORDER BY 1"), 1);
  ASSERT_EQ(PQsetSingleRowMode(bob.get()), 1);
  std::vector<std::string> ids;
  for (;;) {
    Res r(PQgetResult(bob.get()));
    if (!r) break;
    if (PQresultStatus(r.get()) == PGRES_SINGLE_TUPLE)
      ids.push_back(PQgetvalue(r.get(), 0, 0));
    else
      EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("O1", "O2", "O3"));
}

TEST_F(PgwireE2e, CancelStopsALongQueryAndTheConnectionGoesOn) {
  Conn bob = Connect("bob");
  ASSERT_EQ(PQstatus(bob.get()), CONNECTION_OK);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(PQsendQuery(bob.get(),
                        "SELECT count(*) FROM shop.orders a, (SELECT unnest(generate_series(1, 300000)) AS x) d, "
                        "(SELECT unnest(generate_series(1, 300000)) AS y) e WHERE x + y > 0"),
            1);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  PGcancel* cancel = PQgetCancel(bob.get());
  char err[256];
  EXPECT_EQ(PQcancel(cancel, err, sizeof err), 1) << err;
  PQfreeCancel(cancel);
  Res r(PQgetResult(bob.get()));
  EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(Sqlstate(r.get()), "57014") << PQresultErrorMessage(r.get());
  EXPECT_THAT(PQresultErrorMessage(r.get()), HasSubstr("canceling statement due to user request"));
  while (PGresult* more = PQgetResult(bob.get())) PQclear(more);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  Res after = Exec(bob.get(), "SELECT 1 AS still_here");
  EXPECT_EQ(PQresultStatus(after.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(after.get());
}

// One raw TCP connection to the endpoint.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    [[maybe_unused]] ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  void CloseWriting() { shutdown(fd_, SHUT_WR); }
  // Everything the server sends until it closes the connection (or 5 s pass).
  std::string ReadUntilClosed(bool* closed) {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        *closed = n == 0 || errno == ECONNRESET;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

TEST_F(PgwireE2e, MalformedClientsAreCutOffAndTheServerKeepsServing) {
  const std::string startup_body = BigEndian(196608) + std::string("user\0bob\0\0", 10);
  const std::string startup = BigEndian(static_cast<uint32_t>(startup_body.size() + 4)) + startup_body;
  struct Abuse {
    std::string what;
    std::string bytes;
    bool close_writing = false;  // then the client says no more (a message cut short)
  };
  const std::vector<Abuse> abuses = {
      {"a length under 4", BigEndian(2) + "xx"},
      {"a length of 0xFFFFFFFF", BigEndian(0xFFFFFFFFu) + "xxxx"},
      {"a startup packet over 10 KiB", BigEndian(64 * 1024) + std::string(100, 'a')},
      {"garbage before the startup packet", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"protocol 2.0", BigEndian(8) + BigEndian(0x00020000)},
      {"a startup packet cut short", BigEndian(200) + BigEndian(196608) + "user", true},
      {"a password message over the limit", startup + "p" + BigEndian(1u << 30) + "x"},
      {"another message in place of the password", startup + "Q" + BigEndian(13) + std::string("SELECT 1\0", 9)},
  };
  for (const auto& abuse : abuses) {
    RawClient c(server_->port());
    ASSERT_TRUE(c.connected());
    c.Send(abuse.bytes);
    if (abuse.close_writing) c.CloseWriting();
    bool closed = false;
    std::string answer = c.ReadUntilClosed(&closed);
    EXPECT_TRUE(closed) << abuse.what;
    ExpectNoLeak(answer, abuse.what);
    Conn after = Connect("bob");
    EXPECT_EQ(PQstatus(after.get()), CONNECTION_OK) << "after " << abuse.what << ": " << PQerrorMessage(after.get());
  }
  // A half-open client (connected, silent) holds nothing up; an unknown
  // message type after login closes that connection with 08P01.
  RawClient silent(server_->port());
  ASSERT_TRUE(silent.connected());
  Conn during = Connect("bob");
  EXPECT_EQ(PQstatus(during.get()), CONNECTION_OK) << PQerrorMessage(during.get());
  RawClient rogue(server_->port());
  const std::string body = BigEndian(196608) + std::string("user\0bob\0\0", 10);
  rogue.Send(BigEndian(static_cast<uint32_t>(body.size() + 4)) + body);
  const std::string token = (*tokens_)["bob"];
  rogue.Send("p" + BigEndian(static_cast<uint32_t>(token.size() + 5)) + token + std::string(1, '\0'));
  rogue.Send("?" + BigEndian(4));
  bool closed = false;
  std::string answer = rogue.ReadUntilClosed(&closed);
  EXPECT_TRUE(closed);
  EXPECT_THAT(answer, HasSubstr("08P01"));
  EXPECT_THAT(answer, HasSubstr("unexpected message type"));
  Res still = Exec(during.get(), "SELECT 1");
  EXPECT_EQ(PQresultStatus(still.get()), PGRES_TUPLES_OK);
}

// TLS with a certificate made here; a remote plaintext password is refused
// before it is sent (loopback counts as remote for this server); SIGTERM
// ends a running query's session and the server within 10 s.
TEST_F(PgwireE2e, TlsIsRequiredFromOtherHostsAndSigtermStopsSessions) {
  const std::string cert = (*tmp_ / "cert.pem").string(), key = (*tmp_ / "key.pem").string();
  const std::string openssl = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
                              " -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null";
  ASSERT_EQ(std::system(openssl.c_str()), 0);
  PgServer tls(ws_, {"--pg-tls-cert", cert, "--pg-tls-key", key, "--pg-treat-loopback-as-remote"},
               *tmp_ / "access-tls.log");
  ASSERT_NE(tls.port(), 0) << tls.process().OutputSoFar();
  const std::string bob_token = (*tokens_)["bob"];
  Conn plain(PQconnectdb(ConnInfo("bob", bob_token, tls.port(), "sslmode=disable").c_str()));
  EXPECT_EQ(PQstatus(plain.get()), CONNECTION_BAD);
  EXPECT_THAT(PQerrorMessage(plain.get()), HasSubstr("sslmode=require"));
  Conn secure(PQconnectdb(ConnInfo("bob", bob_token, tls.port(), "sslmode=require").c_str()));
  ASSERT_EQ(PQstatus(secure.get()), CONNECTION_OK) << PQerrorMessage(secure.get());
  EXPECT_NE(PQsslInUse(secure.get()), 0);
  Res r = Exec(secure.get(), "SELECT customer_id FROM crm.customers ORDER BY 1");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  EXPECT_EQ(PQntuples(r.get()), 2);
  Conn verified(PQconnectdb(ConnInfo("bob", bob_token, tls.port(), "sslmode=verify-full sslrootcert=" + cert).c_str()));
  EXPECT_EQ(PQstatus(verified.get()), CONNECTION_OK) << PQerrorMessage(verified.get());

  // SIGTERM while a query runs: the session ends, the server exits cleanly in time.
  ASSERT_EQ(PQsendQuery(secure.get(),
                        "SELECT count(*) FROM shop.orders a, (SELECT unnest(generate_series(1, 300000)) AS x) d, "
                        "(SELECT unnest(generate_series(1, 300000)) AS y) e WHERE x + y > 0"),
            1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  tls.process().Signal(SIGTERM);
  const RunResult& stopped = tls.process().Wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(stopped.exit_code, 0) << stopped;
  Res ended(PQgetResult(secure.get()));
  EXPECT_NE(PQresultStatus(ended.get()), PGRES_TUPLES_OK);
  EXPECT_THAT(std::string(PQresultErrorMessage(ended.get())) + PQerrorMessage(secure.get()),
              ::testing::AnyOf(HasSubstr("57P01"), HasSubstr("server is stopping"), HasSubstr("shutting down"),
                               HasSubstr("server closed the connection")));
}

}  // namespace
}  // namespace weft::e2e
