#include "catalog/tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/strings.h"

namespace weft::catalog {

void Normalize(CatalogTable& table) {
  std::vector<size_t> order(table.columns.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return table.columns[a] < table.columns[b]; });
  auto permuted = [&](const auto& values) {
    std::decay_t<decltype(values)> out;
    out.reserve(values.size());
    for (size_t i : order) out.push_back(values[i]);
    return out;
  };
  table.columns = permuted(table.columns);
  for (auto& row : table.rows) row = permuted(row);
  std::sort(table.rows.begin(), table.rows.end());
}

std::string FirstDifference(const CatalogTables& from, const CatalogTables& to, std::string_view from_name,
                            std::string_view to_name) {
  auto name_of = [](const CatalogTables& t, size_t i) { return i < t.size() ? t[i].name : std::string(); };
  for (size_t i = 0; i < std::max(from.size(), to.size()); ++i) {
    if (name_of(from, i) != name_of(to, i)) {
      const std::string missing = i >= to.size() || (i < from.size() && from[i].name < to[i].name) ? from[i].name : "";
      return missing.empty() ? fmt::format("table {} is not in {}", to[i].name, from_name)
                             : fmt::format("table {} is not in {}", missing, to_name);
    }
    const CatalogTable& a = from[i];
    const CatalogTable& b = to[i];
    if (a.columns != b.columns)
      return fmt::format("table {}: columns ({}) in {}, ({}) in {}", a.name, Join(a.columns, ", "), from_name,
                         Join(b.columns, ", "), to_name);
    if (a.rows.size() != b.rows.size())
      return fmt::format("table {}: {} rows in {}, {} in {}", a.name, a.rows.size(), from_name, b.rows.size(), to_name);
    for (size_t r = 0; r < a.rows.size(); ++r)
      for (size_t c = 0; c < a.columns.size(); ++c)
        if (a.rows[r][c] != b.rows[r][c])
          return fmt::format("table {}, row {}, column {}: '{}' in {}, '{}' in {}", a.name, r + 1, a.columns[c],
                             a.rows[r][c].value_or("NULL"), from_name, b.rows[r][c].value_or("NULL"), to_name);
  }
  return "";
}

size_t RowCount(const CatalogTables& tables) {
  size_t n = 0;
  for (const auto& t : tables) n += t.rows.size();
  return n;
}

}  // namespace weft::catalog
