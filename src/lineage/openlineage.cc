#include "lineage/openlineage.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "spec/loader.h"

namespace weft::lineage {

namespace {

using nlohmann::json;

constexpr const char* kSpecUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

// A facet's base: who produced it and the schema it follows. `schema` is
// "<version>/<Name>" of a file under https://openlineage.io/spec/facets/,
// whose $defs holds the facet under the same name.
json Facet(std::string_view schema) {
  std::string name(schema.substr(schema.find('/') + 1));
  return {{"_producer", kOpenLineageProducer},
          {"_schemaURL", "https://openlineage.io/spec/facets/" + std::string(schema) + ".json#/$defs/" + name}};
}

json FieldsJson(const std::vector<OpenLineageField>& fields) {
  json out = json::array();
  for (size_t i = 0; i < fields.size(); ++i) {
    const OpenLineageField& f = fields[i];
    json j = {{"name", f.name}, {"ordinal_position", i + 1}};
    if (!f.type.empty()) j["type"] = f.type;
    if (!f.description.empty()) j["description"] = f.description;
    if (!f.fields.empty()) j["fields"] = FieldsJson(f.fields);
    out.push_back(std::move(j));
  }
  return out;
}

json DatasetJson(const std::string& ns, const OpenLineageDataset& d) {
  json facets = json::object();
  if (!d.fields.empty()) {
    facets["schema"] = Facet("1-2-0/SchemaDatasetFacet");
    facets["schema"]["fields"] = FieldsJson(d.fields);
  }
  if (!d.description.empty()) {
    facets["documentation"] = Facet("1-1-0/DocumentationDatasetFacet");
    facets["documentation"]["description"] = d.description;
  }
  if (!d.version.empty()) {
    facets["version"] = Facet("1-0-1/DatasetVersionDatasetFacet");
    facets["version"]["datasetVersion"] = d.version;
  }
  json out = {{"namespace", ns}, {"name", d.name}};
  if (!facets.empty()) out["facets"] = std::move(facets);
  return out;
}

// weft's derivation kinds in the facet's terms. Every source of an output
// column gets the column's kind: weft does not tell a CASE condition
// (INDIRECT/CONDITIONAL) or a window's partition from the value it computes.
json Transformation(DerivationKind kind) {
  switch (kind) {
    case DerivationKind::kDirect:
      return {{"type", "DIRECT"}, {"subtype", "IDENTITY"}};
    case DerivationKind::kExpression:
      return {{"type", "DIRECT"}, {"subtype", "TRANSFORMATION"}};
    case DerivationKind::kAggregate:
      return {{"type", "DIRECT"}, {"subtype", "AGGREGATION"}};
    case DerivationKind::kWindow:
      return {{"type", "DIRECT"}, {"subtype", "AGGREGATION"}, {"description", "window function"}};
  }
  return {{"type", "DIRECT"}};
}

json InputField(const std::string& ns, const OpenLineageColumnRef& ref, json transformation) {
  return {{"namespace", ns},
          {"name", ref.dataset},
          {"field", ref.field},
          {"transformations", json::array({std::move(transformation)})}};
}

json OutputJson(const std::string& ns, const OpenLineageJob& job) {
  json out = DatasetJson(ns, job.output);
  if (job.columns.empty() && job.indirect.empty()) return out;
  json facet = Facet("1-2-0/ColumnLineageDatasetFacet");
  facet["fields"] = json::object();
  for (const auto& c : job.columns) {
    json inputs = json::array();
    for (const auto& s : c.sources) inputs.push_back(InputField(ns, s, Transformation(c.kind)));
    facet["fields"][c.name] = {{"inputFields", std::move(inputs)}};
  }
  if (!job.indirect.empty()) {
    facet["dataset"] = json::array();
    for (const auto& r : job.indirect)
      facet["dataset"].push_back(
          InputField(ns, r, {{"type", "INDIRECT"}, {"description", "read to join, filter, group or order"}}));
  }
  out["facets"]["columnLineage"] = std::move(facet);
  return out;
}

json JobJson(const std::string& ns, const OpenLineageJob& job) {
  json facets = {{"jobType", Facet("2-0-4/JobTypeJobFacet")}};
  facets["jobType"]["processingType"] = "BATCH";
  facets["jobType"]["integration"] = "WEFT";
  facets["jobType"]["jobType"] = job.derived ? "TRANSFORM" : "PUBLISH";
  if (!job.sql.empty()) {
    facets["sql"] = Facet("1-1-0/SQLJobFacet");
    facets["sql"]["query"] = job.sql;
    facets["sql"]["dialect"] = "duckdb";
  }
  return {{"namespace", ns}, {"name", job.Name()}, {"facets", std::move(facets)}};
}

json InputsJson(const std::string& ns, const OpenLineageJob& job) {
  json inputs = json::array();
  for (const auto& d : job.inputs) inputs.push_back(DatasetJson(ns, d));
  return inputs;
}

OpenLineageField FieldOf(const spec::Property& p) {
  OpenLineageField f{.name = p.name,
                     .type = p.physical_type.empty() ? p.logical_type : p.physical_type,
                     .description = p.description,
                     .fields = {}};
  const std::vector<spec::Property>& members =
      p.properties.empty() && !p.items.empty() ? p.items.front().properties : p.properties;
  for (const auto& m : members) f.fields.push_back(FieldOf(m));
  return f;
}

OpenLineageDataset Lookup(const OpenLineageDatasets& datasets, const std::string& name) {
  auto it = datasets.find(name);
  return it == datasets.end() ? OpenLineageDataset{.name = name} : it->second;
}

}  // namespace

OpenLineageDataset DatasetOf(const std::string& name, const spec::SchemaObject& object) {
  OpenLineageDataset d{.name = name, .description = object.description};
  for (const auto& p : object.properties) d.fields.push_back(FieldOf(p));
  return d;
}

Result<OpenLineageDatasets> DatasetsFromCatalog(catalog::Store& store) {
  ASSIGN_OR_RETURN(std::vector<catalog::PortVersionRecord> ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(std::vector<catalog::ContractVersionRecord> contracts, store.ListContractVersions());
  OpenLineageDatasets out;
  for (const auto& v : ports) {
    if (v.status == "retired") continue;
    for (const auto& c : contracts) {
      if (c.contract_id != v.contract_id || c.version != v.version) continue;
      spec::LoadedFile loaded = spec::LoadText(c.spec_json, "catalog:contract:" + c.contract_id);
      if (loaded.documents.empty() || !loaded.documents[0].contract()) continue;
      const spec::SchemaObject* object = ServedObject(*loaded.documents[0].contract(), v.port);
      std::string name = v.product_id + "_v" + std::to_string(v.major);
      out[name] = object ? DatasetOf(name, *object) : OpenLineageDataset{.name = name};
    }
  }
  return out;
}

OpenLineageJob JobOf(const LineageGraph& graph, const OpenLineageDatasets& datasets, const std::string& product_id,
                     std::optional<int64_t> major, const std::vector<OpenLineageBinding>& bindings) {
  OpenLineageJob job;
  job.product_id = product_id;
  const MeshProduct* product = graph.Find(product_id);
  std::string output = product_id;
  if (major)
    output += "_v" + std::to_string(*major);
  else if (product && !product->newest_address.empty())
    output = product->newest_address;
  job.output = Lookup(datasets, output);
  job.derived = product && product->derived;
  if (!job.derived) return job;

  // The address each input is read by -> its dataset and the snapshot read.
  std::vector<std::pair<std::string, OpenLineageDataset>> inputs;
  for (const auto& b : bindings) {
    OpenLineageDataset d = Lookup(datasets, b.product_id + "_v" + std::to_string(b.major));
    d.version = b.snapshot_id;
    inputs.emplace_back(ToLower(b.address), std::move(d));
  }
  if (bindings.empty()) {
    for (const auto& port : product->input_ports) {
      std::string address = ToLower(port);
      const MeshProduct* up = graph.FindByAddress(address);
      bool unversioned = up && address == up->id && !up->newest_address.empty();
      inputs.emplace_back(address, Lookup(datasets, unversioned ? up->newest_address : address));
    }
  }
  std::map<std::string, std::string> dataset_of;
  std::set<std::string> seen;
  for (auto& [address, d] : inputs) {
    dataset_of[address] = d.name;
    if (seen.insert(d.name).second) job.inputs.push_back(std::move(d));
  }
  auto ref = [&](const ColumnRef& c) {
    auto it = dataset_of.find(c.relation);
    return OpenLineageColumnRef{it == dataset_of.end() ? c.relation : it->second, c.column};
  };

  const TransformLineage* t = graph.Transform(product_id);
  if (!t) return job;
  job.sql = t->text;
  if (t->state != TransformLineage::State::kAnalyzed) return job;
  std::set<ColumnRef> sources;
  for (const auto& c : t->sql.columns) {
    OpenLineageColumn col{
        .name = c.name.empty() ? "#" + std::to_string(c.ordinal) : c.name, .kind = c.kind, .sources = {}};
    for (const auto& s : c.sources) {
      col.sources.push_back(ref(s));
      sources.insert(s);
    }
    job.columns.push_back(std::move(col));
  }
  for (const auto& r : t->sql.referenced)
    if (!sources.count(r)) job.indirect.push_back(ref(r));
  return job;
}

const char* OpenLineageEventTypeName(OpenLineageEventType t) {
  switch (t) {
    case OpenLineageEventType::kStart:
      return "START";
    case OpenLineageEventType::kComplete:
      return "COMPLETE";
    case OpenLineageEventType::kFail:
      return "FAIL";
  }
  return "OTHER";
}

std::string OpenLineageRunId(std::string_view key, std::string_view started_at) {
  std::array<unsigned char, 16> b{};
  uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(0, ParseIsoMillis(started_at).value_or(0)));
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  std::string hash = Sha256Hex(key);
  for (size_t i = 6; i < 16; ++i) b[i] = static_cast<unsigned char>(std::stoi(hash.substr(2 * i, 2), nullptr, 16));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));  // variant 10 (RFC 9562)
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", b[i]);
    out += hex;
  }
  return out;
}

json RunEvent(const std::string& ns, const OpenLineageJob& job, const OpenLineageRunState& run) {
  json event = {{"eventType", OpenLineageEventTypeName(run.type)},
                {"eventTime", run.event_time},
                {"producer", kOpenLineageProducer},
                {"schemaURL", std::string(kSpecUrl) + "#/$defs/RunEvent"},
                {"run", {{"runId", run.run_id}}},
                {"job", JobJson(ns, job)},
                {"inputs", InputsJson(ns, job)},
                {"outputs", json::array({OutputJson(ns, job)})}};
  if (run.type == OpenLineageEventType::kFail) {
    event["run"]["facets"]["errorMessage"] = Facet("1-0-1/ErrorMessageRunFacet");
    event["run"]["facets"]["errorMessage"]["message"] = run.error;
    event["run"]["facets"]["errorMessage"]["programmingLanguage"] = "C++";
  }
  if (run.statistics) {
    json stats = Facet("1-0-2/OutputStatisticsOutputDatasetFacet");
    stats["rowCount"] = run.statistics->rows;
    stats["size"] = run.statistics->bytes;
    stats["fileCount"] = run.statistics->files;
    event["outputs"][0]["outputFacets"]["outputStatistics"] = std::move(stats);
  }
  return event;
}

std::vector<json> StaticEvents(const std::string& ns, const std::vector<OpenLineageDataset>& datasets,
                               const std::vector<OpenLineageJob>& jobs, const std::string& event_time) {
  std::vector<json> out;
  for (const auto& d : datasets)
    out.push_back({{"eventTime", event_time},
                   {"producer", kOpenLineageProducer},
                   {"schemaURL", std::string(kSpecUrl) + "#/$defs/DatasetEvent"},
                   {"dataset", DatasetJson(ns, d)}});
  for (const auto& j : jobs)
    out.push_back({{"eventTime", event_time},
                   {"producer", kOpenLineageProducer},
                   {"schemaURL", std::string(kSpecUrl) + "#/$defs/JobEvent"},
                   {"job", JobJson(ns, j)},
                   {"inputs", InputsJson(ns, j)},
                   {"outputs", json::array({OutputJson(ns, j)})}});
  return out;
}

std::string OpenLineageNamespace(const spec::WorkspaceSpec& settings) {
  return settings.openlineage_namespace.empty() ? "weft://" + settings.name : settings.openlineage_namespace;
}

}  // namespace weft::lineage
