// OpenLineage (https://openlineage.io, spec 2-0-2) for weft: a RunEvent for
// each state of a publish or a derived run, and the mesh's lineage graph as
// static events. Pure functions from weft's values to the JSON the spec
// defines; openlineage_sink.h sends them.
//
//   ASSIGN_OR_RETURN(OpenLineageDatasets datasets, DatasetsFromCatalog(store));
//   OpenLineageJob job = JobOf(graph, datasets, "finance.revenue_daily", 1, bindings);
//   std::string run_id = OpenLineageRunId(publish_id, started_at);
//   sink.Emit(RunEvent(ns, job, {.type = OpenLineageEventType::kStart, .event_time = started_at, .run_id = run_id}));
//   job.output.version = snapshot_id;
//   sink.Emit(RunEvent(ns, job, {.type = OpenLineageEventType::kComplete, .event_time = finished_at,
//                                .run_id = run_id, .statistics = OpenLineageStatistics{rows, bytes, files}}));
//
// Naming: the namespace is the workspace's (default "weft://<workspace
// name>"), for jobs and datasets alike. A dataset is one major of a product,
// "<product>_v<major>", whichever address ("sales.orders" or
// "sales.orders_v1") a transform reads it by, so the dataset a publish writes
// is the one a run reads. A source product's job is "<product>.publish", a
// derived product's "<product>.transform".
//
// Every event and facet carries `producer`/`_producer` (kOpenLineageProducer)
// and the URL of the schema it follows; openlineage_test.cc validates them
// against the official schemas in tests/fixtures/openlineage/.
//
// Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "lineage/graph.h"
#include "spec/model.h"

namespace weft::lineage {

// What produced the events (the spec's `producer`: a URI naming the producing
// software and its version).
inline constexpr const char* kOpenLineageProducer = "https://weft.dev/weft/0.1.0";

// One column of a dataset's schema facet.
struct OpenLineageField {
  std::string name;
  std::string type;  // the contract's physicalType, else its logicalType
  std::string description;
  std::vector<OpenLineageField> fields;  // an object's properties (an array's: its items')
};

struct OpenLineageDataset {
  std::string name;                      // "<product>_v<major>"
  std::string description;               // the documentation facet; empty: none
  std::vector<OpenLineageField> fields;  // the schema facet; empty: none
  std::string version;                   // a snapshot id: the version facet; empty: none
};

// The dataset of a contract's schema object (ServedObject), named `name`.
OpenLineageDataset DatasetOf(const std::string& name, const spec::SchemaObject& object);

// "<product>_v<major>" -> its dataset (without version), for every major the
// catalog serves and is not retired: the contract version each serves.
using OpenLineageDatasets = std::map<std::string, OpenLineageDataset>;
Result<OpenLineageDatasets> DatasetsFromCatalog(catalog::Store& store);

// An input column in dataset naming.
struct OpenLineageColumnRef {
  std::string dataset;
  std::string field;
};

struct OpenLineageColumn {
  std::string name;  // the output column; "#N" for an unnamed expression
  DerivationKind kind = DerivationKind::kDirect;
  std::vector<OpenLineageColumnRef> sources;
};

// The job that writes one product major.
struct OpenLineageJob {
  std::string product_id;
  bool derived = false;  // a transform: "<product>.transform", else "<product>.publish"
  std::string sql;       // the transform (sql job facet); empty: none
  std::vector<OpenLineageDataset> inputs;
  OpenLineageDataset output;
  // The analyzed transform's column lineage (columnLineage facet): each
  // output column's sources, and the columns read only to join, filter, group
  // or order (the facet's dataset-wide `dataset` list).
  std::vector<OpenLineageColumn> columns;
  std::vector<OpenLineageColumnRef> indirect;

  std::string Name() const { return product_id + (derived ? ".transform" : ".publish"); }
};

// An input as a run bound it (quality::TransformInput::Binding): the address
// the SQL reads, the product major behind it, and the snapshot read.
struct OpenLineageBinding {
  std::string address;
  std::string product_id;
  int64_t major = 0;
  std::string snapshot_id;
};

// The job writing `product_id`'s major `major` (nullopt: its newest), from the
// graph: for a derived product its inputs, SQL and column lineage (when the
// SQL was analyzed), each input named by the major `bindings` bound its
// address to, with that snapshot as its version; without bindings (the static
// graph), by the major the address serves now. Schemas come from `datasets`.
OpenLineageJob JobOf(const LineageGraph& graph, const OpenLineageDatasets& datasets, const std::string& product_id,
                     std::optional<int64_t> major = std::nullopt, const std::vector<OpenLineageBinding>& bindings = {});

enum class OpenLineageEventType { kStart, kComplete, kFail };
const char* OpenLineageEventTypeName(OpenLineageEventType t);

// What a run wrote (the outputStatistics facet of its output).
struct OpenLineageStatistics {
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t files = 0;
};

struct OpenLineageRunState {
  OpenLineageEventType type = OpenLineageEventType::kStart;
  std::string event_time;                           // ISO 8601 UTC
  std::string run_id;                               // the same UUID for every event of one run: OpenLineageRunId
  std::optional<OpenLineageStatistics> statistics;  // a COMPLETE that committed a snapshot
  std::string error;                                // FAIL: why (errorMessage facet)
};

// The run's id as OpenLineage wants it, a UUID (version 7, as the spec
// recommends): the first 48 bits are `started_at` in Unix milliseconds, so ids
// sort by start like weft's own; the other 74 come from SHA-256 of `key` (a
// publish id), so every event of one publish, emitted by any process, names
// the same run without storing the id.
std::string OpenLineageRunId(std::string_view key, std::string_view started_at);

// A RunEvent of `job` in namespace `ns`.
nlohmann::json RunEvent(const std::string& ns, const OpenLineageJob& job, const OpenLineageRunState& run);

// The static graph at `event_time` (the spec's design-time events, which
// Marquez and other consumers take on the same endpoint as RunEvents): a
// DatasetEvent per dataset (schema, documentation), then a JobEvent per job
// (inputs, outputs, column lineage, SQL).
std::vector<nlohmann::json> StaticEvents(const std::string& ns, const std::vector<OpenLineageDataset>& datasets,
                                         const std::vector<OpenLineageJob>& jobs, const std::string& event_time);

// The workspace's namespace: lineage.openlineage.namespace, else "weft://<name>".
std::string OpenLineageNamespace(const spec::WorkspaceSpec& settings);

}  // namespace weft::lineage
