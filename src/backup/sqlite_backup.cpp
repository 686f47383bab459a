// SQLite: the online backup API (src/db/sqlite/backup.cpp) into the temporary file.
#include "backup/tools.hpp"
#include "core/error.hpp"
#include "db/connection.hpp"
#include "db/sqlite/backup.hpp"

namespace sg::backup {

void dump_sqlite(const DbUrl& url, const std::string& temp_path, const BackupOptions& opts) {
    try {
        sqlite_online_backup(url.database, temp_path, opts.interrupted);
    } catch (const DbError& e) {
        throw Error(ExitCode::backup_failed, e.what(), "check --backup-dir and the free space");
    }
}

}  // namespace sg::backup
