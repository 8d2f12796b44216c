// Who is acting: a principal with its groups, roles and attributes, as the
// catalog knows it. Apply registers domain owners, product teams and each
// domain's service principal (svc.<domain>, member of team:<domain>);
// `weft principal add|set` registers the rest and sets attributes (read by
// row filters as $principal.<name>) and platform groups:
//   platform:admins    may decide any access request and manage principals
//   platform:stewards  may read the access history and usage of every domain
//
//   ASSIGN_OR_RETURN(Principal bob, LoadPrincipal(store, "bob@retail.example"));
//   if (bob.InGroup("team:finance")) ...
//
// Thread safety: values and pure functions over a Store.
#pragma once

#include <map>
#include <set>
#include <string>

#include "catalog/store.h"
#include "common/status.h"

namespace weft::access {

inline constexpr const char* kAdminsGroup = "platform:admins";
inline constexpr const char* kStewardsGroup = "platform:stewards";

struct Principal {
  std::string name;
  std::string kind;  // user | service
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::set<std::string>> roles;  // group -> roles held there (owner, member, service, ...)
  // The domain whose budget pays for what this principal reads: svc.<d> is
  // d's; a user belongs to the domain of its first team (alphabetically);
  // an attribute domain=<d> overrides. Empty: no domain.
  std::string domain;

  bool InGroup(const std::string& group) const { return roles.count(group) > 0; }
  bool HasRole(const std::string& group, const std::string& role) const {
    auto it = roles.find(group);
    return it != roles.end() && it->second.count(role) > 0;
  }
  bool admin() const { return InGroup(kAdminsGroup); }
  bool steward() const { return InGroup(kStewardsGroup); }
  // A grantee names this principal: itself, one of its groups, or its domain ("domain:<d>").
  bool Matches(const std::string& grantee) const;
};

// NotFound, with what to do, for a name the catalog does not know.
Result<Principal> LoadPrincipal(catalog::Store& store, const std::string& name);

// The memberships `weft principal` manages for one principal are declared
// under this source, so re-applying specs never removes them.
std::string PrincipalSource(const std::string& name);

}  // namespace weft::access
