#include "spec/loader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace weft::spec {
namespace {

std::string Describe(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += FormatGcc(d) + "\n";
  return out;
}

// The only diagnostic of `f`, which must have `rule`.
const Diagnostic& Only(const LoadedFile& f, std::string_view rule) {
  EXPECT_EQ(f.diagnostics.size(), 1u) << Describe(f.diagnostics);
  static const Diagnostic kNone{};
  if (f.diagnostics.empty()) return kNone;
  EXPECT_EQ(f.diagnostics[0].rule, rule) << Describe(f.diagnostics);
  return f.diagnostics[0];
}

const DataContract& FirstContract(const LoadedFile& f) {
  static const DataContract kNone{};
  if (f.documents.empty() || !f.documents[0].contract()) {
    ADD_FAILURE() << "no contract loaded:\n" << Describe(f.diagnostics);
    return kNone;
  }
  return *f.documents[0].contract();
}

// A contract header followed by `body` (which starts at line 6).
std::string Contract(std::string_view body) {
  return "apiVersion: v3.1.0\n"
         "kind: DataContract\n"
         "id: shop.orders\n"
         "version: 1.0.0\n"
         "status: active\n" +
         std::string(body);
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// --- positions ----------------------------------------------------------------

TEST(LoaderTest, RecordsPositionsOfObjectsFieldsAndNestedProperties) {
  LoadedFile f = LoadText(Contract("schema:\n"                          // 6
                                   "  - name: orders\n"                 // 7
                                   "    properties:\n"                  // 8
                                   "      - name: order_id\n"           // 9
                                   "        logicalType: string\n"      // 10
                                   "      - name: address\n"            // 11
                                   "        logicalType: object\n"      // 12
                                   "        properties:\n"              // 13
                                   "          - name: zip\n"            // 14
                                   "            logicalType: string\n"  // 15
                                   ),
                          "a.odcs.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const DataContract& c = FirstContract(f);
  EXPECT_EQ(c.pos, (Pos{1, 1}));
  EXPECT_EQ(c.At("status"), (Pos{5, 1}));
  EXPECT_EQ(c.At("schema"), (Pos{6, 1}));
  EXPECT_EQ(c.At("name"), c.pos) << "an absent field points at its object";
  ASSERT_EQ(c.schema.size(), 1u);
  const SchemaObject& obj = c.schema[0];
  EXPECT_EQ(obj.pos, (Pos{7, 5}));
  EXPECT_EQ(obj.At("properties"), (Pos{8, 5}));
  ASSERT_EQ(obj.properties.size(), 2u);
  EXPECT_EQ(obj.properties[0].pos, (Pos{9, 9}));
  EXPECT_EQ(obj.properties[0].At("logicalType"), (Pos{10, 9}));
  EXPECT_EQ(obj.properties[1].pos, (Pos{11, 9}));
  ASSERT_EQ(obj.properties[1].properties.size(), 1u);
  const Property& zip = obj.properties[1].properties[0];
  EXPECT_EQ(zip.name, "zip");
  EXPECT_EQ(zip.pos, (Pos{14, 13}));
  EXPECT_EQ(zip.At("logicalType"), (Pos{15, 13}));
}

TEST(LoaderTest, RecordsPositionsOfListItemsAndThresholds) {
  LoadedFile f = LoadText(Contract("slaProperties:\n"              // 6
                                   "  - property: latency\n"       // 7
                                   "    value: 4\n"                // 8
                                   "    unit: d\n"                 // 9
                                   "  - property: frequency\n"     // 10
                                   "    value: 1\n"                // 11
                                   "    unit: d\n"                 // 12
                                   "schema:\n"                     // 13
                                   "  - name: orders\n"            // 14
                                   "    quality:\n"                // 15
                                   "      - metric: rowCount\n"    // 16
                                   "        mustBeGreaterThan: 0\n"  // 17
                                   ),
                          "a.odcs.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const DataContract& c = FirstContract(f);
  ASSERT_EQ(c.sla_properties.size(), 2u);
  EXPECT_EQ(c.sla_properties[0].pos, (Pos{7, 5}));
  EXPECT_EQ(c.sla_properties[1].pos, (Pos{10, 5}));
  EXPECT_EQ(c.sla_properties[1].At("value"), (Pos{11, 5}));
  ASSERT_EQ(c.schema.size(), 1u);
  ASSERT_EQ(c.schema[0].quality.size(), 1u);
  const QualityRule& q = c.schema[0].quality[0];
  EXPECT_EQ(q.pos, (Pos{16, 9}));
  ASSERT_EQ(q.thresholds.size(), 1u);
  EXPECT_EQ(q.thresholds[0].pos, (Pos{17, 28})) << "a threshold points at its value";
}

// --- unknown fields -----------------------------------------------------------

// ODCS forbids unknown fields (additionalProperties/unevaluatedProperties
// false): the official schema's error replaces the loader's warning.
TEST(LoaderTest, UnknownFieldIsKeptAndAnErrorWithSuggestion) {
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: order_id\n"
                                   "        logicalTyp: string\n"  // 10
                                   ),
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "schema");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.pos, (Pos{10, 9}));
  EXPECT_EQ(d.message, "unknown field 'logicalTyp' in schema[0].properties[0]; did you mean 'logicalType'? "
                       "(ODCS v3.1.0 schema allows no other fields here)");
  const Property& p = FirstContract(f).schema.at(0).properties.at(0);
  EXPECT_EQ(p.unknown, (Json{{"logicalTyp", "string"}}));
  EXPECT_TRUE(p.logical_type.empty());
}

TEST(LoaderTest, UnknownFieldWithoutCloseMatchIsKeptVerbatim) {
  LoadedFile f = LoadText(Contract("x-lineage:\n"  // 6
                                   "  source: crm\n"
                                   "  columns: [id, email]\n"),
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "schema");
  EXPECT_EQ(d.pos, (Pos{6, 1}));
  EXPECT_EQ(d.message, "unknown field 'x-lineage' in the document (ODCS v3.1.0 schema allows no other fields here)");
  EXPECT_EQ(FirstContract(f).unknown["x-lineage"], (Json{{"source", "crm"}, {"columns", {"id", "email"}}}));
}

// --- loader errors ------------------------------------------------------------

TEST(LoaderTest, YamlSyntaxErrorHasPosition) {
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties: [order_id\n"  // 8: never closed
                                   "description: x\n"),
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "yaml-syntax");
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.pos, (Pos{9, 12})) << "where the parser found the list unclosed";
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, InvalidUtf8PointsAtTheBadByte) {
  LoadedFile f = LoadText(Contract("name: caf\xE9s\n"), "a.odcs.yaml");
  const Diagnostic& d = Only(f, "invalid-utf8");
  EXPECT_EQ(d.pos, (Pos{6, 10}));
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, InvalidUtf8ColumnCountsCharactersNotBytes) {
  LoadedFile f = LoadText("name: \xC3\xA9t\xC3\xA9\xC3\n", "a.odcs.yaml");  // "été" + a truncated sequence
  EXPECT_EQ(Only(f, "invalid-utf8").pos, (Pos{1, 10}));
}

TEST(LoaderTest, FileOverTheByteLimitIsRefused) {
  LoadedFile f = LoadText(Contract(""), "a.odcs.yaml", {.max_bytes = 32});
  const Diagnostic& d = Only(f, "document-too-large");
  EXPECT_NE(d.message.find("limited to 32"), std::string::npos) << d.message;
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, LoadFileOverTheByteLimitIsDocumentTooLarge) {
  std::filesystem::path path = std::filesystem::path(testing::TempDir()) / "loader_test_too_large.odcs.yaml";
  std::ofstream(path) << Contract("");
  LoadedFile f = LoadFile(path, {.max_bytes = 32});
  std::filesystem::remove(path);
  EXPECT_EQ(Only(f, "document-too-large").file, path.string());
}

TEST(LoaderTest, LoadFilesKeepsTheOrderAndDiagnosticsOfEachFile) {
  std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / "loader_test_load_files";
  std::filesystem::create_directories(dir);
  std::vector<std::filesystem::path> paths;
  for (int i = 0; i < 40; ++i) {
    paths.push_back(dir / ("c" + std::to_string(i) + ".odcs.yaml"));
    // Every third file is broken, so results landing in the wrong slot would show.
    std::ofstream(paths.back()) << (i % 3 == 0 ? "a: [" : Contract("name: c" + std::to_string(i) + "\n"));
  }
  std::vector<LoadedFile> all = LoadFiles(paths);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(all.size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(Only(all[i], "yaml-syntax").file, paths[i].string());
    } else {
      EXPECT_EQ(FirstContract(all[i]).name, "c" + std::to_string(i));
      EXPECT_EQ(all[i].documents.at(0).file, paths[i].string());
    }
  }
}

TEST(LoaderTest, AliasBombIsRefused) {
  // "Billion laughs": nine levels of ten aliases each expand to 10^9 nodes.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + Repeat(prev + ", ", 9) + prev + "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  LoadedFile f = LoadText(Contract(text), "a.odcs.yaml", {.max_nodes = 100'000});
  auto elapsed = std::chrono::steady_clock::now() - start;
  const Diagnostic& d = Only(f, "document-too-large");
  EXPECT_GT(d.pos.line, 0);
  EXPECT_TRUE(f.documents.empty());
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST(LoaderTest, NestingBeyondTheDepthLimitIsRefused) {
  LoadedFile f = LoadText(Contract("examples: " + Repeat("[", 200) + Repeat("]", 200) + "\n"), "a.odcs.yaml");
  const Diagnostic& d = Only(f, "document-too-deep");
  EXPECT_EQ(d.pos.line, 6);
  EXPECT_GT(d.pos.col, 10);
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, NestingBeyondTheParserLimitIsAnErrorNotACrash) {
  // yaml-cpp's parser gives up first (DeepRecursion, at 500 levels in 0.7).
  LoadedFile f = LoadText(Contract("examples: " + Repeat("[", 5000) + Repeat("]", 5000) + "\n"), "a.odcs.yaml");
  ASSERT_EQ(f.diagnostics.size(), 1u) << Describe(f.diagnostics);
  const Diagnostic& d = f.diagnostics[0];
  EXPECT_TRUE(d.rule == "document-too-deep" || d.rule == "yaml-syntax") << FormatGcc(d);
  EXPECT_EQ(d.severity, Severity::kError);
  EXPECT_EQ(d.pos.line, 6);
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, ListWhereAMapBelongsIsWrongType) {
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: tags\n"
                                   "        logicalType: array\n"
                                   "        items:\n"
                                   "          - name: tag\n"),  // 12
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "wrong-type");
  EXPECT_EQ(d.pos, (Pos{12, 11}));
  EXPECT_EQ(d.message, "property must be a map, not a list");
  EXPECT_TRUE(FirstContract(f).schema.at(0).properties.at(0).items.empty());
}

TEST(LoaderTest, ListItemThatIsNotAMapIsDropped) {
  // Kept as an empty property, it would make lint report 'name' missing too.
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties: [order_id]\n"),  // 8
                          "a.odcs.yaml");
  EXPECT_EQ(Only(f, "wrong-type").pos, (Pos{8, 18}));
  EXPECT_TRUE(FirstContract(f).schema.at(0).properties.empty());
}

TEST(LoaderTest, TextForABooleanIsWrongType) {
  // YAML 1.2: `yes` is a string, not a boolean.
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: order_id\n"
                                   "        logicalType: string\n"
                                   "        required: yes\n"),  // 11
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "wrong-type");
  EXPECT_EQ(d.pos, (Pos{11, 19}));
  EXPECT_EQ(d.message, "'required' in property must be true or false, not \"yes\"");
  EXPECT_FALSE(FirstContract(f).schema.at(0).properties.at(0).required.has_value());
}

TEST(LoaderTest, MapForAStringIsWrongType) {
  LoadedFile f = LoadText(Contract("name:\n"  // 6
                                   "  en: orders\n"),
                          "a.odcs.yaml");
  const Diagnostic& d = Only(f, "wrong-type");
  EXPECT_EQ(d.pos, (Pos{7, 3}));
  EXPECT_EQ(d.message, "'name' in data contract must be a string, not a map");
}

TEST(LoaderTest, DocumentThatIsNotAMapIsWrongType) {
  LoadedFile f = LoadText("- apiVersion: v3.1.0\n", "a.odcs.yaml");
  EXPECT_EQ(Only(f, "wrong-type").pos, (Pos{1, 1}));
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, DuplicateKeyPointsAtTheSecondKey) {
  LoadedFile f = LoadText(Contract("version: 2.0.0\n"), "a.odcs.yaml");
  const Diagnostic& d = Only(f, "duplicate-key");
  EXPECT_EQ(d.pos, (Pos{6, 1}));
  EXPECT_EQ(d.message, "duplicate key 'version' in data contract");
  EXPECT_EQ(FirstContract(f).version, "1.0.0") << "the first occurrence wins";
}

TEST(LoaderTest, UnknownKindIsAnError) {
  LoadedFile f = LoadText("apiVersion: v3.1.0\nkind: Contract\n", "a.yaml");
  const Diagnostic& d = Only(f, "unknown-kind");
  EXPECT_EQ(d.pos, (Pos{2, 7}));
  EXPECT_EQ(d.message, "unknown kind 'Contract': expected DataContract, DataProduct, Domain, ReferenceEntity, GlossaryTerm, Policy or Workspace");
  EXPECT_TRUE(f.documents.empty());
}

TEST(LoaderTest, MissingKindIsAnError) {
  LoadedFile f = LoadText("apiVersion: v3.1.0\nid: x\n", "a.yaml");
  const Diagnostic& d = Only(f, "unknown-kind");
  EXPECT_EQ(d.pos, (Pos{1, 1}));
  EXPECT_EQ(d.message, "missing 'kind': expected DataContract, DataProduct, Domain, ReferenceEntity, GlossaryTerm, Policy or Workspace");
}

TEST(LoaderTest, UnsupportedApiVersionNamesTheSupportedOnes) {
  LoadedFile f = LoadText("apiVersion: v2.2.2\nkind: DataContract\nid: x\n", "a.yaml");
  const Diagnostic& d = Only(f, "unsupported-api-version");
  EXPECT_EQ(d.pos, (Pos{1, 13}));
  EXPECT_EQ(d.message,
            "unsupported apiVersion 'v2.2.2' for DataContract; supported: v3.1.0, v3.0.2, v3.0.1, v3.0.0");
  EXPECT_EQ(f.documents.size(), 1u) << "the document is still read, so lint can go on";
}

TEST(LoaderTest, UnsupportedApiVersionForAProduct) {
  LoadedFile f = LoadText("apiVersion: v3.1.0\nkind: DataProduct\nid: x\n", "a.yaml");
  EXPECT_EQ(Only(f, "unsupported-api-version").message,
            "unsupported apiVersion 'v3.1.0' for DataProduct; supported: v1.0.0, v0.9.0");
}

TEST(LoaderTest, MissingApiVersionIsRequired) {
  LoadedFile f = LoadText("kind: Domain\nname: sales\n", "domain.yaml");
  const Diagnostic& d = Only(f, "required-field");
  EXPECT_EQ(d.pos, (Pos{1, 1}));
  EXPECT_EQ(d.message, "missing 'apiVersion': supported for Domain are weft/v1");
}

TEST(LoaderTest, V30RuleIsReadAsMetricAndDeprecated) {
  // `rule` is valid under the v3.0.2 schema the document declares.
  std::string text = Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: order_id\n"
                                   "        logicalType: string\n"
                                   "        quality:\n"
                                   "          - rule: nullValues\n"  // 12
                                   "            mustBe: 0\n");
  text.replace(text.find("v3.1.0"), 6, "v3.0.2");
  LoadedFile f = LoadText(text, "a.odcs.yaml");
  const Diagnostic& d = Only(f, "deprecated-field");
  EXPECT_EQ(d.severity, Severity::kWarning);
  EXPECT_EQ(d.pos, (Pos{12, 13}));
  const QualityRule& q = FirstContract(f).schema.at(0).properties.at(0).quality.at(0);
  EXPECT_EQ(q.metric, "nullValues");
  EXPECT_EQ(q.type, "library");
}

// --- shapes the loader accepts ------------------------------------------------------

TEST(LoaderTest, TeamAsAListIsItsMembers) {
  LoadedFile f = LoadText(Contract("team:\n"
                                   "  - username: ceastwood\n"  // 7
                                   "    role: Data Scientist\n"
                                   "  - username: mhopper\n"),
                          "a.odcs.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const Team& team = FirstContract(f).team;
  ASSERT_EQ(team.members.size(), 2u);
  EXPECT_EQ(team.members[0].username, "ceastwood");
  EXPECT_EQ(team.members[0].role, "Data Scientist");
  EXPECT_EQ(team.members[0].pos, (Pos{7, 5}));
  EXPECT_EQ(team.members[1].username, "mhopper");
}

TEST(LoaderTest, TeamAsAnObjectHasNameAndMembers) {
  LoadedFile f = LoadText(Contract("team:\n"
                                   "  name: seller-payments\n"
                                   "  description: Owns payments.\n"
                                   "  members:\n"
                                   "    - username: ceastwood\n"),
                          "a.odcs.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const Team& team = FirstContract(f).team;
  EXPECT_EQ(team.name, "seller-payments");
  EXPECT_EQ(team.description, "Owns payments.");
  ASSERT_EQ(team.members.size(), 1u);
  EXPECT_EQ(team.members[0].username, "ceastwood");
}

// ODCS wants an object; weft still reads a string as the purpose, and the
// schema says what to fix.
TEST(LoaderTest, DescriptionAsAStringIsThePurpose) {
  LoadedFile f = LoadText(Contract("description: Orders placed online.\n"), "a.odcs.yaml");
  EXPECT_EQ(Only(f, "schema").pos, (Pos{6, 14}));
  const Description& d = FirstContract(f).description;
  EXPECT_EQ(d.purpose, "Orders placed online.");
  EXPECT_EQ(d.pos, (Pos{6, 14}));
}

TEST(LoaderTest, ReadsEveryDocumentOfAMultiDocumentFile) {
  LoadedFile f = LoadText("apiVersion: weft/v1\n"
                          "kind: Domain\n"
                          "name: sales\n"
                          "---\n"
                          "---\n"  // an empty document is skipped
                          "apiVersion: weft/v1\n"
                          "kind: Domain\n"
                          "name: finance\n"  // 8
                          "nmae: x\n",       // 9
                          "domains.yaml");
  ASSERT_EQ(f.documents.size(), 2u);
  ASSERT_NE(f.documents[1].domain(), nullptr);
  EXPECT_EQ(f.documents[0].domain()->name, "sales");
  EXPECT_EQ(f.documents[1].domain()->name, "finance");
  EXPECT_EQ(f.documents[1].domain()->pos, (Pos{6, 1}));
  EXPECT_EQ(f.documents[1].domain()->At("name"), (Pos{8, 1}));
  EXPECT_EQ(f.documents[1].file, "domains.yaml");
  EXPECT_EQ(Only(f, "unknown-field").pos, (Pos{9, 1})) << "positions count from the start of the file";
}

TEST(LoaderTest, EmptyFileHasNoDocumentsAndNoErrors) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    LoadedFile f = LoadText(text, "empty.yaml");
    EXPECT_TRUE(f.documents.empty()) << text;
    EXPECT_TRUE(f.diagnostics.empty()) << text << Describe(f.diagnostics);
  }
}

TEST(LoaderTest, ScalarsFollowTheYaml12CoreSchema) {
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: flag\n"
                                   "        logicalType: string\n"
                                   "        examples: [\"true\", true, 1.0, ~, null, 42, yes, \"7\", -3, 1e3]\n"),
                          "a.odcs.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const Json& ex = FirstContract(f).schema.at(0).properties.at(0).examples;
  ASSERT_EQ(ex.size(), 10u) << ex.dump();
  EXPECT_EQ(ex[0], Json("true")) << "a quoted scalar stays a string";
  EXPECT_EQ(ex[1], Json(true));
  EXPECT_TRUE(ex[2].is_number_float());
  EXPECT_EQ(ex[2], Json(1.0));
  EXPECT_TRUE(ex[3].is_null());
  EXPECT_TRUE(ex[4].is_null());
  EXPECT_TRUE(ex[5].is_number_integer());
  EXPECT_EQ(ex[5], Json(42));
  EXPECT_EQ(ex[6], Json("yes")) << "YAML 1.1 booleans are strings in 1.2";
  EXPECT_EQ(ex[7], Json("7"));
  EXPECT_EQ(ex[8], Json(-3));
  EXPECT_EQ(ex[9], Json(1000.0));
}

TEST(LoaderTest, QuotedTrueIsNotABoolean) {
  LoadedFile f = LoadText(Contract("schema:\n"
                                   "  - name: orders\n"
                                   "    properties:\n"
                                   "      - name: order_id\n"
                                   "        logicalType: string\n"
                                   "        required: \"true\"\n"),
                          "a.odcs.yaml");
  EXPECT_EQ(Only(f, "wrong-type").message, "'required' in property must be true or false, not \"true\"");
}

std::string Workspace(std::string_view lineage) {
  return "apiVersion: weft/v1\nkind: Workspace\nname: retail\nlineage:\n  openlineage:\n" + std::string(lineage);
}

TEST(LoaderTest, WorkspaceReadsWhereOpenLineageEventsGo) {
  LoadedFile f = LoadText(Workspace("    url: http://marquez:5000/api/v1/lineage\n"
                                    "    file: lineage/events.ndjson\n"
                                    "    namespace: retail-prod\n"
                                    "    timeoutSeconds: 2.5\n"),
                          "weft.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  ASSERT_EQ(f.documents.size(), 1u);
  const WorkspaceSpec& w = *f.documents[0].workspace();
  EXPECT_EQ(w.openlineage_url, "http://marquez:5000/api/v1/lineage");
  EXPECT_EQ(w.openlineage_file, "lineage/events.ndjson");
  EXPECT_EQ(w.openlineage_namespace, "retail-prod");
  EXPECT_EQ(w.openlineage_timeout_seconds, 2.5);
}

TEST(LoaderTest, WorkspaceReadsTheInputLimitsWithUnits) {
  LoadedFile f = LoadText("apiVersion: weft/v1\nkind: Workspace\nname: retail\npublish:\n  maxInputBytes: 2GiB\n"
                          "  maxExpansion: 50\n  maxFieldBytes: 16MB\n",
                          "weft.yaml");
  ASSERT_TRUE(f.diagnostics.empty()) << Describe(f.diagnostics);
  const WorkspaceSpec& w = *f.documents[0].workspace();
  EXPECT_EQ(w.publish_max_input_bytes, int64_t{2} << 30);
  EXPECT_EQ(w.publish_max_expansion, 50);
  EXPECT_EQ(w.publish_max_field_bytes, 16'000'000);
  for (const char* bad : {"lots", "0", "-5MB", "12 parsecs", "99999999999TB"}) {
    LoadedFile g = LoadText("apiVersion: weft/v1\nkind: Workspace\nname: retail\npublish:\n  maxFieldBytes: " +
                                std::string(bad) + "\n",
                            "weft.yaml");
    const Diagnostic& d = Only(g, "wrong-type");
    EXPECT_EQ(d.pos, (Pos{5, 18})) << bad;
    EXPECT_EQ(d.message, "'maxFieldBytes' in publish must be a size of 1 byte or more, e.g. 16MB or 2GiB, not \"" +
                             std::string(bad) + "\"");
  }
  LoadedFile r = LoadText("apiVersion: weft/v1\nkind: Workspace\nname: retail\npublish:\n  maxExpansion: 0.5\n",
                          "weft.yaml");
  EXPECT_EQ(Only(r, "out-of-range").message,
            "publish.maxExpansion is decompressed size / compressed size: 1 or more");
}

TEST(LoaderTest, OpenLineageUrlMustBeHttpWithAHost) {
  for (const char* url : {"marquez:5000/api/v1/lineage", "ftp://marquez/x", "http:///api/v1/lineage", "https://"}) {
    LoadedFile f = LoadText(Workspace("    url: " + std::string(url) + "\n"), "weft.yaml");
    const Diagnostic& d = Only(f, "invalid-value");
    EXPECT_EQ(d.pos, (Pos{6, 5})) << url;
    EXPECT_EQ(d.message, "lineage.openlineage.url must be an http:// or https:// URL with a host, not \"" +
                             std::string(url) + "\" (for Marquez: http://HOST:5000/api/v1/lineage)");
  }
}

TEST(LoaderTest, OpenLineageNeedsAUrlOrAFile) {
  LoadedFile f = LoadText(Workspace("    namespace: retail\n"), "weft.yaml");
  const Diagnostic& d = Only(f, "required-field");
  EXPECT_EQ(d.pos, (Pos{6, 5}));
  EXPECT_EQ(d.message, "lineage.openlineage needs a url to POST events to, a file to append them to, or both");
}

TEST(LoaderTest, OpenLineageTimeoutMustBePositive) {
  LoadedFile f = LoadText(Workspace("    file: events.ndjson\n    timeoutSeconds: 0\n"), "weft.yaml");
  const Diagnostic& d = Only(f, "out-of-range");
  EXPECT_EQ(d.pos, (Pos{7, 5}));
  EXPECT_EQ(d.message, "lineage.openlineage.timeoutSeconds must be more than 0");
}

}  // namespace
}  // namespace weft::spec
