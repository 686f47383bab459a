#pragma once
// Pure configuration helpers of the command line (docs/reference.md §4): durations,
// environment-variable names, the database URL from DATABASE_* variables and
// secret files. No I/O except through the FileReader passed in, so every rule
// is a unit test.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "run/facade.hpp"

namespace sg::cli {

/// The process environment as a map (tests pass their own).
using Env = std::map<std::string, std::string>;

/// Reads a secret file (DATABASE_URL_FILE, DATABASE_PASSWORD_FILE). Throws
/// Error(usage) when the file cannot be read.
using FileReader = std::function<std::string(const std::string& path)>;

/// The real file reader: the whole file, trailing CR/LF trimmed.
std::string read_secret_file(const std::string& path);

/// Reads the environment of this process.
Env process_env();

/// "500ms", "90" (seconds), "90s", "5m", "1h", and sums such as "1m30s".
/// Throws Error(usage) naming `option` on anything else.
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& option = "");

/// "true/1/yes/on" and "false/0/no/off" (any case). Throws Error(usage).
bool parse_bool(const std::string& text, const std::string& option = "");

/// A non-negative integer. Throws Error(usage).
int parse_count(const std::string& text, const std::string& option = "");

/// The environment variable of an option: "wait-timeout" -> "SCHEMAGATE_WAIT_TIMEOUT".
std::string env_name(const std::string& option);

/// The database URL and where it came from.
struct UrlChoice {
    std::string url;                   // empty: none configured (use the default)
    std::string source;                // "--url", "DATABASE_URL", ... for messages
    std::vector<std::string> secrets;  // passwords to register with the logger
};

/// Flag > SCHEMAGATE_URL > DATABASE_URL / DATABASE_URL_FILE > DATABASE_HOST,
/// DATABASE_PORT, DATABASE_USER, DATABASE_PASSWORD(_FILE), DATABASE_NAME,
/// DATABASE_DIALECT. Setting both X and X_FILE is an error (exit 2).
UrlChoice choose_url(const std::optional<std::string>& flag, const Env& env,
                     const FileReader& read_file);

/// Builds the URL from the DATABASE_* parts (user and password percent-encoded).
/// Returns "" when neither DATABASE_HOST nor DATABASE_NAME is set.
std::string url_from_parts(const Env& env, const std::optional<std::string>& password);

}  // namespace sg::cli
