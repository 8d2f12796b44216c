// The input bounds set in weft.yaml reach the publish (docs/reliability.md,
// "Reading one input is bounded"): a gzip input expanding past a lowered
// publish.maxExpansion is refused naming the setting, and nothing changes —
// no history entry, no archive, the input kept. Raised again, it is read.
#include <cstdlib>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class InputLimitsE2eTest : public DemoDataTest {};

TEST_F(InputLimitsE2eTest, AnExpansionLimitLoweredInWeftYamlRefusesAGzipAndChangesNothing) {
  const std::string product = "inventory.stock_levels";
  const fs::path gz = tmp_ / "stock_levels.csv.gz";
  const std::string csv = ReadFile(File(product));
  ASSERT_EQ(std::system(("gzip -9 -c '" + File(product) + "' > '" + gz.string() + "'").c_str()), 0);
  ASSERT_GT(csv.size(), 3 * fs::file_size(gz)) << "the test needs a file that expands more than 3 times";

  ASSERT_TRUE(ReplaceOnce(ws_ / "weft.yaml", "  maxExpansion: 100\n", "  maxExpansion: 3\n"));
  const CatalogView before = ReadCatalog(ws_);
  RunResult r = Weft({"publish", product, gz.string()});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr(gz.string() + " expands to more than"));
  EXPECT_THAT(r.err, HasSubstr("publish.maxExpansion: 3 times its compressed"));
  EXPECT_THAT(r.err, HasSubstr("raise publish.maxExpansion in weft.yaml"));
  EXPECT_EQ(ReadCatalog(ws_), before);
  const fs::path archive = ws_ / "domains/inventory/archive";
  EXPECT_TRUE(!fs::exists(archive) || fs::is_empty(archive));
  EXPECT_TRUE(fs::exists(gz));

  ASSERT_TRUE(ReplaceOnce(ws_ / "weft.yaml", "  maxExpansion: 3\n", "  maxExpansion: 100\n"));
  // Raised again, the input is read (the demo data's planted violations
  // may still have the guards refuse it; that is a recorded attempt).
  RunResult ok = Weft({"publish", product, gz.string()});
  EXPECT_NE(ok.exit_code, 2) << ok;
  EXPECT_THAT(ok.out + ok.err, ::testing::Not(HasSubstr("expands to more than")));
  EXPECT_NE(ReadCatalog(ws_), before);
}

}  // namespace
}  // namespace weft::e2e
