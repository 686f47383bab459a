#pragma once
#if !defined(SG_DB_SQLITE_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/sqlite/sqlite_schema.hpp is private to src/db/sqlite and src/db/drivers"
#endif
// SQLite introspection: sqlite_master and the table-valued PRAGMA functions,
// one query per catalogue (docs/schema.md).
#include <set>
#include <string>

#include "db/connection.hpp"
#include "schema/schema.hpp"

namespace sg {

/// The schema of the connection's main database, without the tables in `exclude`.
schema::Schema inspect_sqlite(Connection& conn, const std::set<std::string>& exclude);

}  // namespace sg
