#include "service/authorizer.h"

#include <array>

namespace weft::service {

namespace {

enum class Who { kAdmins, kStewards, kDomainOwners, kDomainOwnersAndStewards };

struct Rule {
  Action action;
  std::string_view name;
  Who who;
};

// The table. One row per action; every check goes through it.
constexpr std::array kRules = {
    Rule{Action::kApply, "apply specs of", Who::kDomainOwners},
    Rule{Action::kCreateDomain, "create a domain in", Who::kAdmins},
    Rule{Action::kSeeGrantees, "see the grantees of", Who::kDomainOwnersAndStewards},
    Rule{Action::kSeeAttributes, "see the principals' attributes in", Who::kStewards},
    Rule{Action::kWaive, "waive policies in", Who::kStewards},
    Rule{Action::kManagePrincipals, "manage principals of", Who::kAdmins},
    Rule{Action::kReadAudit, "read the audit trail of", Who::kStewards},
    Rule{Action::kReadProductAudit, "read the audit trail of", Who::kDomainOwnersAndStewards},
    Rule{Action::kPublish, "publish or run", Who::kDomainOwners},
    Rule{Action::kReadQuarantine, "read the quarantined rows of", Who::kDomainOwners},
    Rule{Action::kSeeUsage, "see who reads", Who::kDomainOwnersAndStewards},
    Rule{Action::kHandleIncidents, "acknowledge, assign or resolve the incidents of", Who::kDomainOwners},
    Rule{Action::kRunMonitor, "run the monitor and deliver the notifications of", Who::kAdmins},
    Rule{Action::kSeeWebhooks, "see every principal's webhooks in", Who::kAdmins},
    Rule{Action::kCurateGlossary, "apply the global glossary terms of", Who::kStewards},
};

const Rule& RuleFor(Action a) {
  for (const auto& r : kRules)
    if (r.action == a) return r;
  return kRules.front();  // unreachable: every action has a row (authorizer_test)
}

std::string WhoMay(Who who, const std::string& domain) {
  switch (who) {
    case Who::kAdmins: return "platform admins";
    case Who::kStewards: return "stewards and admins";
    case Who::kDomainOwners: return "the owners of domain " + domain + " and admins";
    case Who::kDomainOwnersAndStewards: return "the owners of domain " + domain + ", stewards and admins";
  }
  return "admins";
}

}  // namespace

std::string Resource::DomainName() const {
  if (kind == Kind::kProduct) return name.substr(0, name.find('.'));
  return kind == Kind::kDomain ? name : "";
}

Status Authorizer::Check(const access::Principal& p, Action action, const Resource& resource) {
  const Rule& rule = RuleFor(action);
  if (p.admin()) return Status::Ok();
  const std::string domain = resource.DomainName();
  const bool owner = !domain.empty() && p.HasRole("team:" + domain, "owner");
  bool allowed = false;
  switch (rule.who) {
    case Who::kAdmins: allowed = false; break;
    case Who::kStewards: allowed = p.steward(); break;
    case Who::kDomainOwners: allowed = owner; break;
    case Who::kDomainOwnersAndStewards: allowed = owner || p.steward(); break;
  }
  if (allowed) return Status::Ok();
  std::string what = resource.kind == Resource::Kind::kWorkspace ? "the workspace"
                     : resource.kind == Resource::Kind::kDomain  ? "domain " + resource.name
                                                                 : resource.name;
  return Status::PermissionDenied(p.name + " may not " + std::string(rule.name) + " " + what + ": only " +
                                  WhoMay(rule.who, domain) + " may");
}

std::optional<std::set<std::string>> Authorizer::WritableDomains(const access::Principal& p,
                                                                 const std::vector<std::string>& domains) {
  if (p.admin()) return std::nullopt;
  std::set<std::string> out;
  for (const auto& d : domains)
    if (Allowed(p, Action::kApply, Resource::Domain(d))) out.insert(d);
  return out;
}

}  // namespace weft::service
