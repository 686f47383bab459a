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
