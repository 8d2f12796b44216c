// `weft plan` + `weft apply` of a generated mesh: by default 1,000 products in
// 20 domains, each product with two output ports bound to a contract of its
// own (2,000 contracts of 15 properties, with classifications, quality rules,
// SLAs, a few relationships and input ports), one reference entity, and
// domain.yaml files with owners, budgets and cost centers. The tree passes
// the default policy pack; the bench checks that (no refusals) before timing
// anything further.
//
// Measured:
//   (a) MakePlan + Apply on a fresh workspace (default pack)     target <= 5 s
//   (b) `weft plan` of the unchanged tree: load + a second MakePlan,
//       which must find no changes (it reuses (a)'s policy results,
//       as weft plan does; also printed: the same without them)   target <= 2 s
// Baseline in the same process: yaml-cpp (weft's parser until issue 20)
// parsing the same files one by one, and nothing else. Where the time goes is measured from
// outside the planner by running its phases on their own: lint with the
// DuckDB validator, governance::Evaluate of the default pack, reading the
// catalog back, and Apply (the catalog write and the directories).
//
//   bench_apply [PRODUCTS] [DOMAINS]
//   WEFT_BENCH_CATALOG=postgres://USER@HOST:PORT/DB bench_apply   (the catalog on
//   PostgreSQL, an empty database; the issue-12 target: within 2x of SQLite)
#include <time.h>
#include <yaml-cpp/yaml.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"
#include "governance/metadata_model.h"
#include "governance/policy.h"
#include "spec/lint.h"
#include "spec/loader.h"
#include "spec/tree.h"
#include "storage/file_system.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const char* kDomains[] = {"sales",     "finance",   "marketing", "inventory", "customer", "logistics", "hr",
                          "payments",  "pricing",   "support",   "risk",      "fraud",    "catalog",   "supply",
                          "procurement", "loyalty", "returns",   "stores",    "web",      "partners"};
const char* kNouns[] = {"orders",   "invoices", "shipments", "payments", "refunds",  "accounts", "sessions",
                        "tickets",  "claims",   "returns",   "stock",    "prices",   "leads",    "campaigns",
                        "contracts", "vendors", "employees", "visits",   "carts",    "reviews"};
const char* kColumns[] = {"status",     "amount",      "currency",   "channel",   "country",  "region",
                          "created_at", "updated_at",  "quantity",   "unit_price", "discount", "email",
                          "phone",      "postal_code", "category",   "segment",   "score",    "notes"};
const char* kClasses[] = {"public", "internal", "confidential", "pii"};

std::string Num(int i, int width = 3) {
  std::string s = std::to_string(i);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

std::string DomainYaml(const std::string& d, int i) {
  return "apiVersion: weft/v1\nkind: Domain\nname: " + d + "\ndescription: >-\n  The " + d +
         " domain: its source systems, its products and the team that runs them.\nowners:\n  - lead@" + d +
         ".example\n  - deputy@" + d + ".example\nmonthlyBudget: " + std::to_string(1000 + 100 * i) +
         "\nsoftLimitPercent: 80\ncurrency: USD\ncostCenter: CC-" + std::to_string(2000 + i) + "\n";
}

std::string Team(const std::string& d, const std::string& owner) {
  return "team:\n  name: " + d + "-data\n  members:\n    - username: " + owner + "\n      name: Owner\n      role: owner\n"
         "    - username: eng@" + d + ".example\n      name: Engineer\n      role: data engineer\n";
}

std::string Support(const std::string& d) {
  return "support:\n  - channel: \"#" + d + "-data\"\n    tool: slack\n    url: https://chat.example/archives/" + d +
         "-data\n";
}

struct ProductNames {
  std::string domain, name, id, owner;
  std::string main_contract, daily_contract;  // ids; also the port and object names (after the dot)
  std::string main_object, daily_object;
};

ProductNames Names(const std::string& d, int k) {
  ProductNames n;
  n.domain = d;
  n.name = (d == "customer" && k == 0) ? std::string("customers_000")
                                       : std::string(kNouns[k % 20]) + "_" + Num(k);
  n.id = d + "." + n.name;
  n.owner = "owner" + std::to_string(k % 7) + "@" + d + ".example";
  n.main_object = n.name;
  n.daily_object = n.name + "_daily";
  n.main_contract = d + "." + n.main_object;
  n.daily_contract = d + "." + n.daily_object;
  return n;
}

// One contract of ~15 properties. `golden`: it masters the customer entity
// (its key is customer_id). `fk_to`: a contract#object.key this one points at.
std::string ContractYaml(const ProductNames& n, const std::string& id, const std::string& object, bool golden,
                         const std::string& fk_to, int seed) {
  std::string key = golden ? "customer_id" : object + "_id";
  std::string s = "apiVersion: v3.1.0\nkind: DataContract\nid: " + id + "\nname: " + object +
                  "\nversion: 1.0.0\nstatus: active\ndomain: " + n.domain + "\ndataProduct: " + n.name +
                  "\ndescription:\n  purpose: One row per " + object + " record, as captured by the " + n.domain +
                  " source systems.\n  usage: Join on " + key + ".\ntags:\n  - " + n.domain + "\n" +
                  Team(n.domain, n.owner) + Support(n.domain) +
                  "slaProperties:\n  - property: latency\n    value: 1\n    unit: d\n    element: " + object +
                  ".updated_at\n  - property: retention\n    value: 3\n    unit: y\n"
                  "  - property: frequency\n    value: 1\n    unit: d\n"
                  "schema:\n  - name: " + object + "\n    physicalType: table\n    description: The " + object +
                  " records.\n    properties:\n";
  s += "      - name: " + key + "\n        logicalType: string\n        physicalType: VARCHAR\n"
       "        description: The record's identifier.\n        required: true\n        primaryKey: true\n"
       "        primaryKeyPosition: 1\n        criticalDataElement: true\n        classification: internal\n"
       "        logicalTypeOptions:\n          pattern: \"^[A-Z][0-9]{8}$\"\n"
       "        quality:\n          - metric: nullValues\n            mustBe: 0\n            unit: rows\n"
       "            severity: error\n            dimension: completeness\n";
  int props = 1;
  if (!golden && seed % 4 == 0) {  // a global identifier: must reference the entity
    s += "      - name: customer_id\n        logicalType: string\n        description: The customer (golden record).\n"
         "        classification: internal\n        relationships:\n          - to: customer.customer_id\n"
         "            type: foreignKey\n";
    ++props;
  }
  if (!fk_to.empty()) {
    // ODCS's form: `to` is object.property; the contract it lives in is weft's custom property.
    const size_t hash = fk_to.find('#');
    s += "      - name: parent_ref\n        logicalType: string\n        description: The upstream record.\n"
         "        classification: internal\n        relationships:\n          - to: " + fk_to.substr(hash + 1) + "\n"
         "            customProperties:\n              - property: weft.contract\n                value: " +
         fk_to.substr(0, hash) + "\n            type: foreignKey\n";
    ++props;
  }
  for (int c = 0; props < 15; ++c, ++props) {
    std::string col = kColumns[(c + seed) % 18];
    bool numeric = col == "amount" || col == "quantity" || col == "unit_price" || col == "discount" || col == "score";
    bool ts = col == "created_at" || col == "updated_at";
    const char* cls = col == "email" || col == "phone" || col == "postal_code" ? "pii" : kClasses[(c + seed) % 3];
    s += "      - name: " + col + "\n        logicalType: " + (numeric ? "number" : ts ? "timestamp" : "string") +
         "\n        description: The " + col + " of the " + object + " record.\n        classification: " + cls +
         "\n";
    if (numeric) s += "        logicalTypeOptions:\n          minimum: 0\n";
    if (col == "status" || col == "currency")
      s += "        quality:\n          - metric: invalidValues\n            arguments:\n              validValues: " +
           std::string(col == "status" ? "[open, closed, cancelled]" : "[EUR, USD, GBP]") +
           "\n            mustBe: 0\n            unit: rows\n            severity: error\n";
  }
  // updated_at is the latency SLA element: make sure it exists.
  if (s.find("- name: updated_at\n") == std::string::npos)
    s += "      - name: updated_at\n        logicalType: timestamp\n        description: Last change (UTC).\n"
         "        classification: internal\n";
  s += "    quality:\n      - metric: rowCount\n        mustBeGreaterThan: 0\n        unit: rows\n        severity: error\n"
       "      - metric: duplicateValues\n        arguments:\n          properties: [" + key + "]\n        mustBe: 0\n"
       "        unit: rows\n        severity: error\n";
  if (seed % 3 == 0)
    s += "      - type: sql\n        name: no_negative_rows\n        description: Nothing negative.\n"
         "        query: \"SELECT COUNT(*) FROM {object} WHERE " + key + " IS NULL\"\n        mustBe: 0\n"
         "        severity: error\n";
  return s;
}

std::string ProductYaml(const ProductNames& n, int k, const std::string& input_contract) {
  const char* tiers[] = {"gold", "silver", "bronze"};
  std::string s = "apiVersion: v1.0.0\nkind: DataProduct\nid: " + n.id + "\nname: " + n.name +
                  "\nversion: 1.0.0\nstatus: active\ndomain: " + n.domain +
                  "\ndescription:\n  purpose: >-\n    Every " + n.main_object + " record of the " + n.domain +
                  " domain, one row each, refreshed nightly.\n  limitations: Amounts are in the record currency.\n"
                  "  usage: Join on the key; the daily port holds one row per day.\ntags:\n  - " + n.domain +
                  "\n  - " + kNouns[k % 20] + "\n" + Team(n.domain, n.owner) + Support(n.domain);
  if (!input_contract.empty())
    s += "inputPorts:\n  - name: " + input_contract + "\n    version: 1.0.0\n    contractId: " + input_contract + "\n";
  s += "outputPorts:\n  - name: " + n.main_object + "\n    version: 1.0.0\n    type: tables\n    contractId: " +
       n.main_contract + "\n    description: All records.\n  - name: " + n.daily_object +
       "\n    version: 1.0.0\n    type: tables\n    contractId: " + n.daily_contract +
       "\n    description: One row per day.\ncustomProperties:\n  - property: weft.tier\n    value: " + tiers[k % 3] +
       "\n";
  return s;
}

// Writes the tree; returns its files.
std::vector<fs::path> GenerateTree(const fs::path& root, int products, int domains) {
  std::vector<fs::path> files;
  auto write = [&](const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    files.push_back(p);
  };
  int per_domain = (products + domains - 1) / domains;
  int written = 0;
  for (int di = 0; di < domains && written < products; ++di) {
    std::string d = di < 20 ? kDomains[di] : "domain_" + Num(di);
    fs::path ddir = root / "domains" / d;
    write(ddir / "domain.yaml", DomainYaml(d, di));
    if (d == "customer")
      write(ddir / "entities/customer.yaml",
            "apiVersion: weft/v1\nkind: ReferenceEntity\nname: customer\ndescription: A person or company that "
            "buys from us.\nidentifier:\n  name: customer_id\n  type: string\n  pattern: \"^[A-Z][0-9]{8}$\"\n"
            "masteredBy: customer.customers_000\nstewards:\n  - lead@customer.example\n");
    for (int k = 0; k < per_domain && written < products; ++k, ++written) {
      ProductNames n = Names(d, k);
      bool golden = d == "customer" && k == 0;
      // Every 5th product reads its predecessor (an input port and a relationship).
      std::string upstream, fk;
      if (k % 5 == 1) {
        ProductNames prev = Names(d, k - 1);
        upstream = prev.main_contract;
        fk = prev.main_contract + "#" + prev.main_object + "." +
             ((d == "customer" && k - 1 == 0) ? std::string("customer_id") : prev.main_object + "_id");
      }
      fs::path pdir = ddir / "products" / n.name;
      write(pdir / "product.odps.yaml", ProductYaml(n, k, upstream));
      write(pdir / (n.main_object + ".odcs.yaml"),
            ContractYaml(n, n.main_contract, n.main_object, golden, fk, written));
      write(pdir / (n.daily_object + ".odcs.yaml"),
            ContractYaml(n, n.daily_contract, n.daily_object, false, "", written + 1));
    }
  }
  return files;
}

// Wall time and this process's CPU time (all threads): on a shared machine
// the CPU time shows what the work costs when others compete for the cores.
struct Stamp {
  Clock::time_point wall;
  double cpu;
};
Stamp Now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return {Clock::now(), static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9};
}
double Seconds(const Stamp& a, const Stamp& b) { return std::chrono::duration<double>(b.wall - a.wall).count(); }
double Cpu(const Stamp& a, const Stamp& b) { return b.cpu - a.cpu; }

bool ReportRefusals(const weft::control::Plan& plan) {
  if (!plan.refused()) return false;
  std::fprintf(stderr, "the generated tree was refused (%zu refusals); first ones:\n", plan.refusals.size());
  for (size_t i = 0; i < plan.refusals.size() && i < 15; ++i) {
    const auto& r = plan.refusals[i];
    std::fprintf(stderr, "  %s:%d: [%s] %s %s\n", r.file.c_str(), r.pos.line, r.rule.c_str(), r.object.c_str(),
                 r.message.c_str());
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int products = argc > 1 ? std::atoi(argv[1]) : 1000;
  int domains = argc > 2 ? std::atoi(argv[2]) : 20;
  fs::path root = fs::temp_directory_path() / ("weft-apply-bench-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto files = GenerateTree(root / "tree", products, domains);

  const char* catalog = std::getenv("WEFT_BENCH_CATALOG");
  auto ws = weft::control::InitWorkspace(root / "ws", "bench", catalog ? catalog : "");
  std::printf("catalog: %s\n", catalog ? catalog : "SQLite (catalog.db)");
  if (!ws.ok()) {
    std::fprintf(stderr, "cannot create the workspace: %s\n", ws.status().message().c_str());
    return 1;
  }
  auto store = weft::catalog::OpenStore(ws->CatalogLocation());
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open the catalog: %s\n", store.status().message().c_str());
    return 1;
  }

  // Baseline: load the tree as weft plan/apply do (what every command reading it pays).
  auto t0 = Now();
  weft::spec::SpecTree tree = weft::spec::LoadSpecTree({root / "tree"});
  std::vector<weft::spec::Document> docs = std::move(tree.documents);
  std::vector<weft::spec::Diagnostic> load_diags = std::move(tree.diagnostics);
  auto t1 = Now();

  // Baseline: yaml-cpp alone over the same files, one by one.
  auto y0 = Now();
  size_t yaml_keys = 0;
  for (const auto& f : files) yaml_keys += YAML::LoadFile(f.string()).size();
  auto y1 = Now();

  // (a) plan + apply on the fresh workspace.
  auto t2 = Now();
  auto plan = weft::control::MakePlan(*ws, **store, docs, load_diags, {.actor = "bench"});
  auto t3 = Now();
  if (!plan.ok()) {
    std::fprintf(stderr, "plan failed: %s\n", plan.status().message().c_str());
    return 1;
  }
  if (ReportRefusals(*plan)) return 1;
  size_t warnings = plan->diagnostics.size();
  auto applied = weft::control::Apply(*ws, **store, weft::storage::DefaultFileSystem(), *plan);
  auto t4 = Now();
  if (!applied.ok()) {
    std::fprintf(stderr, "apply failed: %s\n", applied.status().message().c_str());
    return 1;
  }

  // (b) the same tree again: nothing to do.
  auto t5 = Now();
  auto noop = weft::control::MakePlan(*ws, **store, docs, load_diags, {.actor = "bench"});
  auto t6 = Now();
  if (!noop.ok()) {
    std::fprintf(stderr, "second plan failed: %s\n", noop.status().message().c_str());
    return 1;
  }
  if (ReportRefusals(*noop)) return 1;
  const size_t noop_changes = noop->change_count();

  // (b) again without the policy results (b) reused: what the first plan after
  // the cache is lost (or a policy changes) pays.
  fs::remove_all(ws->CacheDir());
  auto t7 = Now();
  auto cold = weft::control::MakePlan(*ws, **store, docs, load_diags, {.actor = "bench"});
  auto t8 = Now();
  if (!cold.ok() || cold->change_count() != 0) {
    std::fprintf(stderr, "plan without the policy cache failed or found changes\n");
    return 1;
  }

  // Phases on their own, to see where the planner's time goes.
  double model_open = 0, model_build = 0, model_build_cpu = 0;
  auto p1 = Now();
  auto validator = weft::engine::DuckDbSqlValidator::Create();
  if (!validator.ok()) {
    std::fprintf(stderr, "cannot start DuckDB: %s\n", validator.status().message().c_str());
    return 1;
  }
  auto p2 = Now();
  auto lint_diags = weft::spec::Lint(docs, {.sql = validator->get()});
  auto p3 = Now();
  auto pack = weft::governance::DefaultPolicyPack();
  if (!pack.ok()) return 1;
  weft::governance::ProposedState state;
  for (const auto& d : docs) state.documents.push_back(&d);
  state.classification_masks = ws->settings.masking;
  state.port_versions = *(*store)->ListPortVersions();
  auto p4 = Now();
  auto ev = weft::governance::Evaluate(state, *pack, {}, "2025-01-01T00:00:00Z");
  auto p5 = Now();
  if (!ev.ok()) {
    std::fprintf(stderr, "evaluate failed: %s\n", ev.status().message().c_str());
    return 1;
  }
  // The model alone (Evaluate = sandbox + model + 17 queries).
  auto m0 = Now();
  {
    auto db = weft::engine::Database::Open({.threads = 1, .memory_limit = "1GB"});
    if (!db.ok()) return 1;
    auto conn = weft::engine::Connection::Open(*db);
    if (!conn.ok()) return 1;
    auto m1 = Now();
    weft::Status built = weft::governance::BuildMetadataModel(*conn, state);
    auto m2 = Now();
    if (!built.ok()) {
      std::fprintf(stderr, "model failed: %s\n", built.message().c_str());
      return 1;
    }
    model_open = Seconds(m0, m1);
    model_build = Seconds(m1, m2);
    model_build_cpu = Cpu(m1, m2);
  }
  auto& s = **store;
  auto r0 = Now();
  size_t read_rows = s.ListDomains()->size() + s.ListProducts()->size() + s.ListReferenceEntities()->size() +
                     s.ListContractVersions()->size() + s.ListPortVersions()->size() + s.ListWaivers()->size();
  auto r1 = Now();
  fs::remove_all(root);

  size_t contracts = 0, prods = 0;
  for (const auto& d : docs) {
    contracts += d.contract() != nullptr;
    prods += d.product() != nullptr;
  }
  const double load = Seconds(t0, t1), plan1 = Seconds(t2, t3), apply1 = Seconds(t3, t4), plan2 = Seconds(t5, t6);
  const double duck = Seconds(p1, p2), lint = Seconds(p2, p3), evaluate = Seconds(p4, p5),
               read = Seconds(r0, r1);
  const double yaml = Seconds(y0, y1);
  const bool ok_a = plan1 + apply1 <= 5.0, ok_b = load + plan2 <= 2.0 && noop_changes == 0;
  auto row = [](const char* what, const Stamp& a, const Stamp& b, const std::string& note = "") {
    std::printf("  %-40s %7.3f s  cpu %7.3f s%s%s\n", what, Seconds(a, b), Cpu(a, b), note.empty() ? "" : "  ",
                note.c_str());
  };
  auto ratio = [&](double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2fx baseline", x / yaml);
    return std::string(buf);
  };
  std::printf("apply bench: %zu files, %zu products, %zu contracts, %d domains; %zu plan items, %zu lint warnings, "
              "%zu policy violations\n",
              files.size(), prods, contracts, domains, plan->items.size(), warnings, plan->policies.violations.size());
  row("baseline: yaml-cpp parse only", y0, y1, std::to_string(yaml_keys) + " top-level keys");
  row("load: LoadSpecTree (libyaml, all cores)", t0, t1, ratio(load));
  row("(a) MakePlan, fresh workspace", t2, t3, ratio(plan1));
  row(("    Apply (" + std::to_string(applied->changes) + " changes, " + std::to_string(applied->directories_created) +
       " dirs)").c_str(), t3, t4, ratio(apply1));
  row("    plan + apply", t2, t4,
      ratio(plan1 + apply1) + "; target <= 5 s: " + (ok_a ? "met" : "MISSED"));
  std::printf("  %-40s %7.3f s  cpu %7.3f s  %s\n", "    load + plan + apply (= weft apply)", load + plan1 + apply1,
              Cpu(t0, t1) + Cpu(t2, t4), ratio(load + plan1 + apply1).c_str());
  row(("(b) MakePlan again, " + std::to_string(noop_changes) + " changes").c_str(), t5, t6,
      ratio(plan2));
  std::printf("  %-40s %7.3f s  cpu %7.3f s  %s; target <= 2 s and 0 changes: %s\n",
              "    load + plan (= weft plan, no-op)", load + plan2, Cpu(t0, t1) + Cpu(t5, t6),
              ratio(load + plan2).c_str(), ok_b ? "met" : "MISSED");
  std::printf("  %-40s %7.3f s  cpu %7.3f s  %s; with load: %.3f s\n", "    (b) without the policy cache",
              Seconds(t7, t8), Cpu(t7, t8), ratio(Seconds(t7, t8)).c_str(), load + Seconds(t7, t8));
  std::printf("  phases, each run alone:\n");
  row("  start DuckDB for the SQL checks", p1, p2);
  row("  lint with SQL/regex checks", p2, p3, std::to_string(lint_diags.size()) + " diagnostics");
  row("  policies: Evaluate the default pack", p4, p5,
      std::to_string(ev->policies) + " policies, " + std::to_string(ev->violations.size()) + " violations");
  std::printf("  %-40s %7.3f s  cpu %7.3f s  (DuckDB open %.3f s; the 17 queries: the rest of Evaluate)\n",
              "    of which: build the metadata model", model_build, model_build_cpu, model_open);
  row(("  read the catalog back (" + std::to_string(read_rows) + " rows)").c_str(), r0, r1);
  std::printf("  %-40s %7.3f s  (plan - DuckDB - lint - policies)\n", "  rest of (a): records, JSON, SHA-256",
              plan1 - duck - lint - evaluate);
  std::printf("  %-40s %7.3f s  (plan - DuckDB - lint - read; policies cached)\n",
              "  rest of (b): compare, JSON, SHA-256", plan2 - duck - lint - read);
  if (!ok_a || !ok_b) std::printf("  TARGET MISSED: see docs/benchmarks.md for where the time goes\n");
  return 0;
}
