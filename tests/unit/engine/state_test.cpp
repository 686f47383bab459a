#include <catch2/catch.hpp>

#include "engine/offline.hpp"
#include "engine/state.hpp"
#include "support/fake_connection.hpp"

using namespace sg;

TEST_CASE("table names are validated as identifiers", "[engine][state]") {
    CHECK_NOTHROW(validate_table_name("alembic_version", Dialect::sqlite));
    CHECK_NOTHROW(validate_table_name("_v2", Dialect::mysql));
    CHECK_NOTHROW(validate_table_name("app.alembic_version", Dialect::postgresql));
    for (auto bad :
         {"", "1abc", "a-b", "a b", "x;DROP TABLE y", "a\"b", "a`b", "a.b.c", ".a", "a.", "é"}) {
        INFO(bad);
        CHECK_THROWS_AS(validate_table_name(bad, Dialect::postgresql), Error);
    }
    CHECK_THROWS(validate_table_name("app.alembic_version", Dialect::mysql));
    CHECK_THROWS(validate_table_name("app.alembic_version", Dialect::sqlite));
    CHECK_THROWS(validate_table_name(std::string(64, 'a'), Dialect::sqlite));
    try {
        validate_table_name("a;b", Dialect::sqlite);
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
    }
}

TEST_CASE("a StateStore rejects a bad name before any SQL", "[engine][state]") {
    test::FakeConnection conn;
    CHECK_THROWS_AS(StateStore(conn, TableNames{"bad name", "h"}), Error);
    CHECK(conn.calls.empty());
}

TEST_CASE("versions are empty without the table; ensure_tables creates both", "[engine][state]") {
    test::FakeConnection conn;
    StateStore s(conn, {});
    CHECK(s.versions().empty());
    CHECK(s.history().empty());
    CHECK_FALSE(s.dirty_step());
    CHECK_FALSE(s.version_table_exists());
    s.ensure_tables();
    s.ensure_tables();  // idempotent
    CHECK(s.version_table_exists());
    CHECK(s.history_table_exists());
    auto ddl = conn.query("SELECT sql FROM sqlite_master WHERE name = 'alembic_version'");
    REQUIRE(ddl.size() == 1);
    CHECK(ddl[0][0]->find("version_num VARCHAR(32) NOT NULL") != std::string::npos);
    CHECK(ddl[0][0]->find("CONSTRAINT \"alembic_version_pkc\" PRIMARY KEY (version_num)") !=
          std::string::npos);
}

TEST_CASE("row ops insert, update and remove version rows", "[engine][state]") {
    test::FakeConnection conn;
    StateStore s(conn, {"my_versions", "my_history"});
    s.ensure_tables();
    s.apply({{RowOp::insert, "", "b1"}, {RowOp::insert, "", "a1"}});
    CHECK(s.versions() == std::vector<std::string>{"a1", "b1"});
    s.apply({{RowOp::update, "a1", "a2"}, {RowOp::remove, "b1", ""}});
    CHECK(s.versions() == std::vector<std::string>{"a2"});
    s.set_versions({"x", "y"});
    CHECK(s.versions() == std::vector<std::string>{"x", "y"});
    s.set_versions({});
    CHECK(s.versions().empty());
}

TEST_CASE("history rows round-trip; dirty step and checksums", "[engine][state]") {
    test::FakeConnection conn;
    StateStore s(conn, {});
    s.ensure_tables();
    HistoryRow r;
    r.revision = "a1";
    r.operation = "upgrade";
    r.to_heads = "a1";
    r.checksum = "c1";
    r.message = "héllo ✓";
    r.started_at = "2026-01-02 03:04:05";
    r.finished_at = "2026-01-02 03:04:06";
    r.duration_ms = 1000;
    r.success = true;
    r.statements_done = r.statements_total = 2;
    r.applied_by = "pod-1";
    r.tool_version = "0.1.0";
    auto id1 = s.history_insert(r);
    r.revision = "b1";
    r.checksum = "c2";
    r.success = false;
    r.dirty = true;
    r.error = "f.sql:3: boom";
    r.statements_done = 1;
    auto id2 = s.history_insert(r);
    CHECK(id2 > id1);
    auto h = s.history();
    REQUIRE(h.size() == 2);
    CHECK(h[0].message == "héllo ✓");
    CHECK(h[0].success);
    CHECK(h[0].duration_ms == 1000);
    CHECK(h[0].applied_by == "pod-1");
    auto d = s.dirty_step();
    REQUIRE(d);
    CHECK(d->id == id2);
    CHECK(d->error == "f.sql:3: boom");
    CHECK(d->statements_done == 1);
    CHECK(s.applied_checksums() == std::map<std::string, std::string>{{"a1", "c1"}});
    d->dirty = false;
    d->success = true;
    s.history_update(*d);
    CHECK_FALSE(s.dirty_step());
    CHECK(s.applied_checksums().at("b1") == "c2");
}

TEST_CASE("offline SQL quotes literals and names per dialect", "[engine][offline]") {
    CHECK(OfflineSql::quote_literal(Dialect::postgresql, "it's") == "'it''s'");
    CHECK(OfflineSql::quote_literal(Dialect::mysql, "a\\'b") == "'a\\\\''b'");
    TableNames pg{"app.alembic_version", "schemagate_history"};
    auto ddl = OfflineSql::create_tables(Dialect::postgresql, pg);
    CHECK(ddl.find("CREATE TABLE IF NOT EXISTS \"app\".\"alembic_version\"") != std::string::npos);
    CHECK(ddl.find("\"app\".\"schemagate_history\"") != std::string::npos);
    CHECK(ddl.find("BIGSERIAL") != std::string::npos);
    auto my = OfflineSql::create_tables(Dialect::mysql, {});
    CHECK(my.find("`alembic_version`") != std::string::npos);
    CHECK(my.find("AUTO_INCREMENT") != std::string::npos);
    auto ops = OfflineSql::row_ops(
        Dialect::sqlite, {},
        {{RowOp::insert, "", "a"}, {RowOp::update, "a", "b"}, {RowOp::remove, "b", ""}});
    REQUIRE(ops.size() == 3);
    CHECK(ops[0] == "INSERT INTO \"alembic_version\" (version_num) VALUES ('a');");
    CHECK(ops[1] == "UPDATE \"alembic_version\" SET version_num = 'b' WHERE version_num = 'a';");
    CHECK(ops[2] == "DELETE FROM \"alembic_version\" WHERE version_num = 'b';");
    CHECK_THROWS(OfflineSql::row_ops(Dialect::sqlite, {"x;y", "h"}, {}));
}
