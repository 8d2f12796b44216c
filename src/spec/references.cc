#include "spec/references.h"

#include <filesystem>

#include "common/strings.h"

namespace weft::spec {

namespace {

namespace fs = std::filesystem;

std::string CanonicalFile(const std::string& file) {
  std::error_code ec;
  auto p = fs::weakly_canonical(fs::path(file), ec);
  return ec ? file : p.string();
}

const Document* Lookup(const std::map<std::string, const Document*, std::less<>>& index, const std::string& key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace

ReferenceResolver::ReferenceResolver(const std::vector<Document>& docs) {
  for (const auto& doc : docs) Add(doc);
}

ReferenceResolver::ReferenceResolver(const std::vector<const Document*>& docs) {
  for (const Document* doc : docs) Add(*doc);
}

void ReferenceResolver::Add(const Document& doc) {
  auto add = [&doc](auto& index, const std::string& key) {
    if (!key.empty()) index.emplace(key, &doc);
  };
  if (const auto* c = doc.contract()) {
    add(contracts_by_id_, c->id);
    contracts_by_file_.emplace(CanonicalFile(doc.file), &doc);
  } else if (const auto* p = doc.product()) {
    add(products_by_id_, p->id);
  } else if (const auto* e = doc.reference_entity()) {
    add(entities_by_name_, e->name);
  } else if (const auto* d = doc.domain()) {
    add(domains_by_name_, d->name);
  }
}

const Document* ReferenceResolver::FindContract(const std::string& id) const { return Lookup(contracts_by_id_, id); }
const Document* ReferenceResolver::FindProduct(const std::string& id) const { return Lookup(products_by_id_, id); }
const Document* ReferenceResolver::FindEntity(const std::string& name) const {
  return Lookup(entities_by_name_, name);
}
const Document* ReferenceResolver::FindDomain(const std::string& name) const {
  return Lookup(domains_by_name_, name);
}

const DataContract* ReferenceResolver::GoldenContract(const ReferenceEntity& e) const {
  auto parts = Split(e.mastered_by, '/');
  const Document* product = FindProduct(parts[0]);
  if (!product) return nullptr;
  for (const auto& port : product->product()->output_ports) {
    if (parts.size() > 1 && port.name != parts[1]) continue;
    if (const Document* c = FindContract(port.contract_id)) return c->contract();
  }
  return nullptr;
}

const DataContract* ReferenceResolver::ResolveContractRef(const std::string& ref, const std::string& self_file,
                                                          ResolvedTarget& t) const {
  if (const Document* c = FindContract(ref)) return c->contract();
  fs::path candidate = fs::path(self_file).parent_path() / ref;
  if (const Document* c = Lookup(contracts_by_file_, CanonicalFile(candidate.string()))) return c->contract();
  if (const Document* doc = FindEntity(ref)) {
    const ReferenceEntity& e = *doc->reference_entity();
    const DataContract* golden = GoldenContract(e);
    if (!golden) {
      t.error = "reference entity '" + ref + "' has no golden record contract in the tree";
      return nullptr;
    }
    if (t.path.empty()) t.path = e.identifier_name;
    t.entity = e.name;
    return golden;
  }
  t.error = "'" + ref + "' is not a contract id, a contract file or a reference entity in the tree";
  return nullptr;
}

PropertyRef ReferenceResolver::FindPath(const DataContract& c, const std::string& path) {
  auto match = [](const auto& x, const std::string& key) { return x.name == key || (!x.id.empty() && x.id == key); };
  std::string obj_key, prop_key;
  auto parts = Split(path, '/');
  if (parts.size() == 4 && parts[0] == "schema" && parts[2] == "properties") {
    obj_key = parts[1];
    prop_key = parts[3];
  } else if (auto dot = path.find('.'); dot != std::string::npos) {
    obj_key = path.substr(0, dot);
    prop_key = path.substr(dot + 1);
  } else {
    prop_key = path;
  }
  for (const auto& obj : c.schema) {
    if (!obj_key.empty() && !match(obj, obj_key)) continue;
    for (const auto& p : obj.properties)
      if (match(p, prop_key)) return {&obj, &p};
  }
  return {};
}

ResolvedTarget ReferenceResolver::Resolve(const DataContract& self, const std::string& self_file,
                                          const std::string& to) const {
  ResolvedTarget t;
  auto hash = to.find('#');
  if (hash == std::string::npos) {
    t.contract = &self;
    t.path = to;
  } else {
    t.path = to.substr(hash + 1);
    if (!t.path.empty() && t.path[0] == '/') t.path.erase(0, 1);
    t.contract = ResolveContractRef(to.substr(0, hash), self_file, t);
    if (!t.contract) return t;
  }
  PropertyRef found = t.path.empty() ? PropertyRef{} : FindPath(*t.contract, t.path);
  if (!found) {
    t.error = "'" + t.path + "' is not a property of contract '" + t.contract->id + "'";
    t.contract = nullptr;
    t.entity.clear();
    return t;
  }
  t.object = found.object;
  t.property = found.property;
  return t;
}

}  // namespace weft::spec
