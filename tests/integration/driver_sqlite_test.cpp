// The SQLite driver against temporary database files.
#include <unistd.h>

#include <climits>
#include <filesystem>

#include "driver_checks.hpp"

using namespace sg;
using namespace sg::test;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "sg-driver-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

DbUrl file_url(const fs::path& file) { return parse_url("sqlite:///" + file.string()); }

}  // namespace

TEST_CASE("sqlite: open, name, statements", "[driver][sqlite]") {
    TempDir dir;
    DbUrl url = file_url(dir.path / "clinic.db");
    CHECK(url.database == (dir.path / "clinic.db").string());
    auto c = connect(url);
    CHECK(c->dialect() == Dialect::sqlite);
    CHECK(c->database_name() == "clinic");
    CHECK(c->current_schema() == "main");
    CHECK(fs::exists(dir.path / "clinic.db"));

    check_binds(*c, "CREATE TABLE t (id INTEGER, name TEXT)", "t");
    check_rollback(*c, "t");

    SECTION("DDL rolls back too") {
        c->begin();
        c->execute("CREATE TABLE gone (x INTEGER)");
        c->rollback();
        CHECK(c->query("SELECT count(*) FROM sqlite_master WHERE name = ?", {Value("gone")})
                  .at(0)
                  .at(0) == Value("0"));
    }
    SECTION("statement errors") {
        try {
            c->execute("SELEC 1");
            FAIL("no error");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::statement);
            CHECK_THAT(e.describe(), Catch::Contains("syntax error"));
        }
        CHECK_THROWS_AS(c->query("INSERT INTO nope VALUES (?)", {Value("1")}), DbError);
    }
}

TEST_CASE("sqlite: relative paths, memory, open failures", "[driver][sqlite]") {
    TempDir dir;
    fs::path old = fs::current_path();
    fs::current_path(dir.path);
    {
        auto c = connect(parse_url("sqlite:///./rel.db"));
        CHECK(c->database_name() == "rel");
    }
    CHECK(fs::exists(dir.path / "rel.db"));
    fs::current_path(old);

    auto m = connect(parse_url("sqlite://:memory:"));
    m->execute("CREATE TABLE x (a INTEGER)");
    CHECK(m->try_lock("anything"));
    CHECK(m->database_name() == "memory");
    CHECK(m->lock_holder("anything").empty());

    DbError missing = connect_error(file_url(dir.path / "no" / "such" / "dir.db"));
    CHECK(missing.kind() == DbErrorKind::auth);
    CHECK(missing.code() == ExitCode::auth);
    CHECK_THAT(missing.what(), Catch::Contains("cannot open SQLite database"));

    fs::path junk = dir.path / "junk.db";
    {
        std::FILE* f = std::fopen(junk.c_str(), "w");
        std::fputs("this is not a database file, just some text that is long enough......", f);
        std::fclose(f);
    }
    // Not a database: a configuration error with its own hint, not "check the password".
    try {
        connect(file_url(junk));
        FAIL("no error");
    } catch (const DbError&) {
        FAIL("a DbError (auth) for a file that is not a database");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
        CHECK_THAT(e.what(), Catch::Contains("not a database"));
        CHECK_THAT(e.hint(), Catch::Contains("not an SQLite database"));
    }
}

TEST_CASE("sqlite: locked while opening is retryable, not an auth error", "[driver][sqlite]") {
    TempDir dir;
    DbUrl url = file_url(dir.path / "busy.db");
    auto holder = connect(url);
    holder->execute("CREATE TABLE t (x INTEGER)");
    holder->execute("BEGIN EXCLUSIVE");
    DbError e = connect_error(url);  // busy timeout 5 s, then "database is locked"
    CHECK(e.kind() == DbErrorKind::unreachable);
    CHECK(e.retryable());
    CHECK_THAT(e.what(), Catch::Contains("locked"));
    holder->rollback();
    CHECK(connect(url)->database_name() == "busy");
}

TEST_CASE("sqlite: huge connect timeouts do not overflow the busy timeout", "[driver][sqlite]") {
    TempDir dir;
    DbUrl url = file_url(dir.path / "t.db");
    auto busy = [&](int seconds) {
        return connect(url, ConnectOptions{seconds})->query("PRAGMA busy_timeout", {}).at(0).at(0);
    };
    CHECK(busy(10) == Value("10000"));
    // 600 h * 1000 overflowed an int into a negative timeout (no waiting at all).
    CHECK(busy(600 * 3600) == Value(std::to_string(INT_MAX)));
}

TEST_CASE("sqlite: a symlink at <db>.lock is refused, not followed", "[driver][sqlite]") {
    TempDir dir;
    DbUrl url = file_url(dir.path / "app.db");
    fs::path victim = dir.path / "victim.txt";
    {
        std::FILE* f = std::fopen(victim.c_str(), "w");
        std::fputs("keep me", f);
        std::fclose(f);
    }
    fs::create_symlink(victim, dir.path / "app.db.lock");
    auto c = connect(url);
    try {
        c->try_lock("migrate");
        FAIL("the symlink was followed");
    } catch (const DbError& e) {
        CHECK(e.kind() == DbErrorKind::auth);
        CHECK_THAT(e.what(), Catch::Contains("symbolic link"));
    }
    CHECK(fs::file_size(victim) == 7);
}

TEST_CASE("sqlite: file lock beside the database", "[driver][sqlite]") {
    TempDir dir;
    DbUrl url = file_url(dir.path / "app.db");
    check_lock([&] { return connect(url); }, true);
    CHECK(fs::exists(dir.path / "app.db.lock"));

    auto a = connect(url);
    auto b = connect(url);
    REQUIRE(a->try_lock("migrate"));
    CHECK_THAT(b->lock_holder("migrate"), Catch::Contains("pid " + std::to_string(::getpid())));
    a.reset();
    CHECK(b->lock_holder("migrate").empty());  // stale text is not reported
}

TEST_CASE("sqlite: cancel interrupts a long statement", "[driver][sqlite]") {
    TempDir dir;
    auto c = connect(file_url(dir.path / "cancel.db"));
    check_cancel(*c,
                 "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                 "SELECT count(*) FROM n");
}
