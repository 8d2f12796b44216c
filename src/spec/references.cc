#include "spec/references.h"

#include <algorithm>
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
  t.elsewhere = true;
  return nullptr;
}

PropertyRef ReferenceResolver::FindPath(const DataContract& c, const std::string& path) {
  auto match = [](const auto& x, const std::string& key) { return x.name == key || (!x.id.empty() && x.id == key); };
  std::string obj_key;
  std::vector<std::string> prop_keys;  // outermost first: a nested property's path
  auto parts = Split(path, '/');
  bool qualified = parts.size() >= 4 && parts.size() % 2 == 0 && parts[0] == "schema";
  for (size_t i = 2; qualified && i < parts.size(); i += 2) qualified = parts[i] == "properties";
  if (qualified) {  // schema/<object>/properties/<p>[/properties/<q>...]
    obj_key = parts[1];
    for (size_t i = 3; i < parts.size(); i += 2) prop_keys.push_back(parts[i]);
  } else if (auto dot = path.find('.'); dot != std::string::npos) {  // object.p[.q...]
    obj_key = path.substr(0, dot);
    prop_keys = Split(path.substr(dot + 1), '.');
  } else {
    prop_keys = {path};
  }
  for (const auto& obj : c.schema) {
    if (!obj_key.empty() && !match(obj, obj_key)) continue;
    const std::vector<Property>* level = &obj.properties;
    const Property* found = nullptr;
    for (const std::string& key : prop_keys) {
      auto it = std::find_if(level->begin(), level->end(), [&](const Property& p) { return match(p, key); });
      found = it == level->end() ? nullptr : &*it;
      if (!found) break;
      level = &found->properties;
    }
    if (found) return {&obj, found};
  }
  return {};
}

bool ReferenceResolver::HasObject(const DataContract& c, const std::string& path) {
  auto parts = Split(path, '/');
  std::string key = parts.size() >= 2 && parts[0] == "schema" ? parts[1] : path.substr(0, path.find('.'));
  if (key == path) return true;  // a bare property name: searched in every object
  return std::any_of(c.schema.begin(), c.schema.end(),
                     [&](const SchemaObject& o) { return o.name == key || (!o.id.empty() && o.id == key); });
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
  // ODCS shorthand `entity.identifier` for a ReferenceEntity: an object this
  // contract lacks, named like an entity, points at its golden record.
  if (!found && hash == std::string::npos && !HasObject(self, to)) {
    auto dot = to.find('.');
    const Document* entity = dot == std::string::npos ? nullptr : FindEntity(to.substr(0, dot));
    if (entity && entity->reference_entity()->identifier_name == to.substr(dot + 1)) {
      ResolvedTarget via;
      via.path = to.substr(dot + 1);
      via.contract = ResolveContractRef(to.substr(0, dot), self_file, via);
      if (via.contract) found = FindPath(*via.contract, via.path);
      if (found) t = via;
      else if (!via.error.empty()) t.error = via.error;
    }
  }
  if (!found) {
    if (t.error.empty()) t.error = "'" + t.path + "' is not a property of contract '" + t.contract->id + "'";
    // Shorthand to an object this contract lacks may mean another contract's.
    t.elsewhere = hash == std::string::npos && !HasObject(*t.contract, t.path);
    t.contract = nullptr;
    t.entity.clear();
    return t;
  }
  t.object = found.object;
  t.property = found.property;
  return t;
}

}  // namespace weft::spec
