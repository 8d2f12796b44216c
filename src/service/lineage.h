// The lineage service: where a product comes from and what is derived from
// it (down to columns), and which downstream products a proposed contract
// would break.
//
//   LineageService lineage(mesh);
//   ASSIGN_OR_RETURN(LineageView v, lineage.Lineage(caller, "sales.orders", {.upstream = true}));
//   ASSIGN_OR_RETURN(ImpactView i, lineage.Impact(caller, proposed_yaml));
//   Status s = ImpactStatus(i);   // Rejected when something downstream breaks
//
// Transform SQL comes from the catalog (what apply registered) or, for a
// tree not yet applied, from the caller (LineageOptions::transforms).
//
// Thread safety: as the Mesh.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "lineage/graph.h"
#include "lineage/openlineage.h"
#include "spec/diff.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

struct LineageOptions {
  bool upstream = false;    // neither: both
  bool downstream = false;
  const lineage::MapTransformSource* transforms = nullptr;  // null: the catalog's
};

// A note for the reader when column lineage is incomplete.
inline constexpr const char* kLineageNeedsTree =
    "column lineage needs the transform SQL, which the catalog does not have: re-apply the product "
    "(weft apply -f DIR), or pass -f DIR to read it from the spec tree";

struct LineageView {
  struct Product {
    std::string id, domain;
    std::string transform_state;  // "" (a source product), analyzed, error, no-sql
    std::string transform_error;
  };
  struct Edge {
    lineage::Edge edge;
    std::string status;  // read by SQL | declared, not read by SQL | declared (SQL error) | declared
  };
  std::string product;
  std::string direction;  // both | upstream | downstream
  std::vector<Product> products;  // the product and every one an edge touches
  std::vector<Edge> edges;
  bool needs_tree = false;  // some edge's column use is unknown: kLineageNeedsTree
  // The same graph as OpenLineage static events (lineage/openlineage.h): a
  // DatasetEvent per served major of each product shown, then a JobEvent per
  // product (its publish job, or its transform with inputs and column lineage).
  std::vector<nlohmann::json> open_lineage;
};

struct ImpactView {
  std::string contract, applied_version, proposed_version;  // applied "": not applied yet
  std::string served_object;
  std::vector<std::string> addresses;
  std::vector<spec::Change> breaking, untraced;
  lineage::ImpactReport report;
  std::vector<std::string> warnings;  // transform SQL that could not be analyzed
  bool needs_tree = false;
};

class LineageService {
 public:
  explicit LineageService(Mesh& mesh) : mesh_(mesh) {}

  Result<LineageView> Lineage(const Caller& caller, const std::string& product, const LineageOptions& options);
  // `contract_yaml` is the proposed ODCS document; `name` says where it came from in errors.
  Result<ImpactView> Impact(const Caller& caller, const std::string& contract_yaml, const std::string& name,
                            const lineage::MapTransformSource* transforms = nullptr);

  // The graph of the catalog as applied (`transforms` null), or with these transforms.
  Result<lineage::LineageGraph> Graph(const lineage::MapTransformSource* transforms);

 private:
  Mesh& mesh_;
};

// Rejected when the proposed contract breaks a downstream product.
Status ImpactStatus(const ImpactView& view);

nlohmann::json ToJson(const LineageView& v);
nlohmann::json ToJson(const ImpactView& v);

}  // namespace weft::service
