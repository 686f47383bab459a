#pragma once
// Resolved configuration (flags > SCHEMAGATE_* env > defaults), filled by the
// CLI layer and read by the commands and the run flow.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "db/url.hpp"
#include "engine/state.hpp"
#include "script/lint.hpp"

namespace sg {

enum class BackupMode { auto_, always, never };

inline constexpr const char* kDefaultUrl = "sqlite:///./schemagate.db";

struct Settings {
    /// DATABASE_URL et al., parsed once by the CLI; nothing below re-parses it.
    DbUrl db = parse_url(kDefaultUrl);
    bool url_given = false;  // from a flag or env, not the default
    std::string migrations = "./migrations";
    TableNames tables;
    std::optional<Dialect> dialect;  // --dialect for offline --sql
    std::string log_format = "text";
    std::string log_level = "info";

    // run
    std::string target = "head";
    std::chrono::milliseconds wait_timeout{60000};
    std::chrono::milliseconds lock_timeout{300000};
    std::chrono::milliseconds connect_timeout{10000};
    bool allow_unknown = false;
    bool allow_drift = false;
    bool allow_empty = false;  // an empty migrations directory is not exit 3
    bool atomic = false;
    BackupMode backup = BackupMode::auto_;
    std::string backup_dir = "./backups";
    int backup_keep = 0;              // 0: keep all
    std::string pg_dump = "pg_dump";  // paths of the dump tools
    std::string pg_restore = "pg_restore";
    std::string mysqldump = "mysqldump";
    std::string termination_log;  // "" : /dev/termination-log when writable
    std::string report;           // --report FILE
    std::string applied_by;       // host or pod name ("": the host name)
    std::string tool_version;     // for the history table and the report (set by the CLI)
    /// --lint: lint the pending revisions before the lock (docs/zero-downtime.md).
    LintMode lint = LintMode::warn;
    /// DDL lock timeout (docs/zero-downtime.md): one statement's wait for a
    /// table lock, and the retries after it (never past lock_timeout).
    std::chrono::milliseconds ddl_lock_timeout{5000};
    int ddl_lock_retries = 10;
};

/// The dialect whose SQL the revisions are read in: --dialect for the
/// commands that connect to no database (offline --sql, the directory's),
/// the URL's for those that do.
inline Dialect script_dialect(const Settings& s, bool offline) {
    return offline ? s.dialect.value_or(s.db.dialect) : s.db.dialect;
}

}  // namespace sg
