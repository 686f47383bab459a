#pragma once
#if !defined(SG_DB_POSTGRES_INTERNAL)
#error "db/postgres/pg_dump.hpp is private to src/db/postgres"
#endif
// PostgreSQL backups: pg_dump --format=custom, verified with pg_restore --list.
#include <map>
#include <string>

#include "db/database.hpp"

namespace sg {

/// PG* variables for the child: host, port, user, password, database and the
/// URL's libpq query options (sslmode, ...).
std::map<std::string, std::string> postgres_child_env(const DbUrl& url);

/// Writes and verifies the backup into `temp_path` (Database::dump).
void dump_postgres(const DbUrl& url, const std::string& temp_path, const DumpOptions& opts);

}  // namespace sg
