// Test-only support for the catalog tests: the shared status matchers, a
// scratch directory removed after each test, and small sample records.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "catalog/records.h"
#include "common/status.h"
#include "common/testing/status_matchers.h"

namespace weft::catalog::catalog_internal {

// A fresh directory per test, removed with everything in it afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "weft_catalog_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline DomainRecord SampleDomain(const std::string& name) {
  DomainRecord d;
  d.name = name;
  d.description = "The " + name + " domain";
  d.owners = {"team:" + name};
  d.storage_root = "/data/" + name;
  d.service_principal = "svc." + name;
  d.monthly_budget = 1200.5;
  d.currency = "EUR";
  d.cost_center = "CC-" + name;
  d.spec_json = "{\"name\":\"" + name + "\"}";
  d.digest = "d-" + name;
  return d;
}

inline ProductRecord SampleProduct(const std::string& domain, const std::string& name) {
  ProductRecord p;
  p.id = domain + "." + name;
  p.domain = domain;
  p.name = name;
  p.status = "active";
  p.version = "1.0.0";
  p.tier = "gold";
  p.description = "The " + name + " product";
  p.tags = {"core", name};
  p.spec_json = "{\"id\":\"" + p.id + "\"}";
  p.digest = "p-" + p.id;
  return p;
}

}  // namespace weft::catalog::catalog_internal

