// OpenLineage events validated against the official JSON Schemas
// (tests/fixtures/openlineage/, with valijson): a publish's START, COMPLETE and
// FAIL, a derived run with its inputs and column lineage, the static graph,
// and `weft lineage -o openlineage` on the demo mesh; events the schemas
// must refuse; and the sink's file and HTTP targets.
#include "lineage/openlineage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "common/time.h"
#include "e2e/e2e_util.h"
#include "lineage/openlineage_sink.h"
#include "spec/loader.h"

namespace weft::lineage {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The official schemas by $id: the event schema and the facets weft emits.
class Schemas {
 public:
  static const Schemas& Get() {
    static const Schemas* schemas = new Schemas();
    return *schemas;
  }

  static constexpr const char* kEvent = "https://openlineage.io/spec/2-0-2/OpenLineage.json";

  bool Has(const std::string& id) const { return docs_.count(id) > 0; }

  // Why `doc` does not follow schema `id`; empty when it does.
  std::vector<std::string> Errors(const std::string& id, const json& doc) const {
    valijson::Schema schema;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    // The facet schemas $ref the event schema by URL: served from the copies.
    auto fetch = [this](const std::string& uri) -> const json* {
      auto it = docs_.find(uri);
      return it == docs_.end() ? nullptr : &it->second;
    };
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(docs_.at(id)), schema, fetch, [](const json*) {});
    valijson::Validator validator;
    valijson::ValidationResults results;
    std::vector<std::string> errors;
    if (validator.validate(schema, valijson::adapters::NlohmannJsonAdapter(doc), &results)) return errors;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      std::string where;
      for (const auto& c : e.context) where += c;
      errors.push_back(where + ": " + e.description);
    }
    return errors;
  }

 private:
  Schemas() {
    const std::filesystem::path dir = e2e::RepoPath("tests/fixtures/openlineage");
    std::vector<std::filesystem::path> files = {dir / "OpenLineage.json"};
    for (const auto& f : std::filesystem::directory_iterator(dir / "facets")) files.push_back(f.path());
    for (const auto& f : files) {
      auto text = ReadFileToString(f);
      EXPECT_TRUE(text.ok()) << f;
      if (!text.ok()) continue;
      json doc = json::parse(*text);
      std::string id = doc["$id"];
      docs_[id] = std::move(doc);
    }
  }

  std::map<std::string, json> docs_;
};

// Every facet map of an event, with where it stands.
std::vector<std::pair<std::string, const json*>> FacetMaps(const json& event) {
  std::vector<std::pair<std::string, const json*>> out;
  auto add = [&](const std::string& where, const json& parent, const char* key) {
    if (parent.contains(key)) out.emplace_back(where + "." + key, &parent[key]);
  };
  if (event.contains("run")) add("run", event["run"], "facets");
  if (event.contains("job")) add("job", event["job"], "facets");
  if (event.contains("dataset")) add("dataset", event["dataset"], "facets");
  for (const char* side : {"inputs", "outputs"}) {
    if (!event.contains(side)) continue;
    for (size_t i = 0; i < event[side].size(); ++i) {
      std::string where = std::string(side) + "[" + std::to_string(i) + "]";
      add(where, event[side][i], "facets");
      add(where, event[side][i], side == std::string("inputs") ? "inputFacets" : "outputFacets");
    }
  }
  return out;
}

// Why `event` is not a valid OpenLineage event: the event schema, then each
// facet against the schema its _schemaURL names (which must be one of the
// official files, at the $defs entry named like the file).
std::vector<std::string> EventErrors(const json& event) {
  const Schemas& schemas = Schemas::Get();
  std::vector<std::string> errors = schemas.Errors(Schemas::kEvent, event);
  for (const auto& [where, facets] : FacetMaps(event)) {
    for (const auto& [name, facet] : facets->items()) {
      std::string url = facet.value("_schemaURL", "");
      std::string id = url.substr(0, url.find('#'));
      std::string file = id.substr(id.rfind('/') + 1);
      if (!schemas.Has(id) || url != id + "#/$defs/" + file.substr(0, file.find('.'))) {
        errors.push_back(where + "." + name + ": _schemaURL '" + url + "' is not an official facet schema");
        continue;
      }
      for (auto& e : schemas.Errors(id, json{{name, facet}})) errors.push_back(where + "." + name + e);
    }
  }
  return errors;
}

#define EXPECT_VALID_EVENT(event) EXPECT_THAT(EventErrors(event), IsEmpty()) << (event).dump(2)

// A contract as apply keeps it: typed columns with descriptions, one a struct.
constexpr const char* kOrdersContract = R"(apiVersion: v3.1.0
kind: DataContract
id: sales.orders
version: 1.0.0
status: active
schema:
  - name: orders
    description: One row per order.
    properties:
      - name: order_id
        logicalType: string
        physicalType: VARCHAR
        description: The order's id.
      - name: customer_id
        logicalType: string
      - name: amount
        logicalType: number
        physicalType: DECIMAL(12,2)
      - name: status
        logicalType: string
      - name: address
        logicalType: object
        properties:
          - name: city
            logicalType: string
)";

MeshProduct Product(const std::string& id, std::vector<std::string> columns, std::vector<std::string> inputs = {}) {
  MeshProduct p;
  p.id = id;
  p.domain = id.substr(0, id.find('.'));
  p.addresses[id] = columns;
  p.addresses[id + "_v1"] = columns;
  p.newest_address = id + "_v1";
  p.input_ports = std::move(inputs);
  p.derived = !p.input_ports.empty();
  return p;
}

// sales.orders and customer.customers -> finance.revenue (a transform).
class OpenLineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(validator_, engine::DuckDbSqlValidator::Create());
    Mesh mesh;
    mesh.products = {
        Product("sales.orders", {"order_id", "customer_id", "amount", "status", "address"}),
        Product("customer.customers", {"customer_id", "country"}),
        Product("finance.revenue", {"country", "revenue", "orders"}, {"sales.orders", "customer.customers"}),
    };
    sql_.Add("finance.revenue",
             "SELECT c.country, sum(o.amount) AS revenue, count(*) AS orders FROM sales.orders o "
             "JOIN customer.customers c USING (customer_id) WHERE o.status <> 'x' GROUP BY ALL");
    graph_ = LineageGraph::Build(mesh, &sql_, *validator_);

    spec::LoadedFile loaded = spec::LoadText(kOrdersContract, "orders.odcs.yaml");
    ASSERT_FALSE(loaded.documents.empty());
    const spec::SchemaObject* orders = ServedObject(*loaded.documents[0].contract(), "orders");
    ASSERT_NE(orders, nullptr);
    datasets_["sales.orders_v1"] = DatasetOf("sales.orders_v1", *orders);
    datasets_["sales.orders_v2"] = DatasetOf("sales.orders_v2", *orders);
    datasets_["customer.customers_v1"] = {
        .name = "customer.customers_v1",
        .fields = {{.name = "customer_id", .type = "VARCHAR"}, {.name = "country", .type = "VARCHAR"}}};
    datasets_["finance.revenue_v1"] = {.name = "finance.revenue_v1",
                                       .fields = {{.name = "country"}, {.name = "revenue"}, {.name = "orders"}}};
  }

  OpenLineageRunState State(OpenLineageEventType type) const {
    return {.type = type, .event_time = "2026-03-01T10:00:05.250Z", .run_id = run_id_};
  }

  std::unique_ptr<engine::DuckDbSqlValidator> validator_;
  MapTransformSource sql_;
  LineageGraph graph_;
  OpenLineageDatasets datasets_;
  const std::string run_id_ = OpenLineageRunId("20260301T100000Z-abc", "2026-03-01T10:00:00Z");
  const std::string ns_ = "weft://retail";
};

TEST_F(OpenLineageTest, RunIdIsAUuidV7FromTheStartAndThePublish) {
  EXPECT_TRUE(
      std::regex_match(run_id_, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << run_id_;
  // The first 48 bits are the start in Unix milliseconds.
  EXPECT_EQ(std::stoll(run_id_.substr(0, 8) + run_id_.substr(9, 4), nullptr, 16),
            *ParseIsoMillis("2026-03-01T10:00:00Z"));
  EXPECT_EQ(OpenLineageRunId("20260301T100000Z-abc", "2026-03-01T10:00:00Z"), run_id_) << "every process agrees";
  EXPECT_NE(OpenLineageRunId("20260301T100000Z-abd", "2026-03-01T10:00:00Z"), run_id_);
  EXPECT_LT(run_id_, OpenLineageRunId("20260301T100000Z-abc", "2026-03-01T10:00:01Z")) << "later starts sort after";
}

TEST_F(OpenLineageTest, PublishStartCompleteAndFailAreValidRunEvents) {
  OpenLineageJob job = JobOf(graph_, datasets_, "sales.orders", 1);
  EXPECT_EQ(job.Name(), "sales.orders.publish");
  EXPECT_THAT(job.inputs, IsEmpty());

  json start = RunEvent(ns_, job, State(OpenLineageEventType::kStart));
  EXPECT_VALID_EVENT(start);
  EXPECT_EQ(start["eventType"], "START");
  EXPECT_EQ(start["run"]["runId"], run_id_);
  EXPECT_EQ(start["job"]["namespace"], "weft://retail");
  EXPECT_EQ(start["job"]["name"], "sales.orders.publish");
  EXPECT_EQ(start["job"]["facets"]["jobType"]["jobType"], "PUBLISH");
  const json& output = start["outputs"][0];
  EXPECT_EQ(output["name"], "sales.orders_v1");
  const json& fields = output["facets"]["schema"]["fields"];
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(
      fields[0],
      (json{{"name", "order_id"}, {"type", "VARCHAR"}, {"description", "The order's id."}, {"ordinal_position", 1}}));
  EXPECT_EQ(fields[1]["type"], "string") << "no physicalType: the logicalType";
  EXPECT_EQ(fields[4]["fields"][0]["name"], "city") << "a struct's members nest";
  EXPECT_EQ(output["facets"]["documentation"]["description"], "One row per order.");
  EXPECT_FALSE(output["facets"].contains("version")) << "nothing committed yet";

  job.output.version = "20260301T100005Z-def";
  OpenLineageRunState done = State(OpenLineageEventType::kComplete);
  done.statistics = OpenLineageStatistics{.rows = 1200, .bytes = 48213, .files = 1};
  json complete = RunEvent(ns_, job, done);
  EXPECT_VALID_EVENT(complete);
  EXPECT_EQ(complete["run"]["runId"], start["run"]["runId"]);
  EXPECT_EQ(complete["outputs"][0]["facets"]["version"]["datasetVersion"], "20260301T100005Z-def");
  EXPECT_EQ(complete["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"], 1200);
  EXPECT_EQ(complete["outputs"][0]["outputFacets"]["outputStatistics"]["size"], 48213);

  OpenLineageRunState failed = State(OpenLineageEventType::kFail);
  failed.error = "rejected: 3 error rules failed";
  json fail = RunEvent(ns_, JobOf(graph_, datasets_, "sales.orders", 1), failed);
  EXPECT_VALID_EVENT(fail);
  EXPECT_EQ(fail["eventType"], "FAIL");
  EXPECT_EQ(fail["run"]["facets"]["errorMessage"]["message"], "rejected: 3 error rules failed");
}

TEST_F(OpenLineageTest, RunNamesItsBoundInputsAndCarriesColumnLineage) {
  std::vector<OpenLineageBinding> bound = {
      {.address = "sales.orders", .product_id = "sales.orders", .major = 2, .snapshot_id = "s-orders"},
      {.address = "customer.customers", .product_id = "customer.customers", .major = 1, .snapshot_id = "s-cust"}};
  OpenLineageJob job = JobOf(graph_, datasets_, "finance.revenue", 1, bound);
  EXPECT_EQ(job.Name(), "finance.revenue.transform");
  json event = RunEvent(ns_, job, State(OpenLineageEventType::kStart));
  EXPECT_VALID_EVENT(event);

  // The dataset is the major the run bound, whatever address the SQL reads.
  ASSERT_EQ(event["inputs"].size(), 2u);
  EXPECT_EQ(event["inputs"][0]["name"], "sales.orders_v2");
  EXPECT_EQ(event["inputs"][0]["facets"]["version"]["datasetVersion"], "s-orders");
  EXPECT_EQ(event["inputs"][0]["facets"]["schema"]["fields"].size(), 5u);
  EXPECT_EQ(event["inputs"][1]["name"], "customer.customers_v1");
  EXPECT_THAT(event["job"]["facets"]["sql"]["query"].get<std::string>(), HasSubstr("sum(o.amount) AS revenue"));
  EXPECT_EQ(event["job"]["facets"]["jobType"]["jobType"], "TRANSFORM");

  const json& lineage = event["outputs"][0]["facets"]["columnLineage"];
  EXPECT_EQ(lineage["fields"]["revenue"]["inputFields"],
            (json::array({{{"namespace", "weft://retail"},
                           {"name", "sales.orders_v2"},
                           {"field", "amount"},
                           {"transformations", {{{"type", "DIRECT"}, {"subtype", "AGGREGATION"}}}}}})));
  EXPECT_EQ(lineage["fields"]["country"]["inputFields"][0]["transformations"][0]["subtype"], "IDENTITY");
  EXPECT_THAT(lineage["fields"]["orders"]["inputFields"], IsEmpty()) << "count(*) reads no column";
  std::vector<std::string> indirect;
  for (const auto& f : lineage["dataset"])
    indirect.push_back(f["name"].get<std::string>() + "." + f["field"].get<std::string>());
  EXPECT_THAT(indirect, ElementsAre("customer.customers_v1.customer_id", "sales.orders_v2.customer_id",
                                    "sales.orders_v2.status"));
}

TEST_F(OpenLineageTest, StaticGraphIsDatasetEventsThenJobEvents) {
  std::vector<OpenLineageDataset> served = {datasets_["sales.orders_v1"], datasets_["customer.customers_v1"],
                                            datasets_["finance.revenue_v1"]};
  std::vector<OpenLineageJob> jobs = {JobOf(graph_, datasets_, "sales.orders"),
                                      JobOf(graph_, datasets_, "finance.revenue")};
  std::vector<json> events = StaticEvents(ns_, served, jobs, "2026-03-01T12:00:00.000Z");
  ASSERT_EQ(events.size(), 5u);
  for (const auto& e : events) EXPECT_VALID_EVENT(e);
  EXPECT_EQ(events[0]["schemaURL"], "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent");
  EXPECT_EQ(events[0]["dataset"]["name"], "sales.orders_v1");
  const json& transform = events[4];
  EXPECT_EQ(transform["schemaURL"], "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent");
  EXPECT_FALSE(transform.contains("run"));
  EXPECT_EQ(transform["job"]["name"], "finance.revenue.transform");
  // Without a run's bindings an unversioned address reads the newest major.
  EXPECT_EQ(transform["inputs"][0]["name"], "sales.orders_v1");
  EXPECT_FALSE(transform["inputs"][0]["facets"].contains("version"));
  EXPECT_EQ(transform["outputs"][0]["facets"]["columnLineage"]["fields"]["revenue"]["inputFields"][0]["name"],
            "sales.orders_v1");
}

// The validation can fail: events and facets the schemas must refuse.
TEST_F(OpenLineageTest, SchemasRefuseBrokenEvents) {
  json event = RunEvent(ns_, JobOf(graph_, datasets_, "finance.revenue"), State(OpenLineageEventType::kStart));
  ASSERT_THAT(EventErrors(event), IsEmpty());

  json no_time = event;
  no_time.erase("eventTime");
  EXPECT_THAT(EventErrors(no_time), Contains(HasSubstr("Missing required property 'eventTime'")));

  json bad_time = event;
  bad_time["eventTime"] = "yesterday";
  EXPECT_THAT(EventErrors(bad_time), Contains(HasSubstr("[eventTime]: String should be a valid date-time")));

  json bad_type = event;
  bad_type["eventType"] = "DONE";
  EXPECT_THAT(EventErrors(bad_type), Contains(HasSubstr("[eventType]: Failed to match against any enum values")));

  json no_namespace = event;
  no_namespace["job"].erase("namespace");
  EXPECT_THAT(EventErrors(no_namespace), Contains(HasSubstr("[job]: Missing required property 'namespace'")));

  json no_producer = event;
  no_producer["outputs"][0]["facets"]["schema"].erase("_producer");
  EXPECT_THAT(EventErrors(no_producer), Contains(HasSubstr("[schema]: Missing required property '_producer'")));

  json no_field = event;
  no_field["outputs"][0]["facets"]["columnLineage"]["fields"]["revenue"]["inputFields"][0].erase("field");
  EXPECT_THAT(EventErrors(no_field), Contains(HasSubstr("Missing required property 'field'")));

  json made_up = event;
  made_up["outputs"][0]["facets"]["schema"]["_schemaURL"] = "https://example.com/Schema.json#/$defs/Schema";
  EXPECT_THAT(EventErrors(made_up), Contains(HasSubstr("is not an official facet schema")));
}

TEST(OpenLineageNamespaceTest, DefaultsToTheWorkspaceName) {
  spec::WorkspaceSpec ws;
  ws.name = "retail";
  EXPECT_EQ(OpenLineageNamespace(ws), "weft://retail");
  ws.openlineage_namespace = "prod";
  EXPECT_EQ(OpenLineageNamespace(ws), "prod");
}

// The sink ------------------------------------------------------------------

json Event(int n) {
  return {{"eventType", "COMPLETE"}, {"n", n}};
}

TEST(OpenLineageSinkTest, FileTargetAppendsOneLinePerEvent) {
  e2e::TempDir tmp;
  spec::WorkspaceSpec ws;
  ws.openlineage_file = "lineage/events.ndjson";  // relative to the workspace; the directory is made
  OpenLineageSink sink = OpenLineageSink::ForWorkspace(ws, tmp.path());
  ASSERT_TRUE(sink.enabled());
  ASSERT_OK(sink.Emit(Event(1)));
  ASSERT_OK(sink.Emit(Event(2)));
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFileToString(tmp / "lineage/events.ndjson"));
  EXPECT_EQ(text, Event(1).dump() + "\n" + Event(2).dump() + "\n");
}

TEST(OpenLineageSinkTest, ConcurrentEmitsNeverInterleaveLines) {
  e2e::TempDir tmp;
  OpenLineageSink sink({.file = tmp / "events.ndjson"});
  json big = {{"padding", std::string(20000, 'x')}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_OK(sink.Emit(big));
    });
  for (auto& t : threads) t.join();
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFileToString(tmp / "events.ndjson"));
  size_t lines = 0;
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1, ++lines)
    EXPECT_EQ(json::parse(text.substr(start, end - start)), big);
  EXPECT_EQ(lines, 100u);
}

TEST(OpenLineageSinkTest, UnwritableFileIsAnErrorToLog) {
  e2e::TempDir tmp;
  ASSERT_OK(WriteStringToFile(tmp / "plain", "not a directory"));
  OpenLineageSink sink({.file = tmp / "plain/events.ndjson"});
  Status s = sink.Emit(Event(1));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("OpenLineage event not delivered: cannot open"));
}

TEST(OpenLineageSinkTest, DisabledWithoutTargets) {
  OpenLineageSink sink({});
  EXPECT_FALSE(sink.enabled());
  EXPECT_OK(sink.Emit(Event(1)));
}

// A loopback endpoint that records what it is POSTed and answers `status`.
class Endpoint {
 public:
  explicit Endpoint(int status) {
    server_.Post("/api/v1/lineage", [this, status](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      content_types_.push_back(req.get_header_value("Content-Type"));
      res.status = status;
      if (status >= 300) res.set_content("no such namespace", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only ends a server that is already listening.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Endpoint() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/lineage"; }
  std::vector<std::string> Bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> ContentTypes() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_types_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_, content_types_;
};

TEST(OpenLineageSinkTest, HttpTargetPostsEachEventAsJson) {
  Endpoint marquez(201);
  OpenLineageSink sink({.url = marquez.Url()});
  ASSERT_OK(sink.Emit(Event(1)));
  ASSERT_OK(sink.Emit(Event(2)));
  std::vector<std::string> bodies = marquez.Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(json::parse(bodies[0]), Event(1));
  EXPECT_EQ(json::parse(bodies[1]), Event(2));
  EXPECT_THAT(marquez.ContentTypes(), ElementsAre("application/json", "application/json"));
}

TEST(OpenLineageSinkTest, HttpRefusalIsReportedAndTheFileStillWritten) {
  Endpoint refusing(400);
  e2e::TempDir tmp;
  OpenLineageSink sink({.url = refusing.Url(), .file = tmp / "events.ndjson"});
  Status s = sink.Emit(Event(1));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("POST " + refusing.Url() + ": HTTP 400: no such namespace"));
  ASSERT_OK_AND_ASSIGN(std::string text, ReadFileToString(tmp / "events.ndjson"));
  EXPECT_EQ(text, Event(1).dump() + "\n");
}

TEST(OpenLineageSinkTest, UnreachableEndpointIsAnErrorToLog) {
  std::string url;
  {
    Endpoint gone(201);  // a port that was free a moment ago, closed again
    url = gone.Url();
  }
  OpenLineageSink sink({.url = url, .timeout_seconds = 2});
  Status s = sink.Emit(Event(1));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("POST " + url + ": "));
}

// `weft lineage -o openlineage` on the demo mesh -------------------------------

class OpenLineageCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new e2e::TempDir();
    ws_ = e2e::InitWorkspace(tmp_->path() / "ws");
    e2e::RunResult r = e2e::Apply(e2e::RepoPath("examples/mesh"), ws_);
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static e2e::RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }

  static e2e::TempDir* tmp_;
  static std::filesystem::path ws_;
};

e2e::TempDir* OpenLineageCliTest::tmp_ = nullptr;
std::filesystem::path OpenLineageCliTest::ws_;

TEST_F(OpenLineageCliTest, ExportIsOneValidEventPerLine) {
  e2e::RunResult r = Weft({"lineage", "finance.campaign_roi", "--upstream", "-o", "openlineage"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<json> events;
  for (size_t start = 0, end; (end = r.out.find('\n', start)) != std::string::npos; start = end + 1)
    events.push_back(json::parse(r.out.substr(start, end - start)));
  std::map<std::string, const json*> datasets, jobs;
  for (const auto& e : events) {
    EXPECT_VALID_EVENT(e);
    if (e.contains("dataset")) datasets[e["dataset"]["name"]] = &e;
    if (e.contains("job")) jobs[e["job"]["name"]] = &e;
  }
  EXPECT_THAT(datasets, ::testing::Contains(::testing::Key("sales.orders_v1")));
  EXPECT_THAT(datasets, ::testing::Contains(::testing::Key("finance.campaign_roi_v1")));
  ASSERT_TRUE(jobs.count("finance.campaign_roi.transform")) << r.out;
  EXPECT_TRUE(jobs.count("sales.orders.publish"));
  const json& orders = *datasets["sales.orders_v1"];
  EXPECT_EQ(orders["dataset"]["namespace"], "weft://" + ws_.filename().string());
  EXPECT_EQ(orders["dataset"]["facets"]["schema"]["fields"][0]["type"], "VARCHAR");
  const json& roi = *jobs["finance.campaign_roi.transform"];
  const json& budget = roi["outputs"][0]["facets"]["columnLineage"]["fields"]["budget_eur"]["inputFields"][0];
  EXPECT_EQ(budget["name"], "marketing.campaigns_v1");
  EXPECT_EQ(budget["field"], "budget");

  // The same events as -o json's openLineage, which the REST route serves.
  e2e::RunResult j = Weft({"lineage", "finance.campaign_roi", "--upstream", "-o", "json"});
  ASSERT_EQ(j.exit_code, 0) << j;
  json body = e2e::ParseJson(j);
  ASSERT_EQ(body["openLineage"].size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    json a = body["openLineage"][i], b = events[i];
    a.erase("eventTime");  // each call is its own moment
    b.erase("eventTime");
    EXPECT_EQ(a, b);
  }
}

}  // namespace
}  // namespace weft::lineage
