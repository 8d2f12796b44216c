#include "query/runner.h"

#include <algorithm>
#include <string>
#include <vector>

#include "access/principals.h"
#include "common/strings.h"
#include "lineage/sql_lineage.h"
#include "query/gateway.h"
#include "query/governed_copies.h"
#include "query/sql_allowlist.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::query {

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
                                          const access::AccessControl& access, GovernedCopies& copies,
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
  const std::string now = NowIso();
  const std::string service = "svc." + product->domain;
  ASSIGN_OR_RETURN(access::Principal reader, access::LoadPrincipal(store, service));
  lineage::InputSchemas schemas;
  quality::TransformInput transform{.sql = product->transform_sql, .bindings = {}};
  std::vector<std::string> warnings;
  catalog::UsageRecord usage{.at = now, .principal = service, .consumer_domain = product->domain, .kind = "run"};
  for (const auto& in : spec.input_ports) {
    ASSIGN_OR_RETURN(ResolvedInput r, ResolveInput(in, id, products, ports));
    std::string versioned = r.product_id + "_v" + std::to_string(r.major);
    ASSIGN_OR_RETURN(std::vector<catalog::SnapshotRecord> snapshots, store.ListSnapshots(r.product_id));
    auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == r.major; });
    std::string contract_version = current == snapshots.end() ? r.port->version : current->contract_version;
    auto read = access.Authorize(reader, r.product_id, r.major, contract_version, now);
    if (!read.ok())
      return Status(read.status().code(), "the run of " + id + " reads as " + service + ": " +
                                              std::string(read.status().message()));
    for (const auto& w : read->warnings) warnings.push_back("input " + w);
    if (current == snapshots.end())
      return Status::FailedPrecondition("input " + versioned + " of " + id + " has no snapshot yet; publish it first: " +
                                        "weft publish " + r.product_id + "@v" + std::to_string(r.major) + " FILE");
    for (const auto& c : read->columns) schemas[r.address].push_back(c.name);
    // The run's engine reads what the service principal may see, never
    // more: the snapshot itself when it may see it whole, else its
    // governed copy (masks and row filter already applied).
    ASSIGN_OR_RETURN(ReadableSnapshot readable, copies.For(current->id, current->path, *read));
    transform.bindings.push_back({.address = r.address, .product_id = r.product_id, .major = r.major,
                                  .snapshot_id = current->id,
                                  .snapshot_dir = std::filesystem::path(readable.files.front()).parent_path()});
    usage.products.push_back(versioned);
    usage.rows_scanned += current->rows;
    usage.bytes_scanned += current->bytes;
  }
  // The same analysis lineage shows: it refuses what is not a declared input.
  ASSIGN_OR_RETURN(nlohmann::json ast, parser.SerializeSql(transform.sql));
  if (Status allowed = CheckAllowed(ast, transform.sql); !allowed.ok())
    return Status::InvalidArgument("the transform of " + id + " cannot run: " + allowed.message());
  Result<lineage::SqlLineage> analyzed = lineage::AnalyzeSelect(ast, schemas, transform.sql);
  if (!analyzed.ok())
    return Status::InvalidArgument("the transform of " + id + " cannot run: " + std::string(analyzed.status().message()) +
                                   " (its inputs are the declared inputPorts: " + [&] {
                                     std::vector<std::string> names;
                                     for (const auto& b : transform.bindings) names.push_back(b.address);
                                     return Join(names, ", ");
                                   }() + ")");
  for (const auto& ref : analyzed->referenced)
    for (const auto& b : transform.bindings)
      if (b.address == ref.relation) usage.columns.push_back(b.product_id + "_v" + std::to_string(b.major) + "." + ref.column);
  request.files.clear();
  request.transform = std::move(transform);
  ASSIGN_OR_RETURN(quality::PublishReport report, quality::Publish(store, request));
  report.warnings.insert(report.warnings.begin(), warnings.begin(), warnings.end());
  if (report.outcome != "duplicate") {
    // The run's own engine time is the publish's; it reads its inputs whole,
    // so their sizes are what it scanned. Not priced: a domain's own
    // products are its storage line, not a query.
    usage.wall_seconds = report.seconds;
    usage.rows_returned = report.checks.rows_in;
    usage.status = "ok";
    auto txn = store.BeginWrite();
    if (txn.ok() && (*txn)->InsertUsage(usage).ok()) (*txn)->Commit().IgnoreError();
  }
  return report;
}

}  // namespace weft::query
