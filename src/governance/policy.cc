#include "governance/policy.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/files.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "engine/connection.h"
#include "engine/database.h"
#include "engine/duckdb_sql_validator.h"
#include "governance/default_pack.h"
#include "spec/lint.h"
#include "spec/loader.h"

namespace weft::governance {

namespace {

namespace fs = std::filesystem;

// Policies from loaded files: anything but a clean Policy document is an
// error pointing at its place.
Result<std::vector<spec::PolicySpec>> PoliciesFrom(std::vector<spec::LoadedFile> files) {
  std::vector<spec::Document> docs;
  std::vector<spec::Diagnostic> diags;
  for (auto& f : files) {
    for (auto& d : f.diagnostics) diags.push_back(std::move(d));
    for (auto& doc : f.documents) {
      if (doc.kind != spec::DocKind::kPolicy) {
        const spec::SpecNode* node = std::visit([](const auto& s) -> const spec::SpecNode* { return &s; }, doc.spec);
        diags.push_back({spec::Severity::kError, doc.file, node->pos,
                         std::string("a policy pack holds only Policy documents, not ") + spec::DocKindName(doc.kind),
                         "unknown-kind"});
        continue;
      }
      docs.push_back(std::move(doc));
    }
  }
  ASSIGN_OR_RETURN(auto validator, engine::DuckDbSqlValidator::Create());
  for (auto& d : spec::Lint(docs, {.sql = validator.get()})) diags.push_back(std::move(d));
  std::map<std::string, const spec::Document*> ids;
  for (const auto& doc : docs) {
    const spec::PolicySpec& p = *doc.policy();
    auto [it, inserted] = ids.emplace(p.id, &doc);
    if (!p.id.empty() && !inserted)
      diags.push_back({spec::Severity::kError, doc.file, p.At("id"),
                       "policy id '" + p.id + "' is already defined in " + it->second->file, "duplicate-id"});
  }
  std::string errors;
  spec::SortDiagnostics(diags);
  for (const auto& d : diags)
    if (d.severity == spec::Severity::kError) errors += "\n" + spec::FormatGcc(d);
  if (!errors.empty()) return Status::InvalidArgument("invalid policy pack:" + errors);
  std::vector<spec::PolicySpec> policies;
  for (auto& doc : docs) policies.push_back(std::move(std::get<spec::PolicySpec>(doc.spec)));
  std::sort(policies.begin(), policies.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return policies;
}

Status CheckColumns(const engine::QueryResult& r) {
  std::vector<std::string> names;
  for (size_t i = 0; i < r.column_count(); ++i) names.push_back(r.column_name(i));
  if (names == std::vector<std::string>{"subject", "message"}) return Status::Ok();
  std::string got;
  for (const auto& n : names) got += (got.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("the query must return exactly the columns (subject, message), not (" + got + ")");
}

// The engine wrapper does not expose statement types; its handle() is meant
// for such C API calls.
bool IsSelect(const engine::PreparedStatement& stmt) {
  return duckdb_prepared_statement_type(stmt.handle()) == DUCKDB_STATEMENT_TYPE_SELECT;
}

// Opens the evaluation database: no file, network or extension access, one
// thread is plenty for metadata-sized tables.
Result<engine::Database> OpenSandbox() {
  engine::DatabaseConfig config;
  config.threads = 1;
  config.memory_limit = "1GB";
  config.options = {{"enable_external_access", "false"}, {"autoload_known_extensions", "false"},
                    {"autoinstall_known_extensions", "false"}};
  return engine::Database::Open(config);
}

// Builds the model and runs every policy: the violations before waivers.
Result<std::vector<Violation>> RunPolicies(const ProposedState& state, const std::vector<spec::PolicySpec>& policies) {
  ASSIGN_OR_RETURN(engine::Database db, OpenSandbox());
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  RETURN_IF_ERROR(BuildMetadataModel(conn, state));
  // From here on no policy can loosen the sandbox.
  RETURN_IF_ERROR(conn.Execute("SET lock_configuration = true"));

  std::vector<Violation> violations;
  for (const auto& policy : policies) {
    auto fail = [&](const std::string& why) {
      violations.push_back({policy.id, "error", "", "policy '" + policy.id + "' failed: " + why, true});
    };
    // A policy only reads: preparing admits exactly one statement, and its
    // type must be SELECT, so no policy changes the tables the next one sees.
    auto stmt = conn.Prepare(policy.query);
    if (!stmt.ok()) {
      fail(stmt.status().message());
      continue;
    }
    if (!IsSelect(*stmt)) {
      fail("the query must be one read-only SELECT");
      continue;
    }
    auto result = stmt->Execute();
    if (!result.ok()) {
      fail(result.status().message());
      continue;
    }
    if (Status s = CheckColumns(*result); !s.ok()) {
      fail(s.message());
      continue;
    }
    auto rows = result->FetchAllAsStrings();
    if (!rows.ok()) {
      fail(rows.status().message());
      continue;
    }
    for (auto& row : *rows)
      violations.push_back({policy.id, policy.severity, row[0].value_or(""), row[1].value_or("")});
  }
  return violations;
}

// --- the result cache -----------------------------------------------------
// The violations are a pure function of the proposed state and the policies
// (the model is built from nothing else, in a sandbox), unless a query reads
// the clock or a random source. So a plan of an unchanged tree can reuse the
// previous plan's violations instead of building the model again.

// Bump when the model's rows or the cache file change in a way the key below
// does not show (the table names are in it; how rows are derived is not).
constexpr const char* kCacheFormat = "weft-policy-results/1";

// Could the query return other rows on the same model? Any word that may name
// a clock or random function (now, current_date, today, random, uuid, ...)
// says yes; a false alarm only costs a cache miss.
bool MayVary(const spec::PolicySpec& policy) {
  std::string q = ToLower(policy.query);
  for (const char* word : {"now", "current", "today", "timestamp", "localtime", "random", "uuid", "seed"})
    if (q.find(word) != std::string::npos) return true;
  return false;
}

// SHA-256 of everything the queries can see; each field is length-prefixed so
// that no two different inputs concatenate to the same text.
std::string CacheKey(const ProposedState& state, const std::vector<spec::PolicySpec>& policies) {
  std::string text;
  auto add = [&text](std::string_view field) {
    text += std::to_string(field.size());
    text += ':';
    text += field;
  };
  add(kCacheFormat);
  for (const auto& table : MetadataModelTables()) add(table);
  add("documents");
  for (const spec::Document* d : state.documents) {
    add(spec::DocKindName(d->kind));
    add(d->file);
    add(d->json.dump());
  }
  add("ports");
  for (const auto& p : state.port_versions) {
    for (const std::string* f : {&p.product_id, &p.port, &p.version, &p.contract_id, &p.status, &p.end_of_support,
                                 &p.end_of_life, &p.storage_path})
      add(*f);
    add(std::to_string(p.major));
  }
  add("masks");
  for (const auto& [classification, mask] : state.classification_masks) {
    add(classification);
    add(mask);
  }
  add("policies");
  for (const auto& p : policies) {
    add(p.id);
    add(p.severity);
    add(p.query);
  }
  return Sha256Hex(text);
}

std::optional<std::vector<Violation>> ReadCached(const fs::path& file, const std::string& key) {
  auto text = ReadFileToString(file);
  if (!text.ok()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  std::vector<Violation> out;
  try {
    if (!j.is_object() || j.at("key").get<std::string>() != key) return std::nullopt;
    for (const auto& v : j.at("violations"))
      out.push_back({v.at(0).get<std::string>(), v.at(1).get<std::string>(), v.at(2).get<std::string>(),
                     v.at(3).get<std::string>(), v.at(4).get<bool>()});
  } catch (const nlohmann::json::exception&) {  // not a file this code wrote: recompute
    return std::nullopt;
  }
  return out;
}

// Written beside and renamed over, so a concurrent reader sees the old file
// or the new one, never half of one. Failing to write only costs the next
// plan its time, so errors are ignored.
void WriteCached(const fs::path& file, const std::string& key, const std::vector<Violation>& violations) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : violations) list.push_back({v.policy_id, v.severity, v.subject, v.message, v.policy_error});
  fs::path tmp = file;
  tmp += ".tmp" + RandomHex(8);
  if (!WriteStringToFile(tmp, nlohmann::json{{"key", key}, {"violations", list}}.dump()).ok()) return;
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

Result<std::vector<spec::PolicySpec>> DefaultPolicyPack() {
  // Compiled in, so parsed and linted once per process.
  static const Result<std::vector<spec::PolicySpec>> pack = []() -> Result<std::vector<spec::PolicySpec>> {
    std::vector<spec::LoadedFile> files;
    for (const auto& f : DefaultPackFiles())
      files.push_back(spec::LoadText(f.text, "default_pack/" + std::string(f.name)));
    auto loaded = PoliciesFrom(std::move(files));
    if (!loaded.ok()) return Status::Internal("the built-in policy pack is broken: " + loaded.status().message());
    return loaded;
  }();
  return pack;
}

Result<std::vector<spec::PolicySpec>> LoadPolicyPack(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::InvalidArgument("policy pack '" + dir.string() + "' is not a directory");
  std::vector<spec::Diagnostic> find_diags;
  std::vector<spec::LoadedFile> files;
  for (const auto& path : spec::FindSpecFiles({dir}, find_diags)) files.push_back(spec::LoadFile(path));
  if (!find_diags.empty()) files.push_back({{}, std::move(find_diags)});
  return PoliciesFrom(std::move(files));
}

Result<std::vector<spec::PolicySpec>> LoadPolicies(const std::vector<fs::path>& dirs, bool include_default) {
  std::vector<spec::PolicySpec> all;
  std::map<std::string, std::string> origin;  // policy id -> pack it came from
  auto merge = [&](std::vector<spec::PolicySpec> pack, const std::string& source) -> Status {
    for (auto& p : pack) {
      auto [it, inserted] = origin.emplace(p.id, source);
      if (!inserted)
        return Status::InvalidArgument("policy '" + p.id + "' is defined in both " + it->second + " and " + source);
      all.push_back(std::move(p));
    }
    return Status::Ok();
  };
  if (include_default) {
    ASSIGN_OR_RETURN(auto pack, DefaultPolicyPack());
    RETURN_IF_ERROR(merge(std::move(pack), "the default pack"));
  }
  for (const auto& dir : dirs) {
    ASSIGN_OR_RETURN(auto pack, LoadPolicyPack(dir));
    RETURN_IF_ERROR(merge(std::move(pack), dir.string()));
  }
  return all;
}

Result<Evaluation> Evaluate(const ProposedState& state, const std::vector<spec::PolicySpec>& policies,
                            const std::vector<catalog::WaiverRecord>& waivers, std::string_view now_iso,
                            const fs::path& cache_file) {
  Evaluation ev;
  ev.policies = policies.size();
  bool cacheable = !cache_file.empty() && std::none_of(policies.begin(), policies.end(), MayVary);
  std::string key = cacheable ? CacheKey(state, policies) : "";
  if (auto cached = cacheable ? ReadCached(cache_file, key) : std::nullopt) {
    ev.violations = std::move(*cached);
  } else {
    ASSIGN_OR_RETURN(ev.violations, RunPolicies(state, policies));
    if (cacheable) WriteCached(cache_file, key, ev.violations);
  }
  for (auto& v : ev.violations) {
    if (v.policy_error) continue;
    for (const auto& w : waivers) {
      if (w.policy_id == v.policy_id && w.subject == v.subject && w.expires_at > now_iso) {
        v.waived = true;
        v.waiver_id = w.id;
        break;
      }
    }
  }
  std::sort(ev.violations.begin(), ev.violations.end(), [](const Violation& a, const Violation& b) {
    return std::tie(a.policy_id, a.subject, a.message) < std::tie(b.policy_id, b.subject, b.message);
  });
  for (const auto& v : ev.violations) {
    if (v.waived) ++ev.waived;
    else if (v.severity == "error") ++ev.errors;
    else ++ev.warnings;
  }
  return ev;
}

}  // namespace weft::governance
