// Which statements are catalog queries, and what they become for the
// shadow engine: parsed by DuckDB's own parser (json_serialize_sql).
#include "pgwire/catalog_query.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::pgwire {
namespace {

class CatalogQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { parser_ = engine::DuckDbSqlValidator::Create()->release(); }
  static void TearDownTestSuite() { delete parser_; }

  Result<std::optional<CatalogQuery>> Prepare(const std::string& sql) {
    auto ast = parser_->SerializeSql(sql);
    EXPECT_OK(ast);
    return PrepareCatalogQuery(*ast, sql);
  }
  bool IsCatalog(const std::string& sql) {
    auto q = Prepare(sql);
    EXPECT_OK(q) << sql;
    const bool catalog = q.ok() && q->has_value();
    // The text filter that spares product queries the parse never hides one.
    if (catalog) {
      EXPECT_TRUE(MayBeCatalogQuery(sql)) << sql;
    }
    return catalog;
  }
  std::string Refusal(const std::string& sql) {
    auto q = Prepare(sql);
    EXPECT_FALSE(q.ok()) << sql;
    if (q.ok()) return "";
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument) << sql;
    return q.status().message();
  }

  static engine::DuckDbSqlValidator* parser_;
};

engine::DuckDbSqlValidator* CatalogQueryTest::parser_ = nullptr;

TEST_F(CatalogQueryTest, CatalogRelationsFunctionsAndSessionValuesMakeACatalogQuery) {
  EXPECT_TRUE(IsCatalog("SELECT version()"));
  EXPECT_TRUE(IsCatalog("SELECT current_schema(), session_user"));
  EXPECT_TRUE(IsCatalog("select current_user"));
  EXPECT_TRUE(IsCatalog("SELECT * FROM pg_catalog.pg_class"));
  EXPECT_TRUE(IsCatalog("SELECT relname FROM pg_class"));  // found through pg_catalog, as PostgreSQL does
  EXPECT_TRUE(IsCatalog("SELECT * FROM information_schema.tables"));
  EXPECT_TRUE(IsCatalog("WITH t AS (SELECT * FROM pg_namespace) SELECT * FROM t"));
  EXPECT_TRUE(IsCatalog("SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = $1)"));
}

TEST_F(CatalogQueryTest, ProductQueriesAndPlainSqlAreTheGovernedPaths) {
  EXPECT_FALSE(IsCatalog("SELECT email FROM crm.customers LIMIT 3"));
  EXPECT_FALSE(IsCatalog("SELECT 1"));
  // A product's own column called user is the product's.
  EXPECT_FALSE(IsCatalog("SELECT user FROM shop.orders"));
  // Not a SELECT, or not SQL DuckDB reads: the governed path's to refuse.
  EXPECT_FALSE(IsCatalog("SELECT * FROM read_csv('/etc/passwd')"));
}

TEST_F(CatalogQueryTest, ProductQueriesSkipTheParse) {
  EXPECT_FALSE(MayBeCatalogQuery("SELECT count(*) AS n FROM customer.customers"));
  EXPECT_FALSE(MayBeCatalogQuery("SELECT email, region FROM crm.customers WHERE amount > $1 LIMIT 3"));
  EXPECT_FALSE(MayBeCatalogQuery("SELECT \"username\", pg FROM shop.users_pg"));  // words, not substrings
  EXPECT_TRUE(MayBeCatalogQuery("select VERSION()"));
  EXPECT_TRUE(MayBeCatalogQuery("SELECT 1::oid"));
  EXPECT_TRUE(MayBeCatalogQuery("SELECT \"PG_CLASS\".relname FROM \"PG_CLASS\""));
  EXPECT_TRUE(MayBeCatalogQuery("SELECT user"));
}

TEST_F(CatalogQueryTest, ProductsAndTheCatalogDoNotMix) {
  EXPECT_NE(Refusal("SELECT * FROM crm.customers, pg_catalog.pg_class").find("either products or weft's catalog"),
            std::string::npos);
  EXPECT_NE(Refusal("SELECT version() FROM shop.orders").find("shop.orders"), std::string::npos);
  EXPECT_NE(Refusal("SELECT * FROM pg_class WHERE relname IN (SELECT region FROM weft.crm.customers)")
                .find("weft.crm.customers"),
            std::string::npos);
}

TEST_F(CatalogQueryTest, WhatTheCatalogDoesNotHaveIsRefusedByName) {
  EXPECT_NE(Refusal("SELECT * FROM pg_catalog.pg_shadow").find("pg_catalog.pg_shadow"), std::string::npos);
  EXPECT_NE(Refusal("SELECT * FROM pg_class, duckdb_settings()").find("duckdb_settings"), std::string::npos);
  EXPECT_NE(Refusal("SELECT current_setting('secret_directory') FROM pg_class").find("current_setting"),
            std::string::npos);
  EXPECT_NE(Refusal("SELECT * FROM pg_class, read_csv('/etc/passwd')").find("read_csv"), std::string::npos);
  EXPECT_NE(Refusal("SELECT * FROM pg_class, '/etc/passwd'").find("/etc/passwd"), std::string::npos);
  EXPECT_NE(Refusal("SELECT getvariable('x'), version()").find("getvariable"), std::string::npos);
  EXPECT_NE(Refusal("SELECT * FROM duckdb_tables, pg_class").find("duckdb_tables"), std::string::npos);
  EXPECT_NE(Refusal("SELECT main.version()").find("main.version"), std::string::npos);
  EXPECT_NE(Refusal("SELECT pg_get_viewdef(1) FROM pg_class WHERE relname OPERATOR(pg_catalog.=) 'x'")
                .find("OPERATOR"),
            std::string::npos);
}

TEST_F(CatalogQueryTest, NamesAreTheShadowEnginesAndColumnsArePostgresNamed) {
  ASSERT_OK_AND_ASSIGN(auto q, Prepare("SELECT version(), c.relname FROM pg_catalog.pg_class c, information_schema.tables"));
  ASSERT_TRUE(q.has_value());
  const auto& node = q->ast["statements"][0]["node"];
  EXPECT_EQ(node["select_list"][0]["alias"], "version");
  EXPECT_EQ(node["select_list"][0]["schema"], "pg");
  EXPECT_EQ(node["from_table"]["left"]["schema_name"], "pg");
  EXPECT_EQ(node["from_table"]["right"]["schema_name"], "info");
}

TEST_F(CatalogQueryTest, PsqlsQualifiedTypesParseOnceTheQualifierDuckDbPointsAtIsGone) {
  const std::string sql = "SELECT c.reloftype::pg_catalog.regtype::pg_catalog.text FROM pg_catalog.pg_class c";
  ASSERT_OK_AND_ASSIGN(auto ast, parser_->SerializeSql(sql));
  ASSERT_TRUE(ast["error"].get<bool>());
  auto fixed = WithoutPgCatalogQualifierAt(sql, std::stoul(ast["position"].get<std::string>()));
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(*fixed, "SELECT c.reloftype::pg_catalog.regtype::text FROM pg_catalog.pg_class c");
  EXPECT_TRUE(IsCatalog(*fixed));
  // A syntax error of the statement's own is left alone.
  EXPECT_FALSE(WithoutPgCatalogQualifierAt("SELEC 1", 0).has_value());
}

}  // namespace
}  // namespace weft::pgwire
