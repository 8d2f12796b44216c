#include "spec/yaml_tree.h"

#include <gtest/gtest.h>

namespace weft::spec {
namespace {

TEST(YamlTreeTest, PlainNullsAreNullAndQuotedOnesAreStrings) {
  YamlStream s = ParseYaml("a: ~\nb: 'null'\nc:\nd: !!str null\ne: \"1\"\nf: 1\ng: |\n  text\n", 64);
  ASSERT_FALSE(s.error);
  ASSERT_EQ(s.documents.size(), 1u);
  const YamlNode& doc = *s.documents[0];
  EXPECT_TRUE(doc.Find("a")->IsNull());
  EXPECT_TRUE(doc.Find("b")->IsScalar());
  EXPECT_TRUE(doc.Find("b")->quoted());
  EXPECT_TRUE(doc.Find("c")->IsNull());
  EXPECT_TRUE(doc.Find("d")->IsScalar()) << "an explicit tag keeps 'null' a string";
  EXPECT_TRUE(doc.Find("e")->quoted());
  EXPECT_FALSE(doc.Find("f")->quoted());
  EXPECT_EQ(doc.Find("g")->Scalar(), "text\n");
  EXPECT_TRUE(doc.Find("g")->quoted());
}

TEST(YamlTreeTest, PositionsAreOneBasedLineAndColumn) {
  YamlStream s = ParseYaml("a:\n  - x\n  - {k: v}\n", 64);
  ASSERT_FALSE(s.error);
  const YamlNode* list = s.documents[0]->Find("a");
  EXPECT_EQ(list->pos(), (Pos{2, 3}));
  ASSERT_EQ(list->size(), 2u);
  int i = 0;
  for (const YamlNode& item : *list) {
    EXPECT_EQ(item.pos(), i == 0 ? (Pos{2, 5}) : (Pos{3, 5}));
    ++i;
  }
}

TEST(YamlTreeTest, RepeatedKeysAreKeptInOrder) {
  YamlStream s = ParseYaml("k: 1\nk: 2\n", 64);
  ASSERT_FALSE(s.error);
  const auto& entries = s.documents[0]->entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].second->Scalar(), "2");
  EXPECT_EQ(s.documents[0]->Find("k")->Scalar(), "1");
}

TEST(YamlTreeTest, AliasesShareTheAnchoredNode) {
  YamlStream s = ParseYaml("a: &x [1, 2]\nb: *x\n", 64);
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.documents[0]->Find("a"), s.documents[0]->Find("b"));
}

TEST(YamlTreeTest, UnknownAnchorIsASyntaxError) {
  YamlStream s = ParseYaml("a: 1\nb: *nowhere\n", 64);
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->pos, (Pos{2, 4}));
  EXPECT_EQ(s.error->message, "YAML syntax error: unknown anchor 'nowhere'");
  EXPECT_TRUE(s.documents.empty());
}

TEST(YamlTreeTest, AnAliasInsideItsOwnAnchorIsUnknownNotACycle) {
  EXPECT_TRUE(ParseYaml("a: &x [*x]\n", 64).error);
}

TEST(YamlTreeTest, CollectionsPastTheDepthAreKeptEmpty) {
  YamlStream s = ParseYaml("a: [[[[1]]]]\n", 2);  // the map is at depth 0, a's list at 1
  ASSERT_FALSE(s.error);
  const YamlNode* d1 = s.documents[0]->Find("a");
  const YamlNode& d2 = *d1->begin();
  const YamlNode& d3 = *d2.begin();
  EXPECT_TRUE(d3.IsSequence());
  EXPECT_EQ(d3.size(), 0u);
}

TEST(YamlTreeTest, SyntaxErrorSaysWhereAndWhatWasBeingRead) {
  YamlStream s = ParseYaml("a: [b\nc: d\n", 64);
  ASSERT_TRUE(s.error);
  EXPECT_EQ(s.error->pos, (Pos{2, 2}));
  EXPECT_EQ(s.error->message,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1)");
}

TEST(YamlTreeTest, EveryDocumentOfAStream) {
  YamlStream s = ParseYaml("a: 1\n---\n---\nb: 2\n", 64);
  ASSERT_FALSE(s.error);
  ASSERT_EQ(s.documents.size(), 3u);
  EXPECT_TRUE(s.documents[1]->IsNull());
  EXPECT_EQ(s.documents[2]->Find("b")->Scalar(), "2");
}

TEST(YamlTreeTest, PosOfOffsetCountsCharacters) {
  EXPECT_EQ(PosOfOffset("ab\n\xC3\xA9x", 5), (Pos{2, 2}));
}

}  // namespace
}  // namespace weft::spec
