#include "service/sharing.h"

#include <algorithm>

#include "access/principals.h"
#include "common/strings.h"
#include "service/authorizer.h"
#include "service/monitor.h"

namespace weft::service {

namespace {

using nlohmann::json;

// access.requested (to the product's approvers) or access.decided (to them
// and the requester), once the request's change has committed. Best effort:
// the request stands whether or not a webhook hears of it, and a catalog
// that just committed the change is one that can queue the event.
void AnnounceRequest(Mesh& mesh, const access::AccessControl& ac, int64_t id, const std::string& type) {
  auto requests = mesh.store().ListAccessRequests();
  if (!requests.ok()) return;
  for (const auto& r : *requests) {
    if (r.id != id) continue;
    const std::vector<std::string> approvers = ac.Approvers(r.product_id);
    std::set<std::string> to(approvers.begin(), approvers.end());
    if (type == "access.decided") to.insert(r.principal);
    Notifier(mesh)
        .Emit({.id = "", .type = type, .product_id = r.product_id, .time = "",
               .data = {{"request", r.id}, {"principal", r.principal}, {"grantee", r.grantee},
                        {"major", r.major}, {"purpose", r.purpose}, {"status", r.status},
                        {"decidedBy", r.decided_by}, {"reason", r.reason}}},
              to)
        .IgnoreError();
  }
}

// The caller must be registered to ask, decide or grant.
Status Registered(Mesh& mesh, const Caller& caller) { return mesh.CallerFor(caller.principal.name).status(); }

}  // namespace

Result<std::shared_ptr<const access::AccessControl>> AccessService::Access(const Caller& caller) {
  RETURN_IF_ERROR(Registered(mesh_, caller));
  return mesh_.Access();
}

MeView AccessService::Me(const Caller& caller) {
  MeView m{.principal = caller.principal, .roles = {"consumer"}, .domains = {}};
  for (const auto& [group, held] : caller.principal.roles)
    if (StartsWith(group, "team:") && held.count("owner")) m.domains.push_back(group.substr(5));
  if (!m.domains.empty()) m.roles.push_back("owner");
  if (caller.principal.steward()) m.roles.push_back("steward");
  if (caller.principal.admin()) m.roles.push_back("admin");
  return m;
}

Result<std::vector<PrincipalView>> AccessService::Principals(const Caller& caller) {
  ASSIGN_OR_RETURN(auto principals, mesh_.store().ListPrincipals());
  ASSIGN_OR_RETURN(auto memberships, mesh_.store().ListMemberships());
  // Attributes decide row filters: stewards and admins see them, anyone else its own.
  const bool sees_attributes = Authorizer::Allowed(caller.principal, Action::kSeeAttributes, Resource::Workspace());
  std::vector<PrincipalView> out;
  for (const auto& p : principals) {
    if (p.kind == "group") continue;
    PrincipalView v{.name = p.name, .kind = p.kind, .groups = {}, .attributes = {}};
    for (const auto& m : memberships)
      if (m.principal == p.name) v.groups.insert(m.group + (m.role == "member" ? "" : "(" + m.role + ")"));
    if (sees_attributes || caller.principal.name == p.name) v.attributes = p.attributes;
    out.push_back(std::move(v));
  }
  return out;
}

Result<PrincipalView> AccessService::SavePrincipal(const Caller& caller, const PrincipalChange& change, bool create) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kManagePrincipals, Resource::Workspace()));
  if (change.name.empty() || change.name[0] == '-')
    return Status::InvalidArgument("'" + change.name + "' is not a principal name");
  if (create && change.kind != "user" && change.kind != "service")
    return Status::InvalidArgument("kind must be user or service");
  ASSIGN_OR_RETURN(auto principals, mesh_.store().ListPrincipals());
  auto it = std::find_if(principals.begin(), principals.end(), [&](const auto& p) { return p.name == change.name; });
  if (create && it != principals.end())
    return Status::AlreadyExists("principal " + change.name + " exists; change it with weft principal set");
  if (!create && it == principals.end()) return Status::NotFound("no principal " + change.name + "; add it with weft principal add");
  catalog::PrincipalRecord rec = create ? catalog::PrincipalRecord{.name = change.name, .kind = change.kind} : *it;
  if (change.clear_attributes) rec.attributes.clear();
  for (const auto& [k, v] : change.attributes) {
    if (k.empty()) return Status::InvalidArgument("an attribute needs a name (KEY=VALUE)");
    rec.attributes[k] = v;
  }
  ASSIGN_OR_RETURN(auto memberships, mesh_.store().ListMemberships());
  const std::string source = access::PrincipalSource(change.name);
  std::vector<catalog::MembershipRecord> mine;
  if (!change.clear_groups)
    for (const auto& m : memberships)
      if (m.source == source) mine.push_back(m);
  for (const auto& g : change.groups) {
    if (g.find(':') == std::string::npos)
      return Status::InvalidArgument("group '" + g + "' must be KIND:NAME, e.g. team:finance or platform:admins");
    mine.push_back({.group = g, .principal = change.name, .role = "member", .source = source});
  }
  std::vector<std::string> attrs;
  for (const auto& [k, v] : change.attributes) attrs.push_back(k + "=" + v);
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->UpsertPrincipal(rec));
  RETURN_IF_ERROR(txn->ReplaceMemberships(source, mine));
  RETURN_IF_ERROR(txn->AppendAudit({.actor = caller.principal.name, .action = create ? "principal.add" : "principal.set",
                                    .object = "principal:" + change.name,
                                    .detail = "groups " + Join(change.groups, ",") + " attrs " + Join(attrs, ",")}));
  RETURN_IF_ERROR(txn->Commit());
  mesh_.CatalogChanged();
  PrincipalView v{.name = rec.name, .kind = rec.kind, .groups = {}, .attributes = rec.attributes};
  for (const auto& m : mine) v.groups.insert(m.group);
  return v;
}

Result<AccessListView> AccessService::List(const Caller& caller, const std::string& scope) {
  if (!scope.empty() && scope != "mine" && scope != "pending") return Status::InvalidArgument("scope must be mine or pending");
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  const access::Principal& me = caller.principal;
  const bool mine_only = scope == "mine", pending_only = scope == "pending";
  AccessListView v;
  for (const auto& r : ac->requests()) {
    const bool decides = ac->IsOwner(me, r.product_id);
    if (mine_only && r.principal != me.name && !me.Matches(r.grantee)) continue;
    if (pending_only && (r.status != "pending" || !decides)) continue;
    if (scope.empty() && !decides && r.principal != me.name && !me.steward()) continue;
    AccessListView::Request request{.request = r, .decides = r.status == "pending" && decides, .existing = {}, .widens = ""};
    if (request.decides) {
      // What the approver decides on: what the grantee holds now, and what
      // approving as asked would add (grants add up).
      for (const auto* g : ac->GrantsOf(r.product_id, r.major, r.grantee, caller.now)) request.existing.push_back(*g);
      request.widens = ac->Widening(r.product_id, r.major, r.grantee, r.columns, "", caller.now);
    }
    v.requests.push_back(std::move(request));
  }
  if (pending_only) return v;
  for (const auto& g : ac->grants()) {
    const bool holds = me.Matches(g.grantee);
    if (mine_only && !holds) continue;
    if (!mine_only && !holds && !ac->IsOwner(me, g.product_id) && !me.steward()) continue;
    std::string state = !g.revoked_at.empty() ? "revoked" : access::AccessControl::InForce(g, caller.now) ? "active" : "expired";
    v.grants.push_back({g, state});
  }
  return v;
}

Result<RequestView> AccessService::Request(const Caller& caller, const access::RequestArgs& args) {
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  ASSIGN_OR_RETURN(int64_t id, ac->Request(mesh_.store(), caller.principal, args, caller.now));
  mesh_.CatalogChanged();
  AnnounceRequest(mesh_, *ac, id, "access.requested");
  return RequestView{id, ac->Approvers(Split(args.product, '@')[0])};
}

Result<int64_t> AccessService::Approve(const Caller& caller, int64_t request, const access::GrantArgs& extra, const std::string& reason) {
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  auto grant = ac->Approve(mesh_.store(), caller.principal, request, extra, reason, caller.now);
  mesh_.CatalogChanged();
  if (grant.ok()) AnnounceRequest(mesh_, *ac, request, "access.decided");
  return grant;
}

Status AccessService::Deny(const Caller& caller, int64_t request, const std::string& reason) {
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  Status s = ac->Deny(mesh_.store(), caller.principal, request, reason, caller.now);
  mesh_.CatalogChanged();
  if (s.ok()) AnnounceRequest(mesh_, *ac, request, "access.decided");
  return s;
}

Result<int64_t> AccessService::Grant(const Caller& caller, const std::string& product, const access::GrantArgs& args) {
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  auto grant = ac->Grant(mesh_.store(), caller.principal, product, args, caller.now);
  mesh_.CatalogChanged();
  return grant;
}

Status AccessService::Revoke(const Caller& caller, int64_t grant) {
  ASSIGN_OR_RETURN(auto ac, Access(caller));
  Status s = ac->Revoke(mesh_.store(), caller.principal, grant, caller.now);
  mesh_.CatalogChanged();
  return s;
}

Result<access::IssuedToken> AccessService::CreateToken(const Caller& caller, const std::string& principal,
                                                      const std::string& expires, const std::string& description) {
  RETURN_IF_ERROR(Registered(mesh_, caller));
  auto t = access::IssueToken(mesh_.store(), caller.principal, principal.empty() ? caller.principal.name : principal, expires,
                              description, caller.now);
  mesh_.CatalogChanged();
  return t;
}

Result<TokensView> AccessService::Tokens(const Caller& caller) {
  RETURN_IF_ERROR(Registered(mesh_, caller));
  ASSIGN_OR_RETURN(auto tokens, access::ListTokens(mesh_.store(), caller.principal));
  return TokensView{std::move(tokens), caller.now};
}

Status AccessService::RevokeToken(const Caller& caller, const std::string& id) {
  RETURN_IF_ERROR(Registered(mesh_, caller));
  Status s = access::RevokeToken(mesh_.store(), caller.principal, id, caller.now);
  mesh_.CatalogChanged();
  return s;
}

json ToJson(const MeView& m) {
  std::vector<std::string> groups;
  for (const auto& [group, held] : m.principal.roles) groups.push_back(group);
  return {{"principal", m.principal.name}, {"kind", m.principal.kind}, {"domain", m.principal.domain}, {"groups", groups},
          {"roles", m.roles}, {"domains", m.domains}, {"attributes", m.principal.attributes}};
}

json ToJson(const PrincipalView& p) {
  return {{"name", p.name}, {"kind", p.kind}, {"groups", p.groups}, {"attributes", p.attributes}};
}

json ToJson(const AccessListView& v) {
  json requests = json::array(), grants = json::array();
  for (const auto& x : v.requests) {
    const auto& r = x.request;
    json request = {{"id", r.id}, {"product", r.product_id}, {"major", r.major}, {"principal", r.principal},
                    {"grantee", r.grantee}, {"columns", r.columns}, {"purpose", r.purpose}, {"until", r.until},
                    {"status", r.status}, {"createdAt", r.created_at}, {"decidedBy", r.decided_by},
                    {"reason", r.reason}, {"grant", r.grant_id}};
    if (x.decides) {
      json held = json::array();
      for (const auto& g : x.existing)
        held.push_back({{"id", g.id}, {"columns", g.columns}, {"rowFilter", g.row_filter}, {"expiresAt", g.expires_at}});
      request["existingGrants"] = held;
      request["widens"] = x.widens;
    }
    requests.push_back(std::move(request));
  }
  for (const auto& [g, state] : v.grants)
    grants.push_back({{"id", g.id}, {"product", g.product_id}, {"major", g.major}, {"grantee", g.grantee},
                      {"columns", g.columns}, {"clearances", g.clearances}, {"rowFilter", g.row_filter},
                      {"purpose", g.purpose}, {"expiresAt", g.expires_at}, {"grantedBy", g.granted_by}, {"state", state}});
  return {{"requests", requests}, {"grants", grants}};
}

json ToJson(const RequestView& r) { return {{"id", r.id}, {"status", "pending"}, {"approvers", r.approvers}}; }

json ToJson(const TokensView& v) {
  json out = json::array();
  for (const auto& t : v.tokens) {
    std::string state = !t.revoked_at.empty() ? "revoked" : (!t.expires_at.empty() && t.expires_at <= v.now) ? "expired" : "active";
    out.push_back({{"id", t.id}, {"principal", t.principal}, {"description", t.description}, {"createdBy", t.created_by},
                   {"createdAt", t.created_at}, {"expiresAt", t.expires_at}, {"revokedAt", t.revoked_at}, {"state", state}});
  }
  return {{"tokens", out}};
}

json ToJson(const access::IssuedToken& t) {
  return {{"id", t.record.id}, {"principal", t.record.principal}, {"expiresAt", t.record.expires_at}, {"token", t.text}};
}

}  // namespace weft::service
