#pragma once
// Database URLs (DESIGN.md §4): parsing, SQLAlchemy suffixes, masking.
#include <map>
#include <string>

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
    /// The URL with the password replaced by "****", safe for logs.
    std::string masked() const;
    /// PostgreSQL: the URL libpq gets (scheme postgresql://, suffix stripped).
    std::string libpq_uri() const;
};

/// Parses every form of DESIGN.md §4; throws Error(usage) with a one-line
/// message (never containing the password) on a bad URL.
DbUrl parse_url(const std::string& url);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(const std::string& text);

/// Replaces a password inside any URL-looking text by ****.
std::string mask_urls(const std::string& text);

}  // namespace sg
