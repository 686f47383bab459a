#pragma once
// Pre-migration backups (docs/reference.md §6): pg_dump, mysqldump + zlib, the SQLite
// online backup API; naming, temporary files, verification and retention.
#include <atomic>
#include <ctime>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/url.hpp"

namespace sg {

/// The dump tools' paths and the interrupt flag (DumpOptions), and where
/// backups go.
struct BackupOptions : DumpOptions {
    std::string dir = "./backups";
    int keep = 0;  // 0: keep all
};

struct BackupResult {
    std::string path;  // the final, verified file
    long long bytes = 0;
    long long duration_ms = 0;
    std::vector<std::string> removed;  // old backups deleted by --backup-keep
    std::vector<std::string> from;     // every head it was taken at (the name may
                                       // show only the first: backup_from_part)
};

/// Takes a backup of the database of `url` into opts.dir, named
/// `<database>-<id>-<from>-<UTC yyyymmddThhmmssZ>.<ext>` (id: backup_id(url);
/// from: the current revision, "base" when none). Written under a temporary
/// name (`.<name>.partial`, flock-ed while written; stale ones of this
/// database left by a killed run are removed first), verified, renamed, mode
/// 0600 in a 0700 directory; then applies opts.keep to this database's
/// backups only. Throws Error(backup_failed) with the tool's status and
/// stderr, or Error(sigint/sigterm) when interrupted. Never touches the
/// database's data.
BackupResult take_backup(const DbUrl& url, const std::string& database, const std::string& from,
                         const BackupOptions& opts);

/// The file extension for a dialect: "dump", "sql.gz", "sqlite3".
std::string backup_extension(const DbUrl& url);

/// 8 hex digits identifying the database itself (dialect, host, port and
/// database name; SQLite: the absolute path), so two databases with the same
/// name sharing a backup directory never count each other's backups.
std::string backup_id(const DbUrl& url);

/// The longest database part and `from` part of a backup name: with the id,
/// the time stamp, the extension and the `.<name>.partial-journal` of a
/// temporary SQLite file, a name stays far below NAME_MAX (255 bytes).
constexpr size_t kMaxNamePart = 64;

/// `<database>-<id>`: the start of every backup name of this database (the
/// database part cut at kMaxNamePart characters).
std::string backup_stem(const DbUrl& url, const std::string& database);

/// `from` as a file name shows it: "base" when empty; as it is up to
/// kMaxNamePart characters; longer (many heads) `<first id>+<N>heads_<8 hex
/// digits of a hash of the whole list>`.
std::string backup_from_part(const std::string& from);

/// `<stem>-<from part>-<yyyymmddThhmmssZ>.<ext>`, with characters outside
/// [A-Za-z0-9_.-] of the stem replaced by '_'.
std::string backup_file_name(const std::string& stem, const std::string& from, std::time_t when,
                             const std::string& ext);

/// `from` for a file name: the version-table rows joined by '+', or "base".
std::string backup_from_label(const std::vector<std::string>& heads);

/// Of `names`, schemagate's backups named with `stem`, oldest first.
std::vector<std::string> own_backups(const std::vector<std::string>& names,
                                     const std::string& stem);

/// The newest of schemagate's backups of the database of `url` in `dir`
/// (full path), or "".
std::string newest_backup(const std::string& dir, const DbUrl& url, const std::string& database);

/// Of `names` (file names in the backup directory), those that are
/// schemagate's backups named with `stem` and fall beyond the newest `keep`,
/// oldest first. Other files are never chosen.
std::vector<std::string> retention_victims(const std::vector<std::string>& names,
                                           const std::string& stem, int keep);

}  // namespace sg
