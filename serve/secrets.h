// libsodium behind one adapter: Argon2id password hashes (crypto_pwhash_str, the "$argon2id$"
// string with its own salt and costs), random tokens for sessions and CSRF, and a comparison in
// constant time. No other file of the project includes <sodium.h>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipeline/result.h"

namespace intake::serve {

// The Argon2id hash of `password` (libsodium's interactive limits: 64 MiB, 2 passes).
Result<std::string> HashPassword(std::string_view password);

// Whether `password` matches `hash` (a string from HashPassword). False for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// `bytes` random bytes as lowercase hex (2 * bytes characters), from the system's CSPRNG.
std::string RandomToken(std::size_t bytes = 32);

// a == b without a timing side channel on where they differ (lengths may leak).
bool SameSecret(std::string_view a, std::string_view b);

// Standard base64 (with padding, as HTTP Basic credentials are), or nullopt.
std::optional<std::string> DecodeBase64(std::string_view text);

// A keyed hash of `text` (BLAKE2b with a key made at start-up), hex: what the server keeps of a
// verified password to spare an Argon2id verification on every API request.
std::string KeyedDigest(std::string_view text);

}  // namespace intake::serve
