// The statement splitter: each construct per dialect, with line numbers.
#include <catch2/catch.hpp>

#include "script/migration.hpp"

using sg::Dialect;
using sg::ScriptError;
using sg::split_sql;
using sg::Statement;

namespace {

const Dialect pg = Dialect::postgresql;
const Dialect my = Dialect::mysql;
const Dialect lite = Dialect::sqlite;

std::vector<std::string> texts(const std::vector<Statement>& s) {
    std::vector<std::string> out;
    for (const auto& x : s) out.push_back(x.sql);
    return out;
}

std::vector<int> lines(const std::vector<Statement>& s) {
    std::vector<int> out;
    for (const auto& x : s) out.push_back(x.line);
    return out;
}

using V = std::vector<std::string>;
using L = std::vector<int>;

// The file:line of the ScriptError thrown for `sql`, or "" when it splits.
std::string error_at(const std::string& sql, Dialect d, int first_line = 1) {
    try {
        split_sql(sql, d, first_line, "m.sql");
    } catch (const ScriptError& e) {
        REQUIRE(e.problems().size() == 1);
        return e.problems()[0].where();
    }
    return "";
}

std::string error_message(const std::string& sql, Dialect d) {
    try {
        split_sql(sql, d, 1, "m.sql");
    } catch (const ScriptError& e) {
        return e.problems().at(0).message;
    }
    return "";
}

}  // namespace

TEST_CASE("plain statements keep the line of their first token", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s =
            split_sql("\n\nCREATE TABLE a (x INT);\n  INSERT INTO a\n  VALUES (1);  \n\n", d, 7);
        CHECK(texts(s) == V{"CREATE TABLE a (x INT)", "INSERT INTO a\n  VALUES (1)"});
        CHECK(lines(s) == L{9, 10});
    }
}

TEST_CASE("a last statement without a semicolon counts", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql("SELECT 1;\nSELECT 2\n", d, 1);
        CHECK(texts(s) == V{"SELECT 1", "SELECT 2"});
        CHECK(lines(s) == L{1, 2});
    }
}

TEST_CASE("empty and comment-only statements are dropped", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql(";;\n-- nothing\n;\n/* block */;\nSELECT 1;\n-- trailing\n", d, 1);
        CHECK(texts(s) == V{"SELECT 1"});
        CHECK(lines(s) == L{5});
        CHECK(split_sql("", d, 1).empty());
        CHECK(split_sql("  \n-- only a comment\n", d, 1).empty());
    }
}

TEST_CASE("leading comments move the line; inner comments stay", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql(
            "-- about t\n/* more */\nCREATE TABLE t ( -- the key\n  id INT\n); -- done\n", d, 1);
        CHECK(texts(s) == V{"CREATE TABLE t ( -- the key\n  id INT\n)"});
        CHECK(lines(s) == L{3});
    }
}

TEST_CASE("CRLF and CR line endings count lines", "[split]") {
    auto s = split_sql("SELECT 1;\r\n\r\nSELECT 2;\rSELECT 3;", lite, 1);
    CHECK(lines(s) == L{1, 3, 4});
}

TEST_CASE("single quotes with doubled quotes", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql("INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT ';';", d, 1);
        CHECK(texts(s) == V{"INSERT INTO t VALUES ('a;b', 'it''s;')", "SELECT ';'"});
        CHECK(lines(s) == L{1, 2});
    }
}

TEST_CASE("a multi-line string moves the next statement's line", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql("SELECT 'a\nb\nc;';\nSELECT 2;", d, 1);
        CHECK(lines(s) == L{1, 4});
    }
}

TEST_CASE("backslash escapes: MySQL strings yes, standard strings no", "[split]") {
    auto m = split_sql("SELECT 'a\\';b';\nSELECT \"x\\\";y\";", my, 1);
    CHECK(texts(m) == V{"SELECT 'a\\';b'", "SELECT \"x\\\";y\""});
    // PostgreSQL and SQLite: the backslash is an ordinary character.
    for (Dialect d : {pg, lite}) {
        auto s = split_sql("SELECT 'a\\';SELECT 2;", d, 1);
        CHECK(texts(s) == V{"SELECT 'a\\'", "SELECT 2"});
    }
}

TEST_CASE("PostgreSQL E'' strings take backslash escapes", "[split][pg]") {
    auto s = split_sql("SELECT E'it\\'s;', e'\\\\';\nSELECT 2;", pg, 1);
    CHECK(texts(s) == V{"SELECT E'it\\'s;', e'\\\\'", "SELECT 2"});
    CHECK(lines(s) == L{1, 2});
    // A word ending in e is not an E string.
    auto t = split_sql("SELECT some'x\\';SELECT 3;", pg, 1);
    CHECK(t.size() == 2);
}

TEST_CASE("double-quoted identifiers", "[split]") {
    for (Dialect d : {pg, lite}) {
        auto s = split_sql("CREATE TABLE \"a;b\" (\"x\"\"y\" INT);SELECT 1;", d, 1);
        CHECK(texts(s) == V{"CREATE TABLE \"a;b\" (\"x\"\"y\" INT)", "SELECT 1"});
    }
}

TEST_CASE("backticks: MySQL and SQLite", "[split]") {
    for (Dialect d : {my, lite}) {
        auto s = split_sql("CREATE TABLE `a;b` (`x``;` INT);\nSELECT 1;", d, 1);
        CHECK(texts(s) == V{"CREATE TABLE `a;b` (`x``;` INT)", "SELECT 1"});
    }
    // PostgreSQL has no backtick quoting: it is an ordinary character.
    CHECK(split_sql("SELECT `a;b`", pg, 1).size() == 2);
}

TEST_CASE("SQLite [bracketed] identifiers", "[split][sqlite]") {
    auto s = split_sql("CREATE TABLE [a;b] ([x] INT);SELECT 1;", lite, 1);
    CHECK(texts(s) == V{"CREATE TABLE [a;b] ([x] INT)", "SELECT 1"});
}

TEST_CASE("-- comments hide semicolons and quotes", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql("SELECT 1 -- it's; fine\n, 2;\nSELECT 3;", d, 1);
        CHECK(texts(s) == V{"SELECT 1 -- it's; fine\n, 2", "SELECT 3"});
        CHECK(lines(s) == L{1, 3});
    }
}

TEST_CASE("MySQL -- needs white space after it", "[split][mysql]") {
    auto s = split_sql("SELECT 5--1;\nSELECT 2 --\n;\nSELECT 3 --\t'x\n;", my, 1);
    CHECK(texts(s) == V{"SELECT 5--1", "SELECT 2", "SELECT 3"});
    // PostgreSQL and SQLite: -- always starts a comment.
    auto p = split_sql("SELECT 5--1;\n;SELECT 2;", pg, 1);
    CHECK(texts(p) == V{"SELECT 5", "SELECT 2"});
}

TEST_CASE("# comments in MySQL only", "[split][mysql]") {
    auto s = split_sql("# don't; split\nSELECT 1; # it's\nSELECT 2;", my, 1);
    CHECK(texts(s) == V{"SELECT 1", "SELECT 2"});
    CHECK(lines(s) == L{2, 3});
    // Elsewhere # is an ordinary character (and the quote opens a string).
    CHECK(error_at("# don't\nSELECT 1;", lite) == "m.sql:1");
}

TEST_CASE("block comments hide semicolons and quotes", "[split]") {
    for (Dialect d : {pg, my, lite}) {
        auto s = split_sql("SELECT /* a; 'b */ 1;\n/* x\n;\n*/ SELECT 2;", d, 1);
        CHECK(texts(s) == V{"SELECT /* a; 'b */ 1", "SELECT 2"});
        CHECK(lines(s) == L{1, 4});
    }
}

TEST_CASE("PostgreSQL nests block comments, the others do not", "[split]") {
    auto p = split_sql("/* a /* b */ ; */ SELECT 1;", pg, 1);
    CHECK(texts(p) == V{"SELECT 1"});
    auto m = split_sql("/* a /* b */ SELECT 1;", my, 1);
    CHECK(texts(m) == V{"SELECT 1"});
    CHECK(error_at("/* a /* b */ SELECT 1;", pg) == "m.sql:1");
}

TEST_CASE("MySQL /*! */ executable comments are kept", "[split][mysql]") {
    auto s = split_sql(
        "/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE t (x INT) /*!40101 DEFAULT CHARSET=utf8; "
        "*/;\n"
        "/*M!100100 SET x=1 */;\n/* plain */;",
        my, 1);
    CHECK(texts(s) == V{"/*!40101 SET NAMES utf8mb4 */",
                        "CREATE TABLE t (x INT) /*!40101 DEFAULT CHARSET=utf8; */",
                        "/*M!100100 SET x=1 */"});
    CHECK(lines(s) == L{1, 2, 3});
    // Elsewhere it is an ordinary comment.
    CHECK(split_sql("/*!40101 SET NAMES utf8mb4 */;", lite, 1).empty());
}

TEST_CASE("PostgreSQL dollar quoting", "[split][pg]") {
    std::string sql =
        "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  NEW.x := 'a;';\n  RETURN NEW;\nEND;\n"
        "$$ LANGUAGE plpgsql;\n"
        "CREATE FUNCTION g() RETURNS text AS $body$ SELECT $$;$$ $body$ LANGUAGE sql;\n"
        "SELECT $1, a$b$c FROM t;\n"
        "SELECT 2;";
    auto s = split_sql(sql, pg, 10);
    REQUIRE(s.size() == 4);
    CHECK(s[0].sql.substr(0, 17) == "CREATE FUNCTION f");
    CHECK(s[0].sql.substr(s[0].sql.size() - 16) == "LANGUAGE plpgsql");
    CHECK(s[1].sql ==
          "CREATE FUNCTION g() RETURNS text AS $body$ SELECT $$;$$ $body$ LANGUAGE sql");
    CHECK(s[2].sql == "SELECT $1, a$b$c FROM t");
    CHECK(lines(s) == L{10, 16, 17, 18});
    // In MySQL and SQLite $$ is nothing special.
    CHECK(split_sql("SELECT $$;$$", lite, 1).size() == 2);
}

TEST_CASE("PostgreSQL BEGIN ATOMIC ... END", "[split][pg]") {
    std::string sql =
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO t VALUES "
        "(a);\n"
        "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\nEND;\n"
        "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
        "BEGIN;\nSELECT 3;\nEND;";
    auto s = split_sql(sql, pg, 1);
    CHECK(lines(s) == L{1, 6, 7, 8, 9});
    CHECK(s[0].sql.substr(s[0].sql.size() - 4) == "\nEND");
    CHECK(s[1].sql ==
          "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END");
    CHECK(texts(s)[2] == "BEGIN");
}

TEST_CASE("PostgreSQL: an unclosed BEGIN ATOMIC is an error at its line", "[split][pg]") {
    CHECK(error_at(
              "SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\nSELECT 1;\n",
              pg, 5) == "m.sql:7");
}

TEST_CASE("SQLite CREATE TRIGGER ... BEGIN ... END;", "[split][sqlite]") {
    std::string sql =
        "CREATE TRIGGER trg AFTER UPDATE ON t\nBEGIN\n  UPDATE t SET n = n + 1;\n"
        "  SELECT CASE WHEN NEW.x < 0 THEN RAISE(ABORT, 'neg;') END;\nEND;\n"
        "CREATE TEMP TRIGGER t2 AFTER INSERT ON t BEGIN SELECT 1; END;\n"
        "CREATE TABLE end_ (x INT);\n"
        "SELECT 1;";
    auto s = split_sql(sql, lite, 3);
    CHECK(lines(s) == L{3, 8, 9, 10});
    CHECK(s[0].sql.substr(s[0].sql.size() - 4) == "\nEND");
    CHECK(s[1].sql == "CREATE TEMP TRIGGER t2 AFTER INSERT ON t BEGIN SELECT 1; END");
}

TEST_CASE("SQLite: a trigger body without END; is an error at its line", "[split][sqlite]") {
    CHECK(error_at("SELECT 1;\n\nCREATE TRIGGER x AFTER INSERT ON t BEGIN\nSELECT 1;\n", lite) ==
          "m.sql:3");
    // The final END without a semicolon at the end of the section is fine.
    CHECK(split_sql("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END", lite, 1).size() == 1);
}

TEST_CASE("MySQL DELIMITER", "[split][mysql]") {
    std::string sql =
        "ALTER TABLE t ADD x INT;\n"
        "DELIMITER //\n"
        "CREATE TRIGGER trg BEFORE UPDATE ON t\nFOR EACH ROW\nBEGIN\n  SET NEW.x = 1;\nEND//\n"
        "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\n"
        "delimiter ;\n"
        "SELECT 3;\n"
        "DELIMITER $$\n"
        "CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END$$\n"
        "DELIMITER ;";
    auto s = split_sql(sql, my, 1);
    CHECK(lines(s) == L{1, 3, 8, 10, 12});
    CHECK(s[1].sql ==
          "CREATE TRIGGER trg BEFORE UPDATE ON t\nFOR EACH ROW\nBEGIN\n  SET NEW.x = 1;\nEND");
    CHECK(s[2].sql == "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END");
    CHECK(s[4].sql == "CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END");
}

TEST_CASE("MySQL DELIMITER details", "[split][mysql]") {
    // Quoted argument, trailing comment, a forgotten `//` before DELIMITER ;.
    auto s = split_sql(
        "DELIMITER ';;' # use ;;\nSELECT 1;;\nDELIMITER //\nSELECT 2\nDELIMITER ;\nSELECT 3;", my,
        1);
    CHECK(texts(s) == V{"SELECT 1", "SELECT 2", "SELECT 3"});
    CHECK(lines(s) == L{2, 4, 6});
    // A column named delimiter inside a statement is not a directive.
    auto c = split_sql("CREATE TABLE t (\ndelimiter VARCHAR(3)\n);", my, 1);
    CHECK(c.size() == 1);
    // Not a directive in the other dialects.
    CHECK(split_sql("DELIMITER //\nSELECT 1//", pg, 1).size() == 1);
    CHECK(error_at("SELECT 1;\nDELIMITER\n", my) == "m.sql:2");
}

TEST_CASE("unterminated constructs name the line where they start", "[split]") {
    CHECK(error_at("SELECT 1;\nSELECT 'abc\n;\n", pg, 10) == "m.sql:11");
    CHECK(error_at("SELECT 1;\n\nSELECT \"abc;", lite) == "m.sql:3");
    CHECK(error_at("SELECT `abc;", my) == "m.sql:1");
    CHECK(error_at("SELECT [abc;", lite) == "m.sql:1");
    CHECK(error_at("SELECT 1;\n/* open\n;", my) == "m.sql:2");
    CHECK(error_at("\nSELECT $x$ abc $y$;", pg) == "m.sql:2");
    CHECK(error_at("SELECT 'it\\';", my) == "m.sql:1");  // the escaped quote does not close
    CHECK(error_message("SELECT $x$ abc", pg) == "unterminated dollar-quoted string $x$");
    CHECK(error_message("SELECT 'abc", pg) == "unterminated string literal");
    CHECK(error_message("/* abc", pg) == "unterminated /* comment");
}

// Large inputs split correctly; their time is measured in bench/bench_split.cpp
// (a wall-clock limit here failed on a loaded machine and under sanitizers).
TEST_CASE("large inputs split", "[split][large]") {
    std::string big = "INSERT INTO t VALUES ('" + std::string(1 << 20, 'x') + "');\n";
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
    std::string comment = "SELECT 1 /*" + std::string(1 << 20, '*') + "*/;";
    for (Dialect d : {pg, my, lite}) {
        CHECK(split_sql(big, d, 1).size() == 1);
        auto s = split_sql(many, d, 1);
        REQUIRE(s.size() == 10000);
        CHECK(s.back().line == 10000);
        CHECK(split_sql(comment, d, 1).size() == 1);
    }
}

TEST_CASE("check_sql finds what split_sql finds, without building statements", "[split]") {
    const char* bad[] = {"SELECT 'abc;\nSELECT 1;", "SELECT 1; /* open\n", "SELECT $x$ body;\n",
                         "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n"};
    for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite}) {
        for (const char* text : bad) {
            INFO(dialect_name(d) << ": " << text);
            std::string split_error, check_error;
            try {
                sg::split_sql(text, d, 5, "f.sql");
            } catch (const sg::ScriptError& e) {
                split_error = e.what();
            }
            try {
                sg::check_sql(text, d, 5, "f.sql");
            } catch (const sg::ScriptError& e) {
                check_error = e.what();
            }
            CHECK(check_error == split_error);
        }
        CHECK_NOTHROW(sg::check_sql("CREATE TABLE t (x INT);\nSELECT ';';", d, 1, "f.sql"));
    }
}
