// Transaction control in transactional revisions is refused when the file is
// parsed (file:line), for every dialect; bodies of routines and triggers and
// `transaction: false` revisions are left alone.
#include <catch2/catch.hpp>

#include "problems.hpp"
#include "script/migration.hpp"

using sg::Dialect;
using sg::parse_migration;
using sg::ScriptError;
using sg::transaction_control;

namespace {

const std::string k_head = "-- revision: abc123\n-- down_revision:\n";  // lines 1-2

using sg::test::problems;

bool one_at(const std::vector<std::string>& all, const std::string& where,
            const std::string& what) {
    return all.size() == 1 && all[0].rfind(where + ": transaction control (" + what + ")", 0) == 0;
}

}  // namespace

TEST_CASE("transaction-control words", "[tx]") {
    for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite}) {
        INFO(sg::dialect_name(d));
        CHECK(transaction_control("COMMIT", d) == "COMMIT");
        CHECK(transaction_control("commit work", d) == "COMMIT");
        CHECK(transaction_control("COMMIT AND CHAIN", d) == "COMMIT");
        CHECK(transaction_control("BEGIN", d) == "BEGIN");
        CHECK(transaction_control("begin transaction", d) == "BEGIN");
        CHECK(transaction_control("BEGIN /* x */ WORK", d) == "BEGIN");
        CHECK(transaction_control("START TRANSACTION READ WRITE", d) == "START TRANSACTION");
        CHECK(transaction_control("ROLLBACK", d) == "ROLLBACK");
        CHECK(transaction_control("ROLLBACK AND NO CHAIN", d) == "ROLLBACK");
        // Savepoints nest inside the revision's transaction.
        CHECK(transaction_control("SAVEPOINT s1", d).empty());
        CHECK(transaction_control("RELEASE SAVEPOINT s1", d).empty());
        CHECK(transaction_control("ROLLBACK TO SAVEPOINT s1", d).empty());
        CHECK(transaction_control("rollback work to s1", d).empty());
        CHECK(transaction_control("ROLLBACK TRANSACTION TO s1", d).empty());
        // Words that only look alike.
        CHECK(transaction_control("START SLAVE", d).empty());
        CHECK(transaction_control("CREATE TABLE commit_log (begin INT)", d).empty());
        CHECK(transaction_control("COMMITTED", d).empty());
        CHECK(transaction_control("UPDATE t SET begin = 1", d).empty());
    }
    CHECK(transaction_control("END", Dialect::postgresql) == "END");
    CHECK(transaction_control("END TRANSACTION", Dialect::sqlite) == "END");
    CHECK(transaction_control("END", Dialect::mysql).empty());  // not a MySQL statement
    CHECK(transaction_control("ABORT", Dialect::postgresql) == "ABORT");
    CHECK(transaction_control("PREPARE TRANSACTION 'x'", Dialect::postgresql) ==
          "PREPARE TRANSACTION");
    CHECK(transaction_control("PREPARE stmt FROM 'SELECT 1'", Dialect::mysql).empty());
    // MariaDB's anonymous compound statement.
    CHECK(transaction_control("BEGIN NOT ATOMIC SELECT 1; END", Dialect::mysql).empty());
}

TEST_CASE("COMMIT in a transactional revision is refused with file:line", "[tx][parse]") {
    auto all = problems(k_head +
                        "-- +upgrade\n"                  // 3
                        "CREATE TABLE t (id INT);\n"     // 4
                        "COMMIT;\n"                      // 5
                        "INSERT INTO t VALUES (1);\n");  // 6
    CHECK(one_at(all, "m.sql:5", "COMMIT"));
    CHECK(all.at(0).find("-- transaction: false") != std::string::npos);
    CHECK_THROWS_AS(parse_migration(k_head + "-- +upgrade\nCOMMIT;\n", "m.sql"), ScriptError);
}

TEST_CASE("each transaction-control statement, in each dialect's own section", "[tx][parse]") {
    struct Case {
        const char* dialect;
        const char* sql;
        const char* word;
    };
    for (const Case& c :
         {Case{"postgresql", "BEGIN;", "BEGIN"}, Case{"postgresql", "END;", "END"},
          Case{"postgresql", "ROLLBACK;", "ROLLBACK"},
          Case{"postgresql", "START TRANSACTION;", "START TRANSACTION"},
          Case{"postgresql", "ABORT;", "ABORT"},
          Case{"mysql", "START TRANSACTION;", "START TRANSACTION"},
          Case{"mysql", "COMMIT;", "COMMIT"}, Case{"mysql", "BEGIN WORK;", "BEGIN"},
          Case{"mysql", "ROLLBACK;", "ROLLBACK"}, Case{"sqlite", "BEGIN IMMEDIATE;", "BEGIN"},
          Case{"sqlite", "END TRANSACTION;", "END"}, Case{"sqlite", "COMMIT;", "COMMIT"},
          Case{"sqlite", "ROLLBACK;", "ROLLBACK"}}) {
        INFO(c.dialect << " " << c.sql);
        std::string text = k_head + "-- +upgrade\nSELECT 1;\n-- +upgrade " + c.dialect +
                           "\nSELECT 1;\n" + c.sql + "\n";  // the statement is on line 7
        CHECK(one_at(problems(text), "m.sql:7", c.word));
        // Downgrade sections run in a transaction too.
        std::string down = k_head + "-- +upgrade\nSELECT 1;\n-- +downgrade " + c.dialect +
                           "\nSELECT 1;\n" + c.sql + "\n";
        CHECK(one_at(problems(down), "m.sql:7", c.word));
    }
}

TEST_CASE("a transaction: false revision may manage its own transactions", "[tx][parse]") {
    std::string text =
        "-- revision: abc123\n-- transaction: false\n"
        "-- +upgrade\nBEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n"
        "-- +upgrade postgresql\nCREATE INDEX CONCURRENTLY ix ON t (a);\nBEGIN;\nEND;\n"
        "-- +downgrade\nSTART TRANSACTION;\nROLLBACK;\n";
    CHECK(problems(text).empty());
}

TEST_CASE("bodies of routines and triggers are not transaction control", "[tx][parse]") {
    // plpgsql in dollar quotes, BEGIN ATOMIC, a DO block.
    std::string pg = k_head +
                     "-- +upgrade postgresql\n"
                     "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                     "BEGIN\n  NEW.at = now();\n  RETURN NEW;\nEND;\n$$;\n"
                     "CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql\n"
                     "BEGIN ATOMIC\n  SELECT a + 1;\nEND;\n"
                     "DO $$ BEGIN PERFORM 1; END $$;\n"
                     "SAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nRELEASE s;\n"
                     "-- +upgrade\nSELECT 1;\n";
    CHECK(problems(pg).empty());
    // An SQLite trigger body with BEGIN ... END.
    std::string lite = k_head +
                       "-- +upgrade sqlite\n"
                       "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
                       "  UPDATE t SET n = n + 1;\n  SELECT CASE WHEN 1 THEN 2 END;\nEND;\n"
                       "-- +upgrade\nSELECT 1;\n";
    CHECK(problems(lite).empty());
    // A MySQL procedure under DELIMITER, and MariaDB's BEGIN NOT ATOMIC.
    std::string my = k_head +
                     "-- +upgrade mysql\n"
                     "DELIMITER //\n"
                     "CREATE PROCEDURE p() BEGIN\n  SELECT 1;\nEND //\n"
                     "BEGIN NOT ATOMIC\n  SELECT 1;\nEND //\n"
                     "DELIMITER ;\n"
                     "-- +upgrade\nSELECT 1;\n";
    CHECK(problems(my).empty());
}

TEST_CASE("a generic section is checked for every dialect it runs on", "[tx][parse]") {
    // END is COMMIT on PostgreSQL and SQLite; on MySQL it is no statement.
    auto all = problems(k_head + "-- +upgrade\nSELECT 1;\nEND;\n");
    REQUIRE(all.size() == 1);
    CHECK(all[0].rfind("m.sql:5: transaction control (END)", 0) == 0);
    CHECK(all[0].find("(when split as postgresql, sqlite)") != std::string::npos);
    // Narrowed to MySQL, it is not found.
    CHECK(problems(k_head + "-- +upgrade\nSELECT 1;\nEND;\n", Dialect::mysql).empty());
    CHECK(one_at(problems(k_head + "-- +upgrade\nEND;\n", Dialect::sqlite), "m.sql:4", "END"));
}

TEST_CASE("a body cut by splitting for another dialect is not transaction control", "[tx][parse]") {
    // Generic sections written for one database (as in the conformance
    // tests): split for another, the body's END becomes a statement of its own.
    std::string sqlite_trigger = k_head +
                                 "-- +upgrade\n"
                                 "CREATE TRIGGER ts_ai AFTER INSERT ON ts BEGIN\n"
                                 "  INSERT INTO ts_log VALUES ('trigger;' || NEW.id);\n"
                                 "  UPDATE ts SET note = 'seen' WHERE id = NEW.id;\nEND;\n";
    CHECK(problems(sqlite_trigger).empty());
    std::string pg_function = k_head +
                              "-- +upgrade\n"
                              "CREATE FUNCTION add_one(i integer) RETURNS integer AS $$\n"
                              "BEGIN\n  RETURN i + 1; -- a ; inside\nEND;\n$$ LANGUAGE plpgsql;\n"
                              "DO $$ BEGIN INSERT INTO tp VALUES (1, 'do;block'); END $$;\n"
                              "CREATE FUNCTION two() RETURNS integer LANGUAGE sql\nBEGIN ATOMIC\n"
                              "  SELECT 1;\n  SELECT 2;\nEND;\n";
    CHECK(problems(pg_function).empty());
    std::string mysql_bodies = k_head +
                               "-- +upgrade\n"
                               "DELIMITER //\n"
                               "CREATE PROCEDURE add_row(IN n INT)\nBEGIN\n"
                               "  INSERT INTO tm VALUES (n, 'proc;row');\nEND//\n"
                               "CREATE TRIGGER tm_ai AFTER INSERT ON tm FOR EACH ROW\nBEGIN\n"
                               "  INSERT INTO tm_log VALUES (NEW.id);\nEND//\n"
                               "DELIMITER ;\nCALL add_row(7);\n";
    CHECK(problems(mysql_bodies).empty());
    // A real END after a complete trigger is still refused.
    CHECK(one_at(problems(k_head + "-- +upgrade sqlite\n"
                                   "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;\n"
                                   "END;\n"),
                 "m.sql:5", "END"));
    // ... and BEGIN; ... END; is refused at both ends.
    CHECK(problems(k_head + "-- +upgrade postgresql\nBEGIN;\nSELECT 1;\nEND;\n").size() == 2);
}
