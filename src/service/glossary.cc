#include "service/glossary.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "spec/glossary.h"

namespace weft::service {

using nlohmann::json;

namespace {

json TermJson(const catalog::GlossaryTermRecord& t) {
  return {{"name", t.name},         {"title", t.title.empty() ? t.name : t.title},
          {"domain", t.domain},     {"scope", t.domain.empty() ? "global" : "domain"},
          {"definition", t.definition}, {"owners", t.owners},
          {"synonyms", t.synonyms}, {"related", t.related}};
}

json NamesJson(const std::vector<std::pair<std::string, std::string>>& terms) {
  json out = json::array();
  for (const auto& [name, title] : terms) out.push_back({{"name", name}, {"title", title.empty() ? name : title}});
  return out;
}

}  // namespace

Result<GlossaryView> GlossaryService::Terms(const Caller&) {
  ASSIGN_OR_RETURN(auto terms, mesh_.store().ListGlossaryTerms());
  ASSIGN_OR_RETURN(auto links, mesh_.store().ListGlossaryLinks({}));
  std::map<std::string, std::set<std::string>> products;
  std::map<std::string, int64_t> columns;
  for (const auto& l : links) {
    ++columns[l.term];
    products[l.term].insert(l.product_id);
  }
  GlossaryView view;
  for (auto& t : terms) {
    const std::string name = t.name;
    view.terms.push_back({std::move(t), columns[name], static_cast<int64_t>(products[name].size())});
  }
  return view;
}

Result<TermPage> GlossaryService::Term(const Caller&, const std::string& name) {
  ASSIGN_OR_RETURN(auto terms, mesh_.store().ListGlossaryTerms());
  const catalog::GlossaryTermRecord* found = nullptr;
  std::vector<std::string> known;
  for (const auto& t : terms) {
    if (t.name == name) found = &t;
    known.push_back(t.name);
  }
  // A title or synonym ("Client") leads to its term, as a businessName does.
  for (const auto& t : terms) {
    if (found) break;
    for (const auto& s : t.synonyms)
      if (spec::TermKey(s) == spec::TermKey(name) || spec::TermKey(t.title) == spec::TermKey(name)) found = &t;
  }
  if (!found) {
    std::string hint = ClosestMatch(name, known);
    return Status::NotFound("no glossary term '" + name + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                            " (weft glossary list shows them all)");
  }
  TermPage page;
  page.term = *found;
  for (const auto& r : found->related) {
    auto it = std::find_if(terms.begin(), terms.end(), [&](const catalog::GlossaryTermRecord& t) { return t.name == r; });
    if (it == terms.end()) page.unresolved.push_back(r);
    else page.related.emplace_back(it->name, it->title);
  }
  for (const auto& t : terms)
    if (std::find(t.related.begin(), t.related.end(), found->name) != t.related.end())
      page.related_by.emplace_back(t.name, t.title);
  ASSIGN_OR_RETURN(page.columns, mesh_.store().ListGlossaryLinks({.term = found->name, .product = ""}));
  return page;
}

json ToJson(const GlossaryView& v) {
  json out = json::array();
  for (const auto& e : v.terms) {
    json t = TermJson(e.term);
    t["columns"] = e.columns;
    t["products"] = e.products;
    out.push_back(std::move(t));
  }
  return {{"terms", out}};
}

json ToJson(const TermPage& p) {
  json out = TermJson(p.term);
  out["related"] = NamesJson(p.related);
  out["unresolvedRelated"] = p.unresolved;
  out["relatedBy"] = NamesJson(p.related_by);
  json columns = json::array();
  for (const auto& l : p.columns)
    columns.push_back({{"product", l.product_id}, {"port", l.port}, {"major", l.major},
                       {"address", l.product_id + "_v" + std::to_string(l.major)}, {"contract", l.contract_id},
                       {"version", l.contract_version}, {"object", l.object}, {"column", l.column}, {"via", l.via}});
  out["columns"] = columns;
  return out;
}

}  // namespace weft::service
