#include "spec/json_schema.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace weft::spec {
namespace {

using Json = nlohmann::json;

JsonSchema MustCompile(const char* text) {
  auto s = JsonSchema::Compile(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::move(*s);
}

TEST(JsonSchemaTest, RefBesideOtherKeywordsAppliesBoth) {
  // Draft 7 would ignore `required` next to `$ref`; 2019-09 applies it.
  JsonSchema s = MustCompile(R"({"$defs": {"base": {"properties": {"name": {"type": "string"}}}},
                                 "$ref": "#/$defs/base", "required": ["name"]})");
  EXPECT_TRUE(s.IsValid(Json{{"name", "a"}}));
  EXPECT_FALSE(s.IsValid(Json::object()));
  EXPECT_FALSE(s.IsValid(Json{{"name", 1}}));
}

TEST(JsonSchemaTest, UnevaluatedPropertiesSeesThroughRefAndConditionals) {
  JsonSchema s = MustCompile(R"({"$defs": {"base": {"properties": {"type": {"type": "string"}}}},
    "$ref": "#/$defs/base",
    "allOf": [{"if": {"properties": {"type": {"const": "postgres"}}}, "then": {"properties": {"host": {"type": "string"}}, "required": ["host"]}}],
    "unevaluatedProperties": false})");
  EXPECT_TRUE(s.IsValid(Json{{"type", "postgres"}, {"host", "h"}}));
  // `host` is evaluated only by the branch that applies.
  std::vector<SchemaViolation> v = s.Validate(Json{{"type", "s3"}, {"host", "h"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].unknown_field, "host");
  EXPECT_EQ(v[0].path, std::vector<std::string>{"host"});
  v = s.Validate(Json{{"type", "postgres"}});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].message.find("host"), std::string::npos) << v[0].message;
}

TEST(JsonSchemaTest, UnknownFieldsAreAllReportedWithTheAllowedNames) {
  JsonSchema s = MustCompile(R"({"properties": {"description": {}, "name": {}}, "additionalProperties": false})");
  std::vector<SchemaViolation> v = s.Validate(Json{{"desciption", 1}, {"nmae", 2}});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].unknown_field, "desciption");
  EXPECT_EQ(v[1].unknown_field, "nmae");
  EXPECT_EQ(v[0].allowed_fields, (std::vector<std::string>{"description", "name"}));
}

TEST(JsonSchemaTest, DependentRequiredMeansDraft7PropertyDependencies) {
  JsonSchema s = MustCompile(R"({"dependentRequired": {"bar": ["foo"]}})");
  EXPECT_TRUE(s.IsValid(Json{{"foo", 1}}));
  EXPECT_FALSE(s.IsValid(Json{{"bar", 1}}));
}

TEST(JsonSchemaTest, ViolationsCarryTheInstancePathAndSkipCombinatorSummaries) {
  JsonSchema s = MustCompile(R"({"properties": {"items": {"type": "array", "items": {"oneOf": [
      {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}, {"type": "string"}]}}}})");
  std::vector<SchemaViolation> v = s.Validate(Json::parse(R"({"items": ["a", {"id": 12345}]})"));
  ASSERT_EQ(v.size(), 1u) << v[0].message << " | " << v.back().message;
  EXPECT_EQ(v[0].path, (std::vector<std::string>{"items", "1", "id"}));
  EXPECT_NE(v[0].message.find("12345"), std::string::npos) << v[0].message;
}

TEST(JsonSchemaTest, RefusesWhatItCannotMean) {
  EXPECT_FALSE(JsonSchema::Compile(Json::parse(R"({"$recursiveRef": "#"})")).ok());
  EXPECT_FALSE(JsonSchema::Compile(Json::parse(R"({"properties": {"a": {"$ref": "other.json"}}})")).ok());
  EXPECT_FALSE(JsonSchema::Compile(Json::parse(R"({"unevaluatedItems": false})")).ok());
}

// The official JSON Schema test suite (tests/fixtures/json-schema-test-suite,
// draft 2019-09): every case of every group JsonSchema compiles must pass.
// Compile may refuse a group only for what the header says it refuses
// ($id, $anchor, $recursiveRef, unevaluatedItems, a $ref outside $defs).
bool RefusedOnPurpose(const std::string& why) {
  return why.find("is not supported") != std::string::npos ||
         why.find("Expected reference token") != std::string::npos ||  // valijson: an empty pointer token
         why.find("does not point into $defs or definitions") != std::string::npos;
}

// Cases valijson decides differently, and why; each must still fail, so a
// fix upstream shows here. None is a construct the ODCS/ODPS schemas use.
const std::map<std::string, std::string>& KnownDeviations() {
  static const std::map<std::string, std::string> k = {
      {"not.json: collect annotations inside a 'not', even if collection is disabled / unevaluated property",
       "valijson decides `not` without unevaluatedProperties inside it"},
      {"type.json: integer type matches integers / a float with zero fractional part is an integer",
       "valijson's strong types: 1.0 is a number, not an integer"},
      {"date.json: validation of date strings / 2021 is not a leap year", "valijson's date check ignores leap years"},
      {"date.json: validation of date strings / century year 0100 is not a leap year", "leap years"},
      {"date.json: validation of date strings / century year 2100 is not a leap year", "leap years"},
      {"date.json: validation of date strings / invalid: five-digit year (N+1 digits)", "valijson takes any number of year digits"},
      {"date.json: validation of date strings / invalid: three-digit year (N-1 digits)", "year digits"},
      {"date.json: validation of date strings / invalid: two-digit year (N-2 digits)", "year digits"},
      {"date.json: validation of date strings / invalid: year field numerically larger than a 32-bit signed integer",
       "year digits"},
      {"date-time.json: validation of date-time strings / an invalid date-time with leap second on a wrong hour, UTC",
       "valijson takes :60 at any time"},
      {"date-time.json: validation of date-time strings / an invalid date-time with leap second on a wrong minute, UTC",
       "valijson takes :60 at any time"},
  };
  return k;
}

TEST(JsonSchemaTest, OfficialTestSuiteDraft201909) {
  namespace fs = std::filesystem;
  const fs::path dir = "tests/fixtures/json-schema-test-suite/draft2019-09";
  ASSERT_TRUE(fs::is_directory(dir));
  int cases = 0, refused = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    Json groups = Json::parse(in);
    for (const Json& group : groups) {
      const std::string name = entry.path().filename().string() + ": " + group["description"].get<std::string>();
      auto schema = JsonSchema::Compile(group["schema"]);
      if (!schema.ok()) {
        ++refused;
        EXPECT_TRUE(RefusedOnPurpose(schema.status().message())) << name << ": " << schema.status().message();
        continue;
      }
      for (const Json& test : group["tests"]) {
        ++cases;
        const std::string test_name = name + " / " + test["description"].get<std::string>();
        const bool expected = test["valid"].get<bool>() != (KnownDeviations().count(test_name) > 0);
        EXPECT_EQ(schema->IsValid(test["data"]), expected) << test_name << "\n  data: " << test["data"].dump();
      }
    }
  }
  EXPECT_GT(cases, 700);
  EXPECT_LT(refused, 40);
}

}  // namespace
}  // namespace weft::spec
