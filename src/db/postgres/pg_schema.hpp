#pragma once
#if !defined(SG_DB_POSTGRES_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/postgres/pg_schema.hpp is private to src/db/postgres and src/db/drivers"
#endif
// Introspection of this database (docs/schema.md): a few set-based catalogue
// queries, never one per table.
#include <set>
#include <string>

#include "db/connection.hpp"
#include "schema/schema.hpp"

namespace sg {

/// The schema of the connection's current schema/database, without the tables in `exclude`.
schema::Schema inspect_postgres(Connection& conn, const std::set<std::string>& exclude);

}  // namespace sg
