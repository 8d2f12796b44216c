// The data plane through the CLI on the demo mesh: every source product
// published from generated data (CSV, and Parquet/NDJSON copies), the derived
// products run, and what history, quarantine and lineage then show.
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Golden record and referenced products first, so foreign keys check against them.
const std::vector<std::string> kSources = {"customer.customers",  "inventory.warehouses", "inventory.stock_levels",
                                           "inventory.inventory_snapshots", "marketing.campaigns", "marketing.leads",
                                           "sales.orders",        "sales.order_items"};

class DataPlaneTest : public DemoDataTest {
 protected:
  void PublishSources() {
    for (const auto& p : kSources) {
      RunResult r = Weft({"publish", p, File(p)});
      ASSERT_EQ(r.exit_code, 0) << p << r;
    }
  }
};

TEST_F(DataPlaneTest, DerivedProductsRunAfterTheirInputsArePublished) {
  // The runs read as svc.finance: without grants on the inputs, refused.
  RunResult ungranted = Weft({"run", "finance.revenue_daily"});
  EXPECT_EQ(ungranted.exit_code, 3) << ungranted;  // not permitted (service/outcome.h)
  EXPECT_THAT(ungranted.err, HasSubstr("reads as svc.finance: no grant on"));
  for (const auto& [product, owner] : std::vector<std::pair<std::string, std::string>>{
           {"sales.orders", "carol@retail.example"}, {"customer.customers", "alice@retail.example"},
           {"marketing.campaigns", "erin@retail.example"}, {"marketing.leads", "erin@retail.example"}}) {
    RunResult g = Weft({"access", "grant", product, "--to", "svc.finance", "--purpose", "derived products", "--as", owner});
    ASSERT_EQ(g.exit_code, 0) << g;
  }
  RunResult early = Weft({"run", "finance.revenue_daily"});
  EXPECT_EQ(early.exit_code, 1) << early;
  EXPECT_THAT(early.err, HasSubstr("has no snapshot yet; publish it first"));

  PublishSources();
  for (const std::string p : {"finance.revenue_daily", "finance.campaign_roi"}) {
    RunResult r = Weft({"run", p});
    ASSERT_EQ(r.exit_code, 0) << p << r;
    EXPECT_THAT(r.out, HasSubstr("PUBLISHED " + p + "_v1 snapshot"));
    EXPECT_THAT(r.out, HasSubstr(" rows, run)"));
  }
  RunResult again = Weft({"run", "finance.revenue_daily", "-o", "json"});
  ASSERT_EQ(again.exit_code, 0) << again;
  nlohmann::json j = ParseJson(again);
  EXPECT_EQ(j["outcome"], "duplicate");
  EXPECT_EQ(j["mode"], "run");
}

TEST_F(DataPlaneTest, RunRefusesSourceAndUnknownProducts) {
  RunResult source = Weft({"run", "sales.orders"});
  EXPECT_EQ(source.exit_code, 1) << source;
  EXPECT_THAT(source.err, HasSubstr("not a derived product"));
  RunResult unknown = Weft({"run", "finance.revenue_dialy"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("did you mean 'finance.revenue_daily'"));
}

TEST_F(DataPlaneTest, HistoryShowsEveryProductAndEachRuleAcrossPublishes) {
  PublishSources();
  RunResult second = Weft({"publish", "sales.orders", File("sales.orders"), "--mode", "append"});
  EXPECT_EQ(second.exit_code, 0) << second;  // the same file appended: a duplicate input
  RunResult overview = Weft({"history", "-o", "json"});
  ASSERT_EQ(overview.exit_code, 0) << overview;
  nlohmann::json j = ParseJson(overview);
  int published = 0;
  for (const auto& p : j["products"]) {
    if (p["product"] == "sales.orders") {
      EXPECT_EQ(p["latestOutcome"], "published");
      EXPECT_GT(p["latestRowsQuarantined"].get<int64_t>(), 0);  // the planted violations
    }
    if (!p["lastGoodPublish"].is_null()) ++published;
  }
  EXPECT_EQ(published, static_cast<int>(kSources.size()));  // the two derived products never ran

  RunResult rules = Weft({"history", "sales.orders", "--rules"});
  ASSERT_EQ(rules.exit_code, 0) << rules;
  EXPECT_THAT(rules.out, HasSubstr("RULE"));
  EXPECT_THAT(rules.out, HasSubstr("#1"));
  RunResult rules_json = Weft({"history", "sales.orders", "--rules", "-o", "json"});
  nlohmann::json rj = ParseJson(rules_json);
  ASSERT_FALSE(rj["rules"].empty());
  bool failing = false;
  for (const auto& r : rj["rules"])
    for (const auto& c : r["results"])
      if (!c.is_null() && !c["passed"].get<bool>()) failing = true;
  EXPECT_TRUE(failing) << "a planted violation shows as a failing rule";
  RunResult bad = Weft({"history", "--rules"});
  EXPECT_EQ(bad.exit_code, 2) << bad;
}

TEST_F(DataPlaneTest, ParquetAndNdjsonInputsPublishLikeCsv) {
  PublishSources();
  // The same warehouses as Parquet and as NDJSON, written by weft's own engine.
  std::string parquet = (tmp_ / "warehouses.parquet").string();
  std::string ndjson = (tmp_ / "warehouses.ndjson").string();
  RunResult gen = e2e::Run({"demo", "generate", "--scale", "0.002", "--out", (tmp_ / "pq").string(), "--format",
                            "parquet", "--threads", "2"});
  ASSERT_EQ(gen.exit_code, 0) << gen;
  std::filesystem::copy_file(tmp_ / "pq/inventory/warehouses.parquet", parquet);
  RunResult pq = Weft({"publish", "inventory.warehouses", parquet, "-o", "json"});
  ASSERT_EQ(pq.exit_code, 0) << pq;
  nlohmann::json pj = ParseJson(pq);
  // Same rows as the CSV publish, so the same valid count.
  RunResult hist = Weft({"history", "inventory.warehouses", "-o", "json"});
  nlohmann::json hj = ParseJson(hist);
  ASSERT_GE(hj["publishes"].size(), 2u);
  EXPECT_EQ(pj["rowsValid"], hj["publishes"][1]["rowsValid"]);

  // NDJSON: one object per line; a value that is not of its type becomes a
  // failing row with its line number, the rest is appended.
  WriteFile(ndjson,
            "{\"warehouse_id\": \"WH-NEW1\", \"name\": \"North\", \"city\": \"Hamburg\", \"country\": \"DE\", "
            "\"capacity_units\": 1000, \"opened_date\": \"2026-01-05\"}\n"
            "{\"warehouse_id\": \"WH-NEW2\", \"name\": \"South\", \"city\": \"Munich\", \"country\": \"DE\", "
            "\"capacity_units\": \"lots\", \"opened_date\": \"2026-01-06\"}\n");
  // Half the rows failing is more than the default guard (5%) allows: the
  // append is refused, unless forced with a reason.
  RunResult refused = Weft({"publish", "inventory.warehouses", ndjson, "--mode", "append"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.out, HasSubstr("Refused by guard:quarantinedShare: 1 of 2 rows (50.0%) were quarantined"));
  EXPECT_THAT(refused.out, HasSubstr("REJECTED inventory.warehouses_v1: guard:quarantinedShare failed"));
  RunResult nd = Weft({"publish", "inventory.warehouses", ndjson, "--mode", "append", "--force", "--reason",
                       "a test of one failing row", "-o", "json"});
  ASSERT_EQ(nd.exit_code, 0) << nd;
  EXPECT_EQ(ParseJson(nd)["forced"], true);
  nlohmann::json nj = ParseJson(nd);
  EXPECT_EQ(nj["rowsIn"], 2);
  EXPECT_EQ(nj["rowsQuarantined"], 1);
  EXPECT_EQ(nj["snapshotRows"], pj["snapshotRows"].get<int64_t>() + 1);
  RunResult q = Weft({"quarantine", "show", "inventory.warehouses"});
  EXPECT_THAT(q.out, HasSubstr("lots"));
}

// The "done": a publish with 90% failing rows is refused and the
// previous snapshot stays current; rollback restores an earlier snapshot.
TEST_F(DataPlaneTest, AMostlyFailingPublishIsRefusedAndRollbackRestoresAnEarlierSnapshot) {
  RunResult first = Weft({"publish", "inventory.warehouses", File("inventory.warehouses"), "-o", "json"});
  ASSERT_EQ(first.exit_code, 0) << first;
  const std::string a = ParseJson(first)["snapshotId"];
  const std::filesystem::path bad = tmp_ / "warehouses_bad.csv";
  const std::string header = "warehouse_id,name,city,country,capacity_units,opened_date\n";
  std::string text = header + "WH-OKA1,Ok,Berlin,DE,10,2026-01-01\n";
  for (int i = 0; i < 9; ++i) text += "WH-BAD" + std::to_string(i) + ",Bad,Berlin,DE,lots,2026-01-01\n";
  WriteFile(bad, text);
  RunResult refused = Weft({"publish", "inventory.warehouses", bad.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.out, HasSubstr("guard:quarantinedShare: 9 of 10 rows (90.0%) were quarantined"));
  EXPECT_THAT(refused.out, HasSubstr("stays current"));
  RunResult page = Weft({"describe", "product", "inventory.warehouses", "-o", "json"});
  ASSERT_EQ(page.exit_code, 0) << page;
  EXPECT_EQ(ParseJson(page)["freshness"]["snapshot"], a);

  const std::filesystem::path other = tmp_ / "warehouses_other.csv";
  std::string rows = header;
  for (int i = 0; i < 10; ++i) rows += "WH-GDA" + std::to_string(i) + ",Good,Berlin,DE,10,2026-01-01\n";
  WriteFile(other, rows);
  RunResult second = Weft({"publish", "inventory.warehouses", other.string(), "-o", "json"});
  ASSERT_EQ(second.exit_code, 0) << second;
  const std::string b = ParseJson(second)["snapshotId"];
  ASSERT_NE(a, b);
  // The page's freshness is the newest snapshot's, not the oldest kept one's
  // (the bug the issue found: the last element of a newest-first list).
  RunResult newest = Weft({"describe", "product", "inventory.warehouses", "-o", "json"});
  EXPECT_EQ(ParseJson(newest)["freshness"]["snapshot"], b) << newest;
  RunResult no_reason = Weft({"rollback", "inventory.warehouses", "--to", a});
  EXPECT_EQ(no_reason.exit_code, 2) << no_reason;
  RunResult rolled = Weft({"rollback", "inventory.warehouses", "--to", a, "--reason", "the parquet export was wrong",
                           "--as", "heidi@retail.example"});
  ASSERT_EQ(rolled.exit_code, 0) << rolled;
  EXPECT_THAT(rolled.out, HasSubstr("ROLLED BACK inventory.warehouses_v1"));
  RunResult hist = Weft({"history", "inventory.warehouses", "-o", "json"});
  nlohmann::json hj = ParseJson(hist);
  EXPECT_EQ(hj["publishes"][0]["mode"], "rollback");
  EXPECT_THAT(hj["publishes"][0]["message"].get<std::string>(), HasSubstr("rollback to " + a));
  // A consumer may not roll a product back.
  RunResult consumer = Weft({"rollback", "inventory.warehouses", "--to", b, "--reason", "mine now", "--as", "bob@retail.example"});
  EXPECT_EQ(consumer.exit_code, 3) << consumer;
  RunResult audit = Weft({"audit", "--object", "product:inventory.warehouses", "-o", "json"});
  EXPECT_THAT(audit.out, HasSubstr("product.rollback"));
}

TEST_F(DataPlaneTest, LineageAndImpactReadTheAppliedTransforms) {
  RunResult r = Weft({"lineage", "finance.campaign_roi", "--upstream", "--columns"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("marketing.campaigns"));
  EXPECT_THAT(r.out, Not(HasSubstr("needs the transform SQL")));
}

}  // namespace
}  // namespace weft::e2e
