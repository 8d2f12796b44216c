#include "service/governance.h"

#include <cctype>
#include <optional>

#include "service/authorizer.h"

namespace weft::service {

namespace {

// Accepts YYYY-MM-DD (end of that day, UTC) or a full ISO 8601 UTC time.
std::optional<std::string> NormalizeExpiry(const std::string& s) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i)
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  if (!(digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2))) return std::nullopt;
  if (s.size() == 10) return s + "T23:59:59.999Z";
  if (s[10] != 'T' || s.back() != 'Z') return std::nullopt;
  return s;
}

}  // namespace

Result<catalog::WaiverRecord> GovernanceService::AddWaiver(const Caller& caller, catalog::WaiverRecord w) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kWaive, Resource::Workspace()));
  if (w.policy_id.empty() || w.subject.empty() || w.reason.empty())
    return Status::InvalidArgument("a waiver needs a policy, a subject and a reason");
  auto expiry = NormalizeExpiry(w.expires_at);
  if (!expiry) return Status::InvalidArgument("expiry '" + w.expires_at + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  w.expires_at = *expiry;
  if (w.approver.empty()) w.approver = caller.principal.name;
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  ASSIGN_OR_RETURN(w.id, txn->AddWaiver(w));
  RETURN_IF_ERROR(txn->AppendAudit({0, "", caller.principal.name, "waiver.add", "policy:" + w.policy_id, "", w.subject,
                                    w.reason + " (approved by " + w.approver + ")"}));
  RETURN_IF_ERROR(txn->Commit());
  mesh_.CatalogChanged();
  return w;
}

Status GovernanceService::RemoveWaiver(const Caller& caller, int64_t id) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kWaive, Resource::Workspace()));
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->DeleteWaiver(id));
  RETURN_IF_ERROR(txn->AppendAudit({0, "", caller.principal.name, "waiver.remove", "waiver:" + std::to_string(id), "", "", ""}));
  RETURN_IF_ERROR(txn->Commit());
  mesh_.CatalogChanged();
  return Status::Ok();
}

}  // namespace weft::service
