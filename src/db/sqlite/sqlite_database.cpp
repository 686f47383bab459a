// What is particular to SQLite beyond the session (db/database.hpp).
#include <filesystem>

#include "db/sqlite/backup.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace sg {
namespace {

namespace fs = std::filesystem;

bool in_memory(const DbUrl& url) { return url.database == ":memory:" || url.database.empty(); }

class Sqlite final : public Database {
  public:
    Dialect dialect() const override { return Dialect::sqlite; }
    std::unique_ptr<Connection> connect(const DbUrl& url,
                                        const ConnectOptions& opts) const override {
        return connect_sqlite(url, opts);
    }

    bool quotes_identifier_with(char open) const override {
        return open == '"' || open == '`' || open == '[';
    }

    bool qualifies_with_session_schema() const override { return false; }
    HistoryColumnTypes history_column_types() const override {
        return {"id INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "TEXT"};
    }
    std::vector<std::string> find_tables(Connection& conn, const QualifiedName& version,
                                         const QualifiedName& history,
                                         const std::string& /*home*/) const override {
        Rows rows =
            conn.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
                       {version.name, history.name});
        std::vector<std::string> out;
        for (const auto& r : rows)
            if (r.at(0)) out.push_back(*r.at(0));
        return out;
    }
    std::string last_insert_id_sql() const override { return "SELECT last_insert_rowid()"; }

    std::string identity(const DbUrl& url) const override {
        std::error_code ec;
        fs::path p = fs::weakly_canonical(fs::absolute(url.database, ec), ec);
        return std::string(dialect_name(dialect())) + ":" + (p.empty() ? url.database : p.string());
    }
    bool file_missing(const DbUrl& url) const override {
        return url.database != ":memory:" && !fs::exists(url.database);
    }
    const char* backup_extension() const override { return "sqlite3"; }
    void check_backup(const DbUrl& url) const override {
        if (in_memory(url))
            throw Error(ExitCode::backup_failed, "an in-memory SQLite database cannot be backed up",
                        "use --backup=never");
    }
    // The online backup API (backup.cpp) into the temporary file.
    void dump(const DbUrl& url, const std::string& temp_path,
              const DumpOptions& opts) const override {
        try {
            sqlite_online_backup(url.database, temp_path, opts.interrupted);
        } catch (const DbError& e) {
            throw Error(ExitCode::backup_failed, e.what(), "check --backup-dir and the free space");
        }
    }
};

}  // namespace

const Database& sqlite_database() {
    static const Sqlite db;
    return db;
}

}  // namespace sg
