// Spec diff: what changed between two versions of a data contract (ODCS v3.1)
// or data product (ODPS v1.0), each change classified breaking / warning /
// info under a stable rule id, and whether the version bump between the two
// is enough for the changes (spec/semver.h: breaking needs a major bump,
// additions and warnings a minor one, anything else a patch).
//
// DiffRules() lists the rules; docs/spec-reference.md renders that list with
// datacontract-cli's verdict beside each (its `breaking` rules, v0.10.41, the
// last release that classified changes). A change is breaking when a consumer
// or producer that honoured OLD can fail against NEW without changing
// anything: a column gone, a type changed, a constraint tightened or added, a
// port removed, an SLA weakened, a classification lowered. Relaxations that
// let consumers see data they never saw before (nulls, duplicates, new
// values, wider types, looser bounds or patterns) are warnings — where
// datacontract-cli, and dbt for an enforced not_null, say breaking: weft is
// weaker than datacontract-cli on ten rules and stricter on eleven (the table
// names them).
//
//   LoadedFile a = LoadFile("v1/orders.odcs.yaml"), b = LoadFile("v2/orders.odcs.yaml");
//   for (const DocumentDiff& d : DiffDocuments(a.documents, b.documents)) {
//     for (const Change& c : d.changes)
//       std::cout << ChangeSeverityName(c.severity) << " " << c.rule << " " << c.message << "\n";
//     if (!d.bump_enough) std::cout << "version bump too small\n";
//   }
//
// Thread safety: pure functions over values; safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/model.h"
#include "spec/semver.h"

namespace weft::spec {

enum class ChangeSeverity { kBreaking, kWarning, kInfo };
const char* ChangeSeverityName(ChangeSeverity s);

struct Change {
  ChangeSeverity severity = ChangeSeverity::kInfo;
  std::string rule;     // stable id, e.g. "property-removed"
  std::string subject;  // "orders.customer_id", "orders.tags[]", "outputPort:orders", "sla:latency"
  std::string message;  // names the object and column: "property 'customer_id' removed from 'orders'"
  Json old_value;       // the value before / after, null when it did not exist
  Json new_value;
  Pos old_pos;  // where the subject stood in OLD / NEW (line 0: absent)
  Pos new_pos;
};

// One paired document (or one added or removed).
struct DocumentDiff {
  DocKind kind = DocKind::kDataContract;
  std::string id;
  std::string old_file;  // empty when the document was added
  std::string new_file;  // empty when the document was removed
  std::string old_version;
  std::string new_version;
  std::vector<Change> changes;
  ChangeLevel level = ChangeLevel::kNone;  // the most severe change
  BumpKind bump = BumpKind::kNone;         // OLD.version -> NEW.version
  BumpKind required = BumpKind::kNone;     // RequiredBump(level)
  bool bump_enough = true;                 // false also when a version does not parse

  bool has_breaking() const;
};

// A rule in the catalogue: every Change carries one of these ids, with the
// rule's severity. `level` is what the rule asks of the version bump.
struct DiffRuleInfo {
  std::string id;
  ChangeSeverity severity = ChangeSeverity::kInfo;
  ChangeLevel level = ChangeLevel::kInfo;
  std::string summary;
};
const std::vector<DiffRuleInfo>& DiffRules();
// The rule with that id, or nullptr.
const DiffRuleInfo* FindDiffRule(std::string_view id);

DocumentDiff DiffContracts(const DataContract& old_contract, const DataContract& new_contract);
DocumentDiff DiffProducts(const DataProduct& old_product, const DataProduct& new_product);

// Pairs contracts and products by kind and id (falling back to name when a
// document has no id) and diffs each pair; a document only in OLD is reported
// as removed (breaking), one only in NEW as added. Domains and reference
// entities are not diffed. Order: OLD's document order, then additions.
std::vector<DocumentDiff> DiffDocuments(const std::vector<Document>& old_docs, const std::vector<Document>& new_docs);

// The JSON form of `weft diff -o json` and of the API: every field above.
Json ToJson(const Change& c);
Json ToJson(const DocumentDiff& d);

}  // namespace weft::spec
