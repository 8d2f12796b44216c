// The access service: principals, access requests and their decisions,
// grants, and API tokens. Who may decide a request or grant a product is
// access/'s rule (the product's owners); who may manage principals or see
// attributes and grantees is service::Authorizer's.
//
//   ASSIGN_OR_RETURN(RequestView r, AccessService(mesh).Request(caller, {.product = "crm.customers", .purpose = "churn"}));
//
// Thread safety: as the Mesh; every write is one catalog transaction.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "access/tokens.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

struct PrincipalView {
  std::string name, kind;
  std::set<std::string> groups;                   // "group" or "group(role)"
  std::map<std::string, std::string> attributes;  // only for stewards, admins and the principal itself
};

// Who the caller is, as the web UI shows it: roles and the domains it owns.
struct MeView {
  access::Principal principal;
  std::vector<std::string> roles;    // consumer, and owner, steward, admin as held
  std::vector<std::string> domains;  // owned
};

struct PrincipalChange {
  std::string name;
  std::string kind = "user";  // add only
  std::vector<std::string> groups;
  std::map<std::string, std::string> attributes;
  bool clear_groups = false, clear_attributes = false;  // set only
};

struct AccessListView {
  struct Request {
    catalog::AccessRequestRecord request;
    bool decides = false;  // the caller may approve it: existing/widens are set
    std::vector<catalog::GrantRecord> existing;  // what the grantee holds now
    std::string widens;  // what approving as asked would add; "" nothing
  };
  struct Grant {
    catalog::GrantRecord grant;
    std::string state;  // active | revoked | expired
  };
  std::vector<Request> requests;
  std::vector<Grant> grants;
};

struct RequestView {
  int64_t id = 0;
  std::vector<std::string> approvers;
};

struct TokensView {
  std::vector<catalog::TokenRecord> tokens;
  std::string now;
};

class AccessService {
 public:
  explicit AccessService(Mesh& mesh) : mesh_(mesh) {}

  MeView Me(const Caller& caller);
  Result<std::vector<PrincipalView>> Principals(const Caller& caller);
  // Admins. create: the name must be new; else it must exist.
  Result<PrincipalView> SavePrincipal(const Caller& caller, const PrincipalChange& change, bool create);

  // scope: "" (what the caller made, holds or decides), "mine", "pending" (the approval inbox).
  Result<AccessListView> List(const Caller& caller, const std::string& scope);
  Result<RequestView> Request(const Caller& caller, const access::RequestArgs& args);
  Result<int64_t> Approve(const Caller& caller, int64_t request, const access::GrantArgs& extra, const std::string& reason);
  Status Deny(const Caller& caller, int64_t request, const std::string& reason);
  Result<int64_t> Grant(const Caller& caller, const std::string& product, const access::GrantArgs& args);
  Status Revoke(const Caller& caller, int64_t grant);

  // For another principal: admins. `expires`: 30d, 12h, YYYY-MM-DD or "" (never).
  Result<access::IssuedToken> CreateToken(const Caller& caller, const std::string& principal, const std::string& expires,
                                          const std::string& description);
  Result<TokensView> Tokens(const Caller& caller);
  Status RevokeToken(const Caller& caller, const std::string& id);

 private:
  Result<std::shared_ptr<const access::AccessControl>> Access(const Caller& caller);
  Mesh& mesh_;
};

nlohmann::json ToJson(const MeView& m);
nlohmann::json ToJson(const PrincipalView& p);
nlohmann::json ToJson(const AccessListView& v);
nlohmann::json ToJson(const RequestView& r);
nlohmann::json ToJson(const TokensView& t);
nlohmann::json ToJson(const access::IssuedToken& t);

}  // namespace weft::service
