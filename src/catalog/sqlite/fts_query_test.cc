#include "catalog/sqlite/fts_query.h"

#include <gtest/gtest.h>

#include "catalog/internal/testing.h"

namespace weft::catalog::sqlite {
namespace {

std::string Match(std::string_view text) {
  auto match = FtsMatchExpression(text);
  EXPECT_TRUE(match.ok()) << match.status().ToString();
  return match.ok() ? match.value() : "<error>";
}

TEST(FtsMatchExpressionTest, WordsAreQuotedAndTheLastIsAPrefix) {
  EXPECT_EQ(Match("customer"), "\"customer\"*");
  EXPECT_EQ(Match("  customer   ord"), "\"customer\" \"ord\"*");
  EXPECT_EQ(Match("customer "), "\"customer\"");
  EXPECT_EQ(Match("customer_id"), "\"customer_id\"*");
}

TEST(FtsMatchExpressionTest, OperatorsAndQuotesBecomeText) {
  EXPECT_EQ(Match("a OR b"), "\"a\" \"OR\" \"b\"*");
  EXPECT_EQ(Match("say \"hi\""), "\"say\" \"\"\"hi\"\"\"*");
  EXPECT_EQ(Match("-x (y) z*"), "\"-x\" \"(y)\" \"z*\"*");
  EXPECT_EQ(Match("NEAR(a b)"), "\"NEAR(a\" \"b)\"*");
}

TEST(FtsMatchExpressionTest, WordsWithoutLettersOrDigitsAreDropped) {
  EXPECT_EQ(Match(""), "");
  EXPECT_EQ(Match("  \t"), "");
  EXPECT_EQ(Match("\" * ( ) - ^"), "");
  EXPECT_EQ(Match("orders -"), "\"orders\"*");
  EXPECT_EQ(Match("\xc3\xa9t\xc3\xa9"), "\"\xc3\xa9t\xc3\xa9\"*");
}

TEST(FtsMatchExpressionTest, TooManyWordsIsAnError) {
  std::string text;
  for (int i = 0; i <= kMaxSearchWords; ++i) text += "w ";
  auto match = FtsMatchExpression(text);
  EXPECT_EQ(match.status().code(), StatusCode::kInvalidArgument);
  text.clear();
  for (int i = 0; i < kMaxSearchWords; ++i) text += "w ";
  EXPECT_TRUE(FtsMatchExpression(text).ok());
}

}  // namespace
}  // namespace weft::catalog::sqlite
