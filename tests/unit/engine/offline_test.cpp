#include <catch2/catch.hpp>

#include "engine/migrator.hpp"
#include "scripts_fixture.hpp"

using namespace sg;
using test::updown;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("offline scripts: DDL, per-step comments, transactions and row ops",
          "[engine][offline]") {
    test::MigrationsDir dir;
    dir.add({"a1", "", updown("CREATE TABLE a (x INTEGER);", "DROP TABLE a;")});
    dir.add({"b2", "a1", updown("CREATE TABLE b (x INTEGER);", "DROP TABLE b;"),
             "-- transaction: false\n"});
    auto scripts = dir.load();
    auto steps = scripts.graph.plan_upgrade({}, "head");

    auto pg = render_offline(scripts, Dialect::postgresql, {}, steps, {}, true);
    CHECK(contains(pg, "CREATE TABLE IF NOT EXISTS \"alembic_version\""));
    CHECK(contains(pg, "-- Running upgrade  -> a1\n"));
    CHECK(contains(pg, "-- Running upgrade a1 -> b2\n"));
    CHECK(contains(pg,
                   "BEGIN;\n\nCREATE TABLE a (x INTEGER);\n\n"
                   "INSERT INTO \"alembic_version\" (version_num) VALUES ('a1');\n\nCOMMIT;"));
    // transaction: false: no BEGIN around b2
    auto b2 = pg.substr(pg.find("-> b2"));
    CHECK_FALSE(contains(b2, "BEGIN;"));
    CHECK(contains(b2,
                   "UPDATE \"alembic_version\" SET version_num = 'b2' WHERE version_num = 'a1';"));

    auto my = render_offline(scripts, Dialect::mysql, {}, steps, {}, false);
    CHECK_FALSE(contains(my, "CREATE TABLE IF NOT EXISTS `alembic_version`"));
    CHECK_FALSE(contains(my, "BEGIN;"));
    CHECK(contains(my, "`alembic_version`"));

    auto down = render_offline(scripts, Dialect::sqlite, {},
                               scripts.graph.plan_downgrade({"b2"}, "base"), {"b2"}, false);
    CHECK(contains(down, "-- Running downgrade b2 -> a1"));
    CHECK(contains(down, "DROP TABLE b;"));
    CHECK(contains(down, "DELETE FROM \"alembic_version\" WHERE version_num = 'a1';"));
}

TEST_CASE("offline MySQL wraps statements with ';' inside in DELIMITER", "[engine][offline]") {
    test::MigrationsDir dir;
    dir.add(
        {"p1", "",
         "-- +upgrade mysql\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; "
         "END//\nDELIMITER ;\nCREATE TABLE t (x INT);\n-- +upgrade\nCREATE TABLE t (x INT);\n"});
    auto scripts = dir.load();
    auto my = render_offline(scripts, Dialect::mysql, {}, scripts.graph.plan_upgrade({}, "head"),
                             {}, true);
    CHECK(contains(my,
                   "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END\n//\n"
                   "DELIMITER ;\n"));
    CHECK(contains(my, "CREATE TABLE t (x INT);"));
}

TEST_CASE("offline refuses a downgrade without a downgrade section", "[engine][offline]") {
    test::MigrationsDir dir;
    dir.add({"a1", "", "-- +upgrade\nCREATE TABLE a (x INTEGER);\n"});
    auto scripts = dir.load();
    try {
        render_offline(scripts, Dialect::sqlite, {}, scripts.graph.plan_downgrade({"a1"}, "base"),
                       {"a1"}, false);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::invalid);
    }
}
