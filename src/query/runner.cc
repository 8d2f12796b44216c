#include "lineage/runner.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/strings.h"
#include "lineage/graph.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::lineage {

namespace {

// One declared input, resolved to a product major the catalog serves.
struct ResolvedInput {
  std::string address;  // lower-cased, as the SQL names it
  std::string product_id;
  int64_t major = 0;
  const catalog::PortVersionRecord* port = nullptr;
};

Result<ResolvedInput> ResolveInput(const spec::InputPort& in, const std::string& product_id,
                                   const std::vector<catalog::ProductRecord>& products,
                                   const std::vector<catalog::PortVersionRecord>& ports) {
  ResolvedInput out;
  out.address = ToLower(in.name);
  auto is_product = [&](const std::string& id) {
    return std::any_of(products.begin(), products.end(), [&](const auto& p) { return p.id == id; });
  };
  std::optional<int64_t> major;
  if (is_product(out.address)) {
    out.product_id = out.address;
    if (auto v = spec::SemVer::Parse(in.version); v.ok()) major = static_cast<int64_t>(v->major);
  } else if (auto pos = out.address.rfind("_v"); pos != std::string::npos && pos + 2 < out.address.size() &&
                                                  out.address.find_first_not_of("0123456789", pos + 2) == std::string::npos &&
                                                  is_product(out.address.substr(0, pos))) {
    out.product_id = out.address.substr(0, pos);
    major = std::stoll(out.address.substr(pos + 2));
  } else {
    std::vector<std::string> ids;
    for (const auto& p : products) ids.push_back(p.id);
    std::string hint = ClosestMatch(out.address, ids);
    return Status::NotFound("input port '" + in.name + "' of " + product_id + " names no product in the catalog" +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  for (const auto& pv : ports) {
    if (pv.product_id != out.product_id) continue;
    if (major ? pv.major != *major : pv.status == "retired") continue;
    if (!out.port || pv.major > out.port->major) out.port = &pv;
  }
  if (!out.port)
    return Status::NotFound("input port '" + in.name + "' of " + product_id + " asks for " + out.product_id +
                            (major ? "_v" + std::to_string(*major) : "") + ", which the catalog does not serve");
  out.major = out.port->major;
  if (out.port->status == "retired")
    return Status::FailedPrecondition("input " + out.product_id + "_v" + std::to_string(out.major) + " of " + product_id +
                                      " is retired; move the input port to a newer major of " + out.product_id +
                                      " (weft get versions lists them)");
  return out;
}

}  // namespace

Result<quality::PublishReport> RunDerived(catalog::Store& store, const engine::DuckDbSqlValidator& parser,
                                          quality::PublishRequest request) {
  std::string id = request.target.substr(0, request.target.find('@'));
  ASSIGN_OR_RETURN(std::vector<catalog::ProductRecord> products, store.ListProducts());
  auto product = std::find_if(products.begin(), products.end(), [&](const auto& p) { return p.id == id; });
  if (product == products.end()) {
    std::vector<std::string> ids;
    for (const auto& p : products) ids.push_back(p.id);
    std::string hint = ClosestMatch(id, ids);
    return Status::NotFound("no product '" + id + "' in the catalog" +
                            (hint.empty() ? "; `weft get products` lists them" : "; did you mean '" + hint + "'?"));
  }
  spec::LoadedFile loaded = spec::LoadText(product->spec_json, "catalog:product:" + id);
  if (loaded.documents.empty() || !loaded.documents[0].product())
    return Status::Internal("the catalog's descriptor of " + id + " does not load; re-apply it");
  const spec::DataProduct& spec = *loaded.documents[0].product();
  if (spec.TransformPath().empty())
    return Status::FailedPrecondition(id + " is not a derived product (its descriptor names no weft.transform); "
                                      "publish files to it with: weft publish " + id + " FILE");
  if (product->transform_sql.empty())
    return Status::FailedPrecondition("the catalog has no transform SQL for " + id +
                                      " (it was applied by an older weft); re-apply it: weft apply -f DIR");

  ASSIGN_OR_RETURN(std::vector<catalog::PortVersionRecord> ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(Mesh mesh, MeshFromCatalog(store));
  InputSchemas schemas;
  quality::TransformInput transform{.sql = product->transform_sql, .bindings = {}};
  std::vector<std::string> warnings;
  for (const auto& in : spec.input_ports) {
    ASSIGN_OR_RETURN(ResolvedInput r, ResolveInput(in, id, products, ports));
    std::string versioned = r.product_id + "_v" + std::to_string(r.major);
    for (const auto& mp : mesh.products)
      if (mp.id == r.product_id && mp.addresses.count(versioned)) schemas[r.address] = mp.addresses.at(versioned);
    if (r.port->status == "deprecated")
      warnings.push_back("input " + versioned + " is deprecated" +
                         (r.port->end_of_life.empty() ? "" : " (end of life " + r.port->end_of_life + ")") +
                         "; move the input port to a newer major");
    ASSIGN_OR_RETURN(std::vector<catalog::SnapshotRecord> snapshots, store.ListSnapshots(r.product_id));
    auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == r.major; });
    if (current == snapshots.end())
      return Status::FailedPrecondition("input " + versioned + " of " + id + " has no snapshot yet; publish it first: " +
                                        "weft publish " + r.product_id + "@v" + std::to_string(r.major) + " FILE");
    transform.bindings.push_back({.address = r.address, .product_id = r.product_id, .major = r.major,
                                  .snapshot_id = current->id, .snapshot_dir = current->path});
  }
  // The same analysis lineage shows: it refuses what is not a declared input.
  ASSIGN_OR_RETURN(nlohmann::json ast, parser.SerializeSql(transform.sql));
  Result<SqlLineage> analyzed = AnalyzeSelect(ast, schemas, transform.sql);
  if (!analyzed.ok())
    return Status::InvalidArgument("the transform of " + id + " cannot run: " + std::string(analyzed.status().message()) +
                                   " (its inputs are the declared inputPorts: " + [&] {
                                     std::vector<std::string> names;
                                     for (const auto& b : transform.bindings) names.push_back(b.address);
                                     return Join(names, ", ");
                                   }() + ")");
  request.files.clear();
  request.transform = std::move(transform);
  ASSIGN_OR_RETURN(quality::PublishReport report, quality::Publish(store, request));
  report.warnings.insert(report.warnings.begin(), warnings.begin(), warnings.end());
  return report;
}

}  // namespace weft::lineage
