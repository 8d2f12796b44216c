// Resolving references between spec documents: contract ids, contract files,
// products, domains and reference entities of one tree, and relationship
// targets (`to`) in every form docs/spec-reference.md lists. Lint uses it to
// report unresolved targets; governance uses it to put the resolved target of
// each relationship into the metadata model.
//
//   ReferenceResolver refs(documents);
//   ResolvedTarget t = refs.Resolve(contract, doc.file, "customer#customer_id");
//   if (!t.ok()) Report(t.error);
//   else Use(t.contract->id, t.object->name, t.property->name, t.entity);
//
// When an id is defined twice, the first document wins (lint reports the
// duplicate). The resolver keeps pointers into the documents it was built
// over: they must outlive it.
//
// Thread safety: immutable after construction; safe for concurrent reads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.h"

namespace weft::spec {

// A property found in a contract, with the schema object that holds it.
struct PropertyRef {
  const SchemaObject* object = nullptr;
  const Property* property = nullptr;
  explicit operator bool() const { return property != nullptr; }
};

// Where a relationship target points; `contract` is null when it does not
// resolve, and `error` says why.
struct ResolvedTarget {
  const DataContract* contract = nullptr;
  const SchemaObject* object = nullptr;
  const Property* property = nullptr;
  std::string path;    // what was looked up in the contract ("object.property")
  std::string entity;  // the ReferenceEntity name when `to` named one
  std::string error;
  // Not resolvable from this tree, but it may be elsewhere (another
  // contract file, the catalog): the contract is not in the tree, or an
  // `object.property` names an object this contract does not have.
  bool elsewhere = false;
  bool ok() const { return contract != nullptr; }
};

class ReferenceResolver {
 public:
  explicit ReferenceResolver(const std::vector<Document>& docs);
  explicit ReferenceResolver(const std::vector<const Document*>& docs);

  // The document defining each id or name, or null.
  const Document* FindContract(const std::string& id) const;
  const Document* FindProduct(const std::string& id) const;
  const Document* FindEntity(const std::string& name) const;
  const Document* FindDomain(const std::string& name) const;
  bool has_domains() const { return !domains_by_name_.empty(); }

  // The contract of the product port that masters a reference entity
  // (`masteredBy: domain.product[/port]`), or null.
  const DataContract* GoldenContract(const ReferenceEntity& e) const;

  // Resolves one relationship target written in contract `self`, defined in
  // `self_file` (relative contract files are resolved against it).
  ResolvedTarget Resolve(const DataContract& self, const std::string& self_file, const std::string& to) const;

  // Finds "object.property", "property" (searching every object), or the
  // ODCS fully-qualified "schema/<object>/properties/<property>" (ids or
  // names); nested properties by "object.a.b" or ".../properties/a/properties/b".
  static PropertyRef FindPath(const DataContract& c, const std::string& path);
  // Whether the object a path names (if it names one) is in the contract.
  static bool HasObject(const DataContract& c, const std::string& path);

 private:
  void Add(const Document& doc);
  // The left of '#': a contract id, a contract file relative to `self_file`,
  // or a ReferenceEntity (its golden record's contract; `path` defaults to
  // the entity's identifier).
  const DataContract* ResolveContractRef(const std::string& ref, const std::string& self_file, ResolvedTarget& t) const;

  std::map<std::string, const Document*, std::less<>> contracts_by_id_;
  std::map<std::string, const Document*, std::less<>> contracts_by_file_;  // canonical path
  std::map<std::string, const Document*, std::less<>> products_by_id_;
  std::map<std::string, const Document*, std::less<>> entities_by_name_;
  std::map<std::string, const Document*, std::less<>> domains_by_name_;
};

}  // namespace weft::spec
