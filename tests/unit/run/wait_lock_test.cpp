#include <signal.h>

#include <catch2/catch.hpp>

#include "run/lock.hpp"
#include "run/wait.hpp"
#include "support/fake_connection.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

WaitOptions fast_wait(std::chrono::milliseconds timeout) {
    WaitOptions o;
    o.timeout = timeout;
    o.first_delay = 5ms;
    o.max_delay = 20ms;
    return o;
}

// Fails `failures` times with `kind`, then connects.
Connector failing(int failures, DbErrorKind kind, int* calls) {
    return [=](const DbUrl&, const ConnectOptions&) -> std::unique_ptr<Connection> {
        if (++*calls <= failures) throw DbError(kind, "connection refused");
        return std::make_unique<test::FakeConnection>();
    };
}

}  // namespace

TEST_CASE("wait retries unreachable errors until the database answers") {
    int calls = 0;
    WaitOptions o = fast_wait(5s);
    o.connector = failing(3, DbErrorKind::unreachable, &calls);
    WaitResult r = wait_for_database(DbUrl{}, o);
    CHECK(r.conn);
    CHECK(r.attempts == 4);
    CHECK(calls == 4);
}

TEST_CASE("wait fails at once on authentication errors") {
    int calls = 0;
    WaitOptions o = fast_wait(60s);
    o.connector = failing(100, DbErrorKind::auth, &calls);
    try {
        wait_for_database(DbUrl{}, o);
        FAIL("no exception");
    } catch (const DbError& e) {
        CHECK(e.code() == ExitCode::auth);
    }
    CHECK(calls == 1);  // no retry: the failure is final at once
}

TEST_CASE("wait gives exit 4 when the time is up; timeout 0 tries once") {
    int calls = 0;
    WaitOptions o = fast_wait(0ms);
    o.connector = failing(100, DbErrorKind::unreachable, &calls);
    try {
        wait_for_database(DbUrl{}, o);
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::unreachable);
        CHECK(std::string(e.what()).find("connection refused") != std::string::npos);
    }
    CHECK(calls == 1);

    calls = 0;
    o = fast_wait(200ms);
    o.connector = failing(1000, DbErrorKind::unreachable, &calls);
    auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(wait_for_database(DbUrl{}, o), Error);
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 200ms);  // upper bounds of wall time belong in bench/
    CHECK(calls > 3);
}

TEST_CASE("wait stops when a signal arrived") {
    int calls = 0;
    std::atomic<int> flag{SIGTERM};
    WaitOptions o = fast_wait(60s);
    o.interrupted = &flag;
    o.connector = failing(1000, DbErrorKind::unreachable, &calls);
    try {
        wait_for_database(DbUrl{}, o);
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::sigterm);
    }
}

TEST_CASE("the lock is polled until free and released by the destructor") {
    test::FakeConnection conn;
    conn.lock_refusals = 3;
    {
        MigrationLock lock(conn, "schemagate:app:public:alembic_version");
        LockOptions o;
        o.timeout = 5s;
        o.first_delay = 5ms;
        o.max_delay = 10ms;
        lock.acquire(o);
        CHECK(lock.held());
        CHECK(conn.try_lock_calls == 4);
    }
    CHECK(conn.unlock_calls == 1);
}

TEST_CASE("lock timeout is exit 6 naming the holder") {
    test::FakeConnection conn;
    conn.lock_refusals = 1000000;
    MigrationLock lock(conn, "x");
    LockOptions o;
    o.timeout = 100ms;
    o.first_delay = 5ms;
    o.max_delay = 10ms;
    try {
        lock.acquire(o);
        FAIL("no exception");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::lock_timeout);
        CHECK(std::string(e.what()).find("pid 42") != std::string::npos);
    }
    CHECK_FALSE(lock.held());
}

TEST_CASE("lock names fit MySQL's 64 characters and differ per version table") {
    CHECK(lock_name("app", "public", "alembic_version") == "schemagate:app:public:alembic_version");
    CHECK(lock_name("app", "public", "v2") != lock_name("app", "public", "alembic_version"));
    std::string longer = lock_name(std::string(80, 'd'), "s", "t");
    CHECK(longer.size() <= 64);
    CHECK(longer != lock_name(std::string(79, 'd'), "s", "t"));
}
