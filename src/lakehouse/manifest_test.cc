// Manifests and manifest lists: round trips, determinism, the header and
// schema Iceberg readers need, bounds in both serializations, and bad input.
#include "lakehouse/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/testing/status_matchers.h"
#include "lakehouse/iceberg_schema.h"
#include "lakehouse/python_check.h"

namespace weft::lakehouse {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

Manifest Sample() {
  Manifest m;
  m.schema_json = R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":false,"type":"long"}]})";
  ManifestEntry added;
  added.status = EntryStatus::kAdded;
  added.data_file = {.file_path = "file:///data/part-1.parquet", .record_count = 10, .file_size_in_bytes = 1234,
                     .column_sizes = {{1, 100}}, .value_counts = {{1, 10}}, .null_value_counts = {{1, 0}},
                     .lower_bounds = {{1, Bytes({1, 0, 0, 0, 0, 0, 0, 0})}},
                     .upper_bounds = {{1, Bytes({10, 0, 0, 0, 0, 0, 0, 0})}}};
  ManifestEntry existing;
  existing.status = EntryStatus::kExisting;
  existing.snapshot_id = 77;
  existing.sequence_number = 1;
  existing.file_sequence_number = 1;
  existing.data_file = {.file_path = "file:///data/part-0.parquet", .record_count = 5, .file_size_in_bytes = 999};
  m.entries = {existing, added};
  return m;
}

TEST(ManifestTest, RoundTripsAndIsDeterministic) {
  const Manifest m = Sample();
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteManifest(m));
  ASSERT_OK_AND_ASSIGN(std::string again, WriteManifest(m));
  EXPECT_EQ(bytes, again);
  ASSERT_OK_AND_ASSIGN(Manifest back, ReadManifest(bytes));
  EXPECT_EQ(back, m);
  ASSERT_OK_AND_ASSIGN(std::string rewritten, WriteManifest(back));
  EXPECT_EQ(rewritten, bytes);  // read -> write reproduces the file

  // A rewritten path changes the bytes (and the sync marker), nothing else.
  back.entries[1].data_file.file_path = "https://weft.example/files/x?sig=abc";
  ASSERT_OK_AND_ASSIGN(std::string signed_bytes, WriteManifest(back));
  ASSERT_OK_AND_ASSIGN(Manifest signed_back, ReadManifest(signed_bytes));
  EXPECT_EQ(signed_back.entries[1].data_file.file_path, "https://weft.example/files/x?sig=abc");
  EXPECT_EQ(signed_back.entries[0], m.entries[0]);
}

TEST(ManifestTest, HeaderCarriesIcebergMetadataAndFieldIds) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteManifest(Sample()));
  for (const char* key : {"avro.schema", "schema", "schema-id", "partition-spec", "partition-spec-id", "format-version",
                          "content"})
    EXPECT_THAT(bytes, HasSubstr(key));
  EXPECT_THAT(bytes, HasSubstr(R"("field-id":100)"));
  EXPECT_THAT(bytes, HasSubstr(R"("logicalType":"map")"));
  EXPECT_THAT(bytes, HasSubstr(R"("name":"k126_v127")"));
}

TEST(ManifestTest, EmptyManifestRoundTrips) {
  Manifest m;
  m.schema_json = "{}";
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteManifest(m));
  ASSERT_OK_AND_ASSIGN(Manifest back, ReadManifest(bytes));
  EXPECT_TRUE(back.entries.empty());
}

TEST(ManifestListTest, RoundTripsAndIsDeterministic) {
  ManifestList list{.snapshot_id = 5, .parent_snapshot_id = 4, .sequence_number = 2};
  list.manifests.push_back({.manifest_path = "file:///m0.avro", .manifest_length = 4000, .sequence_number = 2,
                            .min_sequence_number = 1, .added_snapshot_id = 5, .added_files_count = 1,
                            .existing_files_count = 1, .added_rows_count = 10, .existing_rows_count = 5});
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteManifestList(list));
  ASSERT_OK_AND_ASSIGN(ManifestList back, ReadManifestList(bytes));
  EXPECT_EQ(back, list);
  ASSERT_OK_AND_ASSIGN(std::string again, WriteManifestList(back));
  EXPECT_EQ(again, bytes);
  EXPECT_THAT(bytes, HasSubstr(R"("field-id":500)"));

  list.parent_snapshot_id.reset();
  ASSERT_OK_AND_ASSIGN(std::string first, WriteManifestList(list));
  ASSERT_OK_AND_ASSIGN(ManifestList first_back, ReadManifestList(first));
  EXPECT_FALSE(first_back.parent_snapshot_id);
}

TEST(ManifestTest, BadInputIsRefusedByName) {
  EXPECT_THAT(ReadManifest("not avro").status().message(), HasSubstr("not a valid Avro file"));
  EXPECT_THAT(ReadManifest("").status().message(), HasSubstr("ends early"));
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteManifest(Sample()));
  // Truncated in the block, and with a corrupted trailing sync marker.
  EXPECT_THAT(ReadManifest(std::string_view(bytes).substr(0, bytes.size() - 30)).status().message(),
              HasSubstr("ends early"));
  std::string corrupt = bytes;
  corrupt.back() ^= 1;
  EXPECT_THAT(ReadManifest(corrupt).status().message(), HasSubstr("sync marker"));
  // A manifest list is not a manifest, and the other way round.
  ManifestList list{.snapshot_id = 1, .sequence_number = 1};
  ASSERT_OK_AND_ASSIGN(std::string list_bytes, WriteManifestList(list));
  EXPECT_THAT(ReadManifest(list_bytes).status().message(), HasSubstr("not a data manifest"));
  EXPECT_FALSE(ReadManifestList(bytes).ok());
}

// An independent reader (Debian's python3-avro) reads what weft writes: the
// records, and the field ids in the schema Iceberg readers project by. (It
// warns that it does not know the "map" logical type, an Iceberg convention.)
TEST(ManifestTest, PythonAvroReadsManifestAndList) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("weft-manifest-py-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(std::string manifest, WriteManifest(Sample()));
  ManifestList list{.snapshot_id = 5, .sequence_number = 2};
  list.manifests.push_back({.manifest_path = "file:///m0.avro", .manifest_length = static_cast<int64_t>(manifest.size()),
                            .added_snapshot_id = 5, .added_files_count = 1, .existing_files_count = 1});
  ASSERT_OK_AND_ASSIGN(std::string list_bytes, WriteManifestList(list));
  std::ofstream(dir / "m.avro", std::ios::binary) << manifest;
  std::ofstream(dir / "l.avro", std::ios::binary) << list_bytes;
  const std::string script = R"(
import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
d = sys.argv[1]
with DataFileReader(open(d + "/m.avro", "rb"), DatumReader()) as r:
    meta = {k: r.get_meta(k) for k in ("schema-id", "format-version", "content", "partition-spec")}
    schema = json.loads(r.get_meta("avro.schema"))
    rows = list(r)
ids = {f["name"]: f["field-id"] for f in schema["fields"]}
df = [f for f in schema["fields"] if f["name"] == "data_file"][0]["type"]
df_ids = {f["name"]: f["field-id"] for f in df["fields"]}
assert ids == {"status": 0, "snapshot_id": 1, "sequence_number": 3, "file_sequence_number": 4, "data_file": 2}, ids
assert df_ids["file_path"] == 100 and df_ids["lower_bounds"] == 125, df_ids
assert meta == {"schema-id": b"0", "format-version": b"2", "content": b"data", "partition-spec": b"[]"}, meta
assert [r["data_file"]["file_path"] for r in rows] == ["file:///data/part-0.parquet", "file:///data/part-1.parquet"]
assert [r["data_file"]["record_count"] for r in rows] == [5, 10]
assert rows[1]["data_file"]["lower_bounds"] == [{"key": 1, "value": bytes([1]) + bytes(7)}]
with DataFileReader(open(d + "/l.avro", "rb"), DatumReader()) as r:
    files = list(r)
assert files[0]["manifest_path"] == "file:///m0.avro" and files[0]["added_snapshot_id"] == 5, files
print("ok")
)";
  const PythonRun run = RunPython(dir, script, dir.string());
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, "ok\n");
  std::filesystem::remove_all(dir);
}

TEST(BoundsTest, BinaryAndJsonForms) {
  struct Case {
    std::string type, text, json;
  };
  for (const Case& c : std::vector<Case>{{"int", "-5", "-5"},
                                         {"long", "1234567890123", "1234567890123"},
                                         {"boolean", "true", "true"},
                                         {"double", "2.5", "2.5"},
                                         {"float", "0.5", "0.5"},
                                         {"date", "19723", R"("2024-01-01")"},
                                         {"date", "-1", R"("1969-12-31")"},
                                         {"time", "36672500000", R"("10:11:12.500000")"},
                                         {"timestamp", "1704103200123456", R"("2024-01-01T10:00:00.123456")"},
                                         {"timestamptz", "1704103200000000", R"("2024-01-01T10:00:00.000000+00:00")"},
                                         {"decimal(12, 2)", "-12.50", R"("-12.50")"},
                                         {"decimal(12, 2)", "1248.75", R"("1248.75")"},
                                         {"decimal(5, 3)", "0.005", R"("0.005")"},
                                         {"string", "héllo", R"("héllo")"},
                                         {"uuid", "009b4aed-b8b3-4b2d-a9f7-d98da1ee32dc",
                                          R"("009b4aed-b8b3-4b2d-a9f7-d98da1ee32dc")"}}) {
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> b, EncodeBound(c.type, c.text));
    ASSERT_TRUE(b) << c.type;
    ASSERT_OK_AND_ASSIGN(json j, BoundToJson(c.type, *b));
    EXPECT_EQ(j, json::parse(c.json)) << c.type << " " << c.text;
  }
  // Fixed forms the spec gives: little-endian ints, big-endian minimal decimals.
  EXPECT_EQ(*EncodeBound("int", "1").value(), Bytes({1, 0, 0, 0}));
  EXPECT_EQ(*EncodeBound("decimal(12, 2)", "-12.50").value(), Bytes({0xfb, 0x1e}));
  EXPECT_EQ(*EncodeBound("decimal(12, 2)", "1.28").value(), Bytes({0x00, 0x80}));
  // No bound rather than a wrong one.
  EXPECT_FALSE(EncodeBound("double", "nan").value());
  EXPECT_FALSE(EncodeBound("binary", "\\x00").value());
  EXPECT_FALSE(EncodeBound("int", "12abc").ok());
  EXPECT_FALSE(BoundToJson("long", "abc").ok());
}

TEST(BoundsTest, DataFileRestJson) {
  const json schema = json::parse(Sample().schema_json);
  ASSERT_OK_AND_ASSIGN(json j, DataFileToRestJson(Sample().entries[1].data_file, schema));
  EXPECT_EQ(j["file-path"], "file:///data/part-1.parquet");
  EXPECT_EQ(j["record-count"], 10);
  EXPECT_EQ(j["lower-bounds"], json::parse(R"({"keys":[1],"values":[1]})"));
  EXPECT_EQ(j["upper-bounds"], json::parse(R"({"keys":[1],"values":[10]})"));
  EXPECT_EQ(j["null-value-counts"], json::parse(R"({"keys":[1],"values":[0]})"));
}

}  // namespace
}  // namespace weft::lakehouse
