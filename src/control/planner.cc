#include "control/planner.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "common/files.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "common/time.h"
#include "engine/duckdb_sql_validator.h"
#include "spec/glossary.h"
#include "spec/lint.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::control {

namespace fs = std::filesystem;
using spec::Document;

const char* PlanActionName(PlanAction a) {
  switch (a) {
    case PlanAction::kCreate: return "create";
    case PlanAction::kUpdate: return "update";
    case PlanAction::kDeprecate: return "deprecate";
    case PlanAction::kRemove: return "remove";
    case PlanAction::kKeep: return "keep";
  }
  return "?";
}

size_t Plan::change_count() const {
  return static_cast<size_t>(
      std::count_if(items.begin(), items.end(), [](const PlanItem& i) { return i.action != PlanAction::kKeep; }));
}

namespace {

constexpr const char* kCatalogFilePrefix = "catalog:";


std::string Canonical(const Document& d) { return d.json.dump(); }

// A catalog record's spec, read back into the model (canonical JSON is YAML).
std::optional<Document> FromCatalog(const std::string& spec_json, const std::string& object) {
  spec::LoadedFile f = spec::LoadText(spec_json, kCatalogFilePrefix + object);
  if (f.documents.size() != 1) return std::nullopt;
  return std::move(f.documents[0]);
}

std::string ProductName(const std::string& product_id) {
  auto dot = product_id.find('.');
  return dot == std::string::npos ? product_id : product_id.substr(dot + 1);
}

std::string Describe(const spec::DocumentDiff& d) {
  size_t breaking = 0, warnings = 0;
  for (const auto& c : d.changes) {
    if (c.severity == spec::ChangeSeverity::kBreaking) ++breaking;
    if (c.severity == spec::ChangeSeverity::kWarning) ++warnings;
  }
  return std::to_string(d.changes.size()) + " change(s): " + std::to_string(breaking) + " breaking, " +
         std::to_string(warnings) + " warning(s); bump " + spec::BumpKindName(d.bump) + ", needs " +
         spec::BumpKindName(d.required);
}

// The catalog as it is, indexed for comparison.
struct Current {
  std::map<std::string, catalog::DomainRecord> domains;
  std::map<std::string, catalog::ProductRecord> products;
  std::map<std::string, catalog::ReferenceEntityRecord> entities;
  std::map<std::string, catalog::GlossaryTermRecord> terms;
  std::map<std::string, std::vector<catalog::ContractVersionRecord>> contracts;  // by id, any order
  std::vector<catalog::PortVersionRecord> ports;
};

Result<Current> ReadCurrent(catalog::Store& store) {
  Current c;
  ASSIGN_OR_RETURN(auto domains, store.ListDomains());
  for (auto& d : domains) c.domains.emplace(d.name, std::move(d));
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  for (auto& p : products) c.products.emplace(p.id, std::move(p));
  ASSIGN_OR_RETURN(auto entities, store.ListReferenceEntities());
  for (auto& e : entities) c.entities.emplace(e.name, std::move(e));
  ASSIGN_OR_RETURN(auto terms, store.ListGlossaryTerms());
  for (auto& t : terms) c.terms.emplace(t.name, std::move(t));
  ASSIGN_OR_RETURN(auto contracts, store.ListContractVersions());
  for (auto& v : contracts) c.contracts[v.contract_id].push_back(std::move(v));
  ASSIGN_OR_RETURN(c.ports, store.ListPortVersions());
  return c;
}

// The newest applied version of a contract, optionally within one major.
const catalog::ContractVersionRecord* Latest(const std::vector<catalog::ContractVersionRecord>& versions,
                                              std::optional<uint64_t> major) {
  const catalog::ContractVersionRecord* best = nullptr;
  std::optional<spec::SemVer> best_v;
  for (const auto& r : versions) {
    auto v = spec::SemVer::Parse(r.version);
    if (!v.ok() || (major && v->major != *major)) continue;
    if (!best_v || v->Compare(*best_v) > 0) {
      best = &r;
      best_v = *v;
    }
  }
  return best;
}

class Planner {
 public:
  Planner(const Workspace& ws, catalog::Store& store, const std::vector<Document>& tree, const PlanOptions& options)
      : ws_(ws), store_(store), tree_(tree), options_(options) {}

  Result<Plan> Run(const std::vector<spec::Diagnostic>& load_diagnostics) {
    now_ = options_.now.empty() ? NowIso() : options_.now;
    // The control generation first: a write landing after it and before a
    // read below makes Apply refuse the plan, never apply a stale one.
    ASSIGN_OR_RETURN(plan_.control_generation, store_.ControlGeneration());
    ASSIGN_OR_RETURN(plan_.generation, store_.Generation());
    ASSIGN_OR_RETURN(auto newest, store_.ListAudit({.limit = 1, .newest_first = true}));
    if (!newest.empty()) plan_.audit_id = newest.front().id;
    ASSIGN_OR_RETURN(current_, ReadCurrent(store_));
    IndexTree();
    BuildProposed();
    RETURN_IF_ERROR(LintProposed(load_diagnostics));
    PlanDomains();
    PlanContracts();
    PlanProducts();
    PlanInputs();
    PlanEntities();
    PlanPrune();
    PlanGlossary();
    RETURN_IF_ERROR(AuthorizeWrites());
    RETURN_IF_ERROR(EvaluatePolicies());
    return std::move(plan_);
  }

 private:
  void Refuse(const std::string& file, spec::Pos pos, std::string object, std::string rule, std::string message) {
    plan_.refusals.push_back({file, pos, std::move(object), std::move(rule), std::move(message)});
  }

  void Audit(const std::string& action, const std::string& object, const std::string& before,
             const std::string& after, const std::string& detail) {
    plan_.audit.push_back({0, now_, options_.actor, "apply." + action, object, before, after, detail});
  }

  void AddItem(PlanAction action, std::string object, std::string detail,
               std::optional<spec::DocumentDiff> diff = std::nullopt) {
    plan_.items.push_back({action, std::move(object), std::move(detail), std::move(diff)});
  }

  // --- the tree and the proposed state (tree over catalog) -----------------
  void IndexTree() {
    for (const auto& d : tree_) {
      if (const auto* x = d.domain()) tree_domains_[x->name] = &d;
      if (const auto* x = d.product()) tree_products_[x->id] = &d;
      if (const auto* x = d.contract()) tree_contracts_[x->id] = &d;
      if (const auto* x = d.reference_entity()) tree_entities_[x->name] = &d;
      if (const auto* x = d.glossary_term()) tree_terms_[x->name] = &d;
    }
  }

  void BuildProposed() {
    for (const auto& [name, rec] : current_.domains)
      if (!tree_domains_.count(name)) AddCatalogDoc(rec.spec_json, "domain:" + name);
    for (const auto& [id, rec] : current_.products)
      if (!tree_products_.count(id)) AddCatalogDoc(rec.spec_json, "product:" + id);
    for (const auto& [name, rec] : current_.entities)
      if (!tree_entities_.count(name)) AddCatalogDoc(rec.spec_json, "entity:" + name);
    for (const auto& [name, rec] : current_.terms)
      if (!tree_terms_.count(name)) AddCatalogDoc(rec.spec_json, "term:" + name);
    for (const auto& [id, versions] : current_.contracts)
      if (!tree_contracts_.count(id))
        if (const auto* latest = Latest(versions, std::nullopt))
          AddCatalogDoc(latest->spec_json, "contract:" + id + "@" + latest->version);
    for (const auto& d : tree_) proposed_.push_back(&d);
  }

  void AddCatalogDoc(const std::string& json, const std::string& object) {
    if (auto d = FromCatalog(json, object)) {
      catalog_docs_.push_back(std::move(*d));
    }
  }

  std::vector<const Document*> ProposedDocs() const {
    std::vector<const Document*> out = proposed_;
    for (const auto& d : catalog_docs_) out.push_back(&d);
    return out;
  }

  // Lint the tree together with what the catalog already holds, so that
  // references into already-applied domains resolve; report only the tree's.
  Status LintProposed(const std::vector<spec::Diagnostic>& load_diagnostics) {
    std::vector<const Document*> all = ProposedDocs();
    auto validator = engine::DuckDbSqlValidator::Create();
    if (!validator.ok()) return validator.status().WithContext("while starting the SQL checker");
    plan_.diagnostics = load_diagnostics;
    for (auto& d : spec::Lint(all, {.sql = validator->get(), .workspace_currency = ws_.settings.Currency(),
                                    .workspace_file = ws_.SettingsFile().string(), .references_complete = true}))
      if (!StartsWith(d.file, kCatalogFilePrefix)) plan_.diagnostics.push_back(std::move(d));
    spec::SortDiagnostics(plan_.diagnostics);
    for (const auto& d : plan_.diagnostics)
      if (d.severity == spec::Severity::kError) Refuse(d.file, d.pos, "", d.rule, d.message + " (fix the spec, then plan again)");
    return Status::Ok();
  }

  const spec::DomainSpec* FindDomain(const std::string& name) const {
    if (auto it = tree_domains_.find(name); it != tree_domains_.end()) return it->second->domain();
    for (const auto& d : catalog_docs_)
      if (d.domain() && d.domain()->name == name) return d.domain();
    return nullptr;
  }

  // --- domains --------------------------------------------------------------
  void PlanDomains() {
    std::map<std::string, std::string> roots;  // root -> domain
    for (const auto& [name, rec] : current_.domains)
      if (!tree_domains_.count(name)) roots[rec.storage_root] = name;
    for (const auto& [name, doc] : tree_domains_) {
      const spec::DomainSpec& d = *doc->domain();
      catalog::DomainRecord rec;
      rec.name = d.name;
      rec.description = d.description;
      rec.owners = d.owners;
      rec.storage_root = ws_.DomainRoot(d).string();
      rec.service_principal = "svc." + d.name;
      rec.monthly_budget = d.monthly_budget;
      rec.soft_limit_percent = d.soft_limit_percent;
      rec.currency = d.currency;
      rec.cost_center = d.cost_center;
      rec.spec_json = Canonical(*doc);
      rec.digest = Sha256Hex(rec.spec_json);
      if (auto [it, inserted] = roots.emplace(rec.storage_root, name); !inserted)
        Refuse(doc->file, d.At("storageRoot"), "domain:" + name, "storage-root-shared",
               "storage root " + rec.storage_root + " is already the root of domain '" + it->second +
                   "'; each domain needs its own (set storageRoot in domain.yaml)");
      std::string object = "domain:" + name;
      auto cur = current_.domains.find(name);
      if (cur == current_.domains.end()) {
        AddItem(PlanAction::kCreate, object, "storage root " + rec.storage_root + ", service principal " + rec.service_principal);
        Audit("create", object, "", rec.digest, "");
      } else if (cur->second.digest != rec.digest) {
        if (cur->second.storage_root != rec.storage_root)
          Refuse(doc->file, d.At("storageRoot"), object, "storage-root-changed",
                 "domain '" + name + "' already stores its data in " + cur->second.storage_root +
                     "; moving a storage root is not supported by apply (move the data, then restore storageRoot)");
        AddItem(PlanAction::kUpdate, object, "domain settings changed");
        Audit("update", object, cur->second.digest, rec.digest, "");
      } else {
        AddItem(PlanAction::kKeep, object, "unchanged");
      }
      for (const char* sub : {"", "quarantine", "archive"})
        plan_.directories.push_back(fs::path(rec.storage_root) / sub);
      // The domain's principals: owners, its service principal and its team group.
      plan_.principals.push_back({rec.service_principal, "service", "service principal of domain " + name, {}});
      plan_.principals.push_back({"team:" + name, "group", "team of domain " + name, {}});
      std::vector<catalog::MembershipRecord> members;
      for (const auto& owner : d.owners) {
        plan_.principals.push_back({owner, "user", "", {}});
        members.push_back({"team:" + name, owner, "owner", object});
      }
      members.push_back({"team:" + name, rec.service_principal, "service", object});
      plan_.memberships.emplace_back(object, std::move(members));
      plan_.domains.push_back(std::move(rec));
    }
  }

  // --- contracts --------------------------------------------------------------
  void PlanContracts() {
    for (const auto& [id, doc] : tree_contracts_) {
      const spec::DataContract& c = *doc->contract();
      auto v = spec::SemVer::Parse(c.version);
      if (!v.ok()) continue;  // lint refused it already
      std::string spec_json = Canonical(*doc);
      std::string digest = Sha256Hex(spec_json);
      std::string object = "contract:" + id + "@" + c.version;
      auto& applied = current_.contracts[id];
      auto same = std::find_if(applied.begin(), applied.end(),
                               [&](const catalog::ContractVersionRecord& r) { return r.version == c.version; });
      if (same != applied.end()) {
        if (same->digest == digest) {
          AddItem(PlanAction::kKeep, object, "unchanged");
        } else {
          auto diff = DiffAgainst(*same, c);
          std::string next = spec::SemVer{v->major, v->minor, v->patch + 1, "", ""}.ToString();
          if (diff && diff->level == spec::ChangeLevel::kBreaking) next = std::to_string(v->major + 1) + ".0.0";
          else if (diff && diff->level == spec::ChangeLevel::kAddition)
            next = std::to_string(v->major) + "." + std::to_string(v->minor + 1) + ".0";
          Refuse(doc->file, c.At("version"), object, "version-immutable",
                 "contract '" + id + "' version " + c.version +
                     " is already applied with a different spec; applied versions are immutable — bump the version to " +
                     next + (diff ? " (" + Describe(*diff) + ")" : std::string()));
        }
        continue;
      }
      const catalog::ContractVersionRecord* latest_major = Latest(applied, v->major);
      const catalog::ContractVersionRecord* latest = Latest(applied, std::nullopt);
      if (latest_major && spec::SemVer::Parse(latest_major->version)->Compare(*v) > 0) {
        Refuse(doc->file, c.At("version"), object, "version-backwards",
               "contract '" + id + "' version " + c.version + " is older than the applied " + latest_major->version +
                   "; versions only go forward — use a version above " + latest_major->version);
        continue;
      }
      if (!latest_major && latest && spec::SemVer::Parse(latest->version)->major > v->major) {
        Refuse(doc->file, c.At("version"), object, "version-backwards",
               "contract '" + id + "' major version " + std::to_string(v->major) + " is below the applied " +
                   latest->version + "; a new major must be above it");
        continue;
      }
      const catalog::ContractVersionRecord* base = latest_major ? latest_major : latest;
      std::optional<spec::DocumentDiff> diff;
      if (base) {
        diff = DiffAgainst(*base, c);
        if (diff && !diff->bump_enough) RefuseBump(*doc, c, *base, *diff);
      }
      AddItem(base ? PlanAction::kUpdate : PlanAction::kCreate, object,
              base ? "from " + base->version + ": " + (diff ? Describe(*diff) : std::string("")) : "new contract",
              diff);
      Audit(base ? "update" : "create", object, base ? base->digest : "", digest, "");
      catalog::ContractVersionRecord rec;
      rec.contract_id = id;
      rec.version = c.version;
      rec.major = static_cast<int64_t>(v->major);
      rec.spec_json = std::move(spec_json);
      rec.digest = std::move(digest);
      rec.applied_at = now_;
      BindToPort(rec);
      plan_.contract_versions.push_back(std::move(rec));
    }
  }

  std::optional<spec::DocumentDiff> DiffAgainst(const catalog::ContractVersionRecord& base,
                                                const spec::DataContract& c) {
    auto old_doc = FromCatalog(base.spec_json, "contract:" + base.contract_id + "@" + base.version);
    if (!old_doc || !old_doc->contract()) return std::nullopt;
    return spec::DiffContracts(*old_doc->contract(), c);
  }

  void RefuseBump(const Document& doc, const spec::DataContract& c, const catalog::ContractVersionRecord& base,
                  const spec::DocumentDiff& diff) {
    auto b = spec::SemVer::Parse(base.version);
    std::string needed = diff.required == spec::BumpKind::kMajor ? std::to_string(b->major + 1) + ".0.0"
                         : diff.required == spec::BumpKind::kMinor
                             ? std::to_string(b->major) + "." + std::to_string(b->minor + 1) + ".0"
                             : std::to_string(b->major) + "." + std::to_string(b->minor) + "." + std::to_string(b->patch + 1);
    std::vector<std::string> reasons;
    for (const auto& ch : diff.changes)
      if (ch.severity == spec::ChangeSeverity::kBreaking ||
          (diff.required != spec::BumpKind::kMajor && ch.severity == spec::ChangeSeverity::kWarning))
        reasons.push_back(ch.message + " [" + ch.rule + "]");
    Refuse(doc.file, c.At("version"), "contract:" + c.id + "@" + c.version,
           diff.required == spec::BumpKind::kMajor ? "breaking-change" : "version-bump",
           "contract '" + c.id + "' goes from " + base.version + " to " + c.version + " but " +
               (reasons.empty() ? std::string("its changes") : Join(reasons, "; ")) + " need a " +
               spec::BumpKindName(diff.required) + " bump: bump the version to " + needed +
               " or undo the change");
  }

  // Which product port serves a contract (from the tree, else the catalog).
  void BindToPort(catalog::ContractVersionRecord& rec) {
    for (const Document* d : ProposedDocs()) {
      const auto* p = d->product();
      if (!p) continue;
      for (const auto& port : p->output_ports)
        if (port.contract_id == rec.contract_id) {
          rec.product_id = p->id;
          rec.port = port.name;
          return;
        }
    }
  }

  // The spec of contract `id` at `version`, from the tree or the catalog.
  std::optional<Document> ContractAt(const std::string& id, const std::string& version) {
    if (auto it = tree_contracts_.find(id); it != tree_contracts_.end() && it->second->contract()->version == version)
      return *it->second;
    for (const auto& r : current_.contracts[id])
      if (r.version == version) return FromCatalog(r.spec_json, "contract:" + id + "@" + version);
    return std::nullopt;
  }

  // --- products and their port versions ------------------------------------------
  void PlanProducts() {
    for (const auto& [id, doc] : tree_products_) {
      const spec::DataProduct& p = *doc->product();
      std::string object = "product:" + id;
      const spec::DomainSpec* domain = FindDomain(p.domain);
      if (!domain) {
        Refuse(doc->file, p.At("domain"), object, "domain-unresolved",
               "product '" + id + "' belongs to domain '" + p.domain +
                   "', which is neither in the tree nor applied: add domains/" + p.domain + "/domain.yaml");
        continue;
      }
      catalog::ProductRecord rec;
      rec.id = id;
      rec.domain = p.domain;
      rec.name = p.name.empty() ? ProductName(id) : p.name;
      rec.status = p.status;
      rec.version = p.version;
      rec.description = p.description.purpose;
      rec.tags = p.tags;
      for (const auto& cp : p.custom_properties)
        if (cp.property == "weft.tier" && cp.value.is_string()) rec.tier = cp.value.get<std::string>();
      rec.spec_json = Canonical(*doc);
      if (std::string path = p.TransformPath(); !path.empty()) {
        // Lint has checked that the file exists and is one SELECT.
        auto sql = ReadFileToString(std::filesystem::path(doc->file).parent_path() / path);
        if (!sql.ok()) {
          Refuse(doc->file, p.pos, object, "transform-missing", std::string(sql.status().message()));
          continue;
        }
        rec.transform_sql = std::move(*sql);
      }
      rec.digest = Sha256Hex(rec.spec_json + rec.transform_sql);
      auto cur = current_.products.find(id);
      if (cur == current_.products.end()) {
        AddItem(PlanAction::kCreate, object, "in domain " + p.domain + (rec.transform_sql.empty() ? "" : ", derived"));
        Audit("create", object, "", rec.digest, "");
      } else if (cur->second.spec_json == rec.spec_json && cur->second.digest != rec.digest) {
        AddItem(PlanAction::kUpdate, object, "transform SQL changed");
        Audit("update", object, cur->second.digest, rec.digest, "transform SQL changed");
      } else if (cur->second.digest != rec.digest) {
        std::optional<spec::DocumentDiff> diff;
        if (auto old_doc = FromCatalog(cur->second.spec_json, object); old_doc && old_doc->product())
          diff = ProductDiff(*old_doc->product(), p);
        if (diff && !diff->bump_enough)
          for (const auto& ch : diff->changes)
            if (ch.severity == spec::ChangeSeverity::kBreaking)
              Refuse(doc->file, ch.new_pos.line ? ch.new_pos : p.pos, object, ch.rule,
                     ch.message + " — consumers of '" + id + "' depend on it: bump the product's major version, or " +
                         "keep the port and move it to a new contract major (the old one stays served, deprecated)");
        AddItem(PlanAction::kUpdate, object, diff ? Describe(*diff) : "descriptor changed", diff);
        Audit("update", object, cur->second.digest, rec.digest, "");
      } else {
        AddItem(PlanAction::kKeep, object, "unchanged");
      }
      PlanPorts(*doc, p, *domain);
      PlanTeam(object, p.domain, p.team);
      plan_.search_documents.push_back(SearchDocFor(p));
      plan_.products.push_back(std::move(rec));
    }
    for (const auto& [id, doc] : tree_contracts_) PlanTeam("contract:" + id, doc->contract()->domain, doc->contract()->team);
  }

  // A derived product's input must be served in the major it asks for:
  // either the tree's version of the contract or an older major still
  // served (deprecated) beside it.
  void PlanInputs() {
    for (const auto& [id, doc] : tree_products_) {
      for (const auto& in : doc->product()->input_ports) {
        auto want = spec::SemVer::Parse(in.version);
        if (!want.ok() || in.contract_id.empty()) continue;
        bool served = false;
        for (const auto* list : {&plan_.port_versions, &current_.ports})
          for (const auto& pv : *list)
            if (pv.contract_id == in.contract_id && pv.major == static_cast<int64_t>(want->major) &&
                pv.status != "retired")
              served = true;
        if (!served)
          Refuse(doc->file, in.At("version"), "product:" + id, "input-port-version",
                 "input port '" + in.name + "' wants major " + std::to_string(want->major) + " of contract '" +
                     in.contract_id + "', which no output port serves: point it at a served version");
      }
    }
  }

  // The product diff as apply judges it: a port moving to a new contract
  // major is not breaking here, because apply keeps serving the old major
  // (deprecated) beside the new one.
  static spec::DocumentDiff ProductDiff(const spec::DataProduct& old_p, const spec::DataProduct& new_p) {
    spec::DocumentDiff d = spec::DiffProducts(old_p, new_p);
    std::erase_if(d.changes, [](const spec::Change& c) { return c.rule == "output-port-version-major"; });
    d.level = spec::ChangeLevel::kNone;
    for (const auto& c : d.changes)
      if (const auto* rule = spec::FindDiffRule(c.rule))
        d.level = std::max(d.level, rule->level);
    d.required = spec::RequiredBump(d.level);
    auto from = spec::SemVer::Parse(d.old_version), to = spec::SemVer::Parse(d.new_version);
    d.bump_enough = from.ok() && to.ok() ? spec::BumpIsEnough(*from, *to, d.level) : d.changes.empty();
    return d;
  }

  void PlanTeam(const std::string& source, const std::string& domain, const spec::Team& team) {
    std::vector<catalog::MembershipRecord> members;
    for (const auto& m : team.members) {
      if (m.username.empty()) continue;
      plan_.principals.push_back({m.username, "user", m.name, {}});
      members.push_back({"team:" + domain, m.username, m.role.empty() ? "member" : m.role, source});
    }
    plan_.memberships.emplace_back(source, std::move(members));
  }

  void PlanPorts(const Document& doc, const spec::DataProduct& p, const spec::DomainSpec& domain) {
    for (const auto& port : p.output_ports) {
      if (port.contract_id.empty()) continue;
      auto v = spec::SemVer::Parse(port.version);
      if (!v.ok()) continue;
      auto contract = ContractAt(port.contract_id, port.version);
      if (!contract) {
        Refuse(doc.file, port.At("contractId"), "product:" + p.id, "output-port-contract",
               "output port '" + port.name + "' needs contract '" + port.contract_id + "' version " + port.version +
                   ", which is neither in the tree nor applied");
        continue;
      }
      catalog::PortVersionRecord rec;
      rec.product_id = p.id;
      rec.port = port.name;
      rec.major = static_cast<int64_t>(v->major);
      rec.version = port.version;
      rec.contract_id = port.contract_id;
      rec.status = "active";
      rec.storage_path = (ws_.DomainRoot(domain) / "products" / ProductName(p.id) / ("v" + std::to_string(v->major))).string();
      std::string object = "port:" + p.id + "/" + port.name + "@v" + std::to_string(v->major);
      const catalog::PortVersionRecord* existing = nullptr;
      for (const auto& cur : current_.ports)
        if (cur.product_id == p.id && cur.port == port.name && cur.major == rec.major) existing = &cur;
      if (!existing) {
        AddItem(PlanAction::kCreate, object, "serves contract " + port.contract_id + " " + port.version + " at " + rec.storage_path);
        Audit("create", object, "", port.version, "");
      } else if (auto have = spec::SemVer::Parse(existing->version); have.ok() && have->Compare(*v) > 0) {
        Refuse(doc.file, port.At("version"), object, "version-backwards",
               "output port '" + port.name + "' of '" + p.id + "' already serves " + existing->version +
                   "; it cannot go back to " + port.version + " — publish a newer version instead");
        continue;
      } else if (existing->version != rec.version || existing->status != "active") {
        AddItem(PlanAction::kUpdate, object, existing->version + " -> " + rec.version);
        Audit("update", object, existing->version, rec.version, "");
      } else {
        AddItem(PlanAction::kKeep, object, "unchanged");
      }
      plan_.directories.push_back(rec.storage_path);
      // Older majors still active become deprecated, served beside the new one.
      for (const auto& cur : current_.ports) {
        if (cur.product_id != p.id || cur.port != port.name || cur.major >= rec.major || cur.status != "active") continue;
        catalog::PortVersionRecord old = cur;
        old.status = "deprecated";
        if (auto old_contract = ContractAt(cur.contract_id, cur.version); old_contract && old_contract->contract()) {
          for (auto [prop, field] : {std::pair{"endOfSupport", &old.end_of_support}, std::pair{"endOfLife", &old.end_of_life}})
            if (const auto* sla = old_contract->contract()->FindSla(prop); sla && sla->value.is_string())
              *field = sla->value.get<std::string>();
        }
        std::string old_object = "port:" + p.id + "/" + port.name + "@v" + std::to_string(cur.major);
        AddItem(PlanAction::kDeprecate, old_object,
                "superseded by v" + std::to_string(rec.major) +
                    (old.end_of_life.empty() ? std::string("; no endOfLife in its contract's slaProperties")
                                             : "; end of life " + old.end_of_life));
        Audit("deprecate", old_object, "active", "deprecated", old.end_of_life);
        plan_.port_versions.push_back(std::move(old));
      }
      plan_.port_versions.push_back(std::move(rec));
    }
  }

  catalog::SearchDocument SearchDocFor(const spec::DataProduct& p) {
    catalog::SearchDocument s;
    s.product_id = p.id;
    s.domain = p.domain;
    s.name = p.name.empty() ? ProductName(p.id) : p.name;
    s.status = p.status;
    s.description = Join({p.description.purpose, p.description.usage, p.description.limitations}, " ");
    s.tags = p.tags;
    std::set<std::string> classes, refs, column_tags;
    std::vector<std::string> columns, descriptions;
    for (const auto& port : p.output_ports) {
      auto c = ContractAt(port.contract_id, port.version);
      if (!c || !c->contract()) continue;
      for (const auto& obj : c->contract()->schema)
        for (const auto& prop : obj.properties) {
          columns.push_back(prop.name);
          if (!prop.description.empty()) descriptions.push_back(prop.description);
          if (!prop.classification.empty()) classes.insert(prop.classification);
          column_tags.insert(prop.tags.begin(), prop.tags.end());
          for (const auto& r : prop.relationships)
            for (const auto& to : r.to)
              if (auto hash = to.find('#'); hash != std::string::npos && EntityNames().count(to.substr(0, hash)))
                refs.insert(to.substr(0, hash));
        }
    }
    for (const Document* d : ProposedDocs())
      if (const auto* e = d->reference_entity(); e && Split(e->mastered_by, '/')[0] == p.id) s.golden_record = true;
    s.columns = Join(columns, " ");
    s.column_descriptions = Join(descriptions, " ");
    s.classifications.assign(classes.begin(), classes.end());
    s.column_tags.assign(column_tags.begin(), column_tags.end());
    s.references.assign(refs.begin(), refs.end());
    return s;
  }

  const std::set<std::string>& EntityNames() {
    if (entity_names_.empty())
      for (const Document* d : ProposedDocs())
        if (const auto* e = d->reference_entity()) entity_names_.insert(e->name);
    return entity_names_;
  }

  // --- reference entities ------------------------------------------------------
  void PlanEntities() {
    for (const auto& [name, doc] : tree_entities_) {
      const spec::ReferenceEntity& e = *doc->reference_entity();
      catalog::ReferenceEntityRecord rec{name, e.mastered_by, e.identifier_name, Canonical(*doc), ""};
      rec.digest = Sha256Hex(rec.spec_json);
      std::string object = "entity:" + name;
      auto cur = current_.entities.find(name);
      if (cur == current_.entities.end()) {
        AddItem(PlanAction::kCreate, object, "golden record " + e.mastered_by);
        Audit("create", object, "", rec.digest, "");
      } else if (cur->second.digest != rec.digest) {
        AddItem(PlanAction::kUpdate, object, "golden record " + e.mastered_by);
        Audit("update", object, cur->second.digest, rec.digest, "");
      } else {
        AddItem(PlanAction::kKeep, object, "unchanged");
      }
      plan_.reference_entities.push_back(std::move(rec));
    }
  }

  // --- what the catalog has and the tree does not ----------------------------------
  void PlanPrune() {
    auto handle = [&](const std::string& object, const std::string& digest, std::vector<std::string>& removals,
                      const std::string& key, const std::string& domain) {
      if (!options_.prune) {
        AddItem(PlanAction::kKeep, object, "not in the tree; kept (--prune removes it)");
        return;
      }
      if (!MayWrite(domain)) {
        AddItem(PlanAction::kKeep, object, "not in the tree; kept (" + options_.actor + " does not own domain " + domain + ")");
        return;
      }
      AddItem(PlanAction::kRemove, object, "not in the tree (its stored data is kept on disk)");
      Audit("remove", object, digest, "", "");
      removals.push_back(key);
    };
    for (const auto& [name, rec] : current_.terms) {
      if (tree_terms_.count(name)) continue;
      const std::string object = "term:" + name;
      if (!options_.prune) {
        AddItem(PlanAction::kKeep, object, "not in the tree; kept (--prune removes it)");
      } else if (!MayWriteTerm(rec.domain)) {
        AddItem(PlanAction::kKeep, object, "not in the tree; kept (" + options_.actor + " may not write this " +
                                               TermScope(rec.domain) + ")");
      } else {
        AddItem(PlanAction::kRemove, object, "not in the tree (the columns that name it are unlinked)");
        Audit("remove", object, rec.digest, "", "");
        plan_.remove_terms.push_back(name);
      }
    }
    for (const auto& [name, rec] : current_.products)
      if (!tree_products_.count(name)) handle("product:" + name, rec.digest, plan_.remove_products, name, rec.domain);
    for (const auto& [name, rec] : current_.entities)
      if (!tree_entities_.count(name))
        handle("entity:" + name, rec.digest, plan_.remove_entities, name, DomainOf(rec.mastered_by));
    for (const auto& [name, rec] : current_.domains) {
      if (tree_domains_.count(name)) continue;
      if (options_.prune && MayWrite(name)) {
        for (const auto& [pid, doc] : tree_products_)
          if (doc->product()->domain == name)
            Refuse(doc->file, doc->product()->At("domain"), "domain:" + name, "domain-in-use",
                   "--prune would remove domain '" + name + "', but product '" + pid + "' in the tree belongs to it");
      }
      handle("domain:" + name, rec.digest, plan_.remove_domains, name, name);
    }
  }

  // --- the glossary ---------------------------------------------------------------------
  void PlanGlossary() {
    spec::Glossary glossary;
    for (const Document* d : ProposedDocs())
      if (const auto* t = d->glossary_term()) glossary.Add(*t);
    // A term --prune would remove stays while a weft.term names it (lint
    // could not say so: it sees the catalog's terms); other links just go.
    for (auto& link : LinkColumns(glossary)) {
      if (std::find(plan_.remove_terms.begin(), plan_.remove_terms.end(), link.term) == plan_.remove_terms.end()) {
        plan_.glossary_links.push_back(std::move(link));
      } else if (link.via == spec::TermViaName(spec::TermVia::kCustomProperty)) {
        Refuse("", {}, "term:" + link.term, "term-in-use",
               "--prune would remove glossary term '" + link.term + "', but column " + link.object + "." + link.column +
                   " of " + link.product_id + "_v" + std::to_string(link.major) +
                   " names it by weft.term: keep the term in the tree, or change the column's contract first");
      }
    }
    std::map<std::string, size_t> uses;
    for (const auto& l : plan_.glossary_links) ++uses[l.term];
    for (const auto& [name, doc] : tree_terms_) {
      const spec::GlossaryTerm& t = *doc->glossary_term();
      catalog::GlossaryTermRecord rec{t.name, t.title, t.domain, t.definition, t.owners, t.synonyms, t.related,
                                      Canonical(*doc), ""};
      rec.digest = Sha256Hex(rec.spec_json);
      const std::string object = "term:" + name;
      const std::string detail = TermScope(t.domain) + ", used by " + std::to_string(uses[name]) + " column(s)";
      auto cur = current_.terms.find(name);
      if (cur == current_.terms.end()) {
        AddItem(PlanAction::kCreate, object, detail);
        Audit("create", object, "", rec.digest, "");
      } else if (cur->second.digest != rec.digest) {
        AddItem(PlanAction::kUpdate, object, detail);
        Audit("update", object, cur->second.digest, rec.digest, "");
      } else {
        AddItem(PlanAction::kKeep, object, "unchanged, used by " + std::to_string(uses[name]) + " column(s)");
      }
      plan_.glossary_terms.push_back(std::move(rec));
    }
  }

  // The columns of every port version served after the apply that name a
  // term of `glossary`: each (term, column) once, by its strongest mention.
  std::vector<catalog::GlossaryLinkRecord> LinkColumns(const spec::Glossary& glossary) {
    std::vector<catalog::GlossaryLinkRecord> links;
    if (glossary.empty()) return links;
    for (const auto& pv : ProposedPorts()) {
      if (pv.status == "retired") continue;
      auto c = ContractAt(pv.contract_id, pv.version);
      if (!c || !c->contract()) continue;
      std::function<void(const spec::SchemaObject&, const spec::Property&, const std::string&)> walk =
          [&](const spec::SchemaObject& obj, const spec::Property& prop, const std::string& path) {
            std::set<std::string> linked;
            for (const auto& m : spec::TermMentions(prop))
              if (const spec::GlossaryTerm* t = glossary.Resolve(m); t && linked.insert(t->name).second)
                links.push_back({t->name, pv.product_id, pv.port, pv.major, pv.contract_id, pv.version, obj.name, path,
                                 spec::TermViaName(m.via)});
            for (const auto& child : prop.properties) walk(obj, child, path + "." + child.name);
          };
      for (const auto& obj : c->contract()->schema)
        for (const auto& prop : obj.properties) walk(obj, prop, prop.name);
    }
    return links;
  }

  // Port versions as they will be: the catalog's, overridden by the plan's,
  // without those of removed products.
  std::vector<catalog::PortVersionRecord> ProposedPorts() const {
    std::map<std::tuple<std::string, std::string, int64_t>, catalog::PortVersionRecord> ports;
    for (const auto& p : current_.ports)
      if (!std::count(plan_.remove_products.begin(), plan_.remove_products.end(), p.product_id))
        ports[{p.product_id, p.port, p.major}] = p;
    for (const auto& p : plan_.port_versions) ports[{p.product_id, p.port, p.major}] = p;
    std::vector<catalog::PortVersionRecord> out;
    for (auto& [key, p] : ports) out.push_back(std::move(p));
    return out;
  }

  static std::string TermScope(const std::string& domain) {
    return domain.empty() ? "global term" : "term of domain " + domain;
  }

  // --- who may write what ---------------------------------------------------------------
  bool MayWrite(const std::string& domain) const {
    return !options_.writable_domains || options_.writable_domains->count(domain) > 0;
  }
  bool MayWriteTerm(const std::string& domain) const {
    return domain.empty() ? options_.curate_glossary : MayWrite(domain);
  }

  // "crm.customers" -> "crm" (product ids, and what reference entities name as master).
  static std::string DomainOf(const std::string& id) { return id.substr(0, id.find('.')); }

  // Every write of the plan, whatever document asked for it, against the
  // domains the actor may write — as the catalog stands, not as the tree
  // would make it (a tree cannot make its author an owner).
  Status AuthorizeWrites() {
    if (!options_.writable_domains) return Status::Ok();
    const std::string& who = options_.actor;
    std::set<std::pair<std::string, std::string>> refused;  // (object, domain): once each
    auto refuse = [&](const Document* doc, const char* field, const std::string& object, const std::string& domain) {
      if (!refused.insert({object, domain}).second) return;
      const bool exists = current_.domains.count(domain) > 0;
      std::string message = exists ? who + " does not own domain " + domain + ": only its owners (and admins) apply it"
                                   : "domain " + domain + " does not exist, and creating a domain needs a platform admin";
      spec::Pos pos;
      std::string file;
      if (doc) {
        file = doc->file;
        if (const auto* node = Node(*doc)) pos = node->At(field);
      }
      Refuse(file, pos, object, "not-owner", message);
    };
    auto doc_of = [](const auto& index, const std::string& key) -> const Document* {
      auto it = index.find(key);
      return it == index.end() ? nullptr : it->second;
    };
    for (const auto& d : plan_.domains)
      if (!MayWrite(d.name)) refuse(doc_of(tree_domains_, d.name), "name", "domain:" + d.name, d.name);
    for (const auto& p : plan_.products) {
      const Document* doc = doc_of(tree_products_, p.id);
      if (!MayWrite(p.domain)) refuse(doc, "domain", "product:" + p.id, p.domain);
      if (auto cur = current_.products.find(p.id); cur != current_.products.end() && !MayWrite(cur->second.domain))
        refuse(doc, "id", "product:" + p.id, cur->second.domain);
      if (DomainOf(p.id) != p.domain && !MayWrite(DomainOf(p.id))) refuse(doc, "id", "product:" + p.id, DomainOf(p.id));
    }
    for (const auto& c : plan_.contract_versions) {
      const Document* doc = doc_of(tree_contracts_, c.contract_id);
      if (doc && doc->contract() && !MayWrite(doc->contract()->domain))
        refuse(doc, "domain", "contract:" + c.contract_id, doc->contract()->domain);
      if (!c.product_id.empty() && !MayWrite(DomainOf(c.product_id)))
        refuse(doc, "id", "contract:" + c.contract_id, DomainOf(c.product_id));
      if (auto cur = current_.contracts.find(c.contract_id); cur != current_.contracts.end())
        for (const auto& v : cur->second)
          if (!v.product_id.empty() && !MayWrite(DomainOf(v.product_id))) {
            refuse(doc, "id", "contract:" + c.contract_id, DomainOf(v.product_id));
            break;
          }
    }
    for (const auto& pv : plan_.port_versions)
      if (!MayWrite(DomainOf(pv.product_id)))
        refuse(doc_of(tree_products_, pv.product_id), "outputPorts", "product:" + pv.product_id, DomainOf(pv.product_id));
    for (const auto& e : plan_.reference_entities) {
      const Document* doc = doc_of(tree_entities_, e.name);
      if (!MayWrite(DomainOf(e.mastered_by))) refuse(doc, "masteredBy", "entity:" + e.name, DomainOf(e.mastered_by));
      if (auto cur = current_.entities.find(e.name); cur != current_.entities.end() && !MayWrite(DomainOf(cur->second.mastered_by)))
        refuse(doc, "name", "entity:" + e.name, DomainOf(cur->second.mastered_by));
    }
    for (const auto& t : plan_.glossary_terms) {
      const Document* doc = doc_of(tree_terms_, t.name);
      auto cur = current_.terms.find(t.name);
      const std::string* old_domain = cur == current_.terms.end() ? nullptr : &cur->second.domain;
      for (const std::string* domain : {&t.domain, old_domain}) {
        if (!domain || MayWriteTerm(*domain)) continue;
        if (!domain->empty()) {
          refuse(doc, "domain", "term:" + t.name, *domain);
        } else if (refused.insert({"term:" + t.name, ""}).second) {
          Refuse(doc ? doc->file : "", doc ? doc->glossary_term()->At("name") : spec::Pos{}, "term:" + t.name, "not-owner",
                 who + " may not write global glossary term '" + t.name +
                     "': only stewards and admins curate the global glossary (or give the term a domain you own)");
        }
      }
    }
    // Team memberships, whichever document declares them (a domain's
    // owners, a product's or a contract's team): each names team:<domain>.
    ASSIGN_OR_RETURN(std::vector<catalog::MembershipRecord> existing, store_.ListMemberships());
    for (const auto& [source, members] : plan_.memberships) {
      const Document* doc = SourceDoc(source);
      std::set<std::string> domains;
      for (const auto& m : members)
        if (StartsWith(m.group, "team:")) domains.insert(m.group.substr(5));
      for (const auto& m : existing)  // what re-applying this source would replace
        if (m.source == source && StartsWith(m.group, "team:")) domains.insert(m.group.substr(5));
      for (const auto& d : domains)
        if (!MayWrite(d)) refuse(doc, "team", source, d);
    }
    return Status::Ok();
  }

  const Document* SourceDoc(const std::string& source) const {
    auto colon = source.find(':');
    if (colon == std::string::npos) return nullptr;
    const std::string kind = source.substr(0, colon), key = source.substr(colon + 1);
    const std::map<std::string, const Document*>* index = kind == "domain"     ? &tree_domains_
                                                          : kind == "product"  ? &tree_products_
                                                          : kind == "contract" ? &tree_contracts_
                                                                               : nullptr;
    if (!index) return nullptr;
    auto it = index->find(key);
    return it == index->end() ? nullptr : it->second;
  }

  static const spec::SpecNode* Node(const Document& d) {
    if (const auto* x = d.domain()) return x;
    if (const auto* x = d.product()) return x;
    if (const auto* x = d.contract()) return x;
    if (const auto* x = d.reference_entity()) return x;
    if (const auto* x = d.glossary_term()) return x;
    return nullptr;
  }

  // --- governance ---------------------------------------------------------------------
  Status EvaluatePolicies() {
    governance::ProposedState state;
    state.documents = ProposedDocs();
    state.classification_masks = ws_.settings.masking;
    state.port_versions = ProposedPorts();

    std::vector<spec::PolicySpec> policies;
    for (const auto& pack : ws_.PolicyPacks()) {
      if (pack == "default") {
        ASSIGN_OR_RETURN(auto def, governance::DefaultPolicyPack());
        policies.insert(policies.end(), def.begin(), def.end());
        continue;
      }
      auto loaded = governance::LoadPolicyPack(ws_.ResolvePath(pack));
      if (!loaded.ok()) return loaded.status().WithContext("while loading policy pack " + pack);
      policies.insert(policies.end(), loaded->begin(), loaded->end());
    }
    ASSIGN_OR_RETURN(auto waivers, store_.ListWaivers());
    // Cached by a digest of all it reads, so an unchanged tree skips building the model.
    ASSIGN_OR_RETURN(plan_.policies, governance::Evaluate(state, policies, waivers, now_,
                                                          ws_.CacheDir() / "policy-results.json"));
    for (const auto& v : plan_.policies.violations) {
      if (v.severity != "error" || v.waived) continue;
      if (v.policy_error) {
        Refuse("", {}, "policy:" + v.policy_id, "policy-error",
               "policy '" + v.policy_id + "' cannot run: " + v.message + " — fix the policy pack");
        continue;
      }
      Refuse("", {}, v.subject, "policy:" + v.policy_id,
             v.message + " — fix it, or add a waiver: weft waiver add " + v.policy_id + " " + v.subject +
                 " --reason TEXT --approver NAME --expires DATE");
    }
    return Status::Ok();
  }

  const Workspace& ws_;
  catalog::Store& store_;
  const std::vector<Document>& tree_;
  const PlanOptions& options_;
  std::string now_;
  Plan plan_;
  Current current_;
  std::map<std::string, const Document*> tree_domains_, tree_products_, tree_contracts_, tree_entities_, tree_terms_;
  std::vector<const Document*> proposed_;
  std::vector<Document> catalog_docs_;  // catalog specs not overridden by the tree
  std::set<std::string> entity_names_;
};

}  // namespace

Result<Plan> MakePlan(const Workspace& ws, catalog::Store& store, const std::vector<Document>& tree,
                      const std::vector<spec::Diagnostic>& load_diagnostics, const PlanOptions& options) {
  return Planner(ws, store, tree, options).Run(load_diagnostics);
}

namespace {

// Why an apply lost: who changed what its plan read, from the audit trail
// (applies, prunes, waivers and principal changes are what move the control
// generation; planner.h).
Status ConflictError(catalog::Store& store, const Plan& plan) {
  std::vector<std::string> writers;
  auto events = store.ListAudit({.after_id = plan.audit_id, .limit = 0});  // the few seconds a plan takes
  if (events.ok()) {
    for (const auto& e : *events) {
      if (!StartsWith(e.action, "apply.") && !StartsWith(e.action, "waiver.") && !StartsWith(e.action, "principal."))
        continue;
      std::string who = e.actor + " (" + e.action + " " + e.object + ")";
      if (std::find(writers.begin(), writers.end(), who) == writers.end()) writers.push_back(who);
      if (writers.size() == 3) break;
    }
  }
  return Status::FailedPrecondition(
      "what this plan read was changed by another writer meanwhile" +
      (writers.empty() ? std::string(" (a domain, team, product, contract, entity, term or waiver)")
                       : ": " + Join(writers, ", ")) +
      "; nothing was applied — run weft plan again and re-apply");
}

}  // namespace

Result<ApplyResult> Apply(const Workspace&, catalog::Store& store, storage::FileSystem& fs, const Plan& plan) {
  if (plan.refused()) return Status::FailedPrecondition("the plan was refused; nothing applied");
  ApplyResult result;
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  ASSIGN_OR_RETURN(int64_t generation, txn->ControlGeneration());
  if (generation != plan.control_generation) return ConflictError(store, plan);
  for (const auto& d : plan.domains) RETURN_IF_ERROR(txn->UpsertDomain(d));
  std::set<std::string> seen_principals;
  for (const auto& p : plan.principals)
    if (seen_principals.insert(p.name).second) RETURN_IF_ERROR(txn->EnsurePrincipal(p));
  for (const auto& [source, members] : plan.memberships) RETURN_IF_ERROR(txn->ReplaceMemberships(source, members));
  for (const auto& p : plan.products) RETURN_IF_ERROR(txn->UpsertProduct(p));
  for (const auto& c : plan.contract_versions) RETURN_IF_ERROR(txn->InsertContractVersion(c));
  for (const auto& v : plan.port_versions) RETURN_IF_ERROR(txn->UpsertPortVersion(v));
  for (const auto& e : plan.reference_entities) RETURN_IF_ERROR(txn->UpsertReferenceEntity(e));
  for (const auto& s : plan.search_documents) RETURN_IF_ERROR(txn->IndexForSearch(s));
  for (const auto& id : plan.remove_products) RETURN_IF_ERROR(txn->DeleteProduct(id));
  for (const auto& name : plan.remove_entities) RETURN_IF_ERROR(txn->DeleteReferenceEntity(name));
  for (const auto& t : plan.glossary_terms) RETURN_IF_ERROR(txn->UpsertGlossaryTerm(t));
  for (const auto& name : plan.remove_terms) RETURN_IF_ERROR(txn->DeleteGlossaryTerm(name));
  RETURN_IF_ERROR(txn->ReplaceGlossaryLinks(plan.glossary_links));
  for (const auto& name : plan.remove_domains) RETURN_IF_ERROR(txn->DeleteDomain(name));
  for (const auto& e : plan.audit) RETURN_IF_ERROR(txn->AppendAudit(e));

  // Provision storage last, just before the commit; undo it on any failure.
  std::vector<fs::path> created;
  auto undo = [&] {
    for (auto it = created.rbegin(); it != created.rend(); ++it) fs.RemoveAll(*it).IgnoreError();
  };
  for (const auto& dir : plan.directories) {
    Status s = fs.CreateDirectories(dir, storage::kOwnerOnly, &created);
    if (!s.ok()) {
      undo();
      return s.WithContext("while provisioning storage (nothing was applied)");
    }
  }
  Status committed = txn->Commit();
  if (!committed.ok()) {
    undo();
    return committed.WithContext("while committing to the catalog (nothing was applied)");
  }
  result.changes = plan.change_count();
  result.directories_created = created.size();
  return result;
}

}  // namespace weft::control
