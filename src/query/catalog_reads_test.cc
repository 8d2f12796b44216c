#include "query/catalog_reads.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"

namespace weft::query {
namespace {

using catalog::catalog_internal::SampleDomain;
using catalog::catalog_internal::SampleProduct;
using catalog::catalog_internal::ScratchDir;

// One CatalogReads answers as of the generation it was made for, however
// the catalog changes after; the next generation's reads see the change.
TEST(CatalogReadsTest, ReadsOnceAndKeepsItsGenerationsAnswers) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_OK_AND_ASSIGN(auto store, catalog::OpenStore(dir.File("catalog.db")));
  auto add = [&](const std::string& product) {
    auto txn = store->BeginWrite();
    ASSERT_OK(txn.status());
    ASSERT_OK((*txn)->UpsertDomain(SampleDomain("sales")));
    ASSERT_OK((*txn)->UpsertProduct(SampleProduct("sales", product)));
    ASSERT_OK((*txn)->Commit());
  };
  add("orders");
  CatalogReads reads(*store);
  ASSERT_OK_AND_ASSIGN(auto orders, reads.FindProduct("sales.orders"));
  EXPECT_TRUE(orders.has_value());
  ASSERT_OK_AND_ASSIGN(auto returns, reads.FindProduct("sales.returns"));
  EXPECT_FALSE(returns.has_value());
  ASSERT_OK_AND_ASSIGN(auto domains, reads.ListDomains());
  EXPECT_EQ(domains.size(), 1u);

  add("returns");  // a write: a new generation
  ASSERT_OK_AND_ASSIGN(auto kept, reads.FindProduct("sales.returns"));
  EXPECT_FALSE(kept.has_value()) << "the old generation's answer, read once";
  CatalogReads next(*store);
  ASSERT_OK_AND_ASSIGN(auto found, next.FindProduct("sales.returns"));
  EXPECT_TRUE(found.has_value());
}

}  // namespace
}  // namespace weft::query
