// libFuzzer target: arbitrary SQL through the governed query gateway, as
// bob, who holds a grant on crm.customers filtered to his region (EU) with
// the e-mail hashed and the name redacted.
// Oracle (a leak): a raw e-mail or name, a card number, or the hash of the
// filtered customer's e-mail in the answer's rows, column names or error
// text — unless the SQL itself spelled it. Also: no crash, no hang past the
// time limit, no sanitizer report.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_control.h"
#include "access/masks.h"
#include "common/files.h"
#include "control/planner.h"
#include "control/workspace.h"
#include "engine/duckdb_sql_validator.h"
#include "quality/publisher.h"
#include "query/gateway.h"
#include "spec/loader.h"
#include "storage/file_system.h"

namespace {

namespace fs = std::filesystem;
using namespace weft;

struct Mesh {
  fs::path root;
  control::Workspace ws;
  std::unique_ptr<catalog::Store> store;
  std::unique_ptr<engine::DuckDbSqlValidator> parser;
  std::string key;
  std::unique_ptr<query::QueryRuntime> runtime;
  std::vector<std::string> forbidden;
};

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  fprintf(stderr, "fuzz_query setup: %s: %s\n", what, s.message().c_str());
  std::abort();
}

// The query fixture of src/query/testing.h, set up once per process.
Mesh& Setup() {
  static Mesh* m = [] {
    auto* mesh = new Mesh;
    const fs::path fixtures = fs::path(WEFT_SOURCE_DIR) / "tests/fixtures/query";
    mesh->root = fs::temp_directory_path() / ("weft-fuzz-query-" + std::to_string(::getpid()));
    fs::remove_all(mesh->root);
    Check(control::InitWorkspace(mesh->root, "fuzz").status(), "init");
    Check(WriteStringToFile(mesh->root / "weft.yaml",
                            "apiVersion: weft/v1\nkind: Workspace\nname: fuzz\npolicyPacks: []\ncurrency: USD\n"
                            "masking: {pii: hash, restricted: redact}\nquery: {timeoutSeconds: 5}\n",
                            true),
          "settings");
    auto ws = control::LoadWorkspace(mesh->root);
    Check(ws.status(), "workspace");
    mesh->ws = *ws;
    auto store = catalog::OpenStore(mesh->ws.CatalogLocation());
    Check(store.status(), "catalog");
    mesh->store = std::move(*store);
    auto parser = engine::DuckDbSqlValidator::Create();
    Check(parser.status(), "parser");
    mesh->parser = std::move(*parser);
    auto key = control::LoadOrCreateSecret(mesh->ws);
    Check(key.status(), "secret");
    mesh->key = *key;
    std::vector<spec::Diagnostic> diags;
    std::vector<spec::Document> docs;
    for (const auto& f : spec::FindSpecFiles({fixtures / "tree"}, diags))
      for (auto& d : spec::LoadFile(f).documents) docs.push_back(std::move(d));
    auto plan = control::MakePlan(mesh->ws, *mesh->store, docs, diags, {.actor = "fuzz"});
    Check(plan.status(), "plan");
    Check(control::Apply(mesh->ws, *mesh->store, storage::DefaultFileSystem(), *plan).status(), "apply");
    for (const auto& [product, file] : {std::pair<std::string, std::string>{"crm.customers", "customers.csv"},
                                        {"shop.orders", "orders.csv"}})
      Check(quality::Publish(*mesh->store, {.target = product, .files = {fixtures / "data" / file}, .actor = "fuzz",
                                            .threads = 1, .temp_dir = mesh->root / "tmp"})
                .status(),
            "publish");
    auto txn = mesh->store->BeginWrite();
    Check(txn.status(), "write");
    Check((*txn)->UpsertPrincipal({.name = "bob", .kind = "user", .attributes = {{"region", "EU"}}}), "bob");
    Check((*txn)->InsertGrant({.product_id = "crm.customers", .major = 1, .grantee = "bob", .purpose = "fuzz",
                               .row_filter = "region = $principal.region", .granted_by = "fuzz"})
              .status(),
          "grant");
    Check((*txn)->Commit(), "commit");
    query::RuntimeOptions o = query::RuntimeOptions::For(mesh->root, mesh->ws.settings, mesh->key);
    o.threads = 1;
    mesh->runtime = std::make_unique<query::QueryRuntime>(std::move(o));
    mesh->forbidden = {"ada@example.com", "bob@example.com", "cy@example.com", "Ada Lovelace", "Bob Stone",
                       "Cy Young", "4111111111111111", "5500000000000004", "340000000000009",
                       access::HmacSha256Hex(mesh->key, "bob@example.com")};
    return mesh;
  }();
  return *m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Mesh& m = Setup();
  const std::string sql(reinterpret_cast<const char*>(data), size);
  auto bob = access::LoadPrincipal(*m.store, "bob");
  auto ac = access::AccessControl::Load(*m.store, {.masking = m.ws.settings.masking, .key = m.key});
  if (!bob.ok() || !ac.ok()) std::abort();
  query::Gateway gateway(*m.store, *ac, *m.parser, {}, *m.runtime);
  auto answer = gateway.Run(*bob, {.sql = sql});
  std::string seen;
  if (answer.ok()) {
    for (const auto& c : answer->columns) seen += c + "|";
    for (const auto& row : answer->rows)
      for (const auto& cell : row) seen += cell.value_or("") + "|";
  } else {
    seen = answer.status().message();
  }
  for (const auto& f : m.forbidden)
    if (seen.find(f) != std::string::npos && sql.find(f) == std::string::npos) {
      fprintf(stderr, "LEAK of '%s' by: %s\n", f.c_str(), sql.c_str());
      std::abort();
    }
  return 0;
}
