// What every importer produces: one data product in the making, its ODCS
// schema objects and SLAs already in the standard's shape, and how it becomes
// weft's layout (the files `weft new product` writes):
//
//   domains/<domain>/products/<name>/product.odps.yaml   ODPS v1.0, one output port
//   domains/<domain>/products/<name>/<name>.odcs.yaml    ODCS v3.1, the port's contract
//
//   ProductDraft d{.domain = "sales", .name = "orders", .source = "orders.yaml"};
//   d.objects.push_back({{"name", "orders"}, {"properties", ...}});
//   ASSIGN_OR_RETURN(std::vector<spec::ScaffoldFile> files, RenderProducts({d}));
//
// RenderProducts checks what it renders: every file must load and the tree
// must lint without errors, or nothing is returned.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "common/status.h"
#include "spec/scaffold.h"

namespace weft::interop {

using OrderedJson = nlohmann::ordered_json;

struct ProductDraft {
  std::string domain;
  std::string name;               // product, contract and (for one object) schema object name
  std::string version = "1.0.0";  // of the contract, the product and its output port
  std::string description;        // the purpose; a default names the source
  std::string owner;              // a team name, or a member's user name when it holds '@'
  std::string source;             // the file it came from, for messages and the description
  std::string support_url;        // where consumers ask (mailto:, https:); empty: the owner's e-mail, if any
  std::vector<OrderedJson> objects;  // ODCS schema objects
  std::vector<OrderedJson> sla;      // ODCS slaProperties
  std::vector<std::string> tags;
};

// "Orders Table" -> "orders_table": a product name from a table or model
// name (spec::ValidateSpecName decides whether the result will do).
std::string SnakeName(std::string_view name);

// The contract document of a draft, as weft writes it. A property without a
// classification is marked `internal` (none of the formats carries one, and
// the default policy pack wants one on every property): the owner reviews it.
OrderedJson ContractDocument(const ProductDraft& draft);

// The files of the drafts, checked (loaded and linted together).
Result<std::vector<spec::ScaffoldFile>> RenderProducts(const std::vector<ProductDraft>& drafts);

}  // namespace weft::interop
