#include "quality/profile.h"

#include <string>

#include "common/strings.h"

namespace weft::quality {

namespace {

// Nested and binary values have no useful order or readable text: such a
// column is profiled by its nulls and distinct estimate only.
bool HasValueStats(const std::string& type) {
  return type != "BLOB" && type.find('[') == std::string::npos && type.rfind("STRUCT", 0) != 0 &&
         type.rfind("MAP", 0) != 0 && type.rfind("UNION", 0) != 0;
}

std::string Shortened(const std::string& expr) {
  return "left(CAST(" + expr + " AS VARCHAR), " + std::to_string(kProfileValueChars) + ")";
}

}  // namespace

Result<nlohmann::json> ProfileFiles(engine::Connection& conn, const std::vector<std::filesystem::path>& files) {
  nlohmann::json columns = nlohmann::json::array();
  if (files.empty()) return columns;
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ", ") + SqlQuote(f.string());
  const std::string from = "read_parquet([" + list + "])";
  ASSIGN_OR_RETURN(auto described, conn.Query("DESCRIBE SELECT * FROM " + from));
  ASSIGN_OR_RETURN(auto shape, described.FetchAllAsStrings());
  // One pass for the counts and bounds of every column; the frequent
  // values, the dearest part, from a sample of a large snapshot
  // (docs/benchmarks.md, "Column profiles").
  std::string counts = "SELECT count(*)", tops = "SELECT NULL";
  for (const auto& row : shape) {
    const std::string name = row[0].value_or(""), type = row[1].value_or("");
    const std::string col = SqlIdent(name);
    counts += ", count(" + col + "), approx_count_distinct(" + col + ")";
    if (HasValueStats(type)) {
      counts += ", " + Shortened("min(" + col + ")") + ", " + Shortened("max(" + col + ")");
      tops += ", CAST(to_json(list_transform(approx_top_k(" + col + ", " + std::to_string(kProfileTopValues) + "), v -> " +
              Shortened("v") + ")) AS VARCHAR)";
    } else {
      counts += ", NULL, NULL";
      tops += ", NULL";
    }
  }
  ASSIGN_OR_RETURN(auto counted, conn.Query(counts + " FROM " + from));
  ASSIGN_OR_RETURN(auto count_rows, counted.FetchAllAsStrings());
  if (count_rows.size() != 1) return Status::Internal("the profile query returned " + std::to_string(count_rows.size()) + " rows");
  const auto& r = count_rows[0];
  const int64_t total = std::stoll(r[0].value_or("0"));
  const std::string sampled = total > kProfileSampleAbove ? " USING SAMPLE 10% (system)" : "";
  ASSIGN_OR_RETURN(auto topped, conn.Query(tops + " FROM (SELECT * FROM " + from + sampled + ")"));
  ASSIGN_OR_RETURN(auto top_rows, topped.FetchAllAsStrings());
  if (top_rows.size() != 1) return Status::Internal("the profile's top-values query returned " + std::to_string(top_rows.size()) + " rows");
  for (size_t i = 0; i < shape.size(); ++i) {
    const size_t at = 1 + i * 4;
    const auto text = [&](size_t k) { return r[at + k] ? nlohmann::json(*r[at + k]) : nlohmann::json(); };
    nlohmann::json top = nlohmann::json::array();
    if (const auto& t = top_rows[0][1 + i]) top = nlohmann::json::parse(*t, nullptr, false);
    if (top.is_discarded()) top = nlohmann::json::array();
    columns.push_back({{"name", shape[i][0].value_or("")},
                       {"type", shape[i][1].value_or("")},
                       {"rows", total},
                       {"nulls", total - std::stoll(r[at].value_or("0"))},
                       {"distinct", std::stoll(r[at + 1].value_or("0"))},
                       {"min", text(2)},
                       {"max", text(3)},
                       {"top", top}});
  }
  return columns;
}

}  // namespace weft::quality
