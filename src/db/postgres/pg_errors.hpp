#pragma once
#if !defined(SG_DB_POSTGRES_INTERNAL)
#error "db/postgres/pg_errors.hpp is private to src/db/postgres"
#endif
// PostgreSQL's error classification: what a failed connection means.
#include <string>

#include "db/driver_support.hpp"

namespace sg::driver {

/// Classifies libpq's text for a failed connection (there is no SQLSTATE
/// before a session exists). Unknown texts count as unreachable.
ConnectFailure classify_libpq_failure(const std::string& text);

}  // namespace sg::driver
