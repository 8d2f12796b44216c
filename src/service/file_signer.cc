#include "service/file_signer.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>

#include "common/hashing.h"
#include "common/strings.h"

namespace weft::service {

namespace {

constexpr std::string_view kPrefix = "/iceberg/files/";
constexpr size_t kExpiresChars = 10;

bool AllOf(std::string_view s, size_t n, bool (*ok)(char)) {
  return s.size() == n && std::all_of(s.begin(), s.end(), ok);
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsPlain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '.' || c == '_' || c == '-';
}

}  // namespace

// A key of its own, so a URL signature can never be replayed as a mask
// hash or a webhook signature made with the secret itself.
FileSigner::FileSigner(std::string_view workspace_secret)
    : key_(HmacSha256Hex(workspace_secret, "weft iceberg signed file urls v1")) {}

std::string FileSigner::CallerTag(std::string_view principal) const {
  return HmacSha256Hex(key_, "caller\n" + std::string(principal)).substr(0, kCallerChars);
}

int64_t FileSigner::ExpiryFor(int64_t now_seconds) {
  const int64_t at_least = now_seconds + kLifetimeSeconds;
  return (at_least + kBucketSeconds - 1) / kBucketSeconds * kBucketSeconds;
}

std::string FileSigner::Mac(std::string_view text) const { return HmacSha256Hex(key_, text).substr(0, kSignatureChars); }

bool FileSigner::Matches(std::string_view text, std::string_view mac) const {
  const std::string expected = Mac(text);
  // Constant time: how much of a guess matched must not show in the timing.
  return mac.size() == expected.size() && CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) == 0;
}

std::string FileSigner::SignedText(std::string_view table, std::string_view expires, std::string_view caller,
                                   std::string_view path) {
  // Newlines cannot occur in any field (Parse refuses them), so the
  // concatenation is unambiguous; "file" keeps it apart from other MACs.
  return fmt::format("file\n{}\n{}\n{}\n{}", table, expires, caller, path);
}

std::string FileSigner::Path(std::string_view table, std::string_view caller, std::string_view path,
                             int64_t expires) const {
  const std::string exp = fmt::format("{:010d}", expires);
  return fmt::format("{}{}/{}/{}/{}/{}", kPrefix, table, exp, caller, Mac(SignedText(table, exp, caller, path)), path);
}

Result<SignedFile> FileSigner::Parse(std::string_view url_path) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("'{}' is not a signed file URL of this catalog: {}", url_path, why));
  };
  if (!StartsWith(url_path, kPrefix)) return bad("it does not start with /iceberg/files/");
  std::vector<std::string> parts = Split(url_path.substr(kPrefix.size()), '/');
  if (parts.size() < 5) return bad("it needs <table>/<expires>/<caller>/<signature>/<path>");
  SignedFile f{.table = parts[0], .expires = parts[1], .caller = parts[2], .signature = parts[3], .path = ""};
  if (f.table.empty() || !std::all_of(f.table.begin(), f.table.end(), IsPlain)) return bad("the table is malformed");
  if (!AllOf(f.expires, kExpiresChars, IsDigit)) return bad("the expiry is not 10 digits");
  if (!AllOf(f.caller, kCallerChars, IsLowerHex)) return bad("the caller is not 16 hex digits");
  if (!AllOf(f.signature, kSignatureChars, IsLowerHex)) return bad("the signature is not 32 hex digits");
  for (size_t i = 4; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p == "." || p == ".." || !std::all_of(p.begin(), p.end(), IsPlain))
      return bad("the file path must be plain names (letters, digits, . _ -) with no empty, '.' or '..' parts");
    f.path += (i > 4 ? "/" : "") + p;
  }
  return f;
}

std::string FileSigner::Redacted(std::string_view url_path) {
  std::string out(url_path);
  if (!StartsWith(url_path, kPrefix)) return out;
  // The signature is the fourth part after the prefix.
  size_t at = kPrefix.size();
  for (int part = 0; part < 3 && at != std::string::npos; ++part) {
    at = out.find('/', at);
    if (at != std::string::npos) ++at;
  }
  if (at == std::string::npos) return out;
  const size_t end = std::min(out.find('/', at), out.size());
  return out.replace(at, end - at, "-");
}

Status FileSigner::Verify(const SignedFile& file, int64_t now_seconds) const {
  if (!Matches(SignedText(file.table, file.expires, file.caller, file.path), file.signature))
    return Status::PermissionDenied("the file URL's signature is not valid for this table, file and caller; "
                                    "load the table again for fresh URLs");
  if (std::stoll(file.expires) <= now_seconds)
    return Status::PermissionDenied("the file URL expired; load the table again for fresh URLs");
  return Status::Ok();
}

}  // namespace weft::service
