// API tokens for `weft serve` (service/sharing.h, access/tokens.h):
//   weft token create [--for PRINCIPAL] [--expires 30d|12h|YYYY-MM-DD] [--description TEXT]
//   weft token list [-o table|json]
//   weft token revoke TOKEN_ID
// The token is printed once, alone on the last line, and never stored.
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "service/sharing.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::AccessService;
using service::Caller;
using service::Mesh;

struct TokenArgs {
  std::string principal;
  std::string expires;
  std::string description;
  std::string id;
  std::string output = "table";
};

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
      json body = {{"principal", a->principal}, {"expires", a->expires}, {"description", a->description}};
      Answer t = Call(ctx, {.method = "POST", .path = "/api/v1/tokens", .body = body.dump()}, [&](Mesh& m, const Caller& c) {
        return Of(AccessService(m).CreateToken(c, a->principal, a->expires, a->description));
      });
      if (!Report(ctx, "token create", t.status)) return;
      ctx.out << "Token " << Text(t.body["id"]) << " for " << Text(t.body["principal"])
              << (Text(t.body["expiresAt"]).empty() ? "" : ", expires " + Text(t.body["expiresAt"]))
              << ". It is shown only now; keep it secret:\n"
              << Text(t.body["token"]) << "\n";
    });
  }
  {
    auto* cmd = token->add_subcommand("list", "Your tokens (every token, for admins); never the secrets");
    cmd->add_option("-o,--output", a->output, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, a] {
      Answer t = Call(ctx, {.path = "/api/v1/tokens"}, [](Mesh& m, const Caller& c) { return Of(AccessService(m).Tokens(c)); });
      if (!Report(ctx, "token list", t.status)) return;
      if (a->output == "json") return PrintStructured(ctx.out, "json", t.body["tokens"]);
      std::vector<std::vector<std::string>> rows;
      for (const auto& x : t.body["tokens"])
        rows.push_back({Text(x["id"]), Text(x["principal"]), Text(x["state"]), Dash(x["expiresAt"]), Text(x["createdBy"]),
                        Text(x["description"])});
      PrintTable(ctx.out, {"ID", "PRINCIPAL", "STATE", "EXPIRES", "CREATED BY", "DESCRIPTION"}, rows);
    });
  }
  {
    auto* cmd = token->add_subcommand("revoke", "Revoke a token; it stops working at once");
    cmd->add_option("id", a->id, "Token id (tok_...)")->required();
    cmd->callback([&ctx, a] {
      Answer t = Call(ctx, {.method = "DELETE", .path = "/api/v1/tokens/" + a->id},
                      [&](Mesh& m, const Caller& c) -> Answer { return {AccessService(m).RevokeToken(c, a->id), nullptr}; });
      if (!Report(ctx, "token revoke", t.status)) return;
      ctx.out << "Revoked " << a->id << "\n";
    });
  }
}

}  // namespace weft::cli
