// CatalogService, a product's own history and statistics: its changelog and
// the diff between two of its versions, its column profile and its audit
// trail (catalog.h). Split from catalog.cc as RocksDB splits db_impl by concern.
#include <algorithm>
#include <set>

#include "access/access_control.h"
#include "common/strings.h"
#include "service/authorizer.h"
#include "service/catalog.h"
#include "spec/loader.h"
#include "spec/semver.h"

namespace weft::service {

namespace {

using nlohmann::json;

// The product's applied contract versions, oldest first by semver within a
// contract (apply refuses a version that goes backwards, but times can tie).
Result<std::vector<catalog::ContractVersionRecord>> ContractVersionsOf(catalog::Store& store, const std::string& id) {
  ASSIGN_OR_RETURN(auto all, store.ListContractVersions());
  std::vector<catalog::ContractVersionRecord> out;
  for (auto& c : all)
    if (c.product_id == id) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.contract_id != b.contract_id) return a.contract_id < b.contract_id;
    auto va = spec::SemVer::Parse(a.version), vb = spec::SemVer::Parse(b.version);
    if (va.ok() && vb.ok()) return va->Compare(*vb) < 0;
    return a.applied_at < b.applied_at;
  });
  return out;
}

// The stored canonical JSON of a contract version, loaded as a spec again.
Result<spec::LoadedFile> LoadVersion(const catalog::ContractVersionRecord& c) {
  spec::LoadedFile f = spec::LoadText(c.spec_json, c.contract_id + "@" + c.version);
  if (f.documents.empty() || !f.documents[0].contract())
    return Status::Internal("the catalog's copy of contract " + c.contract_id + "@" + c.version + " does not load");
  return f;
}

}  // namespace

Result<Changelog> CatalogService::VersionsOf(const Caller&, const std::string& id) {
  RETURN_IF_ERROR(CheckProduct(id));
  ASSIGN_OR_RETURN(auto versions, ContractVersionsOf(mesh_.store(), id));
  Changelog log{.product = id, .entries = {}};
  std::optional<spec::LoadedFile> previous;
  for (size_t i = 0; i < versions.size(); ++i) {
    const auto& c = versions[i];
    ASSIGN_OR_RETURN(spec::LoadedFile loaded, LoadVersion(c));
    Changelog::Entry e{.version = c, .previous = "", .diff = std::nullopt};
    if (i > 0 && versions[i - 1].contract_id == c.contract_id && previous) {
      e.previous = versions[i - 1].version;
      e.diff = spec::DiffContracts(*previous->documents[0].contract(), *loaded.documents[0].contract());
    }
    previous = std::move(loaded);
    log.entries.push_back(std::move(e));
  }
  // Newest first: what a reader of a changelog looks for.
  std::sort(log.entries.begin(), log.entries.end(),
            [](const Changelog::Entry& a, const Changelog::Entry& b) { return a.version.applied_at > b.version.applied_at; });
  return log;
}

Result<VersionDiff> CatalogService::Diff(const Caller&, const std::string& id, const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckProduct(id));
  ASSIGN_OR_RETURN(auto versions, ContractVersionsOf(mesh_.store(), id));
  if (versions.empty()) return Status::NotFound(id + " has no applied contract version");
  std::vector<std::string> known;
  for (const auto& c : versions) known.push_back(c.version);
  // By default the newest change: the newest version against the one before it.
  VersionDiff d{.product = id, .from = from, .to = to, .documents = {}};
  if (d.to.empty())
    d.to = std::max_element(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
             return a.applied_at < b.applied_at;
           })->version;
  if (d.from.empty()) {
    d.from = d.to;
    for (size_t i = 1; i < versions.size(); ++i)
      if (versions[i].version == d.to && versions[i - 1].contract_id == versions[i].contract_id) d.from = versions[i - 1].version;
  }
  std::vector<spec::Document> old_docs, new_docs;
  for (const auto& [version, docs] : {std::pair{d.from, &old_docs}, std::pair{d.to, &new_docs}}) {
    for (const auto& c : versions) {
      if (c.version != version) continue;
      ASSIGN_OR_RETURN(spec::LoadedFile loaded, LoadVersion(c));
      for (auto& doc : loaded.documents) docs->push_back(std::move(doc));
    }
    if (docs->empty()) {
      std::string hint = ClosestMatch(version, known);
      return Status::NotFound("no version '" + version + "' of " + id + " in the catalog (applied: " + Join(known, ", ") +
                              ")" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  d.documents = spec::DiffDocuments(old_docs, new_docs);
  return d;
}

Result<ProfileView> CatalogService::Profile(const Caller& caller, const std::string& id) {
  RETURN_IF_ERROR(CheckProduct(id));
  ProfileView view{.product = id, .snapshot = "", .computed_at = "", .columns = {}};
  ASSIGN_OR_RETURN(auto ac, mesh_.Access());
  auto major = ac->NewestMajor(id);
  if (!major.ok()) return view;
  ASSIGN_OR_RETURN(auto snapshots, mesh_.store().ListSnapshots(id));
  auto current = std::find_if(snapshots.begin(), snapshots.end(), [&](const auto& s) { return s.major == *major; });
  if (current == snapshots.end()) return view;
  // A streamed batch is not profiled (docs/streaming.md): the newest
  // profiled snapshot of the major speaks for it, and says which it is.
  std::optional<catalog::SnapshotProfileRecord> profile;
  int looked = 0;
  for (auto it = current; it != snapshots.end() && !profile && looked < 100; ++it) {
    if (it->major != *major) continue;
    ++looked;
    ASSIGN_OR_RETURN(profile, mesh_.store().FindSnapshotProfile(it->id));
    if (profile) current = it;
  }
  view.snapshot = current->id;
  if (!profile) return view;
  view.computed_at = profile->computed_at;
  json columns = json::parse(profile->columns_json, nullptr, false);
  if (!columns.is_array()) return Status::Internal("the profile of snapshot " + current->id + " is not a JSON array");
  // The same rules as a query of the caller's: what Authorize lets it read.
  auto readable = ac->Authorize(caller.principal, id, *major, current->contract_version, caller.now);
  for (const auto& c : columns) {
    ProfileView::Column col{.name = c.value("name", ""), .type = c.value("type", ""), .access = "hidden",
                            .withheld = "all", .stats = json::object()};
    const access::ColumnAccess* seen = nullptr;
    if (readable.ok())
      for (const auto& a : readable->columns)
        if (ToLower(a.name) == ToLower(col.name)) seen = &a;
    if (seen) {
      const bool clear = seen->mask.kind == access::MaskStrategy::Kind::kNone;
      col.access = !clear ? "masked" : !readable->row_filter.empty() ? "filtered" : "clear";
      // Counts say nothing of any one value; min, max and top values do,
      // and over rows outside a filter too.
      col.withheld = col.access == "clear" ? "" : "values";
      for (const char* k : {"rows", "nulls", "distinct"}) col.stats[k] = c.value(k, json());
      if (col.withheld.empty())
        for (const char* k : {"min", "max", "top"}) col.stats[k] = c.value(k, json());
    }
    view.columns.push_back(std::move(col));
  }
  return view;
}

Result<std::vector<catalog::AuditEvent>> CatalogService::ProductAudit(const Caller& caller, const std::string& id, int limit) {
  RETURN_IF_ERROR(CheckProduct(id));
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kReadProductAudit, Resource::Product(id)));
  if (limit < 1 || limit > 100000) return Status::InvalidArgument("limit must be 1 to 100000");
  ASSIGN_OR_RETURN(auto versions, ContractVersionsOf(mesh_.store(), id));
  // Its descriptor, publishes and grants are "product:ID"; its ports and contracts have their own objects.
  std::set<std::string> objects = {"product:" + id, "port:" + id + "/*"};
  for (const auto& c : versions) objects.insert("contract:" + c.contract_id + "@*");
  std::vector<catalog::AuditEvent> out;
  for (const auto& o : objects) {
    ASSIGN_OR_RETURN(auto events, mesh_.store().ListAudit({.object = o, .since = "", .limit = limit}));
    for (auto& e : events) out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
  return out;
}

json ToJson(const Changelog& c) {
  json entries = json::array();
  for (const auto& e : c.entries) {
    json entry = {{"version", e.version.version}, {"major", e.version.major}, {"contract", e.version.contract_id},
                  {"port", e.version.port}, {"appliedAt", e.version.applied_at},
                  {"previous", e.previous.empty() ? json() : json(e.previous)}};
    if (e.diff) {
      json d = spec::ToJson(*e.diff);
      entry["bump"] = d["bump"];
      entry["level"] = d["level"];
      entry["changes"] = d["changes"];
    } else {
      entry["bump"] = "initial";
      entry["level"] = "none";
      entry["changes"] = json::array();
    }
    entries.push_back(std::move(entry));
  }
  return {{"product", c.product}, {"versions", entries}};
}

json ToJson(const VersionDiff& d) {
  json docs = json::array();
  for (const auto& doc : d.documents) docs.push_back(spec::ToJson(doc));
  return {{"product", d.product}, {"from", d.from}, {"to", d.to}, {"documents", docs}};
}

json ToJson(const ProfileView& p) {
  json columns = json::array();
  for (const auto& c : p.columns)
    columns.push_back({{"name", c.name}, {"type", c.type}, {"access", c.access},
                       {"withheld", c.withheld.empty() ? json() : json(c.withheld)}, {"stats", c.stats}});
  return {{"product", p.product}, {"snapshot", p.snapshot.empty() ? json() : json(p.snapshot)},
          {"computedAt", p.computed_at.empty() ? json() : json(p.computed_at)}, {"columns", columns}};
}

}  // namespace weft::service
