// The governance service: policy waivers, a steward's decision
// (service::Authorizer), each audited.
//
//   ASSIGN_OR_RETURN(catalog::WaiverRecord w, GovernanceService(mesh).AddWaiver(caller, {...}));
//
// Thread safety: as the Mesh.
#pragma once

#include <string>

#include "catalog/records.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

class GovernanceService {
 public:
  explicit GovernanceService(Mesh& mesh) : mesh_(mesh) {}

  // `waiver.expires_at`: YYYY-MM-DD (the end of that day, UTC) or ISO 8601
  // UTC. The approver is the caller unless one is given.
  Result<catalog::WaiverRecord> AddWaiver(const Caller& caller, catalog::WaiverRecord waiver);
  Status RemoveWaiver(const Caller& caller, int64_t id);

 private:
  Mesh& mesh_;
};

}  // namespace weft::service
