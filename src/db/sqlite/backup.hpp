#pragma once
#if !defined(SG_DB_SQLITE_INTERNAL)
#error "db/sqlite/backup.hpp is private to src/db/sqlite"
#endif
// SQLite backups through the online backup API (docs/reference.md §6). Lives with the
// SQLite driver because only drivers include database library headers.
#include <atomic>
#include <string>

namespace sg {

/// Copies the database file `source` to `dest` page by page with the online
/// backup API (other connections may keep writing), then checks the copy with
/// PRAGMA integrity_check. Throws DbError(other) with a one-line message on
/// any failure; throws Error(sigint/sigterm) when `interrupted` becomes
/// non-zero between steps. `dest` is left behind on failure: the caller
/// removes its temporary file.
void sqlite_online_backup(const std::string& source, const std::string& dest,
                          const std::atomic<int>* interrupted = nullptr);

/// "ok", or the problems PRAGMA integrity_check reports for the file.
std::string sqlite_integrity_check(const std::string& path);

}  // namespace sg
