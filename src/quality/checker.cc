#include "quality/checker.h"

#include <cstdlib>

#include "common/strings.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::quality {

namespace {

constexpr char kChecked[] = "__weft_checked";
constexpr char kFailed[] = "__weft_failed";

bool IsRowRule(const Check& c) { return c.scope == RuleScope::kRow && c.skipped.empty(); }
// Tolerance metrics: measured per row, judged as a count or percent.
bool IsMeasuredMetric(const Check& c) { return c.scope == RuleScope::kDataset && !c.condition.empty() && c.skipped.empty(); }
bool Quarantines(const Check& c) { return c.severity == "error"; }

std::string RuleList(const std::vector<std::pair<std::string, std::string>>& cases) {
  if (cases.empty()) return "[]::VARCHAR[]";
  std::vector<std::string> items;
  for (const auto& [cond, value] : cases) items.push_back("CASE WHEN " + cond + " THEN " + value + " END");
  return "list_filter([" + Join(items, ", ") + "], x -> x IS NOT NULL)";
}

std::string HasRule(const Check& c) {
  return "list_contains(" + std::string(Quarantines(c) ? "__errors" : "__warnings") + ", " + SqlQuote(c.id) + ")";
}

}  // namespace

std::vector<catalog::QualityResultRecord> CheckOutcome::Records(const std::string& publish_id) const {
  std::vector<catalog::QualityResultRecord> out;
  for (const auto& r : results) {
    out.push_back({.publish_id = publish_id, .rule_id = r.check.id, .kind = r.check.kind, .object = r.check.object,
                   .column = r.check.column, .severity = r.check.severity, .dimension = r.check.dimension,
                   .failing_rows = r.failing_rows, .checked_rows = r.checked_rows, .value = r.value,
                   .threshold = r.check.skipped.empty() ? r.check.ThresholdText() : "not checked: " + r.check.skipped,
                   .passed = r.passed, .row_level = IsRowRule(r.check) && Quarantines(r.check)});
  }
  return out;
}

std::string Checker::CheckedTableSql(const std::string& staged_table) const {
  std::vector<std::string> raw, typed, typed_names;
  for (const auto& c : plan_.columns) {
    raw.push_back(SqlIdent(c.name) + " AS " + c.RawRef());
    typed.push_back(c.RawRef() + ", TRY_CAST(" + c.RawRef() + " AS " + c.sql_type + ") AS " + SqlIdent(c.name));
    typed_names.push_back(SqlIdent(c.name));
  }
  std::string windows;
  for (const auto& w : plan_.windows) {
    std::vector<std::string> keys;
    for (const auto& k : w.keys) keys.push_back(SqlIdent(k));
    windows += ", count(*) OVER (PARTITION BY " + Join(keys, ", ") + ") AS " + w.alias;
  }
  std::string joins;
  for (const auto& fk : plan_.foreign_keys) {
    std::vector<std::string> keys, on, files;
    for (size_t i = 0; i < fk.from.size(); ++i) {
      keys.push_back(SqlIdent(fk.target.columns[i]) + " AS __k" + std::to_string(i));
      on.push_back("w." + SqlIdent(fk.from[i]) + " = " + fk.alias + ".__k" + std::to_string(i));
    }
    for (const auto& f : fk.target.files) files.push_back(SqlQuote(f));
    joins += " LEFT JOIN (SELECT DISTINCT " + Join(keys, ", ") + ", TRUE AS __hit FROM read_parquet([" + Join(files, ", ") +
             "])) " + fk.alias + " ON " + Join(on, " AND ");
  }
  std::vector<std::pair<std::string, std::string>> errors, warnings;
  std::string metrics;
  size_t m = 0;
  for (const auto& c : plan_.checks) {
    if (IsRowRule(c)) (Quarantines(c) ? errors : warnings).push_back({c.condition, SqlQuote(c.id)});
    else if (IsMeasuredMetric(c)) metrics += ", coalesce(" + c.condition + ", FALSE) AS __m_" + std::to_string(m++);
  }
  std::vector<std::string> out_cols;
  for (const auto& n : typed_names) out_cols.push_back("w." + n);
  return "CREATE OR REPLACE TEMP TABLE " + std::string(kChecked) + " AS SELECT w.__row, " + Join(out_cols, ", ") + ", " +
         RuleList(errors) + " AS __errors, " + RuleList(warnings) + " AS __warnings" + metrics +
         " FROM (SELECT t.*" + windows + " FROM (SELECT __row, " + Join(typed, ", ") +
         " FROM (SELECT rowid + 1 AS __row, " + Join(raw, ", ") + " FROM " + SqlIdent(staged_table) + ")) t) w" + joins;
}

std::string Checker::FailedTableSql(const std::string& staged_table) const {
  std::vector<std::string> raw, raw_refs;
  for (const auto& c : plan_.columns) {
    raw.push_back("CAST(" + SqlIdent(c.name) + " AS VARCHAR) AS " + c.RawRef());
    raw_refs.push_back("s." + c.RawRef());
  }
  std::vector<std::pair<std::string, std::string>> reasons;
  for (const auto& c : plan_.checks)
    if (IsRowRule(c)) reasons.push_back({HasRule(c), c.reason});
  // Only the failing rows are joined back to their raw values, so this pass
  // is as small as the failures.
  return "CREATE OR REPLACE TEMP TABLE " + std::string(kFailed) + " AS SELECT c.__row, c.__errors, c.__warnings, " +
         RuleList(reasons) + " AS __reasons, " + Join(raw_refs, ", ") + " FROM (SELECT __row, __errors, __warnings FROM " +
         kChecked + " WHERE len(__errors) > 0 OR len(__warnings) > 0) c JOIN (SELECT rowid + 1 AS __row, " + Join(raw, ", ") +
         " FROM " + SqlIdent(staged_table) + ") s ON c.__row = s.__row";
}

Result<CheckOutcome> Checker::Run(const std::string& staged_table) {
  RETURN_IF_ERROR(conn_.Execute(CheckedTableSql(staged_table)).WithContext("while checking the batch"));
  RETURN_IF_ERROR(conn_.Execute(FailedTableSql(staged_table)).WithContext("while collecting failing rows"));

  // One fused aggregate for every count.
  std::vector<std::string> aggs = {"count(*)", "count(*) FILTER (WHERE len(__errors) = 0)",
                                   "count(*) FILTER (WHERE len(__errors) = 0 AND len(__warnings) > 0)"};
  size_t m = 0;
  for (const auto& c : plan_.checks) {
    if (IsRowRule(c)) aggs.push_back("count(*) FILTER (WHERE " + HasRule(c) + ")");
    else if (IsMeasuredMetric(c)) aggs.push_back("count(*) FILTER (WHERE len(__errors) = 0 AND __m_" + std::to_string(m++) + ")");
  }
  ASSIGN_OR_RETURN(engine::QueryResult counts, conn_.Query("SELECT " + Join(aggs, ", ") + " FROM " + kChecked));
  ASSIGN_OR_RETURN(auto rows, counts.FetchAllAsStrings());
  if (rows.size() != 1) return Status::Internal("the check aggregate returned no row");
  auto count_at = [&](size_t i) -> int64_t { return rows[0][i] ? std::strtoll(rows[0][i]->c_str(), nullptr, 10) : 0; };

  CheckOutcome out;
  out.rows_in = count_at(0);
  out.rows_valid = count_at(1);
  out.rows_warned = count_at(2);
  out.rows_quarantined = out.rows_in - out.rows_valid;
  size_t next = 3;
  for (const auto& c : plan_.checks) {
    RuleResult r{.check = c};
    if (!c.skipped.empty()) {
      r.passed = false;  // reported as a warning; the check severity is warning
    } else if (IsRowRule(c)) {
      r.failing_rows = count_at(next++);
      r.checked_rows = out.rows_in;
      r.value = static_cast<double>(r.failing_rows);
      r.passed = r.failing_rows == 0;
      if (!r.passed) {
        ASSIGN_OR_RETURN(engine::QueryResult sample,
                         conn_.Query("SELECT __row, " + c.reason + " FROM " + kFailed + " WHERE " + HasRule(c) +
                                     " ORDER BY __row LIMIT " + std::to_string(kSampleRows)));
        ASSIGN_OR_RETURN(auto srows, sample.FetchAllAsStrings());
        for (const auto& s : srows)
          r.sample.push_back({std::strtoll(s[0].value_or("0").c_str(), nullptr, 10), s[1].value_or("")});
      }
    } else if (c.kind == "sql") {
      r.checked_rows = out.rows_valid;
      RETURN_IF_ERROR(RunSqlRule(r));
    } else {
      r.checked_rows = out.rows_valid;
      r.failing_rows = c.kind == "rowCount" ? 0 : count_at(next++);
      double count = c.kind == "rowCount" ? static_cast<double>(out.rows_valid) : static_cast<double>(r.failing_rows);
      r.value = c.unit == "percent" && c.kind != "rowCount"
                    ? (out.rows_valid == 0 ? 0.0 : 100.0 * count / static_cast<double>(out.rows_valid))
                    : count;
      r.passed = !c.threshold || ThresholdHolds(*c.threshold, r.value);
    }
    if (!r.passed && c.scope == RuleScope::kDataset && c.severity == "error" && c.skipped.empty()) {
      out.rejected = true;
      out.rejected_by.push_back(c.id);
    }
    out.results.push_back(std::move(r));
  }
  return out;
}

Status Checker::RunSqlRule(RuleResult& r) {
  // The rule sees the rows that will be published, under the object's name.
  std::vector<std::string> cols;
  for (const auto& c : plan_.columns) cols.push_back(SqlIdent(c.name));
  RETURN_IF_ERROR(conn_.Execute("CREATE OR REPLACE TEMP VIEW " + SqlIdent(plan_.object) + " AS SELECT " + Join(cols, ", ") +
                                " FROM " + kChecked + " WHERE len(__errors) = 0"));
  ASSIGN_OR_RETURN(auto validator, engine::DuckDbSqlValidator::Create());
  if (Status s = validator->CheckSingleSelect(r.check.sql); !s.ok())
    return Status::InvalidArgument("sql rule '" + r.check.id + "' must be one read-only SELECT: " + s.message());
  auto result = conn_.Query(r.check.sql);
  if (!result.ok()) return Status::InvalidArgument("sql rule '" + r.check.id + "' failed: " + result.status().message());
  auto value = result->ScalarString();
  if (!value.ok() || !*value)
    return Status::InvalidArgument("sql rule '" + r.check.id + "' must return exactly one non-NULL number (one row, one column)");
  char* end = nullptr;
  double v = std::strtod((*value)->c_str(), &end);
  if (end == (*value)->c_str() || *end != '\0')
    return Status::InvalidArgument("sql rule '" + r.check.id + "' returned '" + **value + "', which is not a number");
  r.value = v;
  r.failing_rows = static_cast<int64_t>(v);
  r.passed = !r.check.threshold || ThresholdHolds(*r.check.threshold, v);
  return Status::Ok();
}

std::string Checker::ValidRowsQuery() const {
  std::vector<std::string> cols;
  for (const auto& c : plan_.columns) cols.push_back(SqlIdent(c.name));
  return "SELECT " + Join(cols, ", ") + " FROM " + std::string(kChecked) + " WHERE len(__errors) = 0";
}

std::string Checker::QuarantineQuery() const {
  std::vector<std::string> cols;
  for (const auto& c : plan_.columns) cols.push_back(c.RawRef() + " AS " + SqlIdent(c.name));
  return "SELECT __row, list_concat(__errors, __warnings) AS __rules, __reasons, " + Join(cols, ", ") + " FROM " +
         std::string(kFailed) + " WHERE len(__errors) > 0 ORDER BY __row";
}

}  // namespace weft::quality
