#include "catalog/postgres/tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "catalog/postgres/text_search.h"
#include "common/strings.h"

namespace weft::catalog::postgres {

namespace {

struct Column {
  std::string name;
  bool vector = false;     // a tsvector: derived from the text column it names with "_v"
  bool generated = false;  // computed by PostgreSQL, or after the copy (DerivedColumns)
};

// Columns the copy leaves at their default and fills once every table is
// in: derived from other tables' rows (here, from the column vectors of
// search_fts), so no source row holds them.
struct Derived {
  const char* table;
  const char* column;
  std::string sql;
};
const std::vector<Derived>& DerivedColumns() {
  static const std::vector<Derived> derived = {
      {"search_documents", "ranked",
       fmt::format("UPDATE search_documents d SET ranked = {} FROM search_fts f WHERE f.doc_id = d.doc_id",
                   RankedVectorSql("f"))},
  };
  return derived;
}

bool IsDerived(const std::string& table, const std::string& column) {
  const auto& all = DerivedColumns();
  return std::any_of(all.begin(), all.end(), [&](const Derived& d) { return d.table == table && d.column == column; });
}

// The tables of the catalog's schema (weft_schema aside), with their columns in order.
Result<std::map<std::string, std::vector<Column>>> Schema(Connection& conn) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(R"sql(
      SELECT c.relname, a.attname, a.atttypid = 'tsvector'::regtype, a.attgenerated <> ''
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'weft_schema'
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname COLLATE "C", a.attnum)sql"));
  std::map<std::string, std::vector<Column>> out;
  for (int i = 0; i < rows.size(); ++i) {
    const std::string table = rows.Text(i, 0), column = rows.Text(i, 1);
    out[table].push_back({.name = column,
                          .vector = rows.Text(i, 2) == "t",
                          .generated = rows.Text(i, 3) == "t" || IsDerived(table, column)});
  }
  return out;
}

// The tables in an order where each comes after those its foreign keys name.
Result<std::vector<std::string>> InsertOrder(Connection& conn, const std::map<std::string, std::vector<Column>>& schema) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(R"sql(
      SELECT c.relname, r.relname FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
      WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace AND c.oid <> r.oid)sql"));
  std::map<std::string, std::set<std::string>> needs;
  for (int i = 0; i < rows.size(); ++i) needs[rows.Text(i, 0)].insert(rows.Text(i, 1));
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < schema.size()) {
    const size_t before = order.size();
    for (const auto& [table, columns] : schema) {
      if (placed.count(table)) continue;
      const auto& deps = needs[table];
      if (std::all_of(deps.begin(), deps.end(), [&](const std::string& d) { return placed.count(d) || !schema.count(d); })) {
        order.push_back(table);
        placed.insert(table);
      }
    }
    if (order.size() == before) return Status::Internal("the catalog's foreign keys form a cycle");
  }
  return order;
}

// One table's rows, several to a statement (PostgreSQL takes at most 65,535
// parameters in one).
Status InsertRows(Connection& conn, const CatalogTable& from, const std::vector<Column>& target) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < from.columns.size(); ++i) index[from.columns[i]] = i;
  std::vector<std::string> names;
  std::vector<std::pair<size_t, bool>> sources;  // the source column of each target column; true: its vector
  for (const Column& c : target) {
    if (c.generated) continue;
    const std::string text_column = c.vector && c.name.size() > 2 ? c.name.substr(0, c.name.size() - 2) : c.name;
    auto it = index.find(text_column);
    if (it == index.end())
      return Status::FailedPrecondition(
          fmt::format("column {}.{} of this catalog has no counterpart in the source", from.name, text_column));
    names.push_back(SqlIdent(c.name));
    sources.emplace_back(it->second, c.vector);
  }
  for (const auto& name : from.columns)
    if (std::none_of(target.begin(), target.end(), [&](const Column& c) { return c.name == name && !c.vector; }))
      return Status::FailedPrecondition(
          fmt::format("column {}.{} of the source has no counterpart in this catalog (is the source of a newer weft?)",
                      from.name, name));
  const size_t per_row = std::max<size_t>(sources.size(), 1);
  const size_t batch = std::max<size_t>(1, 30000 / per_row);
  for (size_t first = 0; first < from.rows.size(); first += batch) {
    const size_t last = std::min(from.rows.size(), first + batch);
    Params params;
    std::vector<std::string> tuples;
    for (size_t r = first; r < last; ++r) {
      std::vector<std::string> slots;
      for (const auto& [column, vector] : sources) {
        const std::optional<std::string>& value = from.rows[r][column];
        params.push_back(vector && value ? std::optional<std::string>(IndexText(*value)) : value);
        slots.push_back(vector ? fmt::format("to_tsvector('simple', ${})", params.size()) : fmt::format("${}", params.size()));
      }
      tuples.push_back("(" + Join(slots, ", ") + ")");
    }
    RETURN_IF_ERROR(conn.Run(fmt::format("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES {}", SqlIdent(from.name),
                                         Join(names, ", "), Join(tuples, ", ")),
                             params)
                        .status()
                        .WithContext("while copying table " + from.name));
  }
  return Status::Ok();
}

}  // namespace

Result<CatalogTables> ExportTables(Connection& conn) {
  ASSIGN_OR_RETURN(auto schema, Schema(conn));
  CatalogTables out;
  for (const auto& [name, columns] : schema) {
    std::vector<std::string> selected;
    for (const Column& c : columns)
      if (!c.vector && !c.generated) selected.push_back(SqlIdent(c.name));
    ASSIGN_OR_RETURN(Rows rows, conn.Query(fmt::format("SELECT {} FROM {}", Join(selected, ", "), SqlIdent(name))));
    CatalogTable table{.name = name};
    for (int c = 0; c < rows.columns(); ++c) table.columns.push_back(rows.ColumnName(c));
    for (int r = 0; r < rows.size(); ++r) {
      std::vector<std::optional<std::string>> values;
      for (int c = 0; c < rows.columns(); ++c)
        values.push_back(rows.IsNull(r, c) ? std::nullopt : std::optional<std::string>(rows.Text(r, c)));
      table.rows.push_back(std::move(values));
    }
    Normalize(table);
    out.push_back(std::move(table));
  }
  return out;
}

Status ImportTables(Connection& conn, const CatalogTables& tables) {
  ASSIGN_OR_RETURN(auto schema, Schema(conn));
  std::map<std::string, const CatalogTable*> source;
  for (const auto& t : tables) source[t.name] = &t;
  for (const auto& [name, columns] : schema) {
    if (!source.count(name))
      return Status::FailedPrecondition("table " + name + " of this catalog has no counterpart in the source");
    // catalog_meta is the one row every new catalog starts with.
    if (name == "catalog_meta") continue;
    ASSIGN_OR_RETURN(Rows any, conn.Query(fmt::format("SELECT EXISTS (SELECT 1 FROM {})", SqlIdent(name))));
    if (any.Text(0, 0) == "t")
      return Status::FailedPrecondition("the catalog is not empty (table " + name +
                                        " has rows); migrate into a new database");
  }
  for (const auto& t : tables)
    if (!schema.count(t.name))
      return Status::FailedPrecondition("table " + t.name +
                                        " of the source has no counterpart in this catalog (is the source of a newer weft?)");
  ASSIGN_OR_RETURN(std::vector<std::string> order, InsertOrder(conn, schema));
  // Rows are copied as they are: a trigger (the monthly usage totals)
  // would count them a second time. Only weft's own triggers are off;
  // the foreign keys' stay on and check every row.
  ASSIGN_OR_RETURN(Rows triggered, conn.Query(R"sql(
      SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace)sql"));
  for (int i = 0; i < triggered.size(); ++i)
    RETURN_IF_ERROR(conn.Exec(fmt::format("ALTER TABLE {} DISABLE TRIGGER USER", SqlIdent(triggered.Text(i, 0)))));
  RETURN_IF_ERROR(conn.Exec("DELETE FROM catalog_meta"));
  for (const auto& name : order) RETURN_IF_ERROR(InsertRows(conn, *source[name], schema[name]));
  for (const Derived& d : DerivedColumns())
    RETURN_IF_ERROR(conn.Exec(d.sql).WithContext(fmt::format("while computing {}.{}", d.table, d.column)));
  // Deferred checks first: a table with pending trigger events cannot be altered.
  RETURN_IF_ERROR(conn.Exec("SET CONSTRAINTS ALL IMMEDIATE"));
  for (int i = 0; i < triggered.size(); ++i)
    RETURN_IF_ERROR(conn.Exec(fmt::format("ALTER TABLE {} ENABLE TRIGGER USER", SqlIdent(triggered.Text(i, 0)))));
  // The next id each table hands out comes after the ones copied.
  ASSIGN_OR_RETURN(Rows identities, conn.Query(R"sql(
      SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND a.attidentity <> '')sql"));
  for (int i = 0; i < identities.size(); ++i) {
    const std::string table = SqlIdent(identities.Text(i, 0)), column = SqlIdent(identities.Text(i, 1));
    RETURN_IF_ERROR(conn.Query(fmt::format("SELECT setval(pg_get_serial_sequence($1, $2), "
                                           "COALESCE((SELECT max({}) FROM {}), 0) + 1, false)",
                                           column, table),
                               table, identities.Text(i, 1))
                        .status()
                        .WithContext("while moving the ids of table " + identities.Text(i, 0)));
  }
  return Status::Ok();
}

}  // namespace weft::catalog::postgres
