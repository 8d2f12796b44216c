// Signed file URLs of the Iceberg REST catalog (docs/lakehouse.md,
// "Governed access"): like an object store's presigned URLs, a URL under
// `weft serve` that lets whoever holds it read one file of one table until
// it expires, and nothing else.
//
//   FileSigner signer(mesh.secret());
//   std::string tag = signer.CallerTag("bob");
//   int64_t expires = FileSigner::ExpiryFor(now_seconds);
//   std::string url = base + signer.Path("sales.orders_v1", tag, "snapshots/0001/part-0.parquet", expires);
//   // later, GET url:  RETURN_IF_ERROR(signer.Verify(parsed, now_seconds));
//
// A URL is /iceberg/files/<table>/<expires>/<caller>/<signature>/<path>:
//   table      the product major it belongs to (sales.orders_v1);
//   expires    Unix seconds, 10 digits;
//   caller     16 hex digits, an HMAC of the principal's name (the URL never
//              names it);
//   signature  32 hex digits: HMAC-SHA256 under a key derived from the
//              workspace secret (which never leaves the process) of table,
//              expires, caller and path;
//   path       the file, relative to the table (plain names, no . or ..).
// Every field but the path is of constant width, so a manifest whose paths
// were rewritten into URLs has the same length for every caller and expiry
// (the manifest list records manifest lengths).
//
// Expiries are rounded up to a whole kBucketSeconds, so the URLs a caller
// gets for a table are the same for a while and what carries them can be
// cached.
//
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace weft::service {

// The parts of a signed file URL's path after /iceberg/files/.
struct SignedFile {
  std::string table;
  std::string expires;  // as written: 10 digits
  std::string caller;
  std::string signature;
  std::string path;  // relative to the table
};

class FileSigner {
 public:
  static constexpr int64_t kLifetimeSeconds = 15 * 60;
  static constexpr int64_t kBucketSeconds = 5 * 60;
  static constexpr size_t kCallerChars = 16;
  static constexpr size_t kSignatureChars = 32;

  explicit FileSigner(std::string_view workspace_secret);

  // The caller field of `principal`'s URLs.
  std::string CallerTag(std::string_view principal) const;
  // The expiry of URLs issued at `now_seconds`: at least kLifetimeSeconds
  // away, rounded up to a bucket.
  static int64_t ExpiryFor(int64_t now_seconds);

  // "/iceberg/files/<table>/<expires>/<caller>/<signature>/<path>".
  std::string Path(std::string_view table, std::string_view caller, std::string_view path, int64_t expires) const;

  // The URL path `url_path` (as the server received it, decoded) taken
  // apart; InvalidArgument when it is not the shape above, or the path
  // is not a plain relative path (empty parts, ".", "..", a backslash,
  // a NUL, anything but letters, digits and . _ -).
  static Result<SignedFile> Parse(std::string_view url_path);
  // `url_path` with its signature blanked, for logs: a signed URL is a
  // credential until it expires. Other paths are returned as they are.
  static std::string Redacted(std::string_view url_path);
  // PermissionDenied unless the signature is this workspace's for exactly
  // these fields and `now_seconds` is before the expiry.
  Status Verify(const SignedFile& file, int64_t now_seconds) const;

  // A MAC of `text` under the same key (32 hex digits), and whether `mac`
  // is it (in constant time): the catalog's plan ids and plan tasks.
  std::string Mac(std::string_view text) const;
  bool Matches(std::string_view text, std::string_view mac) const;

 private:
  static std::string SignedText(std::string_view table, std::string_view expires, std::string_view caller,
                                std::string_view path);

  std::string key_;  // derived from the workspace secret; used for nothing else
};

}  // namespace weft::service
