// End to end: the errors a new user meets say what is wrong and offer the
// closest right name, and one convention of exit codes holds across
// commands: 0 ok, 1 findings or a refusal, 2 usage (a wrong name included),
// 3 the acting principal may not (service/outcome.h).
#include <fstream>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(HelpfulErrors, UnknownCommandsAreOfferedTheClosestOne) {
  RunResult top = e2e::Run({"publsh"});
  EXPECT_EQ(top.exit_code, 2) << top;
  EXPECT_THAT(top.err, HasSubstr("unknown command 'weft publsh'; did you mean 'weft publish'?")) << top;
  // After global options, and one level down.
  RunResult nested = e2e::Run({"--as", "ann", "access", "reqest"});
  EXPECT_EQ(nested.exit_code, 2) << nested;
  EXPECT_THAT(nested.err, HasSubstr("did you mean 'weft access request'?")) << nested;
  RunResult nothing_close = e2e::Run({"frobnicate"});
  EXPECT_EQ(nothing_close.exit_code, 2) << nothing_close;
  EXPECT_THAT(nothing_close.err, HasSubstr("unknown command 'weft frobnicate'")) << nothing_close;
  EXPECT_THAT(nothing_close.err, Not(HasSubstr("did you mean"))) << nothing_close;
}

TEST(HelpfulErrors, AnUnreachableServerIsNamedWithWhatToCheck) {
  RunResult r = e2e::Run({"get", "products", "--server", "http://127.0.0.1:1"}, Env{{"WEFT_TOKEN", "x"}});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the weft server at http://127.0.0.1:1 (nothing accepts connections there)"))
      << r;
  EXPECT_THAT(r.err, HasSubstr("$WEFT_SERVER")) << r;
}

class HelpfulDataErrors : public DemoDataTest {};

TEST_F(HelpfulDataErrors, AMisspelledProductIsAUsageErrorWithAHintInEveryCommand) {
  const std::string alice = "alice@retail.example";
  const std::vector<std::vector<std::string>> commands = {
      {"describe", "product", "orders"},
      {"describe", "product", "sales.oders"},
      {"publish", "sales.oders", File("sales.orders"), "--as", "carol@retail.example"},
      {"query", "SELECT * FROM sales.oders", "--as", alice},
      {"history", "sales.oders"},
      {"lineage", "sales.oders"},
  };
  for (const auto& args : commands) {
    RunResult r = Weft(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.err, HasSubstr("did you mean 'sales.orders'?")) << r;
  }
}

TEST_F(HelpfulDataErrors, AColumnTypoInSqlIsOfferedOnlyColumnsTheCallerReads) {
  // carol owns sales.orders: she reads every column.
  ASSERT_EQ(Weft({"publish", "sales.orders", File("sales.orders"), "--as", "carol@retail.example"}).exit_code, 0);
  RunResult r = Weft({"query", "SELECT amout FROM sales.orders", "--as", "carol@retail.example"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("did you mean 'amount'?")) << r;
}

TEST_F(HelpfulDataErrors, PublishSaysWhatIsWrongWithAHeader) {
  const std::string owner = "alice@retail.example";
  std::ifstream in(File("customer.customers"));
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  auto write = [&](const std::string& name, const std::string& text) {
    fs::path p = tmp_ / name;
    std::ofstream(p) << text;
    return p.string();
  };
  auto replace_all = [](std::string s, char from, char to) {
    for (char& c : s)
      if (c == from) c = to;
    return s;
  };
  std::string typo_header = header;
  typo_header.replace(0, std::string("customer_id").size(), "custmer_id");

  RunResult typo = Weft({"publish", "customer.customers", write("typo.csv", typo_header + "\n" + first + "\n"), "--as", owner});
  EXPECT_EQ(typo.exit_code, 2) << typo;
  EXPECT_THAT(typo.err, HasSubstr("no column customer_id (did you mean 'custmer_id'?)")) << typo;

  RunResult semi = Weft({"publish", "customer.customers",
                         write("semi.csv", replace_all(header, ',', ';') + "\n" + replace_all(first, ',', ';') + "\n"),
                         "--as", owner});
  EXPECT_EQ(semi.exit_code, 2) << semi;
  EXPECT_THAT(semi.err, HasSubstr("the header looks separated by ';'")) << semi;

  RunResult headless = Weft({"publish", "customer.customers", write("headless.csv", first + "\n" + first + "\n"), "--as", owner});
  EXPECT_EQ(headless.exit_code, 2) << headless;
  EXPECT_THAT(headless.err, HasSubstr("the first row is probably data, not a header: add a header row (customer_id,"))
      << headless;
}

TEST(HelpfulErrors, ScaffoldPlaceholdersAreLintWarningsAndRefusedByTheDefaultPolicies) {
  TempDir tmp;
  const std::string dir = (tmp / "mesh").string();
  ASSERT_EQ(e2e::Run({"new", "domain", "pricing", "--dir", dir}).exit_code, 0);
  ASSERT_EQ(e2e::Run({"new", "product", "pricing/price_list", "--dir", dir}).exit_code, 0);
  RunResult lint = e2e::Run({"lint", dir});
  EXPECT_EQ(lint.exit_code, 0) << lint;
  EXPECT_THAT(lint.out + lint.err, HasSubstr("domain.yaml:10:5: warning: placeholder from weft new not replaced yet"))
      << lint;

  const fs::path ws = tmp / "ws";
  ASSERT_EQ(e2e::Run({"init", ws.string()}).exit_code, 0);
  RunResult plan = e2e::Run({"plan", "-f", dir, "--workspace", ws.string()});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_THAT(plan.out + plan.err, HasSubstr("no-scaffold-placeholders")) << plan;
  EXPECT_THAT(plan.out + plan.err, HasSubstr("owner@example.com")) << plan;
}

}  // namespace
}  // namespace weft::e2e
