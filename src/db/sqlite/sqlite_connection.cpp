// SQLite driver (SQLiteCpp).
//
// Transactions: begin() issues BEGIN IMMEDIATE, so the write lock is taken at
// once and waits up to the busy timeout instead of failing later on a
// read-to-write upgrade; commit()/rollback() are plain COMMIT/ROLLBACK; SQLite
// runs DDL inside transactions, so a failed revision rolls back completely.
// Locks (docs/run.md step 4): try_lock() takes flock(LOCK_EX|LOCK_NB) on the
// database file itself, so the lock belongs to the file (device and inode)
// and every spelling of it — a symlink, a relative path, `..`, a hard link —
// takes the same one. SQLite locks the file with POSIX (fcntl) locks, which
// are independent of flock on Linux. Closing any descriptor of the file drops
// this process's POSIX locks, so the descriptor is opened once and kept until
// after the SQLite handle is closed (unlock() is LOCK_UN, not close). The
// holder also flocks "<real path of the file>.lock" (so tools that hold that
// file to keep schemagate out keep working) and writes "pid N on HOST since
// TIME" into it for lock_holder(); the file is left in place, since deleting
// it would race with the next runner. The kernel frees both locks when the
// process dies: no stale locks.
// ":memory:" databases are private to the connection: try_lock() is always true.
// cancel() is sqlite3_interrupt(), safe from another thread.
#include "db/sqlite/sqlite_connection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "core/util.hpp"
#include "db/deadline.hpp"
#include "db/driver_support.hpp"

namespace sg {
namespace {

DbError to_db_error(const SQLite::Exception& e) {
    int code = e.getErrorCode();
    DbErrorKind kind = DbErrorKind::statement;
    if (code == SQLITE_INTERRUPT) kind = DbErrorKind::cancelled;
    // Another connection writing past the busy timeout: wait-for-lock, not a bug.
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) kind = DbErrorKind::busy;
    return DbError(kind, driver::clean_message(e.what()), {}, kind == DbErrorKind::busy ? code : 0);
}

class SqliteConnection : public Connection {
  public:
    SqliteConnection(const DbUrl& url, const ConnectOptions& opts)
        : m_path(url.database), m_db(open(url, opts)) {}

    ~SqliteConnection() override {
        if (m_lock_fd >= 0) ::close(m_lock_fd);  // closing the fd releases the flock
        // m_file (the database file's descriptor) closes after m_db: see the top.
    }

    Dialect dialect() const override { return Dialect::sqlite; }

    void execute(const std::string& sql) override {
        try {
            m_db.exec(sql);
        } catch (const SQLite::Exception& e) {
            throw to_db_error(e);
        }
    }

    Rows query(const std::string& sql, const std::vector<Value>& params) override {
        try {
            SQLite::Statement stmt(m_db, sql);
            for (size_t i = 0; i < params.size(); ++i) {
                int index = static_cast<int>(i + 1);
                if (params[i]) {
                    stmt.bind(index, *params[i]);
                } else {
                    stmt.bind(index);
                }
            }
            Rows rows;
            while (stmt.executeStep()) {
                Row row;
                for (int c = 0; c < stmt.getColumnCount(); ++c) {
                    SQLite::Column col = stmt.getColumn(c);
                    row.push_back(col.isNull() ? Value() : Value(col.getString()));
                }
                rows.push_back(std::move(row));
            }
            return rows;
        } catch (const SQLite::Exception& e) {
            throw to_db_error(e);
        }
    }

    void begin() override { execute("BEGIN IMMEDIATE"); }
    void commit() override { execute("COMMIT"); }

    void rollback() override {
        if (sqlite3_get_autocommit(m_db.getHandle()) != 0) return;  // nothing open
        try {
            m_db.exec("ROLLBACK");
        } catch (const SQLite::Exception&) {
            // never throws: the caller is already handling an error
        }
    }

    bool in_transaction() override { return sqlite3_get_autocommit(m_db.getHandle()) == 0; }

    bool try_lock(const std::string& /*name*/) override {
        if (in_memory()) return true;
        if (m_file_locked) return true;  // held by this connection already
        // Only commands that write take the lock: find permission problems
        // now, before a backup and before the first statement.
        check_writable();
        int file = database_fd();
        // O_NOFOLLOW: a symlink planted at <db>.lock must not redirect the
        // truncate and write below to another file.
        int fd = ::open(lock_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            int err = errno;
            DbErrorKind kind = err == EACCES || err == EPERM || err == EROFS || err == ELOOP
                                   ? DbErrorKind::auth
                                   : DbErrorKind::other;
            throw DbError(kind, "cannot open the lock file " + lock_path() + ": " +
                                    std::strerror(err) +
                                    (err == ELOOP ? " (it is a symbolic link)" : "") +
                                    " (it must be writable by this user, beside the database)");
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            return false;
        }
        // The lock that counts: the database file itself (device and inode).
        if (::flock(file, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);  // frees the lock file's flock
            return false;
        }
        m_file_locked = true;
        m_lock_fd = fd;
        write_holder();
        return true;
    }

    void check_writable() override {
        if (in_memory()) return;
        if (sqlite3_db_readonly(m_db.getHandle(), "main") == 1) {
            throw DbError(DbErrorKind::auth, "the SQLite database '" + m_path +
                                                 "' is read-only for this user (check the "
                                                 "file's owner and mode, or the mount)");
        }
        // The journal (or WAL) and the lock file are created beside the file.
        std::string dir = std::filesystem::path(m_path).parent_path().string();
        if (dir.empty()) dir = ".";
        if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
            throw DbError(DbErrorKind::auth,
                          "cannot create files in " + dir +
                              ", the directory of the SQLite database '" + m_path +
                              "' (its journal goes there): " + std::strerror(errno));
        }
    }

    void unlock(const std::string& /*name*/) override {
        if (!m_file_locked) return;
        if (::ftruncate(m_lock_fd, 0) != 0) {
            // harmless: the holder text is only informative
        }
        ::flock(m_file.get(), LOCK_UN);  // never close(): see the top of the file
        m_file_locked = false;
        ::close(m_lock_fd);
        m_lock_fd = -1;
    }

    std::string lock_holder(const std::string& /*name*/) override {
        if (in_memory() || !held_elsewhere()) return {};
        int fd = ::open(lock_path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return {};
        char buf[256] = {};
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }

    // Another process writing the file: SQLite's busy handler waits this long.
    void set_ddl_lock_timeout(std::chrono::milliseconds timeout) override {
        m_db.setBusyTimeout(static_cast<int>(std::max<long long>(0, timeout.count())));
    }

    void cancel() override { sqlite3_interrupt(m_db.getHandle()); }

    std::string database_name() const override {
        if (in_memory()) return "memory";
        return std::filesystem::path(m_path).stem().string();
    }

    std::string current_schema() override { return "main"; }

  private:
    static SQLite::Database open(const DbUrl& url, const ConnectOptions& opts) {
        const std::string& path = url.database;
        try {
            int busy = opts.busy_timeout_ms > 0 ? static_cast<int>(opts.busy_timeout_ms)
                                                : seconds_to_ms(opts.connect_timeout_s);
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, busy);
            // Reading the schema fails now, not mid-migration, on a file that
            // is not a database, or one another process holds locked.
            db.exec("SELECT count(*) FROM sqlite_master");
            return db;
        } catch (const SQLite::Exception& e) {
            throw_open_error(path, e);
        }
    }

    // What a failure to open means: busy is worth waiting for (like a server
    // that is not up yet), a file of another kind is a configuration error,
    // everything else (missing directory, permissions) is exit 5.
    [[noreturn]] static void throw_open_error(const std::string& path, const SQLite::Exception& e) {
        std::string what =
            "cannot open SQLite database '" + path + "': " + driver::clean_message(e.what());
        switch (e.getErrorCode() & 0xff) {
            case SQLITE_BUSY:
            case SQLITE_LOCKED:
                throw DbError(DbErrorKind::unreachable,
                              what + " (another process holds it locked; waiting)");
            case SQLITE_NOTADB:
                throw Error(ExitCode::usage, what,
                            "the URL names a file that is not an SQLite database: check its path");
            default:
                throw DbError(DbErrorKind::auth,
                              what + " (does the directory exist and is it writable?)");
        }
    }

    // The text in the lock file is stale when a holder died: trust it only
    // while somebody really holds the lock on the database file.
    bool held_elsewhere() {
        if (m_file_locked) return false;
        int file;
        try {
            file = database_fd();
        } catch (const DbError&) {
            return false;
        }
        if (::flock(file, LOCK_SH | LOCK_NB) != 0) return true;
        ::flock(file, LOCK_UN);
        return false;
    }

    // The database file's descriptor, opened once (see the top of the file).
    int database_fd() {
        if (m_file.get() >= 0) return m_file.get();
        int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            throw DbError(err == EACCES || err == EPERM ? DbErrorKind::auth : DbErrorKind::other,
                          "cannot open the SQLite database '" + m_path +
                              "' to lock it: " + std::strerror(err));
        }
        m_file.reset(fd);
        return fd;
    }

    bool in_memory() const { return m_path == ":memory:" || m_path.empty(); }
    // Beside the file's real path, so a symlink, a relative path and `..`
    // name one holder file (a hard link elsewhere shows no holder text; the
    // lock itself is still the one on the database file).
    std::string lock_path() const {
        char buf[PATH_MAX];
        if (::realpath(m_path.c_str(), buf)) return std::string(buf) + ".lock";
        return m_path + ".lock";
    }

    void write_holder() {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        std::string text =
            "pid " + std::to_string(::getpid()) + " on " + host + " since " + utc_now() + "\n";
        if (::ftruncate(m_lock_fd, 0) != 0 ||
            ::pwrite(m_lock_fd, text.data(), text.size(), 0) < 0) {
            // harmless: the holder text is only informative
        }
    }

    // A descriptor closed on destruction.
    class FileDescriptor {
      public:
        FileDescriptor() = default;
        ~FileDescriptor() { reset(-1); }
        FileDescriptor(const FileDescriptor&) = delete;
        FileDescriptor& operator=(const FileDescriptor&) = delete;
        int get() const { return m_fd; }
        void reset(int fd) {
            if (m_fd >= 0) ::close(m_fd);
            m_fd = fd;
        }

      private:
        int m_fd = -1;
    };

    std::string m_path;
    FileDescriptor m_file;  // declared before m_db: closed after it
    SQLite::Database m_db;
    int m_lock_fd = -1;  // "<real path>.lock"
    bool m_file_locked = false;
};

}  // namespace

std::unique_ptr<Connection> connect_sqlite(const DbUrl& url, const ConnectOptions& opts) {
    return std::make_unique<SqliteConnection>(url, opts);
}

}  // namespace sg
