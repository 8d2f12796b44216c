// `weft lineage DOMAIN.PRODUCT` and `weft impact FILE.odcs.yaml`: the mesh's
// lineage graph read from the catalog, with column lineage from the
// transform SQL apply registered, or from a spec tree (-f DIR) to see the
// lineage of transforms not yet applied (service/lineage.h).
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/files.h"
#include "common/strings.h"
#include "service/lineage.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::Caller;
using service::LineageService;
using service::Mesh;

// The transform SQL of a local tree (-f DIR); a tree is read where the
// command runs, so it has no --server mode.
Result<std::optional<lineage::MapTransformSource>> TreeTransforms(const CommandContext& ctx, const std::string& tree,
                                                                  const std::string& command) {
  if (tree.empty()) return std::optional<lineage::MapTransformSource>();
  if (!ctx.server.empty())
    return Status::InvalidArgument("weft " + command + " -f reads a local tree: run it without --server, on a workspace");
  auto sql = lineage::LoadTransformsFromTree(tree);
  if (!sql.ok()) return Status::InvalidArgument(sql.status().message());
  return std::optional<lineage::MapTransformSource>(std::move(*sql));
}

void WarnTransformErrors(CommandContext& ctx, const json& products) {
  for (const auto& p : products)
    if (p.contains("transform") && p["transform"].contains("error"))
      ctx.err << "weft: warning: " << Text(p["id"]) << ": transform: " << Text(p["transform"]["error"]) << "\n";
}

std::string DotId(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void PrintDot(std::ostream& out, const json& v, bool columns) {
  std::map<std::string, std::set<std::string>> by_domain;
  for (const auto& p : v["products"]) by_domain[Text(p["domain"])].insert(Text(p["id"]));
  out << "digraph weft_lineage {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (const auto& [domain, ids] : by_domain) {
    out << "  subgraph " << DotId("cluster_" + domain) << " {\n    label=" << DotId(domain) << ";\n";
    for (const auto& id : ids) {
      out << "    " << DotId(id);
      if (id == Text(v["product"])) out << " [style=\"rounded,bold\"]";
      out << ";\n";
    }
    out << "  }\n";
  }
  for (const auto& e : v["edges"]) {
    out << "  " << DotId(Text(e["from"])) << " -> " << DotId(Text(e["to"]));
    std::vector<std::string> attrs;
    if (e["used"] == false) attrs.push_back("style=dashed");
    if (columns && !e["columns"].empty()) {
      std::string label;
      for (const auto& c : e["columns"]) label += Text(c["output"]) + " <- " + Text(c["input"]) + "\\l";
      attrs.push_back("label=\"" + label + "\"");
    }
    if (!attrs.empty()) out << " [" << Join(attrs, ", ") << "]";
    out << ";\n";
  }
  out << "}\n";
}

void PrintLineage(std::ostream& out, const json& v, bool columns) {
  const std::string direction = Text(v["direction"]);
  if (v["edges"].empty()) {
    out << Text(v["product"]) << " has no " << (direction == "both" ? "upstream or downstream" : direction) << " products.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : v["edges"]) rows.push_back({Text(e["from"]), Text(e["to"]), Text(e["address"]), Text(e["status"])});
  PrintTable(out, {"FROM", "TO", "READS", "STATUS"}, rows);
  if (columns) {
    // Output column of a product -> its "relation.column" sources.
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::vector<std::string>>> by_column;
    for (const auto& e : v["edges"])
      for (const auto& c : e["columns"]) {
        auto& [kind, sources] = by_column[{Text(e["to"]), Text(c["output"])}];
        kind = Text(c["kind"]);
        sources.push_back(Text(e["address"]) + "." + Text(c["input"]));
      }
    std::vector<std::vector<std::string>> crows;
    for (const auto& [key, value] : by_column) crows.push_back({key.first + "." + key.second, value.first, Join(value.second, ", ")});
    if (!crows.empty()) {
      out << "\n";
      PrintTable(out, {"COLUMN", "KIND", "FROM"}, crows);
    }
    std::vector<std::vector<std::string>> frows;
    for (const auto& e : v["edges"])
      if (!e["filterColumns"].empty()) frows.push_back({Text(e["to"]), Text(e["address"]), Join(Texts(e["filterColumns"]), ", ")});
    if (!frows.empty()) {
      out << "\n";
      PrintTable(out, {"PRODUCT", "READS", "ONLY TO JOIN/FILTER/GROUP"}, frows);
    }
  }
  if (v["needsTree"] == true) out << "\nnote: " << service::kLineageNeedsTree << "\n";
}

void PrintChanges(std::ostream& out, const json& changes) {
  for (const auto& c : changes) out << "  " << Text(c["rule"]) << "  " << Text(c["subject"]) << "  " << Text(c["message"]) << "\n";
}

void PrintImpact(std::ostream& out, const json& v) {
  if (v["appliedVersion"].is_null()) {
    out << "Contract " << Text(v["contract"]) << " is not applied yet: no downstream products depend on it.\n";
    return;
  }
  const std::vector<std::string> addresses = Texts(v["addresses"]);
  out << "Contract " << Text(v["contract"]) << ": applied " << Text(v["appliedVersion"]) << " -> proposed "
      << Text(v["proposedVersion"]) << " (served as " << (addresses.empty() ? std::string("-") : Join(addresses, ", ")) << ")\n";
  if (v["breaking"].empty()) {
    out << "No breaking change to a column or object of '" << Text(v["servedObject"]) << "': nothing downstream breaks.\n";
  } else {
    out << "\nBreaking changes traced through lineage:\n";
    PrintChanges(out, v["breaking"]);
  }
  if (!v["untraced"].empty()) {
    out << "\nBreaking changes not about a column (not traced):\n";
    PrintChanges(out, v["untraced"]);
  }
  if (v["breaking"].empty()) return;
  out << "\n";
  const json& downstream = v["downstream"];
  if (downstream.empty()) {
    out << "No downstream products read the changed columns.\n";
    if (v["needsTree"] == true) out << "note: " << service::kLineageNeedsTree << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  size_t broken_columns = 0;
  for (const auto& p : downstream) {
    std::string certainty = p["certain"] == true ? "breaks" : "may break (no analyzed SQL)";
    if (p["columns"].empty()) {
      rows.push_back({Text(p["product"]), Text(p["depth"]), certainty, "-", Join(Texts(p["reads"]), ", ")});
      continue;
    }
    for (const auto& o : p["columns"]) {
      rows.push_back({Text(p["product"]), Text(p["depth"]), certainty, Text(o["column"]), Join(Texts(o["because"]), ", ")});
      ++broken_columns;
    }
  }
  PrintTable(out, {"PRODUCT", "DEPTH", "IMPACT", "COLUMN", "FROM CHANGED"}, rows);
  out << "\n" << downstream.size() << (downstream.size() == 1 ? " downstream product" : " downstream products") << ", "
      << broken_columns << (broken_columns == 1 ? " output column" : " output columns") << " affected\n";
  if (v["needsTree"] == true) out << "note: " << service::kLineageNeedsTree << "\n";
}

}  // namespace

void AddLineageCommands(CLI::App& app, CommandContext& ctx) {
  {
    struct Options {
      std::string product;
      bool upstream = false;
      bool downstream = false;
      bool columns = false;
      std::string tree;
      std::string output = "table";
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("lineage", "Show where a product comes from and what is derived from it, "
                                              "down to columns with --columns");
    cmd->add_option("product", opts->product, "DOMAIN.PRODUCT")->required();
    auto* up = cmd->add_flag("--upstream", opts->upstream, "Only the products it is derived from (transitively)");
    auto* down = cmd->add_flag("--downstream", opts->downstream, "Only the products derived from it (transitively)");
    up->excludes(down);
    cmd->add_flag("--columns", opts->columns, "Column-level lineage of each edge");
    cmd->add_option("-f,--file", opts->tree, "Spec tree to read transform SQL from (default: the applied transforms)");
    cmd->add_option("-o,--output", opts->output, "Output format")
        ->check(CLI::IsMember({"table", "json", "dot", "openlineage"}))
        ->capture_default_str();
    cmd->callback([&ctx, opts] {
      auto tree = TreeTransforms(ctx, opts->tree, "lineage");
      if (!Report(ctx, "lineage", tree.status())) return;
      const char* direction = opts->upstream ? "upstream" : opts->downstream ? "downstream" : "both";
      Answer a = Call(ctx, {.path = "/api/v1/products/" + opts->product + "/lineage", .query = {{"direction", direction}}},
                      [&](Mesh& m, const Caller& c) {
                        return Of(LineageService(m).Lineage(
                            c, opts->product,
                            {.upstream = opts->upstream, .downstream = opts->downstream, .transforms = *tree ? &**tree : nullptr}));
                      });
      if (!Report(ctx, "lineage", a.status)) return;
      WarnTransformErrors(ctx, a.body["products"]);
      if (opts->output == "openlineage") {
        // One event per line, as OpenLineage's file transport writes them and
        // its HTTP endpoint takes them (one POST each).
        for (const auto& event : a.body["openLineage"]) ctx.out << event.dump() << "\n";
      } else if (opts->output == "dot") {
        PrintDot(ctx.out, a.body, opts->columns);
      } else if (opts->output == "json") {
        ctx.out << a.body.dump(2) << "\n";
      } else {
        PrintLineage(ctx.out, a.body, opts->columns);
      }
    });
  }
  {
    struct Options {
      std::string file;
      std::string tree;
      std::string output = "table";
    };
    auto opts = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("impact", "Which downstream products and columns a proposed contract's breaking "
                                             "changes would break; exit 1 when any");
    cmd->add_option("contract", opts->file, "The proposed contract (FILE.odcs.yaml)")->required();
    cmd->add_option("-f,--file", opts->tree, "Spec tree to read transform SQL from (default: the applied transforms)");
    cmd->add_option("-o,--output", opts->output, "Output format")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    cmd->callback([&ctx, opts] {
      auto text = ReadFileToString(opts->file);
      if (!Report(ctx, "impact", text.ok() ? Status::Ok() : Status::InvalidArgument(text.status().message()))) return;
      auto tree = TreeTransforms(ctx, opts->tree, "impact");
      if (!Report(ctx, "impact", tree.status())) return;
      Answer a = Call(ctx, {.method = "POST", .path = "/api/v1/impact", .body = *text, .content_type = "application/yaml"},
                      [&](Mesh& m, const Caller& c) -> Answer {
                        auto view = LineageService(m).Impact(c, *text, opts->file, *tree ? &**tree : nullptr);
                        if (!view.ok()) return {view.status(), nullptr};
                        return {service::ImpactStatus(*view), service::ToJson(*view)};
                      });
      if (a.body.is_null()) {
        Report(ctx, "impact", a.status);
        return;
      }
      for (const auto& w : a.body["warnings"]) ctx.err << "weft: warning: " << Text(w) << "\n";
      if (opts->output == "json") ctx.out << a.body.dump(2) << "\n";
      else PrintImpact(ctx.out, a.body);
      ctx.exit_code = service::ExitCodeOf(a.status.code());
    });
  }
}

}  // namespace weft::cli
