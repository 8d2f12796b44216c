#include "spec/diff.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "spec/loader.h"

namespace weft::spec {
namespace {

// ---------------------------------------------------------------------------
// Spec builders: flow-style YAML keeps each case on one line.

std::string ContractYaml(const std::string& schema, const std::string& top = "", const std::string& version = "1.0.0") {
  return "apiVersion: v3.1.0\nkind: DataContract\nid: sales.orders\nname: orders\nversion: " + version + "\n" + top +
         "schema: " + schema + "\n";
}

// The orders contract with one property `amount` carrying `fields`.
std::string Prop(const std::string& fields) {
  return ContractYaml("[{name: orders, properties: [{name: order_id, logicalType: string}, {name: amount" +
                      (fields.empty() ? "" : ", " + fields) + "}]}]");
}

// The orders contract whose `orders` object has these properties.
std::string Props(const std::string& properties) {
  return ContractYaml("[{name: orders, properties: " + properties + "}]");
}

// The orders contract with extra top-level lines (slaProperties, servers, ...).
std::string Top(const std::string& top) {
  return ContractYaml("[{name: orders}]", top);
}

std::string ProductYaml(const std::string& top) {
  return "apiVersion: v1.0.0\nkind: DataProduct\nid: sales.orders\nname: orders\nversion: 1.0.0\n"
         "domain: sales\n" +
         top;
}

std::vector<Document> Load(const std::string& yaml, const std::string& file) {
  if (yaml.empty()) return {};
  LoadedFile f = LoadText(yaml, file);
  // The cases are minimal on purpose (an option on a property without its
  // logicalType, a server without its connection fields): diff reads what
  // the official schema would refuse, so only weft's own errors count here.
  for (const auto& d : f.diagnostics) {
    if (d.rule != "schema") {
      EXPECT_NE(d.severity, Severity::kError) << FormatGcc(d) << "\n" << yaml;
    }
  }
  return std::move(f.documents);
}

std::vector<DocumentDiff> Diff(const std::string& old_yaml, const std::string& new_yaml) {
  return DiffDocuments(Load(old_yaml, "old.yaml"), Load(new_yaml, "new.yaml"));
}

DocumentDiff DiffOne(const std::string& old_yaml, const std::string& new_yaml) {
  auto diffs = Diff(old_yaml, new_yaml);
  EXPECT_EQ(diffs.size(), 1u);
  return diffs.empty() ? DocumentDiff{} : diffs[0];
}

std::set<std::string> Rules(const std::vector<DocumentDiff>& diffs) {
  std::set<std::string> out;
  for (const auto& d : diffs) {
    for (const auto& c : d.changes) out.insert(c.rule);
  }
  return out;
}

std::string Describe(const std::vector<DocumentDiff>& diffs) {
  std::string out;
  for (const auto& d : diffs) {
    for (const auto& c : d.changes) out += "  " + c.rule + " " + c.subject + ": " + c.message + "\n";
  }
  return out;
}

const Change* Find(const DocumentDiff& d, const std::string& rule) {
  for (const auto& c : d.changes) {
    if (c.rule == rule) return &c;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Every rule, both directions: OLD -> NEW must report exactly `forward`, and
// NEW -> OLD exactly `backward` (the tightening and the loosening).

struct RuleCase {
  std::string name;
  std::string old_yaml;
  std::string new_yaml;
  std::set<std::string> forward;
  std::set<std::string> backward;
};

const std::string kValid = "quality: [{metric: invalidValues, arguments: {validValues: ";
const std::string kSla = "slaProperties: [{property: ";

std::vector<RuleCase> RuleCases() {
  return {
      // Types.
      {"logical_type",
       Prop("logicalType: integer"),
       Prop("logicalType: string"),
       {"logical-type-changed"},
       {"logical-type-changed"}},
      {"physical_int_widened",
       Prop("physicalType: int"),
       Prop("physicalType: bigint"),
       {"physical-type-widened"},
       {"physical-type-changed"}},
      {"physical_varchar_widened",
       Prop("physicalType: varchar(10)"),
       Prop("physicalType: varchar(20)"),
       {"physical-type-widened"},
       {"physical-type-changed"}},
      {"physical_varchar_unbounded",
       Prop("physicalType: varchar(10)"),
       Prop("physicalType: text"),
       {"physical-type-widened"},
       {"physical-type-changed"}},
      {"physical_decimal_widened",
       Prop("physicalType: \"decimal(10,2)\""),
       Prop("physicalType: \"decimal(12,2)\""),
       {"physical-type-widened"},
       {"physical-type-changed"}},
      {"physical_decimal_rescaled",
       Prop("physicalType: \"decimal(10,2)\""),
       Prop("physicalType: \"decimal(10,3)\""),
       {"physical-type-changed"},
       {"physical-type-changed"}},
      {"physical_other",
       Prop("physicalType: varchar"),
       Prop("physicalType: integer"),
       {"physical-type-changed"},
       {"physical-type-changed"}},
      {"physical_name",
       Prop("physicalName: amount"),
       Prop("physicalName: amount_eur"),
       {"physical-name-changed"},
       {"physical-name-changed"}},
      // Constraint flags.
      {"required", Prop("required: false"), Prop("required: true"), {"required-tightened"}, {"required-relaxed"}},
      {"unique", Prop(""), Prop("unique: true"), {"unique-added"}, {"unique-removed"}},
      {"primary_key", Prop(""), Prop("primaryKey: true"), {"primary-key-added"}, {"primary-key-removed"}},
      {"primary_key_position",
       Prop("primaryKey: true, primaryKeyPosition: 1"),
       Prop("primaryKey: true, primaryKeyPosition: 2"),
       {"primary-key-position-changed"},
       {"primary-key-position-changed"}},
      // validValues from invalidValues checks.
      {"valid_values_subset",
       Prop(kValid + "[a, b, c]}, mustBe: 0}]"),
       Prop(kValid + "[a, b]}, mustBe: 0}]"),
       {"valid-values-narrowed"},
       {"valid-values-widened"}},
      {"valid_values_new",
       Prop(""),
       Prop(kValid + "[a, b]}, mustBe: 0}]"),
       {"valid-values-narrowed"},
       {"valid-values-widened"}},
      {"valid_values_swapped",
       Prop(kValid + "[a, b]}, mustBe: 0}]"),
       Prop(kValid + "[a, c]}, mustBe: 0}]"),
       {"valid-values-narrowed"},
       {"valid-values-narrowed"}},
      // Bounds in logicalTypeOptions.
      {"minimum",
       Prop("logicalTypeOptions: {minimum: 0}"),
       Prop("logicalTypeOptions: {minimum: 1}"),
       {"minimum-raised"},
       {"minimum-lowered"}},
      {"minimum_new", Prop(""), Prop("logicalTypeOptions: {minimum: 0}"), {"minimum-raised"}, {"minimum-lowered"}},
      {"exclusive_minimum",
       Prop("logicalTypeOptions: {minimum: 0}"),
       Prop("logicalTypeOptions: {exclusiveMinimum: 0}"),
       {"minimum-raised"},
       {"minimum-lowered"}},
      {"exclusive_minimum_flag",
       Prop("logicalTypeOptions: {minimum: 0}"),
       Prop("logicalTypeOptions: {minimum: 0, exclusiveMinimum: true}"),
       {"minimum-raised"},
       {"minimum-lowered"}},
      {"maximum",
       Prop("logicalTypeOptions: {maximum: 100}"),
       Prop("logicalTypeOptions: {maximum: 50}"),
       {"maximum-lowered"},
       {"maximum-raised"}},
      {"exclusive_maximum",
       Prop("logicalTypeOptions: {maximum: 10}"),
       Prop("logicalTypeOptions: {exclusiveMaximum: 10}"),
       {"maximum-lowered"},
       {"maximum-raised"}},
      {"min_length",
       Prop("logicalTypeOptions: {minLength: 1}"),
       Prop("logicalTypeOptions: {minLength: 2}"),
       {"minimum-raised"},
       {"minimum-lowered"}},
      {"max_length",
       Prop("logicalTypeOptions: {maxLength: 20}"),
       Prop("logicalTypeOptions: {maxLength: 10}"),
       {"maximum-lowered"},
       {"maximum-raised"}},
      {"items_bounds",
       Prop("logicalTypeOptions: {minItems: 0, maxItems: 10}"),
       Prop("logicalTypeOptions: {minItems: 1, maxItems: 5}"),
       {"minimum-raised", "maximum-lowered"},
       {"minimum-lowered", "maximum-raised"}},
      {"date_minimum",
       Prop("logicalTypeOptions: {minimum: \"2020-01-01\"}"),
       Prop("logicalTypeOptions: {minimum: \"2021-01-01\"}"),
       {"minimum-raised"},
       {"minimum-lowered"}},
      // Exact options.
      {"pattern_new",
       Prop(""),
       Prop("logicalTypeOptions: {pattern: \"^[A-Z]+$\"}"),
       {"pattern-changed"},
       {"pattern-removed"}},
      {"pattern_changed",
       Prop("logicalTypeOptions: {pattern: \"^[A-Z]+$\"}"),
       Prop("logicalTypeOptions: {pattern: \"^[A-Z0-9]+$\"}"),
       {"pattern-changed"},
       {"pattern-changed"}},
      {"format", Prop(""), Prop("logicalTypeOptions: {format: email}"), {"format-changed"}, {"format-removed"}},
      {"precision",
       Prop("logicalTypeOptions: {precision: 10}"),
       Prop("logicalTypeOptions: {precision: 12}"),
       {"type-option-changed"},
       {"type-option-changed"}},
      {"unique_items",
       Prop("logicalTypeOptions: {uniqueItems: false}"),
       Prop("logicalTypeOptions: {uniqueItems: true}"),
       {"type-option-changed"},
       {"type-option-removed"}},
      // Classification.
      {"classification",
       Prop("classification: confidential"),
       Prop("classification: public"),
       {"classification-loosened"},
       {"classification-tightened"}},
      {"classification_removed",
       Prop("classification: restricted"),
       Prop(""),
       {"classification-loosened"},
       {"classification-tightened"}},
      {"classification_unranked",
       Prop("classification: gold"),
       Prop("classification: silver"),
       {"classification-changed"},
       {"classification-changed"}},
      // Quality rules and relationships.
      {"quality_rule",
       Prop(""),
       Prop("quality: [{metric: nullValues, mustBe: 0}]"),
       {"quality-rule-added"},
       {"quality-rule-removed"}},
      {"quality_threshold",
       Prop("quality: [{metric: nullValues, mustBe: 0}]"),
       Prop("quality: [{metric: nullValues, mustBeLessThan: 5}]"),
       {"quality-threshold-changed"},
       {"quality-threshold-changed"}},
      {"quality_definition",
       Prop("quality: [{id: q1, metric: nullValues, mustBe: 0, severity: warning}]"),
       Prop("quality: [{id: q1, metric: nullValues, mustBe: 0, severity: error}]"),
       {"quality-rule-changed"},
       {"quality-rule-changed"}},
      {"relationship",
       Prop(""),
       Prop("relationships: [{type: foreignKey, to: customers.id}]"),
       {"relationship-added"},
       {"relationship-removed"}},
      {"relationship_target",
       Prop("relationships: [{type: foreignKey, to: customers.id}]"),
       Prop("relationships: [{type: foreignKey, to: clients.id}]"),
       {"relationship-changed"},
       {"relationship-changed"}},
      // Documentation.
      {"description",
       Prop("description: net amount"),
       Prop("description: gross amount"),
       {"description-changed"},
       {"description-changed"}},
      {"tags", Prop("tags: [finance]"), Prop("tags: [sales]"), {"tags-changed"}, {"tags-changed"}},
      {"examples", Prop("examples: [1]"), Prop("examples: [2]"), {"metadata-changed"}, {"metadata-changed"}},
      // Properties and objects appearing and disappearing.
      {"property",
       Props("[{name: order_id}, {name: note}]"),
       Props("[{name: order_id}]"),
       {"property-removed"},
       {"property-added"}},
      {"required_property",
       Props("[{name: order_id}]"),
       Props("[{name: order_id}, {name: note, required: true}]"),
       {"required-property-added"},
       {"property-removed"}},
      {"property_renamed",
       Props("[{id: p1, name: amount}]"),
       Props("[{id: p1, name: total}]"),
       {"property-renamed"},
       {"property-renamed"}},
      {"nested_property",
       Props("[{name: customer, logicalType: object, properties: [{name: email}, {name: phone}]}]"),
       Props("[{name: customer, logicalType: object, properties: [{name: email}]}]"),
       {"property-removed"},
       {"property-added"}},
      {"items_type",
       Props("[{name: tags, logicalType: array, items: {logicalType: string}}]"),
       Props("[{name: tags, logicalType: array, items: {logicalType: integer}}]"),
       {"logical-type-changed"},
       {"logical-type-changed"}},
      {"items",
       Props("[{name: tags, logicalType: array}]"),
       Props("[{name: tags, logicalType: array, items: {logicalType: string}}]"),
       {"property-added"},
       {"property-removed"}},
      {"object",
       ContractYaml("[{name: orders}]"),
       ContractYaml("[{name: orders}, {name: customers}]"),
       {"object-added"},
       {"object-removed"}},
      {"object_renamed",
       ContractYaml("[{id: o1, name: orders}]"),
       ContractYaml("[{id: o1, name: sales_orders}]"),
       {"object-renamed"},
       {"object-renamed"}},
      {"object_physical_type",
       ContractYaml("[{name: orders, physicalType: table}]"),
       ContractYaml("[{name: orders, physicalType: view}]"),
       {"physical-type-changed"},
       {"physical-type-changed"}},
      // SLAs.
      {"sla_latency",
       Top(kSla + "latency, value: 4, unit: h}]\n"),
       Top(kSla + "latency, value: 1, unit: d}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_latency_text",
       Top(kSla + "latency, value: 4h}]\n"),
       Top(kSla + "latency, value: 1day}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_frequency",
       Top(kSla + "frequency, value: 1, unit: d}]\n"),
       Top(kSla + "frequency, value: 1, unit: week}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_retention",
       Top(kSla + "retention, value: 1, unit: y}]\n"),
       Top(kSla + "retention, value: 6, unit: months}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_availability",
       Top(kSla + "availability, value: 99.9, unit: \"%\"}]\n"),
       Top(kSla + "availability, value: 99, unit: percent}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_end_of_support",
       Top(kSla + "endOfSupport, value: \"2030-06-01\"}]\n"),
       Top(kSla + "endOfSupport, value: \"2030-01-01\"}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_removed",
       Top(kSla + "latency, value: 4, unit: h}, {property: retention, value: 1, unit: y}]\n"),
       Top(kSla + "latency, value: 4, unit: h}]\n"),
       {"sla-removed"},
       {"sla-added"}},
      {"sla_time_of_availability",
       Top(kSla + "timeOfAvailability, value: \"09:00-08:00\"}]\n"),
       Top(kSla + "timeOfAvailability, value: \"10:00-08:00\"}]\n"),
       {"sla-weakened"},
       {"sla-strengthened"}},
      {"sla_unranked",
       Top(kSla + "generalAvailability, value: \"2030-01-01\"}]\n"),
       Top(kSla + "generalAvailability, value: \"2030-06-01\"}]\n"),
       {"sla-changed"},
       {"sla-changed"}},
      // Contract-wide fields.
      {"status", Top("status: active\n"), Top("status: deprecated\n"), {"status-deprecated"}, {"status-changed"}},
      {"domain", Top("domain: sales\n"), Top("domain: finance\n"), {"domain-changed"}, {"domain-changed"}},
      {"server", Top("servers: [{server: prod, type: postgres}]\n"), Top(""), {"server-removed"}, {"server-added"}},
      {"server_changed",
       Top("servers: [{server: prod, type: postgres}]\n"),
       Top("servers: [{server: prod, type: snowflake}]\n"),
       {"server-changed"},
       {"server-changed"}},
      {"role", Top("roles: [{role: analyst, access: read}]\n"), Top(""), {"role-removed"}, {"role-added"}},
      {"role_changed",
       Top("roles: [{role: analyst, access: read}]\n"),
       Top("roles: [{role: analyst, access: write}]\n"),
       {"role-changed"},
       {"role-changed"}},
      {"price",
       Top("price: {priceAmount: 1, priceCurrency: USD, priceUnit: megabyte}\n"),
       Top("price: {priceAmount: 2, priceCurrency: USD, priceUnit: megabyte}\n"),
       {"price-changed"},
       {"price-changed"}},
      // Documents and versions.
      {"contract", Top(""), "", {"contract-removed"}, {"contract-added"}},
      {"product", ProductYaml(""), "", {"product-removed"}, {"product-added"}},
      {"version_invalid",
       ContractYaml("[{name: orders}]", "", "1.0"),
       ContractYaml("[{name: orders}]", "", "1.0.0"),
       {"version-invalid"},
       {"version-invalid"}},
      // Data products.
      {"output_port",
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0, contractId: sales.orders}, "
                   "{name: daily, version: 1.0.0, contractId: sales.daily}]\n"),
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0, contractId: sales.orders}]\n"),
       {"output-port-removed"},
       {"output-port-added"}},
      {"output_port_contract",
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0, contractId: sales.orders}]\n"),
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0, contractId: sales.orders_v2}]\n"),
       {"output-port-contract-changed"},
       {"output-port-contract-changed"}},
      {"output_port_major",
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0}]\n"),
       ProductYaml("outputPorts: [{name: orders, version: 2.0.0}]\n"),
       {"output-port-version-major"},
       {"output-port-version-major"}},
      {"output_port_minor",
       ProductYaml("outputPorts: [{name: orders, version: 1.0.0}]\n"),
       ProductYaml("outputPorts: [{name: orders, version: 1.1.0}]\n"),
       {"output-port-version-changed"},
       {"output-port-version-major"}},  // going back is as breaking as a new major
      {"output_port_type",
       ProductYaml("outputPorts: [{name: orders, type: tables}]\n"),
       ProductYaml("outputPorts: [{name: orders, type: files}]\n"),
       {"output-port-type-changed"},
       {"output-port-type-changed"}},
      {"input_port",
       ProductYaml("inputPorts: [{name: customers, version: 1.0.0, contractId: crm.customers}]\n"),
       ProductYaml(""),
       {"input-port-removed"},
       {"input-port-added"}},
      {"input_port_changed",
       ProductYaml("inputPorts: [{name: customers, version: 1.0.0, contractId: crm.customers}]\n"),
       ProductYaml("inputPorts: [{name: customers, version: 2.0.0, contractId: crm.customers}]\n"),
       {"input-port-changed"},
       {"input-port-changed"}},
      {"management_port",
       ProductYaml("managementPorts: [{name: catalog, content: discoverability, type: rest, url: \"https://a\"}]\n"),
       ProductYaml(""),
       {"management-port-removed"},
       {"management-port-added"}},
      {"management_port_changed",
       ProductYaml("managementPorts: [{name: catalog, content: discoverability, type: rest, url: \"https://a\"}]\n"),
       ProductYaml("managementPorts: [{name: catalog, content: discoverability, type: rest, url: \"https://b\"}]\n"),
       {"management-port-changed"},
       {"management-port-changed"}},
      {"product_status",
       ProductYaml("status: active\n"),
       ProductYaml("status: retired\n"),
       {"status-deprecated"},
       {"status-changed"}},
  };
}

class DiffRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(DiffRuleTest, BothDirections) {
  const RuleCase& c = GetParam();
  auto forward = Diff(c.old_yaml, c.new_yaml);
  EXPECT_EQ(Rules(forward), c.forward) << "OLD -> NEW reported:\n" << Describe(forward);
  auto backward = Diff(c.new_yaml, c.old_yaml);
  EXPECT_EQ(Rules(backward), c.backward) << "NEW -> OLD reported:\n" << Describe(backward);
  // Every change carries its rule's catalogued severity.
  for (const auto* diffs : {&forward, &backward}) {
    for (const auto& d : *diffs) {
      for (const auto& ch : d.changes) {
        const DiffRuleInfo* info = FindDiffRule(ch.rule);
        ASSERT_NE(info, nullptr) << ch.rule;
        EXPECT_EQ(ch.severity, info->severity) << ch.rule;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DiffRules, DiffRuleTest, ::testing::ValuesIn(RuleCases()),
                         [](const ::testing::TestParamInfo<RuleCase>& param_info) { return param_info.param.name; });

TEST(DiffRulesTest, EveryRuleHasACaseInBothDirections) {
  std::set<std::string> covered;
  for (const auto& c : RuleCases()) {
    covered.insert(c.forward.begin(), c.forward.end());
    covered.insert(c.backward.begin(), c.backward.end());
  }
  std::set<std::string> ids;
  for (const auto& r : DiffRules()) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate rule id " << r.id;
    EXPECT_FALSE(r.summary.empty()) << r.id;
    EXPECT_TRUE(covered.count(r.id)) << "no test case reports " << r.id;
  }
  for (const auto& id : covered) EXPECT_NE(FindDiffRule(id), nullptr) << id;
}

TEST(DiffRulesTest, LevelFollowsSeverity) {
  for (const auto& r : DiffRules()) {
    switch (r.severity) {
      case ChangeSeverity::kBreaking:
        EXPECT_EQ(r.level, ChangeLevel::kBreaking) << r.id;
        break;
      case ChangeSeverity::kWarning:
        EXPECT_EQ(r.level, ChangeLevel::kAddition) << r.id;
        break;
      case ChangeSeverity::kInfo:
        EXPECT_NE(r.level, ChangeLevel::kBreaking) << r.id;
        break;
    }
  }
  EXPECT_EQ(FindDiffRule("property-added")->level, ChangeLevel::kAddition);
  EXPECT_EQ(FindDiffRule("description-changed")->level, ChangeLevel::kInfo);
}

// ---------------------------------------------------------------------------
// Subjects, messages and positions

TEST(DiffContractsTest, RemovedPropertyNamesObjectAndColumn) {
  DocumentDiff d = DiffOne(Props("[{name: order_id}, {name: customer_id}]"), Props("[{name: order_id}]"));
  const Change* c = Find(d, "property-removed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->severity, ChangeSeverity::kBreaking);
  EXPECT_EQ(c->subject, "orders.customer_id");
  EXPECT_EQ(c->message, "property 'customer_id' removed from 'orders'");
  EXPECT_EQ(c->old_pos.line, 6);  // the flow map's line in OLD
  EXPECT_EQ(c->new_pos.line, 0);
}

TEST(DiffContractsTest, NestedPropertiesUseDottedPaths) {
  DocumentDiff d =
      DiffOne(Props("[{name: customer, properties: [{name: address, properties: [{name: city}, {name: zip}]}]}]"),
              Props("[{name: customer, properties: [{name: address, properties: [{name: city, required: true}]}]}]"));
  const Change* removed = Find(d, "property-removed");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->subject, "orders.customer.address.zip");
  EXPECT_EQ(removed->message, "property 'zip' removed from 'orders.customer.address'");
  const Change* required = Find(d, "required-tightened");
  ASSERT_NE(required, nullptr);
  EXPECT_EQ(required->subject, "orders.customer.address.city");
}

TEST(DiffContractsTest, ArrayItemsUseBracketPath) {
  DocumentDiff d = DiffOne(Props("[{name: lines, items: {properties: [{name: sku}, {name: qty}]}}]"),
                           Props("[{name: lines, items: {properties: [{name: sku}]}}]"));
  const Change* c = Find(d, "property-removed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->subject, "orders.lines[].qty");
}

TEST(DiffContractsTest, TypeChangeKeepsBothValues) {
  DocumentDiff d = DiffOne(Prop("logicalType: integer"), Prop("logicalType: string"));
  const Change* c = Find(d, "logical-type-changed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->old_value, "integer");
  EXPECT_EQ(c->new_value, "string");
  EXPECT_EQ(c->message, "logicalType of property 'amount' in 'orders' changed from 'integer' to 'string'");
}

TEST(DiffContractsTest, PhysicalTypeSpellingIsNoChange) {
  EXPECT_TRUE(DiffOne(Prop("physicalType: int"), Prop("physicalType: INTEGER")).changes.empty());
  EXPECT_TRUE(
      DiffOne(Prop("physicalType: \"decimal(10,2)\""), Prop("physicalType: \"NUMERIC(10, 2)\"")).changes.empty());
}

TEST(DiffContractsTest, SlaUnitsAreNormalised) {
  EXPECT_TRUE(DiffOne(Top(kSla + "latency, value: 4, unit: h}]\n"), Top(kSla + "latency, value: 240, unit: min}]\n"))
                  .changes.empty());
  EXPECT_TRUE(
      DiffOne(Top(kSla + "retention, value: 1, unit: years}]\n"), Top(kSla + "retention, value: 12, unit: mo}]\n"))
          .changes.empty());
  DocumentDiff d =
      DiffOne(Top(kSla + "latency, value: 90, unit: m}]\n"), Top(kSla + "latency, value: 1, unit: hr}]\n"));
  EXPECT_NE(Find(d, "sla-strengthened"), nullptr) << Describe({d});
}

// Issue 14: diff read `M` as minutes and called this tightening a weakening.
// `M` is the month (spec/sla.h), `m` the minute.
TEST(DiffContractsTest, OneMonthToNinetyMinutesIsAStrengthening) {
  DocumentDiff d = DiffOne(Top(kSla + "latency, value: 1, unit: M}]\n"), Top(kSla + "latency, value: 90, unit: m}]\n"));
  EXPECT_NE(Find(d, "sla-strengthened"), nullptr) << Describe({d});
  EXPECT_EQ(Find(d, "sla-weakened"), nullptr) << Describe({d});
  DocumentDiff back = DiffOne(Top(kSla + "latency, value: 90, unit: m}]\n"), Top(kSla + "latency, value: 1, unit: M}]\n"));
  EXPECT_NE(Find(back, "sla-weakened"), nullptr) << Describe({back});
}

TEST(DiffContractsTest, AnSlaSynonymPairsWithItsName) {
  DocumentDiff d = DiffOne(Top(kSla + "ly, value: 4, unit: h}]\n"), Top(kSla + "latency, value: 2, unit: h}]\n"));
  EXPECT_NE(Find(d, "sla-strengthened"), nullptr) << Describe({d});
  EXPECT_EQ(Find(d, "sla-removed"), nullptr) << Describe({d});
}

TEST(DiffContractsTest, SlaSubjectsNameTheElement) {
  DocumentDiff d = DiffOne(Top(kSla + "latency, value: 4, unit: h, element: orders.updated_at}]\n"), Top(""));
  const Change* c = Find(d, "sla-removed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->subject, "sla:latency@orders.updated_at");
}

TEST(DiffContractsTest, ValidValuesNamesLostValues) {
  DocumentDiff d = DiffOne(Prop(kValid + "[a, b, c]}, mustBe: 0}]"), Prop(kValid + "[a, b, d]}, mustBe: 0}]"));
  const Change* c = Find(d, "valid-values-narrowed");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->message, "valid values of property 'amount' in 'orders' narrowed: lost [\"c\"], gained [\"d\"]");
}

TEST(DiffContractsTest, IdenticalContractsHaveNoChanges) {
  std::string yaml =
      Prop("logicalType: number, required: true, logicalTypeOptions: {minimum: 0}, " + kValid + "[a]}, mustBe: 0}]");
  DocumentDiff d = DiffOne(yaml, yaml);
  EXPECT_TRUE(d.changes.empty()) << Describe({d});
  EXPECT_EQ(d.level, ChangeLevel::kNone);
  EXPECT_TRUE(d.bump_enough);
}

// ---------------------------------------------------------------------------
// Version bumps

std::string Versioned(const std::string& version, const std::string& properties) {
  return ContractYaml("[{name: orders, properties: " + properties + "}]", "", version);
}

TEST(DiffVersionTest, BreakingChangeNeedsMajor) {
  DocumentDiff d = DiffOne(Versioned("1.2.0", "[{name: a}, {name: b}]"), Versioned("2.0.0", "[{name: a}]"));
  EXPECT_EQ(d.level, ChangeLevel::kBreaking);
  EXPECT_EQ(d.required, BumpKind::kMajor);
  EXPECT_EQ(d.bump, BumpKind::kMajor);
  EXPECT_TRUE(d.bump_enough);
  EXPECT_TRUE(d.has_breaking());

  d = DiffOne(Versioned("1.2.0", "[{name: a}, {name: b}]"), Versioned("1.3.0", "[{name: a}]"));
  EXPECT_EQ(d.bump, BumpKind::kMinor);
  EXPECT_FALSE(d.bump_enough);
}

TEST(DiffVersionTest, AdditionNeedsMinor) {
  DocumentDiff d = DiffOne(Versioned("1.0.0", "[{name: a}]"), Versioned("1.0.1", "[{name: a}, {name: b}]"));
  EXPECT_EQ(d.level, ChangeLevel::kAddition);
  EXPECT_EQ(d.required, BumpKind::kMinor);
  EXPECT_FALSE(d.bump_enough);
  d = DiffOne(Versioned("1.0.0", "[{name: a}]"), Versioned("1.1.0", "[{name: a}, {name: b}]"));
  EXPECT_TRUE(d.bump_enough);
}

TEST(DiffVersionTest, WarningNeedsMinor) {
  DocumentDiff d = DiffOne(Versioned("1.0.0", "[{name: a, required: true}]"), Versioned("1.0.1", "[{name: a}]"));
  ASSERT_NE(Find(d, "required-relaxed"), nullptr);
  EXPECT_EQ(d.required, BumpKind::kMinor);
  EXPECT_FALSE(d.bump_enough);
}

TEST(DiffVersionTest, InfoNeedsPatch) {
  DocumentDiff d =
      DiffOne(Versioned("1.0.0", "[{name: a, description: x}]"), Versioned("1.0.1", "[{name: a, description: y}]"));
  EXPECT_EQ(d.level, ChangeLevel::kInfo);
  EXPECT_EQ(d.required, BumpKind::kPatch);
  EXPECT_TRUE(d.bump_enough);
  // The same change without any bump is not enough.
  d = DiffOne(Versioned("1.0.0", "[{name: a, description: x}]"), Versioned("1.0.0", "[{name: a, description: y}]"));
  EXPECT_EQ(d.bump, BumpKind::kNone);
  EXPECT_FALSE(d.bump_enough);
}

TEST(DiffVersionTest, BackwardsIsNeverEnough) {
  DocumentDiff d = DiffOne(Versioned("1.1.0", "[{name: a}]"), Versioned("1.0.0", "[{name: a}]"));
  EXPECT_TRUE(d.changes.empty());
  EXPECT_EQ(d.bump, BumpKind::kBackwards);
  EXPECT_FALSE(d.bump_enough);
}

TEST(DiffVersionTest, UnparsableVersionIsBreaking) {
  DocumentDiff d = DiffOne(Versioned("1.0.0", "[{name: a}]"), Versioned("v2", "[{name: a}]"));
  const Change* c = Find(d, "version-invalid");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->severity, ChangeSeverity::kBreaking);
  EXPECT_EQ(c->new_value, "v2");
  EXPECT_NE(c->message.find("'v2' is not a semantic version"), std::string::npos) << c->message;
  EXPECT_EQ(c->new_pos.line, 5);
  EXPECT_FALSE(d.bump_enough);
}

// ---------------------------------------------------------------------------
// Pairing documents across files and directories

TEST(DiffDocumentsTest, PairsByKindAndIdAcrossFiles) {
  std::vector<Document> olds, news;
  for (auto& d : Load(Props("[{name: a}, {name: b}]"), "old/orders.odcs.yaml")) olds.push_back(std::move(d));
  for (auto& d : Load(ProductYaml("outputPorts: [{name: orders, version: 1.0.0}]\n"), "old/product.odps.yaml"))
    olds.push_back(std::move(d));
  // NEW lists them in the other order, under other file names.
  for (auto& d : Load(ProductYaml("outputPorts: [{name: orders, version: 1.0.0}]\n"), "new/p.yaml"))
    news.push_back(std::move(d));
  for (auto& d : Load(Props("[{name: a}]"), "new/renamed.yaml")) news.push_back(std::move(d));

  auto diffs = DiffDocuments(olds, news);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].kind, DocKind::kDataContract);  // a contract and a product may share an id
  EXPECT_EQ(diffs[0].id, "sales.orders");
  EXPECT_EQ(diffs[0].old_file, "old/orders.odcs.yaml");
  EXPECT_EQ(diffs[0].new_file, "new/renamed.yaml");
  EXPECT_EQ(Rules({diffs[0]}), std::set<std::string>{"property-removed"});
  EXPECT_EQ(diffs[1].kind, DocKind::kDataProduct);
  EXPECT_TRUE(diffs[1].changes.empty());
}

TEST(DiffDocumentsTest, DifferentIdsAreRemovalAndAddition) {
  std::string other = Top("");
  other.replace(other.find("id: sales.orders"), 16, "id: sales.refund");
  auto diffs = Diff(Top(""), other);
  EXPECT_EQ(Rules(diffs), (std::set<std::string>{"contract-removed", "contract-added"})) << Describe(diffs);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_TRUE(diffs[0].has_breaking());
  EXPECT_EQ(diffs[0].old_file, "old.yaml");
  EXPECT_TRUE(diffs[1].new_file == "new.yaml" && diffs[1].old_file.empty());
  EXPECT_TRUE(diffs[1].bump_enough);
}

TEST(DiffDocumentsTest, FallsBackToNameWithoutId) {
  auto without_id = [](std::string yaml) { return yaml.replace(yaml.find("id: sales.orders\n"), 17, ""); };
  auto diffs = Diff(without_id(Props("[{name: a}, {name: b}]")), without_id(Props("[{name: a}]")));
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].id, "orders");
  EXPECT_EQ(Rules(diffs), std::set<std::string>{"property-removed"});
}

TEST(DiffDocumentsTest, IgnoresDomains) {
  std::string domain = "apiVersion: weft/v1\nkind: Domain\nname: sales\n";
  LoadedFile f = LoadText(domain, "domain.yaml");
  EXPECT_TRUE(DiffDocuments(f.documents, {}).empty());
}

TEST(DiffDocumentsTest, JsonHasEveryField) {
  DocumentDiff d = DiffOne(Props("[{name: a}, {name: b}]"), Props("[{name: a}]"));
  Json j = ToJson(d);
  EXPECT_EQ(j["kind"], "DataContract");
  EXPECT_EQ(j["id"], "sales.orders");
  EXPECT_EQ(j["oldFile"], "old.yaml");
  EXPECT_EQ(j["level"], "breaking");
  EXPECT_EQ(j["bump"], "none");
  EXPECT_EQ(j["requiredBump"], "major");
  EXPECT_EQ(j["bumpEnough"], false);
  ASSERT_EQ(j["changes"].size(), 1u);
  const Json& c = j["changes"][0];
  EXPECT_EQ(c["severity"], "breaking");
  EXPECT_EQ(c["rule"], "property-removed");
  EXPECT_EQ(c["subject"], "orders.b");
  EXPECT_TRUE(c["oldPos"].is_object());
  EXPECT_TRUE(c["newPos"].is_null());
}

// The pair the end-to-end test runs `weft diff` on.
TEST(DiffDocumentsTest, FixturePairDropsAColumn) {
  const char* root = std::getenv("WEFT_SOURCE_DIR");
  std::filesystem::path dir = std::filesystem::path(root ? root : ".") / "tests/fixtures/diff";
  LoadedFile a = LoadFile(dir / "old/orders.odcs.yaml"), b = LoadFile(dir / "new/orders.odcs.yaml");
  ASSERT_EQ(CountErrors(a.diagnostics) + CountErrors(b.diagnostics), 0u);
  auto diffs = DiffDocuments(a.documents, b.documents);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(Rules(diffs), std::set<std::string>{"property-removed"}) << Describe(diffs);
  EXPECT_EQ(diffs[0].changes[0].subject, "orders.customer_id");
  EXPECT_FALSE(diffs[0].bump_enough);
}

}  // namespace
}  // namespace weft::spec
