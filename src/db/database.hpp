#pragma once
// What is particular to one database beyond its session (docs/architecture.md,
// "One folder per database"): one object per database, defined in
// src/db/<name>/ and handed out by database(Dialect) from the explicit table
// in src/db/drivers/. The engine, backups, the run layer and the CLI ask this
// object instead of branching on the dialect.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "db/connection.hpp"
#include "db/url.hpp"

namespace sg {

/// A table name split into its optional schema and the bare name.
struct QualifiedName {
    std::string schema;  // "" when unqualified
    std::string name;
};

/// What a dump tool needs besides the URL: the tools' paths (--pg-dump,
/// --pg-restore, --mysqldump) and the signal flag that stops it.
struct DumpOptions {
    std::string pg_dump = "pg_dump";
    std::string pg_restore = "pg_restore";
    std::string mysqldump = "mysqldump";
    const std::atomic<int>* interrupted = nullptr;  // signal number once one arrived
};

/// The column types of the history table that differ between databases.
struct HistoryColumnTypes {
    const char* id;         // the auto-increment primary key column, with its name
    const char* boolean;    // success, dirty
    const char* timestamp;  // started_at, finished_at
};

class Database {
  public:
    virtual ~Database() = default;
    virtual Dialect dialect() const = 0;

    /// Opens a session (the driver of this folder). Throws as sg::connect.
    virtual std::unique_ptr<Connection> connect(const DbUrl& url,
                                                const ConnectOptions& opts) const = 0;

    // --- Identifiers and literals -------------------------------------------
    /// The identifier quote character: '"', MySQL/MariaDB '`'.
    virtual char identifier_quote() const { return '"'; }
    /// Whether a token starting with `open` is a quoted identifier ('`' on
    /// every database, '"' except MySQL/MariaDB, '[' on SQLite).
    virtual bool quotes_identifier_with(char open) const { return open == '"' || open == '`'; }
    /// `ident` quoted, keeping its case; a quote character inside is doubled.
    std::string quote_identifier(const std::string& ident) const;
    /// A string literal for an offline script ('' for '; MySQL also doubles '\').
    virtual std::string quote_literal(const std::string& s) const;
    /// Whether '#' starts a comment to the end of the line (MySQL/MariaDB).
    virtual bool hash_comments() const { return false; }

    // --- The state tables (version and history) -----------------------------
    /// Whether --version-table / --history-table may be `schema.table`.
    virtual bool schema_qualified_tables() const { return false; }
    /// Whether schemagate's own statements qualify an unqualified table name
    /// with the session's schema or database (not SQLite: one file).
    virtual bool qualifies_with_session_schema() const { return true; }
    virtual HistoryColumnTypes history_column_types() const = 0;
    /// Which of the two tables exist, in one query: the bare names found.
    /// `home`: the session's schema/database ("" for the current one).
    virtual std::vector<std::string> find_tables(Connection& conn, const QualifiedName& version,
                                                 const QualifiedName& history,
                                                 const std::string& home) const = 0;
    /// Whether `schema` exists (asked only where schema_qualified_tables()).
    virtual bool schema_exists(Connection& /*conn*/, const std::string& /*schema*/) const {
        return true;
    }
    /// Appended to the history INSERT to return the new id (" RETURNING id"),
    /// or "" when last_insert_id_sql() is asked afterwards.
    virtual std::string insert_returning_id() const { return ""; }
    virtual std::string last_insert_id_sql() const { return ""; }

    // --- Transactions ---------------------------------------------------------
    /// Whether DDL runs inside a transaction (false: MySQL/MariaDB commit it
    /// implicitly, so no revision is transactional and --atomic is refused).
    virtual bool transactional_ddl() const { return true; }

    // --- Offline --sql scripts -------------------------------------------------
    /// Lines before the first statement (the client encoding), "" for none.
    virtual std::string offline_preamble() const { return ""; }
    /// One migration statement as the database's command-line client takes
    /// it, ending with '\n'.
    virtual std::string offline_statement(const std::string& sql) const;

    // --- Locks ------------------------------------------------------------------
    /// Bounds a fresh session's wait for row locks to about 10 s ("": none).
    virtual std::string bounded_lock_wait_sql() const { return ""; }
    /// Whether `CREATE INDEX CONCURRENTLY` exists (PostgreSQL).
    virtual bool concurrent_indexes() const { return false; }

    // --- Backups ----------------------------------------------------------------
    /// The server's port when the URL names none; 0 without a server.
    virtual int default_port() const { return 0; }
    /// The database itself as text (dialect, host, port, name; SQLite the
    /// absolute path): what backup ids hash.
    virtual std::string identity(const DbUrl& url) const;
    /// A file database whose file does not exist yet (SQLite).
    virtual bool file_missing(const DbUrl& /*url*/) const { return false; }
    /// The backup file's extension: "dump", "sql.gz", "sqlite3".
    virtual const char* backup_extension() const = 0;
    /// Throws Error(backup_failed) when the URL's database cannot be backed
    /// up at all (an in-memory SQLite database), before any file is made.
    virtual void check_backup(const DbUrl& /*url*/) const {}
    /// Writes the backup of the URL's database into `temp_path` (an existing,
    /// empty 0600 file) and verifies it. Throws Error(backup_failed), or
    /// Error(sigint/sigterm) when interrupted.
    virtual void dump(const DbUrl& url, const std::string& temp_path,
                      const DumpOptions& opts) const = 0;
};

/// The object for `d`: the explicit table in src/db/drivers/database.cpp.
const Database& database(Dialect d);

/// "pg_dump failed (exit status 1): <stderr>", stderr redacted.
std::string tool_failure(const std::string& tool, const std::string& status,
                         const std::string& stderr_text);

}  // namespace sg
