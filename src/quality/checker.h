// Runs a CheckPlan (check_plan.h) over a staged batch in DuckDB, in as few
// scans as the rules allow:
//
//   1. one pass builds __weft_checked: every row typed (TRY_CAST), with the
//      list of row rules it fails (__errors for severity error, __warnings
//      otherwise) and a flag per tolerance metric. Duplicate windows
//      (count(*) OVER (PARTITION BY key)) and foreign-key anti-joins
//      (LEFT JOIN the referenced snapshot's distinct keys) are part of it;
//   2. one pass over the few failing rows builds __weft_failed with their
//      raw values and a reason per failed rule;
//   3. one fused aggregate counts every rule;
//   4. each sql rule runs once, read-only, over a view named after the
//      object holding the rows that will be published.
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

  // After Run: the typed rows to publish (columns in contract order).
  std::string ValidRowsQuery() const;
  // After Run: the quarantined rows, by input row number: __row, __rules,
  // __reasons, then each column's raw value as VARCHAR.
  std::string QuarantineQuery() const;

 private:
  std::string TypedSql() const;
  static std::string DuplicateTable(const DuplicateWindow& w);
  std::string DuplicateTableSql(const DuplicateWindow& w) const;
  std::string CheckedRowsSql() const;
  std::string FlaggedTableSql() const;
  Status RunSqlRule(RuleResult& r);

  engine::Connection& conn_;
  const CheckPlan& plan_;
  std::string staged_;  // set by Run
};

}  // namespace weft::quality
