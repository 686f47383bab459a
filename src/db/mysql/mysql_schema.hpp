#pragma once
#if !defined(SG_DB_MYSQL_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/mysql/mysql_schema.hpp is private to src/db/mysql and src/db/drivers"
#endif
// Introspection of this database (docs/schema.md): a few set-based catalogue
// queries, never one per table.
#include <set>
#include <string>

#include "db/connection.hpp"
#include "schema/schema.hpp"

namespace sg {

/// The schema of the connection's current schema/database, without the tables in `exclude`.
schema::Schema inspect_mysql(Connection& conn, const std::set<std::string>& exclude);

}  // namespace sg
