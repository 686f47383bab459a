// libFuzzer: database URL parsing. A bad URL is an Error (exit 2).
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "db/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        sg::parse_url(text);
    } catch (const sg::Error&) {
    }
    return 0;
}
