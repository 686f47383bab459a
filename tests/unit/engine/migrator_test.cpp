// The Migrator's transaction rules on a recording fake connection.
#include <catch2/catch.hpp>

#include "engine/migrator.hpp"
#include "scripts_fixture.hpp"
#include "support/fake_connection.hpp"

using namespace sg;
using test::RevFile;
using test::updown;

namespace {

struct Fixture {
    test::MigrationsDir dir;
    test::FakeConnection conn;
    std::atomic<int> signal{0};

    Fixture() {
        dir.add({"a1", "", updown("CREATE TABLE a (x INTEGER);", "DROP TABLE a;")});
        dir.add(
            {"b2", "a1",
             updown("CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);", "DROP TABLE b;")});
        dir.add({"c3", "b2", updown("CREATE TABLE c (x INTEGER);", "DROP TABLE c;")});
        conn.signal_flag = &signal;
    }
    std::vector<StepResult> upgrade(const std::string& target = "head", bool atomic = false) {
        auto scripts = dir.load();
        StateStore state(conn, {});
        Migrator m(scripts, conn, state, options(atomic));
        return m.run(scripts.graph.plan_upgrade(state.versions(), target));
    }
    std::vector<StepResult> downgrade(const std::string& target) {
        auto scripts = dir.load();
        StateStore state(conn, {});
        Migrator m(scripts, conn, state, options(false));
        return m.run(scripts.graph.plan_downgrade(state.versions(), target));
    }
    MigrateOptions options(bool atomic) {
        MigrateOptions o;
        o.atomic = atomic;
        o.applied_by = "test-host";
        o.tool_version = "0.0.0";
        o.interrupted = &signal;
        return o;
    }
    std::vector<std::string> versions() {
        StateStore s(conn, {});
        return s.versions();
    }
    std::vector<HistoryRow> history() {
        StateStore s(conn, {});
        return s.history();
    }
    bool has_table(const std::string& t) {
        return !conn.query("SELECT 1 FROM sqlite_master WHERE name = ?", {t}).empty();
    }
};

template <class F>
MigrationFailure expect_failure(F f) {
    try {
        f();
    } catch (const MigrationFailure& e) {
        return e;
    }
    FAIL("no MigrationFailure thrown");
    throw;
}

}  // namespace

TEST_CASE("each transactional revision commits with its row ops and history", "[engine]") {
    Fixture fx;
    auto done = fx.upgrade();
    REQUIRE(done.size() == 3);
    CHECK(done[1].revision == "b2");
    CHECK(done[1].statements == 2);
    CHECK(fx.versions() == std::vector<std::string>{"c3"});
    CHECK(fx.conn.count("BEGIN") == 3);
    CHECK(fx.conn.count("COMMIT") == 3);
    CHECK(fx.conn.count("ROLLBACK") == 0);
    // The state tables are created inside the first transaction, before its statements.
    int begin = fx.conn.first("BEGIN");
    int create = fx.conn.first("QUERY CREATE TABLE IF NOT EXISTS \"alembic_version\"");
    REQUIRE(create >= 0);
    CHECK(begin < create);
    CHECK(create < fx.conn.first("EXEC CREATE TABLE a"));
    auto h = fx.history();
    REQUIRE(h.size() == 3);
    CHECK(h[0].operation == "upgrade");
    CHECK(h[0].from_heads.empty());
    CHECK(h[0].to_heads == "a1");
    CHECK(h[1].from_heads == "a1");
    CHECK(h[1].checksum.size() == 64);
    CHECK(h[1].statements_done == 2);
    CHECK(h[1].statements_total == 2);
    CHECK(h[2].applied_by == "test-host");
    CHECK(h[2].success);
    CHECK_FALSE(h[2].dirty);

    auto down = fx.downgrade("a1");
    REQUIRE(down.size() == 2);
    CHECK(down[0].revision == "c3");
    CHECK(fx.versions() == std::vector<std::string>{"a1"});
    CHECK_FALSE(fx.has_table("b"));
    CHECK(fx.history().back().operation == "downgrade");
    CHECK(fx.history().back().checksum.empty());
}

TEST_CASE("a failing transactional revision rolls back (exit 8) and is recorded", "[engine]") {
    Fixture fx;
    fx.dir.add(
        {"d4", "c3", updown("CREATE TABLE d (x INTEGER);\nBROKEN STATEMENT;", "DROP TABLE d;")});
    fx.conn.fail_on = "BROKEN";
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::rolled_back);
    CHECK(e.revision() == "d4");
    CHECK(e.location() == fx.dir.file("d4") + ":7");
    CHECK(e.db_error().find("syntax error") != std::string::npos);
    REQUIRE(e.done().size() == 3);
    CHECK(std::string(e.what()).find("applied before it: a1, b2, c3") != std::string::npos);
    CHECK(fx.versions() == std::vector<std::string>{"c3"});
    CHECK_FALSE(fx.has_table("d"));
    auto h = fx.history();
    REQUIRE(h.size() == 4);
    CHECK_FALSE(h[3].success);
    CHECK_FALSE(h[3].dirty);
    CHECK(h[3].error.find(fx.dir.file("d4") + ":7: ") == 0);
    CHECK(h[3].error.find("errno 1, SQLSTATE HY000") != std::string::npos);
    CHECK(h[3].to_heads == "c3");
}

TEST_CASE("--atomic rolls every revision back on failure", "[engine]") {
    Fixture fx;
    fx.conn.fail_on = "INSERT INTO b";
    auto e = expect_failure([&] { fx.upgrade("head", true); });
    CHECK(e.code() == ExitCode::rolled_back);
    CHECK(e.done().empty());
    CHECK(fx.versions().empty());
    CHECK_FALSE(fx.has_table("a"));
    CHECK(fx.conn.count("BEGIN") == 2);  // the run, then the failure record
    auto h = fx.history();
    REQUIRE(h.size() == 1);
    CHECK(h[0].revision == "b2");

    fx.conn.fail_on.clear();
    fx.conn.calls.clear();
    CHECK(fx.upgrade("head", true).size() == 3);
    CHECK(fx.conn.count("BEGIN") == 1);
    CHECK(fx.versions() == std::vector<std::string>{"c3"});
}

TEST_CASE("--atomic refuses transaction: false revisions up front (exit 2)", "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3", updown("CREATE TABLE d (x INTEGER);", "DROP TABLE d;"),
                "-- transaction: false\n"});
    try {
        fx.upgrade("head", true);
        FAIL("no error");
    } catch (const MigrationFailure&) {
        FAIL("ran");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
    }
    CHECK(fx.conn.first("EXEC") == -1);
    CHECK(fx.conn.count("BEGIN") == 0);
}

TEST_CASE("a transaction: false revision failing part-way is dirty; repair choices", "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3",
                updown("CREATE TABLE d (x INTEGER);\nINSERT INTO d VALUES (1);\n"
                       "INSERT INTO later VALUES (1);\n"
                       "INSERT INTO d VALUES (2);",
                       "DROP TABLE d;"),
                "-- transaction: false\n"});
    fx.upgrade("c3");
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::dirty);
    CHECK(e.hint().find("--mark-applied") != std::string::npos);
    CHECK(e.hint().find("--resume") != std::string::npos);
    CHECK(fx.versions() == std::vector<std::string>{"c3"});
    StateStore state(fx.conn, {});
    auto dirty = state.dirty_step();
    REQUIRE(dirty);
    CHECK(dirty->revision == "d4");
    CHECK(dirty->statements_done == 2);
    CHECK(dirty->statements_total == 4);
    CHECK(dirty->to_heads == "d4");

    auto scripts = fx.dir.load();
    Migrator m(scripts, fx.conn, state, fx.options(false));
    SECTION("resume runs the rest from the failed statement") {
        fx.conn.query("CREATE TABLE later (x INTEGER)");
        m.repair_resume();
        CHECK(fx.versions() == std::vector<std::string>{"d4"});
        CHECK(fx.conn.query("SELECT COUNT(*) FROM d")[0][0] == "2");
        CHECK_FALSE(state.dirty_step());
        CHECK(state.history().back().operation == "repair");
        CHECK(state.applied_checksums().count("d4") == 1);
    }
    SECTION("resume failing again stays dirty") {
        auto again = expect_failure([&] { m.repair_resume(); });
        CHECK(again.code() == ExitCode::dirty);
        CHECK(state.dirty_step());
    }
    SECTION("mark-applied records the revision") {
        m.repair_mark_applied();
        CHECK(fx.versions() == std::vector<std::string>{"d4"});
        CHECK_FALSE(state.dirty_step());
        auto last = state.history().back();
        CHECK(last.operation == "repair");
        CHECK(last.message.find("mark-applied") == 0);
        CHECK(state.applied_checksums().count("d4") == 1);
    }
    SECTION("mark-reverted leaves the version table") {
        m.repair_mark_reverted();
        CHECK(fx.versions() == std::vector<std::string>{"c3"});
        CHECK_FALSE(state.dirty_step());
        CHECK(state.history().back().message.find("mark-reverted") == 0);
        try {
            m.repair_mark_reverted();
            FAIL("repaired twice");
        } catch (const Error& err) {
            CHECK(err.code() == ExitCode::usage);
            CHECK(std::string(err.what()).find("nothing to repair") != std::string::npos);
        }
    }
}

TEST_CASE("a transaction: false revision failing at its first statement is not dirty", "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3", updown("FAILME;\nCREATE TABLE d (x INTEGER);", "DROP TABLE d;"),
                "-- transaction: false\n"});
    fx.conn.fail_on = "FAILME";
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::rolled_back);
    StateStore state(fx.conn, {});
    CHECK_FALSE(state.dirty_step());
    CHECK(fx.versions() == std::vector<std::string>{"c3"});
}

TEST_CASE("a signal cancels, rolls back and records the interruption", "[engine]") {
    Fixture fx;
    fx.conn.signal_on = "INSERT INTO b";
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::sigterm);
    CHECK(e.done().size() == 1);
    CHECK(fx.versions() == std::vector<std::string>{"a1"});
    CHECK_FALSE(fx.has_table("b"));
    auto h = fx.history();
    CHECK(h.back().error.find("interrupted by SIGTERM") != std::string::npos);

    SECTION("a signal between statements stops before the next") {
        fx.conn.signal_on.clear();
        fx.signal = SIGINT;
        auto e2 = expect_failure([&] { fx.upgrade(); });
        CHECK(e2.code() == ExitCode::sigint);
        CHECK(e2.done().empty());
        CHECK(fx.versions() == std::vector<std::string>{"a1"});
    }
}

TEST_CASE("a signal after a statement of a transaction: false revision is dirty (9), not 143",
          "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3",
                updown("CREATE TABLE d (x INTEGER);\nINSERT INTO d VALUES (1);", "DROP TABLE d;"),
                "-- transaction: false\n"});
    fx.conn.signal_on = "INSERT INTO d";
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::dirty);
    CHECK(std::string(e.what()).find("interrupted by SIGTERM") != std::string::npos);
    CHECK(e.hint().find("repair --mark-applied") != std::string::npos);
    StateStore state(fx.conn, {});
    REQUIRE(state.dirty_step());
    CHECK(state.dirty_step()->revision == "d4");
    CHECK(fx.has_table("d"));
}

TEST_CASE("a statement that ends the transaction leaves the step dirty (9)", "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3",
                updown("CREATE TABLE d (x INTEGER);\nSELECT 'end here';\nINSERT INTO d VALUES (1);",
                       "DROP TABLE d;")});
    fx.conn.end_transaction_on = "end here";
    auto e = expect_failure([&] { fx.upgrade(); });
    CHECK(e.code() == ExitCode::dirty);
    CHECK(std::string(e.what()).find("ended the transaction") != std::string::npos);
    CHECK(e.hint().find("repair") != std::string::npos);
    StateStore state(fx.conn, {});
    REQUIRE(state.dirty_step());
    CHECK(state.dirty_step()->revision == "d4");
    CHECK(fx.versions() == std::vector<std::string>{"c3"});  // the version table was not moved
    CHECK(fx.has_table("d"));                                // but the changes are committed
}

TEST_CASE("downgrading through a revision without downgrade fails before anything runs",
          "[engine]") {
    Fixture fx;
    fx.dir.add({"d4", "c3", "-- +upgrade\nCREATE TABLE d (x INTEGER);\n"});
    fx.upgrade();
    fx.conn.calls.clear();
    try {
        fx.downgrade("base");
        FAIL("no error");
    } catch (const MigrationFailure&) {
        FAIL("ran");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::invalid);
        CHECK(std::string(e.what()).find("d4") != std::string::npos);
    }
    CHECK(fx.conn.count("BEGIN") == 0);
    CHECK(fx.versions() == std::vector<std::string>{"d4"});
}

TEST_CASE("stamp sets the rows and records a history row", "[engine]") {
    Fixture fx;
    auto scripts = fx.dir.load();
    StateStore state(fx.conn, {});
    Migrator m(scripts, fx.conn, state, fx.options(false));
    m.stamp({"b2"});
    CHECK(fx.versions() == std::vector<std::string>{"b2"});
    m.stamp({});
    CHECK(fx.versions().empty());
    auto h = state.history();
    REQUIRE(h.size() == 2);
    CHECK(h[0].operation == "stamp");
    CHECK(h[0].to_heads == "b2");
    CHECK(h[1].from_heads == "b2");
    CHECK(h[1].revision == "base");
    CHECK(state.applied_checksums().empty());
    CHECK_FALSE(fx.has_table("a"));
}
