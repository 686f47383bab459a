// Conformance: offline `--sql` scripts piped into psql / mariadb / sqlite3
// give the same database as an online upgrade; dialect constructs end to end.
#include <fstream>
#include <functional>

#include "conformance_support.hpp"

using namespace sg;
using test::Names;
using test::RevFile;
using test::updown;


namespace {

void branchy(test::MigrationsDir& dir) {
    dir.add({"a0001", "",
             updown("CREATE TABLE ta (id INTEGER, name VARCHAR(40));\n"
                    "INSERT INTO ta VALUES (1, 'it''s – ü');",
                    "DROP TABLE ta;")});
    dir.add({"b0001", "a0001", updown("CREATE TABLE tb (id INTEGER);", "DROP TABLE tb;")});
    dir.add({"c0001", "a0001", updown("CREATE TABLE tc (id INTEGER);", "DROP TABLE tc;")});
    dir.add({"m0001", "b0001,c0001", updown("CREATE TABLE tm (id INTEGER);", "DROP TABLE tm;")});
    dir.add({"d0001", "m0001", updown("CREATE TABLE td (id INTEGER);", "DROP TABLE td;")});
}

// Writes `sql` to a file in `dir` and pipes it into the database's client.
void pipe_into(test::TestDb& db, const test::TempDir& dir, const std::string& name,
               const std::string& sql) {
    std::string path = dir.file(name);
    std::ofstream(path, std::ios::binary) << sql;
    std::string output;
    int status = db.pipe_script(path, &output);
    INFO("script " << path << ":\n" << sql.substr(0, 4000) << "\nclient output:\n" << output);
    REQUIRE(status == 0);
}

// Upgrades db_online online and db_offline through the offline script, then
// checks both with `check` and compares tables and version rows.
void online_vs_offline(test::TestDb& online, test::TestDb& offline, const ScriptDirectory& scripts,
                       const std::function<void(test::TestDb&)>& check) {
    Dialect d = online.dialect();
    test::Runner r{online, scripts};
    r.upgrade("heads");
    test::TempDir tmp("sg-offline");
    auto steps = scripts.graph.plan_upgrade({}, "heads");
    pipe_into(offline, tmp, "up.sql", render_offline(scripts, d, {}, steps, {}, true));
    StateStore off(offline.conn(), {});
    CHECK(off.versions() == r.versions());
    CHECK(offline.tables() == online.tables());
    CHECK(off.history().empty());  // no history rows offline
    check(online);
    check(offline);

    // Downgrade to base offline, from the rows the upgrade left.
    auto heads = off.versions();
    auto down = scripts.graph.plan_downgrade(heads, "base");
    pipe_into(offline, tmp, "down.sql", render_offline(scripts, d, {}, down, heads, false));
    CHECK(off.versions().empty());
    CHECK(offline.tables() == Names{"alembic_version", "schemagate_history"});
    // And online too.
    r.downgrade("base");
    CHECK(online.tables() == Names{"alembic_version", "schemagate_history"});
}

}  // namespace

TEST_CASE("offline SQL piped into the client matches an online upgrade", "[conformance]") {
    Dialect d = SG_BACKENDS;
    auto online = test::fresh_db(d);
    if (!online) return;
    auto offline = test::fresh_db(d);
    INFO(dialect_name(d));
    test::MigrationsDir dir;
    branchy(dir);
    auto scripts = dir.load();
    online_vs_offline(*online, *offline, scripts, [](test::TestDb& db) {
        CHECK(db.scalar("SELECT name FROM ta WHERE id = 1") == u8"it's – ü");
    });
}

TEST_CASE("PostgreSQL constructs: $$ functions, DO blocks, BEGIN ATOMIC, CONCURRENTLY",
          "[conformance][postgresql]") {
    auto online = test::fresh_db(Dialect::postgresql);
    if (!online) return;
    auto offline = test::fresh_db(Dialect::postgresql);
    test::MigrationsDir dir;
    dir.add(
        {"p0001", "",
         updown("CREATE TABLE tp (id INTEGER, note TEXT);\n"
                "CREATE FUNCTION add_one(i integer) RETURNS integer AS $$\n"
                "BEGIN\n  RETURN i + 1; -- a ; inside\nEND;\n$$ LANGUAGE plpgsql;\n"
                "CREATE FUNCTION tagged() RETURNS text AS $body$ SELECT 'a;b'::text $body$ "
                "LANGUAGE sql;\n"
                "DO $$ BEGIN INSERT INTO tp VALUES (add_one(1), 'do;block'); END $$;\n"
                "CREATE FUNCTION two() RETURNS integer LANGUAGE sql\nBEGIN ATOMIC\n"
                "  SELECT 1;\n  SELECT 2;\nEND;",
                "DROP FUNCTION two();\nDROP FUNCTION tagged();\nDROP FUNCTION add_one(integer);\n"
                "DROP TABLE tp;")});
    dir.add({"p0002", "p0001",
             updown("CREATE INDEX CONCURRENTLY ix_tp_id ON tp (id);",
                    "DROP INDEX CONCURRENTLY ix_tp_id;"),
             "-- transaction: false\n"});
    auto scripts = dir.load();
    online_vs_offline(*online, *offline, scripts, [](test::TestDb& db) {
        CHECK(db.scalar("SELECT add_one(41)") == "42");
        CHECK(db.scalar("SELECT tagged()") == "a;b");
        CHECK(db.scalar("SELECT two()") == "2");
        CHECK(db.scalar("SELECT note FROM tp") == "do;block");
        CHECK(db.scalar("SELECT indexname FROM pg_indexes WHERE tablename = 'tp'") == "ix_tp_id");
        CHECK(db.scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
                        "'ix_tp_id'::regclass") == "true");
    });
}

TEST_CASE("MySQL constructs: DELIMITER procedures and triggers, /*! */ comments",
          "[conformance][mysql]") {
    auto online = test::fresh_db(Dialect::mysql);
    if (!online) return;
    auto offline = test::fresh_db(Dialect::mysql);
    test::MigrationsDir dir;
    dir.add({"y0001", "",
             updown("/*!40101 SET @saved_mode = @@SESSION.sql_mode */;\n"
                    "CREATE TABLE tm (id INT, note VARCHAR(50)) /*!50100 ENGINE=InnoDB */;\n"
                    "CREATE TABLE tm_log (msg VARCHAR(50));\n"
                    "# a MySQL hash comment; with a semicolon\n"
                    "DELIMITER //\n"
                    "CREATE PROCEDURE add_row(IN n INT)\nBEGIN\n"
                    "  INSERT INTO tm VALUES (n, 'proc;row');\n"
                    "  INSERT INTO tm_log VALUES ('proc');\nEND//\n"
                    "CREATE TRIGGER tm_ai AFTER INSERT ON tm FOR EACH ROW\nBEGIN\n"
                    "  INSERT INTO tm_log VALUES (CONCAT('trigger ', NEW.id));\nEND//\n"
                    "DELIMITER ;\n"
                    "CALL add_row(7);",
                    "DROP TRIGGER tm_ai;\nDROP PROCEDURE add_row;\nDROP TABLE tm_log;\n"
                    "DROP TABLE tm;")});
    auto scripts = dir.load();
    online_vs_offline(*online, *offline, scripts, [](test::TestDb& db) {
        CHECK(db.scalar("SELECT note FROM tm WHERE id = 7") == "proc;row");
        CHECK(db.scalar("SELECT COUNT(*) FROM tm_log") == "2");
        CHECK(db.scalar("SELECT msg FROM tm_log WHERE msg LIKE 'trigger%'") == "trigger 7");
    });
}

TEST_CASE("SQLite constructs: triggers with BEGIN ... END", "[conformance][sqlite]") {
    auto online = test::fresh_db(Dialect::sqlite);
    auto offline = test::fresh_db(Dialect::sqlite);
    test::MigrationsDir dir;
    dir.add({"s0001", "",
             updown("CREATE TABLE ts (id INTEGER, note TEXT);\n"
                    "CREATE TABLE ts_log (msg TEXT);\n"
                    "CREATE TRIGGER ts_ai AFTER INSERT ON ts BEGIN\n"
                    "  INSERT INTO ts_log VALUES ('trigger;' || NEW.id);\n"
                    "  UPDATE ts SET note = 'seen' WHERE id = NEW.id;\nEND;\n"
                    "INSERT INTO ts (id) VALUES (1);",
                    "DROP TRIGGER ts_ai;\nDROP TABLE ts_log;\nDROP TABLE ts;")});
    auto scripts = dir.load();
    online_vs_offline(*online, *offline, scripts, [](test::TestDb& db) {
        CHECK(db.scalar("SELECT msg FROM ts_log") == "trigger;1");
        CHECK(db.scalar("SELECT note FROM ts") == "seen");
    });
}
