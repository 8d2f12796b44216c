// Product search, on SQLite and on PostgreSQL (catalog_internal::TestCatalog
// says which): ranking, prefixes, snippets, filters, facets, and hostile
// query text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/internal/test_catalog.h"
#include "catalog/internal/testing.h"
#include "catalog/store.h"

namespace weft::catalog {
namespace {

using catalog_internal::SampleDomain;
using catalog_internal::SampleProduct;
using catalog_internal::ScratchDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Ids(const SearchResult& result) {
  std::vector<std::string> ids;
  for (const SearchHit& hit : result.hits) ids.push_back(hit.product_id);
  return ids;
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_OK_AND_ASSIGN(std::string location, catalog_.Create(dir_));
    ASSERT_OK_AND_ASSIGN(store_, OpenStore(location));
  }

  // Saves the product (and its domain) and indexes `doc` for it.
  void Index(SearchDocument doc) {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertDomain(SampleDomain(doc.domain)));
    ASSERT_OK(txn->UpsertProduct(SampleProduct(doc.domain, doc.product_id.substr(doc.domain.size() + 1))));
    ASSERT_OK(txn->IndexForSearch(doc));
    ASSERT_OK(txn->Commit());
  }

  SearchResult Find(const SearchQuery& query) {
    auto result = store_->Search(query);
    EXPECT_TRUE(result.ok()) << query.text << ": " << result.status().ToString();
    return result.ok() ? std::move(result).value() : SearchResult{};
  }

  ScratchDir dir_;
  catalog_internal::TestCatalog catalog_;  // outlives store_: drops its database, if any
  std::unique_ptr<Store> store_;
};

TEST_F(SearchTest, NameMatchOutranksDescriptionMatch) {
  Index({.product_id = "sales.notes",
         .domain = "sales",
         .name = "notes",
         .status = "active",
         .description = "free text about invoices and their history"});
  Index({.product_id = "finance.invoices",
         .domain = "finance",
         .name = "invoices",
         .status = "active",
         .description = "booked documents"});
  SearchResult r = Find({.text = "invoices"});
  EXPECT_THAT(Ids(r), ElementsAre("finance.invoices", "sales.notes"));
  EXPECT_GT(r.hits[0].score, r.hits[1].score);
  EXPECT_GT(r.hits[1].score, 0);
}

TEST_F(SearchTest, ColumnWeightsOrderTagsColumnsDescription) {
  Index({.product_id = "a.by_description", .domain = "a", .name = "one", .description = "shipment"});
  Index({.product_id = "a.by_column", .domain = "a", .name = "two", .columns = "shipment"});
  Index({.product_id = "a.by_tag", .domain = "a", .name = "three", .tags = {"shipment"}});
  Index({.product_id = "a.by_column_description", .domain = "a", .name = "four", .column_descriptions = "shipment"});
  EXPECT_THAT(Ids(Find({.text = "shipment"})),
              ElementsAre("a.by_tag", "a.by_column", "a.by_description", "a.by_column_description"));
}

TEST_F(SearchTest, GoldenRecordRanksFirstAmongEqualMatches) {
  Index({.product_id = "marketing.customer", .domain = "marketing", .name = "customer", .status = "active"});
  Index({.product_id = "crm.customer",
         .domain = "crm",
         .name = "customer",
         .status = "active",
         .golden_record = true,
         .references = {}});
  SearchResult r = Find({.text = "customer"});
  EXPECT_THAT(Ids(r), ElementsAre("crm.customer", "marketing.customer"));
  // Without the boost the order would be by id: the boost decides.
  EXPECT_GT(r.hits[0].score, r.hits[1].score);
}

TEST_F(SearchTest, LastWordIsAPrefixWhileTyping) {
  Index({.product_id = "crm.customers", .domain = "crm", .name = "customers", .description = "people who buy"});
  EXPECT_THAT(Ids(Find({.text = "cust"})), ElementsAre("crm.customers"));
  EXPECT_THAT(Ids(Find({.text = "people cust"})), ElementsAre("crm.customers"));
  // A finished word (trailing space) is matched whole.
  EXPECT_TRUE(Find({.text = "cust "}).hits.empty());
  // Only the last word is a prefix.
  EXPECT_TRUE(Find({.text = "peop customers"}).hits.empty());
}

TEST_F(SearchTest, WordsAreAnded) {
  Index({.product_id = "sales.orders", .domain = "sales", .name = "orders", .description = "online shop"});
  Index({.product_id = "sales.returns", .domain = "sales", .name = "returns", .description = "online shop"});
  EXPECT_THAT(Ids(Find({.text = "online orders"})), ElementsAre("sales.orders"));
}

TEST_F(SearchTest, ColumnNameFindsTheProduct) {
  Index({.product_id = "sales.orders",
         .domain = "sales",
         .name = "orders",
         .columns = "order_id customer_id order_total",
         .column_descriptions = "Total in EUR"});
  Index({.product_id = "hr.staff", .domain = "hr", .name = "staff", .columns = "employee_id salary"});
  EXPECT_THAT(Ids(Find({.text = "customer_id"})), ElementsAre("sales.orders"));
  EXPECT_THAT(Ids(Find({.text = "total"})), ElementsAre("sales.orders"));
  SearchResult r = Find({.text = "salary"});
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].snippet, "employee_id [salary]");
}

TEST_F(SearchTest, HitCarriesProductFieldsAndSnippet) {
  Index({.product_id = "sales.orders",
         .domain = "sales",
         .name = "orders",
         .status = "active",
         .description = "Every order placed in the online shop, one row per order line"});
  SearchResult r = Find({.text = "shop"});
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].product_id, "sales.orders");
  EXPECT_EQ(r.hits[0].domain, "sales");
  EXPECT_EQ(r.hits[0].name, "orders");
  EXPECT_EQ(r.hits[0].status, "active");
  EXPECT_THAT(r.hits[0].snippet, HasSubstr("online [shop]"));
}

class SearchFilterTest : public SearchTest {
 protected:
  void SetUp() override {
    SearchTest::SetUp();
    Index({.product_id = "sales.orders",
           .domain = "sales",
           .name = "orders",
           .status = "active",
           .description = "customer orders",
           .tags = {"core", "orders"},
           .classifications = {"internal"}});
    Index({.product_id = "sales.leads",
           .domain = "sales",
           .name = "leads",
           .status = "draft",
           .description = "customer leads",
           .tags = {"pipeline"},
           .classifications = {"pii", "internal"}});
    Index({.product_id = "crm.customers",
           .domain = "crm",
           .name = "customers",
           .status = "active",
           .description = "customer master",
           .tags = {"core"},
           .classifications = {"pii"},
           .golden_record = true});
    Index({.product_id = "hr.staff",
           .domain = "hr",
           .name = "staff",
           .status = "active",
           .description = "employees",
           .tags = {"core"},
           .classifications = {"pii"}});
  }
};

TEST_F(SearchFilterTest, FacetsCountTheFilteredHits) {
  SearchResult r = Find({.text = "customer"});
  EXPECT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(r.facets["domain"], (std::map<std::string, int64_t>{{"crm", 1}, {"sales", 2}}));
  EXPECT_EQ(r.facets["status"], (std::map<std::string, int64_t>{{"active", 2}, {"draft", 1}}));
  EXPECT_EQ(r.facets["tag"], (std::map<std::string, int64_t>{{"core", 2}, {"orders", 1}, {"pipeline", 1}}));
  EXPECT_EQ(r.facets["classification"], (std::map<std::string, int64_t>{{"internal", 2}, {"pii", 2}}));

  EXPECT_TRUE(r.facets_complete);
  EXPECT_EQ(r.facets_counted, 3);

  // Facets count every hit, not just the first `limit`.
  SearchResult one = Find({.text = "customer", .limit = 1});
  EXPECT_EQ(one.hits.size(), 1u);
  EXPECT_EQ(one.facets["domain"], r.facets["domain"]);
  EXPECT_TRUE(one.facets_complete);
  EXPECT_EQ(one.facets_counted, 3);
}

TEST_F(SearchFilterTest, FiltersNarrowHitsAndFacets) {
  EXPECT_THAT(Ids(Find({.text = "customer", .domain = "sales"})), ElementsAre("sales.leads", "sales.orders"));
  EXPECT_THAT(Ids(Find({.text = "customer", .tag = "core"})), ElementsAre("crm.customers", "sales.orders"));
  EXPECT_THAT(Ids(Find({.text = "customer", .classification = "pii"})), ElementsAre("crm.customers", "sales.leads"));
  EXPECT_THAT(Ids(Find({.text = "customer", .status = "draft"})), ElementsAre("sales.leads"));
  SearchResult r = Find({.text = "customer", .domain = "sales", .classification = "internal", .status = "active"});
  EXPECT_THAT(Ids(r), ElementsAre("sales.orders"));
  EXPECT_EQ(r.facets["domain"], (std::map<std::string, int64_t>{{"sales", 1}}));
  EXPECT_TRUE(Find({.text = "customer", .domain = "nowhere"}).hits.empty());
}

TEST_F(SearchFilterTest, NoTextListsFilteredProductsByName) {
  SearchResult r = Find({.classification = "pii"});
  EXPECT_THAT(Ids(r), ElementsAre("crm.customers", "sales.leads", "hr.staff"));
  EXPECT_EQ(r.hits[0].score, 0);
  EXPECT_EQ(r.facets["domain"], (std::map<std::string, int64_t>{{"crm", 1}, {"hr", 1}, {"sales", 1}}));
  EXPECT_EQ(Find({}).hits.size(), 4u);
  EXPECT_THAT(Ids(Find({.tag = "core", .limit = 2})), ElementsAre("crm.customers", "sales.orders"));
}

TEST_F(SearchFilterTest, FtsSyntaxInTheTextIsJustText) {
  for (const char* text : {"\"",
                           "customer\"",
                           "\"customer",
                           "*",
                           "cust*",
                           "customer OR staff",
                           "OR",
                           "AND",
                           "NOT",
                           "NEAR(customer staff)",
                           "-customer",
                           "customer -leads",
                           "(",
                           ")",
                           "customer)",
                           "a:b",
                           "name:customer",
                           "^customer",
                           "+",
                           "{name}: x",
                           "'; DROP TABLE products; --",
                           "\\",
                           "customer\t\n",
                           "\xc3\xa9t\xc3\xa9",
                           "\xe2\x80\x94",
                           "customer \xe2\x80\x94"}) {
    auto result = store_->Search({.text = text});
    EXPECT_TRUE(result.ok()) << text << ": " << result.status().ToString();
  }
  // Operators are words, not operators: OR is ANDed in as a word.
  EXPECT_TRUE(Find({.text = "customer OR staff"}).hits.empty());
  EXPECT_THAT(Ids(Find({.text = "\"customer master\""})), ElementsAre("crm.customers"));
  // Text without a single word is no text: everything, filtered.
  EXPECT_EQ(Find({.text = "( * )", .domain = "hr"}).hits.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto products, store_->ListProducts());
  EXPECT_EQ(products.size(), 4u);
}

TEST_F(SearchTest, ReindexingReplacesTheEntry) {
  Index({.product_id = "sales.orders", .domain = "sales", .name = "orders", .description = "parcels", .tags = {"old"}});
  Index(
      {.product_id = "sales.orders", .domain = "sales", .name = "orders", .description = "shipments", .tags = {"new"}});
  EXPECT_TRUE(Find({.text = "parcels"}).hits.empty());
  SearchResult r = Find({.text = "shipments"});
  EXPECT_THAT(Ids(r), ElementsAre("sales.orders"));
  EXPECT_EQ(r.facets["tag"], (std::map<std::string, int64_t>{{"new", 1}}));
}

// More matches than the facet window: the facets count the best
// kSearchFacetWindow and say so, and a filter that narrows the matches to
// fewer makes them complete again.
TEST_F(SearchTest, FacetsCountOnlyTheBestMatchesWhenManyMatch) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  for (const char* domain : {"top", "rest"}) ASSERT_OK(txn->UpsertDomain(SampleDomain(domain)));
  const int rest = kSearchFacetWindow + 10;
  auto add = [&](const std::string& domain, int i, const std::string& name, const std::string& tag) {
    const std::string name_i = name + "_" + std::to_string(i);
    ASSERT_OK(txn->UpsertProduct(SampleProduct(domain, name_i)));
    ASSERT_OK(txn->IndexForSearch({.product_id = domain + "." + name_i, .domain = domain, .name = name_i,
                                   .status = "active", .description = "every parcel of the week",
                                   .tags = {tag}}));
  };
  for (int i = 0; i < 5; ++i) add("top", i, "parcel", "best");  // "parcel" in the name ranks first
  for (int i = 0; i < rest; ++i) add("rest", i, "shipment", "other");
  ASSERT_OK(txn->Commit());

  SearchResult r = Find({.text = "parcel"});
  EXPECT_EQ(r.hits.size(), 20u);
  EXPECT_FALSE(r.facets_complete);
  EXPECT_EQ(r.facets_counted, kSearchFacetWindow);
  EXPECT_EQ(r.facets["domain"], (std::map<std::string, int64_t>{{"rest", kSearchFacetWindow - 5}, {"top", 5}}));
  EXPECT_EQ(r.facets["tag"], (std::map<std::string, int64_t>{{"best", 5}, {"other", kSearchFacetWindow - 5}}));
  EXPECT_EQ(r.facets["status"], (std::map<std::string, int64_t>{{"active", kSearchFacetWindow}}));

  SearchResult top = Find({.text = "parcel", .domain = "top"});
  EXPECT_TRUE(top.facets_complete);
  EXPECT_EQ(top.facets_counted, 5);
  EXPECT_EQ(top.facets["tag"], (std::map<std::string, int64_t>{{"best", 5}}));

  // A listing (no text) is bounded the same way, by name.
  SearchResult listing = Find({});
  EXPECT_FALSE(listing.facets_complete);
  EXPECT_EQ(listing.facets_counted, kSearchFacetWindow);
  EXPECT_EQ(listing.facets["domain"], (std::map<std::string, int64_t>{{"rest", kSearchFacetWindow - 5}, {"top", 5}}));
}

// A glossary term is found by its name, title, synonyms or definition,
// beside the hits; a product whose column is linked to the term is a hit
// through it. Filters narrow the products, not the terms.
TEST_F(SearchTest, GlossaryTermsAreFoundAndFindTheProductsThatNameThem) {
  Index({.product_id = "crm.customers", .domain = "crm", .name = "customers", .status = "active",
         .columns = "customer_id email"});
  Index({.product_id = "sales.orders", .domain = "sales", .name = "orders", .status = "active",
         .description = "orders of each client"});
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->UpsertGlossaryTerm({.name = "customer", .title = "Customer",
                                       .definition = "A person or company that buys from us",
                                       .synonyms = {"client", "buyer"}}));
    ASSERT_OK(txn->ReplaceGlossaryLinks({{.term = "customer", .product_id = "crm.customers", .port = "default",
                                          .major = 1, .contract_id = "crm.customers", .contract_version = "1.0.0",
                                          .object = "customers", .column = "customer_id", .via = "weft.term"}}));
    ASSERT_OK(txn->Commit());
  }
  SearchResult r = Find({.text = "buyer"});
  ASSERT_EQ(r.terms.size(), 1u);
  EXPECT_EQ(r.terms[0].name, "customer");
  EXPECT_EQ(r.terms[0].title, "Customer");
  EXPECT_GT(r.terms[0].score, 0);
  EXPECT_THAT(r.terms[0].snippet, HasSubstr("[buyer]"));
  EXPECT_THAT(Ids(r), ElementsAre("crm.customers"));
  EXPECT_THAT(r.hits[0].snippet, HasSubstr("customers.customer_id is the glossary term customer: "));
  EXPECT_GT(r.hits[0].score, 0);

  EXPECT_THAT(Ids(Find({.text = "client"})), ::testing::UnorderedElementsAre("crm.customers", "sales.orders"));
  SearchResult sales = Find({.text = "client", .domain = "sales"});
  EXPECT_THAT(Ids(sales), ElementsAre("sales.orders"));
  EXPECT_EQ(sales.terms.size(), 1u);

  // Deleting the term takes its text and its links.
  {
    ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
    ASSERT_OK(txn->DeleteGlossaryTerm("customer"));
    ASSERT_OK(txn->Commit());
  }
  SearchResult gone = Find({.text = "buyer"});
  EXPECT_TRUE(gone.hits.empty());
  EXPECT_TRUE(gone.terms.empty());
  ASSERT_OK_AND_ASSIGN(auto links, store_->ListGlossaryLinks({}));
  EXPECT_TRUE(links.empty());
}

// Facet values are kept as written, whatever array or quoting syntax they
// hold (the PostgreSQL store passes them as one text[] per product).
TEST_F(SearchTest, FacetValuesWithArraySyntaxAreKeptAsWritten) {
  const std::vector<std::string> tags = {"a,b", "q\"uote", "back\\slash", "{brace}", "NULL", ""};
  Index({.product_id = "odd.tags", .domain = "odd", .name = "tags", .tags = tags, .classifications = {"pii"}});
  SearchResult r = Find({.text = "tags"});
  ASSERT_EQ(r.hits.size(), 1u);
  std::map<std::string, int64_t> expected;
  for (const auto& t : tags) expected[t] = 1;
  EXPECT_EQ(r.facets["tag"], expected);
  EXPECT_EQ(r.facets["classification"], (std::map<std::string, int64_t>{{"pii", 1}}));
  EXPECT_EQ(Find({.text = "tags", .tag = "q\"uote"}).hits.size(), 1u);
}

// Both stores fold letters as FTS5's unicode61 tokenizer does: accents
// and case do not keep a product from its search.
TEST_F(SearchTest, AccentsAndCaseFoldAlike) {
  Index({.product_id = "cafe.menu", .domain = "cafe", .name = "café menu", .description = "ÉCOLE naïve Straße"});
  for (const char* text : {"cafe", "CAFÉ", "ecole", "école", "naive", "straße", "caf"})
    EXPECT_THAT(Ids(Find({.text = text})), ElementsAre("cafe.menu")) << text;
  EXPECT_TRUE(Find({.text = "strasse "}).hits.empty());  // ß is a letter of its own, as in FTS5
}

// Refused by the call (SQLite) or, its write pipelined, by the commit
// (PostgreSQL): either way the transaction fails and says why.
TEST_F(SearchTest, IndexingAnUnknownProductIsRefused) {
  ASSERT_OK_AND_ASSIGN(auto txn, store_->BeginWrite());
  Status s = txn->IndexForSearch({.product_id = "sales.ghost", .domain = "sales", .name = "ghost"});
  if (s.ok()) s = txn->Commit();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("product sales.ghost is not in the catalog"));
}

TEST_F(SearchTest, LimitIsValidated) {
  EXPECT_EQ(store_->Search({.limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.limit = 100000}).status().code(), StatusCode::kInvalidArgument);
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(store_->Search({.text = many}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft::catalog
