// Runs a CheckPlan (check_plan.h) over a batch in DuckDB, in as few passes
// over the batch as the rules allow, and without a copy of it:
//
//   1. per distinct duplicate key list (unique, primaryKey, duplicateValues):
//      a hash aggregate over the key columns alone keeps the keys that occur
//      more than once (__weft__dup_<n>, as small as the duplicates);
//   2. one pass over the typed rows joins the duplicated keys and each
//      foreign key's referenced snapshot (LEFT JOIN its distinct keys), and
//      keeps only the rows failing a row rule or a tolerance metric in
//      __weft_flagged: their failed rules (__errors for severity error,
//      __warnings otherwise), a reason per failed rule, the metric flags and
//      the raw values; then their input row numbers (__row);
//   3. one fused aggregate over __weft_flagged counts every rule;
//   4. each sql rule runs once, read-only, over a view named after the
//      object holding the rows that will be published.
//
// The batch comes in parts (CheckPart): a relation of typed rows with an
// identity (__id) that orders them, and how to turn an __id into the input
// row number — computed for the flagged rows only, so an input read typed
// by its reader (which numbers nothing) needs no numbering pass. The rows to
// publish (ValidRowsQuery) are the first part minus the quarantined rows (an
// anti-join on __id against __weft_flagged), in input order.
//
//   Checker checker(conn, plan);
//   ASSIGN_OR_RETURN(CheckOutcome out, checker.Run({Checker::RawTable(plan, "__weft_staged")}));
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

// Part of a batch to check. `rows` is a relation yielding `__id` (BIGINT,
// distinct across the parts, increasing in input order within a part), each
// plan column's raw value as `__raw_<index>` (any type: it is NULL when no
// value was given, and shown as text in reasons and the quarantine) and its
// typed value under the column's name. A flagged row's 1-based input row
// number is `row_number`, a SQL expression over `__id`, plus — when
// `row_shifts` names a table (after BIGINT, shift BIGINT) — the shift of the
// greatest `after` below that number (rows of the input this part does not
// hold come before it). Both are evaluated for flagged rows only.
struct CheckPart {
  std::string rows;
  std::string row_number = "__id";
  std::string row_shifts;
};

class Checker {
 public:
  static constexpr int kSampleRows = 5;

  Checker(engine::Connection& conn, const CheckPlan& plan) : conn_(conn), plan_(plan) {}

  // A table of raw values, one column per plan column named like it (usually
  // VARCHAR), rows in input order: typed by TRY_CAST, numbered by rowid.
  static CheckPart RawTable(const CheckPlan& plan, const std::string& table);

  // Checks every part as one batch: duplicate keys are looked for across
  // the parts. Rows are published from the first part only; a caller passing
  // more parts guarantees that their rows fail an error rule (say, the rows
  // whose values the reader could not type, which fail their type rule).
  Result<CheckOutcome> Run(const std::vector<CheckPart>& parts);

  // After Run: the typed rows to publish (columns in contract order).
  std::string ValidRowsQuery() const;
  // After Run: the quarantined rows, by input row number: __row, __rules,
  // __reasons, then each column's raw value as VARCHAR.
  std::string QuarantineQuery() const;

 private:
  static std::string DuplicateTable(const DuplicateWindow& w);
  std::string DuplicateTableSql(const DuplicateWindow& w) const;
  std::string CheckedRowsSql(const CheckPart& part) const;
  std::string FlaggedRowsSql(const CheckPart& part, size_t index) const;
  Status RunSqlRule(RuleResult& r);

  engine::Connection& conn_;
  const CheckPlan& plan_;
  std::vector<CheckPart> parts_;  // set by Run
};

}  // namespace weft::quality
