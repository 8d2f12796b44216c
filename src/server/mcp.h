// The Model Context Protocol server of `weft serve`: AI agents reach the
// catalog and the governed query path at /mcp over MCP's Streamable HTTP
// transport (docs/mcp.md), as the principal of their weft token.
//
//   McpServer mcp(mesh, "0.1.0");
//   mcp.Handle(caller, token_id, req, res);   // POST or DELETE /mcp, authenticated
//
// The server's request pipeline authenticates, rate-limits and logs /mcp
// like any route (server.h); McpServer speaks JSON-RPC 2.0 and maps each
// method to one service call as the caller, so an agent reads exactly what
// the REST API and the CLI give the same principal: the same Authorizer,
// grants, masks, row filters, limits and metering.
//
// Sessions: initialize issues an Mcp-Session-Id bound to the principal and
// the negotiated revision; every later request must carry it (400 without,
// 404 for one that is unknown, ended or another principal's). The session
// holds no rights: the token is verified on every request.
//
// Thread safety: Handle may be called concurrently; the session table is
// guarded by mu_.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/problem.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace weft::server {

// The MCP revisions weft speaks, newest first. A client asking for another
// gets the newest (the spec's negotiation).
inline constexpr std::string_view kMcpRevisions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

class McpServer {
 public:
  McpServer(service::Mesh& mesh, std::string version) : mesh_(mesh), version_(std::move(version)) {}

  // POST /mcp (one JSON-RPC message, or a batch where the revision allows
  // it) or DELETE /mcp (ends the session), from an authenticated caller.
  void Handle(const service::Caller& caller, const std::string& token_id, const httplib::Request& req,
              httplib::Response& res);

  // DNS-rebinding protection (the transport spec's MUST): a request with an
  // Origin is refused (403) unless the origin is this server's own address,
  // `host`:`port` as bound, or a loopback name or IP literal the Host header
  // also names. Agents that are not browsers send no Origin.
  static std::optional<Problem> CheckOrigin(const httplib::Request& req, const std::string& host, int port);

  // One JSON-RPC message as the caller in `revision`: the response, or
  // null for a notification or a response. Public for the tests of the
  // method table; Handle is the front door.
  nlohmann::json Dispatch(const service::Caller& caller, const std::string& token_id, const std::string& revision,
                          const nlohmann::json& message);

 private:
  struct Session {
    std::string principal;
    std::string revision;
    std::chrono::steady_clock::time_point last_used;
  };
  // A principal keeps at most this many sessions (its least recently used
  // goes first), so no caller can grow the table or end another's sessions.
  static constexpr size_t kSessionsPerPrincipal = 64;
  static constexpr std::chrono::hours kSessionIdle{24};

  nlohmann::json Initialize(const service::Caller& caller, const std::string& token_id, const nlohmann::json& message,
                            std::string& revision);
  nlohmann::json CallTool(const service::Caller& caller, const std::string& token_id, const std::string& revision,
                          const nlohmann::json& id, const nlohmann::json& params);
  nlohmann::json ListResources(const service::Caller& caller, const std::string& revision, const nlohmann::json& id);
  nlohmann::json ReadResource(const service::Caller& caller, const std::string& token_id, const nlohmann::json& id,
                              const nlohmann::json& params);
  // One audit row in its own transaction, under the caller's principal.
  Status Audit(const service::Caller& caller, const std::string& token_id, const std::string& action,
               const std::string& object, const std::string& detail);

  std::string OpenSession(const std::string& principal, const std::string& revision);
  // The session's revision when `id` is the principal's live session
  // (ended too when `end`); nullopt otherwise.
  std::optional<std::string> SessionRevision(const std::string& id, const std::string& principal, bool end);

  service::Mesh& mesh_;
  const std::string version_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // guarded by mu_; id -> session
};

}  // namespace weft::server
