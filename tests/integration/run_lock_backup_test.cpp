// The run flow's building blocks against the real servers: the migration
// lock between two sessions, backups through the real tools, and the wait
// loop's classification of connect errors.
#include <sys/stat.h>

#include <filesystem>

#include "backup/backup.hpp"
#include "conformance_support.hpp"
#include "run/lock.hpp"
#include "run/wait.hpp"

using namespace sg;
using namespace std::chrono_literals;

TEST_CASE("run: the migration lock excludes a second session until released") {
    auto d = GENERATE(Dialect::sqlite, Dialect::postgresql, Dialect::mysql);
    auto db = test::fresh_db(d);
    if (!db) return;
    auto other = db->open();
    std::string name = lock_name(db->name(), db->conn().current_schema(), "alembic_version");
    LockOptions quick;
    quick.timeout = 300ms;
    quick.first_delay = 20ms;
    {
        MigrationLock first(db->conn(), name);
        first.acquire(quick);
        MigrationLock second(*other, name);
        CHECK(test::error_code([&] { second.acquire(quick); }) == ExitCode::lock_timeout);
        if (d != Dialect::sqlite) CHECK_FALSE(other->lock_holder(name).empty());
    }
    MigrationLock again(*other, name);
    again.acquire(quick);
    CHECK(again.held());
}

TEST_CASE("run: backups through the real tools are verified files of mode 0600") {
    auto d = GENERATE(Dialect::sqlite, Dialect::postgresql, Dialect::mysql);
    auto db = test::fresh_db(d);
    if (!db) return;
    db->conn().execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name VARCHAR(20))");
    db->conn().execute("INSERT INTO patients VALUES (1, 'ada')");
    test::TempDir dir("sg-run-backup");
    BackupOptions opts;
    opts.dir = dir.file("backups");
    BackupResult r = take_backup(parse_url(db->url()), db->conn().database_name(), "base", opts);
    CHECK(std::filesystem::exists(r.path));
    CHECK(r.bytes > 0);
    struct stat st {};
    REQUIRE(::stat(r.path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(opts.dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(r.path.find(backup_extension(parse_url(db->url()))) != std::string::npos);
}

TEST_CASE("run: wait classifies refused connections and bad passwords") {
    const char* pg = std::getenv("SG_TEST_PG_URL");
    if (!pg) {
        WARN("SG_TEST_PG_URL not set");
        return;
    }
    WaitOptions opts;
    opts.timeout = 300ms;
    opts.first_delay = 20ms;
    CHECK(test::error_code([&] {
              DbUrl u = parse_url("postgresql://sg:x@127.0.0.1:1/db");
              wait_for_database(u, opts);
          }) == ExitCode::unreachable);
    std::string bad = pg;
    bad.replace(bad.find(':', 14) + 1, bad.find('@') - bad.find(':', 14) - 1, "wrong-password");
    opts.timeout = 30s;
    auto t0 = std::chrono::steady_clock::now();
    CHECK(test::error_code([&] { wait_for_database(parse_url(bad), opts); }) == ExitCode::auth);
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);  // no retrying for the 30 s
}
