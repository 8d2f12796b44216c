// The catalog service: domains, products, versions, policies, waivers, the
// audit trail, search, product pages and publish history, as typed views.
// Each view has one ToJson: the REST API's body and the CLI's `-o json`
// (the CLI's tables are drawn from the same JSON, so its remote mode prints
// what its local mode does).
//
//   CatalogService catalog(mesh);
//   ASSIGN_OR_RETURN(ProductPage page, catalog.Page(caller, "sales.orders"));
//   nlohmann::json body = ToJson(page);
//
// Thread safety: as the Mesh; a service is a view over it and holds no state.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "service/caller.h"
#include "service/mesh.h"
#include "spec/diff.h"
#include "spec/model.h"

namespace weft::service {

struct ProductList {
  std::vector<catalog::ProductRecord> products;
  std::vector<catalog::PortVersionRecord> ports;
};

struct SearchView {
  struct Hit {
    catalog::SearchHit hit;
    std::string quality;  // QualityState of the latest attempt, or none
    std::string description, tier;
    std::vector<std::string> owners;  // its domain's
    std::string last_snapshot;        // when its newest snapshot was made; empty: never published
  };
  std::vector<Hit> hits;
  std::map<std::string, std::map<std::string, int64_t>> facets;  // quality included
  // What the store's facets count (catalog::SearchResult): the best
  // `facets_counted` matches, every match when `facets_complete`. The
  // quality facet counts the returned hits.
  int64_t facets_counted = 0;
  bool facets_complete = true;
  std::vector<catalog::TermHit> terms;  // glossary terms the text matched
};

// A product's page: what describe prints and the web catalog shows.
struct ProductPage {
  struct Column {
    std::string object, name, type, classification, description;
    bool required = false;
    nlohmann::json mask;  // weft.mask as written, or null
    std::vector<std::string> tags;   // the property's ODCS tags
    std::vector<std::string> terms;  // the glossary terms it names (catalog glossary links)
  };
  struct Version {
    catalog::PortVersionRecord port;
    std::vector<Column> columns;
    std::vector<spec::SlaProperty> sla;
    std::string since;  // when its major was first applied: active since
  };
  // The current snapshot against the contract's freshness SLA. Age and
  // state depend on the clock: FreshnessJson works them out for a time.
  struct Freshness {
    std::string snapshot, last_publish;  // empty: never published
    int64_t rows = 0;
    std::optional<double> sla_seconds;
  };
  // What the caller sees of the newest major. `state` is exactly one of
  // owner (the producing team, or an owner of its domain or contract),
  // access (reads it through a grant or an open contract), pending (an
  // access request waits for a decision) and none.
  struct Viewer {
    std::string state = "none";
    bool is_owner = false, can_read = false;
    std::map<std::string, std::string> columns;  // column -> clear | the mask's name
    int64_t hidden_columns = 0;                  // contract columns its grants do not name
    std::optional<bool> row_filter;
    int64_t pending_request = 0;  // state pending: the request's id
    std::string reason;           // why it may not read
    // What the page may offer it (Authorizer rows): the owners' tabs.
    bool sees_grantees = false, reads_quarantine = false, reads_audit = false;
  };
  catalog::ProductRecord product;
  std::string purpose, limitations, usage;  // the ODPS descriptor's description
  std::vector<std::string> owners;
  std::vector<std::pair<std::string, std::string>> team;     // username, role
  std::vector<std::pair<std::string, std::string>> support;  // channel, url
  std::vector<Version> versions;
  Freshness freshness;
  Viewer viewer;
  std::vector<catalog::GrantRecord> consumers;  // all for owners/stewards/admins; else the caller's own
  std::string quality;
};

// The contract versions of a product, oldest first, each with what changed
// since the one before it of the same contract (spec/diff.h's rules).
struct Changelog {
  struct Entry {
    catalog::ContractVersionRecord version;
    std::string previous;  // the version it is compared with; empty for the first
    std::optional<spec::DocumentDiff> diff;
  };
  std::string product;
  std::vector<Entry> entries;
};

// `weft diff` between two applied versions of a product's contracts.
struct VersionDiff {
  std::string product, from, to;
  std::vector<spec::DocumentDiff> documents;
};

// The column profile of a product's current snapshot as the caller may see
// it. Value-revealing figures (min, max, top values) only for a column the
// caller reads in clear over every row; null share and distinct estimate for
// any column it reads; nothing for a column it may not read.
struct ProfileView {
  struct Column {
    std::string name, type;
    std::string access;    // clear | masked | filtered | hidden
    std::string withheld;  // "" (all shown) | values | all
    nlohmann::json stats;  // rows, nulls, distinct, min, max, top as shown
  };
  std::string product, snapshot, computed_at;
  std::vector<Column> columns;  // empty: no profile (published before profiles existed)
};

struct PublishHistory {
  std::string product;
  std::vector<catalog::PublishRecord> publishes;  // newest first
  std::optional<catalog::PublishRecord> last_good;
};

struct PublishQuality {
  std::string product;
  catalog::PublishRecord publish;
  std::vector<catalog::QualityResultRecord> results;
};

// Rules down, publishes (oldest first) across.
struct RuleHistory {
  struct Row {
    std::string rule, kind, column, severity;
    std::vector<std::optional<catalog::QualityResultRecord>> results;  // one per publish
  };
  std::string product;
  std::vector<catalog::PublishRecord> publishes;
  std::vector<Row> rules;
};

struct HistoryOverview {
  struct Line {
    std::string product;
    std::optional<catalog::PublishRecord> last_good, latest;
    int64_t latest_rules_failed = 0;
  };
  std::vector<Line> products;
};

class CatalogService {
 public:
  explicit CatalogService(Mesh& mesh) : mesh_(mesh) {}

  // Each with its budget in the workspace's currency (`currency` is that).
  Result<std::vector<catalog::DomainRecord>> Domains(const Caller& caller);
  Result<ProductList> Products(const Caller& caller);
  Result<std::vector<catalog::PortVersionRecord>> Versions(const Caller& caller);
  Result<std::vector<spec::PolicySpec>> Policies(const Caller& caller);
  Result<std::vector<catalog::WaiverRecord>> Waivers(const Caller& caller);
  // Stewards and admins.
  Result<std::vector<catalog::AuditEvent>> Audit(const Caller& caller, const catalog::AuditFilter& filter);
  // `quality` (optional) keeps only hits of that quality.
  Result<SearchView> Search(const Caller& caller, const catalog::SearchQuery& query, const std::string& quality);
  Result<ProductPage> Page(const Caller& caller, const std::string& id);
  Result<Changelog> VersionsOf(const Caller& caller, const std::string& id);
  // The specs a product serves, as applied: its ODPS descriptor and the ODCS
  // contract of `version` (empty: the newest version of its newest major),
  // as the catalog stored them. What `weft export` converts.
  struct AppliedSpecs {
    std::string product_json;
    std::string contract_json;
    std::string contract_version;
  };
  Result<AppliedSpecs> Specs(const Caller& caller, const std::string& id, const std::string& version);
  // `from` and `to` are contract versions of the product ("1.0.0"); empty
  // `to`: the newest; empty `from`: the version before `to`.
  Result<VersionDiff> Diff(const Caller& caller, const std::string& id, const std::string& from, const std::string& to);
  Result<ProfileView> Profile(const Caller& caller, const std::string& id);
  // The audit trail of one product (its descriptor, contracts, ports,
  // publishes and grants), newest first: its domain's owners, stewards, admins.
  Result<std::vector<catalog::AuditEvent>> ProductAudit(const Caller& caller, const std::string& id, int limit);

  Result<HistoryOverview> History(const Caller& caller);
  Result<PublishHistory> Publishes(const Caller& caller, const std::string& id, int limit);
  // The results of one publish, named by its id or by the snapshot it made.
  Result<PublishQuality> Quality(const Caller& caller, const std::string& id, const std::string& publish,
                                 const std::string& snapshot);
  Result<RuleHistory> Rules(const Caller& caller, const std::string& id, int limit);

  // The QualityState of a product's latest attempt ("none" before its
  // first): what the marketplace and the product page show and filter on.
  Result<std::string> QualityOf(const std::string& id);
  // NotFound with a did-you-mean unless `id` is a product in the catalog.
  Status CheckProduct(const std::string& id);

 private:
  Mesh& mesh_;
};

// The one definition of a publish's quality: failing when the publish was
// rejected or failed or an error-severity rule failed (its rows went to
// quarantine), warnings when only warning-severity rules failed (or rows
// were quarantined by a publish that recorded no results), else passing.
// Info-severity rules never change it.
std::string QualityState(const catalog::PublishRecord& publish, const std::vector<catalog::QualityResultRecord>& results);

nlohmann::json ToJson(const catalog::DomainRecord& d);
nlohmann::json ToJson(const ProductList& list);
nlohmann::json ToJson(const catalog::PortVersionRecord& v);
nlohmann::json ToJson(const spec::PolicySpec& p);
nlohmann::json ToJson(const catalog::WaiverRecord& w);
nlohmann::json ToJson(const catalog::AuditEvent& e);
nlohmann::json ToJson(const SearchView& s);
// The page without its freshness (which FreshnessJson adds at request time).
nlohmann::json ToJson(const ProductPage& p);
nlohmann::json FreshnessJson(const ProductPage::Freshness& f, const std::string& now);
nlohmann::json ToJson(const catalog::PublishRecord& p);
nlohmann::json ToJson(const Changelog& c);
nlohmann::json ToJson(const VersionDiff& d);
nlohmann::json ToJson(const ProfileView& p);
nlohmann::json ToJson(const PublishHistory& h);
nlohmann::json ToJson(const PublishQuality& q);
nlohmann::json ToJson(const RuleHistory& r);
nlohmann::json ToJson(const HistoryOverview& o);

// A list of views as a JSON array.
template <typename T>
nlohmann::json ToJson(const std::vector<T>& items) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& i : items) a.push_back(ToJson(i));
  return a;
}

}  // namespace weft::service
