// The one table of who may do what in weft, consulted by every front end
// (CLI, HTTP API) through the services, never re-derived beside it.
//
//   RETURN_IF_ERROR(Authorizer::Check(caller, Action::kWaive, Resource::Workspace()));
//   auto scope = Authorizer::WritableDomains(caller, catalog_domains);   // what apply may touch
//
// Rules (docs/security.md, "Who may do what"):
//   action            resource     who
//   apply, prune      domain D     admins; owners of D (team:D role owner)
//   create a domain   workspace    admins
//   see grantees      product P    admins, stewards, owners of P's domain
//   see attributes    workspace    admins, stewards (a principal sees its own)
//   waive a policy    workspace    admins, stewards
//   manage principals workspace    admins
//   read the audit    workspace    admins, stewards
//   read its audit    product P    admins, stewards, owners of P's domain
//   publish, run      product P    admins, owners of P's domain
//   read quarantine   product P    admins, owners of P's domain (the rows are raw)
//   see usage         product P    admins, stewards, owners of P's domain
//   apply global terms workspace   admins, stewards (a domain's terms: as apply)
// Grants, requests and their decisions are decided by access/ (owners and
// the contract's approvers of the product), publishes by the product's team.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "access/principals.h"
#include "common/status.h"

namespace weft::service {

enum class Action {
  kApply,
  kCreateDomain,
  kSeeGrantees,
  kSeeAttributes,
  kWaive,
  kManagePrincipals,
  kReadAudit,
  kReadProductAudit,
  kPublish,
  kReadQuarantine,
  kSeeUsage,
  kHandleIncidents,
  kRunMonitor,
  kSeeWebhooks,
  kCurateGlossary,
};

struct Resource {
  enum class Kind { kWorkspace, kDomain, kProduct };
  Kind kind = Kind::kWorkspace;
  std::string name;  // the domain, or the product id (DOMAIN.PRODUCT)

  static Resource Workspace() { return {}; }
  static Resource Domain(std::string d) { return {Kind::kDomain, std::move(d)}; }
  static Resource Product(std::string id) { return {Kind::kProduct, std::move(id)}; }
  std::string DomainName() const;  // the domain a domain or product belongs to
};

class Authorizer {
 public:
  // PermissionDenied saying who may, when `p` may not.
  static Status Check(const access::Principal& p, Action action, const Resource& resource);
  static bool Allowed(const access::Principal& p, Action action, const Resource& resource) {
    return Check(p, action, resource).ok();
  }

  // Of `domains`, those `p` may apply and prune; nullopt: every domain,
  // existing or new (admins).
  static std::optional<std::set<std::string>> WritableDomains(const access::Principal& p,
                                                              const std::vector<std::string>& domains);
};

}  // namespace weft::service
