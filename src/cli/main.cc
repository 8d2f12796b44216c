// The `weft` binary: the CLI (cli/) plus `weft serve`, the one command that
// needs server/ — wired here so that cli/ and server/ never depend on each
// other (docs/architecture.md).
//
// weft serve [--listen HOST:PORT] [--access-log FILE|-] [--rate N] [--max-body-mb N]
//            [--pg-listen HOST:PORT [--pg-tls-cert FILE --pg-tls-key FILE]]
// Serves the workspace's API and web UI until SIGTERM or SIGINT, then lets
// in-flight requests finish and closes the catalog (server/server.h).
#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <iostream>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "control/workspace.h"
#include "server/server.h"

namespace weft::cli {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  std::string access_log = "-";
  double rate = 1200;
  size_t max_body_mb = 256;
  int threads = 64;
  int monitor_interval = 60;
  std::string pg_listen;  // empty: no PostgreSQL endpoint
  std::string pg_tls_cert, pg_tls_key;
  int pg_max_connections = 64;
  bool pg_loopback_is_remote = false;  // tests of the plaintext refusal
};

// "HOST:PORT" -> (host, port); nullopt when it is not that.
std::optional<std::pair<std::string, int>> HostPort(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (port < 0 || port > 65535) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [::1]
  return std::make_pair(host, port);
}

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the REST API (/api/openapi.json) and the web catalog (/)");
  cmd->add_option("--listen", a->listen, "HOST:PORT to listen on (PORT 0: any free port)");
  cmd->add_option("--access-log", a->access_log, "Where the JSON access log goes: a file, '-' for stderr, 'off'");
  cmd->add_option("--rate", a->rate, "Requests a minute per token")->check(CLI::PositiveNumber);
  cmd->add_option("--max-body-mb", a->max_body_mb, "Largest request body (uploads), in MiB")->check(CLI::Range(1, 65536));
  cmd->add_option("--threads", a->threads, "Worker threads kept ready (each open connection holds one; more start as connections need them)")->check(CLI::Range(2, 1024));
  cmd->add_option("--monitor-interval", a->monitor_interval,
                  "Seconds between monitor passes (SLAs, incidents, webhooks); 0: no monitor")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--pg-listen", a->pg_listen, "HOST:PORT for PostgreSQL clients (psql, JDBC, BI tools); off unless set");
  cmd->add_option("--pg-tls-cert", a->pg_tls_cert, "PEM certificate (chain) for the PostgreSQL endpoint's TLS")->check(CLI::ExistingFile);
  cmd->add_option("--pg-tls-key", a->pg_tls_key, "PEM private key of --pg-tls-cert")->check(CLI::ExistingFile);
  cmd->add_option("--pg-max-connections", a->pg_max_connections, "PostgreSQL connections served at once")->check(CLI::Range(1, 10000));
  // Hidden: lets a test on one host see the refusal a remote plaintext client gets.
  cmd->add_flag("--pg-treat-loopback-as-remote", a->pg_loopback_is_remote)->group("");
  cmd->callback([&ctx, a] {
    if (!ctx.server.empty()) {
      ctx.err << "weft serve: serves a local workspace; it has no --server mode\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    auto listen = HostPort(a->listen);
    if (!listen) {
      ctx.err << "weft serve: --listen '" << a->listen << "' must be HOST:PORT\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    const auto& [host, port] = *listen;
    std::optional<pgwire::ListenerOptions> pg;
    if (!a->pg_listen.empty()) {
      auto hp = HostPort(a->pg_listen);
      if (!hp) {
        ctx.err << "weft serve: --pg-listen '" << a->pg_listen << "' must be HOST:PORT\n";
        ctx.exit_code = kExitUsage;
        return;
      }
      pg = pgwire::ListenerOptions{.host = hp->first, .port = hp->second, .tls_cert = a->pg_tls_cert,
                                   .tls_key = a->pg_tls_key, .max_connections = a->pg_max_connections,
                                   .loopback_is_remote = a->pg_loopback_is_remote};
    } else if (!a->pg_tls_cert.empty() || !a->pg_tls_key.empty()) {
      ctx.err << "weft serve: --pg-tls-cert and --pg-tls-key need --pg-listen\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    auto ws = control::FindWorkspace(ctx.workspace);
    if (!ws.ok()) {
      ctx.err << "weft serve: " << ws.status().message() << "\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    std::ofstream log_file;
    std::ostream* log = &std::cerr;
    if (a->access_log == "off") log = nullptr;
    else if (a->access_log != "-") {
      log_file.open(a->access_log, std::ios::app);
      if (!log_file) {
        ctx.err << "weft serve: cannot write the access log " << a->access_log << "\n";
        ctx.exit_code = kExitUsage;
        return;
      }
      log = &log_file;
    }
    // glibc gives a thread that finds every malloc arena locked an arena of
    // its own, up to 8 per core, each a 64-MiB heap that keeps what was
    // freed in it. The server runs a thread per connection (1,000+ while the
    // soak holds its idle connections), so all 16 arenas of this 2-core
    // machine filled and stayed: in a 180-s soak, 16 heaps held 216-256 MiB
    // of address space of which only 73-94 MiB were in use (malloc_info),
    // and malloc_trim(0) gave back just 12 MiB of the RSS. With 2 arenas
    // the same soak ended at 227 MiB instead of 280 (peak 312 instead of
    // 330; second-half slope 49 instead of 72 MiB/min): docs/reliability.md,
    // "Memory is not flat". Set before the server starts any thread, so
    // every arena it makes counts; MALLOC_ARENA_MAX in the environment wins.
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
    const std::string root = ws->root.string();
    server::Server server({.host = host,
                           .port = port,
                           .workspace = ws->root,
                           .max_body_bytes = a->max_body_mb << 20,
                           .threads = a->threads,
                           .rate_per_minute = a->rate,
                           .access_log = log,
                           .monitor_interval_seconds = a->monitor_interval,
                           .pg = pg});
    // SIGTERM/SIGINT are taken by one thread with sigwait; every thread the
    // server starts inherits the mask, so none is interrupted mid-request.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    auto bound = server.Bind();
    if (!bound.ok()) {
      ctx.err << "weft serve: " << bound.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    ctx.out << fmt::format("weft: serving http://{}:{} (workspace {})", host, *bound, root) << "\n"
            << fmt::format("weft: Iceberg REST catalog http://{}:{}/iceberg (a weft token is the bearer token)",
                           host, *bound)
            << std::endl;
    if (pg)
      ctx.out << fmt::format("weft: PostgreSQL endpoint {}:{} ({}; user = a principal, password = its weft token)",
                             pg->host, server.pg_port(), pg->tls_cert.empty() ? "no TLS: loopback clients only" : "TLS")
              << std::endl;
    std::thread watcher([&server, signals] {
      int sig = 0;
      sigwait(&signals, &sig);
      server.Stop();
    });
    Status served = server.Serve();
    // Wake the watcher if the server ended on its own.
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    if (!served.ok()) {
      ctx.err << "weft serve: " << served.message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    ctx.out << "weft: stopped; in-flight requests finished and the catalog is closed" << std::endl;
  });
}

}  // namespace
}  // namespace weft::cli

int main(int argc, char** argv) { return weft::cli::RunCli(argc, argv, std::cout, std::cerr, weft::cli::AddServeCommand); }
