#include "quality/checker.h"

#include <cstdlib>

#include "common/strings.h"
#include "engine/duckdb_sql_validator.h"

namespace weft::quality {

namespace {

constexpr char kFlagged[] = "__weft_flagged";

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

CheckPart Checker::RawTable(const CheckPlan& plan, const std::string& table) {
  std::vector<std::string> cols;
  for (const auto& c : plan.columns)
    cols.push_back(SqlIdent(c.name) + " AS " + c.RawRef() + ", TRY_CAST(" + SqlIdent(c.name) + " AS " + c.sql_type +
                   ") AS " + SqlIdent(c.name));
  // Insertion order is preserved, so rowid + 1 is the input row number.
  return {.rows = "SELECT rowid + 1 AS __id, " + Join(cols, ", ") + " FROM " + SqlIdent(table)};
}

// Keys occurring more than once, with their count, across every part. A
// hash aggregate over the key columns alone: it reads two or three columns
// instead of sorting every row with all its columns, as count(*) OVER
// (PARTITION BY key) would, and its result is as small as the duplicates.
std::string Checker::DuplicateTableSql(const DuplicateWindow& w) const {
  std::vector<std::string> keys, not_null, group;
  for (size_t i = 0; i < w.keys.size(); ++i) {
    keys.push_back(SqlIdent(w.keys[i]) + " AS __k" + std::to_string(i));
    not_null.push_back(SqlIdent(w.keys[i]) + " IS NOT NULL");
    group.push_back(std::to_string(i + 1));
  }
  std::vector<std::string> parts;
  for (const auto& p : parts_) parts.push_back("SELECT " + Join(keys, ", ") + " FROM (" + p.rows + ") WHERE " + Join(not_null, " AND "));
  return "CREATE OR REPLACE TEMP TABLE " + DuplicateTable(w) + " AS SELECT *, count(*) AS __n FROM (" +
         Join(parts, " UNION ALL ") + ") GROUP BY " + Join(group, ", ") + " HAVING count(*) > 1";
}

std::string Checker::DuplicateTable(const DuplicateWindow& w) { return "__weft" + w.alias; }

// A part's typed rows with what the conditions refer to: each duplicate
// window's count (1 when the key is not duplicated: a hash join against the
// few duplicated keys) and each foreign key's __hit.
std::string Checker::CheckedRowsSql(const CheckPart& part) const {
  std::string dups, dup_joins;
  for (const auto& w : plan_.windows) {
    std::string t = DuplicateTable(w);
    std::vector<std::string> on;
    for (size_t i = 0; i < w.keys.size(); ++i) on.push_back("t." + SqlIdent(w.keys[i]) + " = " + t + ".__k" + std::to_string(i));
    dups += ", coalesce(" + t + ".__n, 1) AS " + w.alias;
    dup_joins += " LEFT JOIN " + t + " ON " + Join(on, " AND ");
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
  return "(SELECT t.*" + dups + " FROM (" + part.rows + ") t" + dup_joins + ") w" + joins;
}

// One pass over a part keeps only the rows that fail a row rule or a
// tolerance metric: their part, rule lists, a reason per failed
// rule, the metric flags and the raw values as text. Everything but the
// filter is computed after it, so only for those rows; every count is then
// taken from this small table.
std::string Checker::FlaggedRowsSql(const CheckPart& part, size_t index) const {
  std::vector<std::pair<std::string, std::string>> errors, warnings, reasons;
  std::vector<std::string> any, metrics;
  size_t m = 0;
  for (const auto& c : plan_.checks) {
    if (IsRowRule(c)) {
      (Quarantines(c) ? errors : warnings).push_back({c.condition, SqlQuote(c.id)});
      reasons.push_back({c.condition, c.reason});
      any.push_back(c.condition);
    } else if (IsMeasuredMetric(c)) {
      metrics.push_back("coalesce(" + c.condition + ", FALSE) AS __m_" + std::to_string(m++));
      any.push_back(c.condition);
    }
  }
  std::vector<std::string> raw;
  for (const auto& c : plan_.columns) raw.push_back("CAST(" + c.RawRef() + " AS VARCHAR) AS " + c.RawRef());
  return "SELECT __id, " + std::to_string(index) + " AS __part, CAST(" + part.row_number + " AS BIGINT) AS __row, " +
         RuleList(errors) + " AS __errors, " +
         RuleList(warnings) + " AS __warnings, " + RuleList(reasons) + " AS __reasons" +
         (metrics.empty() ? "" : ", " + Join(metrics, ", ")) + ", " + Join(raw, ", ") + " FROM " + CheckedRowsSql(part) +
         " WHERE " + (any.empty() ? "FALSE" : Join(any, " OR "));
}

Result<CheckOutcome> Checker::Run(const std::vector<CheckPart>& parts) {
  if (parts.empty()) return Status::Internal("nothing to check: no part");
  parts_ = parts;
  for (const auto& w : plan_.windows)
    RETURN_IF_ERROR(conn_.Execute(DuplicateTableSql(w)).WithContext("while looking for duplicate keys"));
  for (size_t i = 0; i < parts_.size(); ++i)
    RETURN_IF_ERROR(conn_.Execute((i == 0 ? "CREATE OR REPLACE TEMP TABLE " + std::string(kFlagged) + " AS "
                                          : "INSERT INTO " + std::string(kFlagged) + " ") +
                                  FlaggedRowsSql(parts_[i], i))
                        .WithContext("while checking the batch"));
  // The shifts are applied to the flagged rows alone: an ASOF join over
  // them costs next to nothing, where the check pass would join every row.
  for (size_t i = 0; i < parts_.size(); ++i)
    if (!parts_[i].row_shifts.empty())
      RETURN_IF_ERROR(conn_.Execute("UPDATE " + std::string(kFlagged) + " f SET __row = f.__row + s.shift FROM (SELECT q.__id, "
                                    "m.shift FROM " + kFlagged + " q ASOF JOIN " + parts_[i].row_shifts +
                                    " m ON q.__row > m.after WHERE q.__part = " + std::to_string(i) +
                                    ") s WHERE f.__id = s.__id AND f.__part = " + std::to_string(i))
                          .WithContext("while numbering the flagged rows"));

  CheckOutcome out;
  for (const auto& p : parts_) {
    ASSIGN_OR_RETURN(engine::QueryResult rows_in, conn_.Query("SELECT count(*) FROM (" + p.rows + ")"));
    ASSIGN_OR_RETURN(int64_t n, rows_in.ScalarInt64());
    out.rows_in += n;
  }
  // One fused aggregate over the flagged rows for every count: a row no rule
  // flagged counts only towards rows_in and rows_valid.
  std::vector<std::string> aggs = {"count(*) FILTER (WHERE len(__errors) > 0)",
                                   "count(*) FILTER (WHERE len(__errors) = 0 AND len(__warnings) > 0)"};
  size_t m = 0;
  for (const auto& c : plan_.checks) {
    if (IsRowRule(c)) aggs.push_back("count(*) FILTER (WHERE " + HasRule(c) + ")");
    else if (IsMeasuredMetric(c)) aggs.push_back("count(*) FILTER (WHERE len(__errors) = 0 AND __m_" + std::to_string(m++) + ")");
  }
  ASSIGN_OR_RETURN(engine::QueryResult counts, conn_.Query("SELECT " + Join(aggs, ", ") + " FROM " + kFlagged));
  ASSIGN_OR_RETURN(auto rows, counts.FetchAllAsStrings());
  if (rows.size() != 1) return Status::Internal("the check aggregate returned no row");
  auto count_at = [&](size_t i) -> int64_t { return rows[0][i] ? std::strtoll(rows[0][i]->c_str(), nullptr, 10) : 0; };

  out.rows_quarantined = count_at(0);
  out.rows_valid = out.rows_in - out.rows_quarantined;
  out.rows_warned = count_at(1);
  size_t next = 2;
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
                         conn_.Query("SELECT __row, " + c.reason + " FROM " + kFlagged + " WHERE " + HasRule(c) +
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
  RETURN_IF_ERROR(conn_.Execute("CREATE OR REPLACE TEMP VIEW " + SqlIdent(plan_.object) + " AS " + ValidRowsQuery()));
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
  // The anti-join's build side is only the quarantined rows; input order is kept.
  return "SELECT " + Join(cols, ", ") + " FROM (" + parts_.front().rows + ") t ANTI JOIN (SELECT __id FROM " + kFlagged +
         " WHERE len(__errors) > 0) q ON t.__id = q.__id";
}

std::string Checker::QuarantineQuery() const {
  std::vector<std::string> cols;
  for (const auto& c : plan_.columns) cols.push_back(c.RawRef() + " AS " + SqlIdent(c.name));
  return "SELECT __row, list_concat(__errors, __warnings) AS __rules, __reasons, " + Join(cols, ", ") + " FROM " +
         std::string(kFlagged) + " WHERE len(__errors) > 0 ORDER BY __row";
}

}  // namespace weft::quality
