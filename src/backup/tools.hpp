#pragma once
// Internal to the backup module: one function per dump tool. Each writes the
// backup of the URL's database into `temp_path` (an existing, empty 0600
// file) and verifies it; throws Error(backup_failed) otherwise.
#include <map>
#include <string>

#include "backup/backup.hpp"

namespace sg::backup {

void dump_postgres(const DbUrl& url, const std::string& temp_path, const BackupOptions& opts);
void dump_mysql(const DbUrl& url, const std::string& temp_path, const BackupOptions& opts);
void dump_sqlite(const DbUrl& url, const std::string& temp_path, const BackupOptions& opts);

/// PG* variables for the child: host, port, user, password, database and the
/// URL's libpq query options (sslmode, ...).
std::map<std::string, std::string> postgres_child_env(const DbUrl& url);

/// The [client] option file for mysqldump (contains the password: written 0600).
std::string mysql_defaults_file(const DbUrl& url);

/// "pg_dump failed (exit status 1): <stderr>", stderr redacted.
std::string tool_failure(const std::string& tool, const std::string& status,
                         const std::string& stderr_text);

}  // namespace sg::backup
