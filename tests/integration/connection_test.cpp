// The Connection conformance suite: one test case per method of sg::Connection
// (src/db/connection.hpp), each run on SQLite, PostgreSQL and MariaDB against
// a fresh database (golang-migrate's database/testing.Test). A new database is
// done when every case here passes on it. Where the interface lets a database
// answer "cannot tell" (lock_blockers, index_valid, drop_index), the case says
// which databases do.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "conformance_support.hpp"
#include "driver_checks.hpp"

using namespace sg;
using namespace std::chrono_literals;
using test::Names;

namespace {

/// A long statement that cancel() must interrupt.
std::string long_statement(Dialect d) {
    switch (d) {
        case Dialect::postgresql:
            return "SELECT pg_sleep(30)";
        case Dialect::mysql:
            return "SELECT SLEEP(30)";
        default:
            return "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                   "SELECT count(*) FROM n";
    }
}

/// Table t (id, name) with a text column wide enough for the bind checks.
void create_t(Connection& c) {
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(200))");
}

std::string count_t(Connection& c) {
    return c.query("SELECT count(*) FROM t").at(0).at(0).value_or("");
}

/// Another session that holds a lock on table t until it goes away: an open
/// transaction that read t (PostgreSQL, MariaDB: a table lock; SQLite: the
/// write lock of BEGIN IMMEDIATE).
std::unique_ptr<Connection> hold_table_t(test::TestDb& db) {
    auto other = db.open();
    other->begin();
    other->query("SELECT count(*) FROM t");
    return other;
}

/// The id lock_blockers() reports for `c`'s session.
std::string session_id(Connection& c) {
    switch (c.dialect()) {
        case Dialect::postgresql:
            return c.query("SELECT pg_backend_pid()").at(0).at(0).value_or("");
        case Dialect::mysql:
            return c.query("SELECT CONNECTION_ID()").at(0).at(0).value_or("");
        default:
            return "";
    }
}

/// A statement on t that needs the lock hold_table_t() holds.
const char* kNeedsTableLock = "ALTER TABLE t ADD COLUMN extra INTEGER";

/// Whether an index `name` exists, asked of the catalog (not of the driver).
bool index_exists(test::TestDb& db, const std::string& name) {
    switch (db.dialect()) {
        case Dialect::postgresql:
            return db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = ?", {name}) != "0";
        case Dialect::mysql:
            return db.scalar(
                       "SELECT count(*) FROM information_schema.statistics WHERE "
                       "table_schema = DATABASE() AND index_name = ?",
                       {name}) != "0";
        default:
            return db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                             {name}) != "0";
    }
}

}  // namespace

TEST_CASE("Connection::dialect names the database the URL chose", "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    CHECK(db->conn().dialect() == d);
    CHECK(db->open()->dialect() == d);
}

TEST_CASE("Connection::execute runs a statement as written and throws DbError on failure",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    c.execute("INSERT INTO t (id, name) VALUES (1, 'one')");
    CHECK(db->has_table("t"));
    CHECK(count_t(c) == "1");
    // Outside begin() each statement is its own transaction: another session sees it.
    CHECK(db->open()->query("SELECT name FROM t").at(0).at(0) == Value("one"));

    SECTION("a failing statement: DbError of kind statement, the session still usable") {
        try {
            c.execute("INSERT INTO no_such_table VALUES (1)");
            FAIL("no DbError");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::statement);
            CHECK_FALSE(e.describe().empty());
        }
        CHECK_THROWS_AS(c.execute("THIS IS NOT SQL"), DbError);
        CHECK(count_t(c) == "1");
    }
    SECTION("a constraint violation is a statement error too") {
        try {
            c.execute("INSERT INTO t (id, name) VALUES (1, 'again')");
            FAIL("no DbError");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::statement);
        }
        CHECK(count_t(c) == "1");
    }
}

TEST_CASE("Connection::query binds ? parameters and returns rows as text",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    // Text with quotes, '?', non-ASCII and NULL, through binds, read back as written.
    test::check_binds(c, "CREATE TABLE binds (id INTEGER PRIMARY KEY, name VARCHAR(200))", "binds");
    // Numbers travel as text; a statement without a result gives no rows.
    Rows r = c.query("SELECT 1 + 1, ?", {Value("x")});
    REQUIRE(r.size() == 1);
    REQUIRE(r[0].size() == 2);
    CHECK(r[0][0] == Value("2"));
    CHECK(r[0][1] == Value("x"));
    CHECK(c.query("SELECT id FROM binds WHERE id = ?", {Value("42")}).empty());
    CHECK_THROWS_AS(c.query("SELECT * FROM no_such_table WHERE id = ?", {Value("1")}), DbError);
    CHECK(c.query("SELECT count(*) FROM binds").at(0).at(0) == Value("1"));
}

TEST_CASE("Connection::begin / commit / rollback bound a transaction",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);

    SECTION("rollback undoes, commit keeps; rollback with nothing open does not throw") {
        test::check_rollback(c, "t");
    }
    SECTION("uncommitted rows are invisible to another session until commit") {
        auto other = db->open();
        c.begin();
        c.execute("INSERT INTO t (id, name) VALUES (5, 'five')");
        if (d != Dialect::sqlite) CHECK(count_t(*other) == "0");  // SQLite: writer excludes
        c.commit();
        CHECK(count_t(*other) == "1");
    }
    SECTION("DDL: rolled back where the database has transactional DDL") {
        c.begin();
        c.execute("CREATE TABLE in_tx (x INTEGER)");
        c.rollback();
        CHECK(db->has_table("in_tx") == !test::transactional_ddl(d));
    }
    SECTION("after a failed statement the transaction still rolls back cleanly") {
        c.begin();
        c.execute("INSERT INTO t (id, name) VALUES (6, 'six')");
        CHECK_THROWS_AS(c.execute("INSERT INTO no_such_table VALUES (1)"), DbError);
        c.rollback();
        CHECK(count_t(c) == "0");
        CHECK_FALSE(c.in_transaction());
    }
}

TEST_CASE("Connection::in_transaction follows begin, commit, rollback and SQL that ends it",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    CHECK_FALSE(c.in_transaction());
    c.begin();
    CHECK(c.in_transaction());
    c.execute("INSERT INTO t (id, name) VALUES (1, 'one')");
    CHECK(c.in_transaction());
    c.commit();
    CHECK_FALSE(c.in_transaction());
    c.begin();
    c.rollback();
    CHECK_FALSE(c.in_transaction());
    // A revision's own COMMIT ends the transaction begin() opened: the run
    // layer reports that revision dirty, so the driver must notice.
    c.begin();
    c.execute("INSERT INTO t (id, name) VALUES (2, 'two')");
    c.execute("COMMIT");
    CHECK_FALSE(c.in_transaction());
    CHECK(count_t(*db->open()) == "2");
}

TEST_CASE("Connection::try_lock / unlock: one holder per name across sessions",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    // Exclusive, released by unlock() and by the holder going away.
    test::check_lock([&] { return db->open(); }, true);

    SECTION("unlock of a name not held does not throw") {
        auto a = db->open();
        CHECK_NOTHROW(a->unlock("schemagate:never-taken"));
        REQUIRE(a->try_lock("schemagate:taken-after"));
        a->unlock("schemagate:taken-after");
    }
}

TEST_CASE("Connection::lock_holder says who holds the lock, empty when free",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    const std::string name = "schemagate:holder_test";
    auto a = db->open();
    auto b = db->open();
    CHECK(b->lock_holder(name).empty());
    REQUIRE(a->try_lock(name));
    std::string holder = b->lock_holder(name);
    INFO(holder);
    CHECK_FALSE(holder.empty());
    if (d == Dialect::postgresql) CHECK(holder.find("pid " + session_id(*a)) == 0);
    if (d == Dialect::mysql) CHECK(holder.find("connection id " + session_id(*a)) == 0);
    if (d == Dialect::sqlite) CHECK(holder.find("pid " + std::to_string(::getpid())) == 0);
    a->unlock(name);
    CHECK(b->lock_holder(name).empty());
}

TEST_CASE("Connection::cancel interrupts the running statement from another thread",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    CHECK_NOTHROW(c.cancel());  // nothing running: harmless
    CHECK(c.query("SELECT 1").at(0).at(0) == Value("1"));
    // Kind cancelled within seconds, and the session still usable.
    test::check_cancel(c, long_statement(d));
}

TEST_CASE("Connection::set_ddl_lock_timeout makes a lock wait fail with exit 6",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    auto other = hold_table_t(*db);
    c.set_ddl_lock_timeout(200ms);  // MariaDB: whole seconds, rounded up to 1 s
    try {
        c.execute(kNeedsTableLock);
        FAIL("the statement did not wait for the lock");
    } catch (const DbError& e) {
        INFO(e.describe());
        // Exit 6 as for the migration lock: SQLite kind busy; PostgreSQL
        // 55P03 and MariaDB 1205 keep kind statement and map by their code.
        CHECK(e.code() == ExitCode::lock_timeout);
        if (d == Dialect::sqlite) CHECK(e.kind() == DbErrorKind::busy);
    }
    other->rollback();
    // Once the lock is free the same statement goes through.
    CHECK_NOTHROW(c.execute(kNeedsTableLock));

    SECTION("inside a transaction too") {
        auto again = hold_table_t(*db);
        // SQLite: BEGIN IMMEDIATE itself waits for the writer, and gives up as busy.
        CHECK_THROWS_AS(
            [&] {
                c.begin();
                c.set_ddl_lock_timeout(200ms);
                c.execute("ALTER TABLE t ADD COLUMN extra2 INTEGER");
            }(),
            DbError);
        c.rollback();
        CHECK_FALSE(c.in_transaction());
        again->rollback();
    }
    SECTION("zero goes back to the database's default without error") {
        CHECK_NOTHROW(c.set_ddl_lock_timeout(0ms));
        CHECK(c.query("SELECT 1").at(0).at(0) == Value("1"));
    }
}

TEST_CASE("Connection::lock_blockers names the session a timed-out statement waited for",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    auto other = hold_table_t(*db);
    std::string other_id = session_id(*other);
    c.set_ddl_lock_timeout(200ms);
    CHECK_THROWS_AS(c.execute(kNeedsTableLock), DbError);
    auto blockers = c.lock_blockers({"t"});
    if (d == Dialect::sqlite) {
        CHECK(blockers.empty());  // SQLite cannot tell who holds its file lock
    } else {
        // MariaDB without the metadata_lock_info plugin lists every session with
        // an open transaction: the holder is one of them.
        const LockBlocker* found = nullptr;
        for (const auto& b : blockers)
            if (b.id == other_id) found = &b;
        REQUIRE(found);
        CHECK_FALSE(found->user.empty());
        if (d == Dialect::postgresql) CHECK(found->transaction_age_s >= 0);
    }
    other->rollback();
    other.reset();
    if (d != Dialect::postgresql) return;
    // Nobody left holding t (a server ends the closed session a moment later).
    bool cleared = false;
    for (int i = 0; i < 40 && !cleared; ++i) {
        cleared = c.lock_blockers({"t"}).empty();
        if (!cleared) std::this_thread::sleep_for(50ms);
    }
    CHECK(cleared);
}

TEST_CASE("Connection::index_valid tells a valid index from an invalid one (PostgreSQL)",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    c.execute("CREATE INDEX t_name ON t (name)");
    CHECK(c.index_valid("no_such_index") == std::nullopt);
    if (d != Dialect::postgresql) {
        CHECK(c.index_valid("t_name") == std::nullopt);  // only PostgreSQL can tell
        return;
    }
    CHECK(c.index_valid("t_name") == std::optional<bool>(true));
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind.
    c.execute("INSERT INTO t (id, name) VALUES (1, 'dup'), (2, 'dup')");
    CHECK_THROWS_AS(c.execute("CREATE UNIQUE INDEX CONCURRENTLY t_name_unique ON t (name)"),
                    DbError);
    CHECK(c.index_valid("t_name_unique") == std::optional<bool>(false));
}

TEST_CASE("Connection::drop_index drops an index concurrently (PostgreSQL), else nothing",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    create_t(c);
    c.execute("CREATE INDEX t_name ON t (name)");
    CHECK_NOTHROW(c.drop_index("no_such_index"));  // IF EXISTS
    c.drop_index("t_name");
    CHECK(index_exists(*db, "t_name") == (d != Dialect::postgresql));
    if (d == Dialect::postgresql) {
        // A name that needs quoting is quoted, not spliced.
        c.execute("CREATE INDEX \"Odd Name\" ON t (id)");
        c.drop_index("Odd Name");
        CHECK_FALSE(index_exists(*db, "Odd Name"));
    }
}

TEST_CASE("Connection::check_writable passes on a database this user may change",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    CHECK_NOTHROW(db->conn().check_writable());
    if (d == Dialect::sqlite && ::geteuid() != 0) {
        // A read-only file (root may write anyway, so only as another user).
        auto path = db->url().substr(std::string("sqlite:///").size());
        REQUIRE(::chmod(path.c_str(), 0400) == 0);
        try {
            db->open()->check_writable();
            FAIL("no DbError for a read-only file");
        } catch (const DbError& e) {
            CHECK(e.kind() == DbErrorKind::auth);
        }
        ::chmod(path.c_str(), 0600);
    }
}

TEST_CASE("Connection::database_name is the database (SQLite: the file stem)",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    CHECK(db->conn().database_name() == db->name());
}

TEST_CASE("Connection::current_schema is the schema tables are created in",
          "[conformance][connection]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    std::string expected = d == Dialect::postgresql ? "public"
                           : d == Dialect::mysql    ? db->name()
                                                    : "main";
    CHECK(db->conn().current_schema() == expected);
    if (d == Dialect::postgresql) {
        db->conn().execute("CREATE SCHEMA other");
        db->conn().execute("SET search_path TO other");
        CHECK(db->conn().current_schema() == "other");
    }
}
