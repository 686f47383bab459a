#pragma once
#if !defined(SG_DB_POSTGRES_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/postgres/pg_connection.hpp is private to src/db/postgres and src/db/drivers"
#endif
// Factory of the PostgreSQL driver; the implementation alone includes libpqxx.
#include <memory>

#include "db/connection.hpp"
#include "db/database.hpp"

namespace sg {

std::unique_ptr<Connection> connect_postgres(const DbUrl& url, const ConnectOptions& opts);

/// Everything else particular to PostgreSQL (db/database.hpp): the entry of the
/// driver table in src/db/drivers/.
const Database& postgres_database();

}  // namespace sg
