// PostgreSQL's error classification (pg_errors.hpp).
#include "db/postgres/pg_errors.hpp"

#include <initializer_list>

namespace sg::driver {
namespace {

bool any_of_texts(const std::string& text, std::initializer_list<const char*> needles) {
    for (const char* n : needles) {
        if (contains_nocase(text, n)) return true;
    }
    return false;
}

}  // namespace

ConnectFailure classify_libpq_failure(const std::string& text) {
    if (any_of_texts(text, {"invalid uri", "invalid connection option", "invalid sslmode",
                            "invalid integer value", "invalid port", "invalid value",
                            "invalid percent-encoded", "unexpected spaces"})) {
        return ConnectFailure::usage;
    }
    if (any_of_texts(text,
                     {"password authentication failed", "no pg_hba.conf entry", "does not exist",
                      "permission denied", "authentication failed", "no password supplied",
                      "not permitted to log in", "too many connections for role",
                      "does not support ssl", "ssl error", "certificate", "sslmode value"})) {
        return ConnectFailure::auth;
    }
    // Refused, DNS, timeout, "starting up" / "shutting down" / "in recovery",
    // "too many clients already", and whatever else: waiting may help.
    return ConnectFailure::unreachable;
}

}  // namespace sg::driver
