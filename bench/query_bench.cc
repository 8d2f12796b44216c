// Governed queries at scale: 10 analytic queries joining three domains'
// products — sales.orders (the fact table, N rows, default 10,000,000),
// crm.customers (N/10) and merch.products (N/1,000) — answered by
// query::Gateway::Run (the path of `weft query`) as a consumer who reads
// through grants with a `$principal.region` row filter and masked columns
// (hash, redact, year, and redact by classification), against raw DuckDB on
// the same snapshot Parquet files in the same run:
//
//   raw, governed by hand: the same SQL with each product name replaced by
//     (SELECT <the same mask expressions> FROM read_parquet([files]) WHERE
//     <the same row filter, with the principal's region written in>)
//   raw, no governance: each name replaced by read_parquet([files])
//
// Both sides get 2 threads and the workspace's memory limit (2 GB); the
// baseline is one long-lived DuckDB instance (what someone querying the
// files would have), weft opens a fresh sandboxed one per query, as it does.
// Targets: median over the queries of weft / governed baseline <= 1.10
// (aiming for 1.05); fixed overhead (QueryAnswer::overhead_seconds: budget,
// parse, authorize, views) p50 <= 3 ms, measured on a trivial query over a
// tiny product (ref.regions) ~200 times.
//
// The check that can fail: each query's answer from weft must equal the
// governed baseline's, row for row and cell for cell, and differ from the
// ungoverned one (else the filter was not applied); the hashed emails of the
// top-customers query must be the HMAC-SHA256 of the generated addresses
// under the workspace secret (computed in C++, not in SQL) and the names
// '***'. Any difference: exit 1.
//
//   bench_query [--rows N] [--reps R] [--trivial N] [--dir DIR] [--keep] [--decompose]
// --decompose also times the governed baseline the way weft's session runs
// it — a fresh DuckDB instance per query, then also with profiling on — to
// split weft's time over the baseline into its parts.
// --dir DIR: the workspace lives there and is kept; one already set up there
// for the same --rows is reused (publishing 10M rows takes minutes). Without
// it: a temporary directory, removed at the end unless --keep.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "access/masks.h"
#include "access/principals.h"
#include "bench_mesh.h"
#include "catalog/store.h"
#include "common/files.h"
#include "common/strings.h"
#include "common/time.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"
#include "lineage/sql_lineage.h"
#include "quality/publisher.h"
#include "query/gateway.h"
#include "spec/loader.h"
#include "storage/file_system.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using weft::SqlQuote;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

namespace {

struct Options {
  int64_t rows = 10'000'000;
  int reps = 3;
  int trivial = 200;
  fs::path dir;
  bool keep = false;
  bool decompose = false;
};

constexpr const char* kConsumer = "ana@example.com";
constexpr const char* kRegion = "EU";  // ana's region attribute
constexpr int kThreads = 2;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Fail(const std::string& what, const weft::Status& s) {
  std::fprintf(stderr, "bench_query: %s: %s\n", what.c_str(), std::string(s.message()).c_str());
  return 1;
}

int64_t Customers(int64_t rows) { return std::max<int64_t>(rows / 10, 100); }
int64_t Products(int64_t rows) { return std::max<int64_t>(rows / 1000, 100); }

// ---- the mesh ---------------------------------------------------------------

std::string DomainYaml(const std::string& name, const std::string& owner, const std::string& what,
                       const std::string& extra = "") {
  return "apiVersion: weft/v1\nkind: Domain\nname: " + name + "\ndescription: " + what + "\nowners: [" + owner + "]\n" +
         extra;
}

std::string ProductYaml(const std::string& domain, const std::string& name, const std::string& purpose, bool open) {
  return "apiVersion: v1.0.0\nkind: DataProduct\nid: " + domain + "." + name + "\nname: " + name +
         "\nversion: 1.0.0\nstatus: active\ndomain: " + domain + "\ndescription:\n  purpose: " + purpose +
         "\ntags: [bench]\noutputPorts:\n  - name: " + name + "\n    version: 1.0.0\n    type: tables\n    contractId: " +
         domain + "." + name + "\n" +
         (open ? "    customProperties:\n      - property: weft.access\n        value: open\n" : "");
}

struct Column {
  const char* name;
  const char* logical;
  const char* physical;
  const char* classification;
  const char* mask;  // weft.mask, or nullptr: the classification's default
  bool key;
};

std::string ContractYaml(const std::string& domain, const std::string& name, const std::vector<Column>& cols,
                         const std::string& row_filter) {
  std::string y = "apiVersion: v3.1.0\nkind: DataContract\nid: " + domain + "." + name + "\nname: " + name +
                  "\nversion: 1.0.0\nstatus: active\ndomain: " + domain + "\ndataProduct: " + name +
                  "\ndescription:\n  purpose: Generated for bench_query.\nschema:\n  - name: " + name + "\n    properties:\n";
  for (const auto& c : cols) {
    y += std::string("      - name: ") + c.name + "\n        logicalType: " + c.logical + "\n        physicalType: " +
         c.physical + "\n        description: The " + c.name + ".\n        classification: " + c.classification + "\n";
    if (c.key) y += "        required: true\n        primaryKey: true\n        primaryKeyPosition: 1\n";
    if (c.mask) y += std::string("        customProperties:\n          - property: weft.mask\n            value: ") + c.mask + "\n";
  }
  if (!row_filter.empty()) y += "customProperties:\n  - property: weft.rowFilter\n    value: \"" + row_filter + "\"\n";
  return y;
}

const std::vector<Column> kOrders = {
    {"order_id", "integer", "BIGINT", "internal", nullptr, true},
    {"customer_id", "string", "VARCHAR", "internal", nullptr, false},
    {"sku", "string", "VARCHAR", "internal", nullptr, false},
    {"order_date", "date", "DATE", "internal", nullptr, false},
    {"quantity", "integer", "INTEGER", "internal", nullptr, false},
    {"amount", "number", "DECIMAL(12,2)", "internal", nullptr, false},
    {"channel", "string", "VARCHAR", "internal", nullptr, false},
    {"region", "string", "VARCHAR", "internal", nullptr, false},
    {"payment_ref", "string", "VARCHAR", "restricted", nullptr, false},  // redact, by classification
};
const std::vector<Column> kCustomers = {
    {"customer_id", "string", "VARCHAR", "internal", nullptr, true},
    {"email", "string", "VARCHAR", "pii", "hash", false},
    {"full_name", "string", "VARCHAR", "pii", "redact", false},
    {"birth_date", "date", "DATE", "pii", "year", false},
    {"segment", "string", "VARCHAR", "internal", nullptr, false},
    {"country", "string", "VARCHAR", "internal", nullptr, false},
    {"region", "string", "VARCHAR", "internal", nullptr, false},
    {"signup_date", "date", "DATE", "internal", nullptr, false},
};
const std::vector<Column> kProducts = {
    {"sku", "string", "VARCHAR", "internal", nullptr, true},
    {"name", "string", "VARCHAR", "public", nullptr, false},
    {"category", "string", "VARCHAR", "public", nullptr, false},
    {"brand", "string", "VARCHAR", "public", nullptr, false},
    {"list_price", "number", "DECIMAL(10,2)", "public", nullptr, false},
    {"supplier_email", "string", "VARCHAR", "pii", nullptr, false},  // hash, by classification
    {"active", "boolean", "BOOLEAN", "public", nullptr, false},
};
const std::vector<Column> kRegions = {
    {"region", "string", "VARCHAR", "public", nullptr, true},
    {"name", "string", "VARCHAR", "public", nullptr, false},
};
constexpr const char* kOrdersContractFilter = "channel <> 'internal'";
constexpr const char* kProductsContractFilter = "active";
constexpr const char* kGrantFilter = "region = $principal.region";

// Data, generated by DuckDB. A customer's region follows its country; an
// order's region is its customer's.
std::string CustomersSql(int64_t k) {
  return "SELECT 'C' || lpad(CAST(c AS VARCHAR), 8, '0') AS customer_id, 'user' || c || '@example.com' AS email,"
         " 'Name ' || c AS full_name, DATE '1950-01-01' + CAST((c * 7919) % 18000 AS INTEGER) AS birth_date,"
         " ['consumer', 'smb', 'enterprise'][1 + c % 3] AS segment,"
         " ['DE', 'FR', 'SE', 'US', 'CA', 'JP', 'AU', 'BR', 'MX'][1 + (c // 3) % 9] AS country,"
         " ['EU', 'EU', 'EU', 'NA', 'NA', 'APAC', 'APAC', 'LATAM', 'LATAM'][1 + (c // 3) % 9] AS region,"
         " DATE '2020-01-01' + CAST((c * 31) % 1800 AS INTEGER) AS signup_date FROM range(" +
         std::to_string(k) + ") t(c)";
}
std::string ProductsSql(int64_t p) {
  return "SELECT 'P' || lpad(CAST(p AS VARCHAR), 6, '0') AS sku, 'Product ' || p AS name,"
         " ['books', 'games', 'toys', 'garden', 'kitchen', 'audio', 'video', 'sports', 'beauty', 'office', 'pets',"
         " 'tools'][1 + p % 12] AS category, 'Brand ' || lpad(CAST((p * 7) % 50 AS VARCHAR), 2, '0') AS brand,"
         " CAST(((p * 97) % 100000) / 100.0 + 1 AS DECIMAL(10,2)) AS list_price,"
         " 'supplier' || (p % 200) || '@vendor.example' AS supplier_email, p % 20 <> 0 AS active FROM range(" +
         std::to_string(p) + ") t(p)";
}
std::string OrdersSql(int64_t n, int64_t k, int64_t p) {
  const std::string K = std::to_string(k), P = std::to_string(p);
  return "SELECT i AS order_id, 'C' || lpad(CAST(c AS VARCHAR), 8, '0') AS customer_id,"
         " 'P' || lpad(CAST((i * 104729 + i // 13) % " + P + " AS VARCHAR), 6, '0') AS sku,"
         " DATE '2024-01-01' + CAST((i * 37) % 730 AS INTEGER) AS order_date, CAST(1 + i % 5 AS INTEGER) AS quantity,"
         " CAST(((i * 7877) % 50000) / 100.0 + 1 AS DECIMAL(12,2)) AS amount,"
         " CASE WHEN i % 50 = 0 THEN 'internal' ELSE ['web', 'store', 'app'][1 + i % 3] END AS channel,"
         " ['EU', 'EU', 'EU', 'NA', 'NA', 'APAC', 'APAC', 'LATAM', 'LATAM'][1 + (c // 3) % 9] AS region,"
         " 'PAY' || lpad(CAST(i AS VARCHAR), 10, '0') AS payment_ref"
         " FROM (SELECT range AS i, (range * 7919) % " + K + " AS c FROM range(" + std::to_string(n) + "))";
}

weft::quality::PublishRequest RequestFor(const weft::control::Workspace& ws, const std::string& target,
                                         const fs::path& file) {
  return {.target = target, .files = {file}, .actor = "bench", .memory_limit = ws.settings.query_memory_limit,
          .threads = static_cast<int>(ws.settings.query_threads.value_or(0)), .temp_dir = ws.root / "tmp"};
}

// The workspace (weft init's settings: 2 GB, 2 threads, pii -> hash,
// restricted -> redact; no policy pack), the mesh applied, the four products
// published, the consumer and its grants.
int Setup(const Options& o, const fs::path& root) {
  const fs::path tree = root / "tree";
  const std::vector<std::pair<std::string, std::string>> files = {
      {"domains/sales/domain.yaml", DomainYaml("sales", "sam@example.com", "Orders.")},
      {"domains/sales/products/orders/product.odps.yaml", ProductYaml("sales", "orders", "Every order line.", false)},
      {"domains/sales/products/orders/orders.odcs.yaml", ContractYaml("sales", "orders", kOrders, kOrdersContractFilter)},
      {"domains/crm/domain.yaml", DomainYaml("crm", "olga@example.com", "Customer records.")},
      {"domains/crm/products/customers/product.odps.yaml", ProductYaml("crm", "customers", "One row per customer.", false)},
      {"domains/crm/products/customers/customers.odcs.yaml", ContractYaml("crm", "customers", kCustomers, "")},
      {"domains/merch/domain.yaml", DomainYaml("merch", "mia@example.com", "The assortment.")},
      {"domains/merch/products/products/product.odps.yaml", ProductYaml("merch", "products", "Every product sold.", true)},
      {"domains/merch/products/products/products.odcs.yaml",
       ContractYaml("merch", "products", kProducts, kProductsContractFilter)},
      {"domains/ref/domain.yaml", DomainYaml("ref", "rita@example.com", "Reference lists.")},
      {"domains/ref/products/regions/product.odps.yaml", ProductYaml("ref", "regions", "The sales regions.", false)},
      {"domains/ref/products/regions/regions.odcs.yaml", ContractYaml("ref", "regions", kRegions, "")},
      {"domains/finance/domain.yaml",
       DomainYaml("finance", "fay@example.com", "Analysts.", "monthlyBudget: 1000000\ncurrency: USD\n")},
  };
  for (const auto& [name, text] : files) {
    fs::create_directories((tree / name).parent_path());
    if (auto s = weft::WriteStringToFile(tree / name, text, true); !s.ok()) return Fail("write " + name, s);
  }
  auto mesh = weft::bench::ApplyBenchMesh(root / "ws", tree);
  if (!mesh.ok()) return Fail("set up the workspace", mesh.status());
  auto* ws = &mesh->ws;
  auto* store = &mesh->store;

  const int64_t k = Customers(o.rows), p = Products(o.rows);
  const std::vector<std::pair<std::string, std::string>> data = {
      {"ref.regions", "SELECT * FROM (VALUES ('EU', 'Europe'), ('NA', 'North America'), ('APAC', 'Asia Pacific'), "
                      "('LATAM', 'Latin America')) t(region, name)"},
      {"merch.products", ProductsSql(p)},
      {"crm.customers", CustomersSql(k)},
      {"sales.orders", OrdersSql(o.rows, k, p)}};
  for (const auto& [product, sql] : data) {
    fs::path file = root / (product + ".parquet");
    auto t0 = Clock::now();
    {
      auto db = weft::engine::Database::Open({.threads = kThreads});
      if (!db.ok()) return Fail("open DuckDB", db.status());
      auto conn = weft::engine::Connection::Open(*db);
      if (!conn.ok()) return Fail("connect to DuckDB", conn.status());
      if (auto s = conn->Execute("COPY (" + sql + ") TO " + SqlQuote(file.string()) + " (FORMAT parquet)"); !s.ok())
        return Fail("generate " + product, s);
    }
    auto t1 = Clock::now();
    auto r = weft::quality::Publish(**store, RequestFor(*ws, product, file));
    if (!r.ok()) return Fail("publish " + product, r.status());
    if (r->outcome != "published") {
      std::fprintf(stderr, "bench_query: %s was %s\n", product.c_str(), r->outcome.c_str());
      return 1;
    }
    std::printf("  %-15s %12s rows: generated in %6.1f s, published in %6.1f s\n", product.c_str(),
                Thousands(r->checks.rows_valid).c_str(), Seconds(t0, t1), Seconds(t1, Clock::now()));
    std::fflush(stdout);
    fs::remove(file);
  }

  // The consumer: no team, region EU, paid for by finance; grants with a
  // row filter on $principal.region on orders and customers, a plain one on
  // the tiny regions list; merch.products is open (its contract's filter).
  auto txn = (*store)->BeginWrite();
  if (!txn.ok()) return Fail("begin", txn.status());
  if (auto s = (*txn)->UpsertPrincipal(
          {.name = kConsumer, .kind = "user", .attributes = {{"region", kRegion}, {"domain", "finance"}}});
      !s.ok())
    return Fail("add the consumer", s);
  const std::string granted_at = weft::NowIso();
  for (const auto& [product, filter] : std::vector<std::pair<std::string, std::string>>{
           {"sales.orders", kGrantFilter}, {"crm.customers", kGrantFilter}, {"ref.regions", ""}}) {
    auto id = (*txn)->InsertGrant({.product_id = product, .major = 1, .grantee = kConsumer, .purpose = "bench",
                                   .row_filter = filter, .granted_by = "bench", .granted_at = granted_at});
    if (!id.ok()) return Fail("grant " + product, id.status());
  }
  if (auto s = (*txn)->Commit(); !s.ok()) return Fail("commit the grants", s);
  return 0;
}

// ---- the queries --------------------------------------------------------------

// {o} orders, {c} customers, {p} products, {r} regions.
struct Query {
  const char* name;
  const char* sql;
};
const Query kQueries[] = {
    {"Q1 revenue by category x segment",
     "SELECT p.category, c.segment, count(*) AS orders, sum(o.amount) AS revenue FROM {o} o "
     "JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku GROUP BY 1, 2 ORDER BY 1, 2"},
    {"Q2 monthly revenue, buyers",
     "SELECT date_trunc('month', o.order_date) AS month, c.segment, sum(o.amount) AS revenue, "
     "count(DISTINCT o.customer_id) AS buyers FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id "
     "JOIN {p} p ON o.sku = p.sku WHERE p.category IN ('books', 'games', 'toys') GROUP BY 1, 2 ORDER BY 1, 2"},
    {"Q3 top customers (hash, redact)",
     "SELECT c.customer_id, c.email, c.full_name, c.country, count(*) AS orders, sum(o.amount) AS spend, "
     "count(DISTINCT p.brand) AS brands FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id "
     "JOIN {p} p ON o.sku = p.sku GROUP BY 1, 2, 3, 4 ORDER BY spend DESC, c.customer_id LIMIT 20"},
    {"Q4 brands by B2B customers",
     "SELECT p.brand, count(DISTINCT o.customer_id) AS customers, sum(o.quantity) AS units FROM {o} o "
     "JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku WHERE c.segment <> 'consumer' "
     "GROUP BY 1 ORDER BY customers DESC, p.brand LIMIT 20"},
    {"Q5 order value by channel",
     "SELECT o.channel, p.category, round(avg(o.amount), 2) AS aov, sum(o.quantity * p.list_price) AS list_value "
     "FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku "
     "WHERE c.signup_date < DATE '2023-01-01' GROUP BY 1, 2 ORDER BY 1, 2"},
    {"Q6 birth decade (year mask)",
     "SELECT year(c.birth_date) // 10 * 10 AS decade, p.category, count(*) AS orders, sum(o.amount) AS revenue "
     "FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku GROUP BY 1, 2 ORDER BY 1, 2"},
    {"Q7 repeat buyers per segment",
     "WITH per AS (SELECT o.customer_id, count(*) AS n, sum(o.amount) AS spend FROM {o} o JOIN {p} p ON o.sku = p.sku "
     "WHERE p.category IN ('kitchen', 'garden') GROUP BY 1) "
     "SELECT c.segment, count(*) FILTER (WHERE per.n >= 3) AS repeat_buyers, count(*) AS buyers, "
     "sum(per.spend) AS spend FROM per JOIN {c} c ON per.customer_id = c.customer_id GROUP BY 1 ORDER BY 1"},
    {"Q8 top 3 categories per month",
     "WITH m AS (SELECT date_trunc('month', o.order_date) AS month, p.category, sum(o.amount) AS revenue "
     "FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku "
     "WHERE c.segment = 'enterprise' GROUP BY 1, 2), "
     "ranked AS (SELECT month, category, revenue, row_number() OVER (PARTITION BY month ORDER BY revenue DESC, "
     "category) AS rnk FROM m) SELECT month, category, revenue, rnk FROM ranked WHERE rnk <= 3 ORDER BY month, rnk"},
    {"Q9 new vs returning revenue",
     "SELECT p.category, year(o.order_date) AS y, sum(o.amount) FILTER (WHERE year(c.signup_date) = "
     "year(o.order_date)) AS new_revenue, sum(o.amount) AS revenue FROM {o} o "
     "JOIN {c} c ON o.customer_id = c.customer_id JOIN {p} p ON o.sku = p.sku GROUP BY 1, 2 ORDER BY 1, 2"},
    {"Q10 hashed emails per country",
     "SELECT r.name AS region, c.country, count(DISTINCT c.email) AS emails, count(DISTINCT o.sku) AS skus, "
     "sum(o.amount) AS revenue FROM {o} o JOIN {c} c ON o.customer_id = c.customer_id "
     "JOIN {p} p ON o.sku = p.sku JOIN {r} r ON c.region = r.region WHERE p.list_price > 10 "
     "GROUP BY 1, 2 ORDER BY 1, 2"},
};

std::string Substitute(std::string sql, const std::map<char, std::string>& names) {
  std::string out;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '{' && i + 2 < sql.size() && sql[i + 2] == '}' && names.count(sql[i + 1])) {
      out += names.at(sql[i + 1]);
      i += 2;
    } else {
      out += sql[i];
    }
  }
  return out;
}

std::string FileList(weft::catalog::Store& store, const std::string& product) {
  auto snaps = store.ListSnapshots(product);  // newest first
  if (!snaps.ok() || snaps->empty()) return "";
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator((*snaps)[0].path))
    if (e.path().extension() == ".parquet") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> quoted;
  for (const auto& f : files) quoted.push_back(SqlQuote(f));
  return "read_parquet([" + weft::Join(quoted, ", ") + "])";
}

std::string Redact(const std::string& col) { return "CASE WHEN " + col + " IS NULL THEN NULL ELSE '***' END AS " + col; }

struct Timing {
  std::vector<double> weft, governed, raw, overhead, fresh, fresh_profiled;
};

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--rows" || a == "--reps" || a == "--trivial") {
      const char* v = value();
      char* end = nullptr;
      long long n = v ? std::strtoll(v, &end, 10) : 0;
      if (!v || *end != '\0' || n < 1) return false;
      if (a == "--rows") o.rows = n;
      else if (a == "--reps") o.reps = static_cast<int>(n);
      else o.trivial = static_cast<int>(n);
    } else if (a == "--dir") {
      const char* v = value();
      if (!v) return false;
      o.dir = v;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--decompose") {
      o.decompose = true;
    } else {
      return false;
    }
  }
  return true;
}

std::string Cell(const std::optional<std::string>& v) { return v ? *v : "NULL"; }

// Where two answers first differ, or "".
std::string Difference(const Rows& a, const Rows& b) {
  if (a.size() != b.size()) return std::to_string(a.size()) + " rows vs " + std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return "row " + std::to_string(i + 1) + ": column counts differ";
    for (size_t j = 0; j < a[i].size(); ++j)
      if (a[i][j] != b[i][j])
        return "row " + std::to_string(i + 1) + " column " + std::to_string(j + 1) + ": " + Cell(a[i][j]) + " vs " +
               Cell(b[i][j]);
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: bench_query [--rows N (10000000)] [--reps R (3)] [--trivial N (200)] [--dir DIR] [--keep] [--decompose]\n");
    return 2;
  }
  const bool own_dir = o.dir.empty();
  fs::path root = own_dir ? fs::temp_directory_path() / ("weft-query-bench-" + std::to_string(::getpid())) : o.dir;
  const int64_t k = Customers(o.rows), np = Products(o.rows);
  std::printf("query bench: sales.orders %s rows, crm.customers %s, merch.products %s, ref.regions 4; %d threads\n",
              Thousands(o.rows).c_str(), Thousands(k).c_str(), Thousands(np).c_str(), kThreads);
  {
    auto marker = weft::ReadFileToString(root / "bench-rows.txt");
    if (marker.ok() && *marker == std::to_string(o.rows)) {
      std::printf("  reusing the workspace in %s\n", root.c_str());
    } else {
      fs::remove_all(root);
      fs::create_directories(root);
      auto t0 = Clock::now();
      if (int rc = Setup(o, root); rc != 0) {
        std::fprintf(stderr, "bench_query: setup failed; files kept in %s\n", root.c_str());
        return 1;
      }
      if (auto s = weft::WriteStringToFile(root / "bench-rows.txt", std::to_string(o.rows), true); !s.ok())
        return Fail("write the marker", s);
      std::printf("  setup (generate, apply, publish, grants): %.1f s\n", Seconds(t0, Clock::now()));
    }
  }
  std::fflush(stdout);

  // What `weft query` builds per invocation (cli/query_command.cc), timed
  // once for scale; then one Gateway serves every query.
  auto setup0 = Clock::now();
  auto ws = weft::control::LoadWorkspace(root / "ws");
  if (!ws.ok()) return Fail("load the workspace", ws.status());
  auto store = weft::catalog::OpenStore(ws->CatalogLocation());
  if (!store.ok()) return Fail("open the catalog", store.status());
  auto principal = weft::access::LoadPrincipal(**store, kConsumer);
  if (!principal.ok()) return Fail("load the consumer", principal.status());
  auto key = weft::control::LoadOrCreateSecret(*ws);
  if (!key.ok()) return Fail("load the secret", key.status());
  auto parser = weft::engine::DuckDbSqlValidator::Create();
  if (!parser.ok()) return Fail("start the parser", parser.status());
  auto is_type = [&p = **parser](const std::string& t) { return p.IsType(t); };
  auto ac = weft::access::AccessControl::Load(**store, {.masking = ws->settings.masking, .key = *key, .is_duckdb_type = is_type});
  if (!ac.ok()) return Fail("load access control", ac.status());
  const double cli_setup = Seconds(setup0, Clock::now());
  const std::string memory = ws->settings.query_memory_limit;
  weft::query::RuntimeOptions runtime_options = weft::query::RuntimeOptions::For(ws->root, ws->settings, *key);
  runtime_options.threads = kThreads;
  weft::query::QueryRuntime runtime(std::move(runtime_options));
  weft::query::Gateway gateway(**store, *ac, **parser,
                               {.rate_card = ws->settings.rate_card, .currency = ws->settings.Currency()}, runtime);

  // The baselines' relations. Governed: the gateway's masks and filters
  // written out for ana (region EU); the hash is weft_hmac keyed with the
  // workspace secret (the only mask not writable by hand), registered on
  // the baselines' instances.
  auto hash = [&](const std::string& col) -> std::string {
    auto e = weft::access::MaskExpression({.kind = weft::access::MaskStrategy::Kind::kHash}, col, "VARCHAR");
    return e.ok() ? *e + " AS " + col : "NULL";
  };
  const std::string region = SqlQuote(kRegion);
  const std::map<char, std::string> files = {{'o', FileList(**store, "sales.orders")},
                                             {'c', FileList(**store, "crm.customers")},
                                             {'p', FileList(**store, "merch.products")},
                                             {'r', FileList(**store, "ref.regions")}};
  for (const auto& [c, f] : files)
    if (f.empty()) return Fail("list the snapshot files", weft::Status::NotFound(std::string("no snapshot for {") + c + "}"));
  const std::map<char, std::string> raw_names = files;
  const std::map<char, std::string> governed_names = {
      {'o', "(SELECT order_id, customer_id, sku, order_date, quantity, amount, channel, region, " + Redact("payment_ref") +
                " FROM " + files.at('o') + " WHERE channel <> 'internal' AND region = " + region + ")"},
      {'c', "(SELECT customer_id, " + hash("email") + ", " + Redact("full_name") +
                ", CAST(date_trunc('year', birth_date) AS DATE) AS birth_date, segment, country, region, signup_date FROM " +
                files.at('c') + " WHERE region = " + region + ")"},
      {'p', "(SELECT sku, name, category, brand, list_price, " + hash("supplier_email") + ", active FROM " + files.at('p') +
                " WHERE active)"},
      {'r', files.at('r')}};
  const std::map<char, std::string> weft_names = {
      {'o', "sales.orders"}, {'c', "crm.customers"}, {'p', "merch.products"}, {'r', "ref.regions"}};

  auto raw_db = weft::engine::Database::Open(
      {.threads = kThreads, .memory_limit = memory, .options = {{"temp_directory", (ws->root / "tmp").string()}}});
  if (!raw_db.ok()) return Fail("open the baseline's DuckDB", raw_db.status());
  auto raw_conn = weft::engine::Connection::Open(*raw_db);
  if (!raw_conn.ok()) return Fail("connect to the baseline's DuckDB", raw_conn.status());
  if (auto st = weft::access::RegisterMaskFunctions(*raw_conn, *key); !st.ok()) return Fail("register weft_hmac", st);

  auto run_weft = [&](const std::string& sql, double& seconds, double* overhead) -> std::optional<Rows> {
    auto t0 = Clock::now();
    auto a = gateway.Run(*principal, {.sql = sql});
    seconds = Seconds(t0, Clock::now());
    if (!a.ok()) {
      Fail("weft query", a.status());
      return std::nullopt;
    }
    if (overhead) *overhead = a->overhead_seconds;
    return std::move(a->rows);
  };
  auto run_raw = [&](const std::string& sql, double& seconds) -> std::optional<Rows> {
    auto t0 = Clock::now();
    auto r = raw_conn->Query(sql);
    if (!r.ok()) {
      seconds = Seconds(t0, Clock::now());
      Fail("raw query", r.status());
      return std::nullopt;
    }
    auto rows = r->FetchAllAsStrings();
    seconds = Seconds(t0, Clock::now());
    if (!rows.ok()) {
      Fail("raw fetch", rows.status());
      return std::nullopt;
    }
    return std::move(*rows);
  };

  // The governed baseline in a fresh instance per query (as weft's session),
  // optionally profiled (as weft's session is, for metering).
  auto run_fresh = [&](const std::string& sql, bool profiled, double& seconds) -> bool {
    auto t0 = Clock::now();
    {
      auto db = weft::engine::Database::Open(
          {.threads = kThreads, .memory_limit = memory, .options = {{"temp_directory", (ws->root / "tmp").string()}}});
      if (!db.ok()) return Fail("open DuckDB", db.status()) == 0;
      auto conn = weft::engine::Connection::Open(*db);
      if (!conn.ok()) return Fail("connect", conn.status()) == 0;
      if (auto st = weft::access::RegisterMaskFunctions(*conn, *key); !st.ok()) return Fail("register weft_hmac", st) == 0;
      if (profiled) {
        if (auto st = conn->Execute("PRAGMA enable_profiling = 'no_output'"); !st.ok()) return Fail("profiling", st) == 0;
      }
      auto r = conn->Query(sql);
      if (!r.ok()) return Fail("fresh query", r.status()) == 0;
      auto rows = r->FetchAllAsStrings();
      if (!rows.ok()) return Fail("fresh fetch", rows.status()) == 0;
      if (profiled) (void)conn->ProfilingMetrics();
    }
    seconds = Seconds(t0, Clock::now());
    return true;
  };

  // The row filter weft actually applied, for the record.
  {
    auto a = gateway.Run(*principal, {.sql = "SELECT count(*) FROM sales.orders o JOIN crm.customers c ON "
                                             "o.customer_id = c.customer_id JOIN merch.products p ON o.sku = p.sku"});
    if (!a.ok()) return Fail("weft query", a.status());
    for (const auto& r : a->relations)
      std::printf("  %-15s basis %-5s row filter: %s\n", r.product_id.c_str(), r.access.basis.c_str(),
                  r.access.row_filter.empty() ? "(none)" : r.access.row_filter.c_str());
  }

  bool ok = true;
  std::vector<Timing> timings(std::size(kQueries));
  std::printf("\n  %-34s %9s %9s %9s %7s %7s %9s %7s\n", "query", "weft s", "gov s", "raw s", "w/gov", "w/raw",
              "overhead", "rows");
  for (size_t q = 0; q < std::size(kQueries); ++q) {
    const std::string wsql = Substitute(kQueries[q].sql, weft_names), gsql = Substitute(kQueries[q].sql, governed_names),
                      rsql = Substitute(kQueries[q].sql, raw_names);
    // Warm-up (page cache) and the correctness check.
    double s = 0, ov = 0;
    auto w = run_weft(wsql, s, &ov);
    auto g = run_raw(gsql, s);
    auto r = run_raw(rsql, s);
    if (!w || !g || !r) {
      std::printf("  %s: FAILED to run (see above)\n", kQueries[q].name);
      ok = false;
      continue;
    }
    std::string diff = Difference(*w, *g);
    if (!diff.empty()) {
      std::printf("  RESULT CHECK FAILED: %s: weft vs governed baseline: %s\n", kQueries[q].name, diff.c_str());
      ok = false;
    }
    if (Difference(*w, *r).empty()) {
      std::printf("  RESULT CHECK FAILED: %s: weft's answer equals the ungoverned one (filters not applied?)\n",
                  kQueries[q].name);
      ok = false;
    }
    if (q == 2) {  // Q3: the masks, checked outside SQL.
      for (const auto& row : *w) {
        std::string id = Cell(row[0]);
        std::string email = "user" + std::to_string(std::stoll(id.substr(1))) + "@example.com";
        if (Cell(row[1]) != weft::access::HmacSha256Hex(*key, email) || Cell(row[2]) != "***") {
          std::printf("  RESULT CHECK FAILED: Q3: %s: email %s, name %s are not HMAC(%s) and ***\n", id.c_str(),
                      Cell(row[1]).c_str(), Cell(row[2]).c_str(), email.c_str());
          ok = false;
          break;
        }
      }
    }
    // Timed repetitions, the order rotated each time.
    Timing& t = timings[q];
    const int variants = o.decompose ? 5 : 3;
    for (int rep = 0; rep < o.reps; ++rep) {
      for (int step = 0; step < variants; ++step) {
        switch ((rep + step) % variants) {
          case 3:
            if (run_fresh(gsql, false, s)) t.fresh.push_back(s);
            break;
          case 4:
            if (run_fresh(gsql, true, s)) t.fresh_profiled.push_back(s);
            break;
          case 0:
            if (run_weft(wsql, s, &ov)) {
              t.weft.push_back(s);
              t.overhead.push_back(ov);
            }
            break;
          case 1:
            if (run_raw(gsql, s)) t.governed.push_back(s);
            break;
          case 2:
            if (run_raw(rsql, s)) t.raw.push_back(s);
            break;
          default:
            break;
        }
      }
    }
    const double mw = Median(t.weft), mg = Median(t.governed), mr = Median(t.raw);
    std::printf("  %-34s %9.3f %9.3f %9.3f %6.2fx %6.2fx %7.2fms %7zu%s\n", kQueries[q].name, mw, mg, mr, mw / mg,
                mw / mr, Median(t.overhead) * 1e3, w->size(), diff.empty() ? "" : "  MISMATCH");
    if (o.decompose)
      std::printf("  %-34s %9s gov in a fresh instance %.3f s (%.2fx), + profiling %.3f s (%.2fx)\n", "", "",
                  Median(t.fresh), Median(t.fresh) / mg, Median(t.fresh_profiled), Median(t.fresh_profiled) / mg);
    std::fflush(stdout);
  }

  std::vector<double> ratio_gov, ratio_raw, overheads, ratio_gov_raw;
  double sum_w = 0, sum_g = 0, sum_r = 0;
  for (const auto& t : timings) {
    if (t.weft.empty() || t.governed.empty() || t.raw.empty()) continue;
    ratio_gov.push_back(Median(t.weft) / Median(t.governed));
    ratio_raw.push_back(Median(t.weft) / Median(t.raw));
    ratio_gov_raw.push_back(Median(t.governed) / Median(t.raw));
    sum_w += Median(t.weft);
    sum_g += Median(t.governed);
    sum_r += Median(t.raw);
    overheads.insert(overheads.end(), t.overhead.begin(), t.overhead.end());
  }
  const double med_gov = Median(ratio_gov), med_raw = Median(ratio_raw);
  std::printf("  %-34s %9.3f %9.3f %9.3f %6.2fx %6.2fx\n", "total (sum of medians)", sum_w, sum_g, sum_r, sum_w / sum_g,
              sum_w / sum_r);
  std::printf("\n  median ratio weft / raw governed by hand: %.3fx  (target <= 1.10, aim 1.05): %s\n", med_gov,
              med_gov <= 1.10 ? (med_gov <= 1.05 ? "met (and the aim)" : "met") : "MISSED");
  std::printf("  median ratio weft / raw, no governance:   %.3fx  (for scale: governance by hand costs %.3fx)\n", med_raw,
              Median(ratio_gov_raw));
  std::printf("  overhead of the 10 queries' runs (%zu): p50 %.2f ms, p99 %.2f ms\n", overheads.size(),
              Percentile(overheads, 0.5) * 1e3, Percentile(overheads, 0.99) * 1e3);

  // Fixed overhead on a trivial query over a tiny product.
  std::vector<double> t_over, t_wall, t_raw;
  const std::string trivial = "SELECT 1 AS one FROM ref.regions LIMIT 1";
  for (int i = 0; i < o.trivial + 5; ++i) {
    double s = 0, ov = 0, rs = 0;
    auto w = run_weft(trivial, s, &ov);
    auto r = run_raw("SELECT 1 AS one FROM " + files.at('r') + " LIMIT 1", rs);
    if (!w || !r) {
      ok = false;
      break;
    }
    if (i < 5) continue;  // warm-up
    t_over.push_back(ov);
    t_wall.push_back(s);
    t_raw.push_back(rs);
  }
  const double p50 = Percentile(t_over, 0.5);
  std::printf("  trivial query x %zu (%s):\n", t_over.size(), trivial.c_str());
  std::printf("    overhead (budget, parse, authorize, views): p50 %.2f ms, p99 %.2f ms  (target p50 <= 3 ms): %s\n",
              p50 * 1e3, Percentile(t_over, 0.99) * 1e3, p50 <= 0.003 ? "met" : "MISSED");
  std::printf("    Gateway::Run end to end (incl. metering):    p50 %.2f ms, p99 %.2f ms\n", Percentile(t_wall, 0.5) * 1e3,
              Percentile(t_wall, 0.99) * 1e3);
  std::printf("    raw DuckDB, same query on the file:           p50 %.2f ms, p99 %.2f ms\n", Percentile(t_raw, 0.5) * 1e3,
              Percentile(t_raw, 0.99) * 1e3);
  std::printf("    for scale: what `weft query` sets up per invocation before Run (store, parser, AccessControl::Load): %.1f ms\n",
              cli_setup * 1e3);

  // Where the trivial query's overhead goes: the gateway's steps (gateway.cc)
  // repeated from outside with the same calls, each timed alone.
  {
    std::map<std::string, std::vector<double>> ph;
    const std::string now = weft::NowIso();
    auto tick = [&](const std::string& name, Clock::time_point& t) {
      auto n = Clock::now();
      ph[name].push_back(Seconds(t, n));
      t = n;
    };
    for (int i = 0; i < std::min(o.trivial, 100); ++i) {
      auto t = Clock::now();
      auto domains = (*store)->ListDomains();
      auto usage = (*store)->ListUsage({.consumer_domain = principal->domain, .since = now.substr(0, 7) + "-01"});
      tick("1 budget: ListDomains + ListUsage (month)", t);
      auto ast = (*parser)->SerializeSql(trivial);
      tick("2 parse: json_serialize_sql", t);
      auto products = (*store)->ListProducts();
      auto snaps = (*store)->ListSnapshots("ref.regions");
      auto ports = (*store)->ListPortVersions();
      tick("3 bind: ListProducts, ListSnapshots, ListPortVersions", t);
      auto access = ac->Authorize(*principal, "ref.regions", 1, snaps.ok() && !snaps->empty() ? (*snaps)[0].contract_version : "",
                                  now);
      tick("3 bind: AccessControl::Authorize", t);
      if (!ast.ok() || !access.ok()) break;
      weft::lineage::InputSchemas schemas;
      for (const auto& c : access->columns) schemas["ref.regions"].push_back(c.name);
      auto analyzed = weft::lineage::AnalyzeSelect(*ast, schemas, trivial);
      tick("4 analyze: AnalyzeSelect", t);
      {
        auto db = weft::engine::Database::Open({.threads = kThreads, .memory_limit = memory,
                                                .options = {{"temp_directory", (ws->root / "tmp").string()}}});
        if (!db.ok()) break;
        auto conn = weft::engine::Connection::Open(*db);
        tick("5 session: Database::Open + Connection::Open (a one-shot CLI engine; a server's are warm)", t);
        if (!conn.ok()) break;
        std::string dir = (*snaps)[0].path + "/";
        auto s = conn->Execute("CREATE SCHEMA IF NOT EXISTS ref; CREATE VIEW ref.regions AS SELECT region, name FROM " +
                               files.at('r') + ";\nPRAGMA enable_profiling = 'no_output';\nSET allowed_directories = [" +
                               SqlQuote(dir) + "];\nSET enable_external_access = false;\nSET lock_configuration = true;");
        tick("5 session: views + sandbox settings", t);
        auto q = conn->Query(trivial);
        tick("6 run the query", t);
      }
      tick("  close the session (DuckDB teardown)", t);
      auto txn = (*store)->BeginWrite();
      if (txn.ok() && (*txn)->InsertUsage({.at = now, .principal = "phase-probe", .kind = "query", .status = "ok"}).ok())
        (*txn)->Commit().IgnoreError();
      tick("6 meter: InsertUsage + Commit (fsync)", t);
    }
    std::printf("  where the trivial query's time goes (each step of gateway.cc repeated alone, %zu times):\n",
                ph.empty() ? size_t{0} : ph.begin()->second.size());
    for (const auto& [name, v] : ph)
      std::printf("    %-56s p50 %7.2f ms  p99 %7.2f ms\n", name.c_str(), Percentile(v, 0.5) * 1e3,
                  Percentile(v, 0.99) * 1e3);
  }

  if (ok)
    std::printf("  results: weft's answers equal the governed baseline's for every query, differ from the ungoverned "
                "ones; Q3's hashes and redactions verified\n");
  else
    std::printf("  RESULT CHECK FAILED (see above)\n");
  if (med_gov > 1.10 || p50 > 0.003) std::printf("  TARGET MISSED: see docs/benchmarks.md\n");
  if (own_dir && !o.keep) fs::remove_all(root);
  else std::printf("  workspace kept in %s\n", root.c_str());
  return ok ? 0 : 1;
}
