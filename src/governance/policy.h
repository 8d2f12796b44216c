// Policy packs and their evaluation: governance as code. A policy is a
// `kind: Policy` document (docs/policies.md) whose SQL query runs over the
// metadata model (metadata_model.h); each row it returns — columns subject
// and message — is a violation. A waiver exempts one subject from one policy
// until it expires.
//
//   ASSIGN_OR_RETURN(auto policies, LoadPolicies({"policies/"}, /*include_default=*/true));
//   ASSIGN_OR_RETURN(Evaluation ev, Evaluate(state, policies, waivers, "2025-07-01T00:00:00Z"));
//   if (ev.errors > 0) Refuse(ev);
//
// Thread safety: pure functions; each Evaluate uses its own DuckDB instance.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "governance/metadata_model.h"
#include "spec/model.h"

namespace weft::governance {

// The pack compiled into the binary (src/governance/default_pack/*.yaml), in
// id order.
Result<std::vector<spec::PolicySpec>> DefaultPolicyPack();

// Every *.yaml / *.yml under `dir`. A document that is not a Policy, a load
// or lint error, or a policy id used twice is an InvalidArgument listing each
// problem as `file:line:col: error: ...`.
Result<std::vector<spec::PolicySpec>> LoadPolicyPack(const std::filesystem::path& dir);

// The default pack (when asked) followed by each directory's pack; a policy id
// defined in two packs is an error.
Result<std::vector<spec::PolicySpec>> LoadPolicies(const std::vector<std::filesystem::path>& dirs,
                                                   bool include_default);

struct Violation {
  std::string policy_id;
  std::string severity;  // error | warn
  std::string subject;
  std::string message;
  // The policy itself failed (bad SQL, wrong columns, sandbox refusal):
  // subject is empty, message carries DuckDB's error; always severity error.
  bool policy_error = false;
  bool waived = false;
  int64_t waiver_id = 0;  // the matching waiver, when waived
};

struct Evaluation {
  std::vector<Violation> violations;  // sorted by (policy_id, subject, message)
  size_t policies = 0;                // how many were run
  size_t errors = 0;                  // unwaived, severity error (policy errors included)
  size_t warnings = 0;                // unwaived, severity warn
  size_t waived = 0;
};

// Builds the metadata model of `state` once in a fresh sandboxed in-memory
// DuckDB (no file or network access, configuration locked) and runs every
// policy over it. A waiver applies when its policy id and subject match
// exactly and expires_at > now_iso (both ISO 8601 UTC, compared as text).
// A non-OK result means the model itself could not be built.
//
// With a `cache_file`, the violations found (before waivers) are kept there
// under a SHA-256 of everything the queries see — every document's kind, file
// and JSON, the port versions, the masks, the policies' ids, severities and
// queries, the model's tables — and an Evaluate with the same inputs reads
// them instead of building the model again (a plan of an unchanged tree).
// Nothing is cached when a query may read the clock or a random source.
Result<Evaluation> Evaluate(const ProposedState& state, const std::vector<spec::PolicySpec>& policies,
                            const std::vector<catalog::WaiverRecord>& waivers, std::string_view now_iso,
                            const std::filesystem::path& cache_file = {});

}  // namespace weft::governance
