// `weft lint`: checks a tree of spec documents (contracts, products, domains,
// reference entities) and reports every problem with its position and a rule
// id documented in docs/spec-reference.md.
//
//   std::vector<Document> docs = ...;            // from LoadFile
//   engine::DuckDbSqlValidator sql;               // optional: checks `sql` quality rules
//   std::vector<Diagnostic> d = Lint(docs, {.sql = &sql});
//
// Thread safety: pure function of its inputs (the validator must be safe to call).
#pragma once

#include <string>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/model.h"
#include "spec/sql_validator.h"

namespace weft::spec {

struct LintOptions {
  // Checks that each `sql` quality rule and policy query is one read-only
  // SELECT, and that every pattern compiles; these checks are skipped when null.
  const SqlValidator* sql = nullptr;
  // The workspace's currency (WorkspaceSpec::Currency) and the file that
  // sets it: a domain whose `currency` differs is an error, since weft keeps
  // one currency per workspace and converts nothing. Empty: a Workspace
  // document among the linted ones decides, if there is one.
  std::string workspace_currency;
  std::string workspace_file;
  // The documents are all weft knows (plan/apply: the tree and the catalog):
  // a port's contract none of them holds is an error. Otherwise (lint of a
  // tree) it may be in another tree, and is a warning naming it.
  bool references_complete = false;
};

std::vector<Diagnostic> Lint(const std::vector<Document>& docs, const LintOptions& options = {});
// The same over documents held elsewhere (the planner lints the tree and the
// catalog's specs together without copying either).
std::vector<Diagnostic> Lint(const std::vector<const Document*>& docs, const LintOptions& options = {});

struct LintRuleInfo {
  const char* id;
  Severity severity;
  const char* summary;
};
// Every rule id lint and the loader can emit (the docs list each with an example).
const std::vector<LintRuleInfo>& LintRules();

}  // namespace weft::spec
