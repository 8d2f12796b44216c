// The client side of bench/pgwire (issue 17, part 5): libpq against
// `weft serve --pg-listen`, or any PostgreSQL server.
//
//   bench_pgwire latency CONNINFO SQL [--connections 16] [--seconds 10]
//                        [--warmup 1] [--protocol simple|extended|prepared]
//                        [--distinct]
//     CONNECTIONS threads, each with its own connection, run SQL back to
//     back for SECONDS (after WARMUP seconds not counted) and time each
//     round trip. Prints one line:
//       p50_ms p99_ms queries_per_s queries errors
//     and the first error, if any, on stderr. simple: PQexec (the simple
//     query protocol); extended: PQexecParams (Parse/Bind/Describe/Execute/
//     Sync of the unnamed statement every time, as JDBC's first executions
//     do); prepared: PQprepare once, then PQexecPrepared (Bind/Execute/Sync).
//     --distinct (simple and extended): each statement is SQL with a comment
//     of its own appended (numbered from the clock, so a second run against
//     the same server sends no statement of the first), so no two are the
//     same text and none is answered from weft's result cache: the engine
//     runs every one.
//
//   bench_pgwire stream CONNINFO SQL [--protocol simple|extended]
//     Runs SQL once in libpq's single-row mode (rows are handed over as they
//     arrive; nothing accumulates) and reads every value. Prints:
//       rows bytes seconds
//
// Exit 1 when a connection or the query fails (stream), or when no query
// succeeded (latency). It times; it does not judge: bench/pgwire does.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string conninfo;
  std::string sql;
  int connections = 16;
  double seconds = 10;
  double warmup = 1;
  std::string protocol = "simple";
  bool distinct = false;
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_pgwire latency CONNINFO SQL [--connections N] [--seconds S] [--warmup S] "
               "[--protocol simple|extended|prepared] [--distinct]\n"
               "       bench_pgwire stream CONNINFO SQL [--protocol simple|extended]\n");
  return 2;
}

bool Parse(int argc, char** argv, Options& o) {
  if (argc < 4) return false;
  o.mode = argv[1];
  o.conninfo = argv[2];
  o.sql = argv[3];
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--distinct") {
      o.distinct = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--connections") {
      o.connections = std::atoi(v.c_str());
    } else if (a == "--seconds") {
      o.seconds = std::atof(v.c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atof(v.c_str());
    } else if (a == "--protocol") {
      o.protocol = v;
    } else {
      return false;
    }
  }
  if (o.mode != "latency" && o.mode != "stream") return false;
  if (o.protocol != "simple" && o.protocol != "extended" && o.protocol != "prepared") return false;
  if (o.distinct && o.protocol == "prepared") return false;
  return o.connections > 0 && o.seconds > 0;
}

PGconn* Connect(const std::string& conninfo, std::string& error) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
    PQfinish(conn);
    return nullptr;
  }
  return conn;
}

std::string ResultError(PGresult* r, PGconn* conn) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  return std::string(state ? state : "-----") + " " + message;
}

int Latency(const Options& o) {
  std::mutex mu;
  std::vector<double> all_ms;
  std::string first_error;
  std::atomic<long> errors{0};
  std::atomic<int> connected{0};
  std::atomic<bool> go{false};
  const auto start_after = std::chrono::duration<double>(o.warmup);
  const auto run_for = std::chrono::duration<double>(o.seconds);

  // Distinct across runs too: a second run against the same server would
  // otherwise send the first run's statements again, and get kept answers.
  std::atomic<long> statements{std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count() %
                               1000000000000L};
  auto worker = [&]() {
    std::string error;
    PGconn* conn = Connect(o.conninfo, error);
    if (!conn) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.empty()) first_error = "connect: " + error;
      ++errors;
      ++connected;
      return;
    }
    if (o.protocol == "prepared") {
      PGresult* r = PQprepare(conn, "bench", o.sql.c_str(), 0, nullptr);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.empty()) first_error = "prepare: " + ResultError(r, conn);
        ++errors;
      }
      PQclear(r);
    }
    ++connected;
    while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::vector<double> mine;
    const auto begin = Clock::now();
    for (;;) {
      const auto t0 = Clock::now();
      if (t0 - begin >= start_after + run_for) break;
      PGresult* r = nullptr;
      const std::string sql = o.distinct ? o.sql + "\n-- " + std::to_string(++statements) : o.sql;
      if (o.protocol == "simple") {
        r = PQexec(conn, sql.c_str());
      } else if (o.protocol == "extended") {
        r = PQexecParams(conn, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
      } else {
        r = PQexecPrepared(conn, "bench", 0, nullptr, nullptr, nullptr, 0);
      }
      const auto t1 = Clock::now();
      const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
      if (!ok) {
        ++errors;
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.empty()) first_error = ResultError(r, conn);
      }
      PQclear(r);
      if (!ok && PQstatus(conn) != CONNECTION_OK) break;
      if (ok && t0 - begin >= start_after) mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    PQfinish(conn);
    std::lock_guard<std::mutex> lock(mu);
    all_ms.insert(all_ms.end(), mine.begin(), mine.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(worker);
  while (connected.load() < o.connections) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  go = true;
  for (auto& t : threads) t.join();
  if (!first_error.empty()) std::fprintf(stderr, "bench_pgwire: first error: %s\n", first_error.c_str());
  if (all_ms.empty()) {
    std::fprintf(stderr, "bench_pgwire: no query succeeded\n");
    return 1;
  }
  std::sort(all_ms.begin(), all_ms.end());
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(all_ms.size() - 1) + 0.5);
    return all_ms[std::min(i, all_ms.size() - 1)];
  };
  std::printf("%.3f %.3f %.1f %zu %ld\n", pct(0.50), pct(0.99), static_cast<double>(all_ms.size()) / o.seconds,
              all_ms.size(), errors.load());
  return 0;
}

int Stream(const Options& o) {
  std::string error;
  PGconn* conn = Connect(o.conninfo, error);
  if (!conn) {
    std::fprintf(stderr, "bench_pgwire: connect: %s", error.c_str());
    return 1;
  }
  const auto t0 = Clock::now();
  int sent = o.protocol == "simple" ? PQsendQuery(conn, o.sql.c_str())
                                    : PQsendQueryParams(conn, o.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  if (!sent || !PQsetSingleRowMode(conn)) {
    std::fprintf(stderr, "bench_pgwire: send: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
  }
  long rows = 0;
  long long bytes = 0;
  bool failed = false;
  while (PGresult* r = PQgetResult(conn)) {
    const ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_SINGLE_TUPLE) {
      ++rows;
      const int fields = PQnfields(r);
      for (int f = 0; f < fields; ++f) bytes += PQgetlength(r, 0, f);
    } else if (status != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "bench_pgwire: query: %s", ResultError(r, conn).c_str());
      failed = true;
    }
    PQclear(r);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  PQfinish(conn);
  if (failed) return 1;
  std::printf("%ld %lld %.3f\n", rows, bytes, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) return Usage();
  return o.mode == "latency" ? Latency(o) : Stream(o);
}
