#pragma once
// Logging facade over spdlog (DESIGN.md §7): text for people, or one JSON
// object per line. Every line passes through redact(): registered secrets
// and URL passwords never reach the output.
#include <string>
#include <vector>

namespace sg::log {

enum class Format { text, json };
enum class Level { debug, info, warn, error, off };

/// A structured field: `revision`, `duration_ms`, `attempt`, ...
struct Field {
    Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
    Field(std::string k, const char* v) : key(std::move(k)), value(v) {}
    Field(std::string k, long long v) : key(std::move(k)), value(std::to_string(v)), number(true) {}
    Field(std::string k, int v) : key(std::move(k)), value(std::to_string(v)), number(true) {}
    std::string key;
    std::string value;
    bool number = false;
};
using Fields = std::vector<Field>;

/// Sets format and level; safe to call again (tests).
void init(Format format, Level level);
/// Parses "debug|info|warn|warning|error|off"; returns false if unknown.
bool parse_level(const std::string& s, Level& out);

/// Registers a secret (a password) that must never be printed.
void add_secret(const std::string& secret);
/// Replaces registered secrets and URL passwords in `text` by ****.
std::string redact(const std::string& text);

void debug(const std::string& msg, const Fields& fields = {});
void info(const std::string& msg, const Fields& fields = {});
void warn(const std::string& msg, const Fields& fields = {});
void error(const std::string& msg, const Fields& fields = {});

/// Escapes a string for inclusion in JSON (without the quotes).
std::string json_escape(const std::string& s);

}  // namespace sg::log
