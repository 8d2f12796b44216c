#include "service/catalog.h"

#include <algorithm>
#include <ctime>

#include "common/strings.h"
#include "common/time.h"
#include "governance/policy.h"
#include "spec/sla.h"
#include "query/gateway.h"
#include "service/authorizer.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::service {

namespace {

using nlohmann::json;

// When a publish ended: the time its snapshot (if any) was committed.
std::string EndTime(const catalog::PublishRecord& p) { return p.finished_at.empty() ? p.started_at : p.finished_at; }

}  // namespace

Status CatalogService::CheckProduct(const std::string& id) {
  ASSIGN_OR_RETURN(auto products, mesh_.store().ListProducts());
  std::vector<std::string> ids;
  for (const auto& p : products) {
    if (p.id == id) return Status::Ok();
    ids.push_back(p.id);
  }
  std::string hint = ClosestMatch(id, ids);
  return Status::NotFound("no product '" + id + "' in the catalog" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

// Budgets in the workspace's currency, the one every cost is in: a domain
// that states none budgets in it, and one recorded in another shows none
// (query::MonthlyBudget).
Result<std::vector<catalog::DomainRecord>> CatalogService::Domains(const Caller&) {
  ASSIGN_OR_RETURN(auto domains, mesh_.store().ListDomains());
  const std::string currency = mesh_.workspace().settings.Currency();
  for (auto& d : domains) {
    d.monthly_budget = query::MonthlyBudget(d, currency);
    d.currency = currency;
  }
  return domains;
}

Result<ProductList> CatalogService::Products(const Caller&) {
  ProductList list;
  ASSIGN_OR_RETURN(list.products, mesh_.store().ListProducts());
  ASSIGN_OR_RETURN(list.ports, mesh_.store().ListPortVersions());
  return list;
}

Result<std::vector<catalog::PortVersionRecord>> CatalogService::Versions(const Caller&) {
  return mesh_.store().ListPortVersions();
}

Result<std::vector<spec::PolicySpec>> CatalogService::Policies(const Caller&) {
  std::vector<std::filesystem::path> dirs;
  bool with_default = false;
  for (const auto& pack : mesh_.workspace().PolicyPacks()) {
    if (pack == "default") with_default = true;
    else dirs.push_back(mesh_.workspace().ResolvePath(pack));
  }
  return governance::LoadPolicies(dirs, with_default);
}

Result<std::vector<catalog::WaiverRecord>> CatalogService::Waivers(const Caller&) { return mesh_.store().ListWaivers(); }

Result<std::vector<catalog::AuditEvent>> CatalogService::Audit(const Caller& caller, const catalog::AuditFilter& filter) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kReadAudit, Resource::Workspace()));
  return mesh_.store().ListAudit(filter);
}

std::string QualityState(const catalog::PublishRecord& publish, const std::vector<catalog::QualityResultRecord>& results) {
  if (publish.outcome == "rejected" || publish.outcome == "failed") return "failing";
  bool warned = results.empty() && publish.rows_quarantined > 0;
  for (const auto& r : results) {
    if (r.passed) continue;
    if (r.severity == "error") return "failing";
    if (r.severity == "warning") warned = true;
  }
  return warned ? "warnings" : "passing";
}

Result<std::string> CatalogService::QualityOf(const std::string& id) {
  ASSIGN_OR_RETURN(auto publishes, mesh_.store().ListPublishes(id, 1));
  if (publishes.empty()) return std::string("none");
  ASSIGN_OR_RETURN(auto results, mesh_.store().ListQualityResults(publishes.front().id));
  return QualityState(publishes.front(), results);
}

Result<SearchView> CatalogService::Search(const Caller&, const catalog::SearchQuery& query, const std::string& quality) {
  if (query.limit < 1 || query.limit > 1000) return Status::InvalidArgument("limit must be 1 to 1000");
  if (!quality.empty() && quality != "passing" && quality != "warnings" && quality != "failing" && quality != "none")
    return Status::InvalidArgument("quality must be passing, warnings, failing or none");
  ASSIGN_OR_RETURN(catalog::SearchResult result, mesh_.store().Search(query));
  // Per hit, never the whole catalog: a search at 100,000 products spent
  // 1.5 s reading every product for 20 cards (docs/benchmarks.md).
  ASSIGN_OR_RETURN(auto domains, mesh_.store().ListDomains());
  SearchView view;
  view.facets = std::move(result.facets);
  view.facets_counted = result.facets_counted;
  view.facets_complete = result.facets_complete;
  view.terms = std::move(result.terms);
  auto& quality_facet = view.facets["quality"];
  for (auto& h : result.hits) {
    ASSIGN_OR_RETURN(std::string level, QualityOf(h.product_id));
    ++quality_facet[level];
    if (!quality.empty() && level != quality) continue;
    // A card says what the product is, who answers for it and how fresh it
    // is, with or without a query (the snippet alone said it only with one).
    SearchView::Hit hit{.hit = std::move(h), .quality = level, .description = {}, .tier = {}, .owners = {}, .last_snapshot = {}};
    ASSIGN_OR_RETURN(auto product, mesh_.store().FindProduct(hit.hit.product_id));
    if (product) hit.description = product->description, hit.tier = product->tier;
    for (const auto& d : domains)
      if (d.name == hit.hit.domain) hit.owners = d.owners;
    ASSIGN_OR_RETURN(auto snapshots, mesh_.store().ListSnapshots(hit.hit.product_id));  // newest first
    if (!snapshots.empty()) hit.last_snapshot = snapshots.front().created_at;
    view.hits.push_back(std::move(hit));
  }
  return view;
}

Result<ProductPage> CatalogService::Page(const Caller& caller, const std::string& id) {
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto product, store.FindProduct(id));
  if (!product) return CheckProduct(id);
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(auto contracts, store.ListContractVersions());
  ASSIGN_OR_RETURN(auto domains, store.ListDomains());
  ProductPage page;
  page.product = *product;
  for (const auto& d : domains)
    if (d.name == product->domain) page.owners = d.owners;
  auto product_doc = spec::LoadText(product->spec_json, "catalog:product:" + id);
  if (const spec::DataProduct* p = product_doc.documents.empty() ? nullptr : product_doc.documents[0].product()) {
    for (const auto& m : p->team.members) page.team.emplace_back(m.username, m.role);
    for (const auto& s : p->support) page.support.emplace_back(s.channel, s.url);
    page.purpose = p->description.purpose;
    page.limitations = p->description.limitations;
    page.usage = p->description.usage;
  }
  ASSIGN_OR_RETURN(auto links, store.ListGlossaryLinks({.term = "", .product = id}));
  for (const auto& v : ports) {
    if (v.product_id != id) continue;
    ProductPage::Version version{.port = v, .columns = {}, .sla = {}, .since = ""};
    for (const auto& c : contracts) {
      if (c.contract_id == v.contract_id && c.major == v.major && (version.since.empty() || c.applied_at < version.since))
        version.since = c.applied_at;
      if (c.contract_id != v.contract_id || c.version != v.version) continue;
      auto cd = spec::LoadText(c.spec_json, "catalog:contract");
      const spec::DataContract* contract = cd.documents.empty() ? nullptr : cd.documents[0].contract();
      if (!contract) continue;
      version.sla = contract->sla_properties;
      for (const auto& obj : contract->schema)
        for (const auto& prop : obj.properties) {
          const json* mask = prop.Custom("weft.mask");
          std::vector<std::string> terms;
          for (const auto& l : links)
            if (l.port == v.port && l.major == v.major && l.object == obj.name && l.column == prop.name)
              terms.push_back(l.term);
          version.columns.push_back({.object = obj.name, .name = prop.name, .type = prop.logical_type,
                                     .classification = prop.classification, .description = prop.description,
                                     .required = prop.is_required(), .mask = mask ? *mask : json(), .tags = prop.tags,
                                     .terms = std::move(terms)});
        }
    }
    page.versions.push_back(std::move(version));
  }
  // Freshness: the current (newest) snapshot against the freshness SLA.
  ASSIGN_OR_RETURN(auto snapshots, store.ListSnapshots(id));
  if (!snapshots.empty()) {
    const auto& s = snapshots.front();
    page.freshness = {.snapshot = s.id, .last_publish = s.created_at, .rows = s.rows, .sla_seconds = std::nullopt};
  }
  for (const auto& version : page.versions)
    for (const auto& sla : version.sla)
      // ODCS calls the freshness target "latency" (synonyms: ly, freshness).
      if (const spec::SlaPropertyInfo* info = spec::FindSlaProperty(sla.property); info && info->name == "latency")
        if (auto seconds = spec::SlaDurationSeconds(sla)) page.freshness.sla_seconds = *seconds;
  // What this caller sees of the newest major: clear, masked or hidden columns.
  ASSIGN_OR_RETURN(auto ac, mesh_.Access());
  ProductPage::Viewer& viewer = page.viewer;
  auto major = ac->NewestMajor(id);
  bool producer = false;
  if (major.ok() && !snapshots.empty()) {
    auto readable = ac->Authorize(caller.principal, id, *major, snapshots.front().contract_version, caller.now);
    if (readable.ok()) {
      viewer.can_read = true;
      producer = readable->basis == "producer";
      for (const auto& c : readable->columns)
        viewer.columns[c.name] = c.mask.kind == access::MaskStrategy::Kind::kNone ? "clear" : access::MaskStrategyName(c.mask);
      viewer.row_filter = !readable->row_filter.empty();
      for (const auto& v : page.versions)
        if (v.port.major == *major)
          for (const auto& c : v.columns) viewer.hidden_columns += viewer.columns.count(c.name) ? 0 : 1;
    } else {
      viewer.reason = readable.status().message();
    }
  }
  // One state: an admin manages every product (IsOwner says so) but owns
  // only what its teams own, and reads only what its grants give.
  viewer.is_owner = producer || (ac->IsOwner(caller.principal, id) && !caller.principal.admin()) ||
                    caller.principal.HasRole("team:" + product->domain, "owner");
  if (viewer.is_owner) {
    viewer.state = "owner";
  } else if (viewer.can_read) {
    viewer.state = "access";
  } else {
    for (const auto& r : ac->requests())
      if (r.product_id == id && r.status == "pending" && r.principal == caller.principal.name) viewer.pending_request = r.id;
    viewer.state = viewer.pending_request ? "pending" : "none";
  }
  // Who reads the product, and why, is the owners' and stewards' to see;
  // a consumer sees only its own grants.
  const bool sees_grantees = Authorizer::Allowed(caller.principal, Action::kSeeGrantees, Resource::Product(id));
  viewer.sees_grantees = sees_grantees;
  viewer.reads_quarantine = Authorizer::Allowed(caller.principal, Action::kReadQuarantine, Resource::Product(id));
  viewer.reads_audit = Authorizer::Allowed(caller.principal, Action::kReadProductAudit, Resource::Product(id));
  for (const auto& g : ac->grants())
    if (g.product_id == id && access::AccessControl::InForce(g, caller.now) && (sees_grantees || caller.principal.Matches(g.grantee)))
      page.consumers.push_back(g);
  ASSIGN_OR_RETURN(page.quality, QualityOf(id));
  return page;
}

Result<HistoryOverview> CatalogService::History(const Caller&) {
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  HistoryOverview o;
  for (const auto& product : products) {
    ASSIGN_OR_RETURN(auto publishes, store.ListPublishes(product.id, 0));
    HistoryOverview::Line line{.product = product.id, .last_good = std::nullopt, .latest = std::nullopt, .latest_rules_failed = 0};
    auto good = std::find_if(publishes.begin(), publishes.end(), [](const catalog::PublishRecord& p) { return p.outcome == "published"; });
    if (good != publishes.end()) line.last_good = *good;
    if (!publishes.empty()) {
      line.latest = publishes.front();
      ASSIGN_OR_RETURN(auto results, store.ListQualityResults(publishes.front().id));
      for (const auto& r : results) line.latest_rules_failed += r.passed ? 0 : 1;
    }
    o.products.push_back(std::move(line));
  }
  return o;
}

Result<CatalogService::AppliedSpecs> CatalogService::Specs(const Caller&, const std::string& id,
                                                          const std::string& version) {
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto product, store.FindProduct(id));
  if (!product) return CheckProduct(id);
  ASSIGN_OR_RETURN(auto ports, store.ListPortVersions());
  ASSIGN_OR_RETURN(auto contracts, store.ListContractVersions());
  // Every version the product's ports served, newest major first.
  const catalog::ContractVersionRecord* chosen = nullptr;
  std::vector<std::string> known;
  for (const auto& c : contracts) {
    bool served = std::any_of(ports.begin(), ports.end(), [&](const catalog::PortVersionRecord& p) {
      return p.product_id == id && p.contract_id == c.contract_id;
    });
    if (!served) continue;
    known.push_back(c.version);
    if (!version.empty()) {
      if (c.version == version) chosen = &c;
      continue;
    }
    auto a = spec::SemVer::Parse(c.version);
    auto b = chosen ? spec::SemVer::Parse(chosen->version) : a;
    if (!chosen || (a.ok() && b.ok() && a->Compare(*b) > 0)) chosen = &c;
  }
  if (!chosen) {
    if (known.empty()) return Status::NotFound(id + " serves no contract yet");
    return Status::NotFound("no version " + version + " of " + id + "'s contract; applied: " + Join(known, ", "));
  }
  return AppliedSpecs{.product_json = product->spec_json, .contract_json = chosen->spec_json,
                      .contract_version = chosen->version};
}

Result<PublishHistory> CatalogService::Publishes(const Caller&, const std::string& id, int limit) {
  RETURN_IF_ERROR(CheckProduct(id));
  PublishHistory h{.product = id, .publishes = {}, .last_good = std::nullopt};
  ASSIGN_OR_RETURN(h.publishes, mesh_.store().ListPublishes(id, limit));
  const auto good = [](const catalog::PublishRecord& p) { return p.outcome == "published"; };
  if (auto it = std::find_if(h.publishes.begin(), h.publishes.end(), good); it != h.publishes.end()) {
    h.last_good = *it;
  } else if (limit > 0 && static_cast<int>(h.publishes.size()) == limit) {
    // Older than the window: look through all of them.
    ASSIGN_OR_RETURN(auto all, mesh_.store().ListPublishes(id, 0));
    if (auto older = std::find_if(all.begin(), all.end(), good); older != all.end()) h.last_good = *older;
  }
  return h;
}

Result<PublishQuality> CatalogService::Quality(const Caller&, const std::string& id, const std::string& publish,
                                               const std::string& snapshot) {
  RETURN_IF_ERROR(CheckProduct(id));
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto publishes, store.ListPublishes(id, 0));
  std::string publish_id = publish;
  if (!snapshot.empty()) {
    ASSIGN_OR_RETURN(auto snapshots, store.ListSnapshots(id));
    std::vector<std::string> ids;
    for (const auto& s : snapshots) {
      ids.push_back(s.id);
      if (s.id == snapshot) publish_id = s.publish_id;
    }
    // A snapshot gc expired keeps its publish record: look there too.
    for (const auto& p : publishes)
      if (publish_id.empty() && p.snapshot_id == snapshot) publish_id = p.id;
    if (publish_id.empty()) {
      std::string hint = ClosestMatch(snapshot, ids);
      return Status::NotFound("no snapshot '" + snapshot + "' of " + id + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  auto it = std::find_if(publishes.begin(), publishes.end(), [&](const catalog::PublishRecord& p) { return p.id == publish_id; });
  if (it == publishes.end()) {
    std::vector<std::string> ids;
    for (const auto& p : publishes) ids.push_back(p.id);
    std::string hint = ClosestMatch(publish_id, ids);
    return Status::NotFound("no publish '" + publish_id + "' of " + id + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  PublishQuality q{.product = id, .publish = *it, .results = {}};
  ASSIGN_OR_RETURN(q.results, store.ListQualityResults(publish_id));
  return q;
}

Result<RuleHistory> CatalogService::Rules(const Caller&, const std::string& id, int limit) {
  RETURN_IF_ERROR(CheckProduct(id));
  RuleHistory h{.product = id, .publishes = {}, .rules = {}};
  ASSIGN_OR_RETURN(h.publishes, mesh_.store().ListPublishes(id, limit));
  std::reverse(h.publishes.begin(), h.publishes.end());
  for (size_t i = 0; i < h.publishes.size(); ++i) {
    ASSIGN_OR_RETURN(auto results, mesh_.store().ListQualityResults(h.publishes[i].id));
    for (auto& r : results) {
      auto row = std::find_if(h.rules.begin(), h.rules.end(), [&](const RuleHistory::Row& x) { return x.rule == r.rule_id && x.column == r.column; });
      if (row == h.rules.end()) row = h.rules.insert(h.rules.end(), RuleHistory::Row{r.rule_id, r.kind, r.column, r.severity, {}});
      row->results.resize(h.publishes.size());
      row->results[i] = std::move(r);
    }
  }
  for (auto& row : h.rules) row.results.resize(h.publishes.size());
  return h;
}

// --- views ---------------------------------------------------------------------------------

json ToJson(const catalog::DomainRecord& d) {
  return {{"name", d.name}, {"description", d.description}, {"owners", d.owners},
          {"storageRoot", d.storage_root}, {"servicePrincipal", d.service_principal},
          {"monthlyBudget", d.monthly_budget ? json(*d.monthly_budget) : json()},
          {"currency", d.currency}, {"costCenter", d.cost_center}};
}

json ToJson(const ProductList& list) {
  json out = json::array();
  for (const auto& p : list.products) {
    json versions = json::array();
    for (const auto& v : list.ports)
      if (v.product_id == p.id) versions.push_back({{"port", v.port}, {"major", v.major}, {"version", v.version}, {"status", v.status}});
    out.push_back({{"id", p.id}, {"domain", p.domain}, {"name", p.name}, {"status", p.status}, {"tier", p.tier},
                   {"version", p.version}, {"description", p.description}, {"tags", p.tags}, {"versions", versions}});
  }
  return out;
}

json ToJson(const catalog::PortVersionRecord& v) {
  return {{"product", v.product_id}, {"port", v.port}, {"major", v.major}, {"version", v.version},
          {"contract", v.contract_id}, {"status", v.status}, {"endOfSupport", v.end_of_support},
          {"endOfLife", v.end_of_life}, {"storagePath", v.storage_path}};
}

json ToJson(const spec::PolicySpec& p) {
  return {{"id", p.id}, {"severity", p.severity}, {"title", p.title}, {"rationale", p.rationale}};
}

json ToJson(const catalog::WaiverRecord& w) {
  return {{"id", w.id}, {"policy", w.policy_id}, {"subject", w.subject}, {"approver", w.approver},
          {"expiresAt", w.expires_at}, {"reason", w.reason}, {"createdAt", w.created_at}};
}

json ToJson(const catalog::AuditEvent& e) {
  return {{"id", e.id}, {"time", e.time}, {"actor", e.actor}, {"action", e.action}, {"object", e.object},
          {"before", e.before_digest}, {"after", e.after_digest}, {"detail", e.detail}};
}

json ToJson(const SearchView& s) {
  json hits = json::array();
  for (const auto& h : s.hits)
    hits.push_back({{"product", h.hit.product_id}, {"domain", h.hit.domain}, {"status", h.hit.status},
                    {"score", h.hit.score}, {"snippet", h.hit.snippet}, {"quality", h.quality},
                    {"description", h.description}, {"tier", h.tier}, {"owners", h.owners},
                    {"lastSnapshot", h.last_snapshot.empty() ? json() : json(h.last_snapshot)}});
  json terms = json::array();
  for (const auto& t : s.terms)
    terms.push_back({{"name", t.name}, {"title", t.title.empty() ? t.name : t.title}, {"domain", t.domain},
                     {"definition", t.definition}, {"score", t.score}, {"snippet", t.snippet}});
  return {{"hits", hits}, {"facets", s.facets}, {"facetsCounted", s.facets_counted},
          {"facetsComplete", s.facets_complete}, {"terms", terms}};
}

json ToJson(const ProductPage& p) {
  json out = {{"id", p.product.id}, {"domain", p.product.domain}, {"status", p.product.status}, {"tier", p.product.tier},
              {"version", p.product.version}, {"description", p.product.description}, {"tags", p.product.tags},
              {"purpose", p.purpose}, {"limitations", p.limitations}, {"usage", p.usage},
              // Metadata, like the schema: whoever may see the page may read how it is derived.
              {"transformSql", p.product.transform_sql.empty() ? json() : json(p.product.transform_sql)},
              {"owners", p.owners}, {"support", json::array()}, {"versions", json::array()}};
  for (const auto& [username, role] : p.team) out["team"].push_back({{"username", username}, {"role", role}});
  for (const auto& [channel, url] : p.support) out["support"].push_back({{"channel", channel}, {"url", url}});
  for (const auto& v : p.versions) {
    json version = {{"address", v.port.product_id + "_v" + std::to_string(v.port.major)}, {"port", v.port.port},
                    {"version", v.port.version}, {"status", v.port.status}, {"endOfSupport", v.port.end_of_support},
                    {"endOfLife", v.port.end_of_life}, {"since", v.since}, {"contract", v.port.contract_id},
                    {"columns", json::array()},
                    {"sla", json::array()}};
    for (const auto& s : v.sla) version["sla"].push_back({{"property", s.property}, {"value", s.value}, {"unit", s.unit}});
    for (const auto& c : v.columns)
      version["columns"].push_back({{"object", c.object}, {"name", c.name}, {"type", c.type}, {"required", c.required},
                                    {"classification", c.classification}, {"mask", c.mask}, {"description", c.description},
                                    {"tags", c.tags}, {"terms", c.terms}});
    out["versions"].push_back(version);
  }
  const auto& v = p.viewer;
  json viewer = {{"state", v.state}, {"isOwner", v.is_owner}, {"canRead", v.can_read}, {"columns", v.columns},
                 {"hiddenColumns", v.hidden_columns},
                 {"may", {{"seeConsumers", v.sees_grantees}, {"readQuarantine", v.reads_quarantine}, {"readAudit", v.reads_audit}}}};
  if (v.row_filter) viewer["rowFilter"] = *v.row_filter;
  if (v.pending_request) viewer["pendingRequest"] = v.pending_request;
  if (!v.reason.empty()) viewer["reason"] = v.reason;
  out["viewer"] = viewer;
  json consumers = json::array();
  for (const auto& g : p.consumers)
    consumers.push_back({{"id", g.id}, {"grantee", g.grantee}, {"columns", g.columns}, {"purpose", g.purpose},
                         {"expiresAt", g.expires_at}, {"major", g.major}, {"rowFilter", g.row_filter},
                         {"clearances", g.clearances}, {"grantedBy", g.granted_by}, {"grantedAt", g.granted_at}});
  out["consumers"] = consumers;
  out["quality"] = p.quality;
  return out;
}

json FreshnessJson(const ProductPage::Freshness& f, const std::string& now) {
  json out = {{"state", "unknown"}, {"snapshot", nullptr}, {"lastPublish", nullptr}, {"rows", nullptr},
              {"ageSeconds", nullptr}, {"slaSeconds", nullptr}};
  if (f.sla_seconds) out["slaSeconds"] = *f.sla_seconds;
  if (f.snapshot.empty()) return out;
  out["snapshot"] = f.snapshot;
  out["lastPublish"] = f.last_publish;
  out["rows"] = f.rows;
  auto at = ParseIsoMillis(f.last_publish);
  auto clock = ParseIsoMillis(now);
  if (at && clock) {
    double age = static_cast<double>(*clock - *at) / 1000;
    out["ageSeconds"] = age;
    if (f.sla_seconds) out["state"] = age <= *f.sla_seconds ? "fresh" : "stale";
  }
  return out;
}

json ToJson(const catalog::PublishRecord& p) {
  return {{"id", p.id},
          {"major", p.major},
          {"actor", p.actor},
          {"startedAt", p.started_at},
          {"finishedAt", p.finished_at},
          {"outcome", p.outcome},
          {"mode", p.mode},
          {"snapshot", p.snapshot_id},
          {"rowsIn", p.rows_in},
          {"rowsValid", p.rows_valid},
          {"rowsQuarantined", p.rows_quarantined},
          {"inputChecksum", p.input_checksum},
          {"inputArchive", p.input_archive},
          {"quarantinePath", p.quarantine_path},
          {"message", p.message}};
}

json ToJson(const PublishHistory& h) {
  return {{"product", h.product},
          {"publishes", ToJson(h.publishes)},
          {"lastGoodPublish", h.last_good ? json(EndTime(*h.last_good)) : json()},
          {"lastGoodSnapshot", h.last_good ? json(h.last_good->snapshot_id) : json()}};
}

json ToJson(const PublishQuality& q) {
  json list = json::array();
  for (const auto& r : q.results)
    list.push_back({{"rule", r.rule_id}, {"kind", r.kind}, {"object", r.object}, {"column", r.column},
                    {"severity", r.severity}, {"dimension", r.dimension}, {"failingRows", r.failing_rows},
                    {"checkedRows", r.checked_rows}, {"value", r.value}, {"threshold", r.threshold},
                    {"passed", r.passed}, {"rowLevel", r.row_level}});
  return {{"product", q.product}, {"publish", ToJson(q.publish)}, {"state", QualityState(q.publish, q.results)}, {"results", list}};
}

// failing / checked as a share; 0 when nothing was checked.
double ShareOf(int64_t part, int64_t whole) { return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0; }

json ToJson(const RuleHistory& r) {
  json pubs = json::array();
  for (const auto& p : r.publishes)
    pubs.push_back({{"id", p.id}, {"startedAt", p.started_at}, {"outcome", p.outcome}, {"snapshot", p.snapshot_id},
                    {"mode", p.mode}, {"rowsIn", p.rows_in}, {"rowsQuarantined", p.rows_quarantined},
                    {"quarantinedShare", ShareOf(p.rows_quarantined, p.rows_in)}, {"message", p.message}});
  json rules = json::array();
  for (const auto& row : r.rules) {
    json cells = json::array();
    for (size_t i = 0; i < row.results.size(); ++i) {
      const auto& c = row.results[i];
      if (!c) {
        cells.push_back(nullptr);
        continue;
      }
      cells.push_back({{"publish", r.publishes[i].id}, {"failingRows", c->failing_rows}, {"checkedRows", c->checked_rows},
                       {"share", ShareOf(c->failing_rows, c->checked_rows)}, {"value", c->value}, {"passed", c->passed}});
    }
    rules.push_back({{"rule", row.rule}, {"kind", row.kind}, {"column", row.column}, {"severity", row.severity},
                     {"results", cells}});
  }
  return {{"product", r.product}, {"publishes", pubs}, {"rules", rules}};
}

json ToJson(const HistoryOverview& o) {
  json list = json::array();
  for (const auto& l : o.products)
    list.push_back({{"product", l.product},
                    {"lastGoodPublish", l.last_good ? json(EndTime(*l.last_good)) : json()},
                    {"lastGoodSnapshot", l.last_good ? json(l.last_good->snapshot_id) : json()},
                    {"latestOutcome", l.latest ? json(l.latest->outcome) : json()},
                    {"latestRowsIn", l.latest ? l.latest->rows_in : 0},
                    {"latestRowsValid", l.latest ? l.latest->rows_valid : 0},
                    {"latestRowsQuarantined", l.latest ? l.latest->rows_quarantined : 0},
                    {"latestRulesFailed", l.latest_rules_failed}});
  return {{"products", list}};
}

}  // namespace weft::service
