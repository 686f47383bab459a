// A generic section is split for the dialects it will run on: narrowing the
// check to one dialect accepts SQL that only another dialect cannot split.
#include <catch2/catch.hpp>

#include "script/migration.hpp"

using sg::Dialect;
using sg::parse_migration;
using sg::ScriptError;

namespace {

const std::string k_head = "-- revision: abc123\n-- down_revision:\n";  // lines 1-2

// `'C:\'` and ESCAPE '\' are complete strings on PostgreSQL and SQLite; MySQL
// reads the backslash as an escape and the string as unterminated.
const std::string k_backslash = k_head +
                                "-- +upgrade\n"                                         // 3
                                "INSERT INTO paths VALUES ('C:\\');\n"                  // 4
                                "SELECT * FROM t WHERE a LIKE 'x\\_%' ESCAPE '\\';\n";  // 5

bool parses(const std::string& text, std::optional<Dialect> only) {
    try {
        parse_migration(text, "m.sql", only);
        return true;
    } catch (const ScriptError&) {
        return false;
    }
}

}  // namespace

TEST_CASE("a generic section need only split for the dialect it runs on", "[parse][dialect]") {
    CHECK(parses(k_backslash, Dialect::sqlite));
    CHECK(parses(k_backslash, Dialect::postgresql));
    CHECK_FALSE(parses(k_backslash, Dialect::mysql));
    // Without a dialect every one is checked, and the message names MySQL.
    try {
        parse_migration(k_backslash, "m.sql");
        FAIL("parsed");
    } catch (const ScriptError& e) {
        REQUIRE(e.problems().size() == 1);
        CHECK(e.problems()[0].line == 5);  // where the string MySQL leaves open starts
        CHECK(e.problems()[0].message.find("(when split as mysql)") != std::string::npos);
    }
    auto m = parse_migration(k_backslash, "m.sql", Dialect::sqlite);
    CHECK(m.upgrade_statements(Dialect::sqlite).size() == 2);
}

TEST_CASE("a generic section overridden for MySQL need not be valid MySQL", "[parse][dialect]") {
    std::string text = k_backslash + "-- +upgrade mysql\nINSERT INTO paths VALUES ('C:\\\\');\n";
    CHECK(parses(text, std::nullopt));
    CHECK(parses(text, Dialect::mysql));
}

TEST_CASE("sections of other dialects are not checked when narrowed", "[parse][dialect]") {
    std::string text = k_head + "-- +upgrade\nSELECT 1;\n-- +upgrade mysql\nSELECT 'open;\n";
    CHECK(parses(text, Dialect::postgresql));
    CHECK(parses(text, Dialect::sqlite));
    CHECK_FALSE(parses(text, Dialect::mysql));
    CHECK_FALSE(parses(text, std::nullopt));
}

// A generic section is lexed once when nothing in it lexes differently per
// dialect (parse.cpp, dialect_neutral); each text below lexes cleanly for
// PostgreSQL, the first dialect checked, and not for another, so none may
// take that shortcut.
TEST_CASE("every dialect-sensitive construct still gets each dialect's check", "[parse][dialect]") {
    struct Case {
        const char* sql;
        const char* fails_as;
    };
    const Case cases[] = {
        {"SELECT 1 # '\n, ';\n", "(when split as mysql)"},               // # comment
        {"SELECT 1 --'\n;\n", "(when split as mysql)"},                  // -- without a space
        {"SELECT 'a\\';\n", "(when split as mysql)"},                    // backslash escape
        {"SELECT `a;\n", "(when split as mysql, sqlite)"},               // backtick
        {"SELECT a[1;\n", "(when split as sqlite)"},                     // [identifier]
        {"SELECT $$ ' $$;\n", "(when split as mysql, sqlite)"},          // dollar quote
        {"/* /* */ ' */ SELECT 1;\n", "(when split as mysql, sqlite)"},  // nested comment
        {"CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;\n", "(when split as sqlite)"},
        {"DELIMITER\n", "(when split as mysql)"},
    };
    for (const Case& c : cases) {
        INFO(c.sql);
        std::string text = k_head + "-- +upgrade\n" + c.sql;
        CHECK(parses(text, Dialect::postgresql));
        try {
            parse_migration(text, "m.sql");
            FAIL("parsed for every dialect");
        } catch (const ScriptError& e) {
            REQUIRE(e.problems().size() == 1);
            CHECK_THAT(e.problems()[0].message, Catch::EndsWith(c.fails_as));
        }
    }
    // A neutral section: clean for all three.
    CHECK(parses(k_head + "-- +upgrade\nCREATE TABLE t (x TEXT DEFAULT 'it''s');\n-- note\n",
                 std::nullopt));
}
