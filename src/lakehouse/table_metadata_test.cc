// Iceberg tables of product majors, end to end through the publisher on a
// temporary workspace (tests/fixtures/publish): publish, append, replace,
// rollback and gc, each checked in the table metadata, the manifests (with
// weft's reader and with python3-avro) and the Parquet field ids; a crash
// between the catalog commit and the metadata write; the upgrade of
// snapshots written without Iceberg files; schemas and their field ids.
#include "lakehouse/table_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "lakehouse/iceberg_hook.h"
#include "lakehouse/iceberg_schema.h"
#include "lakehouse/manifest.h"
#include "lakehouse/python_check.h"
#include "quality/publisher.h"
#include "spec/loader.h"
#include "storage/gc.h"

namespace weft::lakehouse {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

const fs::path kFixtures = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/publish";

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("weft-lakehouse-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    ASSERT_OK(control::InitWorkspace(root_ / "ws", "test"));
    ASSERT_OK(WriteStringToFile(root_ / "ws/weft.yaml",
                                "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\n", true));
    ASSERT_OK_AND_ASSIGN(ws_, control::LoadWorkspace(root_ / "ws"));
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore(ws_.CatalogLocation()));
    std::vector<spec::Diagnostic> diags;
    std::vector<spec::Document> docs;
    for (const auto& f : spec::FindSpecFiles({kFixtures / "tree"}, diags)) {
      auto loaded = spec::LoadFile(f);
      for (auto& d : loaded.documents) docs.push_back(std::move(d));
    }
    auto plan = control::MakePlan(ws_, *store_, docs, diags, {.actor = "tester"});
    ASSERT_OK(plan);
    ASSERT_OK(control::Apply(ws_, *store_, storage::DefaultFileSystem(), *plan));
    ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
    for (const auto& p : ports)
      if (p.product_id == "shop.orders") version_dir_ = p.storage_path;
    ASSERT_FALSE(version_dir_.empty());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  fs::path Orders(const std::string& name, int from, int n) {
    std::string text = "order_id,customer_id,amount,status,note,ordered_on\n";
    for (int i = from; i < from + n; ++i)
      text += "O" + std::to_string(i) + ",C" + std::to_string(1 + i % 3) + "," + std::to_string(i) + ".25,new,n,2025-01-0" +
              std::to_string(1 + i % 9) + "\n";
    fs::path f = root_ / "in" / name;
    EXPECT_OK(WriteStringToFile(f, text, true));
    return f;
  }
  Result<quality::PublishReport> Publish(const fs::path& file, const std::string& mode, quality::SnapshotHook* hook) {
    return quality::Publish(*store_, {.target = "shop.orders", .files = {file}, .mode = mode, .actor = "tester",
                                      .threads = 2, .temp_dir = root_ / "ws/tmp",
                                      .guards = quality::GuardSettings::Off(), .snapshot_hook = hook});
  }
  std::vector<catalog::SnapshotRecord> Snapshots() {
    auto s = store_->ListSnapshots("shop.orders");
    EXPECT_OK(s);
    return *s;
  }
  // The weft ids the metadata names, oldest first, and its current one.
  std::pair<std::vector<std::string>, std::string> Named(const json& m) {
    std::vector<std::string> ids;
    std::string current;
    for (const auto& s : m["snapshots"]) {
      ids.push_back(s["summary"]["weft.snapshot-id"]);
      if (s["snapshot-id"] == m["current-snapshot-id"]) current = ids.back();
    }
    return {ids, current};
  }
  std::vector<std::string> CatalogIds() {
    std::vector<std::string> ids;
    for (const auto& s : Snapshots()) ids.insert(ids.begin(), s.id);
    return ids;
  }
  Manifest ManifestOf(const catalog::SnapshotRecord& s) {
    auto sidecar = ReadSidecar(s.path);
    EXPECT_OK(sidecar);
    auto list = ReadManifestList(*ReadFileToString(fs::path(s.path) / "metadata" / sidecar->manifest_list));
    EXPECT_OK(list);
    EXPECT_EQ(list->manifests.size(), 1u);
    const std::string uri = list->manifests[0].manifest_path;
    auto bytes = ReadFileToString(uri.substr(std::string("file://").size()));
    EXPECT_OK(bytes);
    EXPECT_EQ(static_cast<int64_t>(bytes->size()), list->manifests[0].manifest_length);
    auto m = ReadManifest(*bytes);
    EXPECT_OK(m);
    return *m;
  }

  fs::path root_;
  control::Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  fs::path version_dir_;
};

TEST_F(TableTest, PublishAppendReplaceRollbackAndGcAreIcebergSnapshots) {
  IcebergHook hook(*store_, storage::DefaultFileSystem());
  // 1. A first publish: one snapshot, all files added, field ids in Parquet.
  ASSERT_OK_AND_ASSIGN(auto first, Publish(Orders("a.csv", 0, 20), "replace", &hook));
  ASSERT_TRUE(first.warnings.empty()) << first.warnings[0];
  ASSERT_OK_AND_ASSIGN(LoadedTable t1, LoadTableMetadata(version_dir_));
  EXPECT_EQ(t1.metadata_file, version_dir_ / "metadata/v1.metadata.json");
  EXPECT_EQ(ReadFileToString(version_dir_ / "metadata/version-hint.text").value(), "1");
  EXPECT_EQ(Named(t1.metadata), (std::pair<std::vector<std::string>, std::string>{{first.snapshot_id}, first.snapshot_id}));
  EXPECT_EQ(t1.metadata["format-version"], 2);
  EXPECT_EQ(t1.metadata["properties"]["weft.product"], "shop.orders");
  EXPECT_EQ(t1.metadata["properties"]["weft.snapshot-id"], first.snapshot_id);
  EXPECT_EQ(t1.metadata["snapshots"][0]["snapshot-id"], IcebergSnapshotId(first.snapshot_id));
  EXPECT_EQ(t1.metadata["snapshots"][0]["sequence-number"], 1);
  const json schema = t1.metadata["schemas"][0];
  EXPECT_EQ(schema["fields"][2], json::parse(R"j({"id":3,"name":"amount","required":false,"type":"decimal(10, 2)"})j"));
  EXPECT_EQ(schema["fields"][5]["type"], "date");
  {
    ASSERT_OK_AND_ASSIGN(engine::Database db, engine::Database::Open({}));
    ASSERT_OK_AND_ASSIGN(engine::Connection conn, engine::Connection::Open(db));
    ASSERT_OK_AND_ASSIGN(auto r, conn.Query("SELECT string_agg(name || '=' || field_id, ',' ORDER BY name) FROM parquet_schema('" +
                                            (fs::path(Snapshots()[0].path) / "part-00000.parquet").string() +
                                            "') WHERE field_id IS NOT NULL"));
    EXPECT_EQ(r.ScalarString().value(), "amount=3,customer_id=2,note=5,order_id=1,ordered_on=6,status=4");
  }
  Manifest m1 = ManifestOf(Snapshots()[0]);
  ASSERT_EQ(m1.entries.size(), 1u);
  const DataFile& f1 = m1.entries[0].data_file;
  EXPECT_EQ(f1.record_count, 20);
  EXPECT_EQ(f1.file_path, "file://" + (fs::path(Snapshots()[0].path) / "part-00000.parquet").string());
  EXPECT_EQ(f1.null_value_counts.at(1), 0);
  ASSERT_OK_AND_ASSIGN(json lower, BoundToJson("decimal(10, 2)", f1.lower_bounds.at(3)));
  ASSERT_OK_AND_ASSIGN(json upper, BoundToJson("decimal(10, 2)", f1.upper_bounds.at(3)));
  EXPECT_EQ(lower, "0.25");
  EXPECT_EQ(upper, "19.25");
  EXPECT_EQ(BoundToJson("string", f1.lower_bounds.at(1)).value(), "O0");
  EXPECT_EQ(BoundToJson("date", f1.upper_bounds.at(6)).value(), "2025-01-09");

  // 2. Append: the parent's file is EXISTING with its own snapshot and
  //    sequence number, the new one ADDED at sequence 2.
  ASSERT_OK_AND_ASSIGN(auto second, Publish(Orders("b.csv", 100, 5), "append", &hook));
  Manifest m2 = ManifestOf(Snapshots()[0]);
  ASSERT_EQ(m2.entries.size(), 2u);
  EXPECT_EQ(m2.entries[0].status, EntryStatus::kExisting);
  EXPECT_EQ(m2.entries[0].snapshot_id, IcebergSnapshotId(first.snapshot_id));
  EXPECT_EQ(m2.entries[0].sequence_number, 1);
  EXPECT_EQ(m2.entries[0].data_file.record_count, 20);
  EXPECT_EQ(m2.entries[1].status, EntryStatus::kAdded);
  EXPECT_EQ(m2.entries[1].sequence_number, 2);
  EXPECT_EQ(m2.entries[1].data_file.record_count, 5);
  ASSERT_OK_AND_ASSIGN(LoadedTable t2, LoadTableMetadata(version_dir_));
  EXPECT_EQ(t2.metadata["snapshots"][1]["summary"]["operation"], "append");
  EXPECT_EQ(t2.metadata["snapshots"][1]["summary"]["total-records"], "25");
  EXPECT_EQ(t2.metadata["snapshots"][1]["parent-snapshot-id"], IcebergSnapshotId(first.snapshot_id));
  EXPECT_EQ(t2.metadata["metadata-log"][0]["metadata-file"], t1.metadata_location);
  EXPECT_EQ(t2.metadata["schemas"].size(), 1u);  // the same columns keep their ids and schema

  // 3. Replace: an overwrite, every file added.
  ASSERT_OK_AND_ASSIGN(auto third, Publish(Orders("c.csv", 200, 7), "replace", &hook));
  Manifest m3 = ManifestOf(Snapshots()[0]);
  ASSERT_EQ(m3.entries.size(), 1u);
  EXPECT_EQ(m3.entries[0].status, EntryStatus::kAdded);
  EXPECT_EQ(m3.entries[0].sequence_number, 3);

  // 4. Rollback to the append: its files added again, their stats kept.
  ASSERT_OK_AND_ASSIGN(auto rolled, quality::Rollback(*store_, {.product = "shop.orders", .snapshot = second.snapshot_id,
                                                               .reason = "test", .actor = "tester", .snapshot_hook = &hook}));
  ASSERT_TRUE(rolled.warnings.empty()) << rolled.warnings[0];
  Manifest m4 = ManifestOf(Snapshots()[0]);
  ASSERT_EQ(m4.entries.size(), 2u);
  for (const auto& e : m4.entries) {
    EXPECT_EQ(e.status, EntryStatus::kAdded);
    EXPECT_EQ(e.sequence_number, 4);
    EXPECT_THAT(e.data_file.file_path, HasSubstr(rolled.snapshot_id));
  }
  EXPECT_EQ(m4.entries[0].data_file.lower_bounds, m2.entries[0].data_file.lower_bounds);
  ASSERT_OK_AND_ASSIGN(LoadedTable t4, LoadTableMetadata(version_dir_));
  EXPECT_EQ(Named(t4.metadata).first, CatalogIds());
  EXPECT_EQ(Named(t4.metadata).second, rolled.snapshot_id);
  EXPECT_EQ(t4.metadata["snapshots"][3]["summary"]["operation"], "overwrite");

  // 5. gc keeps two snapshots: the metadata lists exactly those.
  storage::GcOptions gc{.now = std::chrono::system_clock::now(), .default_retention = {.snapshots = 2},
                        .grace = std::chrono::seconds(0), .actor = "tester"};
  ASSERT_OK_AND_ASSIGN(auto report, storage::CollectGarbage(*store_, storage::DefaultFileSystem(),
                                                            {{"shop", version_dir_.parent_path().parent_path().parent_path()}}, gc));
  ASSERT_EQ(CatalogIds().size(), 2u);
  ASSERT_OK_AND_ASSIGN(int rewritten, SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_GE(rewritten, 1);
  ASSERT_OK_AND_ASSIGN(LoadedTable t5, LoadTableMetadata(version_dir_));
  EXPECT_EQ(Named(t5.metadata).first, (std::vector<std::string>{third.snapshot_id, rolled.snapshot_id}));
  EXPECT_EQ(Named(t5.metadata).second, rolled.snapshot_id);
  // A second sync finds nothing to do.
  ASSERT_OK_AND_ASSIGN(LoadedTable t6, SyncTable(*store_, "shop.orders", 1, storage::DefaultFileSystem()));
  EXPECT_EQ(t6.metadata_file, t5.metadata_file);

  // An independent reader: python3-avro opens every live snapshot's list and
  // manifest, sees field ids, and the paths it finds are the real files.
  std::string args;
  for (const auto& s : t5.metadata["snapshots"]) args += " " + s["manifest-list"].get<std::string>().substr(7);
  const std::string script = R"(
import os, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
for lst in sys.argv[1:]:
    with DataFileReader(open(lst, "rb"), DatumReader()) as r:
        assert '"field-id": 500' in r.get_meta("avro.schema").decode().replace('":', '": '), "no field ids"
        manifests = list(r)
    rows = 0
    for m in manifests:
        with DataFileReader(open(m["manifest_path"][7:], "rb"), DatumReader()) as r:
            assert r.get_meta("format-version") == b"2"
            for e in r:
                assert os.path.exists(e["data_file"]["file_path"][7:]), e["data_file"]["file_path"]
                rows += e["data_file"]["record_count"]
    print(rows)
)";
  const PythonRun run = RunPython(root_, script, args);
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, "7\n25\n");
}

// The metadata write after the commit fails (as a crash there would leave
// it): the publish stands, says so, and the next sync repairs the table.
TEST_F(TableTest, LostMetadataWriteIsRepairedFromTheCatalog) {
  storage::FaultInjectingFileSystem faulty(storage::DefaultFileSystem());
  IcebergHook hook(*store_, faulty);
  ASSERT_OK_AND_ASSIGN(auto first, Publish(Orders("a.csv", 0, 3), "replace", &hook));
  faulty.FailNth(storage::FileOp::kRename, ".metadata.json");
  ASSERT_OK_AND_ASSIGN(auto second, Publish(Orders("b.csv", 10, 3), "replace", &hook));
  EXPECT_EQ(second.outcome, "published");
  ASSERT_EQ(second.warnings.size(), 1u);
  EXPECT_THAT(second.warnings[0], HasSubstr("Iceberg table metadata was not updated"));
  ASSERT_OK_AND_ASSIGN(LoadedTable stale, LoadTableMetadata(version_dir_));
  EXPECT_EQ(Named(stale.metadata).second, first.snapshot_id);
  EXPECT_FALSE(fs::exists(version_dir_ / "metadata/v2.metadata.json"));
  for (const auto& e : fs::directory_iterator(version_dir_ / "metadata"))
    EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".tmp")));  // no temporary left

  ASSERT_OK_AND_ASSIGN(LoadedTable repaired, SyncTable(*store_, "shop.orders", 1, storage::DefaultFileSystem()));
  EXPECT_EQ(repaired.metadata_file, version_dir_ / "metadata/v2.metadata.json");
  EXPECT_EQ(Named(repaired.metadata).first, CatalogIds());
  EXPECT_EQ(Named(repaired.metadata).second, second.snapshot_id);
}

// Concurrent syncs of one table (the REST catalog's loads beside a
// publish's commit) serialize: each succeeds, and only the first writes.
TEST_F(TableTest, ConcurrentSyncsWriteOneVersion) {
  ASSERT_OK_AND_ASSIGN(auto first, Publish(Orders("a.csv", 0, 3), "replace", nullptr));
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = SyncTable(*store_, "shop.orders", 1, storage::DefaultFileSystem()).status(); });
  for (auto& t : threads) t.join();
  for (const Status& r : results) EXPECT_OK(r);
  EXPECT_TRUE(fs::exists(version_dir_ / "metadata/v1.metadata.json"));
  EXPECT_FALSE(fs::exists(version_dir_ / "metadata/v2.metadata.json"));
  ASSERT_OK_AND_ASSIGN(LoadedTable t, LoadTableMetadata(version_dir_));
  EXPECT_EQ(Named(t.metadata).second, first.snapshot_id);
}

// Snapshots written before weft made Iceberg files (no hook): the sync
// writes their files (stats from the footers, no field ids in the Parquet:
// the name mapping covers them), once.
TEST_F(TableTest, SnapshotsWithoutIcebergFilesAreUpgradedOnce) {
  ASSERT_OK_AND_ASSIGN(auto first, Publish(Orders("a.csv", 0, 4), "replace", nullptr));
  ASSERT_OK_AND_ASSIGN(auto second, Publish(Orders("b.csv", 10, 2), "append", nullptr));
  EXPECT_EQ(LoadTableMetadata(version_dir_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadSidecar(Snapshots()[0].path).status().code(), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(int rewritten, SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_GE(rewritten, 1);
  ASSERT_OK_AND_ASSIGN(LoadedTable t, LoadTableMetadata(version_dir_));
  EXPECT_EQ(Named(t.metadata).first, (std::vector<std::string>{first.snapshot_id, second.snapshot_id}));
  EXPECT_EQ(t.metadata["snapshots"][1]["sequence-number"], 2);
  EXPECT_EQ(t.metadata["snapshots"][1]["summary"]["operation"], "append");  // it shares the first one's file
  const json mapping = json::parse(t.metadata["properties"]["schema.name-mapping.default"].get<std::string>());
  EXPECT_EQ(mapping[0], json::parse(R"({"field-id":1,"names":["order_id"]})"));
  Manifest m = ManifestOf(Snapshots()[0]);
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].status, EntryStatus::kExisting);
  EXPECT_EQ(m.entries[1].data_file.record_count, 2);

  ASSERT_OK_AND_ASSIGN(int again, SyncAllTables(*store_, storage::DefaultFileSystem()));
  EXPECT_EQ(again, 0);
  // A publish with Iceberg files goes on from the upgraded table.
  IcebergHook hook(*store_, storage::DefaultFileSystem());
  ASSERT_OK(Publish(Orders("c.csv", 20, 1), "append", &hook));
  ASSERT_OK_AND_ASSIGN(LoadedTable after, LoadTableMetadata(version_dir_));
  EXPECT_EQ(after.metadata["snapshots"][2]["sequence-number"], 3);
}

TEST(IcebergSchemaTest, NestedTypesAndStableIds) {
  std::vector<Column> v1 = {{"id", "BIGINT"},
                            {"tags", "VARCHAR[]"},
                            {"address", "STRUCT(street VARCHAR, \"zip code\" INTEGER)"},
                            {"attrs", "MAP(VARCHAR, DOUBLE)"},
                            {"at", "TIMESTAMP WITH TIME ZONE"}};
  ASSERT_OK_AND_ASSIGN(json s1, IcebergSchema(v1, json(), 0));
  EXPECT_EQ(s1["schema-id"], 0);
  EXPECT_EQ(HighestFieldId(s1), 10);
  EXPECT_EQ(s1["fields"][1]["type"], json::parse(R"({"type":"list","element-id":3,"element-required":false,"element":"string"})"));
  EXPECT_EQ(s1["fields"][2]["type"]["fields"][1]["name"], "zip code");
  EXPECT_EQ(s1["fields"][4]["type"], "timestamptz");
  EXPECT_EQ(FieldIdsOption(s1),
            "{\"id\": 1, \"tags\": {__duckdb_field_id: 2, element: 3}, \"address\": {__duckdb_field_id: 4, \"street\": 5, "
            "\"zip code\": 6}, \"attrs\": {__duckdb_field_id: 7, key: 8, value: 9}, \"at\": 10}");
  // Dropping "tags" and adding "note": the others keep their ids, the new
  // one never reuses a dropped id.
  std::vector<Column> v2 = {v1[0], v1[2], v1[3], v1[4], {"note", "VARCHAR"}};
  ASSERT_OK_AND_ASSIGN(json s2, IcebergSchema(v2, s1, 10));
  EXPECT_EQ(s2["schema-id"], 1);
  EXPECT_EQ(s2["fields"][1]["id"], 4);
  EXPECT_EQ(s2["fields"][4]["id"], 11);
  ASSERT_OK_AND_ASSIGN(json s3, IcebergSchema(v2, s2, 11));
  EXPECT_EQ(s3, s2);  // nothing changed: the same schema and id
  // After a rollback made schema 0 current again, a change gets an id above
  // every id the table used (2, not 1 again).
  ASSERT_OK_AND_ASSIGN(json s4, IcebergSchema(v2, s1, 11, 1));
  EXPECT_EQ(s4["schema-id"], 2);
  // The name mapping follows the nesting.
  EXPECT_EQ(NameMapping(s1)[3], json::parse(R"({"field-id":7,"names":["attrs"],"fields":[
      {"field-id":8,"names":["key"]},{"field-id":9,"names":["value"]}]})"));
}

TEST(IcebergSchemaTest, TypesIcebergCannotHoldAreRefusedByColumn) {
  for (const char* type :
       {"HUGEINT", "UBIGINT", "INTERVAL", "TIMESTAMP_NS", "UNION(a INTEGER, b VARCHAR)", "UHUGEINT[]"}) {
    auto s = IcebergSchema({{"ok", "INTEGER"}, {"big", type}}, json(), 0);
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << type;
    EXPECT_THAT(s.status().message(), HasSubstr("column 'big' has DuckDB type")) << type;
  }
  // Every such column, each with what to declare instead.
  auto s = IcebergSchema(
      {{"h", "HUGEINT"}, {"ok", "INTEGER"}, {"u", "UBIGINT"}, {"i", "INTERVAL"}, {"t", "TIMESTAMP_NS"}}, json(), 0);
  EXPECT_EQ(
      s.status().message(),
      "column 'h' has DuckDB type HUGEINT, which an Iceberg v2 table cannot hold: declare DECIMAL(38,0) (up to 38 "
      "digits); "
      "column 'u' has DuckDB type UBIGINT, which an Iceberg v2 table cannot hold: declare BIGINT (values below 2^63) "
      "or "
      "DECIMAL(20,0); column 'i' has DuckDB type INTERVAL, which an Iceberg v2 table cannot hold: declare a BIGINT "
      "count "
      "of one unit (seconds, days) or VARCHAR; column 't' has DuckDB type TIMESTAMP_NS, which an Iceberg v2 table "
      "cannot hold: declare TIMESTAMP (microseconds)");
}

TEST(IcebergSnapshotIdTest, PositiveAndDeterministic) {
  const int64_t a = IcebergSnapshotId("20261206T020250.991063Z-527bbc6a");
  EXPECT_GT(a, 0);
  EXPECT_EQ(a, IcebergSnapshotId("20261206T020250.991063Z-527bbc6a"));
  EXPECT_NE(a, IcebergSnapshotId("20261206T020250.991063Z-527bbc6b"));
}

}  // namespace
}  // namespace weft::lakehouse
