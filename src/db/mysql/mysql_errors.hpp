#pragma once
#if !defined(SG_DB_MYSQL_INTERNAL)
#error "db/mysql/mysql_errors.hpp is private to src/db/mysql"
#endif
// MySQL/MariaDB's error classification: what a failed connection means.
#include "db/driver_support.hpp"

namespace sg::driver {

/// Classifies a MySQL/MariaDB client or server error number at connect time.
ConnectFailure classify_mysql_failure(int code);

}  // namespace sg::driver
