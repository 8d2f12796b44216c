#include "service/finops.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/strings.h"
#include "common/time.h"
#include "query/gateway.h"
#include "service/authorizer.h"

namespace weft::service {

namespace {

using nlohmann::json;

bool IsMonth(const std::string& m) {
  auto digits = [&](size_t from, size_t n) {
    return std::all_of(m.begin() + static_cast<long>(from), m.begin() + static_cast<long>(from + n),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  return m.size() == 7 && m[4] == '-' && digits(0, 4) && digits(5, 2) && m.substr(5) >= "01" && m.substr(5) <= "12";
}

// The domain's budget in the workspace's currency, or none and a warning.
std::optional<double> Budget(const catalog::DomainRecord& d, const std::string& currency,
                             std::vector<std::string>& warnings) {
  std::optional<double> budget = query::MonthlyBudget(d, currency);
  if (d.monthly_budget && !budget)
    warnings.push_back("domain " + d.name + "'s monthlyBudget is in " + d.currency + ", not in the workspace's " +
                       currency + ": it is neither shown nor enforced until its domain.yaml is re-applied with currency " +
                       currency);
  return budget;
}

}  // namespace

Result<UsageView> FinopsService::Usage(const Caller& caller, const std::string& product, const std::string& since) {
  RETURN_IF_ERROR(Authorizer::Check(caller.principal, Action::kSeeUsage, Resource::Product(product)));
  ASSIGN_OR_RETURN(auto usage, mesh_.store().ListUsage({.product_id = product, .since = since}));
  UsageView v;
  v.product = product;
  v.currency = mesh_.workspace().settings.Currency();
  std::map<std::string, UsageView::Reader> readers;
  for (const auto& u : usage) {
    if (u.status != "ok") {
      ++v.refused;
      continue;
    }
    const std::string who = u.principal + (u.consumer_domain.empty() ? "" : " (" + u.consumer_domain + ")");
    auto& r = readers[who];
    r.reader = who;
    r.queries += 1;
    r.cost += u.cost;
    for (const auto& c : u.columns)
      if (StartsWith(c, product + "_v")) v.columns[c.substr(c.find('.', product.size()) + 1)] += 1;
    v.days[u.at.substr(0, 10)] += 1;
  }
  for (auto& [who, r] : readers) v.readers.push_back(std::move(r));
  return v;
}

Result<CostView> FinopsService::Cost(const Caller&, std::string month, const std::string& domain) {
  if (month.empty()) month = NowIso().substr(0, 7);
  if (!IsMonth(month)) return Status::InvalidArgument("month '" + month + "' is not YYYY-MM");
  int year = std::stoi(month.substr(0, 4)), mon = std::stoi(month.substr(5, 2));
  char next[32];
  std::snprintf(next, sizeof next, "%04d-%02d", mon == 12 ? year + 1 : year, mon == 12 ? 1 : mon + 1);
  catalog::Store& store = mesh_.store();
  ASSIGN_OR_RETURN(auto usage, store.ListUsage({.consumer_domain = domain, .since = month + "-01", .until = std::string(next) + "-01"}));
  ASSIGN_OR_RETURN(auto domains, store.ListDomains());
  ASSIGN_OR_RETURN(auto snapshots, store.ListAllSnapshots());
  ASSIGN_OR_RETURN(auto products, store.ListProducts());
  std::map<std::string, CostView::Line> by_consumer, by_product;
  for (const auto& u : usage) {
    if (u.status != "ok") continue;
    auto& c = by_consumer[u.consumer_domain.empty() ? "(none)" : u.consumer_domain];
    c.queries += 1;
    c.cost += u.cost;
    // A query's cost is shared evenly by the products it read.
    for (const auto& p : u.products) {
      auto& b = by_product[p];
      b.name = p;
      b.queries += 1;
      b.cost += u.cost / static_cast<double>(u.products.size());
    }
  }
  const auto& rates = mesh_.workspace().settings.rate_card;
  const double gb_month = rates.count("gbStoredMonth") ? rates.at("gbStoredMonth") : 0;
  CostView v;
  v.month = month;
  v.currency = mesh_.workspace().settings.Currency();
  for (const auto& d : domains) {
    if (!domain.empty() && d.name != domain) continue;
    const CostView::Line& spent = by_consumer[d.name];
    v.consumers.push_back(
        {.name = d.name, .queries = spent.queries, .cost = spent.cost, .budget = Budget(d, v.currency, v.warnings)});
  }
  for (auto& [p, line] : by_product) v.products.push_back(std::move(line));
  // Storage: the current snapshot of each product major, by owning domain.
  std::map<std::string, std::string> domain_of;
  for (const auto& p : products) domain_of[p.id] = p.domain;
  std::map<std::string, int64_t> stored;
  std::set<std::string> seen;
  for (const auto& s : snapshots)  // newest first
    if (seen.insert(s.product_id + "@" + std::to_string(s.major)).second) stored[domain_of[s.product_id]] += s.bytes;
  for (const auto& [d, bytes] : stored)
    if (domain.empty() || d == domain) v.storage.push_back({d, bytes, static_cast<double>(bytes) / 1e9 * gb_month});
  return v;
}

Result<MonthlyCostView> FinopsService::Monthly(const Caller&, const std::string& domain) {
  ASSIGN_OR_RETURN(auto usage, mesh_.store().ListUsage({}));
  ASSIGN_OR_RETURN(auto domains, mesh_.store().ListDomains());
  MonthlyCostView v;
  v.domain = domain;
  v.currency = mesh_.workspace().settings.Currency();
  for (const auto& d : domains)
    if (d.name == domain) v.budget = Budget(d, v.currency, v.warnings);
  std::map<std::string, MonthlyCostView::Month> by_month;
  for (const auto& u : usage) {
    if (!domain.empty() && u.consumer_domain != domain) continue;
    auto& m = by_month[u.at.substr(0, 7)];
    m.month = u.at.substr(0, 7);
    m.cost += u.cost;
    m.by_domain[u.consumer_domain.empty() ? "(none)" : u.consumer_domain] += u.cost;
  }
  for (auto& [month, m] : by_month) v.months.push_back(std::move(m));
  return v;
}

json ToJson(const UsageView& v) {
  json j = {{"product", v.product}, {"currency", v.currency}, {"refused", v.refused}, {"readers", json::array()},
            {"columns", v.columns}, {"days", v.days}};
  for (const auto& r : v.readers) j["readers"].push_back({{"reader", r.reader}, {"queries", r.queries}, {"cost", r.cost}});
  return j;
}

json ToJson(const CostView& v) {
  json j = {{"month", v.month}, {"currency", v.currency}, {"consumers", json::array()}, {"products", json::array()},
            {"storage", json::array()}, {"warnings", v.warnings}};
  for (const auto& c : v.consumers)
    j["consumers"].push_back({{"domain", c.name}, {"queries", c.queries}, {"cost", c.cost}, {"budget", c.budget ? json(*c.budget) : json()}});
  for (const auto& p : v.products) j["products"].push_back({{"product", p.name}, {"queries", p.queries}, {"cost", p.cost}});
  for (const auto& s : v.storage) j["storage"].push_back({{"domain", s.domain}, {"bytes", s.bytes}, {"cost", s.cost}});
  return j;
}

json ToJson(const MonthlyCostView& v) {
  json months = json::array();
  for (const auto& m : v.months)
    months.push_back({{"month", m.month}, {"cost", m.cost}, {"byDomain", m.by_domain}, {"budget", v.budget ? json(*v.budget) : json()}});
  return {{"domain", v.domain}, {"currency", v.currency}, {"months", months}, {"warnings", v.warnings}};
}

}  // namespace weft::service
