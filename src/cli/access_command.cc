// Principals and governed sharing:
//   weft principal add NAME [--kind user|service] [--group G]... [--attr K=V]...
//   weft principal set NAME [--group G]... [--attr K=V]... [--clear-groups] [--clear-attrs]
//   weft principal list [-o table|json|yaml]
//   weft access request DOMAIN.PRODUCT[@vN] --purpose TEXT [--columns a,b] [--until DATE] [--for GRANTEE]
//   weft access approve ID [--reason TEXT] [--clearance C]... [--row-filter SQL] [--until DATE]
//   weft access deny ID [--reason TEXT]
//   weft access grant DOMAIN.PRODUCT[@vN] --to GRANTEE --purpose TEXT [--columns ..] [--clearance C]... [--row-filter SQL] [--until DATE]
//   weft access revoke GRANT_ID
//   weft access list [--mine | --pending] [-o table|json|yaml]
// Everyone acts as --as / $WEFT_USER / $USER (access/principals.h).
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "service/sharing.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::AccessService;
using service::Caller;
using service::Mesh;

struct PrincipalArgs {
  std::string name;
  std::string kind = "user";
  std::vector<std::string> groups;
  std::vector<std::string> attrs;
  bool clear_groups = false;
  bool clear_attrs = false;
};

// add (create) or set (change): only platform admins manage principals.
void SavePrincipal(CommandContext& ctx, const PrincipalArgs& args, bool create) {
  const std::string command = create ? "principal add" : "principal set";
  service::PrincipalChange change{.name = args.name, .kind = args.kind, .groups = args.groups, .attributes = {},
                                  .clear_groups = args.clear_groups, .clear_attributes = args.clear_attrs};
  for (const auto& kv : args.attrs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return (void)Report(ctx, command, Status::InvalidArgument("--attr '" + kv + "' must be KEY=VALUE"));
    change.attributes[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  json body = {{"groups", change.groups}, {"attributes", change.attributes}};
  if (create) body.update({{"name", change.name}, {"kind", change.kind}});
  else body.update({{"clearGroups", change.clear_groups}, {"clearAttributes", change.clear_attributes}});
  Answer a = Call(ctx, {.method = "POST", .path = create ? "/api/v1/principals" : "/api/v1/principals/" + args.name, .body = body.dump()},
                  [&](Mesh& m, const Caller& c) { return Of(AccessService(m).SavePrincipal(c, change, create)); });
  if (!Report(ctx, command, a.status)) return;
  ctx.out << (create ? "Added" : "Updated") << " principal " << args.name << "\n";
}

void ListPrincipals(CommandContext& ctx, const std::string& output) {
  Answer a = Call(ctx, {.path = "/api/v1/principals"}, [](Mesh& m, const Caller& c) { return Of(AccessService(m).Principals(c)); });
  if (!Report(ctx, "principal list", a.status)) return;
  if (output != "table") return PrintStructured(ctx.out, output, a.body);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : a.body) {
    std::vector<std::string> attrs;
    for (const auto& [k, v] : p["attributes"].items()) attrs.push_back(k + "=" + Text(v));
    rows.push_back({Text(p["name"]), Text(p["kind"]), Join(Texts(p["groups"]), ", "), Join(attrs, ", ")});
  }
  PrintTable(ctx.out, {"NAME", "KIND", "GROUPS", "ATTRIBUTES"}, rows);
}

struct AccessArgs {
  std::string product;
  std::string columns;
  std::string purpose;
  std::string until;
  std::string grantee;
  std::string reason;
  std::vector<std::string> clearances;
  std::string row_filter;
  int64_t id = 0;
  bool mine = false;
  bool pending = false;
  bool widen = false;
  std::string output = "table";
};

std::vector<std::string> SplitColumns(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& c : Split(text, ','))
    if (!Trim(c).empty()) out.emplace_back(Trim(c));
  return out;
}

access::GrantArgs GrantArgsOf(const AccessArgs& a) {
  return {.widen = a.widen, .grantee = a.grantee, .columns = SplitColumns(a.columns), .clearances = a.clearances,
          .row_filter = a.row_filter, .purpose = a.purpose, .until = a.until};
}

// A grant's terms as the REST API takes them.
json GrantBody(const AccessArgs& a) {
  return {{"to", a.grantee}, {"purpose", a.purpose}, {"columns", SplitColumns(a.columns)}, {"clearances", a.clearances},
          {"rowFilter", a.row_filter}, {"until", a.until}, {"widen", a.widen}, {"reason", a.reason}};
}

std::string Columns(const json& c) { return c.empty() ? "*" : Join(Texts(c), ","); }

void ListAccess(CommandContext& ctx, const AccessArgs& args) {
  const std::string scope = args.mine ? "mine" : args.pending ? "pending" : "";
  Answer a = Call(ctx, {.path = "/api/v1/access/requests", .query = {{"scope", scope}}},
                  [&](Mesh& m, const Caller& c) { return Of(AccessService(m).List(c, scope)); });
  if (!Report(ctx, "access list", a.status)) return;
  if (args.output != "table") return PrintStructured(ctx.out, args.output, a.body);
  std::vector<std::vector<std::string>> rrows, grows;
  for (const auto& r : a.body["requests"]) {
    std::string effect = r.contains("widens") ? Text(r["widens"]) : "";
    rrows.push_back({Text(r["id"]), Text(r["product"]) + "_v" + Text(r["major"]), Text(r["grantee"]), Columns(r["columns"]),
                     Text(r["status"]), Text(r["purpose"]), effect.empty() ? "-" : "widens: " + effect});
  }
  for (const auto& g : a.body["grants"])
    grows.push_back({Text(g["id"]), Text(g["product"]) + "_v" + Text(g["major"]), Text(g["grantee"]), Columns(g["columns"]),
                     Join(Texts(g["clearances"]), ","), Dash(g["rowFilter"]), Dash(g["expiresAt"]), Text(g["state"])});
  ctx.out << "Access requests:\n";
  if (rrows.empty()) ctx.out << "  (none)\n";
  else PrintTable(ctx.out, {"ID", "PRODUCT", "FOR", "COLUMNS", "STATUS", "PURPOSE", "IF APPROVED AS ASKED"}, rrows);
  if (!args.pending) {
    ctx.out << "\nGrants:\n";
    if (grows.empty()) ctx.out << "  (none)\n";
    else PrintTable(ctx.out, {"ID", "PRODUCT", "GRANTEE", "COLUMNS", "CLEARANCES", "ROW FILTER", "EXPIRES", "STATE"}, grows);
  }
}

}  // namespace

void AddAccessCommands(CLI::App& app, CommandContext& ctx) {
  auto* principal = app.add_subcommand("principal", "Manage principals: users, service principals, groups, attributes");
  principal->require_subcommand(1);
  for (bool create : {true, false}) {
    auto args = std::make_shared<PrincipalArgs>();
    auto* cmd = principal->add_subcommand(create ? "add" : "set", create ? "Register a principal" : "Change a principal");
    cmd->add_option("name", args->name, "Principal name (e.g. bob@retail.example)")->required();
    if (create) cmd->add_option("--kind", args->kind, "user or service")->check(CLI::IsMember({"user", "service"}));
    cmd->add_option("--group", args->groups, "A group to join: team:<domain>, platform:admins, platform:stewards, ...");
    cmd->add_option("--attr", args->attrs, "An attribute KEY=VALUE (row filters read $principal.KEY)");
    if (!create) {
      cmd->add_flag("--clear-groups", args->clear_groups, "Leave the groups set with weft principal first");
      cmd->add_flag("--clear-attrs", args->clear_attrs, "Remove every attribute first");
    }
    cmd->callback([&ctx, args, create] { SavePrincipal(ctx, *args, create); });
  }
  {
    auto output = std::make_shared<std::string>("table");
    auto* cmd = principal->add_subcommand("list", "List principals with their groups and attributes");
    cmd->add_option("-o,--output", *output, "table, json or yaml")->check(CLI::IsMember({"table", "json", "yaml"}));
    cmd->callback([&ctx, output] { ListPrincipals(ctx, *output); });
  }

  auto* acc = app.add_subcommand("access", "Request, decide, grant, revoke and list access to products");
  acc->require_subcommand(1);
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("request", "Ask the product's owners for read access");
    cmd->add_option("product", a->product, "DOMAIN.PRODUCT, optionally @vMAJOR")->required();
    cmd->add_option("--purpose", a->purpose, "Why: the owners decide on it")->required();
    cmd->add_option("--columns", a->columns, "Only these columns (comma-separated; default: all)");
    cmd->add_option("--until", a->until, "Until this date (YYYY-MM-DD)");
    cmd->add_option("--for", a->grantee, "For a group you are in or your domain (team:X, domain:X); default: you");
    cmd->callback([&ctx, a] {
      access::RequestArgs r{.product = a->product, .columns = SplitColumns(a->columns), .purpose = a->purpose,
                            .until = a->until, .grantee = a->grantee};
      json body = {{"product", r.product}, {"columns", r.columns}, {"purpose", r.purpose}, {"until", r.until}, {"for", r.grantee}};
      Answer ans = Call(ctx, {.method = "POST", .path = "/api/v1/access/requests", .body = body.dump()},
                        [&](Mesh& m, const Caller& c) { return Of(AccessService(m).Request(c, r)); });
      if (!Report(ctx, "access request", ans.status)) return;
      ctx.out << "Request " << Text(ans.body["id"]) << " is pending; approvers: " << Join(Texts(ans.body["approvers"]), ", ") << "\n"
              << "They decide with: weft access approve " << Text(ans.body["id"]) << "  (or deny)\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("approve", "Approve a pending request: it becomes a grant");
    cmd->add_option("id", a->id, "Request id")->required();
    cmd->add_option("--reason", a->reason, "A note for the record");
    cmd->add_option("--clearance", a->clearances, "Lift the masks of this classification (e.g. pii)");
    cmd->add_option("--row-filter", a->row_filter, "Only rows where this holds; may use $principal.ATTR");
    cmd->add_option("--until", a->until, "End the grant on this date instead (YYYY-MM-DD)");
    cmd->add_flag("--widen", a->widen, "Approve even though it widens a filtered or column-limited grant the requester holds");
    cmd->callback([&ctx, a] {
      Answer ans = Call(ctx, {.method = "POST", .path = "/api/v1/access/requests/" + std::to_string(a->id) + "/approve", .body = GrantBody(*a).dump()},
                        [&](Mesh& m, const Caller& c) -> Answer {
                          auto grant = AccessService(m).Approve(c, a->id, GrantArgsOf(*a), a->reason);
                          if (!grant.ok()) return {grant.status(), nullptr};
                          return {Status::Ok(), {{"id", a->id}, {"status", "approved"}, {"grant", *grant}}};
                        });
      if (!Report(ctx, "access approve", ans.status)) return;
      ctx.out << "Approved request " << a->id << ": grant " << Text(ans.body["grant"]) << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("deny", "Deny a pending request");
    cmd->add_option("id", a->id, "Request id")->required();
    cmd->add_option("--reason", a->reason, "Why, for the requester");
    cmd->callback([&ctx, a] {
      Answer ans = Call(ctx, {.method = "POST", .path = "/api/v1/access/requests/" + std::to_string(a->id) + "/deny",
                              .body = json{{"reason", a->reason}}.dump()},
                        [&](Mesh& m, const Caller& c) -> Answer { return {AccessService(m).Deny(c, a->id, a->reason), nullptr}; });
      if (!Report(ctx, "access deny", ans.status)) return;
      ctx.out << "Denied request " << a->id << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("grant", "Grant access directly (owners and admins)");
    cmd->add_option("product", a->product, "DOMAIN.PRODUCT, optionally @vMAJOR")->required();
    cmd->add_option("--to", a->grantee, "A principal, a group (team:X) or a domain (domain:X)")->required();
    cmd->add_option("--purpose", a->purpose, "Why")->required();
    cmd->add_option("--columns", a->columns, "Only these columns (comma-separated; default: all)");
    cmd->add_option("--clearance", a->clearances, "Lift the masks of this classification (e.g. pii)");
    cmd->add_option("--row-filter", a->row_filter, "Only rows where this holds; may use $principal.ATTR");
    cmd->add_option("--until", a->until, "Until this date (YYYY-MM-DD)");
    cmd->add_flag("--widen", a->widen, "Grant even though it widens a filtered or column-limited grant the grantee holds");
    cmd->callback([&ctx, a] {
      json body = GrantBody(*a);
      body["product"] = a->product;
      Answer ans = Call(ctx, {.method = "POST", .path = "/api/v1/grants", .body = body.dump()}, [&](Mesh& m, const Caller& c) -> Answer {
        auto grant = AccessService(m).Grant(c, a->product, GrantArgsOf(*a));
        if (!grant.ok()) return {grant.status(), nullptr};
        return {Status::Ok(), {{"id", *grant}}};
      });
      if (!Report(ctx, "access grant", ans.status)) return;
      ctx.out << "Grant " << Text(ans.body["id"]) << ": " << a->grantee << " may read " << a->product << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("revoke", "Revoke a grant; it stops working at once");
    cmd->add_option("grant", a->id, "Grant id")->required();
    cmd->callback([&ctx, a] {
      Answer ans = Call(ctx, {.method = "DELETE", .path = "/api/v1/grants/" + std::to_string(a->id)},
                        [&](Mesh& m, const Caller& c) -> Answer { return {AccessService(m).Revoke(c, a->id), nullptr}; });
      if (!Report(ctx, "access revoke", ans.status)) return;
      ctx.out << "Revoked grant " << a->id << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("list", "Requests and grants you made, hold or decide");
    auto* mine = cmd->add_flag("--mine", a->mine, "Only your own requests and grants");
    auto* pending = cmd->add_flag("--pending", a->pending, "Only pending requests you may decide (your inbox)");
    mine->excludes(pending);
    cmd->add_option("-o,--output", a->output, "table, json or yaml")->check(CLI::IsMember({"table", "json", "yaml"}));
    cmd->callback([&ctx, a] { ListAccess(ctx, *a); });
  }
}

}  // namespace weft::cli
