#include "spec/references.h"

#include <gtest/gtest.h>

#include "spec/loader.h"

namespace weft::spec {
namespace {

// A golden record, an entity it masters, and a second contract pointing at both.
std::vector<Document> Tree() {
  std::vector<Document> docs;
  auto add = [&docs](const char* file, const char* text) {
    LoadedFile f = LoadText(text, file);
    EXPECT_EQ(CountErrors(f.diagnostics), 0u) << file;
    for (auto& d : f.documents) docs.push_back(std::move(d));
  };
  add("/tree/c/customers.odcs.yaml", R"(apiVersion: v3.1.0
kind: DataContract
id: crm.customers
version: 1.0.0
status: active
schema:
  - name: customers
    id: obj_customers
    properties:
      - name: customer_id
        id: prop_customer_id
        logicalType: string
)");
  add("/tree/c/product.odps.yaml", R"(apiVersion: v1.0.0
kind: DataProduct
id: crm.customers
status: active
outputPorts:
  - name: main
    version: 1.0.0
    contractId: crm.customers
)");
  add("/tree/e/customer.yaml", R"(apiVersion: weft/v1
kind: ReferenceEntity
name: customer
identifier:
  name: customer_id
masteredBy: crm.customers/main
)");
  add("/tree/s/orders.odcs.yaml", R"(apiVersion: v3.1.0
kind: DataContract
id: sales.orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
      - name: customer_id
        logicalType: string
      - name: address
        id: address_field
        logicalType: object
        properties:
          - name: street
            id: street_field
            logicalType: string
)");
  add("/tree/s/dup.odcs.yaml", R"(apiVersion: v3.1.0
kind: DataContract
id: sales.orders
version: 2.0.0
status: draft
)");
  return docs;
}

class ReferenceResolverTest : public ::testing::Test {
 protected:
  std::vector<Document> docs_ = Tree();
  ReferenceResolver refs_{docs_};
  const DataContract& orders() { return *docs_[3].contract(); }
};

TEST_F(ReferenceResolverTest, FirstDefinitionWins) {
  ASSERT_NE(refs_.FindContract("sales.orders"), nullptr);
  EXPECT_EQ(refs_.FindContract("sales.orders")->file, "/tree/s/orders.odcs.yaml");
  EXPECT_EQ(refs_.FindContract("nope"), nullptr);
  EXPECT_FALSE(refs_.has_domains());
}

TEST_F(ReferenceResolverTest, SameContractObjectProperty) {
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "orders.order_id");
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract, &orders());
  EXPECT_EQ(t.object->name, "orders");
  EXPECT_EQ(t.property->name, "order_id");
  EXPECT_TRUE(t.entity.empty());
}

TEST_F(ReferenceResolverTest, OtherContractById) {
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "crm.customers#customers.customer_id");
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract->id, "crm.customers");
  EXPECT_EQ(t.property->name, "customer_id");
  EXPECT_TRUE(t.entity.empty());
}

TEST_F(ReferenceResolverTest, OtherContractByRelativeFileAndFullyQualifiedPath) {
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml",
                                   "../c/customers.odcs.yaml#/schema/obj_customers/properties/prop_customer_id");
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract->id, "crm.customers");
  EXPECT_EQ(t.object->name, "customers");
  EXPECT_EQ(t.property->name, "customer_id");
}

TEST_F(ReferenceResolverTest, ReferenceEntityGoesToGoldenRecordIdentifier) {
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "customer#");
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract->id, "crm.customers");
  EXPECT_EQ(t.path, "customer_id");
  EXPECT_EQ(t.property->name, "customer_id");
  EXPECT_EQ(t.entity, "customer");
  ResolvedTarget named = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "customer#customer_id");
  ASSERT_TRUE(named.ok()) << named.error;
  EXPECT_EQ(named.entity, "customer");
}

TEST_F(ReferenceResolverTest, GoldenContractHonoursPort) {
  EXPECT_EQ(refs_.GoldenContract(*docs_[2].reference_entity())->id, "crm.customers");
  ReferenceEntity wrong_port = *docs_[2].reference_entity();
  wrong_port.mastered_by = "crm.customers/other";
  EXPECT_EQ(refs_.GoldenContract(wrong_port), nullptr);
}

TEST_F(ReferenceResolverTest, ErrorsSayWhy) {
  ResolvedTarget unknown_ref = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "ghost#x.y");
  EXPECT_FALSE(unknown_ref.ok());
  EXPECT_EQ(unknown_ref.error,
            "'ghost' is not a contract id, a contract file or a reference entity in the tree");
  ResolvedTarget unknown_prop = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "customer#email");
  EXPECT_FALSE(unknown_prop.ok());
  EXPECT_EQ(unknown_prop.error, "'email' is not a property of contract 'crm.customers'");
  EXPECT_TRUE(unknown_prop.entity.empty());
}

TEST_F(ReferenceResolverTest, BuiltOverPointersToo) {
  std::vector<const Document*> ptrs;
  for (const auto& d : docs_) ptrs.push_back(&d);
  ReferenceResolver refs(ptrs);
  EXPECT_TRUE(refs.Resolve(orders(), "/tree/s/orders.odcs.yaml", "customer#customer_id").ok());
}

TEST_F(ReferenceResolverTest, EntityShorthandGoesToGoldenRecord) {
  // ODCS shorthand `object.property`: no object 'customer' here, an entity of that name.
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "customer.customer_id");
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract->id, "crm.customers");
  EXPECT_EQ(t.entity, "customer");
}

TEST_F(ReferenceResolverTest, NestedPropertiesByQualifiedIdsAndDottedNames) {
  for (const char* path : {"schema/orders/properties/address_field/properties/street_field", "orders.address.street"}) {
    ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", path);
    ASSERT_TRUE(t.ok()) << path << ": " << t.error;
    EXPECT_EQ(t.property->name, "street") << path;
  }
  EXPECT_FALSE(refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "orders.address.city").ok());
}

TEST_F(ReferenceResolverTest, WeftContractCustomPropertyNamesTheTargetContract) {
  Relationship r;
  r.to = {"customers.customer_id"};
  CustomProperty cp;
  cp.property = "weft.contract";
  cp.value = "crm.customers";
  r.custom_properties.push_back(cp);
  EXPECT_EQ(r.Target(r.to[0]), "crm.customers#customers.customer_id");
  ResolvedTarget t = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", r.Target(r.to[0]));
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.contract->id, "crm.customers");
}

TEST_F(ReferenceResolverTest, WhatMayLiveInAnotherContractSaysSo) {
  ResolvedTarget other_object = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "invoices.invoice_id");
  EXPECT_FALSE(other_object.ok());
  EXPECT_TRUE(other_object.elsewhere);
  ResolvedTarget other_contract = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "billing.invoices#invoices.id");
  EXPECT_TRUE(other_contract.elsewhere);
  ResolvedTarget missing_here = refs_.Resolve(orders(), "/tree/s/orders.odcs.yaml", "orders.nope");
  EXPECT_FALSE(missing_here.ok());
  EXPECT_FALSE(missing_here.elsewhere);
}

TEST(ReferenceResolverFindPathTest, SearchesEveryObjectWithoutObjectName) {
  std::vector<Document> docs = Tree();
  const DataContract& orders = *docs[3].contract();
  EXPECT_TRUE(ReferenceResolver::FindPath(orders, "customer_id"));
  EXPECT_FALSE(ReferenceResolver::FindPath(orders, "other.customer_id"));
  EXPECT_FALSE(ReferenceResolver::FindPath(orders, ""));
}

}  // namespace
}  // namespace weft::spec
