#pragma once
// Shared driver checks, run against SQLite, PostgreSQL and MariaDB by the
// driver_*_test.cpp files ([driver] tag).
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "db/connection.hpp"

namespace sg::test {

/// The server URL from `var`, or nullopt (the test skips with a warning).
/// Fails when missing and CI=true: a broken server start must not pass.
inline std::optional<std::string> server_url(const char* var) {
    const char* url = std::getenv(var);
    if (url && *url) return std::string(url);
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
        FAIL(var << " is not set (CI=true): start the servers with scripts/test-servers.sh");
    }
    WARN(var << " is not set: skipping (source /tmp/schemagate-test-servers/env)");
    return std::nullopt;
}

/// A name unique to this test process, for tables and locks.
inline std::string unique_name(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

/// The error connect() throws for `url`, as a DbError (fails otherwise).
inline DbError connect_error(const DbUrl& url) {
    try {
        connect(url, ConnectOptions{5});
    } catch (const DbError& e) {
        return e;
    }
    FAIL("connect() did not fail for " << url.masked());
    throw std::logic_error("unreachable");
}

/// `url` with the fields changed by `edit` (rebuilt from fields, not `original`).
inline DbUrl edited(const DbUrl& url, const std::function<void(DbUrl&)>& edit) {
    DbUrl out = url;
    out.original.clear();
    edit(out);
    return out;
}

/// Insert and read back text with NULL and non-ASCII values through `?` binds.
inline void check_binds(Connection& c, const std::string& create_table, const std::string& table) {
    c.execute(create_table);
    const std::string text = u8"Zoë Ångström – 東京 🙂 'quoted' ?";
    c.query("INSERT INTO " + table + " (id, name) VALUES (?, ?)", {std::string("1"), text});
    c.query("INSERT INTO " + table + " (id, name) VALUES (?, ?)", {std::string("2"), Value()});
    Rows rows =
        c.query("SELECT id, name FROM " + table + " WHERE id >= ? ORDER BY id", {std::string("1")});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0][0] == Value("1"));
    CHECK(rows[0][1] == Value(text));
    CHECK(rows[1][1] == std::nullopt);
    Rows none = c.query("SELECT name FROM " + table + " WHERE name = ?", {Value()});
    CHECK(none.empty());  // NULL = NULL is not true
    Rows empty = c.query("DELETE FROM " + table + " WHERE id = ?", {std::string("2")});
    CHECK(empty.empty());
}

/// begin/rollback undoes an insert; begin/commit keeps it.
inline void check_rollback(Connection& c, const std::string& table) {
    auto count = [&] { return c.query("SELECT count(*) FROM " + table, {}).at(0).at(0); };
    Value before = count();
    c.begin();
    c.query("INSERT INTO " + table + " (id, name) VALUES (?, ?)", {std::string("7"), Value("x")});
    c.rollback();
    CHECK(count() == before);
    c.begin();
    c.query("INSERT INTO " + table + " (id, name) VALUES (?, ?)", {std::string("8"), Value("y")});
    c.commit();
    CHECK(count() != before);
    c.rollback();  // nothing open: must not throw
}

/// The lock is exclusive across connections, and freed with its holder.
inline void check_lock(const std::function<std::unique_ptr<Connection>()>& open,
                       bool holder_known) {
    std::string name = unique_name("schemagate_test_lock");
    auto a = open();
    auto b = open();
    REQUIRE(a->try_lock(name));
    CHECK_FALSE(b->try_lock(name));
    if (holder_known) CHECK_FALSE(b->lock_holder(name).empty());
    a->unlock(name);
    REQUIRE(b->try_lock(name));
    CHECK_FALSE(a->try_lock(name));
    b.reset();  // the holder goes away without unlocking: no stale lock
    // A server ends the closed session asynchronously (PostgreSQL frees the
    // lock a few ms after the client hangs up): poll, as the run flow does.
    bool freed = false;
    for (int i = 0; i < 40 && !freed; ++i) {
        freed = a->try_lock(name);
        if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(freed);
    a->unlock(name);
}

/// cancel() from another thread interrupts `long_sql` within ~2 s with kind
/// cancelled, and the connection stays usable.
inline void check_cancel(Connection& c, const std::string& long_sql) {
    std::atomic<bool> done{false};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        while (!done) {  // until it lands: the statement may not have started yet
            c.cancel();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
    auto start = std::chrono::steady_clock::now();
    std::optional<DbErrorKind> kind;
    try {
        c.execute(long_sql);
    } catch (const DbError& e) {
        kind = e.kind();
        INFO(e.describe());
    }
    done = true;
    canceller.join();
    auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(kind.has_value());
    CHECK(*kind == DbErrorKind::cancelled);
    CHECK(elapsed < std::chrono::seconds(3));
    CHECK(c.query("SELECT 1", {}).at(0).at(0) == Value("1"));
}

}  // namespace sg::test
