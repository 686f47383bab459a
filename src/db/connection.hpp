#pragma once
// The driver interface: dumb on purpose (docs/architecture.md). Ordering, drift, history
// bookkeeping and backups live above it. Drivers alone include DB headers.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "core/error.hpp"
#include "db/url.hpp"

namespace sg {

/// How a database error should be treated by callers.
enum class DbErrorKind {
    unreachable,  // refused, unreachable, DNS, starting up: retry may help (wait loop)
    auth,         // authentication failed, unknown database, permission denied: exit 5
    statement,    // a statement failed (syntax, constraint, ...)
    cancelled,    // the statement was cancelled (signal)
    lost,         // connection lost mid-session
    busy,         // another session holds a lock the statement needs (SQLite "database is
                  // locked", PostgreSQL 55P03, MySQL 1205): exit 6 like the migration lock
    other,
};

/// "unreachable", "auth", ... (for logs and tests).
const char* db_error_kind_name(DbErrorKind kind);

/// A database error, keeping the server's code. Its exit code: unreachable or
/// lost -> 4; auth, SQLSTATE 42501, MySQL 1044/1045/1142 -> 5; busy, 55P03,
/// MySQL 1205 -> 6; anything else 1 (the migrator turns a failing revision's
/// statement error into its own 8 or 9).
class DbError : public Error {
  public:
    DbError(DbErrorKind kind, const std::string& message, std::string sqlstate = {},
            int native_code = 0);
    DbErrorKind kind() const { return m_kind; }
    bool retryable() const { return m_kind == DbErrorKind::unreachable; }
    const std::string& sqlstate() const {
        return m_sqlstate;
    }                                             // PostgreSQL SQLSTATE / MySQL SQLSTATE
    int native_code() const { return m_native; }  // MySQL error number (0 if none)
    /// "ERROR 42P01: relation ... does not exist" style text with the code.
    std::string describe() const;

  private:
    DbErrorKind m_kind;
    std::string m_sqlstate;
    int m_native;
};

/// Parameters and results of internal queries. NULL is nullopt; everything
/// else travels as text (numbers too).
using Value = std::optional<std::string>;
using Row = std::vector<Value>;
using Rows = std::vector<Row>;

/// A session holding a lock another statement waited for
/// (docs/zero-downtime.md, "DDL lock timeout").
struct LockBlocker {
    std::string id;                    // PostgreSQL pid, MySQL processlist id
    std::string user;                  //
    std::string application;           // PostgreSQL application_name
    std::string client;                // client address (MySQL: host:port)
    long long transaction_age_s = -1;  // how long its transaction is open; -1: unknown
    std::string state;                 // PostgreSQL state, MySQL command
    std::string query;                 // its current or last query, cut to 200 characters
};

class Connection {
  public:
    virtual ~Connection() = default;
    virtual Dialect dialect() const = 0;
    /// Runs one migration statement as written (no parameters). Throws DbError.
    virtual void execute(const std::string& sql) = 0;
    /// Runs one internal statement with `?` placeholders bound to `params`;
    /// returns the result rows (empty for statements without results).
    virtual Rows query(const std::string& sql, const std::vector<Value>& params = {}) = 0;
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;  // never throws
    /// Whether a transaction opened by begin() is still open. The run layer
    /// asks after a transactional revision's statements: a statement that
    /// ended the transaction itself (COMMIT, ROLLBACK, ...) leaves the
    /// revision half applied, which must be reported as dirty (exit 9).
    /// SQLite: sqlite3_get_autocommit; PostgreSQL: a SAVEPOINT probe;
    /// MySQL/MariaDB: @@in_transaction.
    virtual bool in_transaction() = 0;
    /// Non-blocking try-lock tied to this session/process (PostgreSQL
    /// pg_try_advisory_lock, MySQL GET_LOCK(name,0), SQLite flock).
    virtual bool try_lock(const std::string& name) = 0;
    virtual void unlock(const std::string& name) = 0;
    /// Who holds the lock, where the database can tell ("" otherwise).
    virtual std::string lock_holder(const std::string& name) = 0;
    /// Cheap probe that this session can write, for commands that change the
    /// database, before a backup is taken. Throws DbError(auth) naming the
    /// problem (SQLite: a read-only file, or a directory where the journal
    /// cannot be created). Server databases report permissions per
    /// statement; their probe does nothing.
    virtual void check_writable() {}
    /// Bounds how long one statement waits for a table (or row) lock
    /// (--ddl-lock-timeout): PostgreSQL `SET LOCAL lock_timeout` inside a
    /// transaction, `SET lock_timeout` for the session outside one; MySQL
    /// the session's lock_wait_timeout and innodb_lock_wait_timeout (whole
    /// seconds); SQLite the busy timeout. Such a wait then fails with
    /// DbErrorKind::busy.
    virtual void set_ddl_lock_timeout(std::chrono::milliseconds /*timeout*/) {}
    /// After a statement naming `names` (lower-case words of the statement)
    /// timed out waiting for a lock: the other sessions holding a lock it
    /// needed, oldest transaction first; empty when the database cannot tell.
    virtual std::vector<LockBlocker> lock_blockers(const std::vector<std::string>& /*names*/) {
        return {};
    }
    /// PostgreSQL: whether the index `name` (found through the search path) is
    /// valid; nullopt when there is none (and on other databases).
    virtual std::optional<bool> index_valid(const std::string& /*name*/) { return std::nullopt; }
    /// PostgreSQL: DROP INDEX CONCURRENTLY IF EXISTS `name`.
    virtual void drop_index(const std::string& /*name*/) {}
    /// Cancels the statement running now. Safe to call from another thread.
    virtual void cancel() = 0;
    /// The database name (for backups and lock keys); SQLite: the file stem.
    virtual std::string database_name() const = 0;
    /// The current schema (PostgreSQL), database (MySQL) or "main" (SQLite).
    virtual std::string current_schema() = 0;
};

struct ConnectOptions {
    int connect_timeout_s = 10;
    long long busy_timeout_ms = 0;  // SQLite's busy timeout; 0: the connect timeout
};

/// Opens a connection for the URL's dialect, chosen from an explicit table
/// (not self-registration). Throws DbError (kind unreachable/auth/other);
/// throws Error(usage) when the driver rejects an option of the URL (e.g. an
/// unknown libpq query parameter). Messages carry the masked URL only.
std::unique_ptr<Connection> connect(const DbUrl& url, const ConnectOptions& opts = {});

}  // namespace sg
