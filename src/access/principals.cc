#include "access/principals.h"

#include <algorithm>
#include <vector>

#include "common/strings.h"

namespace weft::access {

bool Principal::Matches(const std::string& grantee) const {
  if (grantee == name) return true;
  if (StartsWith(grantee, "domain:")) return !domain.empty() && grantee == "domain:" + domain;
  return InGroup(grantee);
}

std::string PrincipalSource(const std::string& name) { return "principal:" + name; }

Result<Principal> LoadPrincipal(catalog::Store& store, const std::string& name) {
  ASSIGN_OR_RETURN(std::vector<catalog::PrincipalRecord> principals, store.ListPrincipals());
  auto it = std::find_if(principals.begin(), principals.end(), [&](const auto& p) { return p.name == name; });
  if (it == principals.end() || it->kind == "group") {
    std::vector<std::string> names;
    for (const auto& p : principals)
      if (p.kind != "group") names.push_back(p.name);
    std::string hint = ClosestMatch(name, names);
    return Status::NotFound("unknown principal '" + name + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                            "; an admin registers it with: weft principal add " + name);
  }
  Principal p{.name = it->name, .kind = it->kind, .attributes = it->attributes, .roles = {}, .domain = ""};
  ASSIGN_OR_RETURN(std::vector<catalog::MembershipRecord> memberships, store.ListMemberships());
  for (const auto& m : memberships)
    if (m.principal == name) p.roles[m.group].insert(m.role);
  if (auto d = p.attributes.find("domain"); d != p.attributes.end()) {
    p.domain = d->second;
  } else if (StartsWith(name, "svc.")) {
    p.domain = name.substr(4);
  } else {
    for (const auto& [group, roles] : p.roles)  // sorted: the first team
      if (StartsWith(group, "team:")) {
        p.domain = group.substr(5);
        break;
      }
  }
  return p;
}

}  // namespace weft::access
