// weft plan -f DIR [--prune] [-o text|json]
// weft apply -f DIR [--prune] [-o text|json]
#include <ostream>

#include "access/principals.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/spec_tree.h"
#include "cli/workspace_context.h"
#include "control/planner.h"
#include "service/authorizer.h"

namespace weft::cli {

namespace {

// A plan refused because its author may not write part of it is "not
// permitted", not a finding to fix in the specs.
int RefusedExit(const control::Plan& plan) {
  for (const auto& r : plan.refusals)
    if (r.rule == "not-owner") return kExitDenied;
  return kExitFindings;
}


const char* Sigil(control::PlanAction a) {
  switch (a) {
    case control::PlanAction::kCreate: return "+";
    case control::PlanAction::kUpdate: return "~";
    case control::PlanAction::kDeprecate: return "!";
    case control::PlanAction::kRemove: return "-";
    case control::PlanAction::kKeep: return " ";
  }
  return "?";
}

nlohmann::json PlanToJson(const control::Plan& plan) {
  nlohmann::json j = {{"generation", plan.generation}, {"changes", plan.change_count()},
                      {"refused", plan.refused()}, {"items", nlohmann::json::array()},
                      {"refusals", nlohmann::json::array()}, {"policies", nlohmann::json::array()},
                      {"diagnostics", nlohmann::json::array()}};
  for (const auto& i : plan.items) {
    nlohmann::json item = {{"action", control::PlanActionName(i.action)}, {"object", i.object}, {"detail", i.detail}};
    if (i.diff) item["diff"] = spec::ToJson(*i.diff);
    j["items"].push_back(item);
  }
  for (const auto& r : plan.refusals)
    j["refusals"].push_back({{"file", r.file}, {"line", r.pos.line}, {"column", r.pos.col}, {"object", r.object},
                             {"rule", r.rule}, {"message", r.message}});
  for (const auto& v : plan.policies.violations)
    j["policies"].push_back({{"policy", v.policy_id}, {"severity", v.severity}, {"subject", v.subject},
                             {"message", v.message}, {"waived", v.waived}});
  for (const auto& d : plan.diagnostics) j["diagnostics"].push_back(spec::ToJson(d));
  return j;
}

void PrintPlan(std::ostream& out, const control::Plan& plan) {
  size_t counts[5] = {};
  for (const auto& item : plan.items) {
    ++counts[static_cast<int>(item.action)];
    if (item.action == control::PlanAction::kKeep) continue;
    out << "  " << Sigil(item.action) << " " << control::PlanActionName(item.action) << "  " << item.object << "  "
        << item.detail << "\n";
    if (!item.diff) continue;
    for (const auto& c : item.diff->changes)
      out << "        " << spec::ChangeSeverityName(c.severity) << "  " << c.rule << "  " << c.message << "\n";
  }
  for (const auto& d : plan.diagnostics)
    if (d.severity == spec::Severity::kWarning) out << spec::FormatGcc(d) << "\n";
  const auto& ev = plan.policies;
  out << "Policies: " << ev.policies << " run, " << ev.errors << " error(s), " << ev.warnings << " warning(s), "
      << ev.waived << " waived\n";
  for (const auto& v : ev.violations)
    out << "  " << (v.waived ? "waived" : v.severity) << "  " << v.policy_id << "  " << v.subject << ": " << v.message
        << "\n";
  if (plan.refused()) {
    out << "Refused (" << plan.refusals.size() << "): nothing will be applied\n";
    for (const auto& r : plan.refusals) {
      out << "  ";
      if (!r.file.empty()) {
        out << r.file;
        if (r.pos.line) out << ":" << r.pos.line << ":" << r.pos.col;
        out << ": ";
      } else if (!r.object.empty()) {
        out << r.object << ": ";
      }
      out << "error: " << r.message << " [" << r.rule << "]\n";
    }
  }
  out << "Plan: " << counts[0] << " to create, " << counts[1] << " to update, " << counts[2] << " to deprecate, "
      << counts[3] << " to remove, " << counts[4] << " unchanged.\n";
}

struct PlanArgs {
  std::string dir;
  bool prune = false;
  std::string format = "text";
};

void AddPlanLike(CLI::App& app, CommandContext& ctx, bool apply) {
  auto* cmd = app.add_subcommand(apply ? "apply" : "plan",
                                 apply ? "Apply a tree of specs to the catalog, in one transaction"
                                       : "Show what apply would change, and whether it would be refused");
  auto args = std::make_shared<PlanArgs>();
  cmd->add_option("-f,--file", args->dir, "The tree of specs (domains/...)")->required();
  cmd->add_flag("--prune", args->prune, "Remove catalog entries that are not in the tree");
  cmd->add_option("-o,--output", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&ctx, args, apply] {
    auto opened = OpenWorkspaceOrReport(ctx);
    if (!opened) return;
    SpecTree tree = LoadSpecTree({args->dir});
    if (tree.missing_path) {
      ctx.err << "weft: " << args->dir << ": no such file or directory\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    // What the actor may write: the planner refuses the rest, and --prune
    // removes only inside it.
    auto actor = access::LoadPrincipal(*opened->store, Actor(ctx));
    auto domains = actor.ok() ? opened->store->ListDomains() : Result<std::vector<catalog::DomainRecord>>(actor.status());
    if (!domains.ok()) {
      ctx.err << "weft " << (apply ? "apply" : "plan") << ": " << domains.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    std::vector<std::string> names;
    for (const auto& d : *domains) names.push_back(d.name);
    auto plan = control::MakePlan(opened->ws, *opened->store, tree.documents, tree.diagnostics,
                                  {.prune = args->prune, .actor = Actor(ctx),
                                   .writable_domains = service::Authorizer::WritableDomains(*actor, names)});
    if (!plan.ok()) {
      ctx.err << "weft " << (apply ? "apply" : "plan") << ": " << plan.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    if (args->format == "json") {
      nlohmann::json j = PlanToJson(*plan);
      if (apply && !plan->refused() && plan->change_count() > 0) {
        auto applied = control::Apply(opened->ws, *opened->store, storage::DefaultFileSystem(), *plan);
        j["applied"] = applied.ok();
        if (!applied.ok()) j["error"] = applied.status().message();
        ctx.exit_code = applied.ok() ? kExitOk : kExitFindings;
      }
      ctx.out << j.dump(2) << "\n";
      if (plan->refused()) ctx.exit_code = RefusedExit(*plan);
      return;
    }
    PrintPlan(ctx.out, *plan);
    if (plan->refused()) {
      ctx.exit_code = RefusedExit(*plan);
      return;
    }
    if (!apply) return;
    if (plan->change_count() == 0) {
      ctx.out << "No changes: the catalog already matches the tree.\n";
      return;
    }
    auto applied = control::Apply(opened->ws, *opened->store, storage::DefaultFileSystem(), *plan);
    if (!applied.ok()) {
      ctx.err << "weft apply: " << applied.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    ctx.out << "Applied " << applied->changes << " change(s); provisioned " << applied->directories_created
            << " director" << (applied->directories_created == 1 ? "y" : "ies") << ".\n";
  });
}

}  // namespace

void AddPlanApplyCommands(CLI::App& app, CommandContext& ctx) {
  AddPlanLike(app, ctx, false);
  AddPlanLike(app, ctx, true);
}

}  // namespace weft::cli
