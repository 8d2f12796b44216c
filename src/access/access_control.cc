#include "access/access_control.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/strings.h"
#include "engine/duckdb_sql_validator.h"
#include "lineage/sql_lineage.h"
#include "quality/check_plan.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::access {

namespace {

std::string CustomString(const std::vector<spec::CustomProperty>& props, const char* name) {
  for (const auto& cp : props)
    if (cp.property == name && cp.value.is_string()) return cp.value.get<std::string>();
  return "";
}

std::string Address(const std::string& product_id, int64_t major) { return product_id + "_v" + std::to_string(major); }

}  // namespace

Result<std::string> ExpiryFromDate(const std::string& date, const std::string& now, std::string_view option) {
  if (date.empty()) return std::string();
  bool ok = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
            std::all_of(date.begin(), date.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (!ok) return Status::InvalidArgument(std::string(option) + " '" + date + "' is not a date (YYYY-MM-DD)");
  std::string end = date + "T23:59:59.999Z";
  if (end <= now) return Status::InvalidArgument(std::string(option) + " " + date + " is in the past");
  return end;
}

std::string SubstitutePrincipal(const std::string& filter, const Principal& p) {
  static const std::string kToken = "$principal.";
  std::string out;
  size_t i = 0;
  while (i < filter.size()) {
    size_t at = filter.find(kToken, i);
    if (at == std::string::npos) {
      out += filter.substr(i);
      break;
    }
    out += filter.substr(i, at - i);
    size_t end = at + kToken.size();
    while (end < filter.size() && (std::isalnum(static_cast<unsigned char>(filter[end])) || filter[end] == '_')) ++end;
    std::string attr = filter.substr(at + kToken.size(), end - at - kToken.size());
    auto it = p.attributes.find(attr);
    out += it == p.attributes.end() ? "NULL" : SqlQuote(it->second);
    i = end;
  }
  return out;
}

bool AccessControl::InForce(const catalog::GrantRecord& g, const std::string& now) {
  return g.revoked_at.empty() && (g.expires_at.empty() || g.expires_at > now);
}

Result<AccessControl> AccessControl::Load(catalog::Store& store, AccessSettings settings,
                                          const AccessControl* previous) {
  AccessControl ac;
  ac.settings_ = std::move(settings);
  std::map<std::string, const Product*> known;  // the previous rules' products, by id
  if (previous)
    for (const Product& p : previous->products_) known[p.record.id] = &p;
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  for (auto& rec : products) {
    Product p{.record = std::move(rec), .spec = nullptr};
    if (auto it = known.find(p.record.id);
        it != known.end() && !p.record.digest.empty() && it->second->record.digest == p.record.digest &&
        it->second->record.spec_json == p.record.spec_json) {
      p.spec = it->second->spec;
    } else {
      spec::LoadedFile loaded = spec::LoadText(p.record.spec_json, "catalog:product:" + p.record.id);
      if (!loaded.documents.empty() && loaded.documents[0].product())
        p.spec = std::make_shared<const spec::DataProduct>(*loaded.documents[0].product());
    }
    ac.products_.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(ac.ports_, store.ListPortVersions());
  ASSIGN_OR_RETURN(ac.contracts_, store.ListContractVersions());
  if (previous) {
    // Contract versions are immutable, but a digest check costs nothing.
    std::map<std::pair<std::string, std::string>, const std::string*> digests;
    for (const auto& c : ac.contracts_) digests[{c.contract_id, c.version}] = &c.digest;
    std::lock_guard lock(previous->parsed_->mu);
    for (const auto& [key, parsed] : previous->parsed_->contracts)
      if (auto it = digests.find(key); it != digests.end() && *it->second == parsed.digest)
        ac.parsed_->contracts.emplace(key, parsed);
  }
  ASSIGN_OR_RETURN(ac.memberships_, store.ListMemberships());
  ASSIGN_OR_RETURN(ac.grants_, store.ListGrants());
  ASSIGN_OR_RETURN(ac.requests_, store.ListAccessRequests());
  ASSIGN_OR_RETURN(auto principals, store.ListPrincipals());
  for (const auto& p : principals) {
    ac.grantees_.push_back(p.name);
    // Every domain has its team group: "domain:<d>" names the domain's principals.
    if (p.kind == "group" && StartsWith(p.name, "team:")) ac.grantees_.push_back("domain:" + p.name.substr(5));
  }
  return ac;
}

Status AccessControl::CheckGranteeExists(const std::string& grantee) const {
  if (std::find(grantees_.begin(), grantees_.end(), grantee) != grantees_.end()) return Status::Ok();
  std::string hint = ClosestMatch(grantee, grantees_);
  return Status::NotFound("no principal, group or domain '" + grantee + "' to grant to" +
                          (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                          " (principals: weft get principals; groups are team:DOMAIN, domains domain:DOMAIN)");
}

std::vector<const catalog::GrantRecord*> AccessControl::GrantsOf(const std::string& product_id, int64_t major,
                                                                 const std::string& grantee, const std::string& now) const {
  std::vector<const catalog::GrantRecord*> out;
  for (const auto& g : grants_)
    if (g.product_id == product_id && g.major == major && g.grantee == grantee && InForce(g, now)) out.push_back(&g);
  return out;
}

std::string AccessControl::Widening(const std::string& product_id, int64_t major, const std::string& grantee,
                                    const std::vector<std::string>& columns, const std::string& row_filter,
                                    const std::string& now) const {
  auto existing = GrantsOf(product_id, major, grantee, now);
  if (existing.empty()) return "";
  // What the grantee reads today: grants add up (columns unioned, rows any allows).
  bool all_columns = false, all_rows = false;
  std::set<std::string> cols;
  std::vector<std::string> ids;
  for (const auto* g : existing) {
    ids.push_back(std::to_string(g->id));
    if (g->columns.empty()) all_columns = true;
    for (const auto& c : g->columns) cols.insert(ToLower(c));
    if (g->row_filter.empty()) all_rows = true;
  }
  std::vector<std::string> wider;
  if (!all_rows && row_filter.empty()) wider.push_back("every row instead of the filtered ones");
  if (!all_columns) {
    if (columns.empty()) {
      wider.push_back("every column instead of " + Join(std::vector<std::string>(cols.begin(), cols.end()), ", "));
    } else {
      std::vector<std::string> added;
      for (const auto& c : columns)
        if (!cols.count(ToLower(c))) added.push_back(c);
      if (!added.empty()) wider.push_back("columns " + Join(added, ", ") + " too");
    }
  }
  if (wider.empty()) return "";
  return grantee + " already reads " + Address(product_id, major) + " through grant" + (ids.size() > 1 ? "s " : " ") +
         Join(ids, ", ") + "; this would give " + Join(wider, " and ");
}

const AccessControl::Product* AccessControl::FindProduct(const std::string& id) const {
  for (const auto& p : products_)
    if (p.record.id == id) return &p;
  return nullptr;
}

Result<const AccessControl::Product*> AccessControl::RequireProduct(const std::string& id) const {
  if (const Product* p = FindProduct(id)) return p;
  std::vector<std::string> ids;
  for (const auto& p : products_) ids.push_back(p.record.id);
  std::string hint = ClosestMatch(id, ids);
  return Status::NotFound("no product '" + id + "' in the catalog" +
                          (hint.empty() ? "; `weft get products` lists them" : "; did you mean '" + hint + "'?"));
}

const catalog::PortVersionRecord* AccessControl::Port(const std::string& product_id, int64_t major) const {
  for (const auto& pv : ports_)
    if (pv.product_id == product_id && pv.major == major) return &pv;
  return nullptr;
}

Result<int64_t> AccessControl::NewestMajor(const std::string& product_id) const {
  RETURN_IF_ERROR(RequireProduct(product_id).status());
  int64_t newest = 0;
  for (const auto& pv : ports_)
    if (pv.product_id == product_id && pv.status != "retired") newest = std::max(newest, pv.major);
  if (newest == 0) return Status::FailedPrecondition(product_id + " serves no version (every major is retired)");
  return newest;
}

// "sales.orders" (the newest major) or "sales.orders@v2".
Result<std::pair<const AccessControl::Product*, int64_t>> AccessControl::ResolveTarget(const std::string& text) const {
  std::string id = text;
  std::optional<int64_t> major;
  if (auto at = text.find('@'); at != std::string::npos) {
    id = text.substr(0, at);
    std::string v = text.substr(at + 1);
    if (v.size() < 2 || v[0] != 'v' || v.find_first_not_of("0123456789", 1) != std::string::npos)
      return Status::InvalidArgument("'" + text + "': write the version as @vMAJOR, e.g. " + id + "@v1");
    major = std::stoll(v.substr(1));
  }
  ASSIGN_OR_RETURN(const Product* p, RequireProduct(id));
  if (!major) {
    ASSIGN_OR_RETURN(major, NewestMajor(id));
  } else if (!Port(id, *major)) {
    return Status::NotFound(id + " has no version v" + std::to_string(*major));
  }
  return std::make_pair(p, *major);
}

Result<std::shared_ptr<const spec::DataContract>> AccessControl::Contract(const std::string& id,
                                                                         const std::string& version) const {
  // Parsed once per loaded catalog state: a query authorizes against it on
  // every call, and parsing the stored spec (through the YAML loader) is
  // most of what authorizing costs.
  {
    std::lock_guard lock(parsed_->mu);
    if (auto it = parsed_->contracts.find({id, version}); it != parsed_->contracts.end()) return it->second.spec;
  }
  for (const auto& c : contracts_) {
    if (c.contract_id != id || c.version != version) continue;
    spec::LoadedFile loaded = spec::LoadText(c.spec_json, "catalog:contract:" + id);
    if (loaded.documents.empty() || !loaded.documents[0].contract())
      return Status::Internal("the catalog's contract " + id + "@" + version + " does not load");
    auto parsed = std::make_shared<const spec::DataContract>(std::get<spec::DataContract>(std::move(loaded.documents[0].spec)));
    std::lock_guard lock(parsed_->mu);
    parsed_->contracts.emplace(std::make_pair(id, version), Parsed::Contract{.digest = c.digest, .spec = parsed});
    return parsed;
  }
  return Status::NotFound("contract " + id + "@" + version + " is not in the catalog");
}

Result<const spec::SchemaObject*> AccessControl::PortObject(const spec::DataContract& c,
                                                            const catalog::PortVersionRecord& port) const {
  const spec::SchemaObject* obj = c.FindObject(port.port);
  if (!obj && !c.schema.empty()) obj = &c.schema.front();
  if (!obj) return Status::FailedPrecondition("contract " + c.id + " has no schema object");
  return obj;
}

bool AccessControl::IsOpen(const Product& p, const catalog::PortVersionRecord& port) const {
  if (!p.spec) return false;
  if (const spec::OutputPort* op = p.spec->FindOutputPort(port.port)) return CustomString(op->custom_properties, "weft.access") == "open";
  return false;
}

bool AccessControl::IsOwner(const Principal& p, const std::string& product_id) const {
  if (p.admin()) return true;
  const Product* product = FindProduct(product_id);
  if (!product) return false;
  if (p.HasRole("team:" + product->record.domain, "owner")) return true;
  for (const auto& a : Approvers(product_id))
    if (a == p.name) return true;
  return false;
}

std::vector<std::string> AccessControl::Approvers(const std::string& product_id) const {
  std::set<std::string> out;
  const Product* product = FindProduct(product_id);
  if (!product) return {};
  for (const auto& m : memberships_)
    if (m.group == "team:" + product->record.domain && m.role == "owner") out.insert(m.principal);
  // The contracts' roles name approvers: every served major's.
  for (const auto& pv : ports_) {
    if (pv.product_id != product_id) continue;
    auto c = Contract(pv.contract_id, pv.version);
    if (!c.ok()) continue;
    for (const auto& role : (*c)->roles) {
      out.insert(role.first_level_approvers.begin(), role.first_level_approvers.end());
      out.insert(role.second_level_approvers.begin(), role.second_level_approvers.end());
    }
  }
  return {out.begin(), out.end()};
}

Result<ReadAccess> AccessControl::Authorize(const Principal& p, const std::string& product_id, int64_t major,
                                            const std::string& contract_version, const std::string& now) const {
  ASSIGN_OR_RETURN(const Product* product, RequireProduct(product_id));
  const catalog::PortVersionRecord* port = Port(product_id, major);
  if (!port) return Status::NotFound(product_id + " has no version v" + std::to_string(major));
  ReadAccess out{.product_id = product_id, .major = major, .status = port->status, .description = product->record.description};
  if (port->status == "retired") {
    auto newest = NewestMajor(product_id);
    return Status::FailedPrecondition(Address(product_id, major) + " is retired" +
                                      (newest.ok() ? "; read " + Address(product_id, *newest) + " instead" : ""));
  }
  if (port->status == "deprecated")
    out.warnings.push_back(Address(product_id, major) + " is deprecated" +
                           (port->end_of_life.empty() ? "" : " (end of life " + port->end_of_life + ")") +
                           "; move to a newer major");

  std::vector<const catalog::GrantRecord*> grants;
  if (p.InGroup("team:" + product->record.domain)) {
    out.basis = "producer";
  } else if (IsOpen(*product, *port)) {
    out.basis = "open";
  } else {
    for (const auto& g : grants_)
      if (g.product_id == product_id && g.major == major && InForce(g, now) && p.Matches(g.grantee)) grants.push_back(&g);
    if (grants.empty()) {
      auto newest = NewestMajor(product_id);
      return Status(StatusCode::kPermissionDenied,
                    "no grant on " + Address(product_id, major) + " for " + p.name + " — request it: weft access request " +
                        product_id + (!newest.ok() || *newest == major ? "" : "@v" + std::to_string(major)) +
                        " --purpose \"...\"" + " (approvers: " + Join(Approvers(product_id), ", ") + ")");
    }
    out.basis = "grant";
  }

  std::set<std::string> columns, clearances;
  bool all_columns = grants.empty(), all_rows = grants.empty();
  std::vector<std::string> filters;
  for (const auto* g : grants) {
    out.grant_ids.push_back(g->id);
    if (g->columns.empty()) all_columns = true;
    for (const auto& c : g->columns) columns.insert(ToLower(c));
    clearances.insert(g->clearances.begin(), g->clearances.end());
    if (g->row_filter.empty()) all_rows = true;
    else filters.push_back("(" + SubstitutePrincipal(g->row_filter, p) + ")");
  }

  ASSIGN_OR_RETURN(std::shared_ptr<const spec::DataContract> parsed, Contract(port->contract_id, contract_version));
  const spec::DataContract& contract = *parsed;
  ASSIGN_OR_RETURN(const spec::SchemaObject* object, PortObject(contract, *port));
  const bool producer = out.basis == "producer";
  for (const auto& prop : object->properties) {
    if (!all_columns && !columns.count(ToLower(prop.name))) continue;
    ColumnAccess c{.name = prop.name, .type = quality::DuckDbTypeOf(prop, settings_.is_duckdb_type), .classification = prop.classification,
                   .description = prop.description};
    if (!producer && !(clearances.count(prop.classification) > 0)) c.mask = MaskFor(prop, settings_.masking);
    ASSIGN_OR_RETURN(std::string expr, MaskExpression(c.mask, SqlIdent(prop.name), c.type));
    c.expression = expr + " AS " + SqlIdent(prop.name);
    out.columns.push_back(std::move(c));
  }
  if (out.columns.empty())
    return Status(StatusCode::kPermissionDenied, "the grants of " + p.name + " on " + Address(product_id, major) +
                                                     " name no column of contract " + contract.id + "@" + contract_version);
  std::vector<std::string> where;
  if (!producer) {
    std::string contract_filter = CustomString(contract.custom_properties, "weft.rowFilter");
    if (!contract_filter.empty()) where.push_back("(" + SubstitutePrincipal(contract_filter, p) + ")");
  }
  if (!all_rows) where.push_back(filters.size() == 1 ? filters[0] : "(" + Join(filters, " OR ") + ")");
  out.row_filter = Join(where, " AND ");
  out.whole = out.row_filter.empty() && out.columns.size() == object->properties.size() &&
              std::all_of(out.columns.begin(), out.columns.end(),
                          [](const ColumnAccess& c) { return c.mask.kind == MaskStrategy::Kind::kNone; });
  return out;
}

Status AccessControl::CheckColumns(const std::string& product_id, int64_t major,
                                   const std::vector<std::string>& columns) const {
  if (columns.empty()) return Status::Ok();
  const catalog::PortVersionRecord* port = Port(product_id, major);
  if (!port) return Status::NotFound(product_id + " has no version v" + std::to_string(major));
  ASSIGN_OR_RETURN(std::shared_ptr<const spec::DataContract> parsed, Contract(port->contract_id, port->version));
  const spec::DataContract& contract = *parsed;
  ASSIGN_OR_RETURN(const spec::SchemaObject* object, PortObject(contract, *port));
  std::vector<std::string> names;
  for (const auto& prop : object->properties) names.push_back(prop.name);
  for (const auto& c : columns) {
    if (std::any_of(names.begin(), names.end(), [&](const auto& n) { return ToLower(n) == ToLower(c); })) continue;
    std::string hint = ClosestMatch(c, names);
    return Status::InvalidArgument("column '" + c + "' is not in " + Address(product_id, major) +
                                   (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (columns: " +
                                   Join(names, ", ") + ")");
  }
  return Status::Ok();
}

// A row filter is one boolean expression over the product's own columns:
// parsed by DuckDB inside a SELECT over the product, with nothing else it
// could read (no other relation, no table function, no subquery source).
Status AccessControl::CheckRowFilter(const std::string& product_id, int64_t major, const std::string& filter) const {
  if (filter.empty()) return Status::Ok();
  const catalog::PortVersionRecord* port = Port(product_id, major);
  if (!port) return Status::NotFound(product_id + " has no version v" + std::to_string(major));
  ASSIGN_OR_RETURN(std::shared_ptr<const spec::DataContract> parsed, Contract(port->contract_id, port->version));
  const spec::DataContract& contract = *parsed;
  ASSIGN_OR_RETURN(const spec::SchemaObject* object, PortObject(contract, *port));
  std::vector<std::string> cols;
  for (const auto& prop : object->properties) cols.push_back(prop.name);
  Principal probe;  // every $principal.x becomes NULL: only the shape is checked
  std::string sql = "SELECT 1 FROM " + product_id + " WHERE " + SubstitutePrincipal(filter, probe);
  ASSIGN_OR_RETURN(auto parser, engine::DuckDbSqlValidator::Create());
  auto ast = parser->SerializeSql(sql);
  if (!ast.ok()) return Status::InvalidArgument("row filter '" + filter + "': " + std::string(ast.status().message()));
  auto analyzed = lineage::AnalyzeSelect(*ast, {{product_id, cols}}, sql);
  if (!analyzed.ok())
    return Status::InvalidArgument("row filter '" + filter + "' must be a condition on " + product_id +
                                   "'s own columns: " + std::string(analyzed.status().message()));
  if (analyzed->relations.size() != 1)
    return Status::InvalidArgument("row filter '" + filter + "' must read no other relation");
  return Status::Ok();
}

Status AccessControl::CheckGrantee(const Principal& p, const std::string& grantee) const {
  if (grantee == p.name || p.InGroup(grantee) || (!p.domain.empty() && grantee == "domain:" + p.domain)) return Status::Ok();
  return Status(StatusCode::kPermissionDenied, p.name + " may ask for itself, a group it is in, or its domain (domain:" +
                                                   p.domain + "), not for " + grantee);
}

Result<int64_t> AccessControl::Request(catalog::Store& store, const Principal& p, const RequestArgs& args,
                                       const std::string& now) const {
  ASSIGN_OR_RETURN(auto target, ResolveTarget(args.product));
  auto [product, major] = target;
  const std::string& id = product->record.id;
  if (Trim(args.purpose).empty()) return Status::InvalidArgument("say why with --purpose: approvers decide on it");
  RETURN_IF_ERROR(CheckColumns(id, major, args.columns));
  ASSIGN_OR_RETURN(std::string expires, ExpiryFromDate(args.until, now));
  std::string grantee = args.grantee.empty() ? p.name : args.grantee;
  RETURN_IF_ERROR(CheckGrantee(p, grantee));
  const catalog::PortVersionRecord* port = Port(id, major);
  if (port->status == "retired") return Status::FailedPrecondition(Address(id, major) + " is retired");
  if (IsOpen(*product, *port))
    return Status::FailedPrecondition(Address(id, major) + " is open to every principal of the mesh; no request is needed");
  for (const auto& r : requests_)
    if (r.product_id == id && r.major == major && r.grantee == grantee && r.status == "pending")
      return Status(StatusCode::kAlreadyExists, "request " + std::to_string(r.id) + " for " + grantee + " on " +
                                                    Address(id, major) + " is already pending");
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  ASSIGN_OR_RETURN(int64_t rid, txn->InsertAccessRequest({.product_id = id, .major = major, .principal = p.name,
                                                          .grantee = grantee, .columns = args.columns,
                                                          .purpose = args.purpose, .until = expires,
                                                          .status = "pending", .created_at = now}));
  RETURN_IF_ERROR(txn->AppendAudit({.time = now, .actor = p.name, .action = "access.request",
                                    .object = "product:" + id,
                                    .detail = "request " + std::to_string(rid) + " for " + grantee + " on " +
                                              Address(id, major) + ": " + args.purpose}));
  RETURN_IF_ERROR(txn->Commit());
  return rid;
}

Result<const catalog::AccessRequestRecord*> AccessControl::PendingRequestFor(const Principal& p,
                                                                            int64_t request_id) const {
  auto it = std::find_if(requests_.begin(), requests_.end(), [&](const auto& r) { return r.id == request_id; });
  if (it == requests_.end()) return Status::NotFound("no access request " + std::to_string(request_id));
  if (!IsOwner(p, it->product_id))
    return Status(StatusCode::kPermissionDenied, p.name + " may not decide requests on " + it->product_id +
                                                     " (approvers: " + Join(Approvers(it->product_id), ", ") + ")");
  if (it->status != "pending")
    return Status::FailedPrecondition("request " + std::to_string(request_id) + " is already " + it->status);
  return &*it;
}

Result<int64_t> AccessControl::Approve(catalog::Store& store, const Principal& p, int64_t request_id,
                                       const GrantArgs& extra, const std::string& reason, const std::string& now) const {
  ASSIGN_OR_RETURN(const catalog::AccessRequestRecord* it, PendingRequestFor(p, request_id));
  RETURN_IF_ERROR(CheckRowFilter(it->product_id, it->major, extra.row_filter));
  catalog::AccessRequestRecord decided = *it;
  catalog::GrantRecord g{.product_id = it->product_id, .major = it->major, .grantee = it->grantee,
                         .columns = it->columns, .purpose = it->purpose, .expires_at = it->until,
                         .clearances = extra.clearances, .row_filter = extra.row_filter, .granted_by = p.name,
                         .granted_at = now, .request_id = it->id};
  if (!extra.until.empty()) {
    ASSIGN_OR_RETURN(g.expires_at, ExpiryFromDate(extra.until, now));
  }
  if (g.expires_at.empty() == false && g.expires_at <= now)
    return Status::FailedPrecondition("request " + std::to_string(request_id) + " asked for access until " + it->until +
                                      ", which has passed; ask for a new one");
  if (std::string wider = Widening(g.product_id, g.major, g.grantee, g.columns, g.row_filter, now);
      !wider.empty() && !extra.widen)
    return Status::FailedPrecondition("approving request " + std::to_string(request_id) + " would widen access: " + wider +
                                      ". Approve with --widen if that is intended, or with --row-filter to keep it narrow");
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  ASSIGN_OR_RETURN(int64_t gid, txn->InsertGrant(g));
  decided.status = "approved";
  decided.decided_by = p.name;
  decided.decided_at = now;
  decided.reason = reason;
  decided.grant_id = gid;
  RETURN_IF_ERROR(txn->UpdateAccessRequest(decided));
  RETURN_IF_ERROR(txn->AppendAudit(
      {.time = now, .actor = p.name, .action = "access.approve", .object = "product:" + it->product_id,
       .detail = "request " + std::to_string(request_id) + " approved: grant " + std::to_string(gid) + " to " +
                 it->grantee + (g.clearances.empty() ? "" : ", clearances " + Join(g.clearances, ",")) +
                 (g.row_filter.empty() ? "" : ", rows where " + g.row_filter) + (reason.empty() ? "" : " — " + reason)}));
  RETURN_IF_ERROR(txn->Commit());
  return gid;
}

Status AccessControl::Deny(catalog::Store& store, const Principal& p, int64_t request_id, const std::string& reason,
                           const std::string& now) const {
  ASSIGN_OR_RETURN(const catalog::AccessRequestRecord* it, PendingRequestFor(p, request_id));
  catalog::AccessRequestRecord decided = *it;
  decided.status = "denied";
  decided.decided_by = p.name;
  decided.decided_at = now;
  decided.reason = reason;
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  RETURN_IF_ERROR(txn->UpdateAccessRequest(decided));
  RETURN_IF_ERROR(txn->AppendAudit({.time = now, .actor = p.name, .action = "access.deny",
                                    .object = "product:" + it->product_id,
                                    .detail = "request " + std::to_string(request_id) + " denied" +
                                              (reason.empty() ? "" : ": " + reason)}));
  return txn->Commit();
}

Result<int64_t> AccessControl::Grant(catalog::Store& store, const Principal& p, const std::string& product,
                                     const GrantArgs& args, const std::string& now) const {
  ASSIGN_OR_RETURN(auto target, ResolveTarget(product));
  auto [prod, major] = target;
  const std::string& id = prod->record.id;
  if (!IsOwner(p, id))
    return Status(StatusCode::kPermissionDenied,
                  p.name + " may not grant access to " + id + " (owners: " + Join(Approvers(id), ", ") + ")");
  if (args.grantee.empty()) return Status::InvalidArgument("say who gets the grant with --to PRINCIPAL|team:X|domain:X");
  if (Trim(args.purpose).empty()) return Status::InvalidArgument("say why with --purpose");
  RETURN_IF_ERROR(CheckGranteeExists(args.grantee));
  RETURN_IF_ERROR(CheckColumns(id, major, args.columns));
  RETURN_IF_ERROR(CheckRowFilter(id, major, args.row_filter));
  ASSIGN_OR_RETURN(std::string expires, ExpiryFromDate(args.until, now));
  if (std::string wider = Widening(id, major, args.grantee, args.columns, args.row_filter, now); !wider.empty() && !args.widen)
    return Status::FailedPrecondition("granting would widen access: " + wider +
                                      ". Grant with --widen if that is intended");
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  ASSIGN_OR_RETURN(int64_t gid, txn->InsertGrant({.product_id = id, .major = major, .grantee = args.grantee,
                                                  .columns = args.columns, .purpose = args.purpose,
                                                  .expires_at = expires, .clearances = args.clearances,
                                                  .row_filter = args.row_filter, .granted_by = p.name,
                                                  .granted_at = now}));
  RETURN_IF_ERROR(txn->AppendAudit({.time = now, .actor = p.name, .action = "access.grant", .object = "product:" + id,
                                    .detail = "grant " + std::to_string(gid) + " on " + Address(id, major) + " to " +
                                              args.grantee + ": " + args.purpose}));
  RETURN_IF_ERROR(txn->Commit());
  return gid;
}

Status AccessControl::Revoke(catalog::Store& store, const Principal& p, int64_t grant_id, const std::string& now) const {
  auto it = std::find_if(grants_.begin(), grants_.end(), [&](const auto& g) { return g.id == grant_id; });
  if (it == grants_.end()) return Status::NotFound("no grant " + std::to_string(grant_id));
  if (!IsOwner(p, it->product_id) && it->grantee != p.name)
    return Status(StatusCode::kPermissionDenied, p.name + " may not revoke grant " + std::to_string(grant_id) + " on " +
                                                     it->product_id + " (owners: " + Join(Approvers(it->product_id), ", ") + ")");
  if (!it->revoked_at.empty())
    return Status::FailedPrecondition("grant " + std::to_string(grant_id) + " was already revoked at " + it->revoked_at);
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  RETURN_IF_ERROR(txn->RevokeGrant(grant_id, p.name, now));
  RETURN_IF_ERROR(txn->AppendAudit({.time = now, .actor = p.name, .action = "access.revoke",
                                    .object = "product:" + it->product_id,
                                    .detail = "grant " + std::to_string(grant_id) + " of " + it->grantee + " revoked"}));
  return txn->Commit();
}

}  // namespace weft::access
