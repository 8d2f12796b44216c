#include "service/control.h"

#include "common/strings.h"
#include "service/authorizer.h"
#include "service/monitor.h"
#include "spec/tree.h"
#include "storage/file_system.h"

namespace weft::service {

namespace {

using nlohmann::json;

void Rename(std::string& file, const std::string& root, const std::string& as) {
  if (StartsWith(file, root + "/")) file = as.empty() ? file.substr(root.size() + 1) : as + file.substr(root.size());
}

// What an applied plan tells the products' audiences: a new major of a port
// (version.major) and a contract change that breaks consumers
// (change.breaking). Best effort, after the commit: the apply stands
// whether or not a webhook hears of it.
void AnnounceApplied(Mesh& mesh, const control::Plan& plan) {
  Notifier notifier(mesh);
  auto audience = notifier.AudienceFunction();
  if (!audience.ok()) return;
  for (const auto& item : plan.items) {
    std::string product, type;
    json data = {{"object", item.object}, {"detail", item.detail}};
    if (item.action == control::PlanAction::kCreate && StartsWith(item.object, "port:")) {
      // "port:sales.orders/orders@v2": a major after the first is news.
      const std::string rest = item.object.substr(5);
      const auto at = rest.rfind("@v");
      if (at == std::string::npos || rest.substr(at + 2) == "1") continue;
      product = rest.substr(0, rest.find('/'));
      type = "version.major";
    } else if (StartsWith(item.object, "contract:") && item.diff && item.diff->has_breaking()) {
      for (const auto& c : plan.contract_versions)
        if (c.contract_id == item.diff->id && c.version == item.diff->new_version) product = c.product_id;
      if (product.empty()) continue;
      type = "change.breaking";
      data["from"] = item.diff->old_version;
      data["to"] = item.diff->new_version;
    } else {
      continue;
    }
    notifier.Emit({.id = "", .type = type, .product_id = product, .time = "", .data = data}, (*audience)(product))
        .IgnoreError();
  }
}

}  // namespace

Result<PlanView> ControlService::Plan(const Caller& caller, const std::filesystem::path& tree, const PlanRequest& request) {
  RETURN_IF_ERROR(mesh_.CallerFor(caller.principal.name).status());  // registered
  spec::SpecTree specs = spec::LoadSpecTree({tree});
  if (specs.missing_path) return Status::InvalidArgument(tree.string() + ": no such file or directory");
  ASSIGN_OR_RETURN(auto domains, mesh_.store().ListDomains());
  std::vector<std::string> names;
  for (const auto& d : domains) names.push_back(d.name);
  const control::PlanOptions options{
      .prune = request.prune,
      .actor = caller.principal.name,
      .writable_domains = Authorizer::WritableDomains(caller.principal, names),
      .now = caller.now,
      .curate_glossary = Authorizer::Allowed(caller.principal, Action::kCurateGlossary, Resource::Workspace())};
  PlanView v;
  v.apply = request.apply;
  // An apply makes the catalog match the tree: when another apply changed
  // what the plan read in the meantime, planning again against the new
  // catalog is what the caller asked for. Bounded, so a tree that keeps
  // losing says so instead of spinning.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(v.plan, control::MakePlan(mesh_.workspace(), mesh_.store(), specs.documents, specs.diagnostics, options));
    if (request.show_root_as) {
      const std::string root = tree.string();
      for (auto& r : v.plan.refusals) Rename(r.file, root, *request.show_root_as);
      for (auto& d : v.plan.diagnostics) Rename(d.file, root, *request.show_root_as);
    }
    if (!request.apply || v.plan.refused() || v.plan.change_count() == 0) return v;
    auto applied = control::Apply(mesh_.workspace(), mesh_.store(), storage::DefaultFileSystem(), v.plan);
    mesh_.CatalogChanged();
    if (applied.ok()) {
      AnnounceApplied(mesh_, v.plan);
      v.applied = *applied;
      return v;
    }
    auto now_at = mesh_.store().ControlGeneration();
    const bool lost_a_race = now_at.ok() && *now_at != v.plan.control_generation;
    if (!lost_a_race || attempt == kAttempts) {
      v.apply_status = applied.status();
      return v;
    }
  }
}

Result<ViolationsView> ControlService::Violations(const Caller& caller) {
  ASSIGN_OR_RETURN(control::Plan plan, control::MakePlan(mesh_.workspace(), mesh_.store(), {}, {}, {.actor = caller.principal.name}));
  return ViolationsView{std::move(plan.policies)};
}

Status PlanStatus(const PlanView& view) {
  if (view.plan.refused()) {
    for (const auto& r : view.plan.refusals)
      if (r.rule == "not-owner") return Status::PermissionDenied(r.message);
    return Status::Rejected("the plan was refused (" + std::to_string(view.plan.refusals.size()) + " refusal" +
                            (view.plan.refusals.size() == 1 ? "" : "s") + "): nothing was applied");
  }
  return view.apply_status;
}

json ToJson(const PlanView& v) {
  const control::Plan& plan = v.plan;
  json j = {{"generation", plan.generation}, {"changes", plan.change_count()}, {"refused", plan.refused()},
            {"items", json::array()},      {"refusals", json::array()},      {"policies", json::array()},
            {"diagnostics", json::array()},
            {"policySummary", {{"run", plan.policies.policies}, {"errors", plan.policies.errors},
                               {"warnings", plan.policies.warnings}, {"waived", plan.policies.waived}}}};
  for (const auto& i : plan.items) {
    json item = {{"action", control::PlanActionName(i.action)}, {"object", i.object}, {"detail", i.detail}};
    if (i.diff) item["diff"] = spec::ToJson(*i.diff);
    j["items"].push_back(item);
  }
  for (const auto& r : plan.refusals)
    j["refusals"].push_back({{"file", r.file}, {"line", r.pos.line}, {"column", r.pos.col}, {"object", r.object},
                             {"rule", r.rule}, {"message", r.message}});
  for (const auto& pv : plan.policies.violations)
    j["policies"].push_back({{"policy", pv.policy_id}, {"severity", pv.severity}, {"subject", pv.subject},
                             {"message", pv.message}, {"waived", pv.waived}});
  for (const auto& d : plan.diagnostics) j["diagnostics"].push_back(spec::ToJson(d));
  if (v.apply && !plan.refused() && plan.change_count() > 0) {
    j["applied"] = v.applied.has_value();
    if (v.applied) {
      j["appliedChanges"] = v.applied->changes;
      j["directoriesCreated"] = v.applied->directories_created;
    } else {
      j["error"] = v.apply_status.message();
    }
  }
  return j;
}

json ToJson(const ViolationsView& v) {
  const governance::Evaluation& e = v.evaluation;
  json out = json::array();
  for (const auto& pv : e.violations)
    out.push_back({{"policy", pv.policy_id}, {"severity", pv.severity}, {"subject", pv.subject}, {"message", pv.message},
                   {"waived", pv.waived}, {"waiver", pv.waiver_id}, {"policyError", pv.policy_error}});
  return {{"violations", out}, {"policies", e.policies}, {"errors", e.errors}, {"warnings", e.warnings}, {"waived", e.waived}};
}

}  // namespace weft::service
