// The importers behind interop/import.h, one per format, and what they share.
// Each turns one input into product drafts or fails with file:line:col.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "interop/import.h"
#include "interop/product_draft.h"
#include "spec/yaml_tree.h"

namespace weft::interop {

Result<std::vector<ProductDraft>> ImportSimple(const ImportInput& in, const ImportOptions& options);
Result<std::vector<ProductDraft>> ImportDbt(const ImportInput& in, const ImportOptions& options);
Result<std::vector<ProductDraft>> ImportSql(const ImportInput& in, const ImportOptions& options);
Result<std::vector<ProductDraft>> ImportJsonSchema(const ImportInput& in, const ImportOptions& options);

// "file:line:col: message" (just "file: message" without a position).
Status InputError(const ImportInput& in, spec::Pos pos, const std::string& message);

// The one document of a YAML (or JSON) input, or its syntax error.
struct ParsedInput {
  spec::YamlStream stream;
  const spec::YamlNode* root = nullptr;
};
Result<ParsedInput> ParseInput(const ImportInput& in);

// A YAML subtree as JSON, scalars resolved by YAML 1.2's core schema.
OrderedJson YamlJson(const spec::YamlNode& n);

// A scalar's text, or an error naming what was expected there.
Result<std::string> ScalarText(const ImportInput& in, const spec::YamlNode& n, const std::string& what);

// The domain: the input's own (may be empty), else --domain, else an error.
Result<std::string> DomainFor(const ImportInput& in, const std::string& own, const ImportOptions& options);

// An ODCS library rule: no value outside `values` (invalidValues, mustBe 0).
OrderedJson ValidValuesRule(const OrderedJson& values);
// An ODCS library rule: no two rows share these properties' values together
// (duplicateValues over arguments.properties, mustBe 0).
OrderedJson UniqueTogetherRule(const OrderedJson& properties);
// A foreign key to `to` ("object.property", or a list of them for a
// composite key) in contract `contract`, in the form ODCS's schema accepts:
// the contract named by the custom property weft.contract (docs/spec-reference.md).
OrderedJson ForeignKey(const OrderedJson& to, const std::string& contract);

}  // namespace weft::interop
