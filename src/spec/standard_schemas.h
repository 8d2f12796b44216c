// The official JSON Schemas of ODCS (v3.0.0-v3.1.0) and ODPS (v0.9.0,
// v1.0.0), embedded in the binary (src/spec/schemas/, Apache-2.0, see its
// NOTICE), and the check of a loaded document against them.
//
// Which schema decides: the one the document's apiVersion names. Its
// violations are errors (rule `schema`) — except when the newest schema of
// the standard (ODCS v3.1.0, ODPS v1.0.0), whose apiVersion enum admits
// every older version and which the standards' own CI validates every
// example with, accepts the document: then they are warnings (rule
// `schema-version`), the document uses a newer feature than it declares.
//
//   std::vector<Diagnostic> d = CheckAgainstStandard(yaml_root, doc.json, doc.kind, "v3.1.0", "a.odcs.yaml");
//
// Each schema is compiled once per process, on first use.
// Thread safety: CheckAgainstStandard is safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/json_schema.h"
#include "spec/model.h"
#include "spec/yaml_tree.h"

namespace weft::spec {

struct EmbeddedSchemaFile {
  std::string_view name;  // e.g. "odcs-v3.1.0.json"
  std::string_view text;
};
// Generated from src/spec/schemas/*.json at build time.
const std::vector<EmbeddedSchemaFile>& EmbeddedSchemaFiles();

// The compiled official schema for `kind` at `api_version` ("v3.1.0"), or
// null when there is none (weft's own kinds, an unknown version).
const JsonSchema* StandardSchema(DocKind kind, std::string_view api_version);

// Validates `doc` (the document as JSON, typed by YAML 1.2's core schema)
// against the official schemas of its kind, placing each violation at its
// node of `root`. Nothing for weft's own kinds.
std::vector<Diagnostic> CheckAgainstStandard(const YamlNode& root, const Json& doc, DocKind kind,
                                             const std::string& api_version, const std::string& file);

}  // namespace weft::spec
