// How a command reaches a capability. Locally (the default) it opens the
// workspace as a service::Mesh and calls the service as the acting
// principal (--as, $WEFT_USER, $USER: the trusted local mode); with
// --server URL (or $WEFT_SERVER, token in $WEFT_TOKEN) it calls the REST
// route that serves the same view. Either way the command gets the view's
// JSON (service ToJson) and a Status, and draws its output from them, so a
// command prints the same thing in both modes.
//
//   Answer a = Call(ctx, {.path = "/api/v1/domains"}, [](service::Mesh& m, const service::Caller& c) -> Answer {
//     return Of(service::CatalogService(m).Domains(c));
//   });
//   if (!Report(ctx, "get", a.status)) return;
//
// Thread safety: single-threaded (one process, one command).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "service/caller.h"
#include "service/mesh.h"
#include "service/views.h"

namespace weft::cli {

// A service's answer: the view's JSON, and a Status. A refusal may carry a
// body too (a plan refused for breaking changes, a rejected publish's report).
struct Answer {
  Status status;
  nlohmann::json body;
};

// The answer of a service call that returned a view.
template <typename T>
Answer Of(const Result<T>& r) {
  if (!r.ok()) return {r.status(), nullptr};
  using service::ToJson;
  return {Status::Ok(), ToJson(*r)};
}

struct Rest {
  std::string method = "GET";
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // empty values are left out
  std::string body;
  std::string content_type = "application/json";
};

using LocalCall = std::function<Answer(service::Mesh&, const service::Caller&)>;

// Runs `local` on the workspace, or `rest` on the server.
Answer Call(CommandContext& ctx, const Rest& rest, const LocalCall& local);

// Sends `rest` to the server and hands each line of a streamed (NDJSON)
// answer to `on_line`; a refusal before the stream began is the Status.
Status CallStreaming(CommandContext& ctx, const Rest& rest, const std::function<Status(std::string_view line)>& on_line);

// The workspace as a Mesh, for the commands that work on the workspace's
// machine only (gc, demo); a usage error with --server.
Result<std::unique_ptr<service::Mesh>> OpenLocalMesh(CommandContext& ctx, const std::string& command);

// The acting principal in the local mode: registered, or (for reads) an
// unregistered name with no roles, which the services treat as a consumer.
service::Caller LocalCaller(service::Mesh& mesh, const CommandContext& ctx);

// Prints "weft COMMAND: message" and sets the exit code (service/outcome.h)
// when `s` is not ok; returns s.ok().
bool Report(CommandContext& ctx, const std::string& command, const Status& s);

}  // namespace weft::cli
