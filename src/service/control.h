// The control plane service: plan and apply a tree of specs as the caller
// (every write checked against what the caller owns, service::Authorizer),
// and the policies run over the catalog as it is.
//
//   ASSIGN_OR_RETURN(PlanView v, ControlService(mesh).Plan(caller, dir, {.apply = true}));
//   Status s = PlanStatus(v);   // refused, not permitted, or failed to apply
//
// Thread safety: as the Mesh; applies are serialized by the store's
// optimistic concurrency: a plan is refused when what it read (domains,
// teams, products, contracts, ...) changed since, and Plan with apply then
// plans again (up to 3 times). Grants, tokens and publishes never refuse it.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "control/planner.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

struct PlanRequest {
  bool apply = false;
  bool prune = false;
  // How files of the tree are named in the answer: the tree's directory is
  // replaced by this (a server names them relative to the uploaded tree).
  std::optional<std::string> show_root_as;
};

struct PlanView {
  control::Plan plan;
  bool apply = false;
  std::optional<control::ApplyResult> applied;
  Status apply_status;  // why the apply failed
};

struct ViolationsView {
  governance::Evaluation evaluation;
};

class ControlService {
 public:
  explicit ControlService(Mesh& mesh) : mesh_(mesh) {}

  // The caller must be a registered principal; what it may not write is refused in the plan.
  Result<PlanView> Plan(const Caller& caller, const std::filesystem::path& tree, const PlanRequest& request);
  // The configured policies over the catalog as it is (a plan of an empty
  // tree changes nothing and evaluates everything).
  Result<ViolationsView> Violations(const Caller& caller);

 private:
  Mesh& mesh_;
};

// PermissionDenied when the caller may not write part of the plan,
// Rejected when it was refused for another reason, the apply's error when
// it failed; else OK.
Status PlanStatus(const PlanView& view);

nlohmann::json ToJson(const PlanView& v);
nlohmann::json ToJson(const ViolationsView& v);

}  // namespace weft::service
