// End to end: two applies racing on one workspace; readers during an apply.
#include <regex>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

size_t AppliedChanges(const RunResult& r) {
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("Applied ([0-9]+) change"))) return std::stoul(m[1]);
  return 0;
}

TEST(Concurrency, TwoAppliesOnAFreshWorkspaceOneWins) {
  const fs::path mesh = RepoPath("examples/mesh");
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir tmp;
    const fs::path ws = InitWorkspace(tmp / "W");
    const std::vector<std::string> args = {"apply", "-f", mesh.string(), "--workspace", ws.string()};
    Process a(args), b(args);
    const RunResult& ra = a.Wait();
    const RunResult& rb = b.Wait();
    ASSERT_FALSE(ra.signaled) << ra;
    ASSERT_FALSE(rb.signaled) << rb;

    const bool a_won = ra.out.find("Applied") != std::string::npos;
    const bool b_won = rb.out.find("Applied") != std::string::npos;
    ASSERT_NE(a_won, b_won) << "exactly one apply must apply" << ra << rb;
    const RunResult& winner = a_won ? ra : rb;
    const RunResult& loser = a_won ? rb : ra;
    EXPECT_EQ(winner.exit_code, 0) << winner;
    if (loser.exit_code == 0) {
      EXPECT_THAT(loser.out, HasSubstr("No changes")) << loser;
    } else {
      EXPECT_EQ(loser.exit_code, 1) << loser;
      EXPECT_THAT(loser.out + loser.err, HasSubstr("another")) << loser;
    }

    // Nothing is corrupt or doubled.
    RunResult again = Apply(mesh, ws);
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_THAT(again.out, HasSubstr("No changes")) << again;
    RunResult products = e2e::Run({"get", "products", "-o", "json", "--workspace", ws.string()});
    ASSERT_EQ(products.exit_code, 0) << products;
    EXPECT_EQ(ParseJson(products).size(), 10u) << products;
    RunResult audit = e2e::Run({"audit", "-o", "json", "--workspace", ws.string()});
    ASSERT_EQ(audit.exit_code, 0) << audit;
    size_t apply_events = 0;  // weft init's token is audited too
    for (const auto& e : ParseJson(audit))
      if (e["action"].get<std::string>().rfind("token.", 0) != 0) ++apply_events;
    EXPECT_EQ(apply_events, AppliedChanges(winner)) << "one audit event per applied change" << audit;
  }
}

TEST(Concurrency, ReadersDuringAnApplySeeBeforeOrAfter) {
  TempDir tmp;
  const fs::path ws = InitWorkspace(tmp / "W");
  Process apply({"apply", "-f", RepoPath("examples/mesh").string(), "--workspace", ws.string()});
  std::vector<std::unique_ptr<Process>> readers;
  for (int i = 0; i < 3; ++i)
    readers.push_back(std::make_unique<Process>(
        std::vector<std::string>{"get", "products", "-o", "json", "--workspace", ws.string()}));
  const RunResult& ra = apply.Wait();
  EXPECT_EQ(ra.exit_code, 0) << ra;
  for (auto& reader : readers) {
    const RunResult& r = reader->Wait();
    ASSERT_FALSE(r.signaled) << r;
    if (r.exit_code != 0) {  // only a bounded wait on the lock may fail, and it says so
      EXPECT_EQ(r.exit_code, 1) << r;
      EXPECT_THAT(r.err, HasSubstr("another")) << r;
      continue;
    }
    size_t n = ParseJson(r).size();
    EXPECT_TRUE(n == 0 || n == 10) << "a reader saw a half-applied catalog" << r;
  }
}

}  // namespace
}  // namespace weft::e2e
