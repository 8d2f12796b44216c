// weft policy list [--pack DIR]... [-o table|json]
// weft policy explain ID [--pack DIR]...
// weft policy test DIR [--pack DIR]... [--no-default] [-o table|json]
#include <nlohmann/json.hpp>

#include <iomanip>
#include <ostream>

#include "cli/commands.h"
#include "spec/tree.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/duckdb_sql_validator.h"
#include "governance/policy.h"
#include "spec/lint.h"

namespace weft::cli {

namespace {

struct PolicyOptions {
  std::vector<std::string> packs;
  bool no_default = false;
  std::string format = "table";
};


// The policies the options select; prints the reason and sets the exit code
// when they cannot be loaded.
std::optional<std::vector<spec::PolicySpec>> Policies(const PolicyOptions& o, CommandContext& ctx,
                                                      const char* command) {
  std::vector<std::filesystem::path> dirs(o.packs.begin(), o.packs.end());
  auto policies = governance::LoadPolicies(dirs, !o.no_default);
  if (!policies.ok()) {
    ctx.err << "weft policy " << command << ": " << policies.status().message() << "\n";
    ctx.exit_code = policies.status().code() == StatusCode::kInternal ? kExitFindings : kExitUsage;
    return std::nullopt;
  }
  return std::move(*policies);
}

void AddPackOption(CLI::App* cmd, PolicyOptions& o) {
  cmd->add_option("--pack", o.packs, "A policy pack directory (repeatable)")->check(CLI::ExistingDirectory);
}

void List(const PolicyOptions& o, CommandContext& ctx) {
  auto policies = Policies(o, ctx, "list");
  if (!policies) return;
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : *policies) out.push_back({{"id", p.id}, {"severity", p.severity}, {"title", p.title}});
    ctx.out << out.dump(2) << "\n";
    return;
  }
  size_t width = 2;
  for (const auto& p : *policies) width = std::max(width, p.id.size());
  ctx.out << std::left << std::setw(static_cast<int>(width)) << "ID" << "  SEVERITY  TITLE\n";
  for (const auto& p : *policies)
    ctx.out << std::setw(static_cast<int>(width)) << p.id << "  " << std::setw(8) << p.severity << "  " << p.title
            << "\n";
}

void Explain(const std::string& id, const PolicyOptions& o, CommandContext& ctx) {
  auto policies = Policies(o, ctx, "explain");
  if (!policies) return;
  std::vector<std::string> ids;
  for (const auto& p : *policies) {
    ids.push_back(p.id);
    if (p.id != id) continue;
    ctx.out << p.id << ": " << p.title << "\nseverity: " << p.severity << "\n\n"
            << (p.rationale.empty() ? "(no rationale given)" : p.rationale) << "\n\nquery:\n"
            << p.query << (EndsWith(p.query, "\n") ? "" : "\n");
    return;
  }
  std::string hint = ClosestMatch(id, ids);
  ctx.err << "weft policy explain: no policy '" << id << "'" << (hint.empty() ? "" : "; did you mean '" + hint + "'?")
          << " (weft policy list shows them all)\n";
  ctx.exit_code = kExitUsage;
}

void Test(const std::string& dir, const PolicyOptions& o, CommandContext& ctx) {
  auto policies = Policies(o, ctx, "test");
  if (!policies) return;
  spec::SpecTree tree = spec::LoadSpecTree({dir});
  if (tree.missing_path) {
    ctx.err << "weft policy test: " << dir << " does not exist\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  // Policies reason about a valid tree; lint errors first, as `weft lint` does.
  auto validator = engine::DuckDbSqlValidator::Create();
  if (!validator.ok()) {
    ctx.err << "weft policy test: cannot start the SQL checker: " << validator.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  std::vector<spec::Diagnostic> diags = std::move(tree.diagnostics);
  for (auto& d : spec::Lint(tree.documents, {.sql = validator->get()})) diags.push_back(std::move(d));
  spec::SortDiagnostics(diags);
  if (size_t errors = spec::CountErrors(diags); errors > 0) {
    for (const auto& d : diags)
      if (d.severity == spec::Severity::kError) ctx.err << spec::FormatGcc(d) << "\n";
    ctx.err << "weft policy test: " << dir << " has " << errors
            << " lint error(s); fix them first (weft lint " << dir << ")\n";
    ctx.exit_code = kExitFindings;
    return;
  }

  governance::ProposedState state;
  for (const auto& d : tree.documents) state.documents.push_back(&d);
  auto ev = governance::Evaluate(state, *policies, {}, NowIso());
  if (!ev.ok()) {
    ctx.err << "weft policy test: " << ev.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  if (o.format == "json") {
    nlohmann::json out = {{"policies", ev->policies}, {"errors", ev->errors}, {"warnings", ev->warnings},
                          {"waived", ev->waived}, {"violations", nlohmann::json::array()}};
    for (const auto& v : ev->violations)
      out["violations"].push_back({{"policy", v.policy_id}, {"severity", v.severity}, {"subject", v.subject},
                                   {"message", v.message}, {"policy_error", v.policy_error}, {"waived", v.waived}});
    ctx.out << out.dump(2) << "\n";
  } else {
    for (const auto& v : ev->violations) {
      ctx.out << (v.waived ? "waived" : v.severity) << " " << v.policy_id;
      if (!v.subject.empty()) ctx.out << " " << v.subject;
      ctx.out << ": " << v.message << "\n";
    }
    ctx.err << ev->policies << " policies over " << tree.documents.size() << " document(s): " << ev->errors
            << " error(s), " << ev->warnings << " warning(s)" << (ev->waived ? ", " + std::to_string(ev->waived) + " waived" : "")
            << "\n";
  }
  ctx.exit_code = ev->errors ? kExitFindings : kExitOk;
}

}  // namespace

void AddPolicyCommand(CLI::App& app, CommandContext& ctx) {
  auto* policy = app.add_subcommand("policy", "Governance policies: list, explain, test against a spec tree");
  policy->require_subcommand(1);

  auto list_opts = std::make_shared<PolicyOptions>();
  auto* list = policy->add_subcommand("list", "List the policies of the default pack and of the given packs");
  AddPackOption(list, *list_opts);
  list->add_flag("--no-default", list_opts->no_default, "Leave out the default pack");
  list->add_option("-o,--output", list_opts->format, "Output format")->check(CLI::IsMember({"table", "json"}));
  list->callback([&ctx, list_opts] { List(*list_opts, ctx); });

  auto explain_opts = std::make_shared<PolicyOptions>();
  auto explain_id = std::make_shared<std::string>();
  auto* explain = policy->add_subcommand("explain", "Show a policy's title, severity, rationale and query");
  explain->add_option("id", *explain_id, "Policy id")->required();
  AddPackOption(explain, *explain_opts);
  explain->callback([&ctx, explain_opts, explain_id] { Explain(*explain_id, *explain_opts, ctx); });

  auto test_opts = std::make_shared<PolicyOptions>();
  auto test_dir = std::make_shared<std::string>();
  auto* test = policy->add_subcommand("test", "Run the policies against a spec tree (no workspace needed)");
  test->add_option("dir", *test_dir, "Spec tree (as for weft lint)")->required();
  AddPackOption(test, *test_opts);
  test->add_flag("--no-default", test_opts->no_default, "Run only the given packs");
  test->add_option("-o,--output", test_opts->format, "Output format")->check(CLI::IsMember({"table", "json"}));
  test->callback([&ctx, test_opts, test_dir] { Test(*test_dir, *test_opts, ctx); });
}

}  // namespace weft::cli
