// JSON Schema validation of documents, for the official ODCS and ODPS schemas
// (draft 2019-09). valijson does the validating; it knows drafts 4 and 7, so
// this class adds the 2019-09 parts those schemas use:
//   - `$ref` beside other keywords (draft 7 ignores the siblings; 2019-09
//     applies both): rewritten as an `allOf` of the reference and the rest;
//   - `dependentRequired` / `dependentSchemas`: rewritten as draft 7
//     `dependencies`, which means the same;
//   - `unevaluatedProperties`: checked here, after valijson, by a walk that
//     collects which properties the applicable subschemas evaluated
//     (properties, patternProperties, additionalProperties, and through
//     $ref, allOf, the passing branches of anyOf/oneOf, if/then/else and
//     dependentSchemas), as 2019-09 §9.3.2.4 defines;
//   - `$defs` needs nothing: valijson resolves `#/$defs/...` as any pointer.
// `$ref` must point into `$defs` or `definitions` of the same document;
// `$id`, `$anchor`, `$recursiveRef` and `unevaluatedItems` are refused at
// Compile (the official schemas use none of them). Patterns (`pattern`,
// `patternProperties`) are ECMA-262, as std::regex's ECMAScript grammar reads them.
//
//   ASSIGN_OR_RETURN(JsonSchema s, JsonSchema::Compile(schema_json));
//   for (const SchemaViolation& v : s.Validate(document)) Report(v.path, v.message);
//
// Thread safety: immutable after Compile; Validate is safe to call concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace weft::spec {

struct SchemaViolation {
  // Where in the instance: object keys and array indexes from the root.
  std::vector<std::string> path;
  std::string message;
  // Set when the violation is a property the schema does not allow
  // (additionalProperties/unevaluatedProperties false): its name, and the
  // names the schema does allow there (for a did-you-mean).
  std::string unknown_field;
  std::vector<std::string> allowed_fields;
};

class JsonSchema {
 public:
  static Result<JsonSchema> Compile(const nlohmann::json& schema);

  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;
  ~JsonSchema();

  // Every violation of `instance`, in document order, without the summaries
  // of failed combinators ("no branch of oneOf passed") whose reasons are
  // reported on their own.
  std::vector<SchemaViolation> Validate(const nlohmann::json& instance) const;
  bool IsValid(const nlohmann::json& instance) const;

 private:
  struct Impl;
  explicit JsonSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::spec
