#include "governance/policy.h"

#include <algorithm>
#include <map>
#include <memory>

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
                            const std::vector<catalog::WaiverRecord>& waivers, std::string_view now_iso) {
  ASSIGN_OR_RETURN(engine::Database db, OpenSandbox());
  ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
  RETURN_IF_ERROR(BuildMetadataModel(conn, state));
  // From here on no policy can loosen the sandbox.
  RETURN_IF_ERROR(conn.Execute("SET lock_configuration = true"));

  Evaluation ev;
  ev.policies = policies.size();
  for (const auto& policy : policies) {
    auto fail = [&](const std::string& why) {
      ev.violations.push_back({policy.id, "error", "", "policy '" + policy.id + "' failed: " + why, true});
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
      ev.violations.push_back({policy.id, policy.severity, row[0].value_or(""), row[1].value_or("")});
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
