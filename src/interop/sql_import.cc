// SQL DDL -> one product per table. The statements run in a DuckDB sandbox
// (interop/check_bounds.h: no file, network or extension install can be
// reached), PostgreSQL's serial types and jsonb declared first; the tables
// are then read back from DuckDB's catalog: duckdb_tables (comments),
// duckdb_columns (types, NOT NULL, comments), tables in name order and duckdb_constraints (PRIMARY
// KEY, UNIQUE, CHECK, FOREIGN KEY). A CHECK on one column becomes
// logicalTypeOptions or valid values where interop/check_bounds.h can read
// it, a sql rule otherwise.
#include <algorithm>
#include <cctype>
#include <map>

#include "common/strings.h"
#include "interop/check_bounds.h"
#include "interop/importers.h"
#include "interop/types.h"
#include "spec/yaml_tree.h"

namespace weft::interop {

namespace {

// DuckDB's error text points at the line with "LINE n:"; the column is the
// caret's offset under it.
spec::Pos ErrorPos(const std::string& message) {
  auto at = message.find("LINE ");
  if (at == std::string::npos) return {};
  int line = 0;
  size_t i = at + 5;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) line = line * 10 + (message[i++] - '0');
  if (line == 0 || i >= message.size() || message[i] != ':') return {};
  size_t prefix = i + 2 - at;  // "LINE n: "
  size_t eol = message.find('\n', at);
  size_t caret = eol == std::string::npos ? std::string::npos : message.find('^', eol);
  size_t caret_line = eol == std::string::npos ? 0 : eol + 1;
  int col = caret == std::string::npos || caret - caret_line < prefix ? 1 : static_cast<int>(caret - caret_line - prefix) + 1;
  return {line, col};
}

// The first line of DuckDB's message, without the context it prints below.
std::string FirstLine(const std::string& message) { return message.substr(0, message.find('\n')); }

using Rows = std::vector<std::vector<std::optional<std::string>>>;

std::string Cell(const Rows& rows, size_t r, size_t c) { return rows[r][c].value_or(""); }

class SqlImporter {
 public:
  SqlImporter(const ImportInput& in, std::string domain, engine::Connection& conn)
      : in_(in), domain_(std::move(domain)), conn_(conn) {}

  Result<std::vector<ProductDraft>> Run() {
    ASSIGN_OR_RETURN(auto tables, Fetch("SELECT table_name, comment FROM duckdb_tables() ORDER BY lower(table_name)"));
    ASSIGN_OR_RETURN(auto columns,
                     Fetch("SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
                           "ORDER BY table_oid, column_index"));
    ASSIGN_OR_RETURN(auto constraints,
                     Fetch("SELECT table_name, constraint_type, to_json(constraint_column_names)::VARCHAR, "
                           "expression, referenced_table, to_json(referenced_column_names)::VARCHAR "
                           "FROM duckdb_constraints() ORDER BY table_oid, constraint_index"));
    std::vector<ProductDraft> drafts;
    std::map<std::string, size_t> index;
    for (size_t r = 0; r < tables.size(); ++r) {
      const std::string table = Cell(tables, r, 0);
      ProductDraft d{.domain = domain_, .name = SnakeName(table), .source = in_.file};
      if (!Cell(tables, r, 1).empty()) d.description = Cell(tables, r, 1);
      OrderedJson object = {{"name", d.name}};
      if (d.name != table) object["physicalName"] = table;
      object["physicalType"] = "table";
      object["properties"] = OrderedJson::array();
      d.objects.push_back(std::move(object));
      index[table] = drafts.size();
      drafts.push_back(std::move(d));
    }
    for (size_t r = 0; r < columns.size(); ++r) {
      auto it = index.find(Cell(columns, r, 0));
      if (it == index.end()) continue;
      const std::string type = Cell(columns, r, 2);
      std::string logical = LogicalTypeOf(type);
      OrderedJson p = {{"name", Cell(columns, r, 1)}, {"logicalType", logical.empty() ? "string" : logical},
                       {"physicalType", type}};
      if (Cell(columns, r, 3) == "false") p["required"] = true;
      if (!Cell(columns, r, 4).empty()) p["description"] = Cell(columns, r, 4);
      drafts[it->second].objects[0]["properties"].push_back(std::move(p));
    }
    for (size_t r = 0; r < constraints.size(); ++r) {
      auto it = index.find(Cell(constraints, r, 0));
      if (it == index.end()) continue;
      OrderedJson& object = drafts[it->second].objects[0];
      const std::string kind = Cell(constraints, r, 1);
      OrderedJson cols = OrderedJson::parse(Cell(constraints, r, 2), nullptr, false);
      if (!cols.is_array()) cols = OrderedJson::array();
      if (kind == "PRIMARY KEY") {
        int position = 0;
        for (const auto& c : cols) {
          OrderedJson* p = Find(object, c.get<std::string>());
          if (!p) continue;
          (*p)["primaryKey"] = true;
          (*p)["primaryKeyPosition"] = ++position;
          (*p)["required"] = true;
        }
      } else if (kind == "UNIQUE") {
        if (cols.size() == 1) {
          if (OrderedJson* p = Find(object, cols[0].get<std::string>())) (*p)["unique"] = true;
        } else {
          object["quality"].push_back(UniqueTogetherRule(cols));
        }
      } else if (kind == "CHECK") {
        RETURN_IF_ERROR(Check(object, cols, Cell(constraints, r, 3)));
      } else if (kind == "FOREIGN KEY") {
        OrderedJson to_cols = OrderedJson::parse(Cell(constraints, r, 5), nullptr, false);
        const std::string target = SnakeName(Cell(constraints, r, 4));
        if (cols.size() == 1 && to_cols.is_array() && to_cols.size() == 1) {
          if (OrderedJson* p = Find(object, cols[0].get<std::string>()))
            (*p)["relationships"].push_back(ForeignKey(target + "." + to_cols[0].get<std::string>(), domain_ + "." + target));
        } else if (to_cols.is_array()) {
          OrderedJson to = OrderedJson::array();
          for (const auto& c : to_cols) to.push_back(target + "." + c.get<std::string>());
          OrderedJson fk = ForeignKey(to, domain_ + "." + target);
          fk["from"] = cols;
          object["relationships"].push_back(std::move(fk));
        }
      }
      // NOT NULL is read from duckdb_columns.
    }
    return drafts;
  }

 private:
  Result<Rows> Fetch(const std::string& sql) {
    ASSIGN_OR_RETURN(engine::QueryResult r, conn_.Query(sql));
    return r.FetchAllAsStrings();
  }

  static OrderedJson* Find(OrderedJson& object, const std::string& name) {
    for (auto& p : object["properties"])
      if (p["name"] == name) return &p;
    return nullptr;
  }

  // `mentioned` names each column once per mention ("amount >= 0 AND
  // amount <= 9": amount twice).
  Status Check(OrderedJson& object, const OrderedJson& mentioned, const std::string& expression) {
    OrderedJson cols = OrderedJson::array();
    for (const auto& c : mentioned)
      if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
    if (OrderedJson* p = cols.size() == 1 ? Find(object, cols[0].get<std::string>()) : nullptr) {
      ASSIGN_OR_RETURN(bool mapped, CheckToOptions(conn_, expression, *p));
      if (mapped) return Status::Ok();
    }
    object["quality"].push_back(CheckRule(expression));
    return Status::Ok();
  }

  const ImportInput& in_;
  std::string domain_;
  engine::Connection& conn_;
};

}  // namespace

Result<std::vector<ProductDraft>> ImportSql(const ImportInput& in, const ImportOptions& options) {
  ASSIGN_OR_RETURN(std::string domain, DomainFor(in, "", options));
  ASSIGN_OR_RETURN(DuckDbSandbox sandbox, OpenDuckDbSandbox());
  // PostgreSQL spellings DuckDB does not have (jsonb is text here: the json
  // extension's JSON type may not be there).
  RETURN_IF_ERROR(sandbox.conn.Execute("CREATE TYPE serial AS INTEGER; CREATE TYPE serial4 AS INTEGER; "
                                       "CREATE TYPE bigserial AS BIGINT; CREATE TYPE serial8 AS BIGINT; "
                                       "CREATE TYPE smallserial AS SMALLINT; CREATE TYPE jsonb AS VARCHAR"));
  if (Status s = sandbox.conn.Execute(in.text); !s.ok())
    return InputError(in, ErrorPos(s.message()), "DuckDB cannot run this DDL: " + FirstLine(s.message()));
  return SqlImporter(in, domain, sandbox.conn).Run();
}

}  // namespace weft::interop
