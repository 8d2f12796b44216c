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
//   (b) a second MakePlan on the same tree: no changes            target <= 2 s
// Baseline in the same process: spec::LoadFile of the same files (what any
// command reading the tree pays anyway). Where the time goes is measured from
// outside the planner by running its phases on their own: lint with the
// DuckDB validator, governance::Evaluate of the default pack, reading the
// catalog back, and Apply (the catalog write and the directories).
//
//   bench_apply [PRODUCTS] [DOMAINS]
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
#include "engine/duckdb_sql_validator.h"
#include "governance/policy.h"
#include "spec/lint.h"
#include "spec/loader.h"
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
         "\nsoftLimitPercent: 80\ncurrency: EUR\ncostCenter: CC-" + std::to_string(2000 + i) + "\n";
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
         "        classification: internal\n        relationships:\n          - to: \"customer#customer_id\"\n"
         "            type: foreignKey\n";
    ++props;
  }
  if (!fk_to.empty()) {
    s += "      - name: parent_ref\n        logicalType: string\n        description: The upstream record.\n"
         "        classification: internal\n        relationships:\n          - to: \"" + fk_to + "\"\n"
         "            type: foreignKey\n";
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

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

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

  auto ws = weft::control::InitWorkspace(root / "ws", "bench");
  if (!ws.ok()) {
    std::fprintf(stderr, "cannot create the workspace: %s\n", ws.status().message().c_str());
    return 1;
  }
  auto store = weft::catalog::OpenStore(ws->CatalogLocation());
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open the catalog: %s\n", store.status().message().c_str());
    return 1;
  }

  // Baseline: load the tree (what every command reading it pays).
  auto t0 = Clock::now();
  std::vector<weft::spec::Document> docs;
  std::vector<weft::spec::Diagnostic> load_diags;
  for (const auto& f : weft::spec::FindSpecFiles({root / "tree"}, load_diags)) {
    auto loaded = weft::spec::LoadFile(f);
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
    for (auto& d : loaded.diagnostics) load_diags.push_back(std::move(d));
  }
  auto t1 = Clock::now();
  const double load = Seconds(t0, t1);

  // (a) plan + apply on the fresh workspace.
  auto t2 = Clock::now();
  auto plan = weft::control::MakePlan(*ws, **store, docs, load_diags, {.actor = "bench"});
  auto t3 = Clock::now();
  if (!plan.ok()) {
    std::fprintf(stderr, "plan failed: %s\n", plan.status().message().c_str());
    return 1;
  }
  if (ReportRefusals(*plan)) return 1;
  size_t warnings = plan->diagnostics.size();
  auto applied = weft::control::Apply(*ws, **store, weft::storage::DefaultFileSystem(), *plan);
  auto t4 = Clock::now();
  if (!applied.ok()) {
    std::fprintf(stderr, "apply failed: %s\n", applied.status().message().c_str());
    return 1;
  }
  const double plan1 = Seconds(t2, t3), apply1 = Seconds(t3, t4);

  // (b) the same tree again: nothing to do.
  auto t5 = Clock::now();
  auto noop = weft::control::MakePlan(*ws, **store, docs, load_diags, {.actor = "bench"});
  auto t6 = Clock::now();
  if (!noop.ok()) {
    std::fprintf(stderr, "second plan failed: %s\n", noop.status().message().c_str());
    return 1;
  }
  if (ReportRefusals(*noop)) return 1;
  const double plan2 = Seconds(t5, t6);
  const size_t noop_changes = noop->change_count();

  // Phases on their own, to see where the planner's time goes.
  auto p0 = Clock::now();
  std::vector<weft::spec::Document> copy(docs.begin(), docs.end());  // the planner lints a copy
  auto p1 = Clock::now();
  auto validator = weft::engine::DuckDbSqlValidator::Create();
  if (!validator.ok()) {
    std::fprintf(stderr, "cannot start DuckDB: %s\n", validator.status().message().c_str());
    return 1;
  }
  auto p2 = Clock::now();
  auto lint_diags = weft::spec::Lint(copy, {.sql = validator->get()});
  auto p3 = Clock::now();
  auto pack = weft::governance::DefaultPolicyPack();
  if (!pack.ok()) return 1;
  weft::governance::ProposedState state;
  for (const auto& d : docs) state.documents.push_back(&d);
  state.classification_masks = ws->settings.masking;
  state.port_versions = *(*store)->ListPortVersions();
  auto p4 = Clock::now();
  auto ev = weft::governance::Evaluate(state, *pack, {}, "2025-01-01T00:00:00Z");
  auto p5 = Clock::now();
  if (!ev.ok()) {
    std::fprintf(stderr, "evaluate failed: %s\n", ev.status().message().c_str());
    return 1;
  }
  auto& s = **store;
  auto r0 = Clock::now();
  size_t read_rows = s.ListDomains()->size() + s.ListProducts()->size() + s.ListReferenceEntities()->size() +
                     s.ListContractVersions()->size() + s.ListPortVersions()->size() + s.ListWaivers()->size();
  auto r1 = Clock::now();
  fs::remove_all(root);

  const double copy_s = Seconds(p0, p1), duck = Seconds(p1, p2), lint = Seconds(p2, p3), evaluate = Seconds(p4, p5),
               read = Seconds(r0, r1);
  size_t contracts = 0, prods = 0;
  for (const auto& d : docs) {
    contracts += d.contract() != nullptr;
    prods += d.product() != nullptr;
  }
  const bool ok_a = plan1 + apply1 <= 5.0, ok_b = plan2 <= 2.0 && noop_changes == 0;
  std::printf("apply bench: %zu files, %zu products, %zu contracts, %d domains; %zu plan items, %zu lint warnings, "
              "%zu policy violations (%zu warn)\n",
              files.size(), prods, contracts, domains, plan->items.size(), warnings, plan->policies.violations.size(),
              plan->policies.warnings);
  std::printf("  baseline LoadFile of the tree          %8.3f s\n", load);
  std::printf("  (a) MakePlan, fresh workspace          %8.3f s  (%.2fx baseline)\n", plan1, plan1 / load);
  std::printf("      Apply (%zu changes, %zu dirs)   %8.3f s  (%.2fx baseline)\n", applied->changes,
              applied->directories_created, apply1, apply1 / load);
  std::printf("      plan + apply                       %8.3f s  (%.2fx baseline; target <= 5 s: %s)\n",
              plan1 + apply1, (plan1 + apply1) / load, ok_a ? "met" : "MISSED");
  std::printf("      load + plan + apply (weft apply)   %8.3f s\n", load + plan1 + apply1);
  std::printf("  (b) MakePlan again, %zu changes         %8.3f s  (%.2fx baseline; target <= 2 s, 0 changes: %s)\n",
              noop_changes, plan2, plan2 / load, ok_b ? "met" : "MISSED");
  std::printf("  phases, each run alone:\n");
  std::printf("    copy the tree (planner lints a copy) %8.3f s\n", copy_s);
  std::printf("    start DuckDB for the SQL checks      %8.3f s\n", duck);
  std::printf("    lint with SQL/regex checks           %8.3f s  (%zu diagnostics)\n", lint, lint_diags.size());
  std::printf("    policies: Evaluate default pack      %8.3f s  (%zu policies, %zu violations)\n", evaluate,
              ev->policies, ev->violations.size());
  std::printf("    read the catalog back (%zu rows)    %8.3f s\n", read_rows, read);
  std::printf("    rest of plan (a): diff, JSON, SHA    %8.3f s  (plan - lint - DuckDB - copy - policies)\n",
              plan1 - lint - duck - copy_s - evaluate);
  std::printf("    rest of plan (b)                     %8.3f s  (plan - lint - DuckDB - copy - policies - read)\n",
              plan2 - lint - duck - copy_s - evaluate - read);
  if (!ok_a || !ok_b) std::printf("  TARGET MISSED: see docs/benchmarks.md for where the time goes\n");
  return 0;
}
