// A catalog as plain tables: what `weft catalog migrate` reads from one store,
// writes into another and compares after (migrate.h). Both stores share one
// logical schema (postgres/migrations.cc mirrors sqlite/migrations.cc), so a
// table is its name, its columns and its rows:
//   - every value as text, as the store reads it back (integers in decimal,
//     reals in their shortest exact form, flags 0/1), SQL NULL as nullopt;
//   - paths absolute (the SQLite store keeps those under its directory
//     relative: stored_paths.h), so the copy names the same files;
//   - the search indexes as their text (search_fts, glossary_fts), from
//     which each store derives its own index;
//   - the schemas' own bookkeeping (versions, SQLite's sqlite_* tables)
//     left out.
// Columns are in name order and rows in the order of their values, so two
// stores' exports of one catalog are equal value for value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::catalog {

struct CatalogTable {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};
using CatalogTables = std::vector<CatalogTable>;  // in name order

// Puts `table`'s columns in name order (moving each row's values along) and
// its rows in value order: what makes two exports comparable.
void Normalize(CatalogTable& table);

// Where `to` differs from `from`, for a message ("table usage: 12 rows in
// the source, 13 in the copy"); empty when they are equal.
std::string FirstDifference(const CatalogTables& from, const CatalogTables& to, std::string_view from_name = "the source",
                            std::string_view to_name = "the copy");

// Rows in all of `tables`.
size_t RowCount(const CatalogTables& tables);

}  // namespace weft::catalog
