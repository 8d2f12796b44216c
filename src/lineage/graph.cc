#include "lineage/graph.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "common/files.h"
#include "common/strings.h"
#include "spec/loader.h"

namespace weft::lineage {

namespace {

std::vector<std::string> PortColumns(const spec::DataContract& c, const std::string& port) {
  const spec::SchemaObject* obj = ServedObject(c, port);
  std::vector<std::string> out;
  if (obj)
    for (const auto& p : obj->properties) out.push_back(p.name);
  return out;
}

}  // namespace

const spec::SchemaObject* ServedObject(const spec::DataContract& contract, const std::string& port) {
  const spec::SchemaObject* obj = contract.FindObject(port);
  if (!obj && !contract.schema.empty()) obj = &contract.schema.front();
  return obj;
}

std::optional<std::string> MapTransformSource::TransformSql(const std::string& product_id) const {
  auto it = sql_.find(product_id);
  if (it == sql_.end()) return std::nullopt;
  return it->second;
}

Result<MapTransformSource> LoadTransformsFromTree(const std::filesystem::path& dir) {
  std::vector<spec::Diagnostic> diags;
  MapTransformSource out;
  for (const auto& file : spec::FindSpecFiles({dir}, diags)) {
    spec::LoadedFile loaded = spec::LoadFile(file);
    for (const auto& doc : loaded.documents) {
      const spec::DataProduct* p = doc.product();
      if (!p) continue;
      std::string relative = p->TransformPath();
      if (relative.empty()) continue;
      std::filesystem::path sql_path = file.parent_path() / relative;
      auto text = ReadFileToString(sql_path);
      if (!text.ok()) {
        return text.status().WithContext("while reading the transform of " + p->id + " named in " + file.string());
      }
      out.Add(p->id.empty() ? p->domain + "." + p->name : p->id, std::move(*text));
    }
  }
  return out;
}

Result<MapTransformSource> TransformsFromCatalog(catalog::Store& store) {
  ASSIGN_OR_RETURN(std::vector<catalog::ProductRecord> products, store.ListProducts());
  MapTransformSource out;
  for (const auto& p : products)
    if (!p.transform_sql.empty()) out.Add(p.id, p.transform_sql);
  return out;
}

Result<Mesh> MeshFromCatalog(catalog::Store& store) {
  ASSIGN_OR_RETURN(std::vector<catalog::ProductRecord> products, store.ListProducts());
  ASSIGN_OR_RETURN(std::vector<catalog::PortVersionRecord> ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(std::vector<catalog::ContractVersionRecord> contracts, store.ListContractVersions());
  Mesh mesh;
  for (const auto& rec : products) {
    MeshProduct mp;
    mp.id = rec.id;
    mp.domain = rec.domain;
    spec::LoadedFile loaded = spec::LoadText(rec.spec_json, "catalog:product:" + rec.id);
    if (!loaded.documents.empty() && loaded.documents[0].product()) {
      const spec::DataProduct& p = *loaded.documents[0].product();
      for (const auto& in : p.input_ports) mp.input_ports.push_back(in.name);
      mp.derived = !p.TransformPath().empty();
    }
    int64_t newest = -1;
    for (const auto& v : ports) {
      if (v.product_id != rec.id || v.status == "retired") continue;
      for (const auto& c : contracts) {
        if (c.contract_id != v.contract_id || c.version != v.version) continue;
        spec::LoadedFile cd = spec::LoadText(c.spec_json, "catalog:contract:" + c.contract_id);
        if (cd.documents.empty() || !cd.documents[0].contract()) continue;
        std::string address = rec.id + "_v" + std::to_string(v.major);
        mp.addresses[address] = PortColumns(*cd.documents[0].contract(), v.port);
        if (v.major > newest) {
          newest = v.major;
          mp.newest_address = address;
        }
      }
    }
    if (!mp.newest_address.empty()) mp.addresses[rec.id] = mp.addresses[mp.newest_address];
    mesh.products.push_back(std::move(mp));
  }
  std::sort(mesh.products.begin(), mesh.products.end(),
            [](const MeshProduct& a, const MeshProduct& b) { return a.id < b.id; });
  return mesh;
}

const MeshProduct* LineageGraph::Find(const std::string& product_id) const {
  for (const auto& p : mesh_.products)
    if (p.id == product_id) return &p;
  return nullptr;
}

const MeshProduct* LineageGraph::FindByAddress(const std::string& address) const {
  std::string lower = ToLower(address);
  for (const auto& p : mesh_.products)
    if (p.addresses.count(lower) || p.id == lower) return &p;
  return nullptr;
}

const TransformLineage* LineageGraph::Transform(const std::string& product_id) const {
  auto it = transforms_.find(product_id);
  return it == transforms_.end() ? nullptr : &it->second;
}

LineageGraph LineageGraph::Build(const Mesh& mesh, const TransformSource* transforms,
                                 const engine::DuckDbSqlValidator& parser) {
  LineageGraph g;
  g.mesh_ = mesh;
  for (const auto& p : g.mesh_.products) {
    TransformLineage t;
    InputSchemas inputs;
    std::vector<std::string> missing;
    for (const auto& port : p.input_ports) {
      const MeshProduct* up = g.FindByAddress(port);
      if (!up || !up->addresses.count(ToLower(port))) {
        missing.push_back(port);
        continue;
      }
      inputs[ToLower(port)] = up->addresses.at(ToLower(port));
    }
    std::optional<std::string> sql = (p.derived && transforms) ? transforms->TransformSql(p.id) : std::nullopt;
    if (sql) t.text = *sql;
    if (!missing.empty()) {
      t.state = TransformLineage::State::kError;
      t.error = "input port" + std::string(missing.size() == 1 ? " " : "s ") + Join(missing, ", ") +
                (missing.size() == 1 ? " names" : " name") + " no product version in the catalog";
    } else if (sql) {
      Result<nlohmann::json> ast = parser.SerializeSql(*sql);
      Result<SqlLineage> analyzed = ast.ok() ? AnalyzeSelect(*ast, inputs, *sql) : Result<SqlLineage>(ast.status());
      if (analyzed.ok()) {
        t.state = TransformLineage::State::kAnalyzed;
        t.sql = std::move(*analyzed);
      } else {
        t.state = TransformLineage::State::kError;
        t.error = analyzed.status().message();
      }
    }
    for (const auto& port : p.input_ports) {
      const MeshProduct* up = g.FindByAddress(port);
      if (!up) continue;
      Edge e{up->id, p.id, ToLower(port), std::nullopt, {}, {}};
      if (t.state == TransformLineage::State::kAnalyzed) {
        e.used = t.sql.relations.count(e.address) > 0;
        std::set<std::string> in_outputs;
        for (const auto& col : t.sql.columns)
          for (const auto& src : col.sources)
            if (src.relation == e.address) {
              e.columns.push_back({col.name, src.column, col.kind});
              in_outputs.insert(src.column);
            }
        for (const auto& ref : t.sql.referenced)
          if (ref.relation == e.address && !in_outputs.count(ref.column)) e.filter_columns.push_back(ref.column);
      }
      g.edges_.push_back(std::move(e));
    }
    if (p.derived || !p.input_ports.empty()) g.transforms_[p.id] = std::move(t);
  }
  return g;
}

std::vector<const Edge*> LineageGraph::Traverse(const std::string& start, bool upstream) const {
  std::vector<const Edge*> out;
  std::set<std::string> seen = {start};
  std::deque<std::string> queue = {start};
  while (!queue.empty()) {
    std::string cur = queue.front();
    queue.pop_front();
    for (const auto& e : edges_) {
      if ((upstream ? e.to : e.from) != cur) continue;
      out.push_back(&e);
      const std::string& next = upstream ? e.from : e.to;
      if (seen.insert(next).second) queue.push_back(next);
    }
  }
  return out;
}

std::vector<const Edge*> LineageGraph::Upstream(const std::string& product_id) const {
  return Traverse(product_id, true);
}

std::vector<const Edge*> LineageGraph::Downstream(const std::string& product_id) const {
  return Traverse(product_id, false);
}

ImpactReport AnalyzeImpact(const LineageGraph& graph, const ChangedColumns& changed) {
  // Per product: what reaches it. Sets only grow, so the worklist ends even
  // on a cyclic graph.
  struct State {
    int depth = 0;
    bool certain = true;
    std::set<ColumnRef> reads;
    std::map<std::string, std::set<ColumnRef>> outputs;  // output column -> changed columns behind it
  };
  std::map<std::string, State> reached;
  struct Work {
    ChangedColumns changed;
    int depth;
    bool certain;
  };
  std::deque<Work> work = {{changed, 1, true}};
  auto matches = [](const std::set<std::string>& cols, const std::string& column) {
    return cols.count("*") > 0 || cols.count(ToLower(column)) > 0;
  };
  while (!work.empty()) {
    Work w = std::move(work.front());
    work.pop_front();
    for (const auto& e : graph.edges()) {
      auto ch = w.changed.find(e.address);
      if (ch == w.changed.end()) continue;
      const TransformLineage* t = graph.Transform(e.to);
      bool analyzed = t && t->state == TransformLineage::State::kAnalyzed;
      State& s = reached[e.to];
      bool first = s.depth == 0;
      size_t before_reads = s.reads.size(), before_outputs = s.outputs.size();
      bool before_certain = s.certain;
      std::set<std::string> broken_outputs;
      if (analyzed) {
        for (const auto& ref : t->sql.referenced)
          if (ref.relation == e.address && matches(ch->second, ref.column)) s.reads.insert(ref);
        for (const auto& col : t->sql.columns)
          for (const auto& src : col.sources)
            if (src.relation == e.address && matches(ch->second, src.column)) {
              std::string name = col.name.empty() ? "#" + std::to_string(col.ordinal) : col.name;
              s.outputs[name].insert(src);
              broken_outputs.insert(ToLower(name));
            }
        if (s.reads.empty() && s.outputs.empty()) {
          if (first) reached.erase(e.to);  // reads the product, but none of the changed columns
          continue;
        }
        s.certain = s.certain && w.certain;
      } else {
        // No analyzed SQL: the product may read any changed column.
        broken_outputs.insert("*");
        s.certain = false;
      }
      if (first || w.depth < s.depth) s.depth = w.depth;
      bool grew = first || s.reads.size() != before_reads || s.outputs.size() != before_outputs ||
                  s.certain != before_certain;
      if (!grew) continue;
      const MeshProduct* down = graph.Find(e.to);
      if (!down || broken_outputs.empty()) continue;
      ChangedColumns next;
      next[down->id] = broken_outputs;
      if (!down->newest_address.empty()) next[down->newest_address] = broken_outputs;
      work.push_back({std::move(next), w.depth + 1, w.certain && analyzed});
    }
  }
  ImpactReport report;
  for (auto& [id, s] : reached) {
    ImpactedProduct p{id, s.depth, s.certain, std::move(s.reads), {}};
    for (auto& [column, because] : s.outputs) p.outputs.push_back({column, std::move(because)});
    report.products.push_back(std::move(p));
  }
  std::stable_sort(report.products.begin(), report.products.end(),
                   [](const ImpactedProduct& a, const ImpactedProduct& b) { return a.depth < b.depth; });
  return report;
}

}  // namespace weft::lineage
