#include "cli/call.h"

#include <httplib.h>

#include <ostream>

#include "cli/workspace_context.h"
#include "common/time.h"
#include "service/outcome.h"

namespace weft::cli {

namespace {

using nlohmann::json;

std::unique_ptr<httplib::Client> Client(const CommandContext& ctx) {
  auto client = std::make_unique<httplib::Client>(ctx.server);
  client->set_read_timeout(3600, 0);  // a publish of a large file takes minutes
  client->set_write_timeout(600, 0);
  client->set_connection_timeout(10, 0);
  return client;
}

std::string Target(const Rest& rest) {
  httplib::Params params;
  for (const auto& [k, v] : rest.query)
    if (!v.empty()) params.emplace(k, v);
  return params.empty() ? rest.path : httplib::append_query_params(rest.path, params);
}

Status Unreachable(const CommandContext& ctx, httplib::Error e) {
  // httplib names its errors in one word ("Connection"); say what it means.
  std::string why = e == httplib::Error::Connection        ? "nothing accepts connections there"
                    : e == httplib::Error::ConnectionTimeout ? "the connection timed out"
                    : e == httplib::Error::SSLConnection     ? "the TLS handshake failed"
                                                              : "httplib error: " + httplib::to_string(e);
  return Status::IoError("cannot reach the weft server at " + ctx.server + " (" + why +
                         "); check that `weft serve` runs there and that --server or $WEFT_SERVER names it");
}

// A problem+json answer as the Status it stands for, and its result.
Answer FromProblem(int http_status, const std::string& text) {
  json body = json::parse(text, nullptr, false);
  std::string detail = body.is_object() ? body.value("detail", text) : text;
  Status s(service::StatusCodeOfHttp(http_status), detail.empty() ? "HTTP " + std::to_string(http_status) : detail);
  return {s, body.is_object() && body.contains("result") ? body["result"] : json()};
}

}  // namespace

service::Caller LocalCaller(service::Mesh& mesh, const CommandContext& ctx) {
  const std::string name = Actor(ctx);
  auto caller = mesh.CallerFor(name);
  if (caller.ok()) return std::move(*caller);
  return service::Caller{access::Principal{.name = name, .kind = "", .attributes = {}, .roles = {}, .domain = ""}, NowIso()};
}

Answer Call(CommandContext& ctx, const Rest& rest, const LocalCall& local) {
  if (ctx.server.empty()) {
    auto mesh = service::Mesh::Open(ctx.workspace);
    if (!mesh.ok()) {
      // No workspace is the caller's to fix (--workspace, $WEFT_HOME).
      Status s = mesh.status().code() == StatusCode::kNotFound ? Status::InvalidArgument(mesh.status().message()) : mesh.status();
      return {s, nullptr};
    }
    service::Caller caller = LocalCaller(**mesh, ctx);
    Answer a = local(**mesh, caller);
    (*mesh)->Close();
    return a;
  }
  if (ctx.token.empty())
    return {Status::InvalidArgument("talking to " + ctx.server + " needs a token in $WEFT_TOKEN (weft token create)"), nullptr};
  auto client = Client(ctx);
  httplib::Headers headers = {{"Authorization", "Bearer " + ctx.token}};
  const std::string target = Target(rest);
  httplib::Result res = rest.method == "GET"      ? client->Get(target, headers)
                        : rest.method == "DELETE" ? client->Delete(target, headers)
                                                  : client->Post(target, headers, rest.body, rest.content_type);
  if (!res) return {Unreachable(ctx, res.error()), nullptr};
  if (res->status >= 300) return FromProblem(res->status, res->body);
  json body = json::parse(res->body, nullptr, false);
  if (body.is_discarded()) return {Status::Internal(ctx.server + " answered " + rest.path + " with no JSON"), nullptr};
  return {Status::Ok(), std::move(body)};
}

Status CallStreaming(CommandContext& ctx, const Rest& rest, const std::function<Status(std::string_view)>& on_line) {
  if (ctx.token.empty())
    return Status::InvalidArgument("talking to " + ctx.server + " needs a token in $WEFT_TOKEN (weft token create)");
  auto client = Client(ctx);
  httplib::Request req;
  req.method = rest.method;
  req.path = Target(rest);
  req.headers = {{"Authorization", "Bearer " + ctx.token}, {"Content-Type", rest.content_type}};
  req.body = rest.body;
  std::string pending, refusal;
  int http_status = 0;
  Status failed;
  req.response_handler = [&](const httplib::Response& r) {
    http_status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (http_status >= 300) {
      refusal.append(data, n);
      return true;
    }
    pending.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.empty()) continue;  // a heartbeat
      failed = on_line(line);
      if (!failed.ok()) return false;
    }
    pending.erase(0, start);
    return true;
  };
  auto res = client->send(req);
  if (!failed.ok()) return failed;
  if (!res) return Unreachable(ctx, res.error());
  if (res->status >= 300) return FromProblem(res->status, refusal.empty() ? res->body : refusal).status;
  if (!pending.empty()) return on_line(pending);
  return Status::Ok();
}

Result<std::unique_ptr<service::Mesh>> OpenLocalMesh(CommandContext& ctx, const std::string& command) {
  if (!ctx.server.empty())
    return Status::InvalidArgument("weft " + command + " works on the workspace's own machine; it has no --server mode");
  auto mesh = service::Mesh::Open(ctx.workspace);
  if (!mesh.ok() && mesh.status().code() == StatusCode::kNotFound) return Status::InvalidArgument(mesh.status().message());
  return mesh;
}

bool Report(CommandContext& ctx, const std::string& command, const Status& s) {
  if (s.ok()) return true;
  ctx.err << "weft " << command << ": " << s.message() << "\n";
  ctx.exit_code = service::ExitCodeOf(s.code());
  return false;
}

}  // namespace weft::cli
