// A copied workspace is self-contained (docs/reliability.md): after
// `cp -a ws ws2`, publishes and gc in either one touch only its own files,
// and the other keeps answering its queries. Before, the catalog held
// absolute paths, so the copy published into the original's folders and its
// gc deleted the original's current snapshot.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;

// Every file under `dir` with its size and modification time.
std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> Files(const fs::path& dir) {
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = {e.file_size(), e.last_write_time()};
  return out;
}

class CopiedWorkspaceTest : public DemoDataTest {
 protected:
  static constexpr const char* kProduct = "inventory.warehouses";

  RunResult In(const fs::path& ws, std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", ws.string()});
    return e2e::Run(args);
  }

  // The generated CSV with its last row dropped (a new checksum, rows the
  // guards accept), written as input-N.csv.
  std::string Variant(int n) {
    std::ifstream in(File(kProduct));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const fs::path out = tmp_ / ("input-" + std::to_string(n) + ".csv");
    std::ofstream o(out);
    for (size_t i = 0; i + static_cast<size_t>(n) < lines.size(); ++i) o << lines[i] << "\n";
    return out.string();
  }

  int64_t Rows(const fs::path& ws) {
    RunResult q = In(
        ws, {"query", "SELECT count(*) AS n FROM inventory.warehouses", "-o", "json", "--as", "heidi@retail.example"});
    EXPECT_EQ(q.exit_code, 0) << q;
    nlohmann::json j = ParseJson(q);
    if (!j.is_object() || j["rows"].size() != 1) return -1;
    const nlohmann::json& n = j["rows"][0]["n"];  // a BIGINT comes as a string
    return n.is_string() ? std::stoll(n.get<std::string>()) : n.get<int64_t>();
  }

  void ExpectClean(const fs::path& ws) {
    RunResult c = In(ws, {"check", "--grace", "0", "-o", "json"});
    EXPECT_EQ(c.exit_code, 0) << c;
    nlohmann::json j = ParseJson(c);
    if (!j.is_null()) {
      EXPECT_EQ(j["clean"], true) << c;
    }
  }

  // Keep one snapshot per product, so gc expires every older one at once.
  void KeepOneSnapshot(const fs::path& ws) {
    ASSERT_TRUE(
        ReplaceOnce(ws / "weft.yaml", "retention:\n  snapshots: 10\n  days: 30\n", "retention:\n  snapshots: 1\n"));
  }

  // Publishes twice and collects in `writer`; `other` (the original or the
  // copy) keeps every file as it was and answers as before.
  void WriteAndCollect(const fs::path& writer, const fs::path& other, int first_variant) {
    // The storage only: queries write usage rows into the catalog.
    const auto before = Files(other / "domains");
    const int64_t rows = Rows(other);
    KeepOneSnapshot(writer);
    for (int n : {first_variant, first_variant + 1}) {
      RunResult p = In(writer, {"publish", kProduct, Variant(n)});
      ASSERT_EQ(p.exit_code, 0) << p;
    }
    RunResult gc = In(writer, {"gc", "--grace", "0", "-o", "json"});
    ASSERT_EQ(gc.exit_code, 0) << gc;
    EXPECT_NE(gc.out.find("expired"), std::string::npos) << "gc expired nothing: the test no longer tests gc" << gc;

    EXPECT_EQ(Files(other / "domains"), before) << "a publish or gc in " << writer << " changed files of " << other;
    EXPECT_EQ(Rows(other), rows);
    ExpectClean(other);
    EXPECT_EQ(Rows(writer), rows - first_variant - 1);
    ExpectClean(writer);
  }
};

TEST_F(CopiedWorkspaceTest, ACopyPublishesAndCollectsOnlyItsOwnFiles) {
  ASSERT_EQ(Weft({"publish", kProduct, File(kProduct)}).exit_code, 0);
  const fs::path copy = tmp_ / "W2";
  ASSERT_EQ(std::system(("cp -a '" + ws_.string() + "' '" + copy.string() + "'").c_str()), 0);
  WriteAndCollect(copy, ws_, 1);
}

TEST_F(CopiedWorkspaceTest, TheOriginalPublishesAndCollectsWithoutTouchingTheCopy) {
  ASSERT_EQ(Weft({"publish", kProduct, File(kProduct)}).exit_code, 0);
  const fs::path copy = tmp_ / "W2";
  ASSERT_EQ(std::system(("cp -a '" + ws_.string() + "' '" + copy.string() + "'").c_str()), 0);
  WriteAndCollect(ws_, copy, 1);
}

// A storage root declared outside the workspace is shared by every copy, so
// it belongs to the workspace that first wrote it: the copy is refused,
// saying why and what to do, and its gc leaves that root alone. Once the
// original is gone (the workspace was moved), the copy takes the root over.
TEST(CopiedWorkspaceOutsideRoot, ACopyIsRefusedTheOriginalsOutsideRootUntilTheOriginalIsGone) {
  TempDir tmp;
  const fs::path ws = tmp / "W", copy = tmp / "W2", tree = tmp / "mesh", shared = tmp / "shared-inventory";
  ASSERT_EQ(e2e::Run({"init", ws.string()}).exit_code, 0);
  CopyTree(RepoPath("examples/mesh"), tree);
  ASSERT_TRUE(ReplaceOnce(tree / "domains/inventory/domain.yaml", "costCenter: CC-5050\n",
                          "costCenter: CC-5050\nstorageRoot: " + shared.string() + "\n"));
  ASSERT_EQ(Apply(tree, ws).exit_code, 0);
  const fs::path data = tmp / "data";
  ASSERT_EQ(e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data.string(), "--threads", "2"}).exit_code, 0);
  const std::string input = (data / "inventory/warehouses.csv").string();
  auto in = [](const fs::path& w, std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", w.string()});
    return e2e::Run(args);
  };
  ASSERT_EQ(in(ws, {"publish", "inventory.warehouses", input}).exit_code, 0);
  ASSERT_EQ(std::system(("cp -a '" + ws.string() + "' '" + copy.string() + "'").c_str()), 0);
  const auto before = Files(shared);

  RunResult p = in(copy, {"publish", "inventory.warehouses", input, "--mode", "append"});
  EXPECT_EQ(p.exit_code, 1) << p;
  EXPECT_THAT(p.err, ::testing::HasSubstr("belongs to the catalog " + (ws / "catalog.db").string()));
  EXPECT_THAT(p.err, ::testing::HasSubstr("a copy must not write into its original's storage"));
  RunResult gc = in(copy, {"gc"});
  EXPECT_EQ(gc.exit_code, 1) << gc;
  EXPECT_THAT(gc.err, ::testing::HasSubstr("domain inventory: "));
  RunResult check = in(copy, {"check", "--grace", "0"});
  EXPECT_EQ(check.exit_code, 1) << check;
  EXPECT_THAT(check.err, ::testing::HasSubstr("belongs to the catalog"));
  RunResult repair = in(copy, {"check", "--repair", "--grace", "0"});
  EXPECT_EQ(repair.exit_code, 1) << repair;
  EXPECT_THAT(repair.err, ::testing::HasSubstr("--repair refused: nothing was changed"));
  EXPECT_EQ(Files(shared), before);
  EXPECT_EQ(in(ws, {"publish", "inventory.warehouses", input, "--mode", "append"}).exit_code, 0);

  // Moved: the original is gone, the copy is the workspace now.
  fs::remove_all(ws);
  RunResult moved = in(copy, {"publish", "inventory.warehouses", input, "--mode", "append"});
  EXPECT_EQ(moved.exit_code, 0) << moved;
  EXPECT_EQ(ReadFile(shared / ".weft-catalog"), (copy / "catalog.db").string() + "\n");
}

// A catalog copied before schema 12 holds its original's absolute paths.
// Its copy is refused the original's roots (they lie inside the original
// workspace); the original migrates to relative paths and keeps working.
TEST(CopiedWorkspaceOldCatalog, ACopyOfAPreRelativeCatalogIsRefusedAndTheOriginalMigrates) {
  if (std::system("command -v sqlite3 > /dev/null") != 0) GTEST_SKIP() << "needs the sqlite3 shell";
  TempDir tmp;
  const fs::path ws = tmp / "W", copy = tmp / "W2";
  ASSERT_EQ(e2e::Run({"init", ws.string()}).exit_code, 0);
  ASSERT_EQ(Apply(RepoPath("examples/mesh"), ws).exit_code, 0);
  const fs::path data = tmp / "data";
  ASSERT_EQ(e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data.string(), "--threads", "2"}).exit_code, 0);
  const std::string input = (data / "inventory/warehouses.csv").string();
  auto in = [](const fs::path& w, std::vector<std::string> args) {
    args.insert(args.end(), {"--workspace", w.string()});
    return e2e::Run(args);
  };
  ASSERT_EQ(in(ws, {"publish", "inventory.warehouses", input}).exit_code, 0);
  // Back to what a weft before schema 12 wrote: absolute paths.
  const std::string prefix = "'" + ws.string() + "/' || ";
  const std::string sql = "UPDATE domains SET storage_root = " + prefix +
                          "storage_root; "
                          "UPDATE port_versions SET storage_path = " +
                          prefix +
                          "storage_path; "
                          "UPDATE snapshots SET path = " +
                          prefix +
                          "path; "
                          "UPDATE publishes SET input_archive = " +
                          prefix +
                          "input_archive WHERE input_archive <> ''; "
                          "PRAGMA user_version = 11;";
  ASSERT_EQ(std::system(("sqlite3 '" + (ws / "catalog.db").string() + "' \"" + sql + "\"").c_str()), 0);
  ASSERT_EQ(std::system(("cp -a '" + ws.string() + "' '" + copy.string() + "'").c_str()), 0);
  const auto before = Files(ws / "domains");

  RunResult p = in(copy, {"publish", "inventory.warehouses", input, "--mode", "append"});
  EXPECT_EQ(p.exit_code, 1) << p;
  EXPECT_THAT(p.err, ::testing::HasSubstr("lies in the workspace " + ws.string()));
  EXPECT_THAT(p.err, ::testing::HasSubstr("Open the original once with this weft"));
  EXPECT_EQ(Files(ws / "domains"), before);

  RunResult q = in(ws, {"query", "SELECT count(*) AS n FROM inventory.warehouses", "--as", "heidi@retail.example"});
  EXPECT_EQ(q.exit_code, 0) << q;
  RunResult check = in(ws, {"check", "--grace", "0"});
  EXPECT_EQ(check.exit_code, 0) << check;
  const std::string roots = (tmp / "roots.txt").string();
  ASSERT_EQ(std::system(("sqlite3 '" + (ws / "catalog.db").string() +
                         "' \"SELECT storage_root FROM domains WHERE name = 'inventory'\" > '" + roots + "'")
                            .c_str()),
            0);
  EXPECT_EQ(ReadFile(roots), "domains/inventory\n");
}

}  // namespace
}  // namespace weft::e2e
