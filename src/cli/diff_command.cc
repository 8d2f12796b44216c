// `weft diff OLD NEW [-o table|json]`: classifies every change between two
// spec files or two directories of them (spec/diff.h) and checks each
// document's version bump. Exit 1 on a breaking change or a version bump that
// is too small or goes backwards, 2 when OLD or NEW cannot be loaded.
#include <algorithm>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "spec/tree.h"
#include "spec/diff.h"

namespace weft::cli {

namespace {

// A document is shown when something changed or its version is wrong.
bool Shown(const spec::DocumentDiff& d) {
  return !d.changes.empty() || !d.bump_enough;
}

std::string Header(const spec::DocumentDiff& d) {
  std::string head = std::string(spec::DocKindName(d.kind)) + " " + d.id;
  if (d.old_file.empty()) return head + " (" + d.new_file + "): added";
  if (d.new_file.empty()) return head + " (" + d.old_file + "): removed";
  auto show = [](const std::string& v) { return v.empty() ? std::string("(none)") : v; };
  std::string files = d.old_file == d.new_file ? d.old_file : d.old_file + " -> " + d.new_file;
  return head + " (" + files + "): version " + show(d.old_version) + " -> " + show(d.new_version) + ": bump " +
         spec::BumpKindName(d.bump) + ", required " + spec::BumpKindName(d.required) + ": " +
         (d.bump_enough ? "ok" : "NOT ENOUGH");
}

std::string Pad(const std::string& s, size_t width) {
  return s + std::string(width - s.size() + 2, ' ');
}

void PrintTable(std::ostream& out, const std::vector<spec::DocumentDiff>& diffs) {
  size_t sev_w = 0, rule_w = 0, subject_w = 0;
  for (const auto& d : diffs) {
    for (const auto& c : d.changes) {
      sev_w = std::max(sev_w, std::string(spec::ChangeSeverityName(c.severity)).size());
      rule_w = std::max(rule_w, c.rule.size());
      subject_w = std::max(subject_w, c.subject.size());
    }
  }
  size_t counts[3] = {0, 0, 0};
  size_t shown = 0;
  for (const auto& d : diffs) {
    if (!Shown(d)) continue;
    if (shown++ > 0) out << "\n";
    out << Header(d) << "\n";
    for (const auto& c : d.changes) {
      ++counts[static_cast<size_t>(c.severity)];
      out << "  " << Pad(spec::ChangeSeverityName(c.severity), sev_w) << Pad(c.rule, rule_w)
          << Pad(c.subject, subject_w) << c.message << "\n";
    }
  }
  if (shown > 0) out << "\n";
  size_t short_bumps = static_cast<size_t>(
      std::count_if(diffs.begin(), diffs.end(), [](const spec::DocumentDiff& d) { return !d.bump_enough; }));
  out << counts[0] << " breaking, " << counts[1] << (counts[1] == 1 ? " warning, " : " warnings, ") << counts[2]
      << " info in " << diffs.size() << (diffs.size() == 1 ? " document" : " documents");
  if (short_bumps > 0) {
    out << "; version bump not enough for " << short_bumps << (short_bumps == 1 ? " document" : " documents");
  }
  out << "\n";
}

}  // namespace

void AddDiffCommand(CLI::App& app, CommandContext& ctx) {
  struct Options {
    std::string old_path;
    std::string new_path;
    std::string output = "table";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub =
      app.add_subcommand("diff",
                         "Classify every change between two spec files or directories (breaking / warning / info) "
                         "and check the version bumps; exit 1 on a breaking change or too small a bump");
  sub->add_option("OLD", opts->old_path, "the old spec file or directory")->required();
  sub->add_option("NEW", opts->new_path, "the new spec file or directory")->required();
  sub->add_option("-o,--output", opts->output, "output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  sub->callback([&ctx, opts] {
    spec::SpecTree old_tree = spec::LoadSpecTree({opts->old_path});
    spec::SpecTree new_tree = spec::LoadSpecTree({opts->new_path});
    size_t errors = 0;
    std::set<std::string> unreadable;  // a missing path is reported once, not once per lookup
    for (const spec::SpecTree* tree : {&old_tree, &new_tree}) {
      for (const auto& d : tree->diagnostics) {
        if (d.severity != spec::Severity::kError) continue;  // lint's job; a diff needs only loadable specs
        if (d.rule == "io" && !unreadable.insert(d.file).second) continue;
        ctx.err << spec::FormatGcc(d) << "\n";
        ++errors;
      }
    }
    if (errors > 0) {
      ctx.err << "weft diff: cannot compare: " << errors << (errors == 1 ? " error" : " errors")
              << " while loading; run `weft lint` on the files above\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    std::vector<spec::DocumentDiff> diffs = spec::DiffDocuments(old_tree.documents, new_tree.documents);
    if (opts->output == "json") {
      spec::Json array = spec::Json::array();
      for (const auto& d : diffs) array.push_back(spec::ToJson(d));
      ctx.out << array.dump(2) << "\n";
    } else {
      PrintTable(ctx.out, diffs);
    }
    bool fail = std::any_of(diffs.begin(), diffs.end(),
                            [](const spec::DocumentDiff& d) { return d.has_breaking() || !d.bump_enough; });
    ctx.exit_code = fail ? kExitFindings : kExitOk;
  });
}

}  // namespace weft::cli
