// Exports: each format of an applied contract, and the round trips
// export -> import -> the same schema (spec::DiffContracts finds no change).
#include "interop/export.h"

#include <gtest/gtest.h>

#include "engine/connection.h"
#include "engine/database.h"
#include "interop/import.h"
#include "spec/diff.h"
#include "spec/loader.h"

namespace weft::interop {
namespace {

constexpr char kProduct[] = R"(apiVersion: v1.0.0
kind: DataProduct
id: shop.orders
name: orders
version: 1.0.0
status: active
domain: shop
team: {name: shop-team}
outputPorts: [{name: orders, version: 1.0.0, type: tables, contractId: shop.orders}]
)";

constexpr char kContract[] = R"(apiVersion: v3.1.0
kind: DataContract
id: shop.orders
name: orders
version: 1.0.0
status: active
domain: shop
description: {purpose: One row per order.}
team: {name: shop-team}
schema:
  - name: orders
    physicalType: table
    properties:
      - name: order_id
        logicalType: string
        physicalType: VARCHAR
        classification: internal
        description: The order's number.
        required: true
        primaryKey: true
        primaryKeyPosition: 1
      - name: status
        classification: internal
        logicalType: string
        physicalType: VARCHAR
        required: true
        quality:
          - metric: invalidValues
            arguments: {validValues: [open, shipped]}
            mustBe: 0
      - name: amount
        classification: internal
        logicalType: number
        physicalType: DECIMAL(10,2)
        logicalTypeOptions: {minimum: 0, maximum: 100000}
      - name: email
        classification: internal
        logicalType: string
        physicalType: VARCHAR
        unique: true
        logicalTypeOptions: {maxLength: 200, pattern: "[a-z.]+@[a-z.]+"}
      - name: placed_at
        classification: internal
        logicalType: timestamp
        physicalType: TIMESTAMP
        required: true
      - name: quantity
        classification: internal
        logicalType: integer
        physicalType: BIGINT
        logicalTypeOptions: {exclusiveMinimum: 0}
)";

struct Loaded {
  spec::LoadedFile product = spec::LoadText(kProduct, "product.odps.yaml");
  spec::LoadedFile contract = spec::LoadText(kContract, "orders.odcs.yaml");
  const spec::Document& p() const { return product.documents.at(0); }
  const spec::Document& c() const { return contract.documents.at(0); }
};

std::string Exported(ExportFormat f, SqlDialect d = SqlDialect::kDuckDb) {
  Loaded l;
  EXPECT_TRUE(l.contract.diagnostics.empty());
  auto text = Export(f, l.p(), l.c(), d);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "";
}

// The schema changes between the original and what an import of the export
// gives back; what a format cannot carry is named by the caller.
std::vector<std::string> SchemaChanges(ImportFormat f, const std::string& text, const std::string& file) {
  auto files = Import(f, {{file, text}}, {.domain = "shop"});
  EXPECT_TRUE(files.ok()) << files.status().message() << "\n" << text;
  if (!files.ok()) return {"import failed"};
  spec::LoadedFile back = spec::LoadText(files->at(1).content, files->at(1).path);
  Loaded l;
  spec::DocumentDiff d = spec::DiffContracts(*l.c().contract(), *back.documents.at(0).contract());
  std::vector<std::string> out;
  for (const auto& c : d.changes)
    if (c.subject.rfind("orders.", 0) == 0 || c.subject == "orders") out.push_back(c.rule + " " + c.subject);
  return out;
}

TEST(ExportTest, OdcsAndOdpsAreTheAppliedDocumentsAsYaml) {
  std::string odcs = Exported(ExportFormat::kOdcs);
  EXPECT_EQ(odcs.rfind("apiVersion: v3.1.0\nkind: DataContract\nid: shop.orders\n", 0), 0u) << odcs;
  spec::LoadedFile again = spec::LoadText(odcs, "again.odcs.yaml");
  ASSERT_TRUE(again.diagnostics.empty()) << spec::FormatGcc(again.diagnostics[0]);
  Loaded l;
  EXPECT_EQ(again.documents.at(0).json, l.c().json);
  EXPECT_EQ(Exported(ExportFormat::kOdps).rfind("apiVersion: v1.0.0\nkind: DataProduct\n", 0), 0u);
}

TEST(ExportTest, TheDuckDbDdlRunsInDuckDb) {
  std::string ddl = Exported(ExportFormat::kSqlDdl, SqlDialect::kDuckDb);
  EXPECT_NE(ddl.find("PRIMARY KEY (\"order_id\")"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("CHECK (\"status\" IN ('open', 'shipped'))"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("COMMENT ON COLUMN \"orders\".\"order_id\" IS 'The order''s number.';"), std::string::npos) << ddl;
  auto db = engine::Database::Open({});
  ASSERT_TRUE(db.ok());
  auto conn = engine::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Execute(ddl).ok()) << conn->Execute(ddl).message() << "\n" << ddl;
  // The constraints hold: a negative amount and an unknown status are refused.
  EXPECT_TRUE(conn->Execute("INSERT INTO orders VALUES ('a', 'open', 1, NULL, now(), 1)").ok());
  EXPECT_FALSE(conn->Execute("INSERT INTO orders VALUES ('b', 'open', -1, NULL, now(), 1)").ok());
  EXPECT_FALSE(conn->Execute("INSERT INTO orders VALUES ('c', 'lost', 1, NULL, now(), 1)").ok());
  EXPECT_FALSE(conn->Execute("INSERT INTO orders VALUES ('a', 'open', 1, NULL, now(), 1)").ok());
}

TEST(ExportTest, ThePostgresDdlSpeaksPostgres) {
  std::string ddl = Exported(ExportFormat::kSqlDdl, SqlDialect::kPostgres);
  EXPECT_NE(ddl.find("\"amount\" numeric(10,2)"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("\"order_id\" text NOT NULL"), std::string::npos) << ddl;
  EXPECT_NE(ddl.find("\"placed_at\" timestamp NOT NULL"), std::string::npos) << ddl;
}

TEST(ExportRoundTripTest, SqlDdlInBothDialects) {
  EXPECT_EQ(SchemaChanges(ImportFormat::kSql, Exported(ExportFormat::kSqlDdl, SqlDialect::kDuckDb), "orders.sql"),
            std::vector<std::string>{});
  EXPECT_EQ(SchemaChanges(ImportFormat::kSql, Exported(ExportFormat::kSqlDdl, SqlDialect::kPostgres), "orders.sql"),
            std::vector<std::string>{});
}

// JSON Schema has no physical types, keys or column uniqueness: exactly those
// are lost (docs/import-export.md).
TEST(ExportRoundTripTest, JsonSchemaKeepsAllButPhysicalTypesKeysAndUniqueness) {
  std::vector<std::string> lost = {
      "physical-type-changed orders.order_id", "primary-key-removed orders.order_id",
      "physical-type-changed orders.status",   "physical-type-changed orders.amount",
      "physical-type-changed orders.email",    "unique-removed orders.email",
      "physical-type-changed orders.placed_at", "physical-type-changed orders.quantity"};
  EXPECT_EQ(SchemaChanges(ImportFormat::kJsonSchema, Exported(ExportFormat::kJsonSchema), "orders.json"), lost);
}

TEST(ExportRoundTripTest, Dbt) {
  EXPECT_EQ(SchemaChanges(ImportFormat::kDbt, Exported(ExportFormat::kDbt), "schema.yml"), std::vector<std::string>{});
}

}  // namespace
}  // namespace weft::interop
