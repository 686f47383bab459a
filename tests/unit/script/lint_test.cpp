// Lint rules: one fixture per rule in PostgreSQL and MySQL spellings, the
// safe variants, rule words in strings and comments, and spellings that must
// not hide a finding.
#include "script/lint.hpp"

#include <catch2/catch.hpp>

using sg::Dialect;

namespace {

const Dialect pg = Dialect::postgresql;
const Dialect my = Dialect::mysql;
const Dialect lite = Dialect::sqlite;

using V = std::vector<std::string>;

// "line:rule" of each finding of `sql` (line 1 is the first line of sql).
V found(const std::string& sql, Dialect d, bool transactional = true) {
    V out;
    for (const auto& f : sg::lint_sql(sql, d, transactional, 1, "m.sql"))
        out.push_back(std::to_string(f.line) + ":" + f.rule);
    return out;
}

const std::string k_table = "CREATE TABLE t (id int);\n";  // a table created in the revision

}  // namespace

TEST_CASE("drop-table: PostgreSQL, MySQL and SQLite", "[lint]") {
    CHECK(found("DROP TABLE patients;", pg) == V{"1:drop-table"});
    CHECK(found("SELECT 1;\nDROP TABLE IF EXISTS `patients`;", my) == V{"2:drop-table"});
    CHECK(found("DROP TABLE main.patients;", lite) == V{"1:drop-table"});
    CHECK(found("CREATE TABLE tmp (a int);\nDROP TABLE tmp;", pg).empty());
}

TEST_CASE("drop-column: with and without COLUMN, every dialect", "[lint]") {
    CHECK(found("ALTER TABLE patients DROP COLUMN email;", pg) == V{"1:drop-column"});
    CHECK(found("ALTER TABLE patients\n  DROP email;", my) == V{"2:drop-column"});
    CHECK(found("ALTER TABLE patients DROP COLUMN IF EXISTS email;", pg) == V{"1:drop-column"});
    CHECK(found("ALTER TABLE patients DROP COLUMN email;", lite) == V{"1:drop-column"});
    // Dropping a constraint, index or key is no column.
    CHECK(found("ALTER TABLE p DROP CONSTRAINT p_fk;", pg).empty());
    CHECK(found("ALTER TABLE p DROP INDEX i, DROP FOREIGN KEY f, DROP PRIMARY KEY;", my).empty());
}

TEST_CASE("rename: table and column, PostgreSQL, MySQL and SQLite spellings", "[lint]") {
    CHECK(found("ALTER TABLE patients RENAME TO people;", pg) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME COLUMN email TO mail;", pg) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME email TO mail;", pg) == V{"1:rename"});
    CHECK(found("RENAME TABLE patients TO people;", my) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME people;", my) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME COLUMN email TO mail;", my) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients CHANGE COLUMN email mail varchar(255);", my) ==
          V{"1:rename"});
    CHECK(found("ALTER TABLE patients CHANGE email mail varchar(255) NULL;", my) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME TO people;", lite) == V{"1:rename"});
    CHECK(found("ALTER TABLE patients RENAME COLUMN email TO mail;", lite) == V{"1:rename"});
    // A constraint or index renamed breaks nobody.
    CHECK(found("ALTER TABLE p RENAME CONSTRAINT a TO b;", pg).empty());
    CHECK(found("ALTER TABLE p RENAME INDEX a TO b;", my).empty());
}

TEST_CASE("not-null-without-default, and the safe variants", "[lint]") {
    CHECK(found("ALTER TABLE p ADD COLUMN age int NOT NULL;", pg) ==
          V{"1:not-null-without-default"});
    CHECK(found("ALTER TABLE p ADD age int NOT NULL;", my) == V{"1:not-null-without-default"});
    CHECK(found("ALTER TABLE p ADD COLUMN age int NOT NULL;", lite) ==
          V{"1:not-null-without-default"});
    // Safe: nullable, NOT NULL with a DEFAULT, generated values, a NOT NULL
    // inside a CHECK, a new table.
    CHECK(found("ALTER TABLE p ADD COLUMN age int;", pg).empty());
    CHECK(found("ALTER TABLE p ADD COLUMN age int NULL;", my).empty());
    CHECK(found("ALTER TABLE p ADD COLUMN age int NOT NULL DEFAULT 0;", pg).empty());
    CHECK(found("ALTER TABLE p ADD COLUMN age int DEFAULT 0 NOT NULL;", my).empty());
    CHECK(found("ALTER TABLE p ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;", pg)
              .empty());
    CHECK(found("ALTER TABLE p ADD COLUMN id bigserial NOT NULL;", pg).empty());
    CHECK(found("ALTER TABLE p ADD COLUMN age int CHECK (age IS NOT NULL);", pg).empty());
    CHECK(found(k_table + "ALTER TABLE t ADD COLUMN age int NOT NULL;", pg).empty());
}

TEST_CASE("set-not-null: PostgreSQL SET NOT NULL, MySQL MODIFY ... NOT NULL", "[lint]") {
    CHECK(found("ALTER TABLE p ALTER COLUMN email SET NOT NULL;", pg) == V{"1:set-not-null"});
    CHECK(found("ALTER TABLE p ALTER email SET NOT NULL;", pg) == V{"1:set-not-null"});
    CHECK(found("ALTER TABLE p MODIFY COLUMN email varchar(255) NOT NULL;", my) ==
          V{"1:set-not-null"});
    CHECK(found("ALTER TABLE p MODIFY email varchar(255) NOT NULL;", my) == V{"1:set-not-null"});
    // Dropping NOT NULL or setting a default is safe.
    CHECK(found("ALTER TABLE p ALTER COLUMN email DROP NOT NULL;", pg).empty());
    CHECK(found("ALTER TABLE p ALTER COLUMN email SET DEFAULT 'x';", pg).empty());
    CHECK(found("ALTER TABLE p ALTER COLUMN email SET DEFAULT 'x';", my).empty());
}

TEST_CASE("change-type: ALTER COLUMN ... TYPE, MODIFY COLUMN, CHANGE to the same name", "[lint]") {
    CHECK(found("ALTER TABLE p ALTER COLUMN age TYPE bigint;", pg) == V{"1:change-type"});
    CHECK(found("ALTER TABLE p ALTER COLUMN age SET DATA TYPE bigint;", pg) == V{"1:change-type"});
    CHECK(found("ALTER TABLE p MODIFY COLUMN age bigint;", my) == V{"1:change-type"});
    CHECK(found("ALTER TABLE p CHANGE age age bigint NULL;", my) == V{"1:change-type"});
    CHECK(found(k_table + "ALTER TABLE t ALTER COLUMN id TYPE bigint;", pg).empty());
}

TEST_CASE("index-not-concurrent: PostgreSQL CREATE and DROP INDEX on an existing table", "[lint]") {
    CHECK(found("CREATE INDEX p_email ON p (email);", pg) == V{"1:index-not-concurrent"});
    CHECK(found("CREATE UNIQUE INDEX IF NOT EXISTS p_email ON ONLY public.p (email);", pg) ==
          V{"1:index-not-concurrent"});
    CHECK(found("CREATE INDEX ON p (email);", pg) == V{"1:index-not-concurrent"});
    CHECK(found("DROP INDEX p_email;", pg) == V{"1:index-not-concurrent"});
    // Safe: CONCURRENTLY outside a transaction, a table of this revision, an
    // index created earlier in it; InnoDB builds indexes online.
    CHECK(found("CREATE INDEX CONCURRENTLY p_email ON p (email);", pg, false).empty());
    CHECK(found("DROP INDEX CONCURRENTLY IF EXISTS p_email;", pg, false).empty());
    CHECK(found(k_table + "CREATE INDEX t_id ON t (id);\nDROP INDEX t_id;", pg).empty());
    CHECK(found("CREATE INDEX p_email ON p (email);", my).empty());
    CHECK(found("DROP INDEX p_email ON p;", my).empty());
}

TEST_CASE("constraint-not-valid: PostgreSQL FOREIGN KEY / CHECK without NOT VALID", "[lint]") {
    CHECK(found("ALTER TABLE p ADD CONSTRAINT p_fk FOREIGN KEY (org) REFERENCES org (id);", pg) ==
          V{"1:constraint-not-valid"});
    CHECK(found("ALTER TABLE p ADD CHECK (age > 0);", pg) == V{"1:constraint-not-valid"});
    // Safe: NOT VALID then VALIDATE; a new table; MySQL has no NOT VALID.
    CHECK(found("ALTER TABLE p ADD CONSTRAINT p_fk FOREIGN KEY (org) REFERENCES org (id) NOT "
                "VALID;\nALTER TABLE p VALIDATE CONSTRAINT p_fk;",
                pg)
              .empty());
    CHECK(found(k_table + "ALTER TABLE t ADD CHECK (id > 0);", pg).empty());
    CHECK(found("ALTER TABLE p ADD CONSTRAINT p_fk FOREIGN KEY (org) REFERENCES org (id);", my)
              .empty());
}

TEST_CASE("concurrently-in-transaction: only in a transactional revision", "[lint]") {
    CHECK(found("CREATE INDEX CONCURRENTLY p_email ON p (email);", pg, true) ==
          V{"1:concurrently-in-transaction"});
    CHECK(found("DROP INDEX CONCURRENTLY p_email;", pg, true) ==
          V{"1:concurrently-in-transaction"});
    CHECK(found("CREATE INDEX CONCURRENTLY p_email ON p (email);", pg, false).empty());
    CHECK(found("REFRESH MATERIALIZED VIEW CONCURRENTLY v;", pg, true).empty());
}

TEST_CASE("rule words in strings, dollar quotes and comments give no finding", "[lint]") {
    CHECK(found("INSERT INTO notes VALUES ('DROP TABLE patients');", pg).empty());
    CHECK(found("INSERT INTO notes VALUES ('ALTER TABLE p DROP COLUMN x; DROP TABLE y');", my)
              .empty());
    CHECK(found("INSERT INTO notes VALUES (\"DROP TABLE y\");", my).empty());
    CHECK(found("-- DROP TABLE patients;\nSELECT 1;", pg).empty());
    CHECK(found("# DROP TABLE patients;\nSELECT 1;", my).empty());
    CHECK(found("/* ALTER TABLE p DROP COLUMN x; */ SELECT 1;", pg).empty());
    CHECK(found("DO $$ BEGIN EXECUTE 'DROP TABLE p'; END $$;", pg).empty());
    CHECK(found("CREATE FUNCTION f() RETURNS void AS $body$ DROP TABLE p; $body$ LANGUAGE sql;", pg)
              .empty());
    CHECK(found("SELECT E'\\' DROP TABLE p';", pg).empty());
}

TEST_CASE("lower case, odd white space and comments inside a statement hide nothing", "[lint]") {
    CHECK(found("alter table patients drop column email;", pg) == V{"1:drop-column"});
    CHECK(found("ALTER\tTABLE\n\n  patients\r\n DROP\n COLUMN email;", pg) == V{"4:drop-column"});
    CHECK(found("ALTER TABLE /* old pods */ patients -- still\n DROP /* x */ COLUMN email;", pg) ==
          V{"2:drop-column"});
    CHECK(found("drop /* c */ table # x\n patients;", my) == V{"1:drop-table"});
    CHECK(found("ALTER TABLE \"Patients\" ALTER COLUMN \"Email\" SET NOT NULL;", pg) ==
          V{"1:set-not-null"});
    CHECK(found("alter table `p` modify `age` bigint not null;", my) == V{"1:set-not-null"});
}

TEST_CASE("several actions of one ALTER TABLE are each checked", "[lint]") {
    CHECK(found("ALTER TABLE p\n  ADD COLUMN a int,\n  DROP COLUMN b,\n  ALTER COLUMN c TYPE "
                "text;",
                pg) == V{"3:drop-column", "4:change-type"});
    // A comma inside a type's parentheses is no action separator.
    CHECK(found("ALTER TABLE p ADD COLUMN a numeric(10, 2) NOT NULL DEFAULT 0;", pg).empty());
}

TEST_CASE("findings name file:line, the rule and what to do instead", "[lint]") {
    auto f = sg::lint_sql("SELECT 1;\n\nALTER TABLE p ADD COLUMN x int NOT NULL;", pg, true, 10,
                          "rev.sql");
    REQUIRE(f.size() == 1);
    CHECK(f[0].where() == "rev.sql:12");
    CHECK(f[0].rule == "not-null-without-default");
    CHECK(f[0].advice.find("add the column nullable") != std::string::npos);
}

TEST_CASE("lint_allow in the header accepts rules for that revision", "[lint]") {
    std::string text =
        "-- revision: a1\n-- lint_allow: drop-column, rename\n-- +upgrade\n"
        "ALTER TABLE p DROP COLUMN x;\nALTER TABLE p RENAME TO q;\nDROP TABLE z;\n";
    auto m = sg::parse_migration(text, "a1.sql");
    CHECK(m.lint_allow == V{"drop-column", "rename"});
    auto f = sg::lint_migration(m, {pg, my});
    REQUIRE(f.size() == 3);
    CHECK(f[0].allowed);
    CHECK(f[1].allowed);
    CHECK_FALSE(f[2].allowed);
    CHECK(f[2].where() == "a1.sql:6");
    CHECK(f[0].dialects.size() == 2);  // found for both, reported once
}

TEST_CASE("lint_allow with an unknown rule is a load error naming the line", "[lint]") {
    try {
        sg::parse_migration("-- revision: a1\n-- lint_allow: drop-colum\n-- +upgrade\nSELECT 1;\n",
                            "a1.sql");
        FAIL("no error");
    } catch (const sg::ScriptError& e) {
        CHECK(e.problems().at(0).where() == "a1.sql:2");
        CHECK(e.problems().at(0).message.find("drop-colum") != std::string::npos);
    }
}

TEST_CASE("a dialect section is linted with its own dialect", "[lint]") {
    std::string text =
        "-- revision: a1\n-- +upgrade postgresql\nCREATE INDEX i ON p (x);\n"
        "-- +upgrade mysql\nCREATE INDEX i ON p (x);\n";
    auto m = sg::parse_migration(text, "a1.sql");
    auto f = sg::lint_migration(m, {pg, my, lite});
    REQUIRE(f.size() == 1);
    CHECK(f[0].where() == "a1.sql:3");
    CHECK(f[0].rule == "index-not-concurrent");
}

TEST_CASE("lint modes parse", "[lint]") {
    CHECK(sg::parse_lint_mode("off") == sg::LintMode::off);
    CHECK(sg::parse_lint_mode("warn") == sg::LintMode::warn);
    CHECK(sg::parse_lint_mode("error") == sg::LintMode::error);
    CHECK_FALSE(sg::parse_lint_mode("ERROR"));
}
