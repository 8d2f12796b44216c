// weft glossary list | show TERM: the business glossary (service/glossary.h).
// Text and tables are drawn from the views' JSON, as everywhere in the CLI.
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "service/glossary.h"

namespace weft::cli {

namespace {

using nlohmann::json;

std::vector<std::string> Names(const json& terms) {
  std::vector<std::string> out;
  for (const auto& t : terms) out.push_back(Text(t["name"]));
  return out;
}

void PrintTerm(std::ostream& out, const json& t) {
  out << "Term:        " << Text(t["title"]) << "  (" << Text(t["name"]) << ")\n"
      << "Scope:       " << (Text(t["domain"]).empty() ? std::string("global") : "domain " + Text(t["domain"])) << "\n"
      << "Definition:  " << Text(t["definition"]) << "\n"
      << "Owners:      " << Dash(Join(Texts(t["owners"]), ", ")) << "\n"
      << "Synonyms:    " << Dash(Join(Texts(t["synonyms"]), ", ")) << "\n"
      << "Related:     " << Dash(Join(Names(t["related"]), ", ")) << "\n";
  if (!t["unresolvedRelated"].empty())
    out << "             (not terms: " << Join(Texts(t["unresolvedRelated"]), ", ") << ")\n";
  if (!t["relatedBy"].empty()) out << "Related by:  " << Join(Names(t["relatedBy"]), ", ") << "\n";
  out << "\n";
  if (t["columns"].empty()) {
    out << "No column names this term yet.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : t["columns"])
    rows.push_back({Text(c["address"]), Text(c["version"]), Text(c["object"]), Text(c["column"]), Text(c["via"])});
  PrintTable(out, {"PRODUCT", "VERSION", "OBJECT", "COLUMN", "LINKED BY"}, rows);
}

}  // namespace

void AddGlossaryCommand(CLI::App& app, CommandContext& ctx) {
  auto* glossary = app.add_subcommand("glossary", "The business glossary: terms and the columns that use them");
  glossary->require_subcommand(1);
  {
    auto* cmd = glossary->add_subcommand("list", "Every term, with how many columns and products use it");
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json", "yaml"}));
    cmd->callback([&ctx, format] {
      Answer a = Call(ctx, {.path = "/api/v1/glossary"}, [](service::Mesh& m, const service::Caller& c) {
        return Of(service::GlossaryService(m).Terms(c));
      });
      if (!Report(ctx, "glossary list", a.status)) return;
      if (*format != "table") return PrintStructured(ctx.out, *format, a.body);
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : a.body["terms"])
        rows.push_back({Text(t["name"]), Text(t["title"]), Dash(t["domain"]), Dash(Join(Texts(t["synonyms"]), ", ")),
                        Text(t["columns"]), Text(t["products"])});
      PrintTable(ctx.out, {"TERM", "TITLE", "DOMAIN", "SYNONYMS", "COLUMNS", "PRODUCTS"}, rows);
    });
  }
  {
    auto* cmd = glossary->add_subcommand("show", "One term: definition, owners, synonyms, related terms, every column using it");
    auto term = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    cmd->add_option("term", *term, "The term's name (a title or synonym finds it too)")->required();
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json", "yaml"}));
    cmd->callback([&ctx, term, format] {
      Answer a = Call(ctx, {.path = "/api/v1/glossary/" + *term}, [&](service::Mesh& m, const service::Caller& c) {
        return Of(service::GlossaryService(m).Term(c, *term));
      });
      if (!Report(ctx, "glossary show", a.status)) return;
      if (*format == "text") PrintTerm(ctx.out, a.body);
      else PrintStructured(ctx.out, *format, a.body);
    });
  }
}

}  // namespace weft::cli
