#include "spec/glossary.h"

#include <gtest/gtest.h>

#include "spec/loader.h"

namespace weft::spec {
namespace {

Property Column(const std::string& yaml) {
  LoadedFile f = LoadText("apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\n"
                          "schema:\n  - name: o\n    properties:\n" + yaml,
                          "c.yaml");
  EXPECT_EQ(f.documents.size(), 1u);
  return f.documents[0].contract()->schema[0].properties[0];
}

TEST(GlossaryTest, DefinitionUrlsNameTerms) {
  EXPECT_EQ(TermOfDefinitionUrl("glossary:customer"), "customer");
  EXPECT_EQ(TermOfDefinitionUrl("https://weft.example/glossary/customer"), "customer");
  EXPECT_EQ(TermOfDefinitionUrl("https://weft.example/glossary/customer?x=1#top"), "customer");
  EXPECT_EQ(TermOfDefinitionUrl("https://wiki.example/terms/customer"), "");
  EXPECT_EQ(TermOfDefinitionUrl("https://weft.example/glossary/customer/edit"), "");
}

TEST(GlossaryTest, MentionsInOrderOfStrength) {
  Property p = Column(
      "      - name: customer_id\n        businessName: Client\n"
      "        authoritativeDefinitions:\n          - type: businessDefinition\n            url: glossary:buyer\n"
      "          - type: implementation\n            url: glossary:ignored\n"
      "        customProperties:\n          - property: weft.term\n            value: customer\n");
  auto m = TermMentions(p);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].via, TermVia::kCustomProperty);
  EXPECT_EQ(m[0].name, "customer");
  EXPECT_EQ(m[1].via, TermVia::kAuthoritativeDefinition);
  EXPECT_EQ(m[1].name, "buyer");
  EXPECT_EQ(m[2].via, TermVia::kBusinessName);
  EXPECT_EQ(m[2].pos.line, 10);
}

TEST(GlossaryTest, BusinessNamesMatchNamesTitlesAndSynonymsLoosely) {
  GlossaryTerm revenue;
  revenue.name = "net_revenue";
  revenue.title = "Net revenue";
  revenue.synonyms = {"Turnover"};
  GlossaryTerm other;
  other.name = "sales";
  other.synonyms = {"turnover"};  // ambiguous: the first term keeps it
  Glossary g;
  g.Add(revenue);
  g.Add(other);
  EXPECT_EQ(g.Match("Net Revenue"), &revenue);
  EXPECT_EQ(g.Match("NET_REVENUE"), &revenue);
  EXPECT_EQ(g.Match("turn-over"), &revenue);
  EXPECT_EQ(g.Match("Sales"), &other);
  EXPECT_EQ(g.Match("gross revenue"), nullptr);
  EXPECT_EQ(g.Match("  "), nullptr);
  // A weft.term or a glossary: link names the term exactly.
  EXPECT_EQ(g.Resolve({TermVia::kCustomProperty, "Net revenue", {}}), nullptr);
  EXPECT_EQ(g.Resolve({TermVia::kCustomProperty, "net_revenue", {}}), &revenue);
  EXPECT_EQ(g.Resolve({TermVia::kBusinessName, "Net revenue", {}}), &revenue);
}

}  // namespace
}  // namespace weft::spec
