#pragma once
// Hashes every layer uses, kept in core (standard library only). SHA-256 of
// migration files stays in src/script (crypto.cpp): it calls OpenSSL, and
// core links nothing.
#include <cstdint>
#include <string_view>

namespace sg {

/// FNV-1a 64-bit: stable keys from names, the same on every machine and in
/// every release (advisory lock keys, lock names, backup file names hash
/// with it; changing it changes them).
inline std::uint64_t fnv1a64(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace sg
