// weft lint PATH... [-o text|json]
#include <nlohmann/json.hpp>

#include <ostream>

#include "cli/commands.h"
#include "spec/tree.h"
#include "engine/duckdb_sql_validator.h"
#include "spec/lint.h"

namespace weft::cli {

void AddLintCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("lint", "Check ODCS contracts, ODPS products and weft specs (no workspace needed)");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("paths", *paths, "Files or directories")->required();
  cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([&ctx, paths, format] {
    std::vector<std::filesystem::path> roots(paths->begin(), paths->end());
    spec::SpecTree tree = spec::LoadSpecTree(roots);
    auto validator = engine::DuckDbSqlValidator::Create();
    if (!validator.ok()) {
      ctx.err << "weft lint: cannot start the SQL checker: " << validator.status().message() << "\n";
      ctx.exit_code = kExitFindings;
      return;
    }
    spec::LintOptions options{.sql = validator->get()};
    std::vector<spec::Diagnostic> diags = std::move(tree.diagnostics);
    for (auto& d : spec::Lint(tree.documents, options)) diags.push_back(std::move(d));
    spec::SortDiagnostics(diags);

    size_t errors = spec::CountErrors(diags);
    size_t warnings = static_cast<size_t>(std::count_if(diags.begin(), diags.end(), [](const spec::Diagnostic& d) {
      return d.severity == spec::Severity::kWarning;
    }));
    if (*format == "json") {
      nlohmann::json out = {{"files", tree.files}, {"errors", errors}, {"warnings", warnings},
                            {"diagnostics", nlohmann::json::array()}};
      for (const auto& d : diags) out["diagnostics"].push_back(spec::ToJson(d));
      ctx.out << out.dump(2) << "\n";
    } else {
      for (const auto& d : diags) ctx.out << spec::FormatGcc(d) << "\n";
      ctx.err << tree.files << " file(s), " << tree.documents.size() << " document(s): " << errors
              << " error(s), " << warnings << " warning(s)\n";
    }
    if (tree.missing_path) ctx.exit_code = kExitUsage;
    else ctx.exit_code = errors ? kExitFindings : kExitOk;
  });
}

}  // namespace weft::cli
