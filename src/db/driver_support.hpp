#pragma once
// Helpers shared by the drivers (no database library headers here).
#include <cstdint>
#include <string>

namespace sg::driver {

/// One line for an error message: white space runs (libpq's newlines and
/// tabs) collapsed, URL passwords masked, and `password` itself (when at least
/// 4 characters, so short ones do not mangle the text) replaced by ****.
std::string clean_message(const std::string& text, const std::string& password = {});

/// FNV-1a 64-bit: stable lock keys from names (same on every machine).
std::uint64_t fnv1a64(const std::string& s);

/// Rewrites `?` placeholders as `$1..$n` (PostgreSQL), leaving quoted text alone.
std::string dollar_placeholders(const std::string& sql);

/// True when `text` contains `needle`, ignoring ASCII case.
bool contains_nocase(const std::string& text, const std::string& needle);

}  // namespace sg::driver
