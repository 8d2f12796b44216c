// Iceberg tables through the CLI: weft publish writes them, a lost table
// metadata file is written again by `weft lakehouse repair` (once), and the
// metadata names the same snapshots as the catalog.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LakehouseTablesTest : public DemoDataTest {
 protected:
  // The snapshot id a `weft publish` printed ("PUBLISHED sales.orders_v1 snapshot ID (...").
  static std::string SnapshotOf(const RunResult& r) {
    const std::string key = "_v1 snapshot ";
    const size_t at = r.out.find(key);
    if (at == std::string::npos) return "";
    const size_t from = at + key.size();
    return r.out.substr(from, r.out.find(' ', from) - from);
  }
  nlohmann::json Metadata(const fs::path& table) {
    std::ifstream hint(table / "metadata/version-hint.text");
    std::string n;
    hint >> n;
    std::ifstream in(table / "metadata" / ("v" + n + ".metadata.json"));
    return nlohmann::json::parse(in, nullptr, false);
  }
};

TEST_F(LakehouseTablesTest, PublishWritesTheTableAndRepairRestoresLostMetadata) {
  RunResult first = Weft({"publish", "sales.orders", File("sales.orders")});
  ASSERT_EQ(first.exit_code, 0) << first;
  // A second snapshot that appends a few of the same rows.
  const fs::path part = tmp_ / "orders-part.csv";
  {
    std::ifstream in(File("sales.orders"));
    std::ofstream out(part);
    std::string line;
    for (int i = 0; i < 6 && std::getline(in, line); ++i) out << line << "\n";
  }
  RunResult second = Weft({"publish", "sales.orders", part.string(), "--mode", "append", "--force", "--reason", "e2e"});
  ASSERT_EQ(second.exit_code, 0) << second;
  const std::vector<std::string> ids = {SnapshotOf(first), SnapshotOf(second)};

  const fs::path table = ws_ / "domains/sales/products/orders/v1";
  auto named = [](const nlohmann::json& m) {
    std::vector<std::string> out;
    for (const auto& s : m["snapshots"]) out.push_back(s["summary"]["weft.snapshot-id"]);
    return out;
  };
  nlohmann::json m = Metadata(table);
  ASSERT_FALSE(m.is_discarded());
  EXPECT_EQ(named(m), ids);
  EXPECT_EQ(m["properties"]["weft.snapshot-id"], ids[1]);
  EXPECT_EQ(m["snapshots"][1]["summary"]["operation"], "append");

  // The table metadata is lost (the snapshots' own Iceberg files stay).
  fs::remove_all(table / "metadata");
  RunResult repair = Weft({"lakehouse", "repair"});
  ASSERT_EQ(repair.exit_code, 0) << repair;
  EXPECT_THAT(repair.out, HasSubstr("Rewrote the metadata of"));
  EXPECT_EQ(named(Metadata(table)), ids);
  RunResult again = Weft({"lakehouse", "repair"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("Rewrote the metadata of 0 table(s)"));
}

}  // namespace
}  // namespace weft::e2e
