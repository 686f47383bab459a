#pragma once
// Helpers shared by the drivers (no database library headers here).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.hpp"  // fnv1a64: the drivers' lock keys

namespace sg::driver {

/// One line for an error message: white space runs (libpq's newlines and
/// tabs) collapsed, passwords masked where they stand (log::mask_passwords),
/// and `password` itself replaced by **** anywhere when it is at least
/// log::kMinSubstringSecret characters (short ones would mangle the text).
std::string clean_message(const std::string& text, const std::string& password = {});

/// A libpq keyword/value connection string: every value single-quoted with
/// '\\' and '\'' escaped, so spaces, quotes and '@' pass unchanged.
std::string libpq_conninfo(const std::vector<std::pair<std::string, std::string>>& params);

/// Rewrites `?` placeholders as `$1..$n` (PostgreSQL), leaving quoted text alone.
std::string dollar_placeholders(const std::string& sql);

/// Replaces the n-th `?` placeholder outside quotes with `literals[n]`
/// (already quoted and escaped by the caller); missing ones stay `?`.
std::string inline_placeholders(const std::string& sql, const std::vector<std::string>& literals);

/// What a failure to open a session means for the caller.
enum class ConnectFailure {
    unreachable,  // refused, DNS, timeout, starting up, too many clients: waiting may help
    auth,         // credentials, unknown database or role, permission, TLS: waiting will not
    usage,        // the driver rejected an option of the URL: a configuration error
};

// Each database classifies its own failures: classify_libpq_failure
// (db/postgres/pg_errors.hpp), classify_mysql_failure (db/mysql/mysql_errors.hpp).

/// True when `text` contains `needle`, ignoring ASCII case.
bool contains_nocase(const std::string& text, const std::string& needle);

}  // namespace sg::driver
