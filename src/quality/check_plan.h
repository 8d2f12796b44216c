// quality/: contract -> checks -> SQL. This header compiles one ODCS schema
// object into a CheckPlan: the DuckDB type of every column and every rule as
// a SQL condition, so the Checker (checker.h) can run them all in one pass
// over the staged batch. docs/quality.md lists what each rule compiles to.
//
//   CheckPlanOptions opts;
//   opts.is_duckdb_type = [&](const std::string& t) { return ValidDuckDbType(conn, t); };
//   opts.foreign_keys = [&](const ForeignKeyRequest& r) { return LookUpSnapshot(r); };
//   ASSIGN_OR_RETURN(CheckPlan plan, CompileCheckPlan(contract.schema[0], opts));
//
// Row-level rules have a per-row condition; their failing rows are named
// (input row number, rule id, reason) and, at severity error, quarantined.
// Dataset rules (rowCount, sql, and metrics whose threshold tolerates some
// failing rows) yield one number compared with the ODCS operator; an error
// dataset rule that fails rejects the whole publish.
//
// Thread safety: CompileCheckPlan is a pure function of its inputs (and of
// whatever the callbacks do).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "spec/model.h"

namespace weft::quality {

// One column of the checked object, as it is staged and published.
struct ColumnPlan {
  std::string name;         // the property name: the column name in input and snapshot
  std::string sql_type;     // DuckDB type the raw value is TRY_CAST to
  std::string logical_type;
  bool required = false;
  // Position in CheckPlan::columns; the staged raw value is "__raw_<index>".
  size_t index = 0;
  std::string RawRef() const { return "__raw_" + std::to_string(index); }
};

// A duplicate window: count(*) OVER (PARTITION BY keys), computed once per
// distinct key list and shared by unique, primaryKey and duplicateValues.
struct DuplicateWindow {
  std::vector<std::string> keys;
  std::string alias;  // "__dup_<n>"
};

// What a relationship needs from the referenced product. Filled by the
// ForeignKeyLookup callback.
struct ForeignKeyTarget {
  bool resolved = false;        // false: `error` says why (a compile error)
  std::string error;
  bool has_snapshot = false;    // false: nothing to check against yet (a warning)
  std::string product_id;       // e.g. "customer.customers"
  std::string snapshot_id;
  std::vector<std::string> files;    // Parquet files of the current snapshot
  std::vector<std::string> columns;  // referenced column names, in `from` order
};

struct ForeignKeyRequest {
  std::vector<std::string> to;  // as written, qualified by weft.contract (spec::Relationship::Target)
};
using ForeignKeyLookup = std::function<ForeignKeyTarget(const ForeignKeyRequest&)>;

// An anti-join against a referenced snapshot: LEFT JOIN (SELECT DISTINCT
// keys ...) alias, a row fails when every `from` column is set and no key
// matched (MATCH SIMPLE: a NULL in the key never fails).
struct ForeignKeyJoin {
  std::vector<std::string> from;  // local column names
  ForeignKeyTarget target;
  std::string alias;  // "__fk_<n>"
};

enum class RuleScope { kRow, kDataset };

struct Check {
  std::string id;    // the rule's id or name, else "<object>.<column>:<kind>"
  std::string kind;  // type, required, unique, primaryKey, option, relationship,
                     // nullValues, missingValues, invalidValues, duplicateValues, rowCount, sql
  std::string object;
  std::string column;  // comma-joined for composite keys; empty for object rules
  std::string severity = "error";  // error | warning | info
  std::string dimension;
  std::string description;  // what the check means, for reports
  RuleScope scope = RuleScope::kRow;

  // Row rules, and metrics measured per row: SQL over the typed columns (by
  // name), raw values (__raw_<i>), duplicate windows and foreign-key joins;
  // true when the row fails.
  std::string condition;
  // Row rules: a VARCHAR expression over raw values explaining one failure.
  std::string reason;

  // Dataset rules.
  std::optional<spec::Threshold> threshold;
  std::string unit = "rows";  // rows | percent
  std::string sql;            // sql rules: the query with {object}/{property} substituted

  // Not checkable now (e.g. the referenced product has no snapshot): reported
  // as a warning result with this note, never a failure.
  std::string skipped;

  std::string ThresholdText() const;
};

struct CheckPlan {
  std::string object;  // the schema object's name; sql rules see the batch under it
  std::vector<ColumnPlan> columns;
  std::vector<Check> checks;
  std::vector<DuplicateWindow> windows;
  std::vector<ForeignKeyJoin> foreign_keys;
  std::vector<std::string> notes;  // rules kept but not run (text, custom, unsupported options)

  const ColumnPlan* FindColumn(std::string_view name) const;
};

struct CheckPlanOptions {
  // Whether `type` is a DuckDB type (physicalType is used when it is);
  // unset: physicalType is never trusted and logicalType decides.
  std::function<bool(const std::string&)> is_duckdb_type;
  // Resolves relationship targets; unset: relationships are a compile error.
  ForeignKeyLookup foreign_keys;
};

// The DuckDB type a property is staged as: its physicalType when that is a
// DuckDB type, else the logicalType's (string VARCHAR, integer BIGINT, number
// DOUBLE, boolean BOOLEAN, date DATE, timestamp TIMESTAMP, time TIME; object
// and array stay VARCHAR, holding the JSON text).
std::string DuckDbTypeOf(const spec::Property& p, const std::function<bool(const std::string&)>& is_duckdb_type);

// Compiles `object`. Fails with InvalidArgument when a rule cannot be
// compiled (an unresolvable relationship, a sql rule that is not one SELECT is
// caught later by the checker, which owns the DuckDB parser).
Result<CheckPlan> CompileCheckPlan(const spec::SchemaObject& object, const CheckPlanOptions& options);

// Whether `value` satisfies the threshold (between bounds are inclusive).
bool ThresholdHolds(const spec::Threshold& t, double value);

}  // namespace weft::quality
