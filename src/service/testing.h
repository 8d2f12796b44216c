// The fixture of the service tests: the query fixture's workspace
// (query/testing.h) opened as a Mesh, and callers by name.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "query/testing.h"
#include "service/mesh.h"

namespace weft::service::testing {

class MeshFixture : public query::testing::QueryFixture {
 protected:
  void SetUp() override {
    QueryFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(mesh_, Mesh::Open((root_ / "ws").string()));
  }
  void TearDown() override {
    if (mesh_) mesh_->Close();
    QueryFixture::TearDown();
  }
  Caller As(const std::string& name) {
    auto c = mesh_->CallerFor(name);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : Caller{};
  }
  std::unique_ptr<Mesh> mesh_;
};

}  // namespace weft::service::testing
