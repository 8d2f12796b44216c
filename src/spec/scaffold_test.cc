#include "spec/scaffold.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/strings.h"
#include "spec/lint.h"
#include "spec/placeholders.h"
#include "spec/loader.h"

namespace weft::spec {
namespace {

std::string Describe(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += FormatGcc(d) + "\n";
  return out;
}

// Loads every scaffolded YAML file; expects no diagnostic but the warnings
// that point at its placeholders (at least one per file: the author is told
// what to replace).
std::vector<Document> LoadClean(const std::vector<ScaffoldFile>& files) {
  std::vector<Document> docs;
  for (const auto& f : files) {
    if (f.path.ends_with(".sql")) continue;
    LoadedFile loaded = LoadText(f.content, f.path);
    EXPECT_FALSE(loaded.diagnostics.empty()) << f.path << " has no placeholder warning:\n" << f.content;
    for (const auto& d : loaded.diagnostics)
      EXPECT_EQ(d.rule, "scaffold-placeholder") << f.path << ":\n" << Describe(loaded.diagnostics) << f.content;
    EXPECT_EQ(loaded.documents.size(), 1u) << f.path;
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  return docs;
}

// Writes the files under a fresh temporary directory (lint checks that a
// product's transform file exists next to it) and loads them back.
std::vector<Document> WriteAndLoad(const std::vector<ScaffoldFile>& files, const std::string& test_name) {
  std::filesystem::path root = std::filesystem::temp_directory_path() / ("weft_scaffold_test_" + test_name);
  std::filesystem::remove_all(root);
  for (const auto& f : files) {
    std::filesystem::path target = root / f.path;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << f.content;
  }
  std::vector<Diagnostic> diags;
  std::vector<Document> docs;
  for (const auto& path : FindSpecFiles({root}, diags)) {
    LoadedFile loaded = LoadFile(path);
    for (const auto& d : loaded.diagnostics) EXPECT_EQ(d.rule, "scaffold-placeholder") << Describe(loaded.diagnostics);
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  EXPECT_TRUE(diags.empty()) << Describe(diags);
  return docs;
}

// What an author does: puts in real values and deletes the TODO markers.
std::string Filled(std::string text) {
  auto replace_all = [&text](std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  replace_all("owner@example.com", "ann@shop.example");
  replace_all("slack.example.com", "chat.shop.example");
  replace_all("CC-0000", "CC-4711");
  std::string out;
  for (const std::string& line : Split(text, '\n')) {
    size_t todo = line.find("TODO(owner)");
    if (todo == std::string::npos) {
      out += line + "\n";
      continue;
    }
    size_t comment = line.rfind('#', todo);
    std::string kept = line.substr(0, comment == std::string::npos ? 0 : comment);
    while (!kept.empty() && kept.back() == ' ') kept.pop_back();
    if (!Trim(kept).empty()) out += kept + "\n";
  }
  return out;
}

std::vector<ScaffoldFile> MustScaffold(const ProductScaffoldOptions& options) {
  auto files = ScaffoldProduct(options);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? *files : std::vector<ScaffoldFile>{};
}

TEST(ScaffoldTest, DomainLoadsWithoutDiagnostics) {
  auto files = ScaffoldDomain("payments");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "domains/payments/domain.yaml");
  std::vector<Document> docs = LoadClean(*files);
  ASSERT_EQ(docs.size(), 1u);
  const DomainSpec* d = docs[0].domain();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "payments");
  EXPECT_FALSE(d->owners.empty());
  EXPECT_TRUE(d->monthly_budget.has_value());
  EXPECT_NE((*files)[0].content.find("TODO(owner)"), std::string::npos);
}

TEST(ScaffoldTest, BatchProductLoadsAndLintsClean) {
  auto files = MustScaffold({.domain = "payments", .name = "refunds"});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "domains/payments/products/refunds/product.odps.yaml");
  EXPECT_EQ(files[1].path, "domains/payments/products/refunds/refunds.odcs.yaml");

  std::vector<Document> docs = LoadClean(files);
  ASSERT_EQ(docs.size(), 2u);
  const DataProduct* p = docs[0].product();
  const DataContract* c = docs[1].contract();
  ASSERT_NE(p, nullptr);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(p->id, "payments.refunds");
  EXPECT_EQ(p->version, "0.1.0");
  EXPECT_EQ(p->status, "draft");
  ASSERT_EQ(p->output_ports.size(), 1u);
  EXPECT_EQ(p->output_ports[0].type, "tables");
  EXPECT_EQ(p->output_ports[0].contract_id, c->id);
  EXPECT_TRUE(p->input_ports.empty());
  ASSERT_EQ(c->schema.size(), 1u);
  for (const auto& prop : c->schema[0].properties) EXPECT_FALSE(prop.classification.empty()) << prop.name;

  auto domain = ScaffoldDomain("payments");
  ASSERT_TRUE(domain.ok());
  std::vector<Document> all = LoadClean(*domain);
  for (auto& d : docs) all.push_back(std::move(d));
  std::vector<Diagnostic> lint = Lint(all);
  EXPECT_EQ(CountErrors(lint), 0u) << Describe(lint);
}

TEST(ScaffoldTest, DerivedProductDeclaresEveryInputAndLintsClean) {
  // The upstream products exist in the same tree, as they would in a mesh.
  std::vector<ScaffoldFile> files = *ScaffoldDomain("sales");
  files.push_back((*ScaffoldDomain("finance"))[0]);
  for (const auto& f : MustScaffold({.domain = "sales", .name = "orders"})) files.push_back(f);
  for (const auto& f : MustScaffold({.domain = "sales", .name = "returns"})) files.push_back(f);
  auto derived = MustScaffold({.domain = "finance",
                               .name = "net_revenue",
                               .kind = ProductTemplate::kDerived,
                               .inputs = {"sales.orders@0.1.0", "sales.returns@0.1.0"}});
  ASSERT_EQ(derived.size(), 3u);
  EXPECT_EQ(derived[2].path, "domains/finance/products/net_revenue/transform.sql");
  const std::string& sql = derived[2].content;
  EXPECT_NE(sql.find("FROM sales.orders"), std::string::npos) << sql;
  EXPECT_NE(sql.find("FROM sales.returns"), std::string::npos) << sql;
  EXPECT_EQ(sql.find(';'), std::string::npos) << "one statement, no terminator: " << sql;
  for (const auto& f : derived) files.push_back(f);

  LoadClean(files);
  std::vector<Document> docs = WriteAndLoad(files, "derived");
  const DataProduct* p = nullptr;
  for (const auto& d : docs)
    if (d.product() && d.product()->id == "finance.net_revenue") p = d.product();
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->input_ports.size(), 2u);
  EXPECT_EQ(p->input_ports[0].contract_id, "sales.orders");
  EXPECT_EQ(p->input_ports[0].version, "0.1.0");
  EXPECT_EQ(p->input_ports[1].contract_id, "sales.returns");
  bool has_transform = false;
  for (const auto& cp : p->custom_properties)
    if (cp.property == "weft.transform" && cp.value == "transform.sql") has_transform = true;
  EXPECT_TRUE(has_transform);

  std::vector<Diagnostic> lint = Lint(docs);
  EXPECT_EQ(CountErrors(lint), 0u) << Describe(lint);
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "weft_scaffold_test_derived");
}

TEST(ScaffoldTest, StreamingProductHasTopicPortAndMinuteSlas) {
  auto files = MustScaffold({.domain = "web", .name = "clickstream", .kind = ProductTemplate::kStreaming});
  std::vector<ScaffoldFile> all = *ScaffoldDomain("web");
  for (const auto& f : files) all.push_back(f);
  std::vector<Document> docs = LoadClean(all);
  ASSERT_EQ(docs.size(), 3u);
  const DataProduct* p = docs[1].product();
  const DataContract* c = docs[2].contract();
  ASSERT_NE(p, nullptr);
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(p->output_ports.size(), 1u);
  EXPECT_EQ(p->output_ports[0].type, "topic");
  const SlaProperty* freq = c->FindSla("frequency");
  ASSERT_NE(freq, nullptr);
  EXPECT_EQ(freq->unit, "min");
  std::vector<Diagnostic> lint = Lint(docs);
  EXPECT_EQ(CountErrors(lint), 0u) << Describe(lint);
}

TEST(ScaffoldTest, RejectsBadNames) {
  for (const char* bad : {"", "Sales", "sales-data", "1sales", "_sales", "sales_", "sales__eu", "sales data",
                          "sales.eu", "caf\xC3\xA9"}) {
    Status s = ValidateSpecName("domain name", bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_FALSE(ScaffoldDomain(bad).ok()) << "'" << bad << "'";
  }
  EXPECT_FALSE(ValidateSpecName("domain name", std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateSpecName("domain name", std::string(63, 'a')).ok());
  for (const char* good : {"sales", "order_items", "orders_v2", "b2b"}) {
    EXPECT_TRUE(ValidateSpecName("product name", good).ok()) << good;
  }
  Status s = ValidateSpecName("domain name", "Sales-EU");
  EXPECT_NE(s.message().find("did you mean 'sales_eu'"), std::string::npos) << s.message();
}

TEST(ScaffoldTest, RejectsBadProductReferencesAndOptions) {
  EXPECT_FALSE(ParseProductRef("orders").ok());
  EXPECT_FALSE(ParseProductRef("Sales/orders").ok());
  EXPECT_FALSE(ParseProductRef("sales/Orders").ok());
  EXPECT_FALSE(ParseProductRef("sales/").ok());
  auto ref = ParseProductRef("sales/order_items");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->id(), "sales.order_items");
  EXPECT_TRUE(ParseProductRef("sales.orders").ok());

  EXPECT_FALSE(ScaffoldProduct({.domain = "sales", .name = "Orders"}).ok());
  EXPECT_FALSE(ScaffoldProduct({.domain = "finance", .name = "x", .kind = ProductTemplate::kDerived}).ok());
  EXPECT_FALSE(ScaffoldProduct({.domain = "finance", .name = "x", .inputs = {"sales.orders"}}).ok());
  EXPECT_FALSE(
      ScaffoldProduct({.domain = "finance", .name = "x", .kind = ProductTemplate::kDerived, .inputs = {"orders"}})
          .ok());
  EXPECT_FALSE(ScaffoldProduct(
                   {.domain = "finance", .name = "x", .kind = ProductTemplate::kDerived, .inputs = {"finance.x"}})
                   .ok());
  EXPECT_FALSE(ScaffoldProduct({.domain = "finance",
                                .name = "x",
                                .kind = ProductTemplate::kDerived,
                                .inputs = {"sales.orders@one"}})
                   .ok());

  EXPECT_FALSE(ParseProductTemplate("nightly").ok());
  for (const auto& name : ProductTemplateNames()) {
    auto t = ParseProductTemplate(name);
    ASSERT_TRUE(t.ok()) << name;
    EXPECT_EQ(ProductTemplateName(*t), name);
  }
}

// The demo mesh follows the same conventions as the templates: it must load
// with no warning at all and lint without errors.
TEST(ExampleMeshTest, LoadsWithoutDiagnosticsAndLintsClean) {
  const char* src = std::getenv("WEFT_SOURCE_DIR");
  std::filesystem::path root = std::filesystem::path(src ? src : ".") / "examples" / "mesh";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << root << " not found";
  std::vector<Diagnostic> diags;
  std::vector<std::filesystem::path> files = FindSpecFiles({root}, diags);
  EXPECT_GE(files.size(), 5u + 1u + 2u * 8u);
  std::vector<Document> docs;
  for (const auto& f : files) {
    LoadedFile loaded = LoadFile(f);
    EXPECT_TRUE(loaded.diagnostics.empty()) << Describe(loaded.diagnostics);
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  std::vector<Diagnostic> lint = Lint(docs);
  EXPECT_EQ(CountErrors(lint), 0u) << Describe(lint);
}

TEST(ScaffoldTest, EveryPlaceholderIsFoundAndAFilledScaffoldLoadsClean) {
  std::vector<ScaffoldFile> files = *ScaffoldDomain("payments");
  for (ProductTemplate t : {ProductTemplate::kBatch, ProductTemplate::kStreaming})
    for (const auto& f : MustScaffold({.domain = "payments", .name = std::string(ProductTemplateName(t)), .kind = t}))
      files.push_back(f);
  for (const auto& f : files) {
    if (f.path.ends_with(".sql")) continue;
    // Every line the author must edit carries a token the loader reports.
    for (const std::string& line : Split(f.content, '\n')) {
      if (line.find("TODO(owner)") != std::string::npos) {
        EXPECT_FALSE(FindTextPlaceholders(line).empty()) << line;
      }
    }
    LoadedFile fresh = LoadText(f.content, f.path);
    ASSERT_EQ(fresh.documents.size(), 1u) << f.path;
    EXPECT_FALSE(FindValuePlaceholders(fresh.documents[0].json).empty())
        << f.path << ": the policy would not see this scaffold as unfinished";

    std::string filled = Filled(f.content);
    EXPECT_TRUE(FindTextPlaceholders(filled).empty()) << filled;
    LoadedFile done = LoadText(filled, f.path);
    EXPECT_TRUE(done.diagnostics.empty()) << f.path << ":\n" << Describe(done.diagnostics) << filled;
    ASSERT_EQ(done.documents.size(), 1u) << f.path;
    EXPECT_TRUE(FindValuePlaceholders(done.documents[0].json).empty()) << filled;
  }
}

TEST(PlaceholdersTest, PointsAtTheFirstTokenOfEachLine) {
  auto found = FindTextPlaceholders("a: 1\nowners:\n  - owner@example.com  # TODO(owner): who\ncostCenter: CC-0000\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].pos, (Pos{3, 5}));
  EXPECT_EQ(found[0].token, "owner@example.com");
  EXPECT_EQ(found[0].line, "- owner@example.com  # TODO(owner): who");
  EXPECT_EQ(found[1].pos, (Pos{4, 13}));
  EXPECT_EQ(found[1].token, "CC-0000");

  Json doc = Json::parse(R"({"team": {"members": [{"username": "owner@example.com"}]}, "a/b": "CC-0000", "ok": "x"})");
  auto values = FindValuePlaceholders(doc);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].path, "/a~1b");
  EXPECT_EQ(values[1].path, "/team/members/0/username");
}

}  // namespace
}  // namespace weft::spec
