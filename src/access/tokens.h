// API tokens: how the server knows who is calling (docs/security.md).
//
// A token reads "weft_<id>_<secret>": the id is public (lists, revocation,
// the access log), the secret is 32 random bytes. The catalog keeps only
// the SHA-256 of the whole text, so a copy of catalog.db lets no one in;
// the text is shown once, when the token is made.
//
//   ASSIGN_OR_RETURN(IssuedToken t, IssueToken(store, admin, "carol@retail.example", "30d", "ci", NowIso()));
//   ASSIGN_OR_RETURN(catalog::TokenRecord who, VerifyToken(store, t.text, NowIso()));
//
// Thread safety: pure functions over the Store (which serializes).
#pragma once

#include <string>
#include <string_view>

#include "access/principals.h"
#include "catalog/store.h"
#include "common/status.h"

namespace weft::access {

struct IssuedToken {
  catalog::TokenRecord record;
  std::string text;  // the token itself; not stored anywhere
};

// "30d", "12h" or "2026-12-31" (the end of that day) -> an ISO 8601 instant
// after `now`; empty stays empty (never expires).
Result<std::string> TokenExpiry(const std::string& text, const std::string& now);

// Makes a token for `principal` (a registered user or service principal).
// Admins make tokens for anyone; others only for themselves. Audited.
Result<IssuedToken> IssueToken(catalog::Store& store, const Principal& actor, const std::string& principal,
                               const std::string& expires, const std::string& description, const std::string& now);

// The token this text is, if it is one, not revoked and not expired.
// PermissionDenied says which of these failed (never echoing the secret).
Result<catalog::TokenRecord> VerifyToken(catalog::Store& store, std::string_view text, const std::string& now);

// PermissionDenied unless `t` is in force at `now`: not revoked, not expired.
// (VerifyToken checks this; a caller caching verified tokens checks again.)
Status CheckTokenInForce(const catalog::TokenRecord& t, const std::string& now);

// Admins revoke any token; others their own. Audited. Works at once.
Status RevokeToken(catalog::Store& store, const Principal& actor, const std::string& id, const std::string& now);

// The tokens `actor` may see: all for admins, else its own.
Result<std::vector<catalog::TokenRecord>> ListTokens(catalog::Store& store, const Principal& actor);

}  // namespace weft::access
