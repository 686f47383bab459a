#pragma once
#if !defined(SG_DB_SQLITE_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/sqlite/sqlite_connection.hpp is private to src/db/sqlite and src/db/drivers"
#endif
// Factory of the SQLite driver; the implementation alone includes SQLiteCpp.
#include <memory>

#include "db/connection.hpp"
#include "db/database.hpp"

namespace sg {

std::unique_ptr<Connection> connect_sqlite(const DbUrl& url, const ConnectOptions& opts);

/// Everything else particular to SQLite (db/database.hpp): the entry of the
/// driver table in src/db/drivers/.
const Database& sqlite_database();

}  // namespace sg
