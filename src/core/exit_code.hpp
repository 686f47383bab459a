#pragma once
// The exit codes of docs/reference.md §5, pinned in one place. Tests refer to these
// names; never write a bare number for an exit code elsewhere.

namespace sg {

enum class ExitCode : int {
    ok = 0,             // at the target (applied now or already)
    internal = 1,       // a bug
    usage = 2,          // usage or configuration error
    invalid = 3,        // invalid migrations directory or unresolvable target
    unreachable = 4,    // database unreachable within the wait timeout
    auth = 5,           // authentication, permission or unknown database
    lock_timeout = 6,   // lock not acquired within the lock timeout
    backup_failed = 7,  // backup failed; nothing was changed
    rolled_back = 8,    // a revision failed and was rolled back
    dirty = 9,          // failed part-way outside a transaction / dirty step recorded
    drift = 10,         // unknown applied revision or checksum mismatch
    pending = 11,       // `check`: revisions pending
    schema_diff = 12,   // `diff`, `baseline`, `run --baseline`: the schemas differ
    lint = 13,          // `lint` / `run --lint error`: a finding not accepted
    sigint = 130,       // interrupted by SIGINT
    sigterm = 143,      // interrupted by SIGTERM
};

/// One-line meaning of an exit code, for the termination message and logs.
inline const char* exit_meaning(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "success";
        case ExitCode::internal:
            return "internal error";
        case ExitCode::usage:
            return "usage or configuration error";
        case ExitCode::invalid:
            return "invalid migrations directory or target";
        case ExitCode::unreachable:
            return "database unreachable";
        case ExitCode::auth:
            return "authentication, permission or unknown-database error";
        case ExitCode::lock_timeout:
            return "lock not acquired (the migration lock, or a table lock after the DDL lock "
                   "retries)";
        case ExitCode::backup_failed:
            return "backup failed; nothing was changed";
        case ExitCode::rolled_back:
            return "revision failed and was rolled back";
        case ExitCode::dirty:
            return "revision failed part-way; manual repair needed";
        case ExitCode::drift:
            return "drift between the database and the migrations";
        case ExitCode::pending:
            return "revisions pending";
        case ExitCode::schema_diff:
            return "the schemas differ";
        case ExitCode::lint:
            return "a revision breaks a lint rule";
        case ExitCode::sigint:
            return "interrupted (SIGINT)";
        case ExitCode::sigterm:
            return "interrupted (SIGTERM)";
    }
    return "unknown";
}

inline int to_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace sg
