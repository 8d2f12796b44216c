// API tokens for `weft serve` (access/tokens.h):
//   weft token create [--for PRINCIPAL] [--expires 30d|12h|YYYY-MM-DD] [--description TEXT]
//   weft token list [-o table|json]
//   weft token revoke TOKEN_ID
// The token is printed once, alone on the last line, and never stored.
#include <ostream>

#include "access/principals.h"
#include "access/tokens.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/time.h"

namespace weft::cli {

namespace {

struct TokenArgs {
  std::string principal;
  std::string expires;
  std::string description;
  std::string id;
  std::string output = "table";
};

// The workspace's store and the acting principal, or a report.
std::optional<std::pair<OpenWorkspace, access::Principal>> OpenAsActor(CommandContext& ctx, const std::string& command) {
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return std::nullopt;
  auto actor = access::LoadPrincipal(*open->store, Actor(ctx));
  if (!actor.ok()) {
    ctx.err << "weft token " << command << ": " << actor.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return std::nullopt;
  }
  return std::make_pair(std::move(*open), std::move(*actor));
}

bool Report(CommandContext& ctx, const std::string& command, const Status& s) {
  if (s.ok()) return true;
  ctx.err << "weft token " << command << ": " << s.message() << "\n";
  ctx.exit_code = s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFindings;
  return false;
}

}  // namespace

void AddTokenCommand(CLI::App& app, CommandContext& ctx) {
  auto* token = app.add_subcommand("token", "API tokens for weft serve: create (shown once), list, revoke");
  token->require_subcommand(1);
  auto a = std::make_shared<TokenArgs>();
  {
    auto* cmd = token->add_subcommand("create", "Make a token (for another principal: platform admins)");
    cmd->add_option("--for", a->principal, "The principal it authenticates (default: you)");
    cmd->add_option("--expires", a->expires, "30d, 12h or YYYY-MM-DD (default: never)");
    cmd->add_option("--description", a->description, "What it is for");
    cmd->callback([&ctx, a] {
      auto session = OpenAsActor(ctx, "create");
      if (!session) return;
      auto& [open, actor] = *session;
      auto issued = access::IssueToken(*open.store, actor, a->principal.empty() ? actor.name : a->principal, a->expires,
                                       a->description, NowIso());
      if (!Report(ctx, "create", issued.status())) return;
      ctx.out << "Token " << issued->record.id << " for " << issued->record.principal
              << (issued->record.expires_at.empty() ? "" : ", expires " + issued->record.expires_at)
              << ". It is shown only now; keep it secret:\n"
              << issued->text << "\n";
    });
  }
  {
    auto* cmd = token->add_subcommand("list", "Your tokens (every token, for admins); never the secrets");
    cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, a] {
      auto session = OpenAsActor(ctx, "list");
      if (!session) return;
      auto tokens = access::ListTokens(*session->first.store, session->second);
      if (!Report(ctx, "list", tokens.status())) return;
      const std::string now = NowIso();
      std::vector<std::vector<std::string>> rows;
      nlohmann::json objects = nlohmann::json::array();
      for (const auto& t : *tokens) {
        std::string state = !t.revoked_at.empty() ? "revoked" : (!t.expires_at.empty() && t.expires_at <= now) ? "expired" : "active";
        rows.push_back({t.id, t.principal, state, t.expires_at.empty() ? "-" : t.expires_at, t.created_by, t.description});
        objects.push_back({{"id", t.id}, {"principal", t.principal}, {"state", state}, {"expiresAt", t.expires_at},
                           {"createdBy", t.created_by}, {"createdAt", t.created_at}, {"description", t.description}});
      }
      if (a->output == "json") PrintStructured(ctx.out, "json", objects);
      else PrintTable(ctx.out, {"ID", "PRINCIPAL", "STATE", "EXPIRES", "CREATED BY", "DESCRIPTION"}, rows);
    });
  }
  {
    auto* cmd = token->add_subcommand("revoke", "Revoke a token; it stops working at once");
    cmd->add_option("id", a->id, "Token id (tok_...)")->required();
    cmd->callback([&ctx, a] {
      auto session = OpenAsActor(ctx, "revoke");
      if (!session) return;
      if (!Report(ctx, "revoke", access::RevokeToken(*session->first.store, session->second, a->id, NowIso()))) return;
      ctx.out << "Revoked " << a->id << "\n";
    });
  }
}

}  // namespace weft::cli
