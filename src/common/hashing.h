// Content hashes (SHA-256) used for spec digests, input checksums and token
// hashes; HMAC-SHA256; random secrets; base64.
// Thread safety: pure functions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace weft {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view data);

// Lower-case hex SHA-256 of the files' bytes one after another, read in
// 1 MiB pieces (a publish's input checksum). IoError naming an unreadable file.
Result<std::string> Sha256HexOfFiles(const std::vector<std::filesystem::path>& files);

// Lower-case hex HMAC-SHA256 of `value` under `key` (RFC 2104): mask hashes,
// webhook signatures.
std::string HmacSha256Hex(std::string_view key, std::string_view value);

// `bytes` bytes from the system's CSPRNG (OpenSSL RAND_bytes), as lower-case
// hex: secrets and tokens. Empty if the generator fails.
std::string RandomHex(size_t bytes);

// Standard base64 (RFC 4648, with padding): files carried inside JSON.
std::string Base64Encode(std::string_view data);
// Nothing when `text` is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace weft
