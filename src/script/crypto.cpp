// SHA-256 checksums and random revision ids through OpenSSL.
// The direct SHA-256 functions are deprecated in OpenSSL 3 (see sha256_hex).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>
#include <openssl/sha.h>

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

// SHA-256 through OpenSSL's direct digest functions. Every no-op run
// checksums the applied files; OpenSSL 3's EVP interface would initialise
// its providers and read openssl.cnf for that (measured: about 2 MiB of peak
// RSS and a file read at every start, which the init container pays on
// each pod start). SHA256_Init/Update/Final call the same implementation
// (SHA-NI / assembly) directly, without the provider layer. OpenSSL 3 marks
// them deprecated but keeps them for the 3.x series; if a later OpenSSL drops
// them, EVP_Digest with EVP_sha256() is the drop-in replacement.
std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_CTX ctx;
    if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
        SHA256_Final(digest, &ctx) != 1)
        throw Error(ExitCode::internal, "SHA-256 failed (OpenSSL SHA256_Final)");
    return to_hex(digest, sizeof digest);
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
