// Crash tests: `weft` killed with SIGKILL at random moments of a publish
// (replace and append), then `weft check` on the workspace: committed state
// whole, no committed snapshot lost, garbage removed by --repair and nothing
// else (docs/reliability.md). `make soak` runs more trials.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

int Trials() {
  const char* env = std::getenv("WEFT_CRASH_TRIALS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 10;
}

class CrashTest : public DemoDataTest {
 protected:
  // The generated CSV with its rows in another order: the same rows (so the
  // publish guards pass) under a new checksum (so it is no duplicate).
  std::string Shuffled(const std::string& product, std::mt19937& rng, int n) {
    std::ifstream in(File(product));
    std::string header, line;
    std::getline(in, header);
    std::vector<std::string> rows;
    while (std::getline(in, line)) rows.push_back(line);
    std::shuffle(rows.begin(), rows.end(), rng);
    const fs::path out = tmp_ / ("input-" + std::to_string(n) + ".csv");
    std::ofstream o(out);
    o << header << "\n";
    for (const auto& r : rows) o << r << "\n";
    return out.string();
  }

  std::vector<std::string> SnapshotIds(const std::string& product) {
    RunResult h = Weft({"history", product, "-o", "json"});
    EXPECT_EQ(h.exit_code, 0) << h;
    std::vector<std::string> ids;
    nlohmann::json j = ParseJson(h);
    if (j.is_object() && j.contains("publishes"))
      for (const auto& p : j["publishes"])
        if (p["outcome"] == "published") ids.push_back(p["snapshot"].get<std::string>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // `weft check` finds committed state whole; returns how much garbage it listed.
  size_t CheckClean(const std::string& when, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"check", "-o", "json", "--grace", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult c = Weft(args);
    EXPECT_EQ(c.exit_code, 0) << when << c;
    nlohmann::json j = ParseJson(c);
    if (j.is_null()) return 0;
    EXPECT_EQ(j["clean"], true) << when << c;
    return j["garbage"].size();
  }
};

TEST_F(CrashTest, APublishKilledAnywhereLosesNothingCommitted) {
  const std::string product = "inventory.warehouses";
  ASSERT_EQ(Weft({"publish", product, File(product)}).exit_code, 0);
  std::mt19937 rng(20261206);
  std::vector<std::string> committed = SnapshotIds(product);
  ASSERT_EQ(committed.size(), 1u);
  int killed = 0, finished = 0;
  size_t garbage = 0;
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string input = Shuffled(product, rng, trial);
    std::vector<std::string> args = {"publish", product, input, "--workspace", ws_.string()};
    if (trial % 2) args.insert(args.end(), {"--mode", "append"});
    Process publish(args);
    // A publish of this size takes a few hundred milliseconds: kill it
    // anywhere from its start to its end, and sometimes not at all.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 900)(rng)));
    publish.Signal(SIGKILL);
    const RunResult& r = publish.Wait();
    (r.signaled ? killed : finished)++;
    if (!r.signaled) {
      ASSERT_EQ(r.exit_code, 0) << r;
    }

    // Whatever the moment: every snapshot committed before is still there
    // and whole, and the product answers queries from its current one.
    std::vector<std::string> now = SnapshotIds(product);
    for (const auto& id : committed)
      EXPECT_NE(std::find(now.begin(), now.end(), id), now.end()) << "committed snapshot " << id << " was lost";
    EXPECT_LE(now.size(), committed.size() + 1) << "one publish made more than one snapshot";
    committed = now;
    garbage += CheckClean("after the kill");
    RunResult q = Weft({"query", "SELECT count(*) AS n FROM " + product, "-o", "json", "--as", "heidi@retail.example"});
    EXPECT_EQ(q.exit_code, 0) << q;
  }
  // Repair removes every leftover and nothing committed; a second check finds nothing.
  CheckClean("repairing", {"--repair"});
  EXPECT_EQ(CheckClean("after the repair"), 0u);
  EXPECT_EQ(SnapshotIds(product), committed);
  RecordProperty("killed", killed);
  RecordProperty("finished", finished);
  RecordProperty("garbage_listed", static_cast<int>(garbage));
  EXPECT_GT(killed, 0) << "no trial was killed mid-publish: the kill window no longer covers the publish";
}

// What check finds when the disk lost committed data: a finding, exit 1,
// and --repair does not touch it.
TEST_F(CrashTest, CheckReportsALostSnapshotAndRepairLeavesItAlone) {
  const std::string product = "inventory.warehouses";
  ASSERT_EQ(Weft({"publish", product, File(product)}).exit_code, 0);
  const std::vector<std::string> ids = SnapshotIds(product);
  ASSERT_EQ(ids.size(), 1u);
  const fs::path dir = ws_ / "domains/inventory/products/warehouses/v1/snapshots" / ids[0];
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  const fs::path part = dir / "part-00000.parquet";
  fs::resize_file(part, fs::file_size(part) / 2);
  RunResult c = Weft({"check", "--repair"});
  EXPECT_EQ(c.exit_code, 1) << c;
  EXPECT_THAT(c.out, HasSubstr("is not a whole Parquet file"));
  EXPECT_THAT(c.out, HasSubstr("nothing was changed"));
  EXPECT_TRUE(fs::exists(part));
}

}  // namespace
}  // namespace weft::e2e
