// The check compiler and the checker, per rule kind: each contract below is
// compiled, run over a small staged batch in DuckDB, and the failing rows,
// counts and verdicts are compared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "common/strings.h"
#include "common/testing/status_matchers.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "quality/check_plan.h"
#include "quality/checker.h"
#include "spec/loader.h"

namespace weft::quality {
namespace {

namespace fs = std::filesystem;

// A contract with one object `t`; `props` and `object_extra` are YAML
// indented for their place.
std::string Contract(const std::string& props, const std::string& object_extra = "") {
  return "apiVersion: v3.1.0\nkind: DataContract\nid: test.t\nname: t\nversion: 1.0.0\nstatus: active\n"
         "schema:\n  - name: t\n    properties:\n" + props + object_extra;
}

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_OK(db);
    db_.emplace(std::move(*db));
    auto conn = engine::Connection::Open(*db_);
    ASSERT_OK(conn);
    conn_.emplace(std::move(*conn));
    dir_ = fs::temp_directory_path() / ("weft-checker-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  // Stages `values` (a SQL VALUES list of VARCHARs) with columns `cols`.
  void Stage(const std::string& cols, const std::string& values) {
    ASSERT_OK(conn_->Execute("CREATE OR REPLACE TABLE staged AS SELECT * FROM (VALUES " + values + ") v(" + cols + ")"));
  }

  // Writes a referenced snapshot file and returns a lookup resolving every
  // target to it.
  ForeignKeyLookup Snapshot(const std::string& cols, const std::string& values, std::vector<std::string> ref_cols) {
    std::string file = (dir_ / "ref.parquet").string();
    EXPECT_OK(conn_->Execute("COPY (SELECT * FROM (VALUES " + values + ") v(" + cols + ")) TO " + SqlQuote(file) +
                             " (FORMAT parquet)"));
    return [file, ref_cols](const ForeignKeyRequest&) {
      return ForeignKeyTarget{.resolved = true, .has_snapshot = true, .product_id = "ref.p", .snapshot_id = "S1",
                              .files = {file}, .columns = ref_cols};
    };
  }

  Result<CheckOutcome> Check(const std::string& contract, ForeignKeyLookup fks = nullptr) {
    loaded_ = spec::LoadText(contract, "t.odcs.yaml");
    for (const auto& d : loaded_.diagnostics)
      if (d.severity == spec::Severity::kError) ADD_FAILURE() << d.message;
    if (loaded_.documents.empty()) return Status::InvalidArgument("no document");
    CheckPlanOptions opts;
    opts.is_duckdb_type = [this](const std::string& t) { return conn_->Execute("SELECT CAST(NULL AS " + t + ")").ok(); };
    opts.foreign_keys = std::move(fks);
    ASSIGN_OR_RETURN(plan_, CompileCheckPlan(loaded_.documents[0].contract()->schema[0], opts));
    checker_.emplace(*conn_, plan_);
    return checker_->Run({Checker::RawTable(plan_, "staged")});
  }

  const RuleResult& Rule(const CheckOutcome& out, const std::string& id) {
    for (const auto& r : out.results)
      if (r.check.id == id) return r;
    ADD_FAILURE() << "no rule " << id;
    static RuleResult none;
    return none;
  }

  // Input row numbers of the quarantined rows.
  std::vector<int64_t> Quarantined() {
    auto r = conn_->Query("SELECT __row FROM (" + checker_->QuarantineQuery() + ")");
    EXPECT_OK(r);
    std::vector<int64_t> rows;
    if (!r.ok()) return rows;
    auto all = r->FetchAllAsStrings();
    EXPECT_OK(all);
    if (!all.ok()) return rows;
    for (const auto& row : *all) rows.push_back(std::stoll(*row[0]));
    return rows;
  }

  std::optional<engine::Database> db_;
  std::optional<engine::Connection> conn_;
  fs::path dir_;
  spec::LoadedFile loaded_;
  CheckPlan plan_;
  std::optional<Checker> checker_;
};

using Rows = std::vector<int64_t>;

TEST_F(CheckerTest, TypeFitFailuresAreRowsWithReasonsNotErrors) {
  Stage("id, amount, day", "('1', '10.50', '2024-01-31'), ('2', 'abc', '2024-02-30'), ('x', NULL, NULL)");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: id\n        logicalType: integer\n"
      "      - name: amount\n        logicalType: number\n        physicalType: DECIMAL(12,2)\n"
      "      - name: day\n        logicalType: date\n")));
  EXPECT_EQ(plan_.columns[0].sql_type, "BIGINT");
  EXPECT_EQ(plan_.columns[1].sql_type, "DECIMAL(12,2)");
  EXPECT_EQ(Rule(out, "t.amount:type").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.day:type").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.id:type").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.amount:type").sample[0].reason, "amount: 'abc' is not a valid DECIMAL(12,2)");
  EXPECT_EQ(Rule(out, "t.amount:type").sample[0].row, 2);
  EXPECT_EQ(Quarantined(), (Rows{2, 3}));
  EXPECT_EQ(out.rows_valid, 1);
  EXPECT_FALSE(out.rejected);
}

TEST_F(CheckerTest, PhysicalTypeThatIsNotADuckDbTypeFallsBackToTheLogicalType) {
  Stage("n", "('1')");
  ASSERT_OK(Check(Contract("      - name: n\n        logicalType: integer\n        physicalType: number(10)x\n")));
  EXPECT_EQ(plan_.columns[0].sql_type, "BIGINT");
}

TEST_F(CheckerTest, RequiredUniqueAndLengthOptions) {
  Stage("code", "('AB'), ('AB'), (NULL), ('ABCDE'), ('A')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: code\n        logicalType: string\n        required: true\n        unique: true\n"
      "        logicalTypeOptions:\n          minLength: 2\n          maxLength: 4\n")));
  EXPECT_EQ(Rule(out, "t.code:required").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.code:unique").failing_rows, 2);  // every row of a duplicated key
  EXPECT_EQ(Rule(out, "t.code:minLength").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.code:maxLength").failing_rows, 1);
  EXPECT_EQ(Quarantined(), (Rows{1, 2, 3, 4, 5}));
}

TEST_F(CheckerTest, PatternAndBoundsOptions) {
  Stage("sku, qty, price, day",
        "('SKU-1', '5', '1', '2024-01-01'), ('bad', '0', '10', '2023-12-31'), ('SKU-2', '11', '0', '2024-06-01')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: sku\n        logicalType: string\n        logicalTypeOptions:\n          pattern: \"^SKU-[0-9]+$\"\n"
      "      - name: qty\n        logicalType: integer\n        logicalTypeOptions:\n          minimum: 1\n          maximum: 10\n"
      "      - name: price\n        logicalType: number\n        logicalTypeOptions:\n          exclusiveMinimum: 0\n"
      "          exclusiveMaximum: 10\n"
      "      - name: day\n        logicalType: date\n        logicalTypeOptions:\n          minimum: \"2024-01-01\"\n")));
  EXPECT_EQ(Rule(out, "t.sku:pattern").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.qty:minimum").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.qty:maximum").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.price:exclusiveMinimum").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.price:exclusiveMaximum").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.day:minimum").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.qty:maximum").sample[0].reason, "qty: '11' is above the maximum 10");
  EXPECT_EQ(out.rows_valid, 1);
}

// Valid ECMA-262 that RE2 (DuckDB) cannot run: lint warns (regex-unchecked);
// the publish leaves the check out with a note instead of failing.
TEST_F(CheckerTest, LookaroundPatternsAreLeftOutWithANote) {
  Stage("sku", "('a')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: sku\n        logicalType: string\n        logicalTypeOptions:\n          pattern: \"^(?!x)\"\n"
      "        quality:\n          - metric: invalidValues\n            arguments:\n              pattern: \"(?=a)\"\n"
      "            mustBe: 0\n")));
  EXPECT_EQ(out.rows_valid, 1);
  EXPECT_EQ(std::count_if(plan_.notes.begin(), plan_.notes.end(),
                          [](const std::string& n) { return n.find("not checked") != std::string::npos; }),
            2)
      << ::testing::PrintToString(plan_.notes);
}

TEST_F(CheckerTest, CompositePrimaryKey) {
  Stage("a, b", "('1', 'x'), ('1', 'y'), ('1', 'x'), ('2', NULL)");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: a\n        logicalType: integer\n        primaryKey: true\n        primaryKeyPosition: 1\n"
      "      - name: b\n        logicalType: string\n        primaryKey: true\n        primaryKeyPosition: 2\n")));
  EXPECT_EQ(Rule(out, "t:primaryKey").failing_rows, 2);
  EXPECT_EQ(Rule(out, "t:primaryKey").sample[0].reason, "(a, b) = ('1', 'x') occurs more than once");
  EXPECT_EQ(Rule(out, "t.b:required").failing_rows, 1);
  EXPECT_EQ(Quarantined(), (Rows{1, 3, 4}));
}

TEST_F(CheckerTest, LibraryMetricsAsRowRules) {
  Stage("s, c", "('a', 'web'), (NULL, 'n/a'), ('z', ''), ('b', 'tv')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: s\n        logicalType: string\n        quality:\n"
      "          - metric: nullValues\n            mustBe: 0\n            unit: rows\n"
      "          - metric: invalidValues\n            arguments:\n              pattern: \"^[a-y]$\"\n            mustBe: 0\n"
      "      - name: c\n        logicalType: string\n        quality:\n"
      "          - metric: missingValues\n            arguments:\n              missingValues: [null, \"n/a\"]\n            mustBe: 0\n"
      "            severity: warning\n"
      "          - metric: invalidValues\n            arguments:\n              validValues: [web, store, n/a]\n            mustBe: 0\n")));
  EXPECT_EQ(Rule(out, "t.s:nullValues").failing_rows, 1);
  EXPECT_EQ(Rule(out, "t.s:invalidValues").failing_rows, 1);  // 'z'; NULL is nullValues' business
  EXPECT_EQ(Rule(out, "t.c:missingValues").failing_rows, 1);  // 'n/a' ('' reads as NULL in CSV, not here)
  EXPECT_EQ(Rule(out, "t.c:invalidValues").failing_rows, 2);   // '' and 'tv'
  // The warning rule keeps its row; the error rules quarantine theirs.
  EXPECT_EQ(Quarantined(), (Rows{2, 3, 4}));
  EXPECT_EQ(out.rows_warned, 0);
}

TEST_F(CheckerTest, WarningRowRulesKeepTheirRows) {
  Stage("c", "('a'), ('n/a')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: c\n        logicalType: string\n        quality:\n"
      "          - metric: missingValues\n            arguments:\n              missingValues: [\"n/a\"]\n            mustBe: 0\n"
      "            severity: warning\n")));
  EXPECT_FALSE(Rule(out, "t.c:missingValues").passed);
  EXPECT_EQ(out.rows_valid, 2);
  EXPECT_EQ(out.rows_warned, 1);
  EXPECT_TRUE(Quarantined().empty());
  EXPECT_FALSE(out.rejected);
}

TEST_F(CheckerTest, PercentThresholdIsADatasetRule) {
  Stage("c", "('a'), (NULL), (NULL), ('b')");
  std::string rule = "      - name: c\n        logicalType: string\n        quality:\n          - metric: nullValues\n";
  ASSERT_OK_AND_ASSIGN(CheckOutcome ok, Check(Contract(rule + "            mustBeLessThan: 60\n            unit: percent\n")));
  EXPECT_TRUE(Rule(ok, "t.c:nullValues").passed);
  EXPECT_DOUBLE_EQ(Rule(ok, "t.c:nullValues").value, 50);
  EXPECT_EQ(ok.rows_valid, 4);  // tolerated rows stay
  ASSERT_OK_AND_ASSIGN(CheckOutcome bad, Check(Contract(rule + "            mustBeLessThan: 40\n            unit: percent\n")));
  EXPECT_FALSE(Rule(bad, "t.c:nullValues").passed);
  EXPECT_TRUE(bad.rejected);
  EXPECT_EQ(bad.rejected_by, std::vector<std::string>{"t.c:nullValues"});
  ASSERT_OK_AND_ASSIGN(CheckOutcome warn, Check(Contract(rule + "            mustBeLessThan: 40\n            unit: percent\n"
                                                                "            severity: warning\n")));
  EXPECT_FALSE(warn.rejected);
}

TEST_F(CheckerTest, EveryOperatorWithRowsAndPercent) {
  Stage("c", "('a'), (NULL), (NULL), ('b')");  // 2 null rows = 50 percent
  struct Case {
    bool rows_pass;     // against the count 2
    bool percent_pass;  // against 50
  };
  std::vector<std::pair<std::string, Case>> cases = {
      {"mustBe: 2", {true, false}},
      {"mustNotBe: 2", {false, true}},
      {"mustBeGreaterThan: 1", {true, true}},
      {"mustBeGreaterOrEqualTo: 3", {false, true}},
      {"mustBeLessThan: 3", {true, false}},
      {"mustBeLessOrEqualTo: 2", {true, false}},
      {"mustBeBetween: [2, 50]", {true, true}},
      {"mustNotBeBetween: [3, 49]", {true, true}},
      {"mustNotBeBetween: [1, 60]", {false, false}},
  };
  for (const auto& [op, c] : cases) {
    for (const std::string unit : {"rows", "percent"}) {
      auto out = Check(Contract("      - name: c\n        logicalType: string\n        quality:\n"
                                "          - metric: nullValues\n            " + op + "\n            unit: " + unit + "\n"));
      ASSERT_OK(out);
      EXPECT_EQ(Rule(*out, "t.c:nullValues").passed, unit == "rows" ? c.rows_pass : c.percent_pass) << op << " " << unit;
    }
  }
}

TEST(ThresholdTest, BetweenBoundsAreInclusive) {
  spec::Threshold t{.kind = spec::OperatorKind::kMustBeBetween, .value = spec::Json::array({1, 3})};
  EXPECT_TRUE(ThresholdHolds(t, 1));
  EXPECT_TRUE(ThresholdHolds(t, 3));
  EXPECT_FALSE(ThresholdHolds(t, 3.5));
  t.kind = spec::OperatorKind::kMustNotBeBetween;
  EXPECT_FALSE(ThresholdHolds(t, 1));
  EXPECT_TRUE(ThresholdHolds(t, 0));
}

TEST_F(CheckerTest, DuplicateValuesOnAnObjectAndRowCount) {
  Stage("a, b", "('1', 'x'), ('1', 'x'), ('1', 'y')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: a\n        logicalType: integer\n      - name: b\n        logicalType: string\n",
      "    quality:\n      - metric: duplicateValues\n        arguments:\n          properties: [a, b]\n        mustBe: 0\n"
      "      - metric: rowCount\n        mustBeGreaterThan: 1\n")));
  EXPECT_EQ(Rule(out, "t:duplicateValues").failing_rows, 2);
  EXPECT_EQ(Rule(out, "t:duplicateValues").check.column, "a,b");
  // rowCount counts what is published: one row left, so the batch is rejected.
  EXPECT_DOUBLE_EQ(Rule(out, "t:rowCount").value, 1);
  EXPECT_TRUE(out.rejected);
}

TEST_F(CheckerTest, ForeignKeyPresentMissingAndNull) {
  auto fk = Snapshot("id", "('C1'), ('C2'), ('C2')", {"id"});
  Stage("cust", "('C1'), ('C9'), (NULL), ('C2')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: cust\n        logicalType: string\n        relationships:\n          - to: customer.customer_id\n"), fk));
  const RuleResult& r = Rule(out, "t.cust:relationship");
  EXPECT_EQ(r.failing_rows, 1);
  EXPECT_EQ(r.sample[0].reason, "cust: 'C9' not found in ref.p (snapshot S1)");
  EXPECT_EQ(Quarantined(), (Rows{2}));
  EXPECT_EQ(out.rows_valid, 3);  // the DISTINCT keeps a duplicated target from multiplying rows
}

TEST_F(CheckerTest, CompositeForeignKey) {
  auto fk = Snapshot("w, s", "('W1', 'A'), ('W2', 'B')", {"w", "s"});
  Stage("wh, sku", "('W1', 'A'), ('W1', 'B'), ('W2', NULL)");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: wh\n        logicalType: string\n      - name: sku\n        logicalType: string\n",
      "    relationships:\n      - type: foreignKey\n        from: [t.wh, t.sku]\n        to: [y.w, y.s]\n"), fk));
  EXPECT_EQ(Rule(out, "t.wh,sku:relationship").failing_rows, 1);
  EXPECT_EQ(Quarantined(), (Rows{2}));
}

TEST_F(CheckerTest, ForeignKeyWithoutSnapshotIsAWarningNotAFailure) {
  Stage("cust", "('C1')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: cust\n        logicalType: string\n        relationships:\n          - to: customer.customer_id\n"),
      [](const ForeignKeyRequest&) { return ForeignKeyTarget{.resolved = true, .product_id = "customer.customers"}; }));
  const RuleResult& r = Rule(out, "t.cust:relationship");
  EXPECT_EQ(r.check.severity, "warning");
  EXPECT_FALSE(r.check.skipped.empty());
  EXPECT_FALSE(out.rejected);
  EXPECT_EQ(out.rows_valid, 1);
}

TEST_F(CheckerTest, UnresolvedForeignKeyIsACompileError) {
  Stage("cust", "('C1')");
  auto out = Check(Contract("      - name: cust\n        logicalType: string\n        relationships:\n          - to: nope.x\n"),
                   [](const ForeignKeyRequest&) { return ForeignKeyTarget{.error = "no such contract"}; });
  EXPECT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("no such contract"), std::string::npos);
}

TEST_F(CheckerTest, SqlRulePassesAndFailsOverThePublishedRows) {
  Stage("qty", "('1'), ('-1'), ('5')");
  std::string props = "      - name: qty\n        logicalType: integer\n        logicalTypeOptions:\n          minimum: 0\n";
  // The negative row is quarantined by `minimum`, so the sql rule over the published rows passes.
  ASSERT_OK_AND_ASSIGN(CheckOutcome pass, Check(Contract(props,
      "    quality:\n      - type: sql\n        name: no_negative\n        query: \"SELECT COUNT(*) FROM {object} WHERE qty < 0\"\n"
      "        mustBe: 0\n")));
  EXPECT_TRUE(Rule(pass, "no_negative").passed);
  EXPECT_FALSE(pass.rejected);
  ASSERT_OK_AND_ASSIGN(CheckOutcome fail2, Check(Contract(
      "      - name: qty\n        logicalType: integer\n        quality:\n          - type: sql\n            name: small\n"
      "            query: \"SELECT max({property}) FROM {object}\"\n            mustBeLessThan: 3\n")));
  EXPECT_FALSE(Rule(fail2, "small").passed);
  EXPECT_DOUBLE_EQ(Rule(fail2, "small").value, 5);
  EXPECT_TRUE(fail2.rejected);
}

TEST_F(CheckerTest, SqlRuleThatIsNotASelectIsRefused) {
  Stage("qty", "('1')");
  auto out = Check(Contract("      - name: qty\n        logicalType: integer\n",
                            "    quality:\n      - type: sql\n        name: evil\n        query: \"DROP TABLE staged\"\n"
                            "        mustBe: 0\n"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("must be one read-only SELECT"), std::string::npos) << out.status().message();
  EXPECT_OK(conn_->Execute("SELECT * FROM staged"));  // still there
}

// The rows to publish come out typed, without the quarantined ones, in input
// order (the duplicate check is an aggregate plus a join, not a sort).
TEST_F(CheckerTest, ValidRowsAreTypedAndInInputOrder) {
  Stage("id, qty", "('5', '1'), ('3', 'x'), ('9', '2'), ('3', '3'), ('1', '4'), ('7', '5')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome out, Check(Contract(
      "      - name: id\n        logicalType: integer\n        primaryKey: true\n"
      "      - name: qty\n        logicalType: integer\n")));
  EXPECT_EQ(Rule(out, "t:primaryKey").failing_rows, 2);
  EXPECT_EQ(Rule(out, "t.qty:type").failing_rows, 1);
  EXPECT_EQ(Quarantined(), (Rows{2, 4}));
  auto r = conn_->Query("SELECT string_agg(CAST(id + qty AS VARCHAR), ',') FROM (" + checker_->ValidRowsQuery() + ")");
  ASSERT_OK(r);
  ASSERT_OK_AND_ASSIGN(auto v, r->ScalarString());
  EXPECT_EQ(v, "6,11,5,12");
}

// A batch in parts finds what one staged table finds: here the rows a typed
// reader took (numbered by rank, so the row after the one it could not type
// is shifted) and the one row it could not type. Duplicate keys are found
// across the parts, and every row keeps its input row number.
TEST_F(CheckerTest, ABatchInPartsFindsWhatOneStagedTableFinds) {
  auto fk = Snapshot("id", "('C1'), ('C2')", {"id"});
  Stage("id, cust, amount",
        "('1', 'C1', '10'), ('2', 'C9', '11'), ('2', 'C2', 'abc'), ('3', NULL, '-1'), ('4', 'C2', '12')");
  ASSERT_OK_AND_ASSIGN(CheckOutcome staged, Check(Contract(
      "      - name: id\n        logicalType: integer\n        primaryKey: true\n"
      "      - name: cust\n        logicalType: string\n        relationships:\n          - to: customer.customer_id\n"
      "      - name: amount\n        logicalType: number\n        logicalTypeOptions:\n          minimum: 0\n"), fk));
  std::vector<int64_t> staged_quarantine = Quarantined();
  EXPECT_EQ(staged_quarantine, (Rows{2, 3, 4}));

  const std::string id_type = plan_.columns[0].sql_type, amount_type = plan_.columns[2].sql_type;
  ASSERT_OK(conn_->Execute("CREATE TABLE typed AS SELECT CAST(id AS " + id_type + ") AS id, cust, CAST(amount AS " +
                           amount_type + ") AS amount FROM staged WHERE rowid <> 2"));
  CheckPart typed{.rows = "SELECT rowid + 1 AS __id, id AS __raw_0, cust AS __raw_1, amount AS __raw_2, id, cust, amount FROM typed",
                  .row_shifts = "shifts"};
  ASSERT_OK(conn_->Execute("CREATE TABLE shifts AS SELECT 2 AS after, 1 AS shift"));  // row 3 is not in the part
  CheckPart untyped{.rows = "SELECT -3 AS __id, '2' AS __raw_0, 'C2' AS __raw_1, 'abc' AS __raw_2, TRY_CAST('2' AS " + id_type +
                            ") AS id, 'C2' AS cust, TRY_CAST('abc' AS " + amount_type + ") AS amount",
                    .row_number = "-__id"};
  checker_.emplace(*conn_, plan_);
  ASSERT_OK_AND_ASSIGN(CheckOutcome parts, checker_->Run({typed, untyped}));
  EXPECT_EQ(parts.rows_in, 5);
  EXPECT_EQ(parts.rows_valid, staged.rows_valid);
  EXPECT_EQ(parts.rows_quarantined, staged.rows_quarantined);
  ASSERT_EQ(parts.results.size(), staged.results.size());
  for (size_t i = 0; i < staged.results.size(); ++i) {
    EXPECT_EQ(parts.results[i].check.id, staged.results[i].check.id);
    EXPECT_EQ(parts.results[i].failing_rows, staged.results[i].failing_rows) << staged.results[i].check.id;
    ASSERT_EQ(parts.results[i].sample.size(), staged.results[i].sample.size()) << staged.results[i].check.id;
    for (size_t j = 0; j < staged.results[i].sample.size(); ++j) {
      EXPECT_EQ(parts.results[i].sample[j].row, staged.results[i].sample[j].row);
      // A typed part has no text of a value that converted: its reason
      // quotes the value as converted ('-1.0' for the DOUBLE read from -1).
      if (staged.results[i].check.id != "t.amount:minimum") {
        EXPECT_EQ(parts.results[i].sample[j].reason, staged.results[i].sample[j].reason);
      }
    }
  }
  ASSERT_EQ(Rule(parts, "t.amount:minimum").sample.size(), 1u);
  EXPECT_EQ(Rule(parts, "t.amount:minimum").sample[0].reason, "amount: '-1.0' is below the minimum 0");
  EXPECT_EQ(Rule(parts, "t:primaryKey").failing_rows, 2);
  EXPECT_EQ(Rule(parts, "t.cust:relationship").failing_rows, 1);
  EXPECT_EQ(Quarantined(), staged_quarantine);
  auto r = conn_->Query("SELECT string_agg(CAST(id AS VARCHAR), ',') FROM (" + checker_->ValidRowsQuery() + ")");
  ASSERT_OK(r);
  ASSERT_OK_AND_ASSIGN(auto v, r->ScalarString());
  EXPECT_EQ(v, "1,4");
}

}  // namespace
}  // namespace weft::quality
