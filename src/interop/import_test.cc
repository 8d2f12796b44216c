// Imports: each format's input becomes weft's layout, which loads and lints
// clean; bad input is an error at file:line:col and yields no files.
#include "interop/import.h"

#include <gtest/gtest.h>

#include "spec/loader.h"

using weft::spec::Json;

namespace weft::interop {
namespace {

// The seed's shape: how teams write a contract before ODCS.
constexpr char kSimple[] = R"(schema: orders
version: 1.2.0
owner: ana@example.com
description: One row per order.
sla:
  freshness: 24h
  availability: 99.9%
fields:
  - name: order_id
    type: string
    required: true
  - name: status
    type: string
    enum: [open, shipped, cancelled]
  - name: amount
    type: number
  - name: placed_at
    type: timestamp
quality:
  - no_nulls: [order_id, amount]
  - unique: order_id
  - range: {field: amount, min: 0, max: 100000}
)";

const spec::DataContract& ContractOf(const std::vector<spec::ScaffoldFile>& files, spec::LoadedFile& holder) {
  for (const auto& f : files)
    if (f.path.ends_with(".odcs.yaml")) {
      holder = spec::LoadText(f.content, f.path);
      return *holder.documents.at(0).contract();
    }
  ADD_FAILURE() << "no contract among the files";
  static spec::DataContract none;
  return none;
}

TEST(ImportSimpleTest, TheSeedShapeBecomesAProductAndItsContract) {
  auto files = Import(ImportFormat::kSimple, {{"orders.yaml", kSimple}}, {.domain = "sales"});
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "domains/sales/products/orders/product.odps.yaml");
  EXPECT_EQ((*files)[1].path, "domains/sales/products/orders/orders.odcs.yaml");
  spec::LoadedFile holder;
  const spec::DataContract& c = ContractOf(*files, holder);
  EXPECT_EQ(c.id, "sales.orders");
  EXPECT_EQ(c.version, "1.2.0");
  EXPECT_EQ(c.team.members.at(0).username, "ana@example.com");
  const spec::SchemaObject& o = c.schema.at(0);
  const spec::Property* id = o.FindProperty("order_id");
  ASSERT_NE(id, nullptr);
  EXPECT_TRUE(id->is_required());
  EXPECT_TRUE(id->is_unique());
  EXPECT_TRUE(o.FindProperty("amount")->is_required());
  EXPECT_EQ(o.FindProperty("amount")->options.at("minimum"), 0);
  EXPECT_EQ(o.FindProperty("amount")->options.at("maximum"), 100000);
  const spec::Property* status = o.FindProperty("status");
  ASSERT_EQ(status->quality.size(), 1u);
  EXPECT_EQ(status->quality[0].metric, "invalidValues");
  EXPECT_EQ(status->quality[0].arguments["validValues"].size(), 3u);
  EXPECT_EQ(o.FindProperty("placed_at")->logical_type, "timestamp");
  ASSERT_EQ(c.sla_properties.size(), 2u);
  EXPECT_EQ(c.sla_properties[0].property, "latency");
  EXPECT_EQ(c.sla_properties[0].value, 24);
  EXPECT_EQ(c.sla_properties[0].unit, "h");
  EXPECT_EQ(c.sla_properties[1].property, "availability");
  EXPECT_EQ(c.sla_properties[1].value, 99.9);
}

TEST(ImportSimpleTest, BadInputIsAnErrorAtItsPlace) {
  struct Case {
    std::string text, expected;
  };
  std::vector<Case> cases = {
      {"schema: t\nfields:\n  - name: a\n    type: strnig\n", "t.yaml:4:11: field 'a': unknown type 'strnig'"},
      {"schema: t\nfields:\n  - name: a\n    type: string\nquality:\n  - no_nulls: b\n",
       "t.yaml:6:15: rule 'no_nulls' names 'b', which is not a field"},
      {"schema: t\nsla: {freshness: soon}\nfields: [{name: a, type: string}]\n",
       "t.yaml:2:18: SLA 'freshness' must be a duration"},
      {"schema: t\nfeilds: []\n", "t.yaml:2:1: unknown key 'feilds'"},
      {"schema: t\nfields: [{name: a, type: string}\n", "t.yaml:3:1: "},
      // Found by fuzz_import (fuzz/findings/import-range-bound-not-a-number):
      // refused only by the lint of the rendered contract, at its line.
      {"schema: t\nfields: [{name: amount, type: number}]\nquality:\n  - range: {field: amount, min: 0, max: 1000chec00}\n",
       "t.yaml:4:41: field 'amount' is a number: its range bound must be a number, not '1000chec00'"},
      {"schema: t\nfields: [{name: day, type: date, quality: [{range: {min: yesterday}}]}]\n",
       "t.yaml:2:58: field 'day' is a date: its range bound must be a date such as 2024-01-31, not 'yesterday'"},
      {"schema: t\nfields: [{name: s, type: string, quality: [{range: {min: 1}}]}]\n",
       "t.yaml:2:44: rule 'range' on field 's' of type string: a range applies to"},
  };
  for (const auto& c : cases) {
    auto files = Import(ImportFormat::kSimple, {{"t.yaml", c.text}}, {.domain = "sales"});
    ASSERT_FALSE(files.ok()) << c.text;
    EXPECT_EQ(files.status().message().rfind(c.expected, 0), 0u) << files.status().message();
  }
}

TEST(ImportSimpleTest, TheDomainComesFromTheFileOrTheOption) {
  EXPECT_FALSE(Import(ImportFormat::kSimple, {{"t.yaml", "schema: t\nfields: [{name: a, type: string}]\n"}}, {}).ok());
  auto files = Import(ImportFormat::kSimple, {{"t.yaml", "schema: t\ndomain: hr\nfields: [{name: a, type: string}]\n"}}, {});
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->at(0).path, "domains/hr/products/t/product.odps.yaml");
}

constexpr char kPostgresDdl[] = R"(-- the shop's tables, as pg_dump writes them
CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  email character varying(200) NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);
CREATE TABLE "OrderLines" (
  order_id integer NOT NULL,
  line integer NOT NULL,
  customer_id bigint REFERENCES customers (id),
  amount numeric(10, 2) CHECK (amount >= 0 AND amount <= 1000000),
  status text CHECK (status IN ('open', 'shipped')),
  note text CHECK (length(note) < 200),
  PRIMARY KEY (order_id, line)
);
COMMENT ON TABLE customers IS 'One row per customer.';
COMMENT ON COLUMN customers.email IS 'Where receipts go.';
)";

TEST(ImportSqlTest, DuckDbReadsPostgresDdlIntoContracts) {
  auto files = Import(ImportFormat::kSql, {{"shop.sql", kPostgresDdl}}, {.domain = "shop"});
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ((*files)[2].path, "domains/shop/products/order_lines/product.odps.yaml");
  spec::LoadedFile customers_file = spec::LoadText((*files)[1].content, (*files)[1].path);
  const spec::DataContract& customers = *customers_file.documents.at(0).contract();
  EXPECT_EQ(customers.description.purpose, "One row per customer.");
  const spec::SchemaObject& c = customers.schema.at(0);
  EXPECT_TRUE(c.FindProperty("id")->is_primary_key());
  EXPECT_EQ(c.FindProperty("id")->logical_type, "integer");
  EXPECT_TRUE(c.FindProperty("email")->is_required());
  EXPECT_TRUE(c.FindProperty("email")->is_unique());
  EXPECT_EQ(c.FindProperty("email")->description, "Where receipts go.");
  EXPECT_EQ(c.FindProperty("created_at")->logical_type, "timestamp");

  spec::LoadedFile lines_file = spec::LoadText((*files)[3].content, (*files)[3].path);
  const spec::SchemaObject& o = lines_file.documents.at(0).contract()->schema.at(0);
  EXPECT_EQ(o.physical_name, "OrderLines");
  EXPECT_EQ(*o.FindProperty("order_id")->primary_key_position, 1);
  EXPECT_EQ(*o.FindProperty("line")->primary_key_position, 2);
  EXPECT_EQ(o.FindProperty("amount")->physical_type, "DECIMAL(10,2)");
  EXPECT_EQ(o.FindProperty("amount")->options.at("minimum"), 0);
  EXPECT_EQ(o.FindProperty("amount")->options.at("maximum"), 1000000);
  EXPECT_EQ(o.FindProperty("status")->quality.at(0).arguments["validValues"], Json::parse(R"(["open", "shipped"])"));
  ASSERT_EQ(o.FindProperty("customer_id")->relationships.size(), 1u);
  EXPECT_EQ(o.FindProperty("customer_id")->relationships[0].Target(o.FindProperty("customer_id")->relationships[0].to.at(0)),
            "shop.customers#customers.id");
  ASSERT_EQ(o.quality.size(), 1u);  // length(note) < 200 is no bound: a sql rule
  EXPECT_EQ(o.quality[0].type, "sql");
}

TEST(ImportSqlTest, BadDdlIsAnErrorAtItsLineAndNothingElse) {
  auto bad = Import(ImportFormat::kSql, {{"bad.sql", "CREATE TABLE t (\n  id integer,\n  name varchar(10) NOT NUL\n);\n"}},
                    {.domain = "shop"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("bad.sql:3:", 0), 0u) << bad.status().message();
  // The DDL runs sandboxed: it cannot read files.
  auto sneaky = Import(ImportFormat::kSql, {{"x.sql", "CREATE TABLE t AS SELECT * FROM read_csv('/etc/passwd');"}},
                       {.domain = "shop"});
  ASSERT_FALSE(sneaky.ok());
  EXPECT_NE(sneaky.status().message().find("x.sql"), std::string::npos) << sneaky.status().message();
}

constexpr char kDbt[] = R"(version: 2
models:
  - name: customers
    constraints:
      - {type: primary_key, columns: [id, region]}
    columns:
      - name: id
        data_type: bigint
      - name: region
        data_type: varchar
  - name: orders
    description: One row per order.
    config:
      contract: {enforced: true}
    latest_version: 2
    columns:
      - name: order_id
        data_type: varchar
        data_tests: [not_null, unique]
      - name: status
        data_type: varchar
        data_tests:
          - accepted_values:
              arguments:
                values: [open, shipped]
      - name: customer_id
        data_type: bigint
        tests:
          - relationships: {to: ref('customers'), field: id}
      - name: legacy_code
        data_type: varchar
    versions:
      - v: 1
      - v: 2
        columns:
          - include: all
            exclude: [legacy_code]
)";

TEST(ImportDbtTest, ModelsBecomeProductsAtTheirLatestVersion) {
  auto files = Import(ImportFormat::kDbt, {{"schema.yml", kDbt}}, {.domain = "shop"});
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 4u);
  spec::LoadedFile holder = spec::LoadText((*files)[3].content, (*files)[3].path);
  const spec::DataContract& c = *holder.documents.at(0).contract();
  EXPECT_EQ(c.version, "2.0.0");
  EXPECT_EQ(c.tags, std::vector<std::string>{"dbt-contract-enforced"});
  const spec::SchemaObject& o = c.schema.at(0);
  EXPECT_EQ(o.properties.size(), 3u);  // legacy_code excluded from v2
  EXPECT_TRUE(o.FindProperty("order_id")->is_required());
  EXPECT_TRUE(o.FindProperty("order_id")->is_unique());
  EXPECT_EQ(o.FindProperty("status")->quality.at(0).metric, "invalidValues");
  EXPECT_EQ(o.FindProperty("customer_id")->relationships.at(0).Target(o.FindProperty("customer_id")->relationships.at(0).to.at(0)),
            "shop.customers#customers.id");
  spec::LoadedFile customers = spec::LoadText((*files)[1].content, (*files)[1].path);
  const spec::SchemaObject& k = customers.documents.at(0).contract()->schema.at(0);
  EXPECT_EQ(*k.FindProperty("id")->primary_key_position, 1);  // a model-level key over two columns
  EXPECT_EQ(*k.FindProperty("region")->primary_key_position, 2);
}

TEST(ImportDbtTest, AModelWithoutANameIsAnErrorAtIt) {
  auto bad = Import(ImportFormat::kDbt, {{"schema.yml", "version: 2\nmodels:\n  - columns: []\n"}}, {.domain = "shop"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "schema.yml:3:5: a model needs a name");
}

constexpr char kJsonSchema[] = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Customer",
  "description": "A customer of the shop.",
  "type": "object",
  "required": ["id", "email"],
  "properties": {
    "id": {"type": "integer", "minimum": 1},
    "email": {"type": "string", "format": "email", "maxLength": 200},
    "tier": {"type": ["string", "null"], "enum": ["gold", "silver"]},
    "born": {"type": "string", "format": "date"},
    "address": {"type": "object", "properties": {"city": {"type": "string"}}},
    "tags": {"type": "array", "items": {"type": "string"}}
  }
})";

TEST(ImportJsonSchemaTest, PropertiesRequiredEnumFormatsAndBounds) {
  auto files = Import(ImportFormat::kJsonSchema, {{"customer.json", kJsonSchema}}, {.domain = "shop"});
  ASSERT_TRUE(files.ok()) << files.status().message();
  spec::LoadedFile holder = spec::LoadText((*files)[1].content, (*files)[1].path);
  const spec::DataContract& c = *holder.documents.at(0).contract();
  EXPECT_EQ(c.id, "shop.customer");
  const spec::SchemaObject& o = c.schema.at(0);
  EXPECT_TRUE(o.FindProperty("id")->is_required());
  EXPECT_EQ(o.FindProperty("id")->options.at("minimum"), 1);
  EXPECT_EQ(o.FindProperty("email")->options.at("format"), "email");
  EXPECT_EQ(o.FindProperty("email")->options.at("maxLength"), 200);
  EXPECT_FALSE(o.FindProperty("tier")->is_required());
  EXPECT_EQ(o.FindProperty("tier")->quality.at(0).metric, "invalidValues");
  EXPECT_EQ(o.FindProperty("born")->logical_type, "date");
  EXPECT_EQ(o.FindProperty("address")->properties.at(0).name, "city");
  EXPECT_EQ(o.FindProperty("tags")->items.at(0).logical_type, "string");
}

TEST(ImportJsonSchemaTest, AnUnsupportedKeywordIsAnErrorAtIt) {
  auto bad = Import(ImportFormat::kJsonSchema,
                    {{"c.json", "{\"properties\": {\n  \"a\": {\"anyOf\": [{\"type\": \"string\"}]}}}"}},
                    {.domain = "shop"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("c.json:2:18: 'anyOf'", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace weft::interop
