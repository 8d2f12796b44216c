// Runs a CheckPlan (check_plan.h) over a staged batch in DuckDB, in as few
// passes over the batch as the rules allow, and without a second copy of it:
//
//   1. per distinct duplicate key list (unique, primaryKey, duplicateValues):
//      a hash aggregate over the key columns alone keeps the keys that occur
//      more than once (__weft__dup_<n>, as small as the duplicates);
//   2. one pass types every row (TRY_CAST), joins the duplicated keys and
//      each foreign key's referenced snapshot (LEFT JOIN its distinct keys),
//      and keeps only the rows failing a row rule or a tolerance metric in
//      __weft_flagged: their failed rules (__errors for severity error,
//      __warnings otherwise), a reason per failed rule, the metric flags and
//      the raw values;
//   3. one fused aggregate over __weft_flagged counts every rule;
//   4. each sql rule runs once, read-only, over a view named after the
//      object holding the rows that will be published.
//
// The rows to publish (ValidRowsQuery) are typed again on the way out, minus
// the quarantined rows (an anti-join against __weft_flagged): casting again
// costs less than storing a typed copy of the batch, and keeps input order.
//
//   Checker checker(conn, plan);
//   ASSIGN_OR_RETURN(CheckOutcome out, checker.Run("__weft_staged"));
//   conn.Execute("COPY (" + checker.ValidRowsQuery() + ") TO 'x.parquet' (FORMAT parquet)");
//
// Which rows are published: those failing no error-severity row rule. Rows
// failing only warning/info rules are kept (and counted). Dataset rules are
// measured on the rows that will be published, so a bad row the row rules
// already quarantine does not also reject the batch (docs/quality.md).
//
// Thread safety: a Checker uses its Connection; one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "engine/connection.h"
#include "quality/check_plan.h"

namespace weft::quality {

struct FailingRowSample {
  int64_t row = 0;     // 1-based input row number (data rows, across files in order)
  std::string reason;  // names the column and the offending value
};

struct RuleResult {
  Check check;
  int64_t failing_rows = 0;
  int64_t checked_rows = 0;
  double value = 0;  // what was compared with the threshold (count, percent, or the sql result)
  bool passed = true;
  std::vector<FailingRowSample> sample;  // up to 5, row rules only
};

struct CheckOutcome {
  std::vector<RuleResult> results;
  int64_t rows_in = 0;
  int64_t rows_valid = 0;        // published
  int64_t rows_quarantined = 0;  // failed an error row rule
  int64_t rows_warned = 0;       // published, but failed a warning/info row rule
  bool rejected = false;         // an error dataset rule failed
  std::vector<std::string> rejected_by;  // those rules' ids

  // The results as catalog records of one publish.
  std::vector<catalog::QualityResultRecord> Records(const std::string& publish_id) const;
};

class Checker {
 public:
  static constexpr int kSampleRows = 5;

  Checker(engine::Connection& conn, const CheckPlan& plan) : conn_(conn), plan_(plan) {}

  // `staged_table` holds one column per plan column, named like it (raw
  // values, usually VARCHAR), rows in input order.
  Result<CheckOutcome> Run(const std::string& staged_table);
  // The same over a query instead of a table: it yields `__row` (the 1-based
  // input row number) and one column per plan column, e.g. the reader itself:
  //   SELECT row_number() OVER () AS __row, "a", "b" FROM read_csv(...)
  // Every pass (the duplicate keys, the check, the valid rows) re-runs it,
  // so it suits inputs that are cheaper to read again than to stage whole
  // (a stage larger than the memory limit spills to disk).
  Result<CheckOutcome> RunOnQuery(const std::string& source_query);

  // After Run: the typed rows to publish (columns in contract order).
  std::string ValidRowsQuery() const;
  // After Run: the quarantined rows, by input row number: __row, __rules,
  // __reasons, then each column's raw value as VARCHAR.
  std::string QuarantineQuery() const;

 private:
  Result<CheckOutcome> RunChecks();
  std::string TypedSql() const;
  static std::string DuplicateTable(const DuplicateWindow& w);
  std::string DuplicateTableSql(const DuplicateWindow& w) const;
  std::string CheckedRowsSql() const;
  std::string FlaggedTableSql() const;
  Status RunSqlRule(RuleResult& r);

  engine::Connection& conn_;
  const CheckPlan& plan_;
  // Set by Run / RunOnQuery: the rows to check, and their input row number.
  std::string source_;
  std::string row_expr_;
};

}  // namespace weft::quality
