// Scaffolding for `weft new`: the starter files for a new domain or data
// product, as (relative path, content) pairs. The caller decides where they
// go and refuses to overwrite; this module only renders text.
//
// Every scaffolded file loads without errors or warnings and lints clean on
// its own: required fields hold valid placeholders (version 0.1.0, status
// draft, a classification on every sample property, ...) and the places the
// author must edit carry a `# TODO(owner): ...` comment.
//
//   ASSIGN_OR_RETURN(std::vector<ScaffoldFile> files,
//                    ScaffoldProduct({.domain = "sales", .name = "returns",
//                                     .kind = ProductTemplate::kBatch}));
//   for (const auto& f : files) Write(root / f.path, f.content);
//   // domains/sales/products/returns/{product.odps.yaml, returns.odcs.yaml}
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft::spec {

struct ScaffoldFile {
  std::string path;  // relative to the mesh root, '/'-separated
  std::string content;
};

enum class ProductTemplate {
  kBatch,      // a table loaded from files (CSV, Parquet, NDJSON)
  kDerived,    // a table built by transform.sql over input ports
  kStreaming,  // an output port of type "topic", SLAs in minutes
};

// "batch", "derived", "streaming".
const std::vector<std::string>& ProductTemplateNames();
const char* ProductTemplateName(ProductTemplate t);
Result<ProductTemplate> ParseProductTemplate(std::string_view name);

// A domain or product name: lowercase snake_case, starting with a letter,
// at most 63 characters (it becomes a SQL schema/table name and a directory).
// `what` names the thing in the error ("domain name").
Status ValidateSpecName(std::string_view what, std::string_view name);

// "sales/orders" or "sales.orders" -> {"sales", "orders"}, both validated.
struct ProductRef {
  std::string domain;
  std::string name;
  std::string id() const { return domain + "." + name; }
};
Result<ProductRef> ParseProductRef(std::string_view text);

// domains/<domain>/domain.yaml
Result<std::vector<ScaffoldFile>> ScaffoldDomain(std::string_view domain);

struct ProductScaffoldOptions {
  std::string domain;
  std::string name;
  ProductTemplate kind = ProductTemplate::kBatch;
  // Upstream products for the derived template, "domain.product" or
  // "domain.product@1.2.0" (the output-port version depended on; 1.0.0 when
  // not given). At least one is required there, none is allowed elsewhere.
  std::vector<std::string> inputs;
};

// domains/<domain>/products/<name>/{product.odps.yaml, <name>.odcs.yaml}
// plus transform.sql for the derived template.
Result<std::vector<ScaffoldFile>> ScaffoldProduct(const ProductScaffoldOptions& options);

}  // namespace weft::spec
