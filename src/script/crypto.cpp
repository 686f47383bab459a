// SHA-256 checksums and random revision ids through OpenSSL.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <random>

#include "script/migration.hpp"

namespace sg {
namespace {

std::string to_hex(const unsigned char* bytes, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw Error(ExitCode::internal, "SHA-256 failed (OpenSSL EVP_Digest)");
    return to_hex(digest, len);
}

std::string generate_rev_id() {
    unsigned char bytes[6];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        // OpenSSL's generator failed to seed (no /dev/urandom in a bare
        // chroot?): fall back to the C++ one rather than refuse to work.
        std::random_device rd;
        for (auto& b : bytes) b = static_cast<unsigned char>(rd());
    }
    return to_hex(bytes, sizeof bytes);
}

}  // namespace sg
