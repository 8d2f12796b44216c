// The fixture of the gateway and attack tests: a workspace with
// tests/fixtures/query applied and published, and principals to act as:
//   olga@example.com  owner of crm (crm.customers: restricted, PII masked)
//   sam@example.com   owner of shop (shop.orders: open, rows amount < 1000)
//   fay@example.com   owner of finance, no attributes
//   bob               team:finance member, region=EU
//   eve               no team, no domain
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "access/access_control.h"
#include "access/principals.h"
#include "common/files.h"
#include "common/testing/status_matchers.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/duckdb_sql_validator.h"
#include "quality/publisher.h"
#include "query/gateway.h"
#include "spec/loader.h"

namespace weft::query::testing {

class QueryFixture : public ::testing::Test {
 protected:
  // Every raw PII value of tests/fixtures/query/data/customers.csv: none may
  // appear in what a masked reader gets.
  static const std::vector<std::string>& RawPii() {
    static const std::vector<std::string> k = {
        "ada@example.com", "bob@example.com", "cy@example.com", "Ada Lovelace", "Bob Stone", "Cy Young",
        "4111111111111111", "5500000000000004", "340000000000009", "1815-12-10", "1980-05-17", "1990-07-01",
        "Lovelace", "Stone", "41111111"};
    return k;
  }

  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("weft-query-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    ASSERT_OK(control::InitWorkspace(root_ / "ws", "test"));
    ASSERT_OK(WriteStringToFile(root_ / "ws/weft.yaml",
                                "apiVersion: weft/v1\nkind: Workspace\nname: test\npolicyPacks: []\ncurrency: USD\n"
                                "rateCard: {cpuSecond: 1.0, gbScanned: 1.0}\nmasking: {pii: hash, restricted: redact}\n",
                                true));
    ASSERT_OK_AND_ASSIGN(ws_, control::LoadWorkspace(root_ / "ws"));
    ASSERT_OK_AND_ASSIGN(store_, catalog::OpenStore(ws_.CatalogLocation()));
    ASSERT_OK_AND_ASSIGN(parser_, engine::DuckDbSqlValidator::Create());
    ASSERT_OK_AND_ASSIGN(key_, control::LoadOrCreateSecret(ws_));
    std::vector<spec::Diagnostic> diags;
    std::vector<spec::Document> docs;
    for (const auto& f : spec::FindSpecFiles({Fixtures() / "tree"}, diags)) {
      auto loaded = spec::LoadFile(f);
      for (auto& d : loaded.documents) docs.push_back(std::move(d));
    }
    auto plan = control::MakePlan(ws_, *store_, docs, diags, {.actor = "tester"});
    ASSERT_OK(plan);
    for (const auto& r : plan->refusals) ADD_FAILURE() << r.file << ": " << r.message;
    ASSERT_OK(control::Apply(ws_, *store_, storage::DefaultFileSystem(), *plan));
    Publish("crm.customers", Fixtures() / "data/customers.csv");
    Publish("shop.orders", Fixtures() / "data/orders.csv");
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertPrincipal({.name = "bob", .kind = "user", .attributes = {{"region", "EU"}}}));
    ASSERT_OK(txn->ReplaceMemberships("principal:bob", {{.group = "team:finance", .principal = "bob", .role = "member",
                                                          .source = "principal:bob"}}));
    ASSERT_OK(txn->UpsertPrincipal({.name = "eve", .kind = "user"}));
    ASSERT_OK(txn->Commit());
  }

  void TearDown() override {
    runtime_.reset();
    store_.reset();
    std::filesystem::remove_all(root_);
  }

  static std::filesystem::path Fixtures() { return std::filesystem::path(WEFT_SOURCE_DIR) / "tests/fixtures/query"; }
  const std::string& Key() const { return key_; }

  void Publish(const std::string& product, const std::filesystem::path& file) {
    // The guards are the publisher's tests' subject; these fixtures are tiny.
    quality::PublishRequest req{.target = product, .files = {file}, .actor = "tester", .threads = 1,
                                .temp_dir = root_ / "ws/tmp", .guards = quality::GuardSettings::Off()};
    ASSERT_OK_AND_ASSIGN(quality::PublishReport r, quality::Publish(*store_, req));
    ASSERT_EQ(r.outcome, "published") << product;
  }

  void PublishFile(const std::string& product, const std::string& name, const std::string& content) {
    std::filesystem::create_directories(root_ / "in");
    ASSERT_OK(WriteStringToFile(root_ / "in" / name, content, true));
    Publish(product, root_ / "in" / name);
  }

  // The query as `principal`, with the access rules as they are now.
  Result<QueryAnswer> Query(const std::string& principal, const std::string& sql, const std::string& at = "") {
    return Query(principal, QueryRequest{.sql = sql, .at = at});
  }
  Result<QueryAnswer> Query(const std::string& principal, const QueryRequest& request) {
    ASSIGN_OR_RETURN(access::Principal p, access::LoadPrincipal(*store_, principal));
    auto is_type = [this](const std::string& t) { return parser_->IsType(t); };
    ASSIGN_OR_RETURN(access::AccessControl ac,
                     access::AccessControl::Load(*store_, {.masking = ws_.settings.masking, .key = key_, .is_duckdb_type = is_type}));
    Gateway gateway(*store_, ac, *parser_, {.rate_card = ws_.settings.rate_card, .currency = ws_.settings.Currency()},
                    Runtime());
    auto answer = gateway.Run(p, request);
    Runtime().usage().Flush();  // the tests read usage right after
    return answer;
  }

  // One runtime per test, as a server keeps one: warm engines and governed
  // copies are shared by the test's queries.
  QueryRuntime& Runtime() {
    if (!runtime_) {
      RuntimeOptions o = RuntimeOptions::For(root_ / "ws", ws_.settings, key_);
      o.threads = 1;
      runtime_ = std::make_unique<QueryRuntime>(std::move(o));
    }
    return *runtime_;
  }

  // A grant on crm.customers v1 unless the record names another product.
  int64_t Grant(catalog::GrantRecord g) {
    if (g.product_id.empty()) g.product_id = "crm.customers";
    if (g.major == 0) g.major = 1;
    if (g.purpose.empty()) g.purpose = "test";
    if (g.granted_by.empty()) g.granted_by = "olga@example.com";
    auto txn = store_->BeginWrite();
    EXPECT_OK(txn);
    auto id = (*txn)->InsertGrant(g);
    EXPECT_OK(id);
    EXPECT_OK((*txn)->Commit());
    LetServersSeeTheWrite();
    return id.ok() ? *id : 0;
  }

  void Revoke(int64_t id) {
    auto txn = store_->BeginWrite();
    ASSERT_OK(txn);
    ASSERT_OK((*txn)->RevokeGrant(id, "olga@example.com", ""));
    ASSERT_OK((*txn)->Commit());
    LetServersSeeTheWrite();
  }

  // A Mesh (a server's, in this process) reuses a reading of the catalog
  // generation for service::Mesh::kAccessFreshFor (1 ms), so a write on the
  // fixture's own connection is seen that much later, as another process's
  // would be. The helpers wait it out: on a fast machine the next request
  // can come within the millisecond.
  static void LetServersSeeTheWrite() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

  // Fails the test if any raw PII value appears in any cell or column name.
  static void ExpectNoRawPii(const QueryAnswer& a) {
    for (const auto& row : a.rows)
      for (const auto& cell : row)
        for (const auto& raw : RawPii())
          if (cell) {
            EXPECT_EQ(cell->find(raw), std::string::npos) << "raw value '" << raw << "' leaked in '" << *cell << "'";
          }
    for (const auto& c : a.columns)
      for (const auto& raw : RawPii()) EXPECT_EQ(c.find(raw), std::string::npos) << "leaked in a column name: " << c;
  }

  std::filesystem::path root_;
  control::Workspace ws_;
  std::unique_ptr<catalog::Store> store_;
  std::unique_ptr<engine::DuckDbSqlValidator> parser_;
  std::string key_;
  std::unique_ptr<QueryRuntime> runtime_;
};

}  // namespace weft::query::testing
