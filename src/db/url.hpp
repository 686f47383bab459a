#pragma once
// Database URLs (docs/reference.md §4): parsing, SQLAlchemy suffixes, masking.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/dialect.hpp"

namespace sg {

struct DbUrl {
    Dialect dialect = Dialect::sqlite;
    std::string original;  // as given (contains the password: never log it)
    std::string user;      // percent-decoded
    std::string password;  // percent-decoded
    std::string host;      // without [] for IPv6
    int port = 0;          // 0: driver default
    std::string database;  // the database name; SQLite: the file path or ":memory:"
    std::map<std::string, std::string> query;  // ?key=value options, decoded
    /// The URL with the password and every option named *password* replaced
    /// by "****", safe for logs and output. Built from the parsed pieces, so
    /// the password's characters do not matter; a URL that does not parse is
    /// its scheme and host only.
    std::string masked() const;
    /// The password and the values of options named *password* (non-empty).
    std::vector<std::string> secrets() const;
    /// PostgreSQL: libpq keyword/value pairs built from the parsed parts
    /// (host, port, user, password, dbname, then the ?query options, which
    /// win), never from the original text: libpq would split a raw '@' in a
    /// password at the first '@', this parser at the last.
    std::vector<std::pair<std::string, std::string>> libpq_params() const;
};

/// Parses every form of docs/reference.md §4; throws Error(usage) with a one-line
/// message (never containing the password) on a bad URL.
DbUrl parse_url(const std::string& url);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(const std::string& text);

}  // namespace sg
