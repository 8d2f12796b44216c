// Governed sharing: who may read which product major, which columns, with
// which masks and which rows — and the requests and grants that decide it.
//
//   ASSIGN_OR_RETURN(AccessControl ac, AccessControl::Load(store, {.masking = ws.settings.masking, .key = secret}));
//   ASSIGN_OR_RETURN(ReadAccess r, ac.Authorize(bob, "sales.orders", 1, "1.0.0", now));
//   // r.columns[i].expression is the (masked) value; r.row_filter the rows bob may see.
//
// The rules (docs/security.md):
//   - the producing domain's team (members of team:<domain>, its service
//     principal included) reads its own products whole: no masks, no filters;
//   - anyone else reads a port marked `weft.access: open` with masks and the
//     contract's row filter, and a restricted port (the default) only
//     through grants in force: not revoked, not expired, for this principal,
//     one of its groups, or its domain. Grants add up: the union of their
//     columns and clearances; rows any of them allows;
//   - a mask comes from the property's weft.mask, else the workspace's
//     masking of its classification; a grant's clearance for that
//     classification lifts it;
//   - row filters ($principal.<attribute> replaced by the attribute's value
//     as a literal, NULL when the principal has none, so a missing
//     attribute sees no rows) are ANDed: the contract's weft.rowFilter and
//     the grants' filter;
//   - only the product's owners (team:<domain> owners, the contract's role
//     approvers) and platform admins decide requests, grant and revoke;
//     a grantee may also give up its own grant.
// Every decision is audited in the same transaction as the change.
//
// Thread safety: a loaded AccessControl is immutable; the mutating calls
// write through the Store, which serializes them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/masks.h"
#include "access/principals.h"
#include "catalog/store.h"
#include "common/status.h"
#include "spec/model.h"

namespace weft::access {

// "2026-12-31" -> the end of that day, UTC (what grants, requests and
// tokens expire at); `option` names the flag in the error.
Result<std::string> ExpiryFromDate(const std::string& date, const std::string& now, std::string_view option = "--until");

struct AccessSettings {
  std::map<std::string, std::string> masking;  // classification -> strategy (weft.yaml masking)
  std::string key;                             // the workspace secret keying hash masks
  // Whether a physicalType is a DuckDB type, as the publisher decided when
  // it wrote the snapshot (quality::DuckDbTypeOf); unset: logicalType decides.
  std::function<bool(const std::string&)> is_duckdb_type;
};

// One readable column of a product major, as a session view exposes it.
struct ColumnAccess {
  std::string name;
  std::string type;  // DuckDB type of the snapshot column
  std::string classification;
  std::string description;  // the contract's
  MaskStrategy mask;       // applied (kNone when unmasked or cleared)
  std::string expression;  // SQL over the raw column, AS name
};

struct ReadAccess {
  std::string product_id;
  int64_t major = 0;
  std::string status;  // active | deprecated
  std::string description;  // the product's
  std::string basis;   // producer | open | grant
  std::vector<int64_t> grant_ids;
  std::vector<ColumnAccess> columns;  // only the readable ones, in contract order
  std::string row_filter;             // SQL predicate over raw columns; empty: every row
  // Every column of the contract, none masked, every row: the snapshot as
  // stored is exactly what the reader may see (so it is read in place).
  bool whole = false;
  std::vector<std::string> warnings;  // a deprecated version, ...
};

struct RequestArgs {
  std::string product;  // DOMAIN.PRODUCT[@vN]
  std::vector<std::string> columns;
  std::string purpose;
  std::string until;    // YYYY-MM-DD
  std::string grantee;  // empty: the requester
};

struct GrantArgs {
  // Set to widen on purpose: a grant or approval that would let a grantee
  // with a filtered or column-limited grant read more rows or columns is
  // refused without it (grants add up, so a second grant widens the first).
  bool widen = false;
  std::string grantee;
  std::vector<std::string> columns;
  std::vector<std::string> clearances;
  std::string row_filter;
  std::string purpose;
  std::string until;  // YYYY-MM-DD
};

class AccessControl {
 public:
  // `previous`: the rules these replace (the catalog's last generation).
  // The product specs and contracts it parsed are reused where their
  // digest is unchanged: after a grant or a publish only what changed is
  // read, not every spec again (a server reloads on every write).
  static Result<AccessControl> Load(catalog::Store& store, AccessSettings settings,
                                    const AccessControl* previous = nullptr);

  // How `p` reads `product_id` major `major` as of contract version
  // `contract_version` (the snapshot's). PermissionDenied says what to run.
  Result<ReadAccess> Authorize(const Principal& p, const std::string& product_id, int64_t major,
                               const std::string& contract_version, const std::string& now) const;

  // The newest major `p` may address as `product_id` (not retired), for "domain.product".
  Result<int64_t> NewestMajor(const std::string& product_id) const;

  bool IsOwner(const Principal& p, const std::string& product_id) const;
  // Principals who may decide requests on the product, for messages and inboxes.
  std::vector<std::string> Approvers(const std::string& product_id) const;

  // The mutating operations; each re-reads nothing it decides on from the
  // loaded state that another writer could have changed in between except
  // through the Store's transaction (status checks happen inside it).
  Result<int64_t> Request(catalog::Store& store, const Principal& p, const RequestArgs& args, const std::string& now) const;
  Result<int64_t> Approve(catalog::Store& store, const Principal& p, int64_t request_id, const GrantArgs& extra,
                          const std::string& reason, const std::string& now) const;
  Status Deny(catalog::Store& store, const Principal& p, int64_t request_id, const std::string& reason,
              const std::string& now) const;
  Result<int64_t> Grant(catalog::Store& store, const Principal& p, const std::string& product, const GrantArgs& args,
                        const std::string& now) const;
  Status Revoke(catalog::Store& store, const Principal& p, int64_t grant_id, const std::string& now) const;

  const std::vector<catalog::GrantRecord>& grants() const { return grants_; }
  const std::vector<catalog::AccessRequestRecord>& requests() const { return requests_; }

  // The grants in force of exactly `grantee` on a product major.
  std::vector<const catalog::GrantRecord*> GrantsOf(const std::string& product_id, int64_t major,
                                                    const std::string& grantee, const std::string& now) const;
  // How a new grant of `columns` (empty: all) and `row_filter` (empty: all
  // rows) would widen what `grantee` reads through its grants in force, in
  // words; empty when it would not.
  std::string Widening(const std::string& product_id, int64_t major, const std::string& grantee,
                       const std::vector<std::string>& columns, const std::string& row_filter,
                       const std::string& now) const;

  // In force at `now` (ISO 8601): not revoked, not expired.
  static bool InForce(const catalog::GrantRecord& g, const std::string& now);

 private:
  struct Product {
    catalog::ProductRecord record;
    std::shared_ptr<const spec::DataProduct> spec;  // null: the stored spec does not load
  };
  const Product* FindProduct(const std::string& id) const;
  Result<const Product*> RequireProduct(const std::string& id) const;
  Result<std::pair<const Product*, int64_t>> ResolveTarget(const std::string& text) const;
  const catalog::PortVersionRecord* Port(const std::string& product_id, int64_t major) const;
  Result<std::shared_ptr<const spec::DataContract>> Contract(const std::string& id, const std::string& version) const;
  Result<const spec::SchemaObject*> PortObject(const spec::DataContract& c, const catalog::PortVersionRecord& port) const;
  bool IsOpen(const Product& p, const catalog::PortVersionRecord& port) const;
  Status CheckColumns(const std::string& product_id, int64_t major, const std::vector<std::string>& columns) const;
  Status CheckRowFilter(const std::string& product_id, int64_t major, const std::string& filter) const;
  Status CheckGrantee(const Principal& p, const std::string& grantee) const;
  // The grantee names a known principal, group or domain (did-you-mean otherwise).
  Status CheckGranteeExists(const std::string& grantee) const;
  // The request `p` may decide now: it exists, p owns its product, it is pending.
  Result<const catalog::AccessRequestRecord*> PendingRequestFor(const Principal& p, int64_t request_id) const;

  AccessSettings settings_;
  std::vector<Product> products_;
  std::vector<catalog::PortVersionRecord> ports_;
  std::vector<catalog::ContractVersionRecord> contracts_;
  std::vector<catalog::MembershipRecord> memberships_;
  std::vector<catalog::GrantRecord> grants_;
  std::vector<catalog::AccessRequestRecord> requests_;
  std::vector<std::string> grantees_;  // principal and group names, and domain:<d>
  // Contracts parsed on first use (shared by copies of this object).
  struct Parsed {
    struct Contract {
      std::string digest;  // of the record it was parsed from
      std::shared_ptr<const spec::DataContract> spec;
    };
    std::mutex mu;
    std::map<std::pair<std::string, std::string>, Contract> contracts;  // guarded by mu
  };
  std::shared_ptr<Parsed> parsed_ = std::make_shared<Parsed>();
};

// $principal.<attribute> in a row filter, replaced by the attribute's value
// as a SQL literal, or NULL.
std::string SubstitutePrincipal(const std::string& filter, const Principal& p);

}  // namespace weft::access
