#include "access/tokens.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "access/access_control.h"
#include "common/hashing.h"

namespace weft::access {

namespace {

constexpr std::string_view kPrefix = "weft_";
constexpr size_t kIdHexChars = 8;
constexpr size_t kSecretBytes = 32;

std::string IsoAfter(std::chrono::seconds delta) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + delta);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c)); });
}

}  // namespace

Result<std::string> TokenExpiry(const std::string& text, const std::string& now) {
  if (text.empty()) return std::string();
  char unit = text.back();
  std::string digits = text.substr(0, text.size() - 1);
  if ((unit == 'd' || unit == 'h') && !digits.empty() && digits.size() <= 5 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long n = std::stol(digits);
    if (n == 0) return Status::InvalidArgument("--expires " + text + " is not in the future");
    return IsoAfter(std::chrono::hours(unit == 'd' ? 24 * n : n));
  }
  if (text.size() == 10) return ExpiryFromDate(text, now, "--expires");
  return Status::InvalidArgument("--expires '" + text + "' is neither a duration (30d, 12h) nor a date (YYYY-MM-DD)");
}

Result<IssuedToken> IssueToken(catalog::Store& store, const Principal& actor, const std::string& principal,
                               const std::string& expires, const std::string& description, const std::string& now) {
  if (!actor.admin() && actor.name != principal)
    return Status::PermissionDenied(actor.name + " may not make tokens for " + principal +
                                    " (only for itself; platform admins for anyone)");
  ASSIGN_OR_RETURN(Principal target, LoadPrincipal(store, principal));
  ASSIGN_OR_RETURN(std::string expires_at, TokenExpiry(expires, now));
  IssuedToken out;
  std::string id = RandomHex(kIdHexChars / 2);
  std::string secret = RandomHex(kSecretBytes);
  if (id.empty() || secret.empty()) return Status::Internal("the system's random generator failed; no token made");
  out.text = std::string(kPrefix) + id + "_" + secret;
  out.record = {.id = "tok_" + id, .principal = target.name, .hash = Sha256Hex(out.text), .description = description,
                .created_by = actor.name, .created_at = now, .expires_at = expires_at};
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  RETURN_IF_ERROR(txn->InsertToken(out.record));
  RETURN_IF_ERROR(txn->AppendAudit({.actor = actor.name, .action = "token.create", .object = "token:" + out.record.id,
                                    .detail = "for " + target.name +
                                              (expires_at.empty() ? "" : ", expires " + expires_at)}));
  RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<catalog::TokenRecord> VerifyToken(catalog::Store& store, std::string_view text, const std::string& now) {
  // Shape first: a malformed text costs no catalog read and the message
  // never repeats what was sent.
  const size_t expected = kPrefix.size() + kIdHexChars + 1 + 2 * kSecretBytes;
  if (text.size() != expected || text.substr(0, kPrefix.size()) != kPrefix || text[kPrefix.size() + kIdHexChars] != '_' ||
      !IsHex(text.substr(kPrefix.size(), kIdHexChars)) || !IsHex(text.substr(kPrefix.size() + kIdHexChars + 1)))
    return Status::PermissionDenied("not a weft token");
  auto found = store.FindToken(Sha256Hex(text));
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) return Status::PermissionDenied("unknown token");
    return found.status();
  }
  RETURN_IF_ERROR(CheckTokenInForce(*found, now));
  return *found;
}

Status CheckTokenInForce(const catalog::TokenRecord& t, const std::string& now) {
  if (!t.revoked_at.empty()) return Status::PermissionDenied("token " + t.id + " was revoked");
  if (!t.expires_at.empty() && t.expires_at <= now)
    return Status::PermissionDenied("token " + t.id + " expired at " + t.expires_at);
  return Status::Ok();
}

Status RevokeToken(catalog::Store& store, const Principal& actor, const std::string& id, const std::string& now) {
  ASSIGN_OR_RETURN(std::vector<catalog::TokenRecord> tokens, store.ListTokens());
  auto it = std::find_if(tokens.begin(), tokens.end(), [&](const auto& t) { return t.id == id; });
  // Not admin and not yours reads as unknown: ids of others' tokens stay private.
  if (it == tokens.end() || (!actor.admin() && it->principal != actor.name))
    return Status::NotFound("no token " + id + " of yours");
  ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  RETURN_IF_ERROR(txn->RevokeToken(id, actor.name, now));
  RETURN_IF_ERROR(txn->AppendAudit(
      {.actor = actor.name, .action = "token.revoke", .object = "token:" + id, .detail = "of " + it->principal}));
  return txn->Commit();
}

Result<std::vector<catalog::TokenRecord>> ListTokens(catalog::Store& store, const Principal& actor) {
  ASSIGN_OR_RETURN(std::vector<catalog::TokenRecord> tokens, store.ListTokens());
  if (!actor.admin())
    std::erase_if(tokens, [&](const auto& t) { return t.principal != actor.name; });
  for (auto& t : tokens) t.hash.clear();  // not needed by anyone who lists
  return tokens;
}

}  // namespace weft::access
