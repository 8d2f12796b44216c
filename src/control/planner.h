// `weft plan` and `weft apply`: reconcile a tree of specs with the catalog.
//
// MakePlan compares the tree with the catalog and works out every record to
// write, every directory to provision, the contract diffs and their semver
// verdicts, and the policy results; it refuses (with reasons that say what
// to do) when the tree has lint errors, a breaking change lacks a major bump,
// a version goes backwards, an applied version's spec changed, or an error
// policy fails without a valid waiver. Apply writes the plan in one catalog
// transaction (with its audit events), provisioning storage before the
// commit and removing what it provisioned if anything fails — so a refused
// or failed apply leaves the catalog and the disk as they were.
//
//   ASSIGN_OR_RETURN(Plan plan, MakePlan(ws, *store, tree, {.prune = false, .actor = "alice"}));
//   PrintPlan(plan, std::cout);
//   if (!plan.refused()) RETURN_IF_ERROR(Apply(ws, *store, storage::DefaultFileSystem(), plan).status());
//
// Thread safety: functions over values; the Store serializes writers.
#pragma once

#include <filesystem>
#include <optional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "catalog/store.h"
#include "control/workspace.h"
#include "governance/policy.h"
#include "spec/diff.h"
#include "spec/model.h"
#include "storage/file_system.h"

namespace weft::control {

enum class PlanAction { kCreate, kUpdate, kDeprecate, kRemove, kKeep };
const char* PlanActionName(PlanAction a);

struct PlanItem {
  PlanAction action = PlanAction::kCreate;
  // "domain:sales", "product:sales.orders", "contract:sales.orders@1.1.0", "port:sales.orders/orders@v2", "term:customer"
  std::string object;
  std::string detail;  // one line for humans
  std::optional<spec::DocumentDiff> diff;  // contract and product updates
};

// Why the tree cannot be applied, and what to do about it.
struct Refusal {
  std::string file;
  spec::Pos pos;
  std::string object;
  std::string rule;
  std::string message;
};

struct PlanOptions {
  bool prune = false;
  std::string actor;  // recorded in audit events
  // The domains the actor may write (service::Authorizer::WritableDomains):
  // anything the plan would write outside them — a domain, its team's
  // memberships, a product, port or contract of it, a reference entity it
  // masters, a new domain — is refused, and --prune removes only inside
  // them. Unset: every domain (admins).
  std::optional<std::set<std::string>> writable_domains;
  std::string now;    // ISO 8601 UTC; empty: the current time
  // May write global glossary terms (those without a domain):
  // service::Authorizer's kCurateGlossary, stewards and admins. A term of a
  // domain is written by who may write the domain.
  bool curate_glossary = true;
};

struct Plan {
  int64_t generation = 0;  // the catalog generation the plan was made at
  // The control generation it was made at (catalog::Store::ControlGeneration):
  // what Apply checks, so only a change of what the plan read refuses it.
  int64_t control_generation = 0;
  int64_t audit_id = 0;  // the newest audit event then: who changed the catalog since starts after it
  std::vector<PlanItem> items;
  std::vector<Refusal> refusals;
  std::vector<spec::Diagnostic> diagnostics;  // lint errors and warnings of the tree
  governance::Evaluation policies;

  // What Apply writes.
  std::vector<catalog::DomainRecord> domains;
  std::vector<catalog::PrincipalRecord> principals;
  std::vector<std::pair<std::string, std::vector<catalog::MembershipRecord>>> memberships;  // by source
  std::vector<catalog::ProductRecord> products;
  std::vector<catalog::PortVersionRecord> port_versions;
  std::vector<catalog::ContractVersionRecord> contract_versions;
  std::vector<catalog::ReferenceEntityRecord> reference_entities;
  std::vector<catalog::SearchDocument> search_documents;
  std::vector<catalog::GlossaryTermRecord> glossary_terms;
  // Every column of a served port version that names a term, as the
  // catalog will hold them (apply replaces the catalog's).
  std::vector<catalog::GlossaryLinkRecord> glossary_links;
  std::vector<std::string> remove_domains, remove_products, remove_entities, remove_terms;
  std::vector<std::filesystem::path> directories;  // storage to provision
  std::vector<catalog::AuditEvent> audit;

  bool refused() const { return !refusals.empty(); }
  // Items other than kKeep.
  size_t change_count() const;
};

Result<Plan> MakePlan(const Workspace& ws, catalog::Store& store, const std::vector<spec::Document>& tree,
                      const std::vector<spec::Diagnostic>& load_diagnostics, const PlanOptions& options);

struct ApplyResult {
  size_t changes = 0;
  size_t directories_created = 0;
};

// Applies a plan that was not refused. Fails with kFailedPrecondition,
// naming the other writers, when what the plan read (domains, teams,
// products, ports, contracts, entities, terms, waivers) changed since it was
// made; grants, tokens and publishes committed meanwhile do not matter.
Result<ApplyResult> Apply(const Workspace& ws, catalog::Store& store, storage::FileSystem& fs, const Plan& plan);

}  // namespace weft::control
