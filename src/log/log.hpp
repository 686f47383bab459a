#pragma once
// Logging facade over spdlog (docs/reference.md §7): text for people, or one JSON
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

/// Secrets at least this long are also masked wherever they appear as a
/// substring. Shorter ones ("postgres", "x") would mangle ordinary words and
/// the mask itself would show where the letters are: they are masked only
/// where they stand (see mask_passwords).
constexpr size_t kMinSubstringSecret = 12;

/// Registers a secret (a password) that must never be printed.
void add_secret(const std::string& secret);
/// Masks passwords where they stand: the user info of URLs
/// (scheme://user:****@host, up to the last '@' of the URL, as the URL parser
/// reads it) and `password=value` pairs (libpq keyword/value strings, option
/// files, PGPASSWORD=...), quoted or not.
std::string mask_passwords(const std::string& text);
/// mask_passwords(), and registered secrets of kMinSubstringSecret or more
/// characters wherever they appear.
std::string redact(const std::string& text);

void debug(const std::string& msg, const Fields& fields = {});
void info(const std::string& msg, const Fields& fields = {});
void warn(const std::string& msg, const Fields& fields = {});
void error(const std::string& msg, const Fields& fields = {});

/// One line as the logger writes it (redaction aside): JSON, or text with
/// control characters and invalid UTF-8 escaped so one event is one line.
std::string render_line(Level level, const std::string& msg, const Fields& fields, Format format);

/// Escapes a string for inclusion in JSON (without the quotes); bytes that
/// are not valid UTF-8 become \ufffd.
std::string json_escape(const std::string& s);

}  // namespace sg::log
