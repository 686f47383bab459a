#pragma once
#if !defined(SG_DB_MYSQL_INTERNAL)
#error "db/mysql/mysqldump.hpp is private to src/db/mysql"
#endif
// MySQL/MariaDB backups: mysqldump, compressed through zlib into .sql.gz.
#include <string>

#include "db/database.hpp"

namespace sg {

/// The [client] option file for mysqldump (contains the password: written 0600).
std::string mysql_defaults_file(const DbUrl& url);

/// Writes and verifies the backup into `temp_path` (Database::dump).
void dump_mysql(const DbUrl& url, const std::string& temp_path, const DumpOptions& opts);

}  // namespace sg
