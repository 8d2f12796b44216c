// The publish service: contract-checked publishes and derived runs of a
// product (its owners; service::Authorizer), and the rows a publish
// quarantined.
//
//   ASSIGN_OR_RETURN(quality::PublishReport r, PublishService(mesh).Publish(caller, {.target = "sales.orders", .files = {f}}));
//   Status s = PublishStatus(r);   // Rejected when the contract refused it
//
// Thread safety: as the Mesh; publishes of one product are serialized by
// the store.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "quality/publisher.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

struct QuarantineView {
  std::string product;
  std::optional<catalog::PublishRecord> publish;  // none: no publish quarantined a row
  std::vector<std::string> columns;               // row, rules, reasons, then the input's columns
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// Publish although a guard refuses (quality/guards.h); the reason is required and audited.
struct Force {
  bool force = false;
  std::string reason;
};

class PublishService {
 public:
  explicit PublishService(Mesh& mesh) : mesh_(mesh) {}

  // request.actor and the engine settings are filled in from the caller and the workspace.
  Result<quality::PublishReport> Publish(const Caller& caller, quality::PublishRequest request);
  // The rows of the product's operational source (its descriptor's
  // weft.source, postgres_source.h) read now and published as a CSV input:
  // the same checks, quarantine, archive and snapshot as a file.
  Result<quality::PublishReport> PublishFromSource(const Caller& caller, quality::PublishRequest request);
  // A derived product's transform over its inputs' current snapshots.
  Result<quality::PublishReport> Run(const Caller& caller, const std::string& product, const Force& force = {},
                                     std::function<void(const quality::PublishProgress&)> on_progress = {});
  // An earlier kept snapshot made current again (quality::Rollback); owners only.
  Result<quality::PublishReport> Rollback(const Caller& caller, const std::string& product, const std::string& snapshot,
                                          const std::string& reason);
  // The rows of `publish` (default: the latest publish that quarantined any), up to `limit`.
  Result<QuarantineView> Quarantine(const Caller& caller, const std::string& product, const std::string& publish, int limit);

 private:
  Result<std::string> ProductOf(const Caller& caller, const std::string& target);
  Mesh& mesh_;
};

// Rejected when the contract or a publish guard refused the input; OK when
// it was published or was a duplicate.
Status PublishStatus(const quality::PublishReport& report);

nlohmann::json ToJson(const quality::PublishReport& r);
nlohmann::json ToJson(const QuarantineView& v);

}  // namespace weft::service
