// End to end: `weft import` of the seed's simple contract gives a tree that
// lints clean and applies; `weft export` of the applied contract in every
// format; the DuckDB DDL runs in DuckDB; an export imports again; bad input
// writes nothing.
#include "e2e/e2e_util.h"
#include "engine/connection.h"
#include "engine/database.h"

namespace weft::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kDomain[] = R"(apiVersion: weft/v1
kind: Domain
name: sales
description: Orders and customers.
owners: [ana@example.com]
monthlyBudget: 1000
currency: USD
costCenter: CC-1234
)";

// The shape teams write today (issue 14).
constexpr char kSeed[] = R"(schema: orders
version: 1.0.0
owner: ana@example.com
sla:
  freshness: 24h
  availability: 99.9%
fields:
  - {name: order_id, type: string, required: true}
  - {name: status, type: string, enum: [open, shipped]}
  - {name: amount, type: number}
quality:
  - no_nulls: amount
  - unique: order_id
  - range: {field: amount, min: 0, max: 100000}
)";

TEST(ImportExport, TheSeedsSimpleContractImportsLintsAppliesAndExports) {
  TempDir tmp;
  const fs::path ws = InitWorkspace(tmp / "W");
  const fs::path tree = tmp / "mesh";
  WriteFile(tree / "domains/sales/domain.yaml", kDomain);
  WriteFile(tmp / "orders.yaml", kSeed);

  // Lint knows the shape and says how to convert it.
  RunResult lint_seed = e2e::Run({"lint", (tmp / "orders.yaml").string()});
  EXPECT_EQ(lint_seed.exit_code, 1) << lint_seed;
  EXPECT_THAT(lint_seed.out, HasSubstr("convert with: weft import simple")) << lint_seed;

  RunResult imp = e2e::Run({"import", "simple", (tmp / "orders.yaml").string(), "--domain", "sales", "--out", tree.string()});
  ASSERT_EQ(imp.exit_code, 0) << imp;
  RunResult lint = e2e::Run({"lint", tree.string()});
  EXPECT_EQ(lint.exit_code, 0) << lint;
  EXPECT_THAT(lint.err, HasSubstr("0 error(s), 0 warning(s)")) << lint;
  RunResult apply = Apply(tree, ws);
  ASSERT_EQ(apply.exit_code, 0) << apply;

  const std::string w = ws.string();
  RunResult odcs = e2e::Run({"export", "sales.orders", "--format", "odcs", "--workspace", w});
  ASSERT_EQ(odcs.exit_code, 0) << odcs;
  EXPECT_THAT(odcs.out, HasSubstr("property: latency")) << odcs;
  RunResult odps = e2e::Run({"export", "sales.orders", "--format", "odps", "--workspace", w});
  EXPECT_THAT(odps.out, HasSubstr("kind: DataProduct")) << odps;

  // The DuckDB DDL runs in DuckDB and keeps the contract's rules.
  RunResult ddl = e2e::Run({"export", "sales.orders", "--format", "sql-ddl", "--workspace", w});
  ASSERT_EQ(ddl.exit_code, 0) << ddl;
  auto db = engine::Database::Open({});
  ASSERT_TRUE(db.ok());
  auto conn = engine::Connection::Open(*db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Execute(ddl.out).ok()) << conn->Execute(ddl.out).message() << ddl;
  EXPECT_FALSE(conn->Execute("INSERT INTO orders VALUES ('a', 'lost', 1)").ok());
  EXPECT_FALSE(conn->Execute("INSERT INTO orders VALUES ('a', 'open', NULL)").ok());
  EXPECT_TRUE(conn->Execute("INSERT INTO orders VALUES ('a', 'open', 1)").ok());

  // Each export imports again into a tree that lints clean.
  for (const auto& [format, as, file] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"sql-ddl", "sql", "orders.sql"}, {"jsonschema", "jsonschema", "orders.json"}, {"dbt", "dbt", "schema.yml"}}) {
    RunResult out = e2e::Run({"export", "sales.orders", "--format", format, "--workspace", w});
    ASSERT_EQ(out.exit_code, 0) << out;
    WriteFile(tmp / file, out.out);
    const fs::path again = tmp / ("again-" + as);
    RunResult back = e2e::Run({"import", as, (tmp / file).string(), "--domain", "sales", "--out", again.string()});
    ASSERT_EQ(back.exit_code, 0) << back;
    RunResult relint = e2e::Run({"lint", again.string()});
    EXPECT_EQ(relint.exit_code, 0) << relint;
  }

  RunResult pg = e2e::Run({"export", "sales.orders", "--format", "sql-ddl", "--dialect", "postgres", "--workspace", w});
  EXPECT_THAT(pg.out, HasSubstr("\"amount\" double precision NOT NULL")) << pg;
  RunResult missing = e2e::Run({"export", "sales.nothing", "--format", "odcs", "--workspace", w});
  EXPECT_NE(missing.exit_code, 0) << missing;
}

TEST(ImportExport, BadInputIsAnErrorAtItsPlaceAndWritesNothing) {
  TempDir tmp;
  WriteFile(tmp / "good.yaml", kSeed);
  WriteFile(tmp / "bad.yaml", "schema: returns\nfields:\n  - {name: id, type: strnig}\n");
  const fs::path out = tmp / "out";
  RunResult r = e2e::Run({"import", "simple", (tmp / "good.yaml").string(), (tmp / "bad.yaml").string(), "--domain", "sales",
                     "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:3:22: field 'id': unknown type 'strnig'")) << r;
  EXPECT_FALSE(fs::exists(out)) << "nothing may be written when any input is bad";

  WriteFile(tmp / "bad.sql", "CREATE TABLE t (\n  id integer,\n  name varchar(10) NOT NUL\n);\n");
  RunResult sql = e2e::Run({"import", "sql", (tmp / "bad.sql").string(), "--domain", "sales", "--out", out.string()});
  EXPECT_EQ(sql.exit_code, 1) << sql;
  EXPECT_THAT(sql.err, HasSubstr("bad.sql:3:")) << sql;
  EXPECT_FALSE(fs::exists(out));

  RunResult unknown = e2e::Run({"import", "avro", (tmp / "good.yaml").string(), "--out", out.string()});
  EXPECT_EQ(unknown.exit_code, 2) << unknown;
}

}  // namespace
}  // namespace weft::e2e
