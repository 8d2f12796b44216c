// `weft lineage DOMAIN.PRODUCT` and `weft impact FILE.odcs.yaml`: the mesh's
// lineage graph (lineage/graph.h) read from the catalog, with column lineage
// from the transform SQL apply registered, or from a spec tree (-f DIR) to
// see the lineage of transforms not yet applied.
#include <algorithm>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"
#include "engine/duckdb_sql_validator.h"
#include "lineage/graph.h"
#include "spec/diff.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::cli {

namespace {

using nlohmann::json;

constexpr const char* kNeedsTree =
    "column lineage needs the transform SQL, which the catalog does not have: re-apply the product "
    "(weft apply -f DIR), or pass -f DIR to read it from the spec tree";

// The graph over the catalog, with SQL from `tree` when given, else from the
// catalog. Reports and sets the exit code on failure.
std::optional<lineage::LineageGraph> BuildGraph(CommandContext& ctx, catalog::Store& store, const std::string& tree) {
  auto mesh = lineage::MeshFromCatalog(store);
  if (!mesh.ok()) {
    ctx.err << "weft: " << mesh.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return std::nullopt;
  }
  auto sql = tree.empty() ? lineage::TransformsFromCatalog(store) : lineage::LoadTransformsFromTree(tree);
  if (!sql.ok()) {
    ctx.err << "weft: " << sql.status().message() << "\n";
    ctx.exit_code = tree.empty() ? kExitFindings : kExitUsage;
    return std::nullopt;
  }
  auto parser = engine::DuckDbSqlValidator::Create();
  if (!parser.ok()) {
    ctx.err << "weft: " << parser.status().message() << "\n";
    ctx.exit_code = kExitFindings;
    return std::nullopt;
  }
  return lineage::LineageGraph::Build(*mesh, &*sql, **parser);
}

// Transform SQL that could not be analyzed, for the products shown.
void WarnTransformErrors(CommandContext& ctx, const lineage::LineageGraph& g, const std::set<std::string>& products) {
  for (const auto& id : products) {
    const lineage::TransformLineage* t = g.Transform(id);
    if (t && t->state == lineage::TransformLineage::State::kError) {
      ctx.err << "weft: warning: " << id << ": transform: " << t->error << "\n";
    }
  }
}

std::string EdgeStatus(const lineage::Edge& e, const lineage::LineageGraph& g) {
  if (e.used.has_value()) return *e.used ? "read by SQL" : "declared, not read by SQL";
  const lineage::TransformLineage* t = g.Transform(e.to);
  if (t && t->state == lineage::TransformLineage::State::kError) return "declared (SQL error)";
  return "declared";
}

// Output column of `to` -> "relation.column" sources, for one edge set.
struct ColumnRow {
  std::string product;
  std::string column;
  std::string kind;
  std::vector<std::string> sources;
};

std::vector<ColumnRow> ColumnRows(const std::vector<const lineage::Edge*>& edges) {
  std::map<std::pair<std::string, std::string>, ColumnRow> rows;
  for (const lineage::Edge* e : edges)
    for (const auto& c : e->columns) {
      ColumnRow& r = rows[{e->to, c.output}];
      r.product = e->to;
      r.column = c.output;
      r.kind = lineage::DerivationKindName(c.kind);
      r.sources.push_back(e->address + "." + c.input);
    }
  std::vector<ColumnRow> out;
  for (auto& [key, r] : rows) out.push_back(std::move(r));
  return out;
}

std::string DotId(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void PrintDot(std::ostream& out, const lineage::LineageGraph& g, const std::string& focus,
              const std::vector<const lineage::Edge*>& edges, bool columns) {
  std::map<std::string, std::set<std::string>> by_domain;
  by_domain[g.Find(focus)->domain].insert(focus);
  for (const lineage::Edge* e : edges)
    for (const std::string* id : {&e->from, &e->to})
      if (const lineage::MeshProduct* p = g.Find(*id)) by_domain[p->domain].insert(p->id);
  out << "digraph weft_lineage {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (const auto& [domain, ids] : by_domain) {
    out << "  subgraph " << DotId("cluster_" + domain) << " {\n    label=" << DotId(domain) << ";\n";
    for (const auto& id : ids) {
      out << "    " << DotId(id);
      if (id == focus) out << " [style=\"rounded,bold\"]";
      out << ";\n";
    }
    out << "  }\n";
  }
  for (const lineage::Edge* e : edges) {
    out << "  " << DotId(e->from) << " -> " << DotId(e->to);
    std::vector<std::string> attrs;
    if (e->used.has_value() && !*e->used) attrs.push_back("style=dashed");
    if (columns && !e->columns.empty()) {
      std::string label;
      for (const auto& c : e->columns) label += c.output + " <- " + c.input + "\\l";
      attrs.push_back("label=\"" + label + "\"");
    }
    if (!attrs.empty()) out << " [" << Join(attrs, ", ") << "]";
    out << ";\n";
  }
  out << "}\n";
}

// OpenLineage naming: one job per derived product ("<product>.transform") in
// the "weft" namespace, datasets by address, with the columnLineage facet.
json OpenLineageJobs(const std::vector<const lineage::Edge*>& edges) {
  std::map<std::string, std::vector<const lineage::Edge*>> by_job;
  for (const lineage::Edge* e : edges) by_job[e->to].push_back(e);
  json jobs = json::array();
  for (const auto& [product, in] : by_job) {
    json inputs = json::array();
    json fields = json::object();
    for (const lineage::Edge* e : in) {
      inputs.push_back({{"namespace", "weft"}, {"name", e->address}});
      for (const auto& c : e->columns) {
        fields[c.output]["inputFields"].push_back({{"namespace", "weft"}, {"name", e->address}, {"field", c.input}});
      }
    }
    json outputs = json::array({{{"namespace", "weft"}, {"name", product}}});
    if (!fields.empty()) outputs[0]["facets"]["columnLineage"]["fields"] = fields;
    jobs.push_back({{"job", {{"namespace", "weft"}, {"name", product + ".transform"}}},
                    {"inputs", inputs},
                    {"outputs", outputs}});
  }
  return jobs;
}

void RunLineage(CommandContext& ctx, const std::string& product, bool upstream, bool downstream, bool columns,
                const std::string& tree, const std::string& format) {
  auto opened = OpenWorkspaceOrReport(ctx);
  if (!opened) return;
  auto graph = BuildGraph(ctx, *opened->store, tree);
  if (!graph) return;
  if (!graph->Find(product)) {
    std::vector<std::string> ids;
    for (const auto& p : graph->products()) ids.push_back(p.id);
    std::string hint = ClosestMatch(product, ids);
    ctx.err << "weft lineage: no product '" << product << "' in the catalog"
            << (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  if (!upstream && !downstream) upstream = downstream = true;
  std::vector<const lineage::Edge*> edges;
  if (upstream) edges = graph->Upstream(product);
  if (downstream) {
    auto down = graph->Downstream(product);
    edges.insert(edges.end(), down.begin(), down.end());
  }
  std::set<std::string> shown = {product};
  for (const lineage::Edge* e : edges) shown.insert(e->to);
  WarnTransformErrors(ctx, *graph, shown);

  if (format == "dot") {
    PrintDot(ctx.out, *graph, product, edges, columns);
    return;
  }
  if (format == "json") {
    json out = {{"product", product},
                {"direction", upstream && downstream ? "both" : upstream ? "upstream" : "downstream"},
                {"products", json::array()},
                {"edges", json::array()}};
    for (const auto& id : shown) {
      json node = {{"id", id}, {"domain", graph->Find(id) ? graph->Find(id)->domain : ""}};
      if (const lineage::TransformLineage* t = graph->Transform(id)) {
        const char* state = t->state == lineage::TransformLineage::State::kAnalyzed ? "analyzed"
                             : t->state == lineage::TransformLineage::State::kError ? "error"
                                                                                      : "no-sql";
        node["transform"] = {{"state", state}};
        if (!t->error.empty()) node["transform"]["error"] = t->error;
      }
      out["products"].push_back(node);
    }
    for (const lineage::Edge* e : edges) {
      json je = {{"from", e->from}, {"to", e->to}, {"address", e->address},
                 {"used", e->used.has_value() ? json(*e->used) : json()}};
      if (columns) {
        je["columns"] = json::array();
        for (const auto& c : e->columns)
          je["columns"].push_back({{"output", c.output}, {"input", c.input}, {"kind", lineage::DerivationKindName(c.kind)}});
        je["filterColumns"] = e->filter_columns;
      }
      out["edges"].push_back(je);
    }
    out["openLineage"] = OpenLineageJobs(edges);
    ctx.out << out.dump(2) << "\n";
    return;
  }
  if (edges.empty()) {
    ctx.out << product << " has no " << (upstream && downstream ? "upstream or downstream" : upstream ? "upstream" : "downstream")
            << " products.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const lineage::Edge* e : edges) rows.push_back({e->from, e->to, e->address, EdgeStatus(*e, *graph)});
  PrintTable(ctx.out, {"FROM", "TO", "READS", "STATUS"}, rows);
  bool any_unknown = std::any_of(edges.begin(), edges.end(), [&](const lineage::Edge* e) {
    const lineage::TransformLineage* t = graph->Transform(e->to);
    return !e->used.has_value() && !(t && t->state == lineage::TransformLineage::State::kError);
  });
  if (columns) {
    std::vector<std::vector<std::string>> crows;
    for (const auto& r : ColumnRows(edges)) crows.push_back({r.product + "." + r.column, r.kind, Join(r.sources, ", ")});
    if (!crows.empty()) {
      ctx.out << "\n";
      PrintTable(ctx.out, {"COLUMN", "KIND", "FROM"}, crows);
    }
    std::vector<std::vector<std::string>> frows;
    for (const lineage::Edge* e : edges)
      if (!e->filter_columns.empty()) frows.push_back({e->to, e->address, Join(e->filter_columns, ", ")});
    if (!frows.empty()) {
      ctx.out << "\n";
      PrintTable(ctx.out, {"PRODUCT", "READS", "ONLY TO JOIN/FILTER/GROUP"}, frows);
    }
  }
  if (any_unknown) ctx.out << "\nnote: " << kNeedsTree << "\n";
}

// The object and column a breaking change is about, from its subject
// ("orders", "orders.amount", "orders.amount.street", "orders.tags[]",
// "orders.amount:quality:..."); empty object when it names none.
std::pair<std::string, std::string> SubjectColumn(const spec::Change& c) {
  std::string base = c.subject.substr(0, c.subject.find(':'));
  if (base.size() != c.subject.size() && base.find('.') == std::string::npos) return {"", ""};  // object-level rule
  std::vector<std::string> parts = Split(base, '.');
  if (parts.empty() || parts[0].empty()) return {"", ""};
  std::string column = parts.size() > 1 ? parts[1] : "*";
  if (EndsWith(column, "[]")) column = column.substr(0, column.size() - 2);
  return {parts[0], column};
}

void RunImpact(CommandContext& ctx, const std::string& file, const std::string& tree, const std::string& format) {
  spec::LoadedFile loaded = spec::LoadFile(file);
  if (spec::CountErrors(loaded.diagnostics) > 0) {
    for (const auto& d : loaded.diagnostics)
      if (d.severity == spec::Severity::kError) ctx.err << spec::FormatGcc(d) << "\n";
    ctx.err << "weft impact: cannot read the proposed contract; run `weft lint " << file << "`\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  const spec::DataContract* proposed = nullptr;
  for (const auto& d : loaded.documents)
    if (d.contract()) proposed = d.contract();
  if (!proposed) {
    ctx.err << "weft impact: " << file << " holds no DataContract\n";
    ctx.exit_code = kExitUsage;
    return;
  }
  auto opened = OpenWorkspaceOrReport(ctx);
  if (!opened) return;
  auto versions = opened->store->ListContractVersions();
  auto ports = opened->store->ListPortVersions();
  if (!versions.ok() || !ports.ok()) {
    ctx.err << "weft: " << (versions.ok() ? ports.status() : versions.status()).message() << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  auto new_version = spec::SemVer::Parse(proposed->version);
  // The applied version it replaces: the newest of the same major, else the newest.
  const catalog::ContractVersionRecord* current = nullptr;
  auto newer = [](const catalog::ContractVersionRecord* a, const catalog::ContractVersionRecord& b) {
    if (!a) return true;
    auto va = spec::SemVer::Parse(a->version), vb = spec::SemVer::Parse(b.version);
    return va.ok() && vb.ok() && vb->Compare(*va) > 0;
  };
  for (bool same_major : {true, false}) {
    for (const auto& v : *versions) {
      if (v.contract_id != proposed->id) continue;
      if (same_major && (!new_version.ok() || v.major != static_cast<int64_t>(new_version->major))) continue;
      if (newer(current, v)) current = &v;
    }
    if (current) break;
  }
  if (!current) {
    ctx.out << "Contract " << proposed->id << " is not applied yet: no downstream products depend on it.\n";
    ctx.exit_code = kExitOk;
    return;
  }
  spec::LoadedFile old_doc = spec::LoadText(current->spec_json, "catalog:contract:" + current->contract_id);
  const spec::DataContract* old_contract = old_doc.documents.empty() ? nullptr : old_doc.documents[0].contract();
  if (!old_contract) {
    ctx.err << "weft: the catalog's copy of " << current->contract_id << " " << current->version << " does not load\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  spec::DocumentDiff diff = spec::DiffContracts(*old_contract, *proposed);

  // The addresses whose columns change. A new major is served beside the old
  // one: consumers pinned to _v<old> keep it, the unversioned name moves.
  int64_t newest_major = -1;
  for (const auto& p : *ports)
    if (p.product_id == current->product_id && p.status != "retired") newest_major = std::max(newest_major, p.major);
  int64_t new_major = new_version.ok() ? static_cast<int64_t>(new_version->major) : current->major;
  std::vector<std::string> addresses;
  if (new_major == current->major) addresses.push_back(current->product_id + "_v" + std::to_string(current->major));
  if (new_major >= newest_major) addresses.push_back(current->product_id);
  const spec::SchemaObject* served = old_contract->FindObject(current->port);
  if (!served && !old_contract->schema.empty()) served = &old_contract->schema.front();

  std::set<std::string> columns;
  std::vector<const spec::Change*> traced, untraced;
  for (const auto& c : diff.changes) {
    if (c.severity != spec::ChangeSeverity::kBreaking) continue;
    auto [object, column] = SubjectColumn(c);
    if (served && object == served->name) {
      columns.insert(ToLower(column));
      traced.push_back(&c);
    } else {
      untraced.push_back(&c);
    }
  }
  lineage::ChangedColumns changed;
  for (const auto& a : addresses) changed[a] = columns;

  auto graph = BuildGraph(ctx, *opened->store, tree);
  if (!graph) return;
  lineage::ImpactReport report =
      columns.empty() ? lineage::ImpactReport{} : lineage::AnalyzeImpact(*graph, changed);
  std::set<std::string> shown;
  for (const auto& p : report.products) shown.insert(p.id);
  WarnTransformErrors(ctx, *graph, shown);
  ctx.exit_code = report.products.empty() ? kExitOk : kExitFindings;

  if (format == "json") {
    json out = {{"contract", proposed->id},   {"appliedVersion", current->version},
                {"proposedVersion", proposed->version}, {"addresses", addresses},
                {"breaking", json::array()}, {"untraced", json::array()},
                {"downstream", json::array()}};
    for (const auto* c : traced) out["breaking"].push_back(spec::ToJson(*c));
    for (const auto* c : untraced) out["untraced"].push_back(spec::ToJson(*c));
    for (const auto& p : report.products) {
      json jp = {{"product", p.id}, {"depth", p.depth}, {"certain", p.certain}, {"reads", json::array()},
                 {"columns", json::array()}};
      for (const auto& r : p.reads) jp["reads"].push_back(r.ToString());
      for (const auto& o : p.outputs) {
        json because = json::array();
        for (const auto& b : o.because) because.push_back(b.ToString());
        jp["columns"].push_back({{"column", o.column}, {"because", because}});
      }
      out["downstream"].push_back(jp);
    }
    ctx.out << out.dump(2) << "\n";
    return;
  }
  ctx.out << "Contract " << proposed->id << ": applied " << current->version << " -> proposed " << proposed->version
          << " (served as " << (addresses.empty() ? std::string("-") : Join(addresses, ", ")) << ")\n";
  if (traced.empty()) {
    ctx.out << "No breaking change to a column or object of '" << (served ? served->name : current->port)
            << "': nothing downstream breaks.\n";
  } else {
    ctx.out << "\nBreaking changes traced through lineage:\n";
    for (const auto* c : traced) ctx.out << "  " << c->rule << "  " << c->subject << "  " << c->message << "\n";
  }
  if (!untraced.empty()) {
    ctx.out << "\nBreaking changes not about a column (not traced):\n";
    for (const auto* c : untraced) ctx.out << "  " << c->rule << "  " << c->subject << "  " << c->message << "\n";
  }
  if (traced.empty()) return;
  ctx.out << "\n";
  if (report.products.empty()) {
    ctx.out << "No downstream products read the changed columns.\n";
    bool unknown = std::any_of(graph->products().begin(), graph->products().end(), [&](const lineage::MeshProduct& p) {
      const lineage::TransformLineage* t = graph->Transform(p.id);
      return t && t->state != lineage::TransformLineage::State::kAnalyzed;
    });
    if (unknown && tree.empty()) ctx.out << "note: " << kNeedsTree << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  size_t broken_columns = 0;
  for (const auto& p : report.products) {
    std::vector<std::string> reads;
    for (const auto& r : p.reads) reads.push_back(r.ToString());
    std::string certainty = p.certain ? "breaks" : "may break (no analyzed SQL)";
    if (p.outputs.empty()) {
      rows.push_back({p.id, std::to_string(p.depth), certainty, "-", Join(reads, ", ")});
      continue;
    }
    for (const auto& o : p.outputs) {
      std::vector<std::string> because;
      for (const auto& b : o.because) because.push_back(b.ToString());
      rows.push_back({p.id, std::to_string(p.depth), certainty, o.column, Join(because, ", ")});
      ++broken_columns;
    }
  }
  PrintTable(ctx.out, {"PRODUCT", "DEPTH", "IMPACT", "COLUMN", "FROM CHANGED"}, rows);
  ctx.out << "\n" << report.products.size() << (report.products.size() == 1 ? " downstream product" : " downstream products")
          << ", " << broken_columns << (broken_columns == 1 ? " output column" : " output columns") << " affected\n";
  if (std::any_of(report.products.begin(), report.products.end(), [](const auto& p) { return !p.certain; }))
    ctx.out << "note: " << kNeedsTree << "\n";
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
        ->check(CLI::IsMember({"table", "json", "dot"}))
        ->capture_default_str();
    cmd->callback([&ctx, opts] {
      RunLineage(ctx, opts->product, opts->upstream, opts->downstream, opts->columns, opts->tree, opts->output);
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
    cmd->callback([&ctx, opts] { RunImpact(ctx, opts->file, opts->tree, opts->output); });
  }
}

}  // namespace weft::cli
