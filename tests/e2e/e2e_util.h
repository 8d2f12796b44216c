// Shared helpers of the end-to-end tests: JSON output, workspaces, and the
// catalog as the CLI shows it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "e2e/cli_runner.h"

namespace weft::e2e {

// Parses a command's stdout as JSON; an unparsable output fails the test
// and yields null.
inline nlohmann::json ParseJson(const RunResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "stdout is not JSON" << r;
    return nullptr;
  }
  return j;
}

// `weft init DIR`, asserting that it works.
inline std::filesystem::path InitWorkspace(const std::filesystem::path& dir) {
  RunResult r = Run({"init", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r;
  return dir;
}

// `weft apply -f TREE --workspace WS`.
inline RunResult Apply(const std::filesystem::path& tree, const std::filesystem::path& ws) {
  return Run({"apply", "-f", tree.string(), "--workspace", ws.string()});
}
inline RunResult Plan(const std::filesystem::path& tree, const std::filesystem::path& ws) {
  return Run({"plan", "-f", tree.string(), "--workspace", ws.string()});
}

// The catalog as `weft get products|versions` and `weft audit` show it.
struct CatalogView {
  std::string products;
  std::string versions;
  std::string audit;
  bool operator==(const CatalogView&) const = default;
};

inline CatalogView ReadCatalog(const std::filesystem::path& ws) {
  CatalogView v;
  for (auto [args, field] : {std::pair{std::vector<std::string>{"get", "products", "-o", "json"}, &v.products},
                             std::pair{std::vector<std::string>{"get", "versions", "-o", "json"}, &v.versions},
                             std::pair{std::vector<std::string>{"audit", "-o", "json"}, &v.audit}}) {
    args.push_back("--workspace");
    args.push_back(ws.string());
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    *field = r.out;
  }
  return v;
}

inline std::ostream& operator<<(std::ostream& os, const CatalogView& v) {
  return os << "products: " << v.products.size() << " bytes, versions: " << v.versions.size()
            << " bytes, audit: " << v.audit.size() << " bytes";
}

// The version records of one product, from `weft get versions -o json`.
inline nlohmann::json VersionsOf(const nlohmann::json& versions, const std::string& product) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : versions)
    if (v.value("product", "") == product) out.push_back(v);
  return out;
}

// A workspace with the demo mesh applied, and a copy of the mesh to edit
// (the refusal and versioning scenarios start here).
class AppliedMeshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = tmp_ / "W";
    tree_ = tmp_ / "mesh";
    RunResult init = e2e::Run({"init", ws_.string()});
    ASSERT_EQ(init.exit_code, 0) << init;
    RunResult apply = Apply(RepoPath("examples/mesh"), ws_);
    ASSERT_EQ(apply.exit_code, 0) << apply;
    CopyTree(RepoPath("examples/mesh"), tree_);
  }

  std::filesystem::path Contract() const { return tree_ / "domains/sales/products/orders/orders.odcs.yaml"; }
  std::filesystem::path Product() const { return tree_ / "domains/sales/products/orders/product.odps.yaml"; }

  // Sets the orders contract's version and its output port's, which lint
  // requires to match.
  void SetOrdersVersion(const std::string& from, const std::string& to) {
    ASSERT_TRUE(ReplaceOnce(Contract(), "\nversion: " + from + "\n", "\nversion: " + to + "\n"));
    ASSERT_TRUE(ReplaceOnce(Product(), "\n    version: " + from + "\n", "\n    version: " + to + "\n"));
  }

  void RemoveChannelColumn() {
    std::string text = ReadFile(Contract());
    auto begin = text.find("      - name: channel\n");
    auto end = text.find("    quality:\n      - metric: rowCount");
    ASSERT_NE(begin, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    text.erase(begin, end - begin);
    WriteFile(Contract(), text);
  }

  TempDir tmp_;
  std::filesystem::path ws_, tree_;
};

// The applied demo mesh with generated data to publish (a small scale).
class DemoDataTest : public AppliedMeshTest {
 protected:
  void SetUp() override {
    AppliedMeshTest::SetUp();
    data_ = tmp_ / "data";
    RunResult gen = e2e::Run({"demo", "generate", "--scale", "0.002", "--out", data_.string(), "--threads", "2"});
    ASSERT_EQ(gen.exit_code, 0) << gen;
  }

  // `weft ARGS --workspace W`.
  RunResult Weft(std::vector<std::string> args) {
    args.push_back("--workspace");
    args.push_back(ws_.string());
    return e2e::Run(args);
  }

  // The generated file of "domain.product".
  std::string File(const std::string& product, const std::string& ext = "csv") const {
    auto dot = product.find('.');
    return (data_ / product.substr(0, dot) / (product.substr(dot + 1) + "." + ext)).string();
  }

  std::filesystem::path data_;
};

}  // namespace weft::e2e
