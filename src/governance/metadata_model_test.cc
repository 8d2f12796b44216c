#include "governance/metadata_model.h"

#include <gtest/gtest.h>

#include "engine/database.h"
#include "governance/testing.h"

namespace weft::governance {
namespace {

using testing::LoadTree;
using testing::SourceDir;
using testing::StateOver;

// The passing tree every policy fixture starts from.
std::filesystem::path BaseTree() { return SourceDir() / "tests/fixtures/policies/product-has-owner/pass"; }

class MetadataModelTest : public ::testing::Test {
 protected:
  void Build(const ProposedState& state) {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::make_unique<engine::Database>(std::move(*db));
    auto conn = engine::Connection::Open(*db_);
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    conn_ = std::make_unique<engine::Connection>(std::move(*conn));
    Status s = BuildMetadataModel(*conn_, state);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  // Rows of `sql`, each row's cells joined by '|', NULL as "NULL".
  std::vector<std::string> Rows(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {};
    auto rows = r->FetchAllAsStrings();
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const auto& row : *rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      out.push_back(line);
    }
    return out;
  }

  std::vector<spec::Document> docs_ = LoadTree(BaseTree());
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(MetadataModelTest, EveryTableExistsEvenWhenEmpty) {
  Build(ProposedState{});
  for (const auto& table : MetadataModelTables())
    EXPECT_EQ(Rows("SELECT count(*) FROM " + table), std::vector<std::string>{"0"}) << table;
}

TEST_F(MetadataModelTest, ProductsPortsAndContracts) {
  Build(StateOver(docs_));
  EXPECT_EQ(Rows("SELECT id, domain, tier, description, tags FROM products ORDER BY id"),
            (std::vector<std::string>{"shop.customers|shop|gold|The shop's customers.|[]",
                                      "shop.orders|shop|NULL|The shop's orders.|[]"}));
  EXPECT_EQ(Rows("SELECT product_id, name, major, contract_id, status, access, in_tree FROM output_ports ORDER BY 1"),
            (std::vector<std::string>{"shop.customers|customers|1|shop.customers|active|open|true",
                                      "shop.orders|orders|1|shop.orders|active|open|true"}));
  EXPECT_EQ(Rows("SELECT id, major, product_id FROM contracts ORDER BY id"),
            (std::vector<std::string>{"shop.customers|1|shop.customers", "shop.orders|1|shop.orders"}));
  EXPECT_EQ(Rows("SELECT contract_id, name, primary_key FROM schema_objects ORDER BY 1"),
            (std::vector<std::string>{"shop.customers|customers|[customer_id]", "shop.orders|orders|[order_id]"}));
}

TEST_F(MetadataModelTest, MaskComesFromPropertyThenClassificationDefault) {
  ProposedState state = StateOver(docs_);
  state.classification_masks = {{"confidential", "null"}};
  Build(state);
  EXPECT_EQ(Rows("SELECT path, classification, mask, mask_source FROM properties "
                 "WHERE contract_id = 'shop.orders' ORDER BY path"),
            (std::vector<std::string>{"amount|confidential|null|classification", "customer_id|internal|NULL|NULL",
                                      "note|restricted|redact|property", "order_id|internal|NULL|NULL"}));
}

TEST_F(MetadataModelTest, RelationshipsCarryResolvedTargetAndEntity) {
  Build(StateOver(docs_));
  EXPECT_EQ(Rows("SELECT contract_id, object, property, from_property, target_ref, target_contract_id, "
                 "target_object, target_property, target_entity, error FROM relationships"),
            (std::vector<std::string>{"shop.orders|orders|customer_id|customer_id|customer.customer_id|"
                                      "shop.customers|customers|customer_id|customer|NULL"}));
  EXPECT_EQ(Rows("SELECT name, golden_product_id, golden_contract_id, stewards FROM reference_entities"),
            (std::vector<std::string>{"customer|shop.customers|shop.customers|[ann@shop.example]"}));
}

TEST_F(MetadataModelTest, DomainOwnersAreTeamMembersWithRoleOwner) {
  Build(StateOver(docs_));
  EXPECT_EQ(Rows("SELECT subject_kind, subject_id, username, role FROM team_members ORDER BY 1, 2"),
            (std::vector<std::string>{"contract|shop.customers|ann@shop.example|owner",
                                      "contract|shop.orders|ann@shop.example|owner",
                                      "domain|shop|ann@shop.example|owner",
                                      "product|shop.customers|ann@shop.example|owner",
                                      "product|shop.orders|ann@shop.example|owner"}));
}

TEST_F(MetadataModelTest, QualityRulesListTheColumnsTheyCheck) {
  Build(StateOver(docs_));
  EXPECT_EQ(Rows("SELECT contract_id, property, properties, metric, operator, threshold FROM quality_rules "
                 "ORDER BY 1, 2"),
            (std::vector<std::string>{"shop.customers|customer_id|[customer_id]|invalidValues|mustBe|0",
                                      "shop.customers|email|[email]|nullValues|mustBe|0",
                                      "shop.orders|amount|[amount]|nullValues|mustBe|0",
                                      "shop.orders|customer_id|[customer_id]|nullValues|mustBe|0"}));
}

TEST_F(MetadataModelTest, CatalogPortVersionsGiveLifecycleAndOlderMajors) {
  ProposedState state = StateOver(docs_);
  state.port_versions = {
      {.product_id = "shop.orders", .port = "orders", .major = 1, .version = "1.0.0", .contract_id = "shop.orders",
       .status = "deprecated", .end_of_support = "2030-01-01"},
      {.product_id = "shop.orders", .port = "orders", .major = 0, .version = "0.9.0", .contract_id = "shop.orders",
       .status = "retired", .end_of_life = "2024-01-01"}};
  Build(state);
  EXPECT_EQ(Rows("SELECT major, version, status, end_of_support, end_of_life, in_tree FROM output_ports "
                 "WHERE product_id = 'shop.orders' ORDER BY major"),
            (std::vector<std::string>{"0|0.9.0|retired|NULL|2024-01-01|false",
                                      "1|1.0.0|deprecated|2030-01-01|NULL|true"}));
}

TEST_F(MetadataModelTest, NestedPropertiesHavePaths) {
  spec::LoadedFile f = spec::LoadText(R"(apiVersion: v3.1.0
kind: DataContract
id: a.b
version: 1.0.0
status: active
schema:
  - name: t
    properties:
      - name: address
        logicalType: object
        properties:
          - name: city
            logicalType: string
      - name: tags
        logicalType: array
        items:
          logicalType: string
)", "x.odcs.yaml");
  ASSERT_EQ(spec::CountErrors(f.diagnostics), 0u) << spec::FormatGcc(f.diagnostics[0]);
  Build(StateOver(f.documents));
  EXPECT_EQ(Rows("SELECT name, path, depth FROM properties ORDER BY path"),
            (std::vector<std::string>{"address|address|0", "city|address.city|1", "tags|tags|0",
                                      "NULL|tags[]|1"}));
}

}  // namespace
}  // namespace weft::governance
