// End to end: finding the workspace (--workspace, WEFT_HOME, cwd upward) and
// refusing broken ones with a clear message, never a crash.
#include "e2e/e2e_util.h"
#include "e2e/postgres_catalogs.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A usage or findings error: a message and exit 1 or 2, never a signal.
void ExpectCleanFailure(const RunResult& r) {
  EXPECT_FALSE(r.signaled) << r;
  EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r;
  EXPECT_FALSE(r.err.empty()) << r;
}

TEST(BadCatalog, GarbageIsNotAWeftCatalogAndStaysUntouched) {
  // SQLite only: it damages the catalog file (PostgresStoreTest refuses a
  // database that is not a weft catalog).
  if (OnPostgres()) GTEST_SKIP() << "SQLite only: a damaged catalog file";
  TempDir tmp;
  const fs::path ws = InitWorkspace(tmp / "W");
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251);
  WriteFile(ws / "catalog.db", garbage);
  for (const char* wal : {"catalog.db-wal", "catalog.db-shm"}) fs::remove(ws / wal);

  const std::string w = ws.string();
  RunResult get = e2e::Run({"get", "products", "--workspace", w});
  ExpectCleanFailure(get);
  EXPECT_THAT(get.err, HasSubstr("not a weft catalog")) << get;
  EXPECT_THAT(get.err, HasSubstr("catalog.db")) << get;

  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"apply", "-f", RepoPath("examples/mesh").string()},
           {"plan", "-f", RepoPath("examples/mesh").string()},
           {"get", "versions", "-o", "json"},
           {"describe", "product", "sales.orders"},
           {"search", "customer"},
           {"audit"},
           {"waiver", "add", "p", "s", "--reason", "r", "--approver", "a", "--expires", "2999-01-01"}}) {
    args.push_back("--workspace");
    args.push_back(w);
    RunResult r = e2e::Run(args);
    ExpectCleanFailure(r);
    EXPECT_THAT(r.err, HasSubstr("not a weft catalog")) << r;
  }
  EXPECT_EQ(ReadFile(ws / "catalog.db"), garbage) << "the damaged file must be left as it was";
}

TEST(BadCatalog, TruncatedCatalogIsRefusedCleanly) {
  // SQLite only: it damages the catalog file (PostgresStoreTest refuses a
  // database that is not a weft catalog).
  if (OnPostgres()) GTEST_SKIP() << "SQLite only: a damaged catalog file";
  TempDir tmp;
  const fs::path ws = InitWorkspace(tmp / "W");
  RunResult apply = Apply(RepoPath("examples/mesh"), ws);
  ASSERT_EQ(apply.exit_code, 0) << apply;
  std::string bytes = ReadFile(ws / "catalog.db");
  ASSERT_GT(bytes.size(), 4096u);
  // Keep the SQLite header, lose the rest: a damaged database.
  WriteFile(ws / "catalog.db", bytes.substr(0, 100) + std::string(4096, '\xff'));
  for (const char* wal : {"catalog.db-wal", "catalog.db-shm"}) fs::remove(ws / wal);
  RunResult r = e2e::Run({"get", "products", "--workspace", ws.string()});
  ExpectCleanFailure(r);
}

TEST(BadWorkspace, MalformedSettingsGiveFileLineCol) {
  TempDir tmp;
  const fs::path ws = InitWorkspace(tmp / "W");
  WriteFile(ws / "weft.yaml", "apiVersion: weft/v1\nkind: Workspace\nname: broken\npolicyPacks: [default\n");
  RunResult r = e2e::Run({"get", "products", "--workspace", ws.string()});
  ExpectCleanFailure(r);
  EXPECT_THAT(r.err, ::testing::ContainsRegex((ws / "weft.yaml").string() + ":[0-9]+:[0-9]+: error: ")) << r;

  // A document of the wrong kind.
  WriteFile(ws / "weft.yaml", "apiVersion: weft/v1\nkind: Domain\nname: sales\n");
  RunResult kind = e2e::Run({"get", "products", "--workspace", ws.string()});
  ExpectCleanFailure(kind);
  EXPECT_THAT(kind.err, HasSubstr("weft.yaml")) << kind;
}

// Discovery reads an applied workspace only.
class Discovery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    ws_ = tmp_->path() / "W";
    RunResult init = e2e::Run({"init", ws_.string()});
    ASSERT_EQ(init.exit_code, 0) << init;
    RunResult apply = Apply(RepoPath("examples/mesh"), ws_);
    ASSERT_EQ(apply.exit_code, 0) << apply;
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

  // A directory with no weft.yaml in it or above it.
  static fs::path Outside() {
    fs::path dir = tmp_->path() / "elsewhere";
    fs::create_directories(dir);
    return dir;
  }
  static bool WorkspaceAbove(const fs::path& dir) {
    for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
      if (fs::exists(d / "weft.yaml")) return true;
      if (d == d.parent_path()) break;
    }
    return false;
  }
  static size_t ProductCount(const RunResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.exit_code == 0 ? ParseJson(r).size() : 0;
  }

  static TempDir* tmp_;
  static fs::path ws_;
};
TempDir* Discovery::tmp_ = nullptr;
fs::path Discovery::ws_;

TEST_F(Discovery, FindsTheWorkspaceUpwardFromTheCurrentDirectory) {
  ASSERT_TRUE(fs::is_directory(ws_ / "domains/sales"));
  RunResult r = e2e::Run({"get", "products", "-o", "json"}, RunOptions{.cwd = ws_ / "domains/sales"});
  EXPECT_EQ(ProductCount(r), 10u) << r;
  RunResult top = e2e::Run({"get", "products", "-o", "json"}, RunOptions{.cwd = ws_});
  EXPECT_EQ(ProductCount(top), 10u) << top;
}

TEST_F(Discovery, WeftHomeNamesTheWorkspace) {
  RunOptions options{.env = {{"WEFT_HOME", ws_.string()}}, .cwd = Outside()};
  RunResult r = e2e::Run({"get", "products", "-o", "json"}, options);
  EXPECT_EQ(ProductCount(r), 10u) << r;
}

TEST_F(Discovery, WorkspaceFlagWinsOverWeftHome) {
  RunOptions options{.env = {{"WEFT_HOME", (tmp_->path() / "no-such-dir").string()}}, .cwd = Outside()};
  RunResult r = e2e::Run({"get", "products", "-o", "json", "--workspace", ws_.string()}, options);
  EXPECT_EQ(ProductCount(r), 10u) << r;
  // The flag may also come before the command.
  RunResult before = e2e::Run({"--workspace", ws_.string(), "get", "products", "-o", "json"}, options);
  EXPECT_EQ(ProductCount(before), 10u) << before;
}

TEST_F(Discovery, WeftHomeThatIsNotAWorkspaceIsAUsageError) {
  RunOptions options{.env = {{"WEFT_HOME", (tmp_->path() / "no-such-dir").string()}}, .cwd = Outside()};
  RunResult r = e2e::Run({"get", "products"}, options);
  ExpectCleanFailure(r);
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("no-such-dir")) << r;
}

TEST_F(Discovery, NoWorkspaceIsAUsageErrorNamingInit) {
  const fs::path outside = Outside();
  if (WorkspaceAbove(outside)) GTEST_SKIP() << "a weft.yaml above " << outside << " makes this test meaningless";
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"get", "products"}, {"apply", "-f", RepoPath("examples/mesh").string()}, {"search", "x"}, {"audit"}}) {
    RunResult r = e2e::Run(args, RunOptions{.cwd = outside});
    ExpectCleanFailure(r);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("weft init")) << r;
  }
  EXPECT_TRUE(fs::is_empty(outside)) << "a failed lookup must not create anything";
}

TEST_F(Discovery, ApplyOfAMissingTreeIsAUsageError) {
  RunResult r = e2e::Run({"apply", "-f", (tmp_->path() / "no-tree").string(), "--workspace", ws_.string()});
  ExpectCleanFailure(r);
  EXPECT_EQ(r.exit_code, 2) << r;
}

}  // namespace
}  // namespace weft::e2e
