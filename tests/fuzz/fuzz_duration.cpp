// libFuzzer: durations ("500ms", "90", "1m30s"), counts and booleans of the
// command line. A bad value is an Error (exit 2); a duration is never
// negative.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/config.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        if (sg::cli::parse_duration(text, "fuzz").count() < 0) std::abort();
    } catch (const sg::Error&) {
    }
    try {
        if (sg::cli::parse_count(text, "fuzz") < 0) std::abort();
    } catch (const sg::Error&) {
    }
    try {
        sg::cli::parse_bool(text, "fuzz");
    } catch (const sg::Error&) {
    }
    return 0;
}
