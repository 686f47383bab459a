#pragma once
// Pre-migration backups (DESIGN.md §6): pg_dump, mysqldump + zlib, the SQLite
// online backup API; naming, temporary files, verification and retention.
#include <atomic>
#include <ctime>
#include <string>
#include <vector>

#include "db/url.hpp"

namespace sg {

struct BackupOptions {
    std::string dir = "./backups";
    int keep = 0;  // 0: keep all
    std::string pg_dump = "pg_dump";
    std::string pg_restore = "pg_restore";
    std::string mysqldump = "mysqldump";
    const std::atomic<int>* interrupted = nullptr;  // signal number once one arrived
};

struct BackupResult {
    std::string path;  // the final, verified file
    long long bytes = 0;
    long long duration_ms = 0;
    std::vector<std::string> removed;  // old backups deleted by --backup-keep
};

/// Takes a backup of the database of `url` into opts.dir, named
/// `<database>-<from>-<UTC yyyymmddThhmmssZ>.<ext>` (from: the current
/// revision, "base" when none). Written under a temporary name, verified,
/// renamed, mode 0600 in a 0700 directory; then applies opts.keep.
/// Throws Error(backup_failed) with the tool's status and stderr, or
/// Error(sigint/sigterm) when interrupted. Never touches the database's data.
BackupResult take_backup(const DbUrl& url, const std::string& database, const std::string& from,
                         const BackupOptions& opts);

/// The file extension for a dialect: "dump", "sql.gz", "sqlite3".
std::string backup_extension(const DbUrl& url);

/// `<database>-<from>-<yyyymmddThhmmssZ>.<ext>`, with characters outside
/// [A-Za-z0-9_.-] of the database name replaced by '_'.
std::string backup_file_name(const std::string& database, const std::string& from, std::time_t when,
                             const std::string& ext);

/// `from` for a file name: the version-table rows joined by '+', or "base".
std::string backup_from_label(const std::vector<std::string>& heads);

/// Of `names`, schemagate's backups of `database`, oldest first.
std::vector<std::string> own_backups(const std::vector<std::string>& names,
                                     const std::string& database);

/// The newest of schemagate's backups of `database` in `dir` (full path), or "".
std::string newest_backup(const std::string& dir, const std::string& database);

/// Of `names` (file names in the backup directory), those that are
/// schemagate's backups of `database` and fall beyond the newest `keep`,
/// oldest first. Other files are never chosen.
std::vector<std::string> retention_victims(const std::vector<std::string>& names,
                                           const std::string& database, int keep);

}  // namespace sg
