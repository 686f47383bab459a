#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "run/commands.hpp"
#include "run/session.hpp"
#include "run/signals.hpp"
#include "support/fake_connection.hpp"

using namespace sg;
using namespace std::chrono_literals;

TEST_CASE("a signal sets the flag and cancels the watched connection") {
    test::FakeConnection conn;
    SignalWatch watch;
    watch.watch(&conn);
    CHECK(watch.signal() == 0);
    ::raise(SIGTERM);
    CHECK(watch.signal() == SIGTERM);
    for (int i = 0; i < 100 && conn.cancels.load() == 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(conn.cancels.load() == 1);
    CHECK(exit_for_signal(SIGTERM) == ExitCode::sigterm);
    CHECK(exit_for_signal(SIGINT) == ExitCode::sigint);
    CHECK_FALSE(sleep_unless_interrupted(1s, watch.flag()));
    watch.watch(nullptr);
}

TEST_CASE("the flow maps connect errors to 4 and 5 and writes both outputs") {
    auto dir =
        std::filesystem::temp_directory_path() / ("sg-unit-flow-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "migrations");
    Settings s;
    s.db = parse_url("postgresql://app:s3cret-pw@db.invalid/app");
    s.allow_empty = true;  // the directory is empty: this is about connecting
    s.migrations = (dir / "migrations").string();
    s.termination_log = (dir / "term").string();
    s.report = (dir / "report.json").string();
    s.wait_timeout = 50ms;
    auto read = [&](const char* name) {
        std::ifstream in(dir / name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    auto throwing = [](DbErrorKind kind) {
        return [kind](const DbUrl& u, const ConnectOptions&) -> std::unique_ptr<Connection> {
            throw DbError(kind, "cannot connect to " + u.original);
        };
    };
    CHECK(run_gate(s, throwing(DbErrorKind::unreachable)) == ExitCode::unreachable);
    CHECK(read("term").find("exit 4") != std::string::npos);
    CHECK(read("report.json").find("\"exit_code\":4") != std::string::npos);
    CHECK(wait_command(s, throwing(DbErrorKind::auth)) == ExitCode::auth);
    CHECK(read("term").find("exit 5") != std::string::npos);
    CHECK(read("term").find("s3cret-pw") == std::string::npos);
    CHECK(read("report.json").find("s3cret-pw") == std::string::npos);
    CHECK(backup_command(s, throwing(DbErrorKind::auth)) == ExitCode::auth);
    std::filesystem::remove_all(dir);
}

TEST_CASE("one mapping from database errors to exit codes, for every command") {
    CHECK(DbError(DbErrorKind::lost, "server closed the connection").code() ==
          ExitCode::unreachable);
    CHECK(DbError(DbErrorKind::statement, "permission denied", "42501").code() == ExitCode::auth);
    for (int n : {1044, 1045, 1142}) {
        CHECK(DbError(DbErrorKind::statement, "denied", "42000", n).code() == ExitCode::auth);
    }
    CHECK(DbError(DbErrorKind::busy, "database is locked").code() == ExitCode::lock_timeout);
    CHECK(DbError(DbErrorKind::statement, "lock wait timeout", "HY000", 1205).code() ==
          ExitCode::lock_timeout);
    CHECK(hint_for(DbError(DbErrorKind::busy, "database is locked"), ExitCode::lock_timeout)
              .find("another session") != std::string::npos);
}
