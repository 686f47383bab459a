#pragma once
// The conformance suite's backends: a fresh database per test on SQLite (a
// temp file), PostgreSQL (CREATE DATABASE through the sg user, a superuser)
// and MariaDB (CREATE DATABASE ... utf8mb4 through sg, who has all
// privileges). Scenarios take the dialect from
//   auto d = GENERATE(Dialect::sqlite, Dialect::postgresql, Dialect::mysql);
//   auto db = test::fresh_db(d); if (!db) return;
// and run unchanged on all three.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "engine/migrator.hpp"
#include "unit/engine/scripts_fixture.hpp"

/// The three backends every conformance scenario runs on:
///   Dialect d = SG_BACKENDS; auto db = test::fresh_db(d); if (!db) return;
#define SG_BACKENDS GENERATE(Dialect::sqlite, Dialect::postgresql, Dialect::mysql)

namespace sg::test {

class TestDb {
  public:
    TestDb(Dialect d, std::string server_url);  // server_url "" for SQLite
    ~TestDb();
    TestDb(const TestDb&) = delete;
    TestDb& operator=(const TestDb&) = delete;

    Dialect dialect() const { return m_dialect; }
    Connection& conn() { return *m_conn; }
    /// Another session on the same database.
    std::unique_ptr<Connection> open() const;
    const std::string& url() const { return m_url; }
    const std::string& name() const { return m_name; }

    /// Runs an SQL script through the database's command-line client
    /// (psql -v ON_ERROR_STOP=1, mariadb, sqlite3) as the admin user; returns
    /// the exit status; the client's output goes to *output.
    int pipe_script(const std::string& script_path, std::string* output = nullptr) const;

    /// Tables of the current schema / database, sorted.
    std::vector<std::string> tables();
    bool has_table(const std::string& name);
    /// First column of the first row of `sql` ("" when no row / NULL).
    std::string scalar(const std::string& sql, const std::vector<Value>& params = {});

  private:
    Dialect m_dialect;
    std::string m_server_url, m_url, m_name;
    std::unique_ptr<TempDir> m_dir;  // SQLite
    std::unique_ptr<Connection> m_conn;
};

/// A fresh database, or nullptr after a WARN when the server's env var is
/// missing (FAIL instead when CI=true).
std::unique_ptr<TestDb> fresh_db(Dialect d);

/// Everything to migrate one TestDb with one directory.
struct Runner {
    TestDb& db;
    const ScriptDirectory& scripts;
    TableNames names{};
    MigrateOptions opts{};

    StateStore state() { return StateStore(db.conn(), names); }
    std::vector<StepResult> upgrade(const std::string& target = "heads");
    std::vector<StepResult> downgrade(const std::string& target);
    std::vector<std::string> versions() { return state().versions(); }
    std::vector<HistoryRow> history() { return state().history(); }
};

/// Runs f and returns the MigrationFailure it throws (FAILs otherwise).
template <class F>
MigrationFailure expect_failure(F f) {
    try {
        f();
    } catch (const MigrationFailure& e) {
        return e;
    }
    FAIL("no MigrationFailure thrown");
    throw std::logic_error("unreachable");
}

/// Runs f and returns the code of the sg::Error it throws (FAILs otherwise).
template <class F>
ExitCode error_code(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no error thrown");
    return ExitCode::ok;
}

/// PostgreSQL and SQLite roll DDL back; MySQL/MariaDB commit it implicitly.
inline bool transactional_ddl(Dialect d) { return d != Dialect::mysql; }

using Names = std::vector<std::string>;

}  // namespace sg::test
