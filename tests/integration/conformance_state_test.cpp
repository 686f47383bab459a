// Conformance: the version and history tables on every backend.
#include "conformance_support.hpp"
#include "engine/transaction.hpp"

using namespace sg;
using test::Names;

TEST_CASE("version table: created as Alembic does, read back, empty when missing",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    StateStore s(db->conn(), {});
    CHECK(s.versions().empty());
    CHECK(s.history().empty());
    CHECK_FALSE(s.dirty_step());
    CHECK(s.applied_checksums().empty());
    CHECK(db->tables().empty());  // reading creates nothing

    db->conn().begin();
    s.ensure_tables();
    db->conn().commit();
    CHECK(db->tables() == Names{"alembic_version", "schemagate_history"});
    s.ensure_tables();  // idempotent

    // The shape Alembic expects: version_num VARCHAR(32) NOT NULL, primary key.
    if (d != Dialect::sqlite) {
        auto rows = db->conn().query(
            "SELECT column_name, data_type, character_maximum_length, is_nullable FROM "
            "information_schema.columns WHERE table_name = 'alembic_version' AND table_schema = " +
            std::string(d == Dialect::postgresql ? "current_schema()" : "DATABASE()"));
        REQUIRE(rows.size() == 1);
        CHECK(rows[0][0] == Value("version_num"));
        CHECK(rows[0][2] == Value("32"));
        CHECK(rows[0][3] == Value("NO"));
        auto pk = db->conn().query(
            "SELECT constraint_name FROM information_schema.table_constraints WHERE table_name = "
            "'alembic_version' AND constraint_type = 'PRIMARY KEY' AND table_schema = " +
            std::string(d == Dialect::postgresql ? "current_schema()" : "DATABASE()"));
        REQUIRE(pk.size() == 1);
        if (d == Dialect::postgresql) CHECK(pk[0][0] == Value("alembic_version_pkc"));
    } else {
        CHECK(db->scalar("SELECT pk FROM pragma_table_info('alembic_version') WHERE name = "
                         "'version_num'") == "1");
    }
    s.apply({{RowOp::insert, "", "b1"}, {RowOp::insert, "", "a1"}});
    CHECK(s.versions() == Names{"a1", "b1"});
    // Another session sees the same rows (what Alembic would read).
    auto other = db->open();
    CHECK(other->query("SELECT version_num FROM alembic_version ORDER BY version_num").size() == 2);
    // The primary key refuses a duplicate row.
    CHECK_THROWS_AS(s.apply({{RowOp::insert, "", "a1"}}), DbError);
}

TEST_CASE("history rows round-trip on every backend", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    StateStore s(db->conn(), {});
    s.ensure_tables();
    HistoryRow r;
    r.revision = "a1";
    r.operation = "upgrade";
    r.from_heads = "";
    r.to_heads = "a1";
    r.checksum = std::string(64, 'c');
    r.message = u8"Ajoute la colonne « e-mail » – 東京 🙂";
    r.started_at = "2026-01-02 03:04:05";
    r.finished_at = "2026-01-02 03:04:06";
    r.duration_ms = 1234;
    r.success = true;
    r.statements_done = r.statements_total = 3;
    r.applied_by = "pod-7";
    r.tool_version = "0.1.0";
    auto id = s.history_insert(r);
    r.revision = "b2";
    r.success = false;
    r.dirty = true;
    r.finished_at = "";
    r.error = "x.sql:3: boom (SQLSTATE 42000)";
    auto id2 = s.history_insert(r);
    CHECK(id2 > id);
    auto h = s.history();
    REQUIRE(h.size() == 2);
    CHECK(h[0].id == id);
    CHECK(h[0].message == r.message);
    CHECK(h[0].started_at == "2026-01-02 03:04:05");
    CHECK(h[0].finished_at == "2026-01-02 03:04:06");
    CHECK(h[0].duration_ms == 1234);
    CHECK(h[0].success);
    CHECK_FALSE(h[0].dirty);
    CHECK(h[1].finished_at.empty());
    CHECK(h[1].dirty);
    auto dirty = s.dirty_step();
    REQUIRE(dirty);
    CHECK(dirty->id == id2);
    CHECK(dirty->error == r.error);
    CHECK(s.applied_checksums() == std::map<std::string, std::string>{{"a1", r.checksum}});
    dirty->dirty = false;
    dirty->finished_at = "2026-01-02 03:05:00";
    s.history_update(*dirty);
    CHECK_FALSE(s.dirty_step());
}

TEST_CASE("table names are identifiers; custom names work", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    for (auto bad : {"alembic_version; DROP TABLE x", "a b", "a\"b", "a`b", "1x", "x'y", ""}) {
        INFO(bad);
        CHECK(test::error_code([&] { StateStore(db->conn(), {bad, "h"}); }) == ExitCode::usage);
        CHECK(test::error_code([&] { StateStore(db->conn(), {"v", bad}); }) == ExitCode::usage);
    }
    if (d != Dialect::postgresql)
        CHECK(test::error_code([&] { StateStore(db->conn(), {"app.v", "h"}); }) == ExitCode::usage);
    CHECK(db->tables().empty());

    StateStore s(db->conn(), {"MyVersions", "my_history2"});
    s.ensure_tables();
    s.set_versions({"x1"});
    CHECK(s.versions() == Names{"x1"});
    CHECK(s.version_table_exists());
    StateStore other(db->conn(), {});
    CHECK_FALSE(other.version_table_exists());
}

TEST_CASE("schema-qualified version table on PostgreSQL", "[conformance][postgresql]") {
    auto db = test::fresh_db(Dialect::postgresql);
    if (!db) return;
    db->conn().execute("CREATE SCHEMA app");
    StateStore s(db->conn(), {"app.alembic_version", "schemagate_history"});
    CHECK(s.names().history == "app.schemagate_history");
    CHECK(s.versions().empty());
    s.ensure_tables();
    s.set_versions({"r1"});
    CHECK(s.versions() == Names{"r1"});
    CHECK(db->tables().empty());  // nothing in public
    CHECK(db->scalar("SELECT version_num FROM app.alembic_version") == "r1");
    // A same-named table in the search_path is not confused with it.
    StateStore plain(db->conn(), {});
    CHECK(plain.versions().empty());
    // A whole upgrade keeps its state in the schema.
    test::MigrationsDir dir;
    dir.add({"q0001", "", test::updown("CREATE TABLE tq (id INTEGER);", "DROP TABLE tq;")});
    auto scripts = dir.load();
    test::Runner r{*db, scripts, {"app.alembic_version", "schemagate_history"}};
    s.set_versions({});
    CHECK(r.upgrade().size() == 1);
    CHECK(db->scalar("SELECT version_num FROM app.alembic_version") == "q0001");
    CHECK(db->scalar("SELECT revision FROM app.schemagate_history") == "q0001");
    CHECK(db->tables() == Names{"tq"});
    // search_path is respected for unqualified names, as the session has it
    // when a store first uses the tables (a URL's options=-csearch_path=...);
    // a later SET search_path (a revision's) does not move a store's tables.
    db->conn().execute("SET search_path TO app");
    CHECK(plain.versions().empty());
    StateStore fresh(db->conn(), {});
    CHECK(fresh.versions() == Names{"q0001"});
}

TEST_CASE("in_transaction follows begin, commit, rollback, the guard, and a COMMIT statement",
          "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto db = test::fresh_db(d);
    if (!db) return;
    INFO(dialect_name(d));
    Connection& c = db->conn();
    CHECK_FALSE(c.in_transaction());
    c.begin();
    CHECK(c.in_transaction());
    c.execute("COMMIT");  // a migration statement ending the transaction
    CHECK_FALSE(c.in_transaction());
    c.begin();
    c.rollback();
    CHECK_FALSE(c.in_transaction());
    {
        Transaction tx(c);
        CHECK(c.in_transaction());
        c.execute("CREATE TABLE guarded (x INTEGER)");
    }  // not committed: rolled back (MySQL commits DDL implicitly, so no table check there)
    CHECK_FALSE(c.in_transaction());
    if (d != Dialect::mysql) CHECK_FALSE(db->has_table("guarded"));
}
