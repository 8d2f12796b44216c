#include "common/strings.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(StringsTest, SplitJoinTrim) {
  EXPECT_EQ(Split("a.b..c", '.'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_TRUE(EndsWith("x.odcs.yaml", ".odcs.yaml"));
  EXPECT_FALSE(StartsWith("ab", "abc"));
}

TEST(StringsTest, SqlQuoting) {
  EXPECT_EQ(SqlQuote("O'Brien"), "'O''Brien'");
  EXPECT_EQ(SqlIdent("a\"b"), "\"a\"\"b\"");
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xed\xa0\x80"), 1u);     // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\xe2\x82"), 1u);         // truncated
}

TEST(StringsTest, ClosestMatch) {
  EXPECT_EQ(ClosestMatch("logicaltype", {"logicalType", "physicalType"}), "logicalType");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"name", "version"}), "");
  // A bare name finds the dotted id it ends; a dotted word is compared whole.
  EXPECT_EQ(ClosestMatch("orders", {"customer.customers", "sales.orders"}), "sales.orders");
  EXPECT_EQ(ClosestMatch("ordrs", {"customer.customers", "sales.orders"}), "sales.orders");
  EXPECT_EQ(ClosestMatch("sales.oders", {"customer.customers", "sales.orders"}), "sales.orders");
  EXPECT_EQ(ClosestMatch("x.orders", {"customer.customers", "sales.orders"}), "");
}

}  // namespace
}  // namespace weft
