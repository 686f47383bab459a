#pragma once
#if !defined(SG_DB_MYSQL_INTERNAL) && !defined(SG_DRIVERS_INTERNAL)
#error "db/mysql/mysql_connection.hpp is private to src/db/mysql and src/db/drivers"
#endif
// Factory of the MySQL/MariaDB driver; the implementation alone includes
// mysql-connector-cpp.
#include <memory>

#include "db/connection.hpp"
#include "db/database.hpp"

namespace sg {

std::unique_ptr<Connection> connect_mysql(const DbUrl& url, const ConnectOptions& opts);

/// Everything else particular to MySQL/MariaDB (db/database.hpp): the entry of the
/// driver table in src/db/drivers/.
const Database& mysql_database();

}  // namespace sg
