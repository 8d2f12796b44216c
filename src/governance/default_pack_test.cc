// The default pack: each policy has a violating and a passing fixture tree
// under tests/fixtures/policies/<policy-id>/{fail,pass}/ (fail/ also lists
// the subjects it must report in expected_subjects.txt), and the demo mesh
// passes every error-severity policy.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include "governance/policy.h"
#include "governance/testing.h"

namespace weft::governance {
namespace {

namespace fs = std::filesystem;
using testing::LoadTree;
using testing::SourceDir;
using testing::StateOver;

fs::path FixturesDir() { return SourceDir() / "tests/fixtures/policies"; }

std::vector<spec::PolicySpec> Pack() {
  auto pack = DefaultPolicyPack();
  EXPECT_TRUE(pack.ok()) << pack.status().message();
  return pack.ok() ? *pack : std::vector<spec::PolicySpec>{};
}

Evaluation RunOne(const spec::PolicySpec& policy, const fs::path& tree) {
  std::vector<spec::Document> docs = LoadTree(tree);
  auto ev = Evaluate(StateOver(docs), {policy}, {}, "2025-07-01T00:00:00Z");
  EXPECT_TRUE(ev.ok()) << ev.status().message();
  return ev.ok() ? *ev : Evaluation{};
}

TEST(DefaultPackTest, HasTheSeedPoliciesAndEachIsComplete) {
  std::vector<spec::PolicySpec> pack = Pack();
  EXPECT_GE(pack.size(), 14u);
  for (const auto& p : pack) {
    EXPECT_FALSE(p.title.empty()) << p.id;
    EXPECT_FALSE(p.rationale.empty()) << p.id;
    EXPECT_TRUE(p.severity == "error" || p.severity == "warn") << p.id;
    EXPECT_TRUE(fs::is_directory(FixturesDir() / p.id / "fail")) << p.id << " has no fail/ fixture";
    EXPECT_TRUE(fs::is_directory(FixturesDir() / p.id / "pass")) << p.id << " has no pass/ fixture";
  }
  // Every fixture directory belongs to a policy (no stale fixtures).
  std::set<std::string> ids;
  for (const auto& p : pack) ids.insert(p.id);
  for (const auto& entry : fs::directory_iterator(FixturesDir()))
    EXPECT_TRUE(ids.count(entry.path().filename().string())) << entry.path();
}

class DefaultPolicyTest : public ::testing::TestWithParam<std::string> {
 protected:
  spec::PolicySpec policy() {
    for (auto& p : Pack())
      if (p.id == GetParam()) return p;
    ADD_FAILURE() << "no default policy " << GetParam();
    return {};
  }
};

TEST_P(DefaultPolicyTest, ReportsTheViolatingFixture) {
  fs::path dir = FixturesDir() / GetParam() / "fail";
  Evaluation ev = RunOne(policy(), dir);
  std::set<std::string> reported;
  for (const auto& v : ev.violations) {
    EXPECT_FALSE(v.policy_error) << v.message;
    reported.insert(v.subject);
  }
  EXPECT_GE(ev.violations.size(), 1u);
  std::ifstream expected(dir / "expected_subjects.txt");
  ASSERT_TRUE(expected) << dir / "expected_subjects.txt";
  for (std::string subject; std::getline(expected, subject);)
    if (!subject.empty()) {
      EXPECT_TRUE(reported.count(subject)) << "expected a violation for " << subject;
    }
}

TEST_P(DefaultPolicyTest, PassesThePassingFixture) {
  Evaluation ev = RunOne(policy(), FixturesDir() / GetParam() / "pass");
  for (const auto& v : ev.violations) ADD_FAILURE() << v.subject << ": " << v.message;
}

std::vector<std::string> PolicyIds() {
  std::vector<std::string> ids;
  for (const auto& p : Pack()) ids.push_back(p.id);
  return ids;
}

INSTANTIATE_TEST_SUITE_P(Policies, DefaultPolicyTest, ::testing::ValuesIn(PolicyIds()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(DemoMeshTest, PassesEveryErrorSeverityDefaultPolicy) {
  std::vector<spec::Document> docs = LoadTree(SourceDir() / "examples/mesh");
  ASSERT_FALSE(docs.empty());
  auto start = std::chrono::steady_clock::now();
  auto ev = Evaluate(StateOver(docs), Pack(), {}, "2025-07-01T00:00:00Z");
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  std::cout << "Evaluate on examples/mesh: " << ms << " ms, " << ev->warnings << " warning(s)\n";
  for (const auto& v : ev->violations)
    if (v.severity == "error") ADD_FAILURE() << v.policy_id << " " << v.subject << ": " << v.message;
}

}  // namespace
}  // namespace weft::governance
