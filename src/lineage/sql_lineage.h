// Column-level lineage of one transform SELECT, read from DuckDB's own parse
// tree (json_serialize_sql, see engine/duckdb_sql_validator.h): which input
// relations the query reads and, for each output column, which input columns
// its values come from. Nothing is bound or run; names are resolved here the
// way DuckDB's binder resolves them (FROM scope first, then the enclosing
// query for correlated subqueries, then earlier select-list aliases).
//
//   InputSchemas inputs = {{"sales.orders", {"order_id", "amount", "currency"}}};
//   ASSIGN_OR_RETURN(nlohmann::json ast, validator.SerializeSql(sql));
//   ASSIGN_OR_RETURN(SqlLineage l, AnalyzeSelect(ast, inputs, sql));
//   for (const OutputColumn& c : l.columns)
//     for (const ColumnRef& s : c.sources) std::cout << c.name << " <- " << s.ToString() << "\n";
//
// What is understood, and what is refused, is listed in docs/lineage.md.
//
// Thread safety: pure functions over values; safe to call concurrently.
#pragma once

#include <compare>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace weft::lineage {

// One column of one input relation. `relation` is the address as the SQL
// wrote it, lower-cased ("sales.orders" or "sales.orders_v2"); `column` is
// spelled as the relation's schema spells it.
struct ColumnRef {
  std::string relation;
  std::string column;

  std::string ToString() const { return relation + "." + column; }
  auto operator<=>(const ColumnRef&) const = default;
};

// How an output column is computed from its sources, from the plainest to
// the most derived: a column passed through, an expression of row values, an
// aggregate over groups of rows, a window function over partitions.
enum class DerivationKind { kDirect, kExpression, kAggregate, kWindow };
const char* DerivationKindName(DerivationKind k);

struct OutputColumn {
  std::string name;  // the alias or column name; empty for an unnamed expression
  size_t ordinal = 0;  // 1-based position in the result
  DerivationKind kind = DerivationKind::kDirect;
  // The input columns the values are computed from (CASE conditions, window
  // partitions and orders included); empty for constants and count(*).
  std::set<ColumnRef> sources;
};

struct SqlLineage {
  std::set<std::string> relations;  // input relations read, lower-cased
  std::vector<OutputColumn> columns;
  // Every input column the query mentions anywhere: the select list, but also
  // WHERE, JOIN conditions, GROUP BY, HAVING, QUALIFY, ORDER BY and
  // subqueries. Removing any of them makes the transform fail to bind.
  std::set<ColumnRef> referenced;
};

// Relation address ("domain.product", "domain.product_vN"; lower case) ->
// its columns in order. Only the declared inputs of the product belong here:
// any other relation the SQL reads is an error.
using InputSchemas = std::map<std::string, std::vector<std::string>>;

// Analyzes the single SELECT in `ast` (the verbatim json_serialize_sql
// object). InvalidArgument, naming the relation or column and where it stands,
// for: DuckDB's own parse errors, not exactly one statement, a relation that
// is not in `inputs` (with a did-you-mean), an unknown or ambiguous column, a
// table function, and constructs lineage cannot follow (PIVOT, COLUMNS with a
// pattern). `sql`, when given, turns DuckDB's character offsets into
// "line L, column C"; otherwise errors say "at character N".
//
// `naming` says how the error for an unknown relation reads: a transform
// (the default) reads only its declared input ports; a consumer's query reads
// products, and is offered the closest one by name.
struct RelationNaming {
  std::string noun = "a declared input port of this product";  // "relation 'x' is not <noun>"
  bool list_declared = true;                                   // "; declared: a, b"
  std::vector<std::string> candidates;                         // did-you-mean offers these too
};
Result<SqlLineage> AnalyzeSelect(const nlohmann::json& ast, const InputSchemas& inputs, std::string_view sql = {},
                                 const RelationNaming& naming = {});

// DuckDB's aggregate function names (duckdb_functions() of 1.4.4, where
// function_type = 'aggregate'): a FUNCTION node with one of these names makes
// its column an aggregate. The parse tree does not say it; a test pins this
// list against the engine.
const std::set<std::string>& AggregateFunctionNames();

}  // namespace weft::lineage
