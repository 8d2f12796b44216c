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

#include "access/access_control.h"
#include "access/principals.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"
#include "common/time.h"
#include "query/gateway.h"
#include "service/authorizer.h"

namespace weft::cli {

namespace {

using nlohmann::json;

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return kExitUsage;
    default:
      return kExitFindings;
  }
}

bool Report(CommandContext& ctx, const std::string& command, const Status& s) {
  if (s.ok()) return true;
  ctx.err << "weft " << command << ": " << s.message() << "\n";
  ctx.exit_code = ExitFor(s);
  return false;
}

// The workspace, the acting principal and the access rules, or a report.
struct Session {
  OpenWorkspace open;
  access::Principal actor;
  access::AccessControl control;
};

std::optional<Session> OpenSession(CommandContext& ctx, const std::string& command) {
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return std::nullopt;
  auto actor = access::LoadPrincipal(*open->store, Actor(ctx));
  if (!Report(ctx, command, actor.status())) return std::nullopt;
  auto secret = control::LoadOrCreateSecret(open->ws);
  if (!Report(ctx, command, secret.status())) return std::nullopt;
  auto control = access::AccessControl::Load(*open->store, {.masking = open->ws.settings.masking, .key = *secret});
  if (!Report(ctx, command, control.status())) return std::nullopt;
  return Session{std::move(*open), std::move(*actor), std::move(*control)};
}

// "k=v" pairs into a map; false (reported) on a malformed one.
bool ParseAttributes(CommandContext& ctx, const std::vector<std::string>& pairs, std::map<std::string, std::string>& out) {
  for (const auto& kv : pairs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      ctx.err << "weft principal: --attr '" << kv << "' is not KEY=VALUE\n";
      ctx.exit_code = kExitUsage;
      return false;
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return true;
}

struct PrincipalArgs {
  std::string name;
  std::string kind = "user";
  std::vector<std::string> groups;
  std::vector<std::string> attrs;
  bool clear_groups = false;
  bool clear_attrs = false;
  std::string output = "table";
};

// add (create) or set (change): only platform admins manage principals.
void SavePrincipal(CommandContext& ctx, const PrincipalArgs& args, bool create) {
  const std::string command = create ? "principal add" : "principal set";
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  auto actor = access::LoadPrincipal(*open->store, Actor(ctx));
  if (!Report(ctx, command, actor.status())) return;
  if (!actor->admin()) {
    Report(ctx, command, Status(StatusCode::kPermissionDenied, actor->name + " is not a platform admin (platform:admins)"));
    return;
  }
  auto principals = open->store->ListPrincipals();
  if (!Report(ctx, command, principals.status())) return;
  auto it = std::find_if(principals->begin(), principals->end(), [&](const auto& p) { return p.name == args.name; });
  if (create && it != principals->end()) {
    Report(ctx, command, Status::AlreadyExists("principal " + args.name + " exists; change it with weft principal set"));
    return;
  }
  if (!create && it == principals->end()) {
    Report(ctx, command, Status::NotFound("no principal " + args.name + "; add it with weft principal add"));
    return;
  }
  catalog::PrincipalRecord rec = create ? catalog::PrincipalRecord{.name = args.name, .kind = args.kind} : *it;
  if (args.clear_attrs) rec.attributes.clear();
  if (!ParseAttributes(ctx, args.attrs, rec.attributes)) return;
  auto memberships = open->store->ListMemberships();
  if (!Report(ctx, command, memberships.status())) return;
  const std::string source = access::PrincipalSource(args.name);
  std::vector<catalog::MembershipRecord> mine;
  if (!args.clear_groups)
    for (const auto& m : *memberships)
      if (m.source == source) mine.push_back(m);
  for (const auto& g : args.groups) {
    if (g.find(':') == std::string::npos) {
      Report(ctx, command, Status::InvalidArgument("group '" + g + "' must be KIND:NAME, e.g. team:finance or platform:admins"));
      return;
    }
    mine.push_back({.group = g, .principal = args.name, .role = "member", .source = source});
  }
  auto txn = open->store->BeginWrite();
  if (!Report(ctx, command, txn.status())) return;
  Status s = (*txn)->UpsertPrincipal(rec);
  if (s.ok()) s = (*txn)->ReplaceMemberships(source, mine);
  if (s.ok())
    s = (*txn)->AppendAudit({.actor = actor->name, .action = create ? "principal.add" : "principal.set",
                             .object = "principal:" + args.name,
                             .detail = "groups " + Join(args.groups, ",") + " attrs " + Join(args.attrs, ",")});
  if (s.ok()) s = (*txn)->Commit();
  if (!Report(ctx, command, s)) return;
  ctx.out << (create ? "Added" : "Updated") << " principal " << args.name << "\n";
}

void ListPrincipals(CommandContext& ctx, const std::string& output) {
  auto open = OpenWorkspaceOrReport(ctx);
  if (!open) return;
  auto principals = open->store->ListPrincipals();
  auto memberships = open->store->ListMemberships();
  if (!Report(ctx, "principal list", principals.status()) || !Report(ctx, "principal list", memberships.status())) return;
  // Attributes decide row filters: stewards and admins see them, anyone else its own.
  auto me = access::LoadPrincipal(*open->store, Actor(ctx));
  const bool sees_attributes =
      me.ok() && service::Authorizer::Allowed(*me, service::Action::kSeeAttributes, service::Resource::Workspace());
  json list = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : *principals) {
    if (p.kind == "group") continue;
    std::set<std::string> groups;
    for (const auto& m : *memberships)
      if (m.principal == p.name) groups.insert(m.group + (m.role == "member" ? "" : "(" + m.role + ")"));
    std::map<std::string, std::string> shown;
    if (sees_attributes || (me.ok() && me->name == p.name)) shown = p.attributes;
    std::vector<std::string> attrs;
    for (const auto& [k, v] : shown) attrs.push_back(k + "=" + v);
    list.push_back({{"name", p.name}, {"kind", p.kind}, {"groups", groups}, {"attributes", shown}});
    rows.push_back({p.name, p.kind, Join({groups.begin(), groups.end()}, ", "), Join(attrs, ", ")});
  }
  if (output == "table") PrintTable(ctx.out, {"NAME", "KIND", "GROUPS", "ATTRIBUTES"}, rows);
  else PrintStructured(ctx.out, output, list);
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

void ListAccess(CommandContext& ctx, const AccessArgs& args) {
  auto session = OpenSession(ctx, "access list");
  if (!session) return;
  const auto& ac = session->control;
  const auto& me = session->actor;
  const std::string now = NowIso();
  json requests = json::array(), grants = json::array();
  std::vector<std::vector<std::string>> rrows, grows;
  for (const auto& r : ac.requests()) {
    bool decides = ac.IsOwner(me, r.product_id);
    if (args.mine && r.principal != me.name && !me.Matches(r.grantee)) continue;
    if (args.pending && (r.status != "pending" || !decides)) continue;
    if (!args.mine && !args.pending && !decides && r.principal != me.name && !me.steward()) continue;
    json request = {{"id", r.id}, {"product", r.product_id}, {"major", r.major}, {"principal", r.principal},
                    {"grantee", r.grantee}, {"columns", r.columns}, {"purpose", r.purpose}, {"until", r.until},
                    {"status", r.status}, {"createdAt", r.created_at}, {"decidedBy", r.decided_by},
                    {"reason", r.reason}, {"grant", r.grant_id}};
    std::string effect;
    if (r.status == "pending" && decides) {
      // What the approver decides on: what the grantee holds now, and what
      // approving as asked would add (grants add up).
      json held = json::array();
      for (const auto* g : ac.GrantsOf(r.product_id, r.major, r.grantee, now))
        held.push_back({{"id", g->id}, {"columns", g->columns}, {"rowFilter", g->row_filter}, {"expiresAt", g->expires_at}});
      effect = ac.Widening(r.product_id, r.major, r.grantee, r.columns, "", now);
      request["existingGrants"] = held;
      request["widens"] = effect;
    }
    requests.push_back(std::move(request));
    rrows.push_back({std::to_string(r.id), r.product_id + "_v" + std::to_string(r.major), r.grantee,
                     r.columns.empty() ? "*" : Join(r.columns, ","), r.status, r.purpose,
                     effect.empty() ? "-" : "widens: " + effect});
  }
  if (!args.pending) {
    for (const auto& g : ac.grants()) {
      bool mine = me.Matches(g.grantee);
      if (args.mine && !mine) continue;
      if (!args.mine && !mine && !ac.IsOwner(me, g.product_id) && !me.steward()) continue;
      std::string state = !g.revoked_at.empty() ? "revoked" : access::AccessControl::InForce(g, now) ? "active" : "expired";
      grants.push_back({{"id", g.id}, {"product", g.product_id}, {"major", g.major}, {"grantee", g.grantee},
                        {"columns", g.columns}, {"clearances", g.clearances}, {"rowFilter", g.row_filter},
                        {"purpose", g.purpose}, {"expiresAt", g.expires_at}, {"grantedBy", g.granted_by},
                        {"state", state}});
      grows.push_back({std::to_string(g.id), g.product_id + "_v" + std::to_string(g.major), g.grantee,
                       g.columns.empty() ? "*" : Join(g.columns, ","), Join(g.clearances, ","),
                       g.row_filter.empty() ? "-" : g.row_filter, g.expires_at.empty() ? "-" : g.expires_at, state});
    }
  }
  if (args.output != "table") {
    PrintStructured(ctx.out, args.output, {{"requests", requests}, {"grants", grants}});
    return;
  }
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
      auto s = OpenSession(ctx, "access request");
      if (!s) return;
      auto id = s->control.Request(*s->open.store, s->actor,
                                   {.product = a->product, .columns = SplitColumns(a->columns), .purpose = a->purpose,
                                    .until = a->until, .grantee = a->grantee},
                                   NowIso());
      if (!Report(ctx, "access request", id.status())) return;
      std::string product = a->product.substr(0, a->product.find('@'));
      ctx.out << "Request " << *id << " is pending; approvers: " << Join(s->control.Approvers(product), ", ") << "\n"
              << "They decide with: weft access approve " << *id << "  (or deny)\n";
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
      auto s = OpenSession(ctx, "access approve");
      if (!s) return;
      auto gid = s->control.Approve(*s->open.store, s->actor, a->id,
                                    {.widen = a->widen, .clearances = a->clearances, .row_filter = a->row_filter,
                                     .until = a->until},
                                    a->reason, NowIso());
      if (!Report(ctx, "access approve", gid.status())) return;
      ctx.out << "Approved request " << a->id << ": grant " << *gid << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("deny", "Deny a pending request");
    cmd->add_option("id", a->id, "Request id")->required();
    cmd->add_option("--reason", a->reason, "Why, for the requester");
    cmd->callback([&ctx, a] {
      auto s = OpenSession(ctx, "access deny");
      if (!s) return;
      if (!Report(ctx, "access deny", s->control.Deny(*s->open.store, s->actor, a->id, a->reason, NowIso()))) return;
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
      auto s = OpenSession(ctx, "access grant");
      if (!s) return;
      auto gid = s->control.Grant(*s->open.store, s->actor, a->product,
                                  {.widen = a->widen, .grantee = a->grantee, .columns = SplitColumns(a->columns),
                                   .clearances = a->clearances, .row_filter = a->row_filter, .purpose = a->purpose,
                                   .until = a->until},
                                  NowIso());
      if (!Report(ctx, "access grant", gid.status())) return;
      ctx.out << "Grant " << *gid << ": " << a->grantee << " may read " << a->product << "\n";
    });
  }
  {
    auto a = std::make_shared<AccessArgs>();
    auto* cmd = acc->add_subcommand("revoke", "Revoke a grant; it stops working at once");
    cmd->add_option("grant", a->id, "Grant id")->required();
    cmd->callback([&ctx, a] {
      auto s = OpenSession(ctx, "access revoke");
      if (!s) return;
      if (!Report(ctx, "access revoke", s->control.Revoke(*s->open.store, s->actor, a->id, NowIso()))) return;
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
