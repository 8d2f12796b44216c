// Catalog search at scale: a catalog holding the search entries of N products
// (default 100,000, in 40 domains), written through the Store's transaction
// API, then 1,000 queries from a fixed mix (single words, two words,
// prefixes, a quarter of them with a domain filter) through Store::Search.
// Target: p99 <= 10 ms.
//
// Baseline in the same process: the same queries (the same FTS5 MATCH
// expressions) against a plain FTS5 table holding the same text, built with
// the sqlite3 C API: default bm25 order, LIMIT 20, no column weights, no
// join, no snippet, no facets. Writing that table is the baseline for the
// catalog write. Where a query's time goes is measured by running the part
// of a store query that grows with the matches (ranking every match) on its
// own against the catalog file. The load average is printed at the start and
// the end: on a shared machine the figures move with it.
//
//   bench_search [PRODUCTS] [QUERIES]     (WEFT_BENCH_KEEP=1 keeps the catalog file for inspection)
//   WEFT_BENCH_CATALOG=postgres://USER@HOST:PORT/DB bench_search   (the same catalog written and searched
//                                          again on PostgreSQL, an empty database; ratios to the SQLite store)
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "catalog/sqlite/fts_query.h"
#include "catalog/store.h"
#include "control/workspace.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Business vocabulary, roughly most to least common.
const std::vector<std::string> kWords = {
    "customer", "order", "sales", "daily", "revenue", "product", "account", "payment", "invoice", "shipment",
    "inventory", "price", "store", "region", "country", "channel", "campaign", "marketing", "finance", "monthly",
    "weekly", "summary", "event", "session", "web", "mobile", "supplier", "vendor", "warehouse", "stock",
    "return", "refund", "discount", "promotion", "loyalty", "member", "subscription", "contract", "claim", "policy",
    "risk", "fraud", "score", "ticket", "support", "agent", "employee", "payroll", "budget", "forecast",
    "margin", "cost", "tax", "currency", "exchange", "rate", "transaction", "ledger", "balance", "journal",
    "asset", "lease", "fleet", "route", "delivery", "carrier", "parcel", "tracking", "address", "geography",
    "household", "segment", "cohort", "churn", "retention", "lifetime", "value", "basket", "cart", "checkout",
    "click", "impression", "conversion", "attribution", "lead", "opportunity", "pipeline", "quote", "catalog", "category",
    "brand", "sku", "assortment", "planogram", "markdown", "replenishment", "demand", "supply", "procurement", "purchase",
    "receipt", "audit", "compliance", "consent", "privacy", "identity", "device", "sensor", "telemetry", "energy",
    "emission", "carbon", "sustainability", "survey", "feedback", "review", "rating", "complaint", "incident", "outage",
    "latency", "quality", "anomaly", "benchmark", "experiment", "variant", "recommendation", "search", "query", "index",
    // rarer terms: systems, places, specialist vocabulary
    "sap", "salesforce", "workday", "shopify", "zendesk", "stripe", "adyen", "netsuite", "hubspot", "marketo",
    "ga4", "snowplow", "kafka", "debezium", "iceberg", "parquet", "emea", "apac", "nordics", "benelux",
    "iberia", "dach", "uk", "us", "canada", "brazil", "poland", "sweden", "denmark", "france",
    "gdpr", "sox", "ifrs", "gaap", "vat", "hmrc", "kyc", "aml", "pci", "iso",
    "accrual", "amortization", "depreciation", "reconciliation", "settlement", "chargeback", "dispute", "dunning",
    "collections", "receivable", "payable", "treasury", "hedging", "fx", "commission", "bonus", "headcount",
    "attrition", "onboarding", "offboarding", "absence", "shift", "roster", "timesheet", "overtime", "picking",
    "packing", "putaway", "cycle", "shrinkage", "spoilage", "expiry", "batch", "lot", "serial", "bom",
    "routing", "yield", "scrap", "downtime", "maintenance", "calibration", "inspection", "defect", "recall",
    "warranty", "repair", "spare", "rental", "booking", "reservation", "itinerary", "fare", "voucher", "coupon",
    "giftcard", "wallet", "points", "tier", "referral", "affiliate", "influencer", "newsletter", "unsubscribe",
    "bounce", "open", "dwell", "scroll", "heatmap", "funnel", "abandonment", "upsell", "crosssell", "bundle",
    "elasticity", "competitor", "benchmarking", "sentiment", "nps", "csat", "sla", "escalation", "backlog"};

const std::vector<std::string> kColumnWords = {
    "id", "ts", "date", "amount", "status", "code", "name", "type", "count", "total", "qty", "price",
    "country", "region", "channel", "currency", "email", "phone", "created", "updated", "source", "flag"};

const std::vector<std::string> kDomains = {
    "sales", "finance", "marketing", "inventory", "customer", "logistics", "hr", "payments", "pricing", "support",
    "risk", "fraud", "catalog", "supply", "procurement", "loyalty", "returns", "stores", "web", "partners",
    "legal", "tax", "treasury", "audit", "security", "identity", "devices", "energy", "facilities", "fleet",
    "media", "content", "search", "ads", "growth", "research", "quality", "operations", "planning", "data"};

const std::vector<std::string> kClasses = {"public", "internal", "confidential", "pii", "restricted"};

struct Rng {
  std::mt19937_64 gen{20250701};
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(gen); }
  // Skewed towards the front of the list (common words are common).
  const std::string& Pick(const std::vector<std::string>& v, double skew = 2.0) {
    return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * std::pow(Uniform(), skew)))];
  }
  size_t Below(size_t n) { return static_cast<size_t>(Uniform() * n) % n; }
};

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

weft::catalog::SearchDocument MakeDoc(Rng& rng, int i) {
  weft::catalog::SearchDocument d;
  d.domain = kDomains[i % kDomains.size()];
  std::string a = rng.Pick(kWords), b = rng.Pick(kWords, 1.0);
  d.name = a + "_" + b + "_" + std::to_string(i);
  d.product_id = d.domain + "." + d.name;
  d.status = i % 17 == 0 ? "deprecated" : "active";
  std::vector<std::string> desc;
  for (int w = 0; w < 12; ++w) desc.push_back(rng.Pick(kWords, 1.3));
  d.description = "Every " + a + " " + b + " record of the " + d.domain + " domain: " + Join(desc, " ") + ".";
  d.tags = {d.domain, a};
  if (i % 3 == 0) d.tags.push_back(rng.Pick(kWords));
  std::vector<std::string> cols, descs;
  for (int c = 0; c < 15; ++c) {
    std::string w = rng.Pick(kWords, 1.3), cw = rng.Pick(kColumnWords, 1.0);
    cols.push_back(w + "_" + cw);
    descs.push_back("The " + w + " " + cw + ".");
  }
  d.columns = Join(cols, " ");
  d.column_descriptions = Join(descs, " ");
  d.classifications = {"internal", kClasses[rng.Below(kClasses.size())]};
  if (d.classifications[1] == "internal") d.classifications.pop_back();
  d.golden_record = i % 5000 == 0;
  return d;
}

struct Query {
  std::string text;
  std::string domain;
  const char* kind;
};

// The fixed mix: 35% one whole word, 25% two words, 25% a prefix being typed,
// 15% a word and a prefix; a quarter of all with a domain filter.
std::vector<Query> MakeQueries(Rng& rng, int n) {
  std::vector<Query> qs;
  for (int i = 0; i < n; ++i) {
    Query q;
    double r = rng.Uniform();
    const std::string& w1 = rng.Pick(kWords, 1.5);
    const std::string& w2 = rng.Pick(kWords, 1.5);
    auto prefix = [&](const std::string& w) { return w.substr(0, std::min<size_t>(w.size(), 3 + rng.Below(3))); };
    if (r < 0.35) {
      q = {w1 + " ", "", "word"};  // trailing space: a finished word, not a prefix
    } else if (r < 0.60) {
      q = {w1 + " " + w2 + " ", "", "two words"};
    } else if (r < 0.85) {
      q = {prefix(w1), "", "prefix"};
    } else {
      q = {w1 + " " + prefix(w2), "", "word + prefix"};
    }
    if (rng.Uniform() < 0.25) q.domain = kDomains[rng.Below(kDomains.size())];
    qs.push_back(std::move(q));
  }
  return qs;
}

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

struct Percentiles {
  double p50, p95, p99, max, mean;
};

Percentiles Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  double sum = 0;
  for (double x : ms) sum += x;
  return {at(0.50), at(0.95), at(0.99), ms.back(), sum / ms.size()};
}

void Print(const char* what, const Percentiles& p) {
  std::printf("  %-40s p50 %7.3f  p95 %7.3f  p99 %7.3f  max %7.3f  mean %7.3f ms\n", what, p.p50, p.p95, p.p99, p.max,
              p.mean);
}

bool Check(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
  std::fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
  return false;
}

// Runs `sql` once per query (prepared each time, as the store does), binding
// :match and, when present, :domain and the store's other filters; returns
// the latency of each in ms.
std::vector<double> RunRaw(sqlite3* db, const std::string& sql, const std::vector<Query>& qs,
                           const std::vector<std::string>& matches, size_t* rows_out) {
  std::vector<double> ms;
  size_t rows = 0;
  for (size_t i = 0; i < qs.size(); ++i) {
    auto t0 = Clock::now();
    sqlite3_stmt* stmt = nullptr;
    if (!Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), db, "prepare")) std::exit(1);
    auto bind = [&](const char* name, const std::string& v) {
      if (int idx = sqlite3_bind_parameter_index(stmt, name))
        sqlite3_bind_text(stmt, idx, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    };
    bind(":match", matches[i]);
    bind(":domain", qs[i].domain);
    bind(":status", "");
    bind(":tag", "");
    bind(":classification", "");
    if (int idx = sqlite3_bind_parameter_index(stmt, ":limit")) sqlite3_bind_int(stmt, idx, 20);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ++rows;
    Check(rc, db, "step");
    sqlite3_finalize(stmt);
    ms.push_back(Seconds(t0, Clock::now()) * 1000);
  }
  if (rows_out) *rows_out = rows;
  return ms;
}

}  // namespace

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int nq = argc > 2 ? std::atoi(argv[2]) : 1000;
  const auto run_start = Clock::now();
  const double load_start = LoadAverage();
  fs::path root = fs::temp_directory_path() / ("weft-search-bench-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto ws = weft::control::InitWorkspace(root / "ws", "bench");
  if (!ws.ok()) {
    std::fprintf(stderr, "cannot create the workspace: %s\n", ws.status().message().c_str());
    return 1;
  }
  auto opened = weft::catalog::OpenStore(ws->CatalogLocation());
  if (!opened.ok()) {
    std::fprintf(stderr, "cannot open the catalog: %s\n", opened.status().message().c_str());
    return 1;
  }
  weft::catalog::Store& store = **opened;

  Rng rng;
  std::vector<weft::catalog::SearchDocument> docs;
  docs.reserve(n);
  for (int i = 0; i < n; ++i) docs.push_back(MakeDoc(rng, i));
  std::vector<Query> queries = MakeQueries(rng, nq);
  std::vector<std::string> matches;
  for (const auto& q : queries) matches.push_back(*weft::catalog::sqlite::FtsMatchExpression(q.text));

  // --- the catalog write: domains, products and search entries, 4 transactions.
  auto die = [](const weft::Status& s, const char* what) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  };
  const int kBatches = 4;
  struct Written {
    double total = 0, products = 0, index = 0, commit = 0;
  };
  // Domains, products and search entries in kBatches transactions.
  auto write_catalog = [&](weft::catalog::Store& into) {
    Written w;
    auto w0 = Clock::now();
    for (int b = 0; b < kBatches; ++b) {
      auto txn = into.BeginWrite();
      if (!txn.ok()) die(txn.status(), "begin");
      if (b == 0)
        for (const auto& d : kDomains) {
          weft::Status s = (*txn)->UpsertDomain({.name = d, .owners = {"lead@" + d + ".example"},
                                                 .storage_root = (root / "ws/domains" / d).string(),
                                                 .service_principal = "svc." + d, .spec_json = "{}", .digest = d});
          if (!s.ok()) die(s, "domain");
        }
      for (int i = b * n / kBatches; i < (b + 1) * n / kBatches; ++i) {
        const auto& d = docs[i];
        auto a = Clock::now();
        weft::Status s = (*txn)->UpsertProduct({.id = d.product_id, .domain = d.domain, .name = d.name,
                                                .status = d.status, .version = "1.0.0", .description = d.description,
                                                .tags = d.tags, .spec_json = "{}", .digest = d.product_id});
        if (!s.ok()) die(s, "product");
        auto m = Clock::now();
        s = (*txn)->IndexForSearch(d);
        if (!s.ok()) die(s, "index");
        auto e = Clock::now();
        w.products += Seconds(a, m);
        w.index += Seconds(m, e);
      }
      auto c0 = Clock::now();
      weft::Status s = (*txn)->Commit();
      if (!s.ok()) die(s, "commit");
      w.commit += Seconds(c0, Clock::now());
    }
    w.total = Seconds(w0, Clock::now());
    return w;
  };
  const Written written = write_catalog(store);
  const double write = written.total, t_products = written.products, t_index = written.index, t_commit = written.commit;

  // --- the baseline table: plain FTS5 with the same text.
  sqlite3* raw = nullptr;
  fs::path raw_file = root / "raw_fts.db";
  if (!Check(sqlite3_open(raw_file.c_str(), &raw), raw, "open")) return 1;
  sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  auto b0 = Clock::now();
  sqlite3_exec(raw,
               "CREATE VIRTUAL TABLE docs USING fts5(name, tags, columns, description, column_descriptions, "
               "product_id UNINDEXED, domain UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
               nullptr, nullptr, nullptr);
  sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr);
  {
    sqlite3_stmt* ins = nullptr;
    Check(sqlite3_prepare_v2(raw, "INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &ins, nullptr), raw,
          "prepare insert");
    for (const auto& d : docs) {
      std::string tags = Join(d.tags, " ");
      const std::string* cols[] = {&d.name, &tags, &d.columns, &d.description, &d.column_descriptions,
                                   &d.product_id, &d.domain};
      for (int c = 0; c < 7; ++c)
        sqlite3_bind_text(ins, c + 1, cols[c]->c_str(), static_cast<int>(cols[c]->size()), SQLITE_STATIC);
      if (!Check(sqlite3_step(ins), raw, "insert")) return 1;
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
  }
  if (!Check(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), raw, "commit")) return 1;
  const double raw_write = Seconds(b0, Clock::now());

  // --- queries. A short warm-up of each, then the measured run.
  struct Searched {
    std::vector<double> ms;
    size_t hits = 0, empty = 0, facets_partial = 0;
  };
  auto run_queries = [&](weft::catalog::Store& in) {
    for (int i = 0; i < 20 && i < nq; ++i) (void)in.Search({.text = queries[i].text, .domain = queries[i].domain});
    Searched out;
    for (const auto& q : queries) {
      auto t0 = Clock::now();
      auto r = in.Search({.text = q.text, .domain = q.domain});
      out.ms.push_back(Seconds(t0, Clock::now()) * 1000);
      if (!r.ok()) die(r.status(), "search");
      out.hits += r->hits.size();
      out.empty += r->hits.empty();
      out.facets_partial += !r->facets_complete;
    }
    return out;
  };
  const Searched searched = run_queries(store);
  const std::vector<double>& store_ms = searched.ms;
  const size_t store_hits = searched.hits, empty = searched.empty, facets_partial = searched.facets_partial;
  const std::string raw_sql =
      "SELECT product_id, domain, name FROM docs WHERE docs MATCH :match AND (:domain = '' OR domain = :domain) "
      "ORDER BY rank LIMIT 20";
  std::vector<Query> warm(queries.begin(), queries.begin() + std::min(nq, 20));
  RunRaw(raw, raw_sql, warm, matches, nullptr);
  size_t raw_rows = 0;
  std::vector<double> raw_ms = RunRaw(raw, raw_sql, queries, matches, &raw_rows);

  // --- where a store query's time goes: the part that grows with the
  // number of matches, run alone on the catalog file. Store::Search ranks
  // every match (bm25 with the column weights, the join for the filters and
  // the golden-record boost) to keep the best kFacetWindow + 1; the rest of
  // its work (facets of those, snippets of 20, glossary terms) is bounded.
  // The copy of the ranking SQL mirrors text_hits in sqlite_store.cc.
  sqlite3* cat = nullptr;
  if (!Check(sqlite3_open_v2(ws->CatalogLocation().c_str(), &cat, SQLITE_OPEN_READONLY, nullptr), cat, "open catalog"))
    return 1;
  const std::string from = " FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid"
                           " WHERE search_fts MATCH :match AND (:domain = '' OR d.domain = :domain)";
  const std::string rank_sql =
      "SELECT d.product_id, -bm25(search_fts, 10.0, 5.0, 3.0, 2.0, 1.0) * CASE WHEN d.golden_record THEN 1.5 ELSE "
      "1.0 END AS score" + from + " ORDER BY score DESC, d.product_id LIMIT :limit";
  const std::string count_sql = "SELECT count(*)" + from;
  RunRaw(cat, rank_sql, warm, matches, nullptr);
  auto rank_ms = RunRaw(cat, rank_sql, queries, matches, nullptr);
  // Visiting every match without ranking: count(*) (what the matches alone cost).
  auto count_ms = RunRaw(cat, count_sql, queries, matches, nullptr);
  // How many rows each query matches (what the ranking walks).
  size_t matched_total = 0, matched_max = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(cat, count_sql.c_str(), -1, &st, nullptr);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":match"), matches[i].c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":domain"), queries[i].domain.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
      size_t c = static_cast<size_t>(sqlite3_column_int64(st, 0));
      matched_total += c;
      matched_max = std::max(matched_max, c);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(cat);
  sqlite3_close(raw);
  uintmax_t catalog_bytes = fs::file_size(ws->CatalogLocation());
  if (std::getenv("WEFT_BENCH_KEEP") != nullptr) {
    std::printf("kept the catalog: %s\n", ws->CatalogLocation().c_str());
  } else {
    fs::remove_all(root);
  }

  // Per kind of query, for the store.
  auto sp = Summarize(store_ms), rp = Summarize(raw_ms);
  const bool ok = sp.p99 <= 10.0;
  std::printf("search bench: %d products in %zu domains, %d queries (%zu with a domain filter); catalog %.0f MB\n", n,
              kDomains.size(), nq,
              static_cast<size_t>(std::count_if(queries.begin(), queries.end(), [](const Query& q) { return !q.domain.empty(); })),
              catalog_bytes / 1e6);
  std::printf("  write: baseline raw FTS5 insert, 1 txn     %8.3f s\n", raw_write);
  std::printf("  write: Store, %d txns                       %8.3f s  (%.2fx baseline; UpsertProduct %.3f s, "
              "IndexForSearch %.3f s, commit %.3f s)\n",
              kBatches, write, write / raw_write, t_products, t_index, t_commit);
  std::printf("  matches per query: mean %.0f, max %zu; store hits returned: mean %.1f, %zu queries with none; "
              "%zu queries' facets count only the best matches (facets_complete false)\n",
              static_cast<double>(matched_total) / nq, matched_max, static_cast<double>(store_hits) / nq, empty,
              facets_partial);
  Print("baseline raw FTS5 MATCH, rank, LIMIT 20", rp);
  Print("Store::Search", sp);
  std::printf("  ratio of p99s: %.2fx baseline; target p99 <= 10 ms: %s\n", sp.p99 / rp.p99, ok ? "met" : "MISSED");
  for (const char* kind : {"word", "two words", "prefix", "word + prefix"}) {
    for (bool filtered : {false, true}) {
      std::vector<double> sub;
      for (size_t i = 0; i < queries.size(); ++i)
        if (std::string(queries[i].kind) == kind && filtered == !queries[i].domain.empty()) sub.push_back(store_ms[i]);
      if (sub.empty()) continue;
      std::string label = std::string("  Store, ") + kind + (filtered ? " + domain" : "") + " (" +
                          std::to_string(sub.size()) + ")";
      Print(label.c_str(), Summarize(sub));
    }
  }
  std::printf("  where the time goes, run alone on the catalog file (same queries):\n");
  Print("  rank every match (bm25, join), LIMIT 20", Summarize(rank_ms));
  Print("  visit every match, no ranking (count)", Summarize(count_ms));
  // --- the same catalog on PostgreSQL (issue 12: within 2x of SQLite).
  bool pg_ok = true;
  if (const char* url = std::getenv("WEFT_BENCH_CATALOG"); url != nullptr && *url != '\0') {
    auto pg = weft::catalog::OpenStore(url);
    if (!pg.ok()) die(pg.status(), "the PostgreSQL catalog");
    const Written pw = write_catalog(**pg);
    const Searched ps = run_queries(**pg);
    const auto pgp = Summarize(ps.ms);
    pg_ok = pw.total <= 2 * write && pgp.p99 <= 2 * sp.p99;
    std::printf("  on PostgreSQL (%s):\n", url);
    std::printf("  write: Store, %d txns                       %8.3f s  (%.2fx SQLite's; UpsertProduct %.3f s, "
                "IndexForSearch %.3f s, commit %.3f s)\n",
                kBatches, pw.total, pw.total / write, pw.products, pw.index, pw.commit);
    Print("Store::Search on PostgreSQL", pgp);
    std::printf("  hits returned: mean %.1f, %zu queries with none; ratio of p99s %.2fx SQLite's, of p50s %.2fx; "
                "target within 2x of SQLite (write and p99): %s\n",
                static_cast<double>(ps.hits) / nq, ps.empty, pgp.p99 / sp.p99, pgp.p50 / sp.p50, pg_ok ? "met" : "MISSED");
  }
  std::printf("  load average (1 min): %.2f at the start, %.2f at the end; whole run %.0f s\n", load_start,
              LoadAverage(), Seconds(run_start, Clock::now()));
  if (!ok || !pg_ok) std::printf("  TARGET MISSED: see docs/benchmarks.md for where the time goes\n");
  return 0;
}
