// `weft export`: an applied product's contract in another format.
//
//   odcs        the ODCS contract as YAML (as applied)
//   odps        the ODPS product descriptor as YAML (as applied)
//   sql-ddl     CREATE TABLE per schema object, in DuckDB's or PostgreSQL's
//               dialect: types (quality::DuckDbTypeOf; PostgreSQL spellings of
//               them), NOT NULL, PRIMARY KEY, UNIQUE, CHECK for bounds and
//               valid values, FOREIGN KEY within the contract, COMMENT ON
//   jsonschema  a draft 2020-12 JSON Schema (one object per schema object,
//               under $defs when there are several)
//   dbt         a dbt schema.yml: a model per schema object, columns with
//               data_type, constraints and data_tests
//
// What `weft import` reads back of each is docs/import-export.md's table; an
// export imported again gives the same schema (tested).
//
//   ASSIGN_OR_RETURN(std::string ddl, Export(ExportFormat::kSqlDdl, product_doc, contract_doc,
//                                            SqlDialect::kPostgres));
//
// Thread safety: pure function of its inputs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spec/model.h"

namespace weft::interop {

enum class ExportFormat { kOdcs, kOdps, kSqlDdl, kJsonSchema, kDbt };
enum class SqlDialect { kDuckDb, kPostgres };
const std::vector<std::string>& ExportFormatNames();
Result<ExportFormat> ParseExportFormat(std::string_view name);
Result<SqlDialect> ParseSqlDialect(std::string_view name);

// `product` and `contract` are the documents as loaded (spec::LoadText).
Result<std::string> Export(ExportFormat format, const spec::Document& product, const spec::Document& contract,
                           SqlDialect dialect);

}  // namespace weft::interop
