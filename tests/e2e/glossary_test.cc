// The business glossary end to end: the demo mesh's GlossaryTerm specs are
// applied with everything else; `weft glossary` lists and shows them with
// every column that names them; search finds a term by its synonym and the
// products whose columns use it; column tags are a search facet; and the
// same views come from the REST API, where a consumer reads the glossary
// but the data of its columns stays behind grants.
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "e2e/e2e_util.h"

namespace weft::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class GlossaryE2e : public AppliedMeshTest {
 protected:
  RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }

  // product_vMAJOR object.column of each column of a term page.
  static std::vector<std::string> Columns(const json& page) {
    std::vector<std::string> out;
    for (const auto& c : page["columns"])
      out.push_back(c["address"].get<std::string>() + " " + c["object"].get<std::string>() + "." +
                    c["column"].get<std::string>() + " by " + c["via"].get<std::string>());
    return out;
  }
};

TEST_F(GlossaryE2e, ApplyListShowSearchBySynonym) {
  RunResult list = Weft({"glossary", "list", "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << list;
  json terms = ParseJson(list)["terms"];
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0]["name"], "customer");
  EXPECT_EQ(terms[0]["scope"], "global");
  EXPECT_EQ(terms[0]["columns"], 2);
  EXPECT_EQ(terms[2]["name"], "revenue");
  EXPECT_EQ(terms[2]["domain"], "finance");

  // The page: definition, owners, synonyms, related terms, every column.
  RunResult show = Weft({"glossary", "show", "customer", "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show;
  json page = ParseJson(show);
  EXPECT_THAT(page["definition"].get<std::string>(), HasSubstr("golden"));
  EXPECT_EQ(page["owners"], json({"alice@retail.example", "bob@retail.example"}));
  EXPECT_EQ(page["synonyms"], json({"Client", "Buyer"}));
  EXPECT_EQ(page["related"][0]["name"], "order");
  EXPECT_EQ(page["relatedBy"][0]["name"], "order");
  EXPECT_THAT(Columns(page), ::testing::ElementsAre("customer.customers_v1 customers.customer_id by weft.term",
                                                     "sales.orders_v1 orders.customer_id by businessName"));
  // A synonym names the term too; the text view has the same columns.
  RunResult text = Weft({"glossary", "show", "Buyer"});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_THAT(text.out, HasSubstr("Customer  (customer)"));
  EXPECT_THAT(text.out, HasSubstr("sales.orders_v1"));
  RunResult order = Weft({"glossary", "show", "order", "-o", "json"});
  EXPECT_THAT(Columns(ParseJson(order)), ::testing::ElementsAre("sales.orders_v1 orders.order_id by authoritativeDefinitions"));
  RunResult unknown = Weft({"glossary", "show", "custmer"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("did you mean 'customer'?"));

  // Search by a synonym: the term, and the products whose columns use it.
  RunResult search = Weft({"search", "turnover", "-o", "json"});
  ASSERT_EQ(search.exit_code, 0) << search;
  json found = ParseJson(search);
  ASSERT_EQ(found["terms"].size(), 1u);
  EXPECT_EQ(found["terms"][0]["name"], "revenue");
  ASSERT_EQ(found["hits"].size(), 1u);
  EXPECT_EQ(found["hits"][0]["product"], "finance.revenue_daily");
  EXPECT_THAT(found["hits"][0]["snippet"].get<std::string>(), HasSubstr("revenue_daily.revenue_eur is the glossary term revenue"));

  // The product page shows each column's tags and terms.
  RunResult describe = Weft({"describe", "product", "sales.orders", "-o", "json"});
  ASSERT_EQ(describe.exit_code, 0) << describe;
  json column, described = ParseJson(describe);
  for (const auto& c : described["versions"][0]["columns"])
    if (c["name"] == "customer_id") column = c;
  EXPECT_EQ(column["terms"], json({"customer"}));
  EXPECT_EQ(column["tags"], json({"identifier"}));
}

TEST_F(GlossaryE2e, ColumnTagsAreASearchFacet) {
  RunResult all = Weft({"search", "-o", "json", "--limit", "100"});
  ASSERT_EQ(all.exit_code, 0) << all;
  json facets = ParseJson(all)["facets"];
  EXPECT_EQ(facets["column_tag"]["money"], 2);
  EXPECT_EQ(facets["column_tag"]["contact"], 1);
  RunResult money = Weft({"search", "--column-tag", "money", "-o", "json"});
  ASSERT_EQ(money.exit_code, 0) << money;
  std::vector<std::string> products;
  json hits = ParseJson(money)["hits"];
  for (const auto& h : hits) products.push_back(h["product"]);
  EXPECT_THAT(products, ::testing::UnorderedElementsAre("sales.orders", "finance.revenue_daily"));
  RunResult table = Weft({"search", "--column-tag", "money"});
  EXPECT_THAT(table.out, HasSubstr("column_tag: identifier (1), kpi (1), money (2)"));
}

TEST_F(GlossaryE2e, OnlyStewardsAndAdminsApplyGlobalTermsAndADomainsOwnersItsOwn) {
  WriteFile(tree_ / "glossary/churn.yaml",
            "apiVersion: weft/v1\nkind: GlossaryTerm\nname: churn\ndefinition: A customer who stopped buying.\nowners: [frank@retail.example]\n");
  RunResult owner = e2e::Run({"apply", "-f", tree_.string(), "--workspace", ws_.string(), "--as", "frank@retail.example"});
  EXPECT_EQ(owner.exit_code, 3) << owner;
  EXPECT_THAT(owner.out + owner.err, HasSubstr("only stewards and admins curate the global glossary"));
  EXPECT_EQ(ParseJson(Weft({"glossary", "list", "-o", "json"}))["terms"].size(), 3u);  // nothing applied
}

TEST_F(GlossaryE2e, TheApiServesTheGlossaryAndItsColumnsDataStaysGoverned) {
  ASSERT_EQ(Weft({"principal", "add", "nora@retail.example"}).exit_code, 0);
  RunResult token = Weft({"token", "create", "--for", "nora@retail.example"});
  ASSERT_EQ(token.exit_code, 0) << token;
  std::string nora = token.out.substr(0, token.out.find_last_not_of("\n") + 1);
  nora = nora.substr(nora.rfind('\n') + 1);
  const int port = 20000 + static_cast<int>(::getpid() % 20000);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  Process server({"serve", "--listen", url.substr(7), "--workspace", ws_.string(), "--access-log", "off"},
                 RunOptions{.timeout = std::chrono::seconds(120)});
  auto remote = [&](const std::vector<std::string>& args) {
    return e2e::Run(args, Env{{"WEFT_SERVER", url}, {"WEFT_TOKEN", nora}});
  };
  RunResult list;
  for (int i = 0; i < 100; ++i) {
    list = remote({"glossary", "list", "-o", "json"});
    if (list.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(list.exit_code, 0) << list << server.OutputSoFar();
  EXPECT_EQ(ParseJson(list)["terms"].size(), 3u);
  RunResult show = remote({"glossary", "show", "customer", "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_EQ(ParseJson(show), ParseJson(Weft({"glossary", "show", "customer", "-o", "json"})));  // the same view
  RunResult search = remote({"search", "client", "-o", "json"});
  ASSERT_EQ(search.exit_code, 0) << search;
  EXPECT_EQ(ParseJson(search)["terms"][0]["name"], "customer");
  // The term names a column; it does not open it: nora has no grant.
  RunResult query = remote({"query", "SELECT customer_id FROM customer.customers"});
  EXPECT_EQ(query.exit_code, 3) << query;
  server.Signal(SIGTERM);
  server.Wait();
}

}  // namespace
}  // namespace weft::e2e
