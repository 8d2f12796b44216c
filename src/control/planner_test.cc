#include "control/planner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "spec/loader.h"

namespace weft::control {
namespace {

namespace fs = std::filesystem;

std::string Domain(const std::string& name) {
  return "apiVersion: weft/v1\nkind: Domain\nname: " + name + "\nowners: [owner@" + name +
         ".example]\nmonthlyBudget: 100\ncurrency: USD\ncostCenter: CC-1\n";
}

std::string Product(const std::string& domain, const std::string& name, const std::string& version) {
  return "apiVersion: v1.0.0\nkind: DataProduct\nid: " + domain + "." + name + "\nname: " + name +
         "\nversion: 1.0.0\nstatus: active\ndomain: " + domain +
         "\ndescription:\n  purpose: Orders of the shop.\ntags: [orders]\noutputPorts:\n  - name: " + name +
         "\n    version: " + version + "\n    contractId: " + domain + "." + name + "\n";
}

// `extra` adds properties to the orders object; `sla` adds slaProperties.
std::string Contract(const std::string& id, const std::string& version, const std::string& extra = "",
                     const std::string& sla = "") {
  return "apiVersion: v3.1.0\nkind: DataContract\nid: " + id + "\nname: orders\nversion: " + version +
         "\nstatus: active\n" + sla +
         "schema:\n  - name: orders\n    properties:\n      - name: order_id\n        logicalType: string\n"
         "        primaryKey: true\n        description: The order's id.\n" + extra;
}

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("weft-planner-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto ws = InitWorkspace(root_ / "ws", "test");
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    // No policy packs here: these tests are about reconciliation.
    WriteFile(root_ / "ws/weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\n");
    ws_ = *LoadWorkspace(root_ / "ws");
    auto store = catalog::OpenStore(ws_.CatalogLocation());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteFile(const fs::path& p, const std::string& text) { ASSERT_TRUE(WriteStringToFile(p, text, true).ok()); }

  // A tree with domain `sales` and product sales.orders at contract `version`.
  fs::path Tree(const std::string& name, const std::string& version, const std::string& extra = "",
                const std::string& sla = "") {
    fs::path t = root_ / name;
    WriteFile(t / "domains/sales/domain.yaml", Domain("sales"));
    WriteFile(t / "domains/sales/products/orders/product.odps.yaml", Product("sales", "orders", version));
    WriteFile(t / "domains/sales/products/orders/orders.odcs.yaml", Contract("sales.orders", version, extra, sla));
    return t;
  }

  Result<Plan> PlanTree(const fs::path& tree, bool prune = false) {
    return PlanTree(tree, {.prune = prune, .actor = "tester"});
  }
  Result<Plan> PlanTree(const fs::path& tree, const PlanOptions& options) {
    std::vector<spec::Document> docs;
    std::vector<spec::Diagnostic> diags;
    for (const auto& f : spec::FindSpecFiles({tree}, diags)) {
      auto loaded = spec::LoadFile(f);
      for (auto& d : loaded.documents) docs.push_back(std::move(d));
      for (auto& d : loaded.diagnostics) diags.push_back(std::move(d));
    }
    docs_.push_back(std::move(docs));  // plans point into their documents
    return MakePlan(ws_, *store_, docs_.back(), diags, options);
  }

  Plan MustPlan(const fs::path& tree, bool prune = false) {
    auto plan = PlanTree(tree, prune);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? std::move(*plan) : Plan{};
  }

  void MustApply(const fs::path& tree) {
    Plan plan = MustPlan(tree);
    for (const auto& r : plan.refusals) ADD_FAILURE() << r.file << ": " << r.message << " [" << r.rule << "]";
    ASSERT_FALSE(plan.refused());
    auto applied = Apply(ws_, *store_, storage::DefaultFileSystem(), plan);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  std::string Dump() { return *store_->Dump(); }

  static bool HasRefusal(const Plan& p, const std::string& rule) {
    for (const auto& r : p.refusals)
      if (r.rule == rule) return true;
    return false;
  }

  fs::path root_;
  Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  std::vector<std::vector<spec::Document>> docs_;
};

TEST_F(PlannerTest, FirstApplyCreatesEverythingAndProvisionsOwnerOnlyStorage) {
  Plan plan = MustPlan(Tree("t1", "1.0.0"));
  EXPECT_FALSE(plan.refused());
  EXPECT_GE(plan.change_count(), 4u);  // domain, contract, product, port
  MustApply(Tree("t1", "1.0.0"));
  fs::path root = root_ / "ws/domains/sales";
  EXPECT_TRUE(fs::is_directory(root / "products/orders/v1"));
  EXPECT_TRUE(fs::is_directory(root / "quarantine"));
  EXPECT_EQ(fs::status(root).permissions() & fs::perms::all, fs::perms::owner_all);
  auto products = store_->ListProducts();
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].id, "sales.orders");
  auto audit = store_->ListAudit({});
  EXPECT_GE(audit->size(), 4u);
  EXPECT_EQ((*audit)[0].actor, "tester");
}

TEST_F(PlannerTest, SecondApplyOfTheSameTreeChangesNothing) {
  MustApply(Tree("t1", "1.0.0"));
  std::string before = Dump();
  Plan again = MustPlan(Tree("t1", "1.0.0"));
  EXPECT_EQ(again.change_count(), 0u);
  EXPECT_FALSE(again.refused());
  EXPECT_EQ(Dump(), before);
}

TEST_F(PlannerTest, BreakingChangeWithoutMajorBumpIsRefusedAndChangesNothing) {
  MustApply(Tree("t1", "1.0.0", "      - name: discount\n        logicalType: number\n"));
  std::string before = Dump();
  Plan plan = MustPlan(Tree("t2", "1.1.0"));  // dropped column 'discount'
  ASSERT_TRUE(HasRefusal(plan, "breaking-change"));
  bool names_column = false;
  for (const auto& r : plan.refusals)
    if (r.message.find("discount") != std::string::npos && r.message.find("2.0.0") != std::string::npos) names_column = true;
  EXPECT_TRUE(names_column) << "the refusal says which column and which version to bump to";
  EXPECT_FALSE(Apply(ws_, *store_, storage::DefaultFileSystem(), plan).ok());
  EXPECT_EQ(Dump(), before);
}

TEST_F(PlannerTest, VersionGoingBackwardsIsRefused) {
  MustApply(Tree("t1", "1.2.0"));
  Plan plan = MustPlan(Tree("t2", "1.1.0"));
  EXPECT_TRUE(HasRefusal(plan, "version-backwards"));
}

TEST_F(PlannerTest, ChangedSpecUnderAnAppliedVersionIsRefused) {
  MustApply(Tree("t1", "1.0.0"));
  Plan plan = MustPlan(Tree("t2", "1.0.0", "      - name: note\n        logicalType: string\n"));
  ASSERT_TRUE(HasRefusal(plan, "version-immutable"));
  EXPECT_NE(plan.refusals[0].message.find("1.1.0"), std::string::npos) << plan.refusals[0].message;
}

TEST_F(PlannerTest, NewMajorIsServedBesideTheOldOneWhichIsDeprecatedWithItsEndOfLife) {
  MustApply(Tree("t1", "1.0.0", "      - name: discount\n        logicalType: number\n",
                 "slaProperties:\n  - property: endOfSupport\n    value: \"2027-01-31\"\n"
                 "  - property: endOfLife\n    value: \"2027-06-30\"\n"));
  MustApply(Tree("t2", "2.0.0"));
  auto ports = store_->ListPortVersions();
  ASSERT_EQ(ports->size(), 2u);
  for (const auto& p : *ports) {
    if (p.major == 1) {
      EXPECT_EQ(p.status, "deprecated");
      EXPECT_EQ(p.end_of_life, "2027-06-30");
      EXPECT_EQ(p.end_of_support, "2027-01-31");
    } else {
      EXPECT_EQ(p.status, "active");
      EXPECT_EQ(p.version, "2.0.0");
    }
  }
  EXPECT_TRUE(fs::is_directory(root_ / "ws/domains/sales/products/orders/v2"));
}

TEST_F(PlannerTest, LintErrorsRefuseTheWholeTree) {
  fs::path t = Tree("t1", "1.0.0");
  WriteFile(t / "domains/sales/products/orders/orders.odcs.yaml",
            Contract("sales.orders", "1.0.0", "      - name: bad\n        logicalType: strng\n"));
  std::string before = Dump();
  Plan plan = MustPlan(t);
  ASSERT_TRUE(HasRefusal(plan, "unknown-logical-type"));
  EXPECT_EQ(plan.refusals[0].pos.line, 15);  // the logicalType line
  EXPECT_EQ(Dump(), before);
}

// One currency per workspace: weft.yaml sets none here, so USD; a domain
// budgeting in EUR is refused at its currency line, naming both currencies.
TEST_F(PlannerTest, ADomainBudgetingInAnotherCurrencyThanTheWorkspaceIsRefused) {
  fs::path t = Tree("t1", "1.0.0");
  std::string domain = Domain("sales");
  domain.replace(domain.find("currency: USD"), 13, "currency: EUR");
  WriteFile(t / "domains/sales/domain.yaml", domain);
  std::string before = Dump();
  Plan plan = MustPlan(t);
  ASSERT_TRUE(HasRefusal(plan, "currency-mismatch"));
  const Refusal& r = plan.refusals[0];
  EXPECT_EQ(r.file, (t / "domains/sales/domain.yaml").string());
  EXPECT_EQ(r.pos, (spec::Pos{6, 1}));  // the currency line
  EXPECT_NE(r.message.find("budgets in EUR, but the workspace counts every cost and budget in USD (" +
                           ws_.SettingsFile().string() + ")"),
            std::string::npos)
      << r.message;
  EXPECT_EQ(Dump(), before);

  // The same domain in the workspace's currency applies.
  WriteFile(root_ / "ws/weft.yaml",
            "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: EUR\n");
  ws_ = *LoadWorkspace(root_ / "ws");
  MustApply(t);
}

TEST_F(PlannerTest, ProvisioningFailureCommitsNothingAndRemovesWhatItCreated) {
  Plan plan = MustPlan(Tree("t1", "1.0.0"));
  std::string before = Dump();
  storage::FaultInjectingFileSystem faulty(storage::DefaultFileSystem());
  faulty.FailNth(storage::FileOp::kCreateDir, "products/orders/v1");
  auto applied = Apply(ws_, *store_, faulty, plan);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.status().message().find("nothing was applied"), std::string::npos);
  EXPECT_EQ(Dump(), before);
  EXPECT_FALSE(fs::exists(root_ / "ws/domains/sales"));
}

TEST_F(PlannerTest, AStalePlanLosesToAConcurrentApply) {
  Plan first = MustPlan(Tree("t1", "1.0.0"));
  Plan second = MustPlan(Tree("t1", "1.0.0"));
  ASSERT_TRUE(Apply(ws_, *store_, storage::DefaultFileSystem(), first).ok());
  std::string after_first = Dump();
  auto applied = Apply(ws_, *store_, storage::DefaultFileSystem(), second);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), StatusCode::kFailedPrecondition);
  // The message names the writer that won, from the audit trail.
  EXPECT_NE(applied.status().message().find("another writer meanwhile: tester (apply.create domain:sales)"), std::string::npos)
      << applied.status().message();
  EXPECT_EQ(Dump(), after_first);
}

// Grants, tokens, publishes and metering write the catalog all day on a busy
// mesh; none of them is something a plan read, so none refuses an apply.
TEST_F(PlannerTest, WritesAPlanDidNotReadDoNotRefuseItsApply) {
  MustApply(Tree("t1", "1.0.0"));
  Plan plan = MustPlan(Tree("t2", "1.1.0", "      - name: discount\n        logicalType: number\n"));
  ASSERT_GT(plan.change_count(), 0u);
  ASSERT_OK_AND_ASSIGN(int64_t before, store_->Generation());
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->InsertGrant({.product_id = "sales.orders", .major = 1, .grantee = "bob", .granted_by = "tester",
                                .granted_at = "2026-01-01T00:00:00Z"})
                  .status());
    ASSERT_OK(txn->InsertToken({.id = "t1", .principal = "bob", .hash = "h", .created_at = "2026-01-01T00:00:00Z"}));
    ASSERT_OK(txn->InsertSnapshot({.id = "s1", .product_id = "sales.orders", .major = 1, .created_at = "2026-01-01T00:00:00Z",
                                   .path = (root_ / "nowhere").string()}));
    ASSERT_OK(txn->AppendAudit({.actor = "bob", .action = "access.grant", .object = "product:sales.orders"}));
    ASSERT_OK(txn->Commit());
  }
  ASSERT_OK_AND_ASSIGN(int64_t after, store_->Generation());
  ASSERT_GT(after, before);  // the catalog did move on
  auto applied = Apply(ws_, *store_, storage::DefaultFileSystem(), plan);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_OK_AND_ASSIGN(auto contracts, store_->ListContractVersions());
  EXPECT_TRUE(std::any_of(contracts.begin(), contracts.end(), [](const auto& c) { return c.version == "1.1.0"; }));
}

// A waiver changes what the plan's policies decided: it is something the
// plan read, so it refuses an apply planned before it.
TEST_F(PlannerTest, AWaiverAddedAfterThePlanRefusesItsApply) {
  Plan plan = MustPlan(Tree("t1", "1.0.0"));
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->AddWaiver({.policy_id = "p", .subject = "product:sales.orders", .reason = "r",
                                 .approver = "steward", .expires_at = "2099-01-01T00:00:00Z"})
                  .status());
    ASSERT_OK(txn->AppendAudit({.actor = "steward", .action = "waiver.add", .object = "policy:p"}));
    ASSERT_OK(txn->Commit());
  }
  auto applied = Apply(ws_, *store_, storage::DefaultFileSystem(), plan);
  ASSERT_FALSE(applied.ok());
  EXPECT_NE(applied.status().message().find("another writer meanwhile: steward (waiver.add policy:p)"), std::string::npos)
      << applied.status().message();
}

TEST_F(PlannerTest, PruneRemovesWhatTheTreeNoLongerHas) {
  MustApply(Tree("t1", "1.0.0"));
  fs::path t2 = root_ / "t2";
  WriteFile(t2 / "domains/sales/domain.yaml", Domain("sales"));
  Plan keep = MustPlan(t2);
  EXPECT_EQ(keep.change_count(), 0u);  // without --prune the product is kept
  Plan prune = MustPlan(t2, /*prune=*/true);
  ASSERT_FALSE(prune.refused());
  ASSERT_TRUE(Apply(ws_, *store_, storage::DefaultFileSystem(), prune).ok());
  EXPECT_TRUE(store_->ListProducts()->empty());
  EXPECT_TRUE(store_->ListPortVersions()->empty());
}

TEST_F(PlannerTest, ProductInAnUnknownDomainIsRefused) {
  fs::path t = root_ / "t";
  WriteFile(t / "domains/sales/products/orders/product.odps.yaml", Product("sales", "orders", "1.0.0"));
  WriteFile(t / "domains/sales/products/orders/orders.odcs.yaml", Contract("sales.orders", "1.0.0"));
  Plan plan = MustPlan(t);
  EXPECT_TRUE(HasRefusal(plan, "domain-unresolved"));
}

// --- the glossary ---

std::string Term(const std::string& name, const std::string& domain = "", const std::string& synonyms = "[]") {
  return "apiVersion: weft/v1\nkind: GlossaryTerm\nname: " + name + "\n" + (domain.empty() ? "" : "domain: " + domain + "\n") +
         "definition: What " + name + " means.\nowners: [stu]\nsynonyms: " + synonyms + "\n";
}

const char* kCustomerColumns =
    "      - name: customer_id\n        logicalType: string\n        customProperties:\n"
    "          - property: weft.term\n            value: customer\n"
    "      - name: buyer\n        logicalType: string\n        businessName: Client\n";

const PlanItem* FindItem(const Plan& plan, const std::string& object) {
  for (const auto& i : plan.items)
    if (i.object == object) return &i;
  return nullptr;
}

TEST_F(PlannerTest, TermsAreCreatedAndLinkedToTheColumnsThatNameThem) {
  fs::path t = Tree("t1", "1.0.0", kCustomerColumns);
  WriteFile(t / "glossary/customer.yaml", Term("customer", "", "[Client]"));
  Plan plan = MustPlan(t);
  const PlanItem* item = FindItem(plan, "term:customer");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->action, PlanAction::kCreate);
  EXPECT_EQ(item->detail, "global term, used by 2 column(s)");
  MustApply(t);
  auto links = store_->ListGlossaryLinks({.term = "customer", .product = ""});
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].column, "buyer");
  EXPECT_EQ((*links)[0].via, "businessName");
  EXPECT_EQ((*links)[1].column, "customer_id");
  EXPECT_EQ((*links)[1].via, "weft.term");
  EXPECT_EQ((*links)[1].contract_version, "1.0.0");
  EXPECT_EQ(MustPlan(t).change_count(), 0u);
  // The synonym finds the term and, through its columns, the product.
  auto found = store_->Search({.text = "client"});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->terms.size(), 1u);
  EXPECT_EQ(found->terms[0].name, "customer");
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].product_id, "sales.orders");
}

TEST_F(PlannerTest, AWeftTermNamingNoTermIsRefused) {
  fs::path t = Tree("t1", "1.0.0", kCustomerColumns);
  WriteFile(t / "glossary/customer.yaml", Term("customers"));
  Plan plan = MustPlan(t);
  EXPECT_TRUE(HasRefusal(plan, "term-unresolved"));
}

TEST_F(PlannerTest, ATermAppliedBeforeResolvesAndPruneKeepsItWhileAWeftTermNamesIt) {
  fs::path t = Tree("t1", "1.0.0");
  WriteFile(t / "glossary/customer.yaml", Term("customer"));
  MustApply(t);
  // A later tree without the term still links to it: lint sees the catalog.
  fs::path t2 = Tree("t2", "1.1.0", kCustomerColumns);
  MustApply(t2);
  ASSERT_EQ(store_->ListGlossaryLinks({})->size(), 1u);  // "Client" is no synonym of this term
  Plan prune = MustPlan(t2, /*prune=*/true);
  EXPECT_TRUE(HasRefusal(prune, "term-in-use"));
}

TEST_F(PlannerTest, PruneRemovesATermNoColumnNames) {
  fs::path t = Tree("t1", "1.0.0");
  WriteFile(t / "glossary/customer.yaml", Term("customer"));
  MustApply(t);
  Plan removal = MustPlan(Tree("t2", "1.0.0"), /*prune=*/true);
  const PlanItem* item = FindItem(removal, "term:customer");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->action, PlanAction::kRemove);
  ASSERT_FALSE(removal.refused());
  ASSERT_TRUE(Apply(ws_, *store_, storage::DefaultFileSystem(), removal).ok());
  EXPECT_TRUE(store_->ListGlossaryTerms()->empty());
  EXPECT_TRUE(store_->Search({.text = "customer"})->terms.empty());  // its search text went with it
}

TEST_F(PlannerTest, OnlyCuratorsWriteGlobalTermsAndOnlyOwnersADomainsTerms) {
  MustApply(Tree("t1", "1.0.0"));
  fs::path t = root_ / "terms";
  WriteFile(t / "domains/sales/domain.yaml", Domain("sales"));
  WriteFile(t / "glossary/customer.yaml", Term("customer"));
  WriteFile(t / "domains/sales/glossary/order.yaml", Term("order", "sales"));
  PlanOptions owner{.actor = "owner@sales.example", .writable_domains = std::set<std::string>{"sales"},
                    .curate_glossary = false};
  auto plan = PlanTree(t, owner);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->refusals.size(), 1u);
  EXPECT_EQ(plan->refusals[0].object, "term:customer");
  EXPECT_EQ(plan->refusals[0].rule, "not-owner");
  EXPECT_NE(plan->refusals[0].message.find("only stewards and admins"), std::string::npos);
  PlanOptions stranger{.actor = "eve", .writable_domains = std::set<std::string>{}, .curate_glossary = true};
  plan = PlanTree(t, stranger);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(HasRefusal(*plan, "not-owner"));
  bool order_refused = false;
  for (const auto& r : plan->refusals) order_refused |= r.object == "term:order";
  EXPECT_TRUE(order_refused);
}

// The policy results of a plan are cached by a digest of what they read
// (governance::Evaluate); a changed file or policy must still be seen.
TEST_F(PlannerTest, CachedPolicyResultsNeverHideAChangedFileOrPolicy) {
  auto policy = [](const std::string& where) {
    return "apiVersion: weft/v1\nkind: Policy\nid: no-forbidden-tag\ntitle: No product is tagged forbidden\n"
           "severity: error\nrationale: A test policy.\nquery: |\n  SELECT id AS subject, 'tagged forbidden' AS message\n"
           "  FROM products WHERE " + where + "\n";
  };
  WriteFile(root_ / "ws/policies/no-forbidden-tag.yaml", policy("list_contains(tags, 'forbidden')"));
  WriteFile(root_ / "ws/weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: [policies]\n");
  ws_ = *LoadWorkspace(root_ / "ws");
  MustApply(Tree("t1", "1.0.0"));
  ASSERT_TRUE(fs::exists(ws_.CacheDir() / "policy-results.json"));
  Plan same = MustPlan(Tree("t1", "1.0.0"));
  EXPECT_EQ(same.change_count(), 0u);
  EXPECT_FALSE(same.refused());

  // One file changes: the product is now tagged forbidden.
  fs::path tree = Tree("t1", "1.0.0");
  std::string product = Product("sales", "orders", "1.0.0");
  product.replace(product.find("tags: [orders]"), 14, "tags: [orders, forbidden]");
  WriteFile(tree / "domains/sales/products/orders/product.odps.yaml", product);
  EXPECT_TRUE(HasRefusal(MustPlan(tree), "policy:no-forbidden-tag"));

  // The tree as applied again, and the policy changes: it now flags every product.
  EXPECT_FALSE(MustPlan(Tree("t1", "1.0.0")).refused());
  WriteFile(root_ / "ws/policies/no-forbidden-tag.yaml", policy("true"));
  EXPECT_TRUE(HasRefusal(MustPlan(Tree("t1", "1.0.0")), "policy:no-forbidden-tag"));
}

TEST_F(PlannerTest, DemoMeshAppliesCleanlyWithTheDefaultPolicyPack) {
  WriteFile(root_ / "ws/weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: demo\npolicyPacks: [default]\n");
  ws_ = *LoadWorkspace(root_ / "ws");
  fs::path mesh = fs::path(WEFT_SOURCE_DIR) / "examples/mesh";
  Plan plan = MustPlan(mesh);
  for (const auto& r : plan.refusals) ADD_FAILURE() << r.file << " " << r.object << ": " << r.message;
  ASSERT_FALSE(plan.refused());
  ASSERT_TRUE(Apply(ws_, *store_, storage::DefaultFileSystem(), plan).ok());
  EXPECT_EQ(MustPlan(mesh).change_count(), 0u);
  auto hits = store_->Search({.text = "customer"});
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->hits.empty());
  EXPECT_EQ(hits->hits[0].product_id, "customer.customers");  // the golden record first
  EXPECT_EQ(store_->ListGlossaryTerms()->size(), 3u);
  auto revenue = store_->ListGlossaryLinks({.term = "revenue", .product = ""});
  ASSERT_EQ(revenue->size(), 1u);
  EXPECT_EQ((*revenue)[0].product_id, "finance.revenue_daily");
}

}  // namespace
}  // namespace weft::control
