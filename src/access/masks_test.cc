#include "access/masks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::access {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = MaskStrategy::Kind;
using Cell = std::optional<std::string>;

// RFC 4231 test vectors: the reference itself must be right before the SQL is compared with it.
TEST(HmacSha256HexTest, MatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");  // test case 1
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // test case 2
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");  // test case 6: key > 64 bytes
}

TEST(ParseMaskStrategyTest, ReadsEverySpellingBack) {
  for (std::string_view text : {"none", "redact", "null", "hash", "year", "partial:0", "partial:4", "partial:999"}) {
    ASSERT_OK_AND_ASSIGN(MaskStrategy m, ParseMaskStrategy(text));
    EXPECT_EQ(MaskStrategyName(m), text);
  }
  ASSERT_OK_AND_ASSIGN(MaskStrategy m, ParseMaskStrategy("partial:4"));
  EXPECT_EQ(m, (MaskStrategy{Kind::kPartial, 4}));
}

TEST(ParseMaskStrategyTest, RejectsWhatLintRejects) {
  for (std::string_view text : {"partial:", "partial:-1", "partial:1000", "partial:4x", "partial: 4"}) {
    Result<MaskStrategy> m = ParseMaskStrategy(text);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr("'" + std::string(text) + "'"));
    EXPECT_THAT(m.status().message(), HasSubstr("number of trailing characters to keep, from 0 to 999"));
  }
  for (std::string_view text : {"scramble", "Redact", ""}) {
    Result<MaskStrategy> m = ParseMaskStrategy(text);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().message(),
              "'" + std::string(text) + "' is not a masking strategy; use redact, null, hash, partial:N, year or none");
  }
}

spec::Property PropertyWith(std::string classification, std::optional<spec::Json> mask) {
  spec::Property p;
  p.name = "email";
  p.classification = std::move(classification);
  if (mask) {
    spec::CustomProperty cp;
    cp.property = "weft.mask";
    cp.value = *mask;
    p.custom_properties.push_back(cp);
  }
  return p;
}

TEST(MaskForTest, PropertyMaskBeatsClassification) {
  const std::map<std::string, std::string> masking = {{"pii", "hash"}, {"restricted", "redact"}};
  EXPECT_EQ(MaskFor(PropertyWith("pii", std::nullopt), masking), MaskStrategy{Kind::kHash});
  EXPECT_EQ(MaskFor(PropertyWith("pii", "partial:4"), masking), (MaskStrategy{Kind::kPartial, 4}));
  EXPECT_EQ(MaskFor(PropertyWith("pii", "none"), masking), MaskStrategy{Kind::kNone});  // explicitly unmasked
  EXPECT_EQ(MaskFor(PropertyWith("public", std::nullopt), masking), MaskStrategy{Kind::kNone});
  EXPECT_EQ(MaskFor(PropertyWith("", std::nullopt), masking), MaskStrategy{Kind::kNone});
  EXPECT_EQ(MaskFor(PropertyWith("", "year"), masking), MaskStrategy{Kind::kYear});
}

TEST(MaskForTest, AnythingUnreadableFailsClosed) {
  EXPECT_EQ(MaskFor(PropertyWith("pii", "scramble"), {{"pii", "hash"}}), MaskStrategy{Kind::kRedact});
  EXPECT_EQ(MaskFor(PropertyWith("", 4), {}), MaskStrategy{Kind::kRedact});
  EXPECT_EQ(MaskFor(PropertyWith("pii", std::nullopt), {{"pii", "hush"}}), MaskStrategy{Kind::kRedact});
}

// Every expression runs in a real DuckDB over values that break naive masks:
// NULL, empty, multi-byte UTF-8, emoji, a long string.
class MaskExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen("workspace-secret"); }

  // A fresh instance whose weft_hmac is keyed with `key`, holding table t.
  void Reopen(std::string_view key) {
    conn_.reset();
    db_.reset();
    key_ = std::string(key);
    ASSERT_OK_AND_ASSIGN(db_, engine::Database::Open(engine::DatabaseConfig{}));
    ASSERT_OK_AND_ASSIGN(conn_, engine::Connection::Open(*db_));
    ASSERT_OK(RegisterMaskFunctions(*conn_, key_));
    ASSERT_OK(
        conn_->Execute("CREATE TABLE t (id INTEGER, s VARCHAR, d DATE, ts TIMESTAMP, amount DECIMAL(12,2));"
                       "INSERT INTO t VALUES"
                       " (1, NULL, NULL, NULL, NULL),"
                       " (2, '', DATE '2024-05-06', TIMESTAMP '2024-05-06 10:11:12.5', 12.5),"
                       " (3, '4111111111111111', DATE '1999-12-31', TIMESTAMP '1999-12-31 23:59:59', -0.01),"
                       " (4, 'ab', DATE '2000-01-01', TIMESTAMP '2000-01-01 00:00:00', 0),"
                       " (5, 'héllo wörld', NULL, NULL, 1),"
                       " (6, '日本語のテキスト😀', NULL, NULL, 2),"
                       " (7, repeat('long-', 400), NULL, NULL, 3)"));
  }

  // The column `column` of t, masked, by id.
  std::vector<Cell> Masked(const MaskStrategy& m, const std::string& column, const std::string& type,
                           std::string_view key = "workspace-secret") {
    if (key != key_) Reopen(key);
    Result<std::string> expr = MaskExpression(m, SqlIdent(column), type);
    EXPECT_OK(expr);
    if (!expr.ok()) return {};
    return Column("SELECT " + *expr + " FROM t ORDER BY id");
  }

  std::vector<Cell> Column(const std::string& sql) {
    std::vector<Cell> out;
    auto result = conn_->Query(sql);
    EXPECT_OK(result);
    if (!result.ok()) return out;
    auto rows = result->FetchAllAsStrings();
    EXPECT_OK(rows);
    if (!rows.ok()) return out;
    for (auto& row : *rows) out.push_back(row.at(0));
    return out;
  }

  std::string key_;
  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
};

TEST_F(MaskExpressionTest, NoneIsTheColumnItself) {
  ASSERT_OK_AND_ASSIGN(std::string expr, MaskExpression({Kind::kNone}, "\"s\"", "VARCHAR"));
  EXPECT_EQ(expr, "\"s\"");
}

TEST_F(MaskExpressionTest, RedactKeepsNullAsNull) {
  EXPECT_THAT(Masked({Kind::kRedact}, "s", "VARCHAR"),
              ElementsAre(std::nullopt, "***", "***", "***", "***", "***", "***"));
  EXPECT_THAT(Masked({Kind::kRedact}, "d", "DATE"),
              ElementsAre(std::nullopt, "***", "***", "***", std::nullopt, std::nullopt, std::nullopt));
}

TEST_F(MaskExpressionTest, NullKeepsTheColumnType) {
  ASSERT_OK_AND_ASSIGN(std::string expr, MaskExpression({Kind::kNull}, "\"amount\"", "DECIMAL(12,2)"));
  EXPECT_THAT(Column("SELECT DISTINCT typeof(" + expr + ") || ':' || coalesce(" + expr + "::VARCHAR, 'null') FROM t"),
              ElementsAre("DECIMAL(12,2):null"));
}

TEST_F(MaskExpressionTest, TypeThatCouldEscapeTheCastIsRefused) {
  for (std::string type :
       {"INTEGER) AS x, (SELECT 1", "VARCHAR; DROP TABLE t", "VARCHAR -- x", "VARCHAR(", "ENUM('a')", ""}) {
    Result<std::string> expr = MaskExpression({Kind::kNull}, "\"s\"", type);
    ASSERT_FALSE(expr.ok()) << type;
    EXPECT_EQ(expr.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(expr.status().message(), HasSubstr("cannot be used in a mask expression"));
  }
  EXPECT_OK(MaskExpression({Kind::kNull}, "\"s\"", "STRUCT(a INTEGER, b VARCHAR[])"));
}

TEST_F(MaskExpressionTest, HashEqualsTheOpenSslHmacOfTheText) {
  // Binary-safe keys: a NUL and high bytes, exactly one block, longer than a block (hashed first).
  for (const std::string& key :
       {std::string("k\0\xff\x80 secret", 12), std::string(64, 'x'), std::string(100, '\x9c')}) {
    std::vector<Cell> expected;
    for (Cell& v : Column("SELECT s FROM t ORDER BY id"))
      expected.push_back(v ? Cell(HmacSha256Hex(key, *v)) : std::nullopt);
    EXPECT_EQ(Masked({Kind::kHash}, "s", "VARCHAR", key), expected);
  }
}

TEST_F(MaskExpressionTest, HashOfANonTextColumnHashesItsText) {
  EXPECT_THAT(Masked({Kind::kHash}, "amount", "DECIMAL(12,2)", "key"),
              ElementsAre(std::nullopt, HmacSha256Hex("key", "12.50"), HmacSha256Hex("key", "-0.01"),
                          HmacSha256Hex("key", "0.00"), HmacSha256Hex("key", "1.00"), HmacSha256Hex("key", "2.00"),
                          HmacSha256Hex("key", "3.00")));
}

TEST_F(MaskExpressionTest, HashedIdsStillJoinAndKeysDiffer) {
  Reopen("key");
  ASSERT_OK(conn_->Execute("CREATE TABLE u AS SELECT s AS other FROM t WHERE id IN (3, 5, 6)"));
  ASSERT_OK_AND_ASSIGN(std::string left, MaskExpression({Kind::kHash}, "t.s", "VARCHAR"));
  ASSERT_OK_AND_ASSIGN(std::string right, MaskExpression({Kind::kHash}, "u.other", "VARCHAR"));
  EXPECT_EQ(conn_->Query("SELECT count(*) FROM t JOIN u ON " + left + " = " + right)->ScalarInt64().value(), 3);

  std::vector<Cell> a = Masked({Kind::kHash}, "s", "VARCHAR", "key-a");
  std::vector<Cell> b = Masked({Kind::kHash}, "s", "VARCHAR", "key-b");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 1; i < a.size(); ++i) EXPECT_NE(a[i], b[i]) << "row " << i;
}

TEST_F(MaskExpressionTest, HashRefusesAnEmptyKey) {
  Status s = RegisterMaskFunctions(*conn_, "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("workspace secret"));
}

// The key is in no SQL text: not in the expression, nor in a view built on it.
TEST_F(MaskExpressionTest, HashExpressionCarriesNoKeyMaterial) {
  const std::string key = "a-key-that-must-stay-in-cpp";
  Reopen(key);
  ASSERT_OK_AND_ASSIGN(std::string expr, MaskExpression({Kind::kHash}, "\"s\"", "VARCHAR"));
  ASSERT_OK(conn_->Execute("CREATE VIEW masked AS SELECT " + expr + " AS s FROM t"));
  std::vector<Cell> defs = Column("SELECT sql FROM duckdb_views() WHERE view_name = 'masked'");
  ASSERT_EQ(defs.size(), 1u);
  for (const std::string& text : {expr, defs[0].value_or("")}) {
    EXPECT_EQ(text.find(key), std::string::npos) << text;
    EXPECT_EQ(text.find("unhex"), std::string::npos) << text;  // no pad blocks either
  }
}

TEST_F(MaskExpressionTest, PartialKeepsTheLastCharactersAndTheLength) {
  std::vector<Cell> masked = Masked({Kind::kPartial, 4}, "s", "VARCHAR");
  ASSERT_EQ(masked.size(), 7u);
  EXPECT_EQ(masked[0], std::nullopt);
  EXPECT_EQ(masked[1], "");
  EXPECT_EQ(masked[2], "************1111");
  EXPECT_EQ(masked[3], "ab");  // shorter than N: kept whole
  EXPECT_EQ(masked[4], "*******örld");
  EXPECT_EQ(masked[5], "*****キスト😀");
  EXPECT_EQ(masked[6], std::string(1996, '*') + "ong-");

  EXPECT_THAT(
      Masked({Kind::kPartial, 0}, "s", "VARCHAR"),
      ElementsAre(std::nullopt, "", "****************", "**", "***********", "*********", std::string(2000, '*')));
  EXPECT_THAT(Masked({Kind::kPartial, 2}, "amount", "DECIMAL(12,2)"),
              ElementsAre(std::nullopt, "***50", "***01", "**00", "**00", "**00", "**00"));
}

TEST_F(MaskExpressionTest, YearTruncatesDatesAndTimestampsKeepingTheirType) {
  EXPECT_THAT(Masked({Kind::kYear}, "d", "DATE"), ElementsAre(std::nullopt, "2024-01-01", "1999-01-01", "2000-01-01",
                                                              std::nullopt, std::nullopt, std::nullopt));
  EXPECT_THAT(Masked({Kind::kYear}, "ts", "TIMESTAMP"),
              ElementsAre(std::nullopt, "2024-01-01 00:00:00", "1999-01-01 00:00:00", "2000-01-01 00:00:00",
                          std::nullopt, std::nullopt, std::nullopt));
  ASSERT_OK_AND_ASSIGN(std::string expr, MaskExpression({Kind::kYear}, "\"ts\"", "TIMESTAMP"));
  EXPECT_THAT(Column("SELECT DISTINCT typeof(" + expr + ") FROM t"), ElementsAre("TIMESTAMP"));
}

TEST_F(MaskExpressionTest, YearOnANonDateIsAnError) {
  Result<std::string> expr = MaskExpression({Kind::kYear}, "\"s\"", "VARCHAR");
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(expr.status().message(), "year masks dates and timestamps; the column is VARCHAR");
}

}  // namespace
}  // namespace weft::access
