// `weft import FORMAT FILE...`: contracts teams already have, turned into
// weft's layout (an ODPS product descriptor and its ODCS contract per table or
// model, as `weft new product` lays them out). Formats:
//
//   simple      the shape teams write by hand: schema, version, owner, sla
//               {freshness, availability}, fields [{name, type, required,
//               enum}], quality [no_nulls, unique, range]
//   dbt         a dbt schema.yml: models, columns, data_tests/tests
//               (not_null, unique, accepted_values, relationships),
//               constraints, contract {enforced}, versions
//   sql         CREATE TABLE statements (DuckDB or PostgreSQL dialect), run by
//               DuckDB in a sandboxed in-memory database and read back from
//               its catalog: types, NOT NULL, PRIMARY KEY, UNIQUE, CHECK,
//               FOREIGN KEY, comments
//   jsonschema  a JSON Schema object (or $defs of them): properties,
//               required, enum, format, bounds, patterns
//
// docs/import-export.md maps every field.
//
//   ASSIGN_OR_RETURN(auto files, Import(ImportFormat::kSimple, {{"orders.yaml", text}}, {.domain = "sales"}));
//   for (const spec::ScaffoldFile& f : files) Write(root / f.path, f.content);
//
// Bad input is an InvalidArgument naming file:line:col where the input has
// lines; the files returned load and lint without errors (checked).
//
// Thread safety: pure function of its inputs (each call opens its own DuckDB).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spec/scaffold.h"

namespace weft::interop {

enum class ImportFormat { kSimple, kDbt, kSql, kJsonSchema };
const std::vector<std::string>& ImportFormatNames();
Result<ImportFormat> ParseImportFormat(std::string_view name);

struct ImportOptions {
  // The domain of the products; a simple file may name its own. Required
  // when the input does not.
  std::string domain;
  // Where consumers ask questions (mailto:..., a Slack or web URL): the
  // product's and contract's support channel. Empty: the owner's e-mail when
  // the input names an owner by e-mail.
  std::string support_url;
};

struct ImportInput {
  std::string file;  // as the user named it, for messages
  std::string text;
};

Result<std::vector<spec::ScaffoldFile>> Import(ImportFormat format, const std::vector<ImportInput>& inputs,
                                               const ImportOptions& options);

}  // namespace weft::interop
