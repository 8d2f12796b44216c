#include "catalog/sqlite/export_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>

#include "common/strings.h"

namespace weft::catalog::sqlite {

namespace {

// Values SQLite keeps in a rowid that the PostgreSQL schema names as a
// column: the order contract versions were applied in, and the search
// indexes' link to their document or term.
struct RowidColumn {
  std::string_view table, column;
};
constexpr RowidColumn kRowidColumns[] = {
    {"contract_versions", "seq"}, {"search_fts", "doc_id"}, {"glossary_fts", "term_id"}};

std::optional<std::string> ValueOf(const Statement& s, int column) {
  switch (s.ColumnType(column)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_INTEGER:
      return std::to_string(s.Int(column));
    case SQLITE_FLOAT:
      return fmt::format("{}", s.Double(column));  // shortest text that reads back exactly, as PostgreSQL prints
    default:
      return s.Text(column);
  }
}

bool IsPathColumn(const std::string& table, const std::string& column) {
  const std::string name = table + "." + column;
  return std::any_of(std::begin(kPathColumns), std::end(kPathColumns), [&](const char* p) { return name == p; });
}

}  // namespace

Result<CatalogTables> ExportTables(Connection& conn, const StoredPaths& paths) {
  // The tables and the FTS tables themselves; not FTS5's shadow tables
  // (its private storage) nor sqlite_* (the schema's own).
  ASSIGN_OR_RETURN(Statement list, conn.Prepare(R"sql(
      SELECT name FROM pragma_table_list
      WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
      ORDER BY name)sql"));
  std::vector<std::string> names;
  while (true) {
    ASSIGN_OR_RETURN(bool row, list.Step());
    if (!row) break;
    names.push_back(list.Text(0));
  }
  CatalogTables out;
  for (const std::string& name : names) {
    std::string select = "*";
    for (const auto& r : kRowidColumns)
      if (r.table == name) select = fmt::format("rowid AS {}, *", r.column);
    ASSIGN_OR_RETURN(Statement rows, conn.Prepare(fmt::format("SELECT {} FROM {}", select, SqlIdent(name))));
    CatalogTable table{.name = name};
    for (int c = 0; c < rows.ColumnCount(); ++c) table.columns.push_back(rows.ColumnName(c));
    while (true) {
      ASSIGN_OR_RETURN(bool row, rows.Step());
      if (!row) break;
      std::vector<std::optional<std::string>> values;
      for (int c = 0; c < rows.ColumnCount(); ++c) {
        std::optional<std::string> v = ValueOf(rows, c);
        if (v && IsPathColumn(name, table.columns[c])) v = paths.Resolve(*v);
        values.push_back(std::move(v));
      }
      table.rows.push_back(std::move(values));
    }
    Normalize(table);
    out.push_back(std::move(table));
  }
  return out;
}

}  // namespace weft::catalog::sqlite
