// Crash tests: `weft` killed with SIGKILL at random moments of every command
// that writes — publish (replace and append), run, apply, grant changes, gc
// and rollback — then the workspace opened and `weft check` run on it:
// committed state whole, no committed snapshot lost, a change either made
// whole or not at all, garbage removed by --repair and nothing else
// (docs/reliability.md). WEFT_CRASH_TRIALS sets the trials per test (10;
// `make soak` runs 200).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

int Trials() {
  const char* env = std::getenv("WEFT_CRASH_TRIALS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 10;
}

class CrashTest : public DemoDataTest {
 protected:
  // How each test's kills fell.
  struct Tally {
    int killed = 0;
    int finished = 0;
  };

  void TearDown() override {
    if (tally_.killed + tally_.finished == 0) return;  // a test that kills nothing
    RecordProperty("killed", tally_.killed);
    RecordProperty("finished", tally_.finished);
    // A kill that always lands after the command ended tests nothing: the
    // window below is measured, so this fails only if that went wrong.
    EXPECT_GT(tally_.killed, 0) << "no trial was killed mid-command: the kill window does not cover the command";
  }

  // How long `weft ARGS` takes when nothing kills it (it must succeed):
  // kills then fall anywhere in 1.25 times that, so most land inside the
  // command, from its start to its commit, and some after it.
  std::chrono::milliseconds Window(const std::vector<std::string>& args) {
    const auto start = Clock::now();
    RunResult r = Weft(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return std::chrono::duration_cast<std::chrono::milliseconds>((Clock::now() - start) * 5 / 4);
  }

  // Starts `weft ARGS` and kills it at a random moment within `window`.
  // A command that ended first must have succeeded; returns whether the
  // kill landed.
  bool KillSomewhere(std::vector<std::string> args, std::chrono::milliseconds window) {
    args.insert(args.end(), {"--workspace", ws_.string()});
    Process p(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(1, window.count()))(rng_)));
    p.Signal(SIGKILL);
    const RunResult& r = p.Wait();
    (r.signaled ? tally_.killed : tally_.finished)++;
    if (!r.signaled) {
      EXPECT_EQ(r.exit_code, 0) << r;
    }
    return r.signaled;
  }

  // The generated CSV with its rows in another order, `copies` times over:
  // the same rows (so the publish guards pass) under a new checksum (so it
  // is no duplicate).
  std::string Shuffled(const std::string& product, int copies = 1) {
    std::ifstream in(File(product));
    std::string header, line;
    std::getline(in, header);
    std::vector<std::string> rows;
    while (std::getline(in, line)) rows.push_back(line);
    std::shuffle(rows.begin(), rows.end(), rng_);
    const fs::path out = tmp_ / ("input-" + std::to_string(inputs_++) + ".csv");
    std::ofstream o(out);
    o << header << "\n";
    for (int c = 0; c < copies; ++c)
      for (const auto& r : rows) o << r << "\n";
    return out.string();
  }

  // The snapshots every successful publish, run and rollback of `product` made current.
  std::vector<std::string> SnapshotIds(const std::string& product) {
    RunResult h = Weft({"history", product, "--limit", "100000", "-o", "json"});
    EXPECT_EQ(h.exit_code, 0) << h;
    std::set<std::string> ids;
    nlohmann::json j = ParseJson(h);
    if (j.is_object() && j.contains("publishes"))
      for (const auto& p : j["publishes"])
        if (p["outcome"] == "published") ids.insert(p["snapshot"].get<std::string>());
    return {ids.begin(), ids.end()};
  }

  // Fails for every id of `before` missing from `now`.
  static void ExpectKept(const std::vector<std::string>& before, const std::vector<std::string>& now) {
    for (const auto& id : before)
      EXPECT_TRUE(std::binary_search(now.begin(), now.end(), id)) << "committed snapshot " << id << " was lost";
  }

  // The product's current snapshot, as its page shows it.
  std::string CurrentSnapshot(const std::string& product) {
    RunResult d = Weft({"describe", "product", product, "-o", "json"});
    EXPECT_EQ(d.exit_code, 0) << d;
    nlohmann::json j = ParseJson(d);
    if (!j.is_object() || !j.contains("freshness") || !j["freshness"]["snapshot"].is_string()) {
      ADD_FAILURE() << "no current snapshot" << d;
      return "";
    }
    return j["freshness"]["snapshot"].get<std::string>();
  }

  // SELECT count(*) of `product` as `who` (its owner): the workspace opens
  // and answers from the current snapshot.
  int64_t Count(const std::string& product, const std::string& who) {
    RunResult q = Weft({"query", "SELECT count(*) AS n FROM " + product, "-o", "json", "--as", who});
    EXPECT_EQ(q.exit_code, 0) << q;
    // {"columns": ["n"], "rows": [{"n": "12"}]}: values are text.
    nlohmann::json j = ParseJson(q);
    if (!j.is_object() || !j.contains("rows") || j["rows"].empty()) return -1;
    return std::stoll(j["rows"][0]["n"].get<std::string>());
  }

  // `weft check` finds committed state whole; returns its report.
  nlohmann::json CheckClean(const std::string& when, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"check", "-o", "json", "--grace", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult c = Weft(args);
    EXPECT_EQ(c.exit_code, 0) << when << c;
    nlohmann::json j = ParseJson(c);
    if (j.is_null()) return nlohmann::json::object();
    EXPECT_EQ(j["clean"], true) << when << c;
    return j;
  }

  // After the last trial: repair removes every leftover and nothing
  // committed; a second check finds nothing.
  void RepairAndRecheck() {
    const nlohmann::json before = CheckClean("before the repair");
    CheckClean("repairing", {"--repair"});
    const nlohmann::json after = CheckClean("after the repair");
    EXPECT_EQ(after.value("garbage", nlohmann::json::array()).size(), 0u) << after.dump(2);
    EXPECT_EQ(after["snapshots"], before["snapshots"]) << "the repair removed committed snapshots";
  }

  std::mt19937 rng_{20261206};
  Tally tally_;
  int inputs_ = 0;
};

TEST_F(CrashTest, APublishKilledAnywhereLosesNothingCommitted) {
  const std::string product = "inventory.warehouses";
  const auto window = Window({"publish", product, File(product)});
  std::vector<std::string> committed = SnapshotIds(product);
  ASSERT_EQ(committed.size(), 1u);
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    // Appends grow the product; a replace brings it back to the generated
    // rows, forced past the shrink guard (a guard's refusal is no crash).
    std::vector<std::string> args = {"publish", product, Shuffled(product)};
    if (trial % 2)
      args.insert(args.end(), {"--mode", "append"});
    else
      args.insert(args.end(), {"--force", "--reason", "crash test"});
    KillSomewhere(args, window);

    // Whatever the moment: every snapshot committed before is still there
    // and whole, and the product answers queries from its current one.
    std::vector<std::string> now = SnapshotIds(product);
    ExpectKept(committed, now);
    EXPECT_LE(now.size(), committed.size() + 1) << "one publish made more than one snapshot";
    committed = now;
    CheckClean("after the kill");
    Count(product, "heidi@retail.example");
  }
  RepairAndRecheck();
  EXPECT_EQ(SnapshotIds(product), committed);
}

// A derived product's run is a publish whose input is its transform's answer.
TEST_F(CrashTest, ARunKilledAnywhereLosesNothingCommitted) {
  const std::string product = "finance.revenue_daily";
  ASSERT_EQ(
      Weft({"publish", "customer.customers", File("customer.customers"), "--as", "alice@retail.example"}).exit_code, 0);
  for (const auto& [input, owner] :
       {std::pair{"sales.orders", "carol@retail.example"}, std::pair{"customer.customers", "alice@retail.example"}}) {
    RunResult g = Weft({"access", "grant", input, "--to", "svc.finance", "--purpose", "revenue report", "--as", owner});
    ASSERT_EQ(g.exit_code, 0) << g;
  }
  ASSERT_EQ(Weft({"publish", "sales.orders", Shuffled("sales.orders"), "--as", "carol@retail.example"}).exit_code, 0);
  const std::vector<std::string> run = {"run", product, "--as", "frank@retail.example"};
  const auto window = Window(run);
  std::vector<std::string> committed = SnapshotIds(product);
  ASSERT_EQ(committed.size(), 1u);
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    // New orders (the same rows reordered), so the run is no duplicate.
    RunResult p = Weft({"publish", "sales.orders", Shuffled("sales.orders"), "--as", "carol@retail.example"});
    ASSERT_EQ(p.exit_code, 0) << p;
    KillSomewhere(run, window);

    std::vector<std::string> now = SnapshotIds(product);
    ExpectKept(committed, now);
    EXPECT_LE(now.size(), committed.size() + 1) << "one run made more than one snapshot";
    committed = now;
    CheckClean("after the kill");
    Count(product, "frank@retail.example");
  }
  RepairAndRecheck();
  EXPECT_EQ(SnapshotIds(product), committed);
}

// An apply is one catalog transaction: after a kill, planning the same tree
// again shows either the whole plan or no change, never part of it.
TEST_F(CrashTest, AnApplyKilledAnywhereIsAllOrNothing) {
  ASSERT_EQ(Weft({"publish", "inventory.warehouses", File("inventory.warehouses")}).exit_code, 0);
  const std::vector<std::string> committed = SnapshotIds("inventory.warehouses");
  // The revised mesh: every domain's description and both global terms'
  // definitions reworded, seven changes in one apply.
  const fs::path revised = tmp_ / "revised";
  CopyTree(tree_, revised);
  for (const auto& domain : fs::directory_iterator(revised / "domains"))
    ASSERT_TRUE(ReplaceOnce(domain.path() / "domain.yaml", "description: >-\n", "description: >-\n  Revised.\n"))
        << domain.path();
  for (const auto& term : {"customer", "order"})
    ASSERT_TRUE(ReplaceOnce(revised / "glossary" / (std::string(term) + ".yaml"), "definition: >-\n",
                            "definition: >-\n  Revised.\n"));
  const auto window = Window({"apply", "-f", revised.string()});
  ASSERT_EQ(Weft({"apply", "-f", tree_.string()}).exit_code, 0);
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string target = (trial % 2 ? tree_ : revised).string();
    RunResult before = Weft({"plan", "-f", target});
    ASSERT_EQ(before.exit_code, 0) << before;
    KillSomewhere({"apply", "-f", target}, window);

    RunResult after = Weft({"plan", "-f", target});
    ASSERT_EQ(after.exit_code, 0) << after;
    if (after.out.find("0 to create, 0 to update, 0 to deprecate, 0 to remove") == std::string::npos) {
      EXPECT_EQ(after.out, before.out) << "a killed apply left part of its plan applied";
    }
    CheckClean("after the kill");
    ExpectKept(committed, SnapshotIds("inventory.warehouses"));
  }
  RepairAndRecheck();
}

// Grants and requests as `weft access list` shows them to the product's
// owner: id -> state (grants) or status (requests).
struct AccessState {
  std::map<int64_t, std::string> grants, requests;
  bool operator==(const AccessState&) const = default;

  int64_t Active() const { return FirstIn(grants, "active"); }
  int64_t Pending() const { return FirstIn(requests, "pending"); }

  static int64_t FirstIn(const std::map<int64_t, std::string>& m, const std::string& state) {
    for (const auto& [id, s] : m)
      if (s == state) return id;
    return 0;
  }
};

std::ostream& operator<<(std::ostream& os, const AccessState& s) {
  for (const auto& [id, state] : s.grants) os << " grant " << id << ": " << state << ";";
  for (const auto& [id, status] : s.requests) os << " request " << id << ": " << status << ";";
  return os;
}

// A grant, a revoke or an approval is one change: after a kill, the grants
// and requests are as before it or as after it, and the gateway agrees.
TEST_F(CrashTest, AGrantChangeKilledAnywhereIsAllOrNothing) {
  const std::string product = "inventory.warehouses", owner = "heidi@retail.example", reader = "reader@retail.example";
  ASSERT_EQ(Weft({"publish", product, File(product)}).exit_code, 0);
  ASSERT_EQ(Weft({"principal", "add", reader}).exit_code, 0);
  const std::vector<std::string> committed = SnapshotIds(product);
  auto state = [&] {
    RunResult l = Weft({"access", "list", "-o", "json", "--as", owner});
    EXPECT_EQ(l.exit_code, 0) << l;
    AccessState s;
    nlohmann::json j = ParseJson(l);
    if (!j.is_object()) return s;
    for (const auto& g : j["grants"]) s.grants[g["id"].get<int64_t>()] = g["state"].get<std::string>();
    for (const auto& r : j["requests"]) s.requests[r["id"].get<int64_t>()] = r["status"].get<std::string>();
    return s;
  };
  const std::vector<std::string> grant = {"access",    "grant",      product, "--to", reader,
                                          "--purpose", "crash test", "--as",  owner};
  const auto window = Window(grant);
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    // Revoke the reader's grant when there is one; else grant, directly or
    // by approving the reader's request.
    AccessState before = state(), whole = before;
    bool adds_grant = false;
    if (const int64_t id = before.Active()) {
      KillSomewhere({"access", "revoke", std::to_string(id), "--as", owner}, window);
      whole.grants[id] = "revoked";
    } else if (trial % 4 == 0 || before.Pending()) {
      // The request a killed approval left pending, or a new one.
      if (!before.Pending()) {
        RunResult req = Weft({"access", "request", product, "--purpose", "crash test", "--as", reader});
        ASSERT_EQ(req.exit_code, 0) << req;
        before = whole = state();
      }
      const int64_t request = before.Pending();
      ASSERT_NE(request, 0) << before;
      KillSomewhere({"access", "approve", std::to_string(request), "--as", owner}, window);
      whole.requests[request] = "approved";
      adds_grant = true;
    } else {
      KillSomewhere(grant, window);
      adds_grant = true;
    }
    const AccessState now = state();
    if (adds_grant)
      for (const auto& [id, st] : now.grants)
        if (!before.grants.count(id)) whole.grants[id] = "active";
    EXPECT_TRUE(now == before || now == whole)
        << "half a change:" << now << "\nbefore:" << before << "\nwhole:" << whole;
    EXPECT_LE(now.grants.size(), before.grants.size() + 1) << now;
    // The gateway agrees: the reader reads while a grant is active and is
    // refused (exit 3) once none is.
    RunResult q = Weft({"query", "SELECT count(*) AS n FROM " + product, "--as", reader});
    EXPECT_EQ(q.exit_code, now.Active() ? 0 : 3) << q;
    CheckClean("after the kill");
    ExpectKept(committed, SnapshotIds(product));
  }
  RepairAndRecheck();
}

// gc expires the snapshots beyond retention in one transaction and removes
// their files after it: after a kill, either all or none of them are
// expired (the newest two are left, or every one there was), the current snapshot and the retained ones are whole, and
// the files of expired ones are garbage that --repair removes.
TEST_F(CrashTest, AGcKilledAnywhereExpiresAllOrNothing) {
  const std::string product = "inventory.warehouses", owner = "heidi@retail.example";
  ASSERT_TRUE(
      ReplaceOnce(ws_ / "weft.yaml", "retention:\n  snapshots: 10\n  days: 30\n", "retention:\n  snapshots: 2\n"));
  ASSERT_EQ(Weft({"publish", product, File(product)}).exit_code, 0);
  const int64_t rows = Count(product, owner);
  auto snapshots = [&] { return CheckClean("counting snapshots")["snapshots"].get<int64_t>(); };
  // Each trial first publishes two more snapshots: gc then expires all
  // but the newest two (only this product has any).
  auto publish_two = [&] {
    for (int i = 0; i < 2; ++i) {
      RunResult p = Weft({"publish", product, Shuffled(product)});
      ASSERT_EQ(p.exit_code, 0) << p;
    }
  };
  publish_two();
  const auto window = Window({"gc", "--grace", "0"});
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    publish_two();
    const std::string current = CurrentSnapshot(product);
    const int64_t before = snapshots();
    KillSomewhere({"gc", "--grace", "0"}, window);

    const int64_t now = snapshots();
    EXPECT_TRUE(now == before || now == 2) << "gc expired part of what it expires: " << before << " -> " << now;
    EXPECT_EQ(CurrentSnapshot(product), current);
    EXPECT_EQ(Count(product, owner), rows);
  }
  RepairAndRecheck();
}

// A rollback commits a new current snapshot holding an earlier one's rows:
// after a kill the current snapshot is the one before, or a new one with
// the rows rolled back to; no snapshot is lost.
TEST_F(CrashTest, ARollbackKilledAnywhereIsAllOrNothing) {
  const std::string product = "inventory.warehouses", owner = "heidi@retail.example";
  // Two snapshots of different sizes (the rows, then twice the rows), so
  // a count tells which one's rows answer.
  ASSERT_EQ(Weft({"publish", product, File(product)}).exit_code, 0);
  const std::string one = CurrentSnapshot(product);
  const int64_t rows = Count(product, owner);
  ASSERT_EQ(Weft({"publish", product, Shuffled(product), "--mode", "append"}).exit_code, 0);
  const std::string two = CurrentSnapshot(product);
  ASSERT_EQ(Count(product, owner), 2 * rows);
  auto rollback = [&](const std::string& to) {
    return std::vector<std::string>{"rollback", product, "--to", to, "--reason", "crash test", "--as", owner};
  };
  const auto window = Window(rollback(one));
  std::vector<std::string> committed = SnapshotIds(product);
  std::string before = CurrentSnapshot(product);
  int64_t had = Count(product, owner);
  for (int trial = 0; trial < Trials(); ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const bool to_one = had == 2 * rows;
    KillSomewhere(rollback(to_one ? one : two), window);

    std::vector<std::string> now = SnapshotIds(product);
    ExpectKept(committed, now);
    const std::string current = CurrentSnapshot(product);
    const int64_t counted = Count(product, owner);
    if (current == before) {
      EXPECT_EQ(now.size(), committed.size());
      EXPECT_EQ(counted, had);
    } else {
      EXPECT_EQ(now.size(), committed.size() + 1) << "the current snapshot " << current << " is no new one";
      EXPECT_EQ(counted, to_one ? rows : 2 * rows) << "the rolled-back snapshot holds other rows";
    }
    committed = now;
    before = current;
    had = counted;
    CheckClean("after the kill");
  }
  RepairAndRecheck();
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
