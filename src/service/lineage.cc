#include "service/lineage.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "spec/diff.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::service {

namespace {

using nlohmann::json;

const char* StateName(lineage::TransformLineage::State s) {
  switch (s) {
    case lineage::TransformLineage::State::kAnalyzed: return "analyzed";
    case lineage::TransformLineage::State::kError: return "error";
    case lineage::TransformLineage::State::kNoSql: return "no-sql";
  }
  return "no-sql";
}

std::string EdgeStatus(const lineage::Edge& e, const lineage::LineageGraph& g) {
  if (e.used.has_value()) return *e.used ? "read by SQL" : "declared, not read by SQL";
  const lineage::TransformLineage* t = g.Transform(e.to);
  if (t && t->state == lineage::TransformLineage::State::kError) return "declared (SQL error)";
  return "declared";
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

}  // namespace

Result<lineage::LineageGraph> LineageService::Graph(const lineage::MapTransformSource* transforms) {
  ASSIGN_OR_RETURN(lineage::Mesh mesh, lineage::MeshFromCatalog(mesh_.store()));
  lineage::MapTransformSource from_catalog;
  if (!transforms) {
    ASSIGN_OR_RETURN(from_catalog, lineage::TransformsFromCatalog(mesh_.store()));
    transforms = &from_catalog;
  }
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_.parser());
  return lineage::LineageGraph::Build(mesh, transforms, *parser);
}

Result<LineageView> LineageService::Lineage(const Caller& caller, const std::string& product,
                                            const LineageOptions& options) {
  ASSIGN_OR_RETURN(lineage::LineageGraph graph, Graph(options.transforms));
  if (!graph.Find(product)) {
    std::vector<std::string> ids;
    for (const auto& p : graph.products()) ids.push_back(p.id);
    std::string hint = ClosestMatch(product, ids);
    return Status::NotFound("no product '" + product + "' in the catalog" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  bool upstream = options.upstream, downstream = options.downstream;
  if (!upstream && !downstream) upstream = downstream = true;
  std::vector<const lineage::Edge*> edges;
  if (upstream) edges = graph.Upstream(product);
  if (downstream) {
    auto down = graph.Downstream(product);
    edges.insert(edges.end(), down.begin(), down.end());
  }
  LineageView v;
  v.product = product;
  v.direction = upstream && downstream ? "both" : upstream ? "upstream" : "downstream";
  std::set<std::string> shown = {product};
  for (const lineage::Edge* e : edges) {
    shown.insert(e->from);
    shown.insert(e->to);
    v.edges.push_back({*e, EdgeStatus(*e, graph)});
    const lineage::TransformLineage* t = graph.Transform(e->to);
    if (!e->used.has_value() && !(t && t->state == lineage::TransformLineage::State::kError)) v.needs_tree = true;
  }
  for (const auto& id : shown) {
    LineageView::Product p{.id = id, .domain = graph.Find(id) ? graph.Find(id)->domain : "", .transform_state = "", .transform_error = ""};
    if (const lineage::TransformLineage* t = graph.Transform(id)) {
      p.transform_state = StateName(t->state);
      p.transform_error = t->error;
    }
    v.products.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(lineage::OpenLineageDatasets datasets, lineage::DatasetsFromCatalog(mesh_.store()));
  std::vector<lineage::OpenLineageDataset> served;
  std::vector<lineage::OpenLineageJob> jobs;
  for (const auto& id : shown) {
    const lineage::MeshProduct* p = graph.Find(id);
    if (!p || p->newest_address.empty()) continue;
    for (const auto& [address, columns] : p->addresses) {
      if (address == p->id) continue;  // the newest major's alias, not a dataset of its own
      auto d = datasets.find(address);
      served.push_back(d == datasets.end() ? lineage::OpenLineageDataset{.name = address} : d->second);
    }
    jobs.push_back(lineage::JobOf(graph, datasets, id));
  }
  v.open_lineage =
      lineage::StaticEvents(lineage::OpenLineageNamespace(mesh_.workspace().settings), served, jobs, caller.now);
  return v;
}

Result<ImpactView> LineageService::Impact(const Caller&, const std::string& contract_yaml, const std::string& name,
                                          const lineage::MapTransformSource* transforms) {
  spec::LoadedFile loaded = spec::LoadText(contract_yaml, name);
  if (spec::CountErrors(loaded.diagnostics) > 0) {
    std::vector<std::string> errors;
    for (const auto& d : loaded.diagnostics)
      if (d.severity == spec::Severity::kError) errors.push_back(spec::FormatGcc(d));
    return Status::InvalidArgument("cannot read the proposed contract (weft lint shows why):\n" + Join(errors, "\n"));
  }
  const spec::DataContract* proposed = nullptr;
  for (const auto& d : loaded.documents)
    if (d.contract()) proposed = d.contract();
  if (!proposed) return Status::InvalidArgument(name + " holds no DataContract");
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto versions, store.ListContractVersions());
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ImpactView view;
  view.contract = proposed->id;
  view.proposed_version = proposed->version;
  auto new_version = spec::SemVer::Parse(proposed->version);
  // The applied version it replaces: the newest of the same major, else the newest.
  const catalog::ContractVersionRecord* current = nullptr;
  auto newer = [](const catalog::ContractVersionRecord* a, const catalog::ContractVersionRecord& b) {
    if (!a) return true;
    auto va = spec::SemVer::Parse(a->version), vb = spec::SemVer::Parse(b.version);
    return va.ok() && vb.ok() && vb->Compare(*va) > 0;
  };
  for (bool same_major : {true, false}) {
    for (const auto& v : versions) {
      if (v.contract_id != proposed->id) continue;
      if (same_major && (!new_version.ok() || v.major != static_cast<int64_t>(new_version->major))) continue;
      if (newer(current, v)) current = &v;
    }
    if (current) break;
  }
  if (!current) return view;  // not applied: nothing depends on it
  view.applied_version = current->version;
  spec::LoadedFile old_doc = spec::LoadText(current->spec_json, "catalog:contract:" + current->contract_id);
  const spec::DataContract* old_contract = old_doc.documents.empty() ? nullptr : old_doc.documents[0].contract();
  if (!old_contract) return Status::Internal("the catalog's copy of " + current->contract_id + " " + current->version + " does not load");
  spec::DocumentDiff diff = spec::DiffContracts(*old_contract, *proposed);

  // The addresses whose columns change. A new major is served beside the old
  // one: consumers pinned to _v<old> keep it, the unversioned name moves.
  int64_t newest_major = -1;
  for (const auto& p : ports)
    if (p.product_id == current->product_id && p.status != "retired") newest_major = std::max(newest_major, p.major);
  int64_t new_major = new_version.ok() ? static_cast<int64_t>(new_version->major) : current->major;
  if (new_major == current->major) view.addresses.push_back(current->product_id + "_v" + std::to_string(current->major));
  if (new_major >= newest_major) view.addresses.push_back(current->product_id);
  const spec::SchemaObject* served = old_contract->FindObject(current->port);
  if (!served && !old_contract->schema.empty()) served = &old_contract->schema.front();
  view.served_object = served ? served->name : current->port;

  std::set<std::string> columns;
  for (const auto& c : diff.changes) {
    if (c.severity != spec::ChangeSeverity::kBreaking) continue;
    auto [object, column] = SubjectColumn(c);
    if (served && object == served->name) {
      columns.insert(ToLower(column));
      view.breaking.push_back(c);
    } else {
      view.untraced.push_back(c);
    }
  }
  if (columns.empty()) return view;
  lineage::ChangedColumns changed;
  for (const auto& a : view.addresses) changed[a] = columns;
  ASSIGN_OR_RETURN(lineage::LineageGraph graph, Graph(transforms));
  view.report = lineage::AnalyzeImpact(graph, changed);
  for (const auto& p : view.report.products) {
    const lineage::TransformLineage* t = graph.Transform(p.id);
    if (t && t->state == lineage::TransformLineage::State::kError) view.warnings.push_back(p.id + ": transform: " + t->error);
    if (!p.certain) view.needs_tree = true;
  }
  if (view.report.products.empty() && !transforms)
    view.needs_tree = std::any_of(graph.products().begin(), graph.products().end(), [&](const lineage::MeshProduct& p) {
      const lineage::TransformLineage* t = graph.Transform(p.id);
      return t && t->state != lineage::TransformLineage::State::kAnalyzed;
    });
  return view;
}

Status ImpactStatus(const ImpactView& view) {
  if (view.report.products.empty()) return Status::Ok();
  return Status::Rejected(std::to_string(view.report.products.size()) + " downstream product" +
                          (view.report.products.size() == 1 ? "" : "s") + " would break");
}

json ToJson(const LineageView& v) {
  json out = {{"product", v.product}, {"direction", v.direction}, {"products", json::array()},
              {"edges", json::array()}, {"needsTree", v.needs_tree}};
  for (const auto& p : v.products) {
    json node = {{"id", p.id}, {"domain", p.domain}};
    if (!p.transform_state.empty()) {
      node["transform"] = {{"state", p.transform_state}};
      if (!p.transform_error.empty()) node["transform"]["error"] = p.transform_error;
    }
    out["products"].push_back(node);
  }
  for (const auto& [e, status] : v.edges) {
    json je = {{"from", e.from}, {"to", e.to}, {"address", e.address}, {"used", e.used.has_value() ? json(*e.used) : json()},
               {"status", status}, {"columns", json::array()}, {"filterColumns", e.filter_columns}};
    for (const auto& c : e.columns)
      je["columns"].push_back({{"output", c.output}, {"input", c.input}, {"kind", lineage::DerivationKindName(c.kind)}});
    out["edges"].push_back(je);
  }
  out["openLineage"] = v.open_lineage;
  return out;
}

json ToJson(const ImpactView& v) {
  json out = {{"contract", v.contract},
              {"appliedVersion", v.applied_version.empty() ? json() : json(v.applied_version)},
              {"proposedVersion", v.proposed_version},
              {"servedObject", v.served_object},
              {"addresses", v.addresses},
              {"breaking", json::array()},
              {"untraced", json::array()},
              {"downstream", json::array()},
              {"warnings", v.warnings},
              {"needsTree", v.needs_tree}};
  for (const auto& c : v.breaking) out["breaking"].push_back(spec::ToJson(c));
  for (const auto& c : v.untraced) out["untraced"].push_back(spec::ToJson(c));
  for (const auto& p : v.report.products) {
    json jp = {{"product", p.id}, {"depth", p.depth}, {"certain", p.certain}, {"reads", json::array()}, {"columns", json::array()}};
    for (const auto& r : p.reads) jp["reads"].push_back(r.ToString());
    for (const auto& o : p.outputs) {
      json because = json::array();
      for (const auto& b : o.because) because.push_back(b.ToString());
      jp["columns"].push_back({{"column", o.column}, {"because", because}});
    }
    out["downstream"].push_back(jp);
  }
  return out;
}

}  // namespace weft::service
