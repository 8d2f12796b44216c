// Store behaviour, on SQLite and on PostgreSQL (catalog_internal::TestCatalog
// says which): round trips, deletes, immutability, atomicity, generations,
// audit, waivers. Search is in search_test.cc, schema versions
// in migrations_test.cc, writer locking in locking_test.cc.
#include "catalog/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "catalog/internal/test_catalog.h"
#include "catalog/internal/testing.h"
#include "catalog/store.h"

namespace weft::catalog {
namespace {

using catalog_internal::SampleDomain;
using catalog_internal::SampleProduct;
using catalog_internal::TestCatalog;
using catalog_internal::ScratchDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(path_, catalog_.Create(dir_));
    ASSERT_OK_AND_ASSIGN(store_, OpenStore(path_));
  }

  // Runs `change` in one write transaction and commits it.
  template <typename F>
  Status Write(F change) {
    ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, store_->BeginWrite());
    RETURN_IF_ERROR(change(*txn));
    return txn->Commit();
  }

  Status AddDomainAndProduct(const std::string& domain, const std::string& product) {
    return Write([&](Transaction& txn) {
      RETURN_IF_ERROR(txn.UpsertDomain(SampleDomain(domain)));
      return txn.UpsertProduct(SampleProduct(domain, product));
    });
  }

  ScratchDir dir_;
  TestCatalog catalog_;  // outlives store_: drops its database, if any
  std::string path_;
  std::unique_ptr<Store> store_;
};

PortVersionRecord SamplePort(const std::string& product_id, int64_t major) {
  return PortVersionRecord{.product_id = product_id,
                           .port = "default",
                           .major = major,
                           .version = std::to_string(major) + ".0.0",
                           .contract_id = product_id,
                           .status = "active",
                           .end_of_support = "",
                           .end_of_life = "",
                           .storage_path = "/data/products/v" + std::to_string(major)};
}

TEST(OpenStoreTest, PostgresUrlsOpenThePostgresStore) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  for (const char* url : {"postgres://weft:s3cr3t-pw@127.0.0.1:1/weft", "postgresql://weft:s3cr3t-pw@127.0.0.1:1/weft"}) {
    auto store = OpenStore(url);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kIoError);
    EXPECT_THAT(store.status().message(), HasSubstr("PostgreSQL catalog postgres://weft@127.0.0.1:1/weft"));
    EXPECT_THAT(store.status().message(), ::testing::Not(HasSubstr("s3cr3t-pw")));
  }
}

TEST(OpenStoreTest, InMemoryAndEmptyLocationsAreRefused) {
  EXPECT_EQ(OpenStore(":memory:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, MissingDirectoryIsAnIoError) {
  ScratchDir dir;
  auto store = OpenStore(dir.File("no/such/dir/catalog.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_THAT(store.status().message(), HasSubstr("no/such/dir/catalog.db"));
}

TEST_F(StoreTest, DataSurvivesReopen) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);
  ASSERT_OK_AND_ASSIGN(auto products, store_->ListProducts());
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].id, "sales.orders");
}

TEST_F(StoreTest, FindProductReadsOneProduct) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK(AddDomainAndProduct("sales", "returns"));
  ASSERT_OK_AND_ASSIGN(auto found, store_->FindProduct("sales.returns"));
  ASSERT_TRUE(found.has_value());
  ASSERT_OK_AND_ASSIGN(auto all, store_->ListProducts());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(found->id, all[1].id);
  EXPECT_EQ(found->spec_json, all[1].spec_json);
  EXPECT_EQ(found->digest, all[1].digest);
  ASSERT_OK_AND_ASSIGN(auto missing, store_->FindProduct("sales.return"));
  EXPECT_FALSE(missing.has_value());
}

TEST_F(StoreTest, DomainRoundTripAndUpdate) {
  DomainRecord d = SampleDomain("sales");
  d.owners = {"alice@example.com", "team:sales"};
  d.soft_limit_percent = std::nullopt;
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertDomain(d); }));
  ASSERT_OK_AND_ASSIGN(auto domains, store_->ListDomains());
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_EQ(domains[0].name, "sales");
  EXPECT_EQ(domains[0].description, d.description);
  EXPECT_THAT(domains[0].owners, ElementsAre("alice@example.com", "team:sales"));
  EXPECT_EQ(domains[0].storage_root, "/data/sales");
  EXPECT_EQ(domains[0].service_principal, "svc.sales");
  EXPECT_EQ(domains[0].monthly_budget, std::optional<double>(1200.5));
  EXPECT_EQ(domains[0].soft_limit_percent, std::nullopt);
  EXPECT_EQ(domains[0].currency, "EUR");
  EXPECT_EQ(domains[0].cost_center, "CC-sales");
  EXPECT_EQ(domains[0].spec_json, d.spec_json);
  EXPECT_EQ(domains[0].digest, "d-sales");

  d.description = "changed";
  d.monthly_budget = std::nullopt;
  d.soft_limit_percent = 80;
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertDomain(d); }));
  ASSERT_OK_AND_ASSIGN(domains, store_->ListDomains());
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_EQ(domains[0].description, "changed");
  EXPECT_EQ(domains[0].monthly_budget, std::nullopt);
  EXPECT_EQ(domains[0].soft_limit_percent, std::optional<double>(80));
}

TEST_F(StoreTest, DomainWithProductsCannotBeDeleted) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  Status s = Write([](Transaction& txn) { return txn.DeleteDomain("sales"); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("domain sales still has products (sales.orders)"));
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);

  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.DeleteProduct("sales.orders"));
    return txn.DeleteDomain("sales");
  }));
  ASSERT_OK_AND_ASSIGN(auto domains, store_->ListDomains());
  EXPECT_TRUE(domains.empty());
  EXPECT_EQ(Write([](Transaction& txn) { return txn.DeleteDomain("sales"); }).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, PrincipalRoundTrip) {
  PrincipalRecord p{.name = "carol@retail.example",
                    .kind = "user",
                    .display_name = "Carol",
                    .attributes = {{"region", "EU"}, {"level", "3"}}};
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.UpsertPrincipal(p));
    return txn.UpsertPrincipal({.name = "svc.sales", .kind = "service", .display_name = "", .attributes = {}});
  }));
  ASSERT_OK_AND_ASSIGN(auto principals, store_->ListPrincipals());
  ASSERT_EQ(principals.size(), 2u);
  EXPECT_EQ(principals[0].name, "carol@retail.example");
  EXPECT_EQ(principals[0].kind, "user");
  EXPECT_EQ(principals[0].display_name, "Carol");
  EXPECT_EQ(principals[0].attributes, p.attributes);
  EXPECT_EQ(principals[1].name, "svc.sales");
  EXPECT_TRUE(principals[1].attributes.empty());
}

TEST_F(StoreTest, ReplaceMembershipsReplacesOnlyThatSource) {
  auto member = [](std::string group, std::string principal, std::string source) {
    return MembershipRecord{.group = group, .principal = principal, .role = "member", .source = source};
  };
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.ReplaceMemberships(
        "domain:sales", {member("team:sales", "alice", "domain:sales"), member("team:sales", "bob", "domain:sales")}));
    return txn.ReplaceMemberships("domain:hr", {member("team:hr", "carol", "domain:hr")});
  }));
  // Re-applying domain:sales drops bob; a duplicate entry is stored once.
  ASSERT_OK(Write([&](Transaction& txn) {
    return txn.ReplaceMemberships("domain:sales",
                                  {member("team:sales", "alice", ""), member("team:sales", "alice", "domain:sales")});
  }));
  ASSERT_OK_AND_ASSIGN(auto memberships, store_->ListMemberships());
  ASSERT_EQ(memberships.size(), 2u);
  EXPECT_EQ(memberships[0].group, "team:hr");
  EXPECT_EQ(memberships[0].principal, "carol");
  EXPECT_EQ(memberships[1].group, "team:sales");
  EXPECT_EQ(memberships[1].principal, "alice");
  EXPECT_EQ(memberships[1].role, "member");
  EXPECT_EQ(memberships[1].source, "domain:sales");

  Status s = Write([&](Transaction& txn) {
    return txn.ReplaceMemberships("domain:sales", {member("team:sales", "x", "domain:hr")});
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ProductRoundTripAndUpdateKeepsPorts) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK(Write([](Transaction& txn) { return txn.UpsertPortVersion(SamplePort("sales.orders", 1)); }));
  ProductRecord p = SampleProduct("sales", "orders");
  p.status = "deprecated";
  p.tags = {"a", "b", "c"};
  p.transform_sql = "SELECT 1 AS one";
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertProduct(p); }));

  ASSERT_OK_AND_ASSIGN(auto products, store_->ListProducts());
  ASSERT_EQ(products.size(), 1u);
  EXPECT_EQ(products[0].id, "sales.orders");
  EXPECT_EQ(products[0].domain, "sales");
  EXPECT_EQ(products[0].name, "orders");
  EXPECT_EQ(products[0].status, "deprecated");
  EXPECT_EQ(products[0].version, "1.0.0");
  EXPECT_EQ(products[0].tier, "gold");
  EXPECT_EQ(products[0].description, p.description);
  EXPECT_THAT(products[0].tags, ElementsAre("a", "b", "c"));
  EXPECT_EQ(products[0].spec_json, p.spec_json);
  EXPECT_EQ(products[0].digest, p.digest);
  EXPECT_EQ(products[0].transform_sql, "SELECT 1 AS one");
  // An update is not a delete-and-insert: the port versions are still there.
  ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
  EXPECT_EQ(ports.size(), 1u);
}

TEST_F(StoreTest, ProductNeedsItsDomain) {
  Status s = Write([](Transaction& txn) { return txn.UpsertProduct(SampleProduct("sales", "orders")); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("domain sales is not in the catalog"));
}

TEST_F(StoreTest, PortVersionRoundTrip) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  PortVersionRecord v2 = SamplePort("sales.orders", 2);
  v2.end_of_support = "2026-01-01";
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.UpsertPortVersion(v2));
    return txn.UpsertPortVersion(SamplePort("sales.orders", 1));
  }));
  v2.status = "deprecated";
  v2.version = "2.1.0";
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertPortVersion(v2); }));
  ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0].major, 1);
  EXPECT_EQ(ports[1].major, 2);
  EXPECT_EQ(ports[1].product_id, "sales.orders");
  EXPECT_EQ(ports[1].port, "default");
  EXPECT_EQ(ports[1].version, "2.1.0");
  EXPECT_EQ(ports[1].contract_id, "sales.orders");
  EXPECT_EQ(ports[1].status, "deprecated");
  EXPECT_EQ(ports[1].end_of_support, "2026-01-01");
  EXPECT_EQ(ports[1].end_of_life, "");
  EXPECT_EQ(ports[1].storage_path, "/data/products/v2");

  Status s = Write([](Transaction& txn) { return txn.UpsertPortVersion(SamplePort("sales.nope", 1)); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("product sales.nope is not in the catalog"));
}

TEST_F(StoreTest, DeleteProductRemovesPortVersionsAndSearchEntry) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK(AddDomainAndProduct("sales", "returns"));
  ASSERT_OK(Write([](Transaction& txn) {
    for (const char* id : {"sales.orders", "sales.returns"}) {
      RETURN_IF_ERROR(txn.UpsertPortVersion(SamplePort(id, 1)));
      RETURN_IF_ERROR(txn.IndexForSearch({.product_id = id,
                                          .domain = "sales",
                                          .name = id,
                                          .status = "active",
                                          .description = "shipped parcels",
                                          .tags = {"logistics"}}));
    }
    return Status::Ok();
  }));
  ASSERT_OK(Write([](Transaction& txn) { return txn.DeleteProduct("sales.orders"); }));

  ASSERT_OK_AND_ASSIGN(auto ports, store_->ListPortVersions());
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(ports[0].product_id, "sales.returns");
  ASSERT_OK_AND_ASSIGN(SearchResult found, store_->Search({.text = "parcels"}));
  ASSERT_EQ(found.hits.size(), 1u);
  EXPECT_EQ(found.hits[0].product_id, "sales.returns");
  EXPECT_EQ(found.facets["tag"]["logistics"], 1);
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  EXPECT_THAT(dump, ::testing::Not(HasSubstr("'sales.orders'")));

  EXPECT_EQ(Write([](Transaction& txn) { return txn.DeleteProduct("sales.orders"); }).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, ContractVersionsAreImmutable) {
  ContractVersionRecord c{.contract_id = "sales.orders",
                          .version = "1.1.0",
                          .major = 1,
                          .product_id = "sales.orders",
                          .port = "default",
                          .spec_json = "{\"v\":1}",
                          .digest = "aaa",
                          .applied_at = ""};
  ASSERT_OK(Write([&](Transaction& txn) { return txn.InsertContractVersion(c); }));
  // The same spec again (a re-apply) is fine and changes nothing.
  ASSERT_OK_AND_ASSIGN(auto before, store_->ListContractVersions());
  ASSERT_OK(Write([&](Transaction& txn) { return txn.InsertContractVersion(c); }));
  ASSERT_OK_AND_ASSIGN(auto after, store_->ListContractVersions());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].applied_at, before[0].applied_at);
  EXPECT_THAT(after[0].applied_at, MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)"));
  EXPECT_EQ(after[0].spec_json, "{\"v\":1}");
  EXPECT_EQ(after[0].major, 1);

  ASSERT_OK_AND_ASSIGN(std::string dump_before, store_->Dump());
  ContractVersionRecord changed = c;
  changed.digest = "bbb";
  Status s = Write([&](Transaction& txn) { return txn.InsertContractVersion(changed); });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("contract sales.orders version 1.1.0 is already applied with a different spec; "
                                     "versions are immutable — bump the version"));
  ASSERT_OK_AND_ASSIGN(std::string dump_after, store_->Dump());
  EXPECT_EQ(dump_before, dump_after);

  // Listed in the order applied, not in text order of the version.
  ContractVersionRecord later = c;
  later.version = "1.10.0";
  later.applied_at = "2030-01-01T00:00:00.000Z";
  ContractVersionRecord middle = c;
  middle.version = "1.9.0";
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertContractVersion(middle));
    return txn.InsertContractVersion(later);
  }));
  ASSERT_OK_AND_ASSIGN(auto all, store_->ListContractVersions());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].version, "1.9.0");
  EXPECT_EQ(all[2].version, "1.10.0");
  EXPECT_EQ(all[2].applied_at, "2030-01-01T00:00:00.000Z");
}

TEST_F(StoreTest, ReferenceEntityRoundTripAndDelete) {
  ReferenceEntityRecord e{.name = "customer",
                          .mastered_by = "crm.customers",
                          .identifier_name = "customer_id",
                          .spec_json = "{}",
                          .digest = "r1"};
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertReferenceEntity(e); }));
  e.mastered_by = "crm.customers_v2";
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpsertReferenceEntity(e); }));
  ASSERT_OK_AND_ASSIGN(auto entities, store_->ListReferenceEntities());
  ASSERT_EQ(entities.size(), 1u);
  EXPECT_EQ(entities[0].name, "customer");
  EXPECT_EQ(entities[0].mastered_by, "crm.customers_v2");
  EXPECT_EQ(entities[0].identifier_name, "customer_id");
  EXPECT_EQ(entities[0].digest, "r1");
  ASSERT_OK(Write([](Transaction& txn) { return txn.DeleteReferenceEntity("customer"); }));
  ASSERT_OK_AND_ASSIGN(entities, store_->ListReferenceEntities());
  EXPECT_TRUE(entities.empty());
  EXPECT_EQ(Write([](Transaction& txn) { return txn.DeleteReferenceEntity("customer"); }).code(),
            StatusCode::kNotFound);
}

TEST_F(StoreTest, WaiversAddAndDelete) {
  WaiverRecord w{.policy_id = "naming.snake_case",
                 .subject = "product:sales.orders",
                 .reason = "legacy column names",
                 .approver = "governance@example.com",
                 .expires_at = "2026-06-30T00:00:00Z"};
  int64_t first = 0;
  int64_t second = 0;
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(first, txn.AddWaiver(w));
    ASSIGN_OR_RETURN(second, txn.AddWaiver(w));
    return Status::Ok();
  }));
  EXPECT_LT(first, second);
  ASSERT_OK_AND_ASSIGN(auto waivers, store_->ListWaivers());
  ASSERT_EQ(waivers.size(), 2u);
  EXPECT_EQ(waivers[0].id, first);
  EXPECT_EQ(waivers[0].policy_id, "naming.snake_case");
  EXPECT_EQ(waivers[0].subject, "product:sales.orders");
  EXPECT_EQ(waivers[0].reason, "legacy column names");
  EXPECT_EQ(waivers[0].approver, "governance@example.com");
  EXPECT_EQ(waivers[0].expires_at, "2026-06-30T00:00:00Z");
  EXPECT_FALSE(waivers[0].created_at.empty());

  ASSERT_OK(Write([&](Transaction& txn) { return txn.DeleteWaiver(second); }));
  EXPECT_EQ(Write([&](Transaction& txn) { return txn.DeleteWaiver(second); }).code(), StatusCode::kNotFound);
  // A deleted waiver's id is never given to another waiver.
  int64_t third = 0;
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(third, txn.AddWaiver(w));
    return Status::Ok();
  }));
  EXPECT_GT(third, second);
  ASSERT_OK_AND_ASSIGN(waivers, store_->ListWaivers());
  ASSERT_EQ(waivers.size(), 2u);
  EXPECT_EQ(waivers[1].id, third);
}

TEST_F(StoreTest, DestroyingAnUncommittedTransactionRollsBack) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertDomain(SampleDomain("hr")));
    ASSERT_OK(txn->DeleteProduct("sales.orders"));
    ASSERT_OK(txn->AppendAudit({.actor = "alice", .action = "apply.create", .object = "domain:hr"}));
    ASSERT_OK(txn->AddWaiver({.policy_id = "p", .subject = "s"}).status());
  }
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);
  // The lock is released: the next writer gets in at once.
  ASSERT_OK(Write([](Transaction& txn) { return txn.UpsertDomain(SampleDomain("hr")); }));
}

// Usage rows are metering: a query records one, and must not make every
// cache of the catalog (and every plan in flight) stale.
TEST_F(StoreTest, UsageAloneStartsNoNewGeneration) {
  ASSERT_OK_AND_ASSIGN(int64_t g0, store_->Generation());
  ASSERT_OK(Write([](Transaction& txn) { return txn.InsertUsage({.principal = "bob", .kind = "query"}).status(); }));
  ASSERT_OK_AND_ASSIGN(int64_t g1, store_->Generation());
  EXPECT_EQ(g1, g0);
  ASSERT_OK_AND_ASSIGN(auto usage, store_->ListUsage({}));
  EXPECT_EQ(usage.size(), 1u);
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertUsage({.principal = "bob", .kind = "query"}).status());
    return txn.UpsertDomain(SampleDomain("sales"));
  }));
  ASSERT_OK_AND_ASSIGN(int64_t g2, store_->Generation());
  EXPECT_EQ(g2, g0 + 1);
}

// Monitoring records what products did; like usage, it must not make every
// cache and plan in flight stale.
TEST_F(StoreTest, MonitoringRecordsRoundTripWithoutANewGeneration) {
  ASSERT_OK_AND_ASSIGN(int64_t g0, store_->Generation());
  int64_t incident = 0;
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertSlaCheck({.at = "2026-01-01T00:00:00Z", .product_id = "sales.orders", .major = 1,
                                        .sla = "latency", .property = "latency", .state = "breached",
                                        .target = 3600, .unit = "seconds", .detail = "2 h old"}));
    ASSIGN_OR_RETURN(incident, txn.InsertIncident({.product_id = "sales.orders", .kind = "sla",
                                                   .condition = "sla:latency", .severity = "error",
                                                   .title = "stale", .status = "open",
                                                   .opened_at = "2026-01-01T00:00:00Z"}));
    RETURN_IF_ERROR(txn.AppendIncidentEvent({.incident_id = incident, .actor = "weft", .kind = "opened"}));
    RETURN_IF_ERROR(txn.InsertSubscription({.principal = "bob", .product_id = "sales.orders"}).status());
    RETURN_IF_ERROR(txn.InsertWebhook({.id = "wh_1", .principal = "bob", .url = "http://127.0.0.1:9/x",
                                       .secret = "k", .events = {"incident.opened"}}));
    return txn.InsertDelivery({.webhook_id = "wh_1", .event_id = "e1", .event_type = "incident.opened",
                               .payload = "{}", .status = "pending", .created_at = "2026-01-01T00:00:00Z"})
        .status();
  }));
  ASSERT_OK_AND_ASSIGN(int64_t g1, store_->Generation());
  EXPECT_EQ(g1, g0);

  ASSERT_OK_AND_ASSIGN(auto checks, store_->ListSlaChecks("sales.orders", 0));
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].state, "breached");
  EXPECT_EQ(checks[0].target, 3600);
  EXPECT_FALSE(checks[0].actual.has_value());

  ASSERT_OK_AND_ASSIGN(auto open, store_->ListIncidents({.status = "unresolved"}));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].updated_at, "2026-01-01T00:00:00Z");  // defaults to the opening time
  IncidentRecord resolved = open[0];
  resolved.status = "resolved";
  resolved.resolution = "cleared";
  resolved.resolved_at = resolved.updated_at = "2026-01-01T01:00:00Z";
  ASSERT_OK(Write([&](Transaction& txn) { return txn.UpdateIncident(resolved); }));
  ASSERT_OK_AND_ASSIGN(auto still_open, store_->ListIncidents({.status = "unresolved"}));
  EXPECT_TRUE(still_open.empty());
  ASSERT_OK_AND_ASSIGN(auto events, store_->ListIncidentEvents(incident));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "opened");

  ASSERT_OK_AND_ASSIGN(auto due, store_->ListDeliveries({.due_by = "2026-01-01T00:00:01Z"}));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].next_attempt_at, "2026-01-01T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(auto not_yet, store_->ListDeliveries({.due_by = "2025-12-31T23:59:59Z"}));
  EXPECT_TRUE(not_yet.empty());
  ASSERT_OK_AND_ASSIGN(auto hooks, store_->ListWebhooks());
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].events, std::vector<std::string>{"incident.opened"});
  ASSERT_OK(Write([](Transaction& txn) { return txn.RemoveWebhook("wh_1", ""); }));
  EXPECT_EQ(Write([](Transaction& txn) { return txn.RemoveWebhook("wh_1", ""); }).code(), StatusCode::kNotFound);
  // One subscription per principal and product.
  EXPECT_FALSE(Write([](Transaction& txn) {
                 return txn.InsertSubscription({.principal = "bob", .product_id = "sales.orders"}).status();
               }).ok());
  ASSERT_OK_AND_ASSIGN(int64_t g2, store_->Generation());
  EXPECT_EQ(g2, g0);
}

// The control generation moves only when something a plan reads is written
// (a domain, team, product, port, contract, entity, term, waiver), so that
// grants, tokens and publishes do not refuse applies planned before them.
TEST_F(StoreTest, ControlGenerationMovesOnlyWithWhatPlansRead) {
  ASSERT_OK_AND_ASSIGN(int64_t c0, store_->ControlGeneration());
  ASSERT_OK(Write([](Transaction& txn) { return txn.UpsertDomain(SampleDomain("sales")); }));
  ASSERT_OK_AND_ASSIGN(int64_t c1, store_->ControlGeneration());
  EXPECT_EQ(c1, c0 + 1);
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertToken({.id = "tok_1", .principal = "bob", .hash = "h", .created_at = "2026-01-01T00:00:00Z"}));
    return txn.AppendAudit({.actor = "bob", .action = "token.create", .object = "principal:bob"});
  }));
  ASSERT_OK_AND_ASSIGN(int64_t c2, store_->ControlGeneration());
  ASSERT_OK_AND_ASSIGN(int64_t g2, store_->Generation());
  EXPECT_EQ(c2, c1);
  EXPECT_GT(g2, c2);  // the catalog generation moved; never behind the control one
  ASSERT_OK(Write([](Transaction& txn) {
    return txn.AddWaiver({.policy_id = "p", .subject = "domain:sales", .reason = "r", .approver = "s",
                          .expires_at = "2099-01-01T00:00:00Z"})
        .status();
  }));
  ASSERT_OK_AND_ASSIGN(int64_t c3, store_->ControlGeneration());
  EXPECT_EQ(c3, c2 + 1);
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK_AND_ASSIGN(int64_t in_txn, txn->ControlGeneration());
  EXPECT_EQ(in_txn, c3);
}

TEST_F(StoreTest, GenerationAdvancesOnlyOnCommit) {
  ASSERT_OK_AND_ASSIGN(int64_t g0, store_->Generation());
  EXPECT_EQ(g0, 0);
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));
  }
  ASSERT_OK_AND_ASSIGN(int64_t g1, store_->Generation());
  EXPECT_EQ(g1, 0);

  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK_AND_ASSIGN(int64_t in_txn, txn->Generation());
  EXPECT_EQ(in_txn, 0);
  ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));
  ASSERT_OK_AND_ASSIGN(in_txn, txn->Generation());
  EXPECT_EQ(in_txn, 0);  // the generation the transaction started from
  ASSERT_OK_AND_ASSIGN(int64_t outside, store_->Generation());
  EXPECT_EQ(outside, 0);
  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(int64_t g2, store_->Generation());
  EXPECT_EQ(g2, 1);

  // A committed transaction refuses further use.
  EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(txn->UpsertDomain(SampleDomain("hr")).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(txn->Generation().status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(StoreTest, ReadsSeeOnlyCommittedState) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  ASSERT_OK(txn->UpsertDomain(SampleDomain("sales")));
  // A reader is not blocked by the open writer, and does not see its changes.
  ASSERT_OK_AND_ASSIGN(auto domains, store_->ListDomains());
  EXPECT_TRUE(domains.empty());
  ASSERT_OK(txn->Commit());
  ASSERT_OK_AND_ASSIGN(domains, store_->ListDomains());
  EXPECT_EQ(domains.size(), 1u);
}

TEST_F(StoreTest, AuditAppendAndFilters) {
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.AppendAudit({.time = "2025-01-01T10:00:00.000Z",
                                     .actor = "alice",
                                     .action = "apply.create",
                                     .object = "product:sales.orders",
                                     .before_digest = "",
                                     .after_digest = "abc",
                                     .detail = "created"}));
    RETURN_IF_ERROR(txn.AppendAudit({.time = "2025-01-02T10:00:00.000Z",
                                     .actor = "bob",
                                     .action = "apply.update",
                                     .object = "product:sales.returns"}));
    RETURN_IF_ERROR(txn.AppendAudit({.time = "2025-01-03T10:00:00.000Z",
                                     .actor = "bob",
                                     .action = "apply.update",
                                     .object = "product:sales.orders_v2"}));
    return txn.AppendAudit({.actor = "carol", .action = "waiver.add", .object = "waiver:1"});
  }));

  ASSERT_OK_AND_ASSIGN(auto all, store_->ListAudit({}));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_LT(all[0].id, all[1].id);
  EXPECT_EQ(all[0].actor, "alice");
  EXPECT_EQ(all[0].action, "apply.create");
  EXPECT_EQ(all[0].object, "product:sales.orders");
  EXPECT_EQ(all[0].after_digest, "abc");
  EXPECT_EQ(all[0].detail, "created");
  EXPECT_THAT(all[3].time, MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)"));

  ASSERT_OK_AND_ASSIGN(auto exact, store_->ListAudit({.object = "product:sales.orders"}));
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].actor, "alice");

  ASSERT_OK_AND_ASSIGN(auto prefix, store_->ListAudit({.object = "product:sales.orders*"}));
  ASSERT_EQ(prefix.size(), 2u);
  EXPECT_EQ(prefix[1].object, "product:sales.orders_v2");

  ASSERT_OK_AND_ASSIGN(auto products, store_->ListAudit({.object = "product:*"}));
  EXPECT_EQ(products.size(), 3u);

  ASSERT_OK_AND_ASSIGN(auto since, store_->ListAudit({.object = "product:*", .since = "2025-01-02"}));
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0].object, "product:sales.returns");

  ASSERT_OK_AND_ASSIGN(auto limited, store_->ListAudit({.limit = 2}));
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].actor, "alice");

  // LIKE/GLOB characters in a prefix are literal.
  ASSERT_OK_AND_ASSIGN(auto literal, store_->ListAudit({.object = "product:sales_%*"}));
  EXPECT_TRUE(literal.empty());
}

TEST_F(StoreTest, DumpCoversEveryTableButFtsShadowTables) {
  ASSERT_OK(AddDomainAndProduct("sales", "orders"));
  ASSERT_OK(Write([](Transaction& txn) {
    return txn.IndexForSearch({.product_id = "sales.orders", .domain = "sales", .name = "orders"});
  }));
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  for (const char* table : {"[catalog_meta]", "[domains]", "[principals]", "[memberships]", "[products]",
                            "[port_versions]", "[contract_versions]", "[reference_entities]", "[snapshots]",
                            "[publishes]", "[quality_results]", "[waivers]", "[audit_events]", "[search_documents]", "[search_facets]", "[search_fts]"}) {
    EXPECT_THAT(dump, HasSubstr(table));
  }
  EXPECT_THAT(dump, ::testing::Not(HasSubstr("search_fts_data")));
  EXPECT_THAT(dump, HasSubstr("'sales.orders' | 'sales' | 'orders'"));
  ASSERT_OK_AND_ASSIGN(std::string again, store_->Dump());
  EXPECT_EQ(dump, again);
}

TEST_F(StoreTest, EmptyKeysAreRefused) {
  EXPECT_EQ(Write([](Transaction& txn) { return txn.UpsertDomain({}); }).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Write([](Transaction& txn) { return txn.UpsertProduct({}); }).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Write([](Transaction& txn) { return txn.UpsertPrincipal({}); }).code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ThreadsShareOneStore) {
  // Writers from several threads serialize (each waits for the lock within
  // the default timeout); readers run alongside. Every commit counts once.
  constexpr int kThreads = 4;
  constexpr int kCommits = 10;
  std::vector<std::thread> threads;
  std::vector<Status> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits && failures[t].ok(); ++i) {
        failures[t] = Write([&](Transaction& txn) {
          return txn.UpsertDomain(SampleDomain("d" + std::to_string(t) + "_" + std::to_string(i)));
        });
        if (failures[t].ok()) failures[t] = store_->ListDomains().status();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& s : failures) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(int64_t generation, store_->Generation());
  EXPECT_EQ(generation, kThreads * kCommits);
  ASSERT_OK_AND_ASSIGN(auto domains, store_->ListDomains());
  EXPECT_EQ(domains.size(), static_cast<size_t>(kThreads * kCommits));
}

// --- data plane: snapshots, publishes, quality results -------------------------

SnapshotRecord SampleSnapshot(const std::string& product_id, int64_t major, const std::string& id,
                              const std::string& created_at) {
  return SnapshotRecord{.id = id,
                        .product_id = product_id,
                        .major = major,
                        .parent_id = "",
                        .created_at = created_at,
                        .path = "/data/sales/products/orders/v" + std::to_string(major) + "/snapshots/" + id,
                        .rows = 100,
                        .bytes = 4096,
                        .files = 2,
                        .contract_version = std::to_string(major) + ".0.0",
                        .input_checksum = "sha-" + id,
                        .publish_id = "pub-" + id,
                        .quality_json = R"({"failed":0,"passed":3})"};
}

PublishRecord SamplePublish(const std::string& product_id, const std::string& id, const std::string& started_at,
                            const std::string& outcome) {
  return PublishRecord{.id = id,
                       .product_id = product_id,
                       .major = 1,
                       .actor = "alice",
                       .started_at = started_at,
                       .finished_at = started_at,
                       .outcome = outcome,
                       .mode = "replace",
                       .snapshot_id = outcome == "published" ? "snap-" + id : "",
                       .rows_in = 10,
                       .rows_valid = 8,
                       .rows_quarantined = 2,
                       .input_checksum = "sha",
                       .input_archive = "/data/sales/archive/" + id,
                       .quarantine_path = "/data/sales/quarantine/" + id,
                       .message = "ok"};
}

QualityResultRecord SampleResult(const std::string& publish_id, const std::string& rule_id, bool passed) {
  return QualityResultRecord{.publish_id = publish_id,
                             .rule_id = rule_id,
                             .kind = "nullValues",
                             .object = "orders",
                             .column = "amount",
                             .severity = "error",
                             .dimension = "completeness",
                             .failing_rows = passed ? 0 : 2,
                             .checked_rows = 10,
                             .value = passed ? 0.0 : 20.5,
                             .threshold = "mustBe 0 rows",
                             .passed = passed,
                             .row_level = !passed};
}

bool SameSnapshot(const SnapshotRecord& a, const SnapshotRecord& b) {
  return a.id == b.id && a.product_id == b.product_id && a.major == b.major && a.parent_id == b.parent_id &&
         a.created_at == b.created_at && a.path == b.path && a.rows == b.rows && a.bytes == b.bytes &&
         a.files == b.files && a.contract_version == b.contract_version && a.input_checksum == b.input_checksum &&
         a.publish_id == b.publish_id && a.quality_json == b.quality_json;
}

std::vector<std::string> SnapshotIds(const std::vector<SnapshotRecord>& snapshots) {
  std::vector<std::string> ids;
  for (const auto& s : snapshots) ids.push_back(s.id);
  return ids;
}

TEST_F(StoreTest, SnapshotRoundTripNewestFirst) {
  const SnapshotRecord older = SampleSnapshot("sales.orders", 1, "s1", "2026-01-01T00:00:00.000Z");
  const SnapshotRecord newer = [] {
    SnapshotRecord s = SampleSnapshot("sales.orders", 1, "s2", "2026-01-02T00:00:00.000Z");
    s.parent_id = "s1";
    return s;
  }();
  const SnapshotRecord v2 = SampleSnapshot("sales.orders", 2, "s3", "2026-01-03T00:00:00.000Z");
  const SnapshotRecord other = SampleSnapshot("sales.returns", 1, "s0", "2025-12-31T00:00:00.000Z");
  ASSERT_OK(Write([&](Transaction& txn) {
    for (const SnapshotRecord* s : {&older, &v2, &newer, &other}) RETURN_IF_ERROR(txn.InsertSnapshot(*s));
    return Status::Ok();
  }));
  ASSERT_OK_AND_ASSIGN(auto orders, store_->ListSnapshots("sales.orders"));
  EXPECT_THAT(SnapshotIds(orders), ElementsAre("s3", "s2", "s1"));
  EXPECT_TRUE(SameSnapshot(orders[1], newer));
  ASSERT_OK_AND_ASSIGN(auto all, store_->ListAllSnapshots());
  EXPECT_THAT(SnapshotIds(all), ElementsAre("s3", "s2", "s1", "s0"));
  ASSERT_OK_AND_ASSIGN(auto none, store_->ListSnapshots("sales.missing"));
  EXPECT_TRUE(none.empty());
}

TEST_F(StoreTest, ALeaseIsHeldByOneStoreOnTheCatalogAtATime) {
  // Another Store on the same catalog is what another process or server is.
  ASSERT_OK_AND_ASSIGN(auto other, OpenStore(path_));
  ASSERT_OK_AND_ASSIGN(auto held, store_->AcquireLease("monitor", std::chrono::milliseconds(0)));
  ASSERT_NE(held, nullptr);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto refused, other->AcquireLease("monitor", std::chrono::milliseconds(100)));
  EXPECT_EQ(refused, nullptr);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100)) << "it waited";
  ASSERT_OK_AND_ASSIGN(auto again, store_->AcquireLease("monitor", std::chrono::milliseconds(0)));
  EXPECT_EQ(again, nullptr) << "exclusive within one store too";
  ASSERT_OK_AND_ASSIGN(auto other_name, other->AcquireLease("deliveries", std::chrono::milliseconds(0)));
  EXPECT_NE(other_name, nullptr) << "names are separate leases";
  // Released: a waiter gets it.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    held.reset();
  });
  ASSERT_OK_AND_ASSIGN(auto taken, other->AcquireLease("monitor", std::chrono::seconds(10)));
  release.join();
  EXPECT_NE(taken, nullptr);
}

TEST_F(StoreTest, AWriteReadsTheCurrentSnapshotOfAMajorIncludingItsOwnInserts) {
  const SnapshotRecord v1 = SampleSnapshot("sales.orders", 1, "s1", "2026-01-01T00:00:00.000Z");
  const SnapshotRecord v2 = SampleSnapshot("sales.orders", 2, "s9", "2026-01-09T00:00:00.000Z");
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(auto none, txn.CurrentSnapshot("sales.orders", 1));
    EXPECT_FALSE(none.has_value());
    RETURN_IF_ERROR(txn.InsertSnapshot(v1));
    RETURN_IF_ERROR(txn.InsertSnapshot(v2));
    ASSIGN_OR_RETURN(auto mine, txn.CurrentSnapshot("sales.orders", 1));
    EXPECT_TRUE(mine && SameSnapshot(*mine, v1)) << "a transaction sees what it inserted";
    return Status::Ok();
  }));
  SnapshotRecord next = SampleSnapshot("sales.orders", 1, "s2", "2026-01-02T00:00:00.000Z");
  next.parent_id = "s1";
  ASSERT_OK(Write([&](Transaction& txn) { return txn.InsertSnapshot(next); }));
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(auto v1_now, txn.CurrentSnapshot("sales.orders", 1));
    EXPECT_TRUE(v1_now && SameSnapshot(*v1_now, next)) << "the newest of the major, committed by another writer";
    ASSIGN_OR_RETURN(auto v2_now, txn.CurrentSnapshot("sales.orders", 2));
    EXPECT_TRUE(v2_now && v2_now->id == "s9");
    ASSIGN_OR_RETURN(auto other, txn.CurrentSnapshot("sales.returns", 1));
    EXPECT_FALSE(other.has_value());
    return Status::Ok();
  }));
}

TEST_F(StoreTest, PathsUnderTheCatalogAreStoredRelativeAndFollowACopy) {
  if (TestCatalog::OnPostgres()) GTEST_SKIP() << "a catalog server is not copied with a workspace: paths stay as given";
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  DomainRecord inside = SampleDomain("sales");
  inside.storage_root = (dir / "domains/sales").string();
  const DomainRecord outside = SampleDomain("hr");  // /data/hr
  SnapshotRecord snapshot = SampleSnapshot("sales.orders", 1, "s1", "2026-01-01T00:00:00.000Z");
  snapshot.path = inside.storage_root + "/products/orders/v1/snapshots/s1";
  ASSERT_OK(Write([&](Transaction& txn) {
    RETURN_IF_ERROR(txn.UpsertDomain(inside));
    RETURN_IF_ERROR(txn.UpsertDomain(outside));
    RETURN_IF_ERROR(txn.InsertPublish({.id = "p1", .product_id = "sales.orders", .outcome = "published",
                                       .input_archive = inside.storage_root + "/archive/p1",
                                       .quarantine_path = inside.storage_root + "/quarantine/orders/p1.parquet"}));
    return txn.InsertSnapshot(snapshot);
  }));
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  EXPECT_THAT(dump, Not(HasSubstr(dir.string())));
  EXPECT_THAT(dump, HasSubstr("'/data/hr'"));

  // The catalog file copied elsewhere (as `cp -a ws ws2` does) resolves its
  // paths against where it is now; the one outside stays as it was.
  store_.reset();
  ScratchDir other;
  ASSERT_TRUE(other.ok());
  const std::filesystem::path copy_dir = std::filesystem::path(other.File("ws2"));
  std::filesystem::create_directories(copy_dir);
  std::filesystem::copy_file(path_, copy_dir / "catalog.db");
  ASSERT_OK_AND_ASSIGN(auto copy, OpenStore((copy_dir / "catalog.db").string()));
  ASSERT_OK_AND_ASSIGN(auto domains, copy->ListDomains());
  ASSERT_EQ(domains.size(), 2u);
  EXPECT_EQ(domains[0].storage_root, "/data/hr");
  EXPECT_EQ(domains[1].storage_root, (copy_dir / "domains/sales").string());
  ASSERT_OK_AND_ASSIGN(auto snapshots, copy->ListAllSnapshots());
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0].path, (copy_dir / "domains/sales/products/orders/v1/snapshots/s1").string());
  ASSERT_OK_AND_ASSIGN(auto publishes, copy->ListPublishes("sales.orders", 0));
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].input_archive, (copy_dir / "domains/sales/archive/p1").string());
  EXPECT_EQ(publishes[0].quarantine_path, (copy_dir / "domains/sales/quarantine/orders/p1.parquet").string());
}

TEST_F(StoreTest, SnapshotsAreImmutableAndTimedWhenUntimed) {
  ASSERT_OK(Write([](Transaction& txn) { return txn.InsertSnapshot(SampleSnapshot("sales.orders", 1, "s1", "")); }));
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListSnapshots("sales.orders"));
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_THAT(snapshots[0].created_at, MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"));
  Status again = Write([](Transaction& txn) { return txn.InsertSnapshot(SampleSnapshot("sales.orders", 1, "s1", "")); });
  EXPECT_FALSE(again.ok());
  EXPECT_THAT(again.message(), HasSubstr("while recording snapshot s1 of sales.orders"));
  EXPECT_EQ(Write([](Transaction& txn) { return txn.InsertSnapshot({}); }).code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, DeleteSnapshot) {
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertSnapshot(SampleSnapshot("sales.orders", 1, "s1", "2026-01-01T00:00:00.000Z")));
    return txn.InsertSnapshot(SampleSnapshot("sales.orders", 1, "s2", "2026-01-02T00:00:00.000Z"));
  }));
  ASSERT_OK(Write([](Transaction& txn) { return txn.DeleteSnapshot("s1"); }));
  ASSERT_OK_AND_ASSIGN(auto left, store_->ListAllSnapshots());
  EXPECT_THAT(SnapshotIds(left), ElementsAre("s2"));
  EXPECT_EQ(Write([](Transaction& txn) { return txn.DeleteSnapshot("s1"); }).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, PublishesNewestFirstWithLimit) {
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p1", "2026-01-01T00:00:00.000Z", "published")));
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p3", "2026-01-03T00:00:00.000Z", "rejected")));
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p2", "2026-01-02T00:00:00.000Z", "failed")));
    return txn.InsertPublish(SamplePublish("sales.returns", "p0", "2026-01-04T00:00:00.000Z", "published"));
  }));
  ASSERT_OK_AND_ASSIGN(auto all, store_->ListPublishes("sales.orders", 0));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "p3");
  EXPECT_EQ(all[1].id, "p2");
  EXPECT_EQ(all[2].id, "p1");
  const PublishRecord expected = SamplePublish("sales.orders", "p1", "2026-01-01T00:00:00.000Z", "published");
  const PublishRecord& got = all[2];
  EXPECT_EQ(got.product_id, expected.product_id);
  EXPECT_EQ(got.major, expected.major);
  EXPECT_EQ(got.actor, expected.actor);
  EXPECT_EQ(got.started_at, expected.started_at);
  EXPECT_EQ(got.finished_at, expected.finished_at);
  EXPECT_EQ(got.outcome, expected.outcome);
  EXPECT_EQ(got.mode, expected.mode);
  EXPECT_EQ(got.snapshot_id, expected.snapshot_id);
  EXPECT_EQ(got.rows_in, expected.rows_in);
  EXPECT_EQ(got.rows_valid, expected.rows_valid);
  EXPECT_EQ(got.rows_quarantined, expected.rows_quarantined);
  EXPECT_EQ(got.input_checksum, expected.input_checksum);
  EXPECT_EQ(got.input_archive, expected.input_archive);
  EXPECT_EQ(got.quarantine_path, expected.quarantine_path);
  EXPECT_EQ(got.message, expected.message);
  ASSERT_OK_AND_ASSIGN(auto two, store_->ListPublishes("sales.orders", 2));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].id, "p3");
  Status duplicate = Write([](Transaction& txn) {
    return txn.InsertPublish(SamplePublish("sales.orders", "p1", "2026-01-05T00:00:00.000Z", "published"));
  });
  EXPECT_FALSE(duplicate.ok());
}

TEST_F(StoreTest, QualityResultsKeepTheirOrderPerPublish) {
  // Results may come before their publish record in the same transaction
  // (the foreign key is checked at commit).
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertQualityResults({SampleResult("p1", "orders.amount:nullValues", false),
                                              SampleResult("p1", "orders:rowCount", true)}));
    RETURN_IF_ERROR(txn.InsertQualityResults({SampleResult("p1", "orders.id:unique", true)}));
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p1", "2026-01-01T00:00:00.000Z", "rejected")));
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p2", "2026-01-02T00:00:00.000Z", "published")));
    return txn.InsertQualityResults({SampleResult("p2", "orders.amount:nullValues", true)});
  }));
  ASSERT_OK_AND_ASSIGN(auto results, store_->ListQualityResults("p1"));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].rule_id, "orders.amount:nullValues");
  EXPECT_EQ(results[1].rule_id, "orders:rowCount");
  EXPECT_EQ(results[2].rule_id, "orders.id:unique");
  const QualityResultRecord expected = SampleResult("p1", "orders.amount:nullValues", false);
  const QualityResultRecord& got = results[0];
  EXPECT_EQ(got.publish_id, expected.publish_id);
  EXPECT_EQ(got.kind, expected.kind);
  EXPECT_EQ(got.object, expected.object);
  EXPECT_EQ(got.column, expected.column);
  EXPECT_EQ(got.severity, expected.severity);
  EXPECT_EQ(got.dimension, expected.dimension);
  EXPECT_EQ(got.failing_rows, expected.failing_rows);
  EXPECT_EQ(got.checked_rows, expected.checked_rows);
  EXPECT_DOUBLE_EQ(got.value, expected.value);
  EXPECT_EQ(got.threshold, expected.threshold);
  EXPECT_FALSE(got.passed);
  EXPECT_TRUE(got.row_level);
  ASSERT_OK_AND_ASSIGN(auto p2, store_->ListQualityResults("p2"));
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_TRUE(p2[0].passed);
}

TEST_F(StoreTest, QualityResultsWithoutTheirPublishAreRefusedAtCommit) {
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  Status s = Write([](Transaction& txn) { return txn.InsertQualityResults({SampleResult("ghost", "r", true)}); });
  EXPECT_FALSE(s.ok());
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);
}

TEST_F(StoreTest, RolledBackPublishLeavesNothing) {
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertPublish(SamplePublish("sales.orders", "p1", "2026-01-01T00:00:00.000Z", "published")));
    ASSERT_OK(txn->InsertQualityResults({SampleResult("p1", "r1", true)}));
    ASSERT_OK(txn->InsertSnapshot(SampleSnapshot("sales.orders", 1, "snap-p1", "2026-01-01T00:00:00.000Z")));
    ASSERT_OK(txn->AppendAudit({.actor = "alice", .action = "publish", .object = "product:sales.orders"}));
  }  // destroyed without Commit
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);
  ASSERT_OK_AND_ASSIGN(auto snapshots, store_->ListAllSnapshots());
  EXPECT_TRUE(snapshots.empty());
  ASSERT_OK_AND_ASSIGN(auto publishes, store_->ListPublishes("sales.orders", 0));
  EXPECT_TRUE(publishes.empty());
  ASSERT_OK_AND_ASSIGN(auto results, store_->ListQualityResults("p1"));
  EXPECT_TRUE(results.empty());
}

TEST_F(StoreTest, DumpShowsDataPlaneRows) {
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertPublish(SamplePublish("sales.orders", "p1", "2026-01-01T00:00:00.000Z", "published")));
    RETURN_IF_ERROR(txn.InsertQualityResults({SampleResult("p1", "orders.amount:nullValues", true)}));
    return txn.InsertSnapshot(SampleSnapshot("sales.orders", 1, "snap-p1", "2026-01-01T00:00:00.000Z"));
  }));
  ASSERT_OK_AND_ASSIGN(std::string dump, store_->Dump());
  EXPECT_THAT(dump, HasSubstr("'snap-p1' | 'sales.orders' | 1"));
  EXPECT_THAT(dump, HasSubstr("'p1' | 'sales.orders' | 1 | 'alice'"));
  EXPECT_THAT(dump, HasSubstr("'p1' | 0 | 'orders.amount:nullValues'"));
}

}  // namespace
}  // namespace weft::catalog

namespace weft::catalog {
namespace {

TEST_F(StoreTest, AccessRequestsGrantsAndUsageRoundTrip) {
  int64_t request_id = 0, grant_id = 0;
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(request_id, txn.InsertAccessRequest({.product_id = "sales.orders", .major = 1, .principal = "bob",
                                                          .columns = {"order_id", "amount"}, .purpose = "forecast",
                                                          .until = "2027-01-01", .status = "pending"}));
    return Status::Ok();
  }));
  ASSERT_OK_AND_ASSIGN(auto requests, store_->ListAccessRequests());
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].id, request_id);
  EXPECT_THAT(requests[0].columns, ElementsAre("order_id", "amount"));
  EXPECT_FALSE(requests[0].created_at.empty());  // filled by the store

  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    ASSIGN_OR_RETURN(grant_id, txn.InsertGrant({.product_id = "sales.orders", .major = 1, .grantee = "bob",
                                                .columns = {"order_id", "amount"}, .purpose = "forecast",
                                                .expires_at = "2027-01-01T00:00:00Z", .clearances = {"pii"},
                                                .row_filter = "region = $principal.region", .granted_by = "carol",
                                                .request_id = request_id}));
    AccessRequestRecord decided = requests[0];
    decided.status = "approved";
    decided.decided_by = "carol";
    decided.grant_id = grant_id;
    return txn.UpdateAccessRequest(decided);
  }));
  ASSERT_OK_AND_ASSIGN(auto grants, store_->ListGrants());
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_THAT(grants[0].clearances, ElementsAre("pii"));
  EXPECT_EQ(grants[0].row_filter, "region = $principal.region");
  EXPECT_EQ(grants[0].revoked_at, "");
  ASSERT_OK_AND_ASSIGN(requests, store_->ListAccessRequests());
  EXPECT_EQ(requests[0].status, "approved");
  EXPECT_EQ(requests[0].grant_id, grant_id);

  ASSERT_OK(Write([&](Transaction& txn) { return txn.RevokeGrant(grant_id, "carol", ""); }));
  ASSERT_OK_AND_ASSIGN(grants, store_->ListGrants());
  EXPECT_NE(grants[0].revoked_at, "");
  // Revoking twice is an error: the grant is no longer in force.
  EXPECT_FALSE(Write([&](Transaction& txn) { return txn.RevokeGrant(grant_id, "carol", ""); }).ok());

  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    RETURN_IF_ERROR(txn.InsertUsage({.at = "2026-11-01T10:00:00.000Z", .principal = "bob", .consumer_domain = "finance",
                                     .kind = "query", .products = {"sales.orders_v1"},
                                     .columns = {"sales.orders_v1.amount"}, .rows_scanned = 10, .cpu_seconds = 0.5,
                                     .cost = 0.25, .status = "ok"}).status());
    return txn.InsertUsage({.at = "2026-12-01T10:00:00.000Z", .principal = "bob", .consumer_domain = "finance",
                            .kind = "query", .products = {"sales.order_items_v1"}, .status = "ok"}).status();
  }));
  ASSERT_OK_AND_ASSIGN(auto orders, store_->ListUsage({.product_id = "sales.orders"}));
  ASSERT_EQ(orders.size(), 1u);  // sales.order_items is another product
  EXPECT_DOUBLE_EQ(orders[0].cost, 0.25);
  EXPECT_THAT(orders[0].columns, ElementsAre("sales.orders_v1.amount"));
  ASSERT_OK_AND_ASSIGN(auto november, store_->ListUsage({.since = "2026-11-01", .until = "2026-12-01"}));
  EXPECT_EQ(november.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto other, store_->ListUsage({.consumer_domain = "sales"}));
  EXPECT_TRUE(other.empty());
}

TEST_F(StoreTest, TokensAreFoundByHashRevokedOnceAndListedByCreation) {
  ASSERT_OK(Write([](Transaction& txn) {
    RETURN_IF_ERROR(txn.InsertToken({.id = "tok_b", .principal = "bob", .hash = "hash-b", .description = "ci",
                                     .created_by = "alice", .created_at = "2026-01-02T00:00:00Z",
                                     .expires_at = "2026-02-01T00:00:00Z"}));
    return txn.InsertToken({.id = "tok_a", .principal = "carol", .hash = "hash-a", .created_by = "alice",
                            .created_at = "2026-01-01T00:00:00Z"});
  }));
  ASSERT_OK_AND_ASSIGN(TokenRecord b, store_->FindToken("hash-b"));
  EXPECT_EQ(b.id, "tok_b");
  EXPECT_EQ(b.principal, "bob");
  EXPECT_EQ(b.description, "ci");
  EXPECT_EQ(b.expires_at, "2026-02-01T00:00:00Z");
  EXPECT_EQ(b.revoked_at, "");
  EXPECT_EQ(store_->FindToken("hash-x").status().code(), StatusCode::kNotFound);
  // A second token with the same hash is refused; nothing else changes.
  ASSERT_OK_AND_ASSIGN(std::string before, store_->Dump());
  EXPECT_FALSE(Write([](Transaction& txn) {
                 return txn.InsertToken({.id = "tok_c", .principal = "dan", .hash = "hash-b"});
               }).ok());
  ASSERT_OK_AND_ASSIGN(std::string after, store_->Dump());
  EXPECT_EQ(before, after);

  ASSERT_OK(Write([](Transaction& txn) { return txn.RevokeToken("tok_b", "alice", "2026-01-03T00:00:00Z"); }));
  EXPECT_EQ(Write([](Transaction& txn) { return txn.RevokeToken("tok_b", "alice", ""); }).code(),
            StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(b, store_->FindToken("hash-b"));  // revoked tokens are still found
  EXPECT_EQ(b.revoked_by, "alice");
  EXPECT_EQ(b.revoked_at, "2026-01-03T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(auto tokens, store_->ListTokens());
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].id, "tok_a");
  EXPECT_EQ(tokens[1].id, "tok_b");
}

TEST_F(StoreTest, EnsurePrincipalKeepsWhatWasSet) {
  ASSERT_OK(Write([](Transaction& txn) {
    return txn.UpsertPrincipal({.name = "bob", .kind = "user", .display_name = "Bob", .attributes = {{"region", "EU"}}});
  }));
  ASSERT_OK(Write([](Transaction& txn) { return txn.EnsurePrincipal({.name = "bob", .kind = "user"}); }));
  ASSERT_OK_AND_ASSIGN(auto principals, store_->ListPrincipals());
  ASSERT_EQ(principals.size(), 1u);
  EXPECT_EQ(principals[0].display_name, "Bob");
  EXPECT_EQ(principals[0].attributes.at("region"), "EU");
}

// A budget check asks for whole months (kept as running totals); any other
// question sums the rows. Both must give the same figures.
TEST_F(StoreTest, UsageCostSumsWholeMonthsAndRanges) {
  ASSERT_OK(Write([&](Transaction& txn) -> Status {
    for (const auto& [at, domain, cost] : {std::tuple{"2026-10-31T23:59:59.999Z", "finance", 4.0},
                                           {"2026-11-01T00:00:00.000Z", "finance", 0.5},
                                           {"2026-11-30T10:00:00.000Z", "finance", 0.25},
                                           {"2026-12-01T10:00:00.000Z", "finance", 1.0},
                                           {"2026-11-15T10:00:00.000Z", "sales", 8.0}}) {
      RETURN_IF_ERROR(txn.InsertUsage({.at = at, .principal = "bob", .consumer_domain = domain, .kind = "query",
                                       .products = {"sales.orders_v1"}, .cost = cost, .status = "ok"})
                          .status());
    }
    return Status::Ok();
  }));
  auto sum = [&](const UsageFilter& f) {
    auto r = store_->SumUsageCost(f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : -1;
  };
  EXPECT_DOUBLE_EQ(sum({.consumer_domain = "finance", .since = "2026-11-01"}), 1.75);
  EXPECT_DOUBLE_EQ(sum({.consumer_domain = "finance", .since = "2026-11-01T00:00:00.000Z"}), 1.75);  // rows summed
  EXPECT_DOUBLE_EQ(sum({.consumer_domain = "finance", .since = "2026-12-01"}), 1.0);
  EXPECT_DOUBLE_EQ(sum({.consumer_domain = "finance", .since = "2026-11-01", .until = "2026-12-01"}), 0.75);
  EXPECT_DOUBLE_EQ(sum({.since = "2026-11-01"}), 9.75);
  EXPECT_DOUBLE_EQ(sum({.product_id = "sales.orders", .consumer_domain = "sales", .since = "2026-11-01"}), 8.0);
  EXPECT_DOUBLE_EQ(sum({.consumer_domain = "marketing", .since = "2026-11-01"}), 0.0);
  EXPECT_DOUBLE_EQ(sum({}), 13.75);
}

}  // namespace
}  // namespace weft::catalog
