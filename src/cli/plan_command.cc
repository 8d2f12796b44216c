// weft plan -f DIR [--prune] [-o text|json]
// weft apply -f DIR [--prune] [-o text|json]
// (service/control.h; with --server the tree's files are sent to the server)
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "service/control.h"

namespace weft::cli {

namespace {

using nlohmann::json;

const char* Sigil(const std::string& action) {
  if (action == "create") return "+";
  if (action == "update") return "~";
  if (action == "deprecate") return "!";
  if (action == "remove") return "-";
  return " ";
}

std::string Located(const json& d) {
  std::string out = Text(d["file"]);
  if (d["line"].is_number() && d["line"].get<int64_t>() > 0) out += ":" + Text(d["line"]) + ":" + Text(d["column"]);
  return out;
}

void PrintPlan(std::ostream& out, const json& plan) {
  std::map<std::string, size_t> counts;
  for (const auto& item : plan["items"]) {
    const std::string action = Text(item["action"]);
    ++counts[action];
    if (action == "keep") continue;
    out << "  " << Sigil(action) << " " << action << "  " << Text(item["object"]) << "  " << Text(item["detail"]) << "\n";
    if (!item.contains("diff")) continue;
    for (const auto& c : item["diff"]["changes"])
      out << "        " << Text(c["severity"]) << "  " << Text(c["rule"]) << "  " << Text(c["message"]) << "\n";
  }
  for (const auto& d : plan["diagnostics"])
    if (d["severity"] == "warning")
      out << Located(d) << ": warning: " << Text(d["message"]) << (Text(d["rule"]).empty() ? "" : " [" + Text(d["rule"]) + "]") << "\n";
  const json& ev = plan["policySummary"];
  out << "Policies: " << Text(ev["run"]) << " run, " << Text(ev["errors"]) << " error(s), " << Text(ev["warnings"])
      << " warning(s), " << Text(ev["waived"]) << " waived\n";
  for (const auto& v : plan["policies"])
    out << "  " << (v["waived"] == true ? "waived" : Text(v["severity"])) << "  " << Text(v["policy"]) << "  "
        << Text(v["subject"]) << ": " << Text(v["message"]) << "\n";
  if (plan["refused"] == true) {
    out << "Refused (" << plan["refusals"].size() << "): nothing will be applied\n";
    for (const auto& r : plan["refusals"]) {
      out << "  ";
      if (!Text(r["file"]).empty()) out << Located(r) << ": ";
      else if (!Text(r["object"]).empty()) out << Text(r["object"]) << ": ";
      out << "error: " << Text(r["message"]) << " [" << Text(r["rule"]) << "]\n";
    }
  }
  out << "Plan: " << counts["create"] << " to create, " << counts["update"] << " to update, " << counts["deprecate"]
      << " to deprecate, " << counts["remove"] << " to remove, " << counts["keep"] << " unchanged.\n";
}

// The files of a tree as {relative path: text}, for a server.
Result<json> TreeFiles(const std::filesystem::path& dir) {
  json files = json::object();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Status::InvalidArgument(dir.string() + ": no such directory");
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream f(it->path(), std::ios::binary);
    std::stringstream text;
    text << f.rdbuf();
    if (!f) return Status::InvalidArgument("cannot read " + it->path().string());
    files[std::filesystem::relative(it->path(), dir).generic_string()] = text.str();
  }
  if (ec) return Status::InvalidArgument("cannot read " + dir.string() + ": " + ec.message());
  return files;
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
  cmd->add_flag("--prune", args->prune, "Remove catalog entries that are not in the tree (only those you own)");
  cmd->add_option("-o,--output", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&ctx, args, apply] {
    const char* name = apply ? "apply" : "plan";
    Rest rest{.method = "POST", .path = apply ? "/api/v1/apply" : "/api/v1/plan"};
    if (!ctx.server.empty()) {
      auto files = TreeFiles(args->dir);
      if (!Report(ctx, name, files.status())) return;
      rest.body = json{{"files", *files}, {"prune", args->prune}}.dump();
    }
    Answer a = Call(ctx, rest, [&](service::Mesh& m, const service::Caller& c) -> Answer {
      auto view = service::ControlService(m).Plan(c, args->dir, {.apply = apply, .prune = args->prune, .show_root_as = std::nullopt});
      if (!view.ok()) return {view.status(), nullptr};
      return {service::PlanStatus(*view), service::ToJson(*view)};
    });
    if (a.body.is_null()) {
      Report(ctx, name, a.status);
      return;
    }
    if (args->format == "json") {
      ctx.out << a.body.dump(2) << "\n";
      ctx.exit_code = service::ExitCodeOf(a.status.code());
      return;
    }
    PrintPlan(ctx.out, a.body);
    if (a.body["refused"] == true) {
      ctx.exit_code = service::ExitCodeOf(a.status.code());
      return;
    }
    if (!apply) return;
    if (!Report(ctx, name, a.status)) return;
    if (a.body["changes"].get<int64_t>() == 0) {
      ctx.out << "No changes: the catalog already matches the tree.\n";
      return;
    }
    const int64_t dirs = a.body.value("directoriesCreated", int64_t{0});
    ctx.out << "Applied " << Text(a.body["appliedChanges"]) << " change(s); provisioned " << dirs << " director"
            << (dirs == 1 ? "y" : "ies") << ".\n";
  });
}

}  // namespace

void AddPlanApplyCommands(CLI::App& app, CommandContext& ctx) {
  AddPlanLike(app, ctx, false);
  AddPlanLike(app, ctx, true);
}

}  // namespace weft::cli
