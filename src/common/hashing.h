// Content hashes (SHA-256) used for spec digests, input checksums and token hashes.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace weft {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view data);

// `bytes` bytes from the system's CSPRNG (OpenSSL RAND_bytes), as lower-case
// hex: secrets and tokens. Empty if the generator fails.
std::string RandomHex(size_t bytes);

}  // namespace weft
