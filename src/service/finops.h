// The FinOps service: who reads a product and what reading costs — usage
// per product, showback per consuming domain for a month, and the monthly
// series behind the cost chart.
//
//   ASSIGN_OR_RETURN(CostView c, FinopsService(mesh).Cost(caller, "2026-11", ""));
//
// Thread safety: as the Mesh.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

// Every cost and budget of these views is in `currency`, the workspace's:
// weft keeps one currency per workspace and converts nothing. A budget
// recorded in another (weft.yaml's currency changed after its domain was
// applied) is left out, with a warning saying so.
struct UsageView {
  struct Reader {
    std::string reader;  // principal (consuming domain)
    int64_t queries = 0;
    double cost = 0;
  };
  std::string product, currency;
  int64_t refused = 0;
  std::vector<Reader> readers;
  std::map<std::string, int64_t> columns;  // column -> queries that read it
  std::map<std::string, int64_t> days;     // YYYY-MM-DD -> queries
};

struct CostView {
  struct Line {
    std::string name;  // a domain or a product
    int64_t queries = 0;
    double cost = 0;
    std::optional<double> budget;  // consuming domains
  };
  struct Storage {
    std::string domain;
    int64_t bytes = 0;
    double cost = 0;
  };
  std::string month, currency;
  std::vector<Line> consumers, products;
  std::vector<Storage> storage;
  std::vector<std::string> warnings;
};

struct MonthlyCostView {
  struct Month {
    std::string month;
    double cost = 0;
    std::map<std::string, double> by_domain;
  };
  std::string domain, currency;
  std::optional<double> budget;
  std::vector<Month> months;
  std::vector<std::string> warnings;
};

class FinopsService {
 public:
  explicit FinopsService(Mesh& mesh) : mesh_(mesh) {}

  // The product's owners, stewards and admins. `since`: YYYY-MM-DD or "".
  Result<UsageView> Usage(const Caller& caller, const std::string& product, const std::string& since);
  // `month` YYYY-MM ("" this month); `domain` "" every consuming domain.
  Result<CostView> Cost(const Caller& caller, std::string month, const std::string& domain);
  Result<MonthlyCostView> Monthly(const Caller& caller, const std::string& domain);

 private:
  Mesh& mesh_;
};

nlohmann::json ToJson(const UsageView& v);
nlohmann::json ToJson(const CostView& v);
nlohmann::json ToJson(const MonthlyCostView& v);

}  // namespace weft::service
