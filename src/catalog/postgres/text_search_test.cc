#include "catalog/postgres/text_search.h"

#include <gtest/gtest.h>

#include "catalog/search_words.h"
#include "common/testing/status_matchers.h"

namespace weft::catalog::postgres {
namespace {

std::string Query(std::string_view text) {
  auto query = TsQueryText(text);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  return query.ok() ? *query : "";
}

TEST(TextSearchTest, PunctuationSeparatesWords) {
  EXPECT_EQ(IndexText("customer_id, sales.orders a-b"), "customer id  sales orders a b");
  // A multi-byte character is part of a word, never a separator.
  EXPECT_EQ(IndexText("日本-Д"), "日本 Д");
}

// As FTS5's unicode61 (remove_diacritics 2) indexes them: "cafe" finds
// "Café" on both stores; letters without a decomposition (ß, ø, æ) stay.
TEST(TextSearchTest, LatinLettersFoldAsInFts5) {
  EXPECT_EQ(IndexText("été"), "ete");
  EXPECT_EQ(IndexText("CafÉ Łódź"), "Cafe łodz");
  EXPECT_EQ(IndexText("Straße Øre"), "Straße øre");
  EXPECT_EQ(Query("café naï"), "'cafe' & 'nai':*");
  EXPECT_EQ(IndexText("\xc3"), "\xc3");  // a truncated sequence is left alone
}

TEST(TextSearchTest, WordsArePhrasesAndTheLastAPrefix) {
  EXPECT_EQ(Query("customer ord"), "'customer' & 'ord':*");
  EXPECT_EQ(Query("customer_id "), "('customer' <-> 'id')");
  EXPECT_EQ(Query("order customer_id"), "'order' & ('customer' <-> 'id':*)");
  EXPECT_EQ(Query(""), "");
  EXPECT_EQ(Query("( * )"), "");
}

TEST(TextSearchTest, OperatorsAndQuotesAreNotSyntax) {
  EXPECT_EQ(Query("a & !b | c:* 'x' \\"), "'a' & 'b' & 'c' & 'x':*");
  EXPECT_EQ(Query("'; DROP TABLE products; --"), "'DROP' & 'TABLE' & 'products':*");
}

TEST(TextSearchTest, TooManyWordsAreRefused) {
  std::string many;
  for (int i = 0; i <= kMaxSearchWords; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(TsQueryText(many).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft::catalog::postgres
