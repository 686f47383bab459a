// Conformance: upgrades, downgrades, stamps, failures and odd payloads,
// unchanged on SQLite, PostgreSQL and MariaDB.
#include <algorithm>
#include <csignal>
#include <thread>

#include "conformance_support.hpp"

using namespace sg;
using test::Names;
using test::RevFile;
using test::updown;


namespace {

std::string create(const std::string& t) { return "CREATE TABLE " + t + " (id INTEGER);"; }
std::string drop(const std::string& t) { return "DROP TABLE " + t + ";"; }

// base -> a -> {b1, c1} -> m (merge) -> d, plus an independent root x (its own branch).
void branchy(test::MigrationsDir& dir) {
    dir.add({"a0001", "", updown(create("ta"), drop("ta"))});
    dir.add({"b0001", "a0001", updown(create("tb"), drop("tb"))});
    dir.add({"c0001", "a0001", updown(create("tc"), drop("tc"))});
    dir.add({"m0001", "b0001,c0001", updown(create("tm"), drop("tm"))});
    dir.add({"d0001", "m0001", updown(create("td"), drop("td"))});
}

}  // namespace

TEST_CASE("upgrade and downgrade across a branch and a merge", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    branchy(dir);
    auto scripts = dir.load();
    test::Runner r{*db, scripts};

    CHECK(r.upgrade("b0001").size() == 2);
    CHECK(r.versions() == Names{"b0001"});
    CHECK(db->has_table("tb"));
    CHECK_FALSE(db->has_table("tc"));

    CHECK(r.upgrade("c0001").size() == 1);
    CHECK(r.versions() == Names{"b0001", "c0001"});  // two heads in the table

    CHECK(r.upgrade("m0001").size() == 1);  // merge: two rows become one
    CHECK(r.versions() == Names{"m0001"});
    CHECK(r.upgrade("heads").size() == 1);
    CHECK(r.versions() == Names{"d0001"});
    CHECK(r.upgrade("heads").empty());  // nothing pending

    CHECK(r.downgrade("-1").size() == 1);
    CHECK(r.versions() == Names{"m0001"});
    // "-1" from a merge point is an ambiguous walk (as in Alembic): name the target.
    r.downgrade("b0001");  // unmerge
    auto rows = r.versions();
    CHECK(std::count(rows.begin(), rows.end(), "b0001") == 1);
    CHECK(std::count(rows.begin(), rows.end(), "m0001") == 0);
    CHECK_FALSE(db->has_table("tm"));
    r.downgrade("base");
    CHECK(r.versions().empty());
    CHECK(db->tables() == Names{"alembic_version", "schemagate_history"});

    auto h = r.history();
    REQUIRE(h.size() >= 9);
    CHECK(h[0].operation == "upgrade");
    CHECK(h[0].revision == "a0001");
    CHECK(h[3].revision == "m0001");
    CHECK(h[3].from_heads == "b0001,c0001");
    CHECK(h[3].to_heads == "m0001");
    CHECK(h[3].checksum == scripts.get("m0001").checksum(d));
    CHECK(h[5].operation == "downgrade");
    CHECK(h[5].revision == "d0001");
    CHECK(h.back().to_heads.empty());
    for (auto& row : h) {
        CHECK(row.success);
        CHECK_FALSE(row.dirty);
        CHECK(row.statements_done == 1);
        CHECK(row.statements_total == 1);
        CHECK_FALSE(row.started_at.empty());
        CHECK_FALSE(row.finished_at.empty());
    }
    CHECK(r.state().applied_checksums().size() == 5);
}

TEST_CASE("stamp sets rows without running SQL and is recorded", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    branchy(dir);
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    auto st = r.state();
    Migrator m(scripts, db->conn(), st, {});
    m.stamp(scripts.graph.plan_stamp({}, "m0001", false));
    CHECK(r.versions() == Names{"m0001"});
    CHECK_FALSE(db->has_table("ta"));
    m.stamp({"c0001", "b0001"});
    CHECK(r.versions() == Names{"b0001", "c0001"});
    auto h = r.history();
    REQUIRE(h.size() == 2);
    CHECK(h[1].operation == "stamp");
    CHECK(h[1].from_heads == "m0001");
    CHECK(h[1].to_heads == "b0001,c0001");
    CHECK(st.applied_checksums().empty());  // stamped revisions have no checksum
    // Upgrading from a stamp runs only what is after it.
    CHECK(r.upgrade("heads").size() == 2);
    CHECK(db->has_table("td"));
    CHECK_FALSE(db->has_table("ta"));
}

TEST_CASE("a failing revision: rolled back on PostgreSQL/SQLite, dirty on MariaDB",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    dir.add({"a0001", "", updown(create("ta"), drop("ta"))});
    dir.add({"b0001", "a0001",
             updown("CREATE TABLE tb (id INTEGER);\nINSERT INTO tb VALUES (1);\n"
                    "INSERT INTO no_such_table VALUES (1);",
                    drop("tb"))});
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    auto e = test::expect_failure([&] { r.upgrade(); });
    CHECK(e.revision() == "b0001");
    CHECK(e.location() == dir.file("b0001") + ":8");
    CHECK(e.db_error().find("no_such_table") != std::string::npos);
    REQUIRE(e.done().size() == 1);
    CHECK(e.done()[0].revision == "a0001");
    CHECK(r.versions() == Names{"a0001"});
    auto h = r.history();
    REQUIRE(h.size() == 2);
    CHECK_FALSE(h[1].success);
    CHECK(h[1].error.find(dir.file("b0001") + ":8: ") == 0);
    if (test::transactional_ddl(d)) {
        CHECK(e.code() == ExitCode::rolled_back);
        CHECK_FALSE(db->has_table("tb"));  // nothing of the revision is left
        CHECK_FALSE(h[1].dirty);
        CHECK_FALSE(r.state().dirty_step());
    } else {
        CHECK(e.code() == ExitCode::dirty);
        CHECK(db->has_table("tb"));  // DDL committed implicitly
        CHECK(h[1].dirty);
        CHECK(h[1].statements_done == 2);
        CHECK(h[1].statements_total == 3);
        CHECK(e.hint().find("repair --mark-applied") != std::string::npos);
    }
    if (d == Dialect::postgresql) CHECK(h[1].error.find("42P01") != std::string::npos);
    if (d == Dialect::mysql) CHECK(h[1].error.find("1146") != std::string::npos);
}

TEST_CASE("--atomic: everything or nothing (PostgreSQL, SQLite); refused on MariaDB",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    dir.add({"a0001", "", updown(create("ta"), drop("ta"))});
    dir.add(
        {"b0001", "a0001", updown(create("tb") + "\nINSERT INTO nope VALUES (1);", drop("tb"))});
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    r.opts.atomic = true;
    if (!test::transactional_ddl(d)) {
        CHECK(test::error_code([&] { r.upgrade(); }) == ExitCode::usage);
        CHECK(db->tables().empty());
        return;
    }
    auto e = test::expect_failure([&] { r.upgrade(); });
    CHECK(e.code() == ExitCode::rolled_back);
    CHECK(e.done().empty());
    CHECK(r.versions().empty());
    CHECK_FALSE(db->has_table("ta"));
    CHECK_FALSE(db->has_table("tb"));
}

TEST_CASE("non-ASCII data, a 1 MB statement and 500 statements", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    const std::string text = u8"Zoë Ångström – 東京 🙂 ‘quoted’";
    const std::string big(1024 * 1024, 'x');
    std::string many;
    for (int i = 0; i < 500; ++i)
        many += "INSERT INTO tn (id) VALUES (" + std::to_string(i) + ");\n";
    test::MigrationsDir dir;
    dir.add({"u0001", "",
             updown("CREATE TABLE tu (name VARCHAR(200));\nINSERT INTO tu VALUES ('" + text + "');",
                    drop("tu")),
             "", u8"données «non-ASCII» 東京"});
    dir.add({"g0001", "u0001",
             "-- +upgrade\nCREATE TABLE tg (body TEXT);\nINSERT INTO tg VALUES ('" + big +
                 "');\n-- +upgrade mysql\nCREATE TABLE tg (body LONGTEXT);\nINSERT INTO tg VALUES "
                 "('" +
                 big + "');\n-- +downgrade\nDROP TABLE tg;\n"});
    dir.add({"n0001", "g0001", updown("CREATE TABLE tn (id INTEGER);\n" + many, drop("tn"))});
    auto scripts = dir.load();
    test::Runner r{*db, scripts};
    auto done = r.upgrade();
    REQUIRE(done.size() == 3);
    CHECK(done[2].statements == 501);
    CHECK(db->scalar("SELECT name FROM tu") == text);
    CHECK(db->scalar("SELECT LENGTH(body) FROM tg") == std::to_string(big.size()));
    CHECK(db->scalar("SELECT COUNT(*) FROM tn") == "500");
    auto h = r.history();
    CHECK(h[0].message == u8"données «non-ASCII» 東京");
    CHECK(h[2].statements_total == 501);
    r.downgrade("base");
    CHECK_FALSE(db->has_table("tn"));
}

TEST_CASE("a signal cancels the running statement and rolls back", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    std::string slow = d == Dialect::postgresql ? "SELECT pg_sleep(20);"
                       : d == Dialect::mysql
                           ? "DO SLEEP(20);"
                           : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                             "WHERE x < 2000000000) SELECT COUNT(*) FROM c;";
    test::MigrationsDir dir;
    dir.add({"a0001", "", updown(create("ta"), drop("ta"))});
    dir.add({"s0001", "a0001", updown("INSERT INTO ta VALUES (1);\n" + slow, "SELECT 1;")});
    auto scripts = dir.load();
    std::atomic<int> signal{0};
    test::Runner r{*db, scripts};
    r.opts.interrupted = &signal;
    r.upgrade("a0001");
    struct Killer {
        std::thread t;
        ~Killer() { t.join(); }
    } killer{std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        signal = SIGTERM;
        db->conn().cancel();
    })};
    auto t0 = std::chrono::steady_clock::now();
    auto e = test::expect_failure([&] { r.upgrade(); });
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    // Rolled back: 143, run again. On MySQL the INSERT committed before the
    // signal: the step is dirty, and that is exit 9 (a repair), not 143.
    CHECK(e.code() == (test::transactional_ddl(d) ? ExitCode::sigterm : ExitCode::dirty));
    CHECK(r.versions() == Names{"a0001"});
    auto h = r.history();
    CHECK(h.back().error.find("interrupted by SIGTERM") != std::string::npos);
    if (test::transactional_ddl(d)) {
        CHECK(db->scalar("SELECT COUNT(*) FROM ta") == "0");
        CHECK_FALSE(r.state().dirty_step());
    } else {
        CHECK(r.state().dirty_step());         // the INSERT committed: dirty
        CHECK(h.back().statements_done >= 1);  // KILL QUERY lets SLEEP() return
    }
}
