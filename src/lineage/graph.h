// The mesh's lineage graph: which product is derived from which, and column
// by column from what. Edges come from each product's declared inputPorts;
// column lineage comes from analyzing its transform SQL (sql_lineage.h).
// Impact analysis walks the graph downstream from changed columns.
//
//   ASSIGN_OR_RETURN(Mesh mesh, MeshFromCatalog(store));
//   ASSIGN_OR_RETURN(MapTransformSource sql, TransformsFromCatalog(store));
//   LineageGraph g = LineageGraph::Build(mesh, &sql, validator);
//   for (const Edge* e : g.Upstream("finance.revenue_daily")) Print(*e);
//   ImpactReport r = AnalyzeImpact(g, {{"sales.orders", {"amount"}}});
//
// The SQL is read through a TransformSource: the catalog (what apply
// registered) or a tree on disk (what is proposed).
//
// Thread safety: a built LineageGraph is immutable and safe to share; the
// functions are pure.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "common/status.h"
#include "engine/duckdb_sql_validator.h"
#include "lineage/sql_lineage.h"
#include "spec/model.h"

namespace weft::lineage {

// Where a product's transform SQL comes from.
class TransformSource {
 public:
  virtual ~TransformSource() = default;
  // The transform SQL of product `product_id` ("domain.product"), or nullopt
  // when this source does not have it.
  virtual std::optional<std::string> TransformSql(const std::string& product_id) const = 0;
};

class MapTransformSource : public TransformSource {
 public:
  void Add(const std::string& product_id, std::string sql) { sql_[product_id] = std::move(sql); }
  std::optional<std::string> TransformSql(const std::string& product_id) const override;
  size_t size() const { return sql_.size(); }

 private:
  std::map<std::string, std::string> sql_;
};

// The transform SQL of every product under `dir` whose descriptor names one
// with customProperties weft.transform (a path relative to the descriptor).
// IoError naming the descriptor when a named file cannot be read.
Result<MapTransformSource> LoadTransformsFromTree(const std::filesystem::path& dir);

// The transform SQL apply registered for each derived product.
Result<MapTransformSource> TransformsFromCatalog(catalog::Store& store);

// One product as lineage sees it.
struct MeshProduct {
  std::string id;  // "domain.product"
  std::string domain;
  std::vector<std::string> input_ports;  // declared inputPorts names, as written
  bool derived = false;                  // names a weft.transform
  // The addresses consumers read it under, with the columns of each:
  // "domain.product" (the newest major) and "domain.product_vN".
  std::map<std::string, std::vector<std::string>> addresses;
  std::string newest_address;  // "domain.product_vN" of the newest major; empty without ports
};

struct Mesh {
  std::vector<MeshProduct> products;
};

// The schema object a contract serves under an output port: the one named
// like the port, else the first (a port is one table); nullptr when the
// contract has no schema.
const spec::SchemaObject* ServedObject(const spec::DataContract& contract, const std::string& port);

// Every product of the catalog, its addresses resolved through its port
// versions to the columns of the contract version each serves (the schema
// object named like the port, else the first).
Result<Mesh> MeshFromCatalog(catalog::Store& store);

// One output column of the downstream product fed by one column upstream.
struct ColumnEdge {
  std::string output;  // column of Edge::to
  std::string input;   // column of Edge::from, as read under Edge::address
  DerivationKind kind = DerivationKind::kDirect;
};

struct Edge {
  std::string from;     // upstream product id
  std::string to;       // downstream product id
  std::string address;  // what `to` reads: "sales.orders" or "sales.orders_v1"
  // Whether the transform SQL reads the address; unknown without analyzed SQL.
  std::optional<bool> used;
  std::vector<ColumnEdge> columns;
  // Columns of `from` the SQL reads only to join, filter, group or order.
  std::vector<std::string> filter_columns;
};

// What is known about one derived product's transform.
struct TransformLineage {
  enum class State { kNoSql, kAnalyzed, kError };
  State state = State::kNoSql;
  std::string error;  // kError: why the SQL could not be analyzed
  std::string text;   // the transform SQL as the TransformSource gave it; empty when it had none
  SqlLineage sql;     // kAnalyzed
};

class LineageGraph {
 public:
  // Never fails as a whole: a product whose SQL cannot be analyzed (a parse
  // error, an undeclared input, an unknown column) keeps its declared edges
  // and carries the error in its TransformLineage.
  static LineageGraph Build(const Mesh& mesh, const TransformSource* transforms,
                            const engine::DuckDbSqlValidator& parser);

  const MeshProduct* Find(const std::string& product_id) const;
  // The product an address ("d.p" or "d.p_vN") belongs to, or nullptr.
  const MeshProduct* FindByAddress(const std::string& address) const;
  // nullptr for products that are not derived.
  const TransformLineage* Transform(const std::string& product_id) const;
  const std::vector<Edge>& edges() const { return edges_; }
  const std::vector<MeshProduct>& products() const { return mesh_.products; }

  // Every edge on a path into (out of) the product, nearest first.
  std::vector<const Edge*> Upstream(const std::string& product_id) const;
  std::vector<const Edge*> Downstream(const std::string& product_id) const;

 private:
  std::vector<const Edge*> Traverse(const std::string& start, bool upstream) const;

  Mesh mesh_;
  std::map<std::string, TransformLineage> transforms_;
  std::vector<Edge> edges_;
};

// A downstream product that a change reaches.
struct ImpactedOutput {
  std::string column;
  std::set<ColumnRef> because;  // the changed columns it is computed from
};

struct ImpactedProduct {
  std::string id;
  int depth = 1;  // 1: reads the changed product directly
  // false when reached only through a product whose SQL was not analyzed:
  // it may break, lineage cannot tell which columns.
  bool certain = true;
  std::set<ColumnRef> reads;            // changed columns its SQL reads anywhere
  std::vector<ImpactedOutput> outputs;  // its output columns computed from them
};

struct ImpactReport {
  std::vector<ImpactedProduct> products;  // by depth, then id
};

// What changes: per address ("d.p", "d.p_vN"), the lower-cased columns that
// change; "*" stands for every column (an object removed).
using ChangedColumns = std::map<std::string, std::set<std::string>>;

// Every product downstream of the changed columns, transitively: a product
// is impacted when its SQL reads a changed column (anywhere: select, join,
// filter), and its output columns computed from one change in turn.
ImpactReport AnalyzeImpact(const LineageGraph& graph, const ChangedColumns& changed);

}  // namespace weft::lineage
