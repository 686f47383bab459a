#pragma once
// The one fake Connection of the unit tests: an in-memory SQLite database
// (sqlite3 C API, not the project's driver) that records every call, can
// inject failures and signals (the Migrator's transaction rules), refuse the
// lock a number of times and count cancels (the run layer's wait and lock).
#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <functional>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace sg::test {

class FakeConnection : public Connection {
  public:
    FakeConnection() { sqlite3_open(":memory:", &m_db); }
    ~FakeConnection() override { sqlite3_close(m_db); }

    std::vector<std::string> calls;  // "BEGIN", "COMMIT", "ROLLBACK", "EXEC <sql>", "QUERY <sql>"
    std::string fail_on;             // a migration statement containing this fails
    std::atomic<int>* signal_flag = nullptr;
    std::string signal_on;           // executing a statement containing this raises SIGTERM
    std::string end_transaction_on;  // a statement containing this runs COMMIT instead
    std::atomic<int> cancels{0};
    int lock_refusals = 0;  // try_lock returns false this many times
    int try_lock_calls = 0;
    int unlock_calls = 0;
    std::string holder = "pid 42 (user app)";

    Dialect fake_dialect = Dialect::sqlite;  // what dialect() answers (SQL still runs on SQLite)
    Dialect dialect() const override { return fake_dialect; }

    void execute(const std::string& sql) override {
        calls.push_back("EXEC " + sql);
        if (!signal_on.empty() && sql.find(signal_on) != std::string::npos && signal_flag) {
            signal_flag->store(SIGTERM);
            throw DbError(DbErrorKind::cancelled, "canceling statement due to user request",
                          "57014");
        }
        if (!end_transaction_on.empty() && sql.find(end_transaction_on) != std::string::npos) {
            run("COMMIT", {});
            return;
        }
        if (!fail_on.empty() && sql.find(fail_on) != std::string::npos)
            throw DbError(DbErrorKind::statement, "near \"" + fail_on + "\": syntax error", "HY000",
                          1);
        run(sql, {});
    }
    Rows query(const std::string& sql, const std::vector<Value>& params = {}) override {
        calls.push_back("QUERY " + sql);
        return run(sql, params);
    }
    void begin() override { calls.push_back("BEGIN"), run("BEGIN", {}); }
    void commit() override { calls.push_back("COMMIT"), run("COMMIT", {}); }
    void rollback() override {
        calls.push_back("ROLLBACK");
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool in_transaction() override { return sqlite3_get_autocommit(m_db) == 0; }
    bool try_lock(const std::string&) override {
        ++try_lock_calls;
        return try_lock_calls > lock_refusals;
    }
    void unlock(const std::string&) override { ++unlock_calls; }
    std::string lock_holder(const std::string&) override { return holder; }
    void cancel() override { ++cancels; }
    std::string database_name() const override { return "fake"; }
    std::string current_schema() override { return "main"; }

    /// Index of the first recorded call starting with `prefix` (-1: none).
    int first(const std::string& prefix) const {
        for (size_t i = 0; i < calls.size(); ++i)
            if (calls[i].compare(0, prefix.size(), prefix) == 0) return int(i);
        return -1;
    }
    /// How many recorded calls equal `what` exactly.
    int count(const std::string& what) const {
        int n = 0;
        for (auto& c : calls) n += c == what;
        return n;
    }

  private:
    Rows run(const std::string& sql, const std::vector<Value>& params) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw DbError(DbErrorKind::statement, sqlite3_errmsg(m_db));
        for (size_t i = 0; i < params.size(); ++i) {
            if (params[i])
                sqlite3_bind_text(st, int(i + 1), params[i]->c_str(), -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, int(i + 1));
        }
        Rows rows;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            Row r;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                auto* t = sqlite3_column_text(st, c);
                r.push_back(t ? Value(reinterpret_cast<const char*>(t)) : Value());
            }
            rows.push_back(r);
        }
        std::string err = rc == SQLITE_DONE ? "" : sqlite3_errmsg(m_db);
        sqlite3_finalize(st);
        if (!err.empty()) throw DbError(DbErrorKind::statement, err);
        return rows;
    }
    sqlite3* m_db = nullptr;
};

}  // namespace sg::test
