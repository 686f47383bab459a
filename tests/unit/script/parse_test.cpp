// Migration file parsing: header keys, sections, every problem with file:line,
// checksums.
#include <catch2/catch.hpp>

#include "problems.hpp"
#include "script/migration.hpp"

using sg::Dialect;
using sg::parse_migration;
using sg::ScriptError;

namespace {

const std::string k_full =
    "-- revision: 3f5aacf09e0d\n"                // 1
    "-- down_revision: 1975ea83b712\n"           // 2
    "-- message: Add patient email: now\n"       // 3
    "-- create_date: 2025-11-08 14:30:00\n"      // 4
    "-- branch_labels: billing , main\n"         // 5
    "-- depends_on: 27c6a30d7c24\n"              // 6
    "-- transaction: false\n"                    // 7
    "\n"                                         // 8
    "-- +upgrade\n"                              // 9
    "ALTER TABLE patients ADD email TEXT;\n"     // 10
    "CREATE INDEX ix ON patients (email);\n"     // 11
    "\n"                                         // 12
    "-- +upgrade postgres\n"                     // 13
    "ALTER TABLE patients ADD email VARCHAR;\n"  // 14
    "-- +downgrade\n"                            // 15
    "DROP INDEX ix;\n"                           // 16
    "-- +downgrade mariadb\n"                    // 17
    "DROP INDEX ix ON patients;\n";              // 18

using sg::test::problems;

bool has(const std::vector<std::string>& all, const std::string& where,
         const std::string& fragment) {
    for (const auto& p : all)
        if (p.rfind(where + ": ", 0) == 0 && p.find(fragment) != std::string::npos) return true;
    return false;
}

const std::string k_head = "-- revision: abc123\n-- down_revision:\n";

}  // namespace

TEST_CASE("a complete file", "[parse]") {
    auto m = parse_migration(k_full, "dir/m.sql");
    CHECK(m.rev.id == "3f5aacf09e0d");
    CHECK(m.rev.down_revisions == std::vector<std::string>{"1975ea83b712"});
    CHECK(m.rev.message == "Add patient email: now");
    CHECK(m.rev.create_date == "2025-11-08 14:30:00");
    CHECK(m.rev.branch_labels == std::vector<std::string>{"billing", "main"});
    CHECK(m.rev.depends_on == std::vector<std::string>{"27c6a30d7c24"});
    CHECK_FALSE(m.rev.transactional);
    CHECK(m.rev.file == "dir/m.sql");
    REQUIRE(m.upgrade);
    CHECK(m.upgrade->first_line == 10);
    CHECK(m.upgrade->text ==
          "ALTER TABLE patients ADD email TEXT;\nCREATE INDEX ix ON patients (email);\n\n");
    CHECK(m.upgrade_for(Dialect::sqlite) == &*m.upgrade);
    CHECK(m.upgrade_for(Dialect::postgresql)->first_line == 14);
    CHECK(m.downgrade_for(Dialect::mysql)->text == "DROP INDEX ix ON patients;\n");
    CHECK(m.downgrade_for(Dialect::sqlite)->text == "DROP INDEX ix;\n");

    auto up = m.upgrade_statements(Dialect::sqlite);
    REQUIRE(up.size() == 2);
    CHECK(up[1].sql == "CREATE INDEX ix ON patients (email)");
    CHECK(up[1].line == 11);
    CHECK(m.upgrade_statements(Dialect::postgresql).at(0).line == 14);
    CHECK(m.downgrade_statements(Dialect::mysql).at(0).line == 18);
}

TEST_CASE("roots, defaults, merges and free comments", "[parse]") {
    auto root = parse_migration("-- revision: a1\n-- +upgrade\nSELECT 1;\n", "m.sql");
    CHECK(root.rev.down_revisions.empty());
    CHECK(root.rev.transactional);
    CHECK_FALSE(root.downgrade_for(Dialect::sqlite));
    CHECK_THROWS_AS(root.downgrade_statements(Dialect::sqlite), ScriptError);

    auto merge = parse_migration(
        "-- Merge of the billing branch.\n\n-- revision: m1\n\n-- down_revision: a1 ,b2,  c3\n"
        "-- transaction: TRUE\n-- +upgrade\n-- +downgrade\n",
        "m.sql");
    CHECK(merge.rev.down_revisions == std::vector<std::string>{"a1", "b2", "c3"});
    CHECK(merge.rev.transactional);
    CHECK(merge.upgrade_statements(Dialect::mysql).empty());
    CHECK(merge.downgrade_statements(Dialect::mysql).empty());
}

TEST_CASE("only dialect sections: other dialects have no upgrade", "[parse]") {
    auto m = parse_migration("-- revision: a1\n-- +upgrade sqlite\nSELECT 1;\n", "m.sql");
    CHECK(m.upgrade_for(Dialect::sqlite));
    CHECK_FALSE(m.upgrade_for(Dialect::mysql));
    CHECK_THROWS_AS(m.upgrade_statements(Dialect::mysql), ScriptError);
    CHECK_THROWS_AS(m.checksum(Dialect::mysql), ScriptError);
}

TEST_CASE("CRLF files and a BOM parse", "[parse]") {
    auto m =
        parse_migration("\xEF\xBB\xBF-- revision: a1\r\n\r\n-- +upgrade\r\nSELECT 1;\r\n", "m.sql");
    CHECK(m.rev.id == "a1");
    CHECK(m.upgrade_statements(Dialect::sqlite).at(0).line == 4);
}

TEST_CASE("a NUL byte anywhere is refused with file:line, never cuts a statement", "[parse]") {
    using namespace std::string_literals;
    // The statement after the NUL used to vanish: verify passed, run skipped it.
    std::string text = "-- revision: a1\n\n-- +upgrade\nCREATE TABLE t(x int);\0DROP TABLE t;\n"s;
    auto found = problems(text);
    REQUIRE(found.size() == 1);
    CHECK(found[0].find("m.sql:4: a NUL byte (\\0) at column 23") == 0);
    for (Dialect d : {Dialect::postgresql, Dialect::mysql, Dialect::sqlite})
        CHECK(problems(text, d).size() == 1);
    CHECK(problems("-- revision: a1\0\n-- +upgrade\nSELECT 1;\n"s).at(0).find("m.sql:1:") == 0);
    // In a quote, a comment and a section of another dialect alike.
    CHECK_FALSE(problems("-- revision: a1\n-- +upgrade\nSELECT 'a\0b';\n"s).empty());
    CHECK_FALSE(problems("-- revision: a1\n-- +upgrade\nSELECT 1; -- \0\n"s).empty());
    CHECK_FALSE(problems("-- revision: a1\n-- +upgrade\nSELECT 1;\n-- +upgrade mysql\n\0\n"s,
                         Dialect::sqlite)
                    .empty());
    // The splitter refuses it too, naming the file's line.
    try {
        sg::split_sql("SELECT 1;\nSELECT\0 2;"s, Dialect::sqlite, 10, "f.sql");
        FAIL("split_sql accepted a NUL");
    } catch (const ScriptError& e) {
        CHECK(e.problems().at(0).where() == "f.sql:11");
    }
    CHECK_THROWS_AS(sg::check_sql("SELECT \0;"s, Dialect::postgresql, 1, "f.sql"), ScriptError);
}

TEST_CASE("header problems name file:line", "[parse]") {
    CHECK(has(problems(k_head + "-- revison: x\n-- +upgrade\n"), "m.sql:3",
              "unknown header key 'revison'"));
    CHECK(has(problems(k_head + "-- revision: abc\n-- +upgrade\n"), "m.sql:3",
              "duplicate header key 'revision' (first at line 1)"));
    CHECK(has(problems("-- revision: ab-cd\n-- +upgrade\n"), "m.sql:1", "bad revision id 'ab-cd'"));
    CHECK(has(problems("-- revision:\n-- +upgrade\n"), "m.sql:1", "bad revision id ''"));
    CHECK(has(problems("-- revision: " + std::string(33, 'a') + "\n-- +upgrade\n"), "m.sql:1",
              "bad revision id"));
    CHECK(has(problems("-- revision: a\n-- down_revision: b, c d\n-- +upgrade\n"), "m.sql:2",
              "bad revision id 'c d' in down_revision"));
    CHECK(has(problems("-- revision: a\n-- down_revision: b,,c\n-- +upgrade\n"), "m.sql:2",
              "empty item in down_revision"));
    CHECK(has(problems("-- revision: a\n-- down_revision: b, b\n-- +upgrade\n"), "m.sql:2",
              "'b' is listed twice"));
    CHECK(has(problems("-- revision: a\n-- branch_labels: x@y\n-- +upgrade\n"), "m.sql:2",
              "bad name 'x@y' in branch_labels"));
    CHECK(has(problems("-- revision: a\n-- depends_on: head\n-- +upgrade\n"), "m.sql:2",
              "bad name 'head' in depends_on"));
    CHECK(has(problems("-- revision: a\n\n-- transaction: no\n-- +upgrade\n"), "m.sql:3",
              "transaction must be true or false, not 'no'"));
    CHECK(has(problems("-- message: x\n-- +upgrade\n"), "m.sql:1", "missing `revision`"));
}

TEST_CASE("structure problems name file:line", "[parse]") {
    CHECK(problems("CREATE TABLE t (x INT);\n") ==
          std::vector<std::string>{"m.sql:1: not a migration file: no header (`-- revision: <id>` "
                                   "...) and no `-- +upgrade` section"});
    CHECK(problems("") == problems("\n\n"));
    CHECK(has(problems("-- just a comment\n-- +upgrade\nSELECT 1;\n"), "m.sql:1", "no header"));
    CHECK(has(problems("-- revision: a\n"), "m.sql:1", "missing `-- +upgrade` section"));
    CHECK(has(problems("-- revision: a\n-- +downgrade\nSELECT 1;\n"), "m.sql:1",
              "missing `-- +upgrade` section"));
    auto sql_first = problems("-- revision: a\nCREATE TABLE t (x INT);\nSELECT 1;\n-- +upgrade\n");
    CHECK(sql_first.size() == 1);  // reported once, not per line
    CHECK(has(sql_first, "m.sql:2", "SQL before the first section marker"));
    CHECK(has(problems(k_head + "-- +upgrade oracle\nSELECT 1;\n-- +upgrade\n"), "m.sql:3",
              "unknown dialect 'oracle'"));
    CHECK(has(problems(k_head + "-- +upgrade\n-- +downgrade\n-- +upgrade\n"), "m.sql:5",
              "duplicate section '-- +upgrade' (first at line 3)"));
    CHECK(has(problems(k_head + "-- +upgrade postgresql\n-- +upgrade postgres\n"), "m.sql:4",
              "duplicate section '-- +upgrade postgresql' (first at line 3)"));
    CHECK(has(problems(k_head + "-- +goose Up\n-- +upgrade\n"), "m.sql:3",
              "unknown section marker '-- +goose'"));
    // A comment that merely starts with "+" and a number is no marker.
    CHECK(problems(k_head + "-- +upgrade\n-- +1 for this\nSELECT 1;\n").empty());
}

TEST_CASE("splitting problems are found at parse time with file:line", "[parse]") {
    auto all = problems(k_head + "-- +upgrade\nSELECT 1;\nSELECT 'oops;\n");
    REQUIRE(all.size() == 1);  // the same problem for all three dialects, once
    CHECK(all[0] == "m.sql:5: unterminated string literal");

    // `#` is a comment in MySQL only: the quote is open for the other two.
    auto some = problems(k_head + "-- +upgrade\n# don't\nSELECT 1;\n");
    CHECK(some == std::vector<std::string>{
                      "m.sql:4: unterminated string literal (when split as postgresql, sqlite)"});
    // ... unless a dialect section replaces the generic one for them.
    CHECK(problems(k_head + "-- +upgrade\n# don't\n-- +upgrade sqlite\n-- +upgrade postgresql\n")
              .empty());
    CHECK(has(problems(k_head + "-- +downgrade mysql\n\nSELECT `x;\n-- +upgrade\n"), "m.sql:5",
              "unterminated backtick"));
}

TEST_CASE("every problem of a file is collected", "[parse]") {
    auto all = problems(
        "-- revision: bad-id\n"    // 1
        "-- colour: blue\n"        // 2
        "-- transaction: maybe\n"  // 3
        "-- colour: red\n"         // 4
        "SELECT 1;\n"              // 5
        "-- +downgrade sybase\n"   // 6
        "-- +downgrade\n"          // 7
        "SELECT 'x\n");            // 8
    CHECK(all.size() == 8);
    CHECK(has(all, "m.sql:1", "bad revision id"));
    CHECK(has(all, "m.sql:2", "unknown header key 'colour'"));
    CHECK(has(all, "m.sql:3", "transaction must be"));
    CHECK(has(all, "m.sql:4", "duplicate header key"));
    CHECK(has(all, "m.sql:5", "SQL before"));
    CHECK(has(all, "m.sql:6", "unknown dialect 'sybase'"));
    CHECK(has(all, "m.sql:1", "missing `-- +upgrade`"));
    CHECK(has(all, "m.sql:8", "unterminated string literal"));
}

TEST_CASE("sha256_hex", "[checksum]") {
    CHECK(sg::sha256_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sg::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sg::sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // The padding's edge cases: a length field that fits the last block or
    // needs one more (values from Python's hashlib).
    auto bytes = [](size_t n) {
        std::string s;
        for (size_t i = 0; i < n; ++i) s += static_cast<char>((i * 7 + 3) % 256);
        return s;
    };
    CHECK(sg::sha256_hex(bytes(55)) ==
          "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b");
    CHECK(sg::sha256_hex(bytes(56)) ==
          "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27");
    CHECK(sg::sha256_hex(bytes(63)) ==
          "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055");
    CHECK(sg::sha256_hex(bytes(64)) ==
          "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241");
    CHECK(sg::sha256_hex(bytes(65)) ==
          "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e");
    CHECK(sg::sha256_hex(bytes(119)) ==
          "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e");
    CHECK(sg::sha256_hex(bytes(120)) ==
          "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5");
    CHECK(sg::sha256_hex(bytes(1000)) ==
          "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371");
}

TEST_CASE("checksums: normalised line endings and trailing white space", "[checksum]") {
    std::string lf = k_head + "-- +upgrade\nCREATE TABLE t (x INT);\nSELECT 1;\n";
    std::string crlf = k_head + "-- +upgrade\r\nCREATE TABLE t (x INT);\r\nSELECT 1;\r\n";
    std::string cr = k_head + "-- +upgrade\rCREATE TABLE t (x INT);\rSELECT 1;\r";
    std::string trailing = k_head + "-- +upgrade\nCREATE TABLE t (x INT);\nSELECT 1;  \n\n\t\n";
    std::string with_down = lf + "\n-- +downgrade\nDROP TABLE t;\n";
    auto sum = parse_migration(lf, "m.sql").checksum(Dialect::sqlite);
    CHECK(sum.size() == 64);
    CHECK(sum == sg::sha256_hex("CREATE TABLE t (x INT);\nSELECT 1;"));
    CHECK(parse_migration(crlf, "m.sql").checksum(Dialect::sqlite) == sum);
    CHECK(parse_migration(cr, "m.sql").checksum(Dialect::sqlite) == sum);
    CHECK(parse_migration(trailing, "m.sql").checksum(Dialect::sqlite) == sum);
    CHECK(parse_migration(with_down, "m.sql").checksum(Dialect::sqlite) == sum);
    // Changing the SQL changes it.
    std::string changed = k_head + "-- +upgrade\nCREATE TABLE t (x BIGINT);\nSELECT 1;\n";
    CHECK(parse_migration(changed, "m.sql").checksum(Dialect::sqlite) != sum);
}

TEST_CASE("checksums: a dialect section is what counts for its dialect", "[checksum]") {
    std::string base = k_head + "-- +upgrade\nCREATE TABLE t (x INT);\n";
    auto plain = parse_migration(base, "m.sql");
    auto with_pg =
        parse_migration(base + "-- +upgrade postgresql\nCREATE TABLE t (x int4);\n", "m.sql");
    CHECK(with_pg.checksum(Dialect::sqlite) == plain.checksum(Dialect::sqlite));
    CHECK(with_pg.checksum(Dialect::mysql) == plain.checksum(Dialect::mysql));
    CHECK(with_pg.checksum(Dialect::postgresql) != plain.checksum(Dialect::postgresql));
    CHECK(with_pg.checksum(Dialect::postgresql) == sg::sha256_hex("CREATE TABLE t (x int4);"));
}

TEST_CASE("a header key without its colon is an error, a prose comment is not", "[parse]") {
    CHECK(has(problems("-- revision: a1\n-- down_revision a0\n-- +upgrade\nSELECT 1;\n"), "m.sql:2",
              "header key 'down_revision' needs a colon"));
    CHECK(problems("-- revision: a1\n-- message of the day\n-- revision history follows\n"
                   "-- +upgrade\nSELECT 1;\n")
              .empty());
}
