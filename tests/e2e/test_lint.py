#!/usr/bin/python3
"""`schemagate lint` (no database) and `run --lint off|warn|error`:
file:line, rule and advice per finding, exit 13, lint_allow, ranges, and
`run --lint error` refusing before the lock, the backup or any change
(SQLite, and the real PostgreSQL and MariaDB servers)."""
import os
import re
import sys

import pytest
import sqlite3

from run_support import (Workdir, describe, mysql_create_db, mysql_drop_db, mysql_query,
                         need_env, pg_create_db, pg_drop_db, pg_query, sg)

# One revision per rule, PostgreSQL and MySQL spellings in dialect sections.
RULES = {
    "drop-table": ("DROP TABLE legacy;", "DROP TABLE `legacy`;"),
    "drop-column": ("ALTER TABLE patients DROP COLUMN fax;", "ALTER TABLE patients DROP fax;"),
    "rename": ("ALTER TABLE patients RENAME COLUMN name TO full_name;",
               "ALTER TABLE patients CHANGE COLUMN name full_name varchar(100);"),
    "not-null-without-default": ("ALTER TABLE patients ADD COLUMN age int NOT NULL;",
                                 "ALTER TABLE patients ADD age int NOT NULL;"),
    "set-not-null": ("ALTER TABLE patients ALTER COLUMN name SET NOT NULL;",
                     "ALTER TABLE patients MODIFY name varchar(100) NOT NULL;"),
    "change-type": ("ALTER TABLE patients ALTER COLUMN name TYPE text;",
                    "ALTER TABLE patients MODIFY COLUMN name text;"),
}


def lint(w, *extra):
    return sg(["lint", "--migrations", w.migrations] + list(extra))


def finding_lines(out):
    """(file name, line, rule) of each finding line of `lint`'s output."""
    found = []
    for line in out.splitlines():
        m = re.match(r"(.+):(\d+): ([a-z-]+): .*; instead: .+", line)
        if m:
            found.append((os.path.basename(m.group(1)), int(m.group(2)), m.group(3)))
    return found


def dialect_revision(w, rev, down, pg_sql, my_sql, headers=""):
    text = "-- revision: %s\n" % rev
    if down:
        text += "-- down_revision: %s\n" % down
    text += headers
    text += "-- +upgrade postgresql\n%s\n-- +upgrade mysql\n%s\n-- +upgrade sqlite\nSELECT 1;\n" % (
        pg_sql, my_sql)
    path = os.path.join(w.migrations, "%02d_%s.sql" % (len(os.listdir(w.migrations)), rev))
    with open(path, "w") as f:
        f.write(text)
    return os.path.basename(path)


class LintCommand:
    def __init__(self):
        self.w = Workdir()

    def close(self):
        self.w.cleanup()


@pytest.fixture
def lint_command():
    case = LintCommand()
    try:
        yield case
    finally:
        case.close()


def test_each_rule_in_postgresql_and_mysql_spelling_with_file_and_line(lint_command):
    down = ""
    files = {}
    for i, (rule, (pg_sql, my_sql)) in enumerate(RULES.items()):
        rev = "r%d" % i
        files[rule] = dialect_revision(lint_command.w, rev, down, pg_sql, my_sql)
        down = rev
    # The statement of the postgresql section is on line 3 or 4 (a
    # down_revision line), the mysql one two lines later.
    p = lint(lint_command.w)
    assert p.returncode == 13, describe(p)
    found = finding_lines(p.stdout)
    for rule, name in files.items():
        first = 3 if rule == "drop-table" else 4
        assert (name, first, rule) in found, p.stdout
        assert (name, first + 2, rule) in found, p.stdout
    assert "12 finding(s) in 6 revision(s)" in p.stdout
    # Narrowed to one dialect: only its section.
    p = lint(lint_command.w, "--dialect", "mysql")
    assert p.returncode == 13, describe(p)
    assert len(finding_lines(p.stdout)) == 6, p.stdout
    assert all(line in (5, 6) for _, line, _ in finding_lines(p.stdout)), p.stdout


def test_postgresql_only_rules(lint_command):
    lint_command.w.revision("a1", "", "CREATE TABLE t (id int);")
    lint_command.w.revision("b2", "a1", """
        CREATE INDEX t_id ON t (id);
        ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (id) REFERENCES t (id);
        CREATE INDEX CONCURRENTLY t_id2 ON t (id);
        """)
    p = lint(lint_command.w, "--dialect", "postgresql")
    assert p.returncode == 13, describe(p)
    rules = [(line, rule) for _, line, rule in finding_lines(p.stdout)]
    assert (rules == [(6, "index-not-concurrent"), (7, "constraint-not-valid"),
                             (8, "concurrently-in-transaction")]), p.stdout
    assert "CONCURRENTLY" in p.stdout
    assert "NOT VALID" in p.stdout


def test_safe_variants_give_no_finding(lint_command):
    lint_command.w.revision("a1", "", """
        CREATE TABLE t (id int);
        CREATE INDEX t_id ON t (id);
        ALTER TABLE t ADD COLUMN note text;
        ALTER TABLE t ADD COLUMN n int NOT NULL DEFAULT 0;
        INSERT INTO t (note) VALUES ('DROP TABLE t; ALTER TABLE t DROP COLUMN n');
        -- DROP TABLE t;
        """)
    lint_command.w.revision("b2", "a1", """
        ALTER TABLE t ADD COLUMN email text;
        ALTER TABLE t ADD COLUMN score int NOT NULL DEFAULT 0;
        ALTER TABLE t ADD CONSTRAINT t_chk CHECK (score >= 0) NOT VALID;
        ALTER TABLE t VALIDATE CONSTRAINT t_chk;
        """)
    lint_command.w.revision("c3", "b2", "CREATE INDEX CONCURRENTLY t_email ON t (email);",
                    headers="-- transaction: false\n")
    lint_command.w.revision("d4", "c3", "ALTER TABLE t DROP COLUMN note;",
                    headers="-- lint_allow: drop-column\n")
    p = lint(lint_command.w)
    assert p.returncode == 0, describe(p)
    assert "ok: 4 revision(s) linted, no finding, 1 accepted by lint_allow" in p.stdout
    p = lint(lint_command.w, "-v")
    assert "accepted by lint_allow" in p.stdout


def test_range_and_no_database(lint_command):
    lint_command.w.revision("a1", "", "DROP TABLE legacy;")
    lint_command.w.revision("b2", "a1", "ALTER TABLE t ADD COLUMN x int;")
    lint_command.w.revision("c3", "b2", "ALTER TABLE t ADD COLUMN y int;")
    assert lint(lint_command.w).returncode == 13
    p = lint(lint_command.w, "-r", "b2:c3")
    assert p.returncode == 0, describe(p)
    assert "ok: 2 revision(s)" in p.stdout
    p = lint(lint_command.w, "-r", "a1:a1")
    assert p.returncode == 13, describe(p)
    assert "1 revision(s)" in p.stdout
    # A URL of a server that is not there: lint never connects.
    p = lint(lint_command.w, "--url", "postgresql://u:secret@127.0.0.1:1/db", "-r", "b2:")
    assert p.returncode == 0, describe(p)
    assert "secret" not in (p.stdout + p.stderr)
    p = lint(lint_command.w, "-r", "current:")
    assert p.returncode == 2, describe(p)


def test_unknown_rule_in_lint_allow_is_exit_3_with_file_and_line(lint_command):
    path = lint_command.w.revision("a1", "", "SELECT 1;", headers="-- lint_allow: drop-colum\n")
    p = lint(lint_command.w)
    assert p.returncode == 3, describe(p)
    assert ("%s:3" % path) in p.stderr
    assert "drop-colum" in p.stderr


class RunLintSqlite:
    def __init__(self):
        self.w = Workdir()
        self.db = os.path.join(self.w.path, "app.db")
        self.url = "sqlite:///" + self.db
        self.w.revision("a1", "", "CREATE TABLE patients (id INTEGER PRIMARY KEY, fax TEXT);\n"
                                  "CREATE TABLE legacy (id INTEGER);")
        p = sg(self.w.args(self.url, "--lint", "error"))
        assert p.returncode == 0, describe(p)
        self.w.revision("b2", "a1", "ALTER TABLE patients DROP COLUMN fax;")

    def close(self):
        self.w.cleanup()

    def state(self):
        conn = sqlite3.connect(self.db)
        try:
            return (conn.execute("SELECT version_num FROM alembic_version").fetchall(),
                    conn.execute("SELECT count(*) FROM schemagate_history").fetchone(),
                    [r[1] for r in conn.execute("PRAGMA table_info(patients)")])
        finally:
            conn.close()


@pytest.fixture
def lint_sqlite():
    case = RunLintSqlite()
    try:
        yield case
    finally:
        case.close()


def test_error_refuses_before_lock_backup_and_change(lint_sqlite):
    before = lint_sqlite.state()
    backups = sorted(os.listdir(lint_sqlite.w.backups))
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "error"))
    assert p.returncode == 13, describe(p)
    assert "drop-column" in p.stderr
    assert "_b2.sql:6" in p.stderr
    assert lint_sqlite.state() == before
    assert sorted(os.listdir(lint_sqlite.w.backups)) == backups, "a backup was made"
    report = lint_sqlite.w.read_report()
    assert report["exit_code"] == 13
    assert not report["lock_taken"]
    term = lint_sqlite.w.read_termination()
    assert "exit 13" in term
    assert "drop-column" in term
    # The environment variable does the same.
    p = sg(lint_sqlite.w.args(lint_sqlite.url), env={"SCHEMAGATE_LINT": "error"})
    assert p.returncode == 13, describe(p)


def test_warn_is_the_default_and_applies(lint_sqlite):
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--log-format", "json"))
    assert p.returncode == 0, describe(p)
    warn = [l for l in p.stderr.splitlines() if '"rule":"drop-column"' in l]
    assert len(warn) == 1, p.stderr
    assert '"level":"warn"' in warn[0]
    assert "_b2.sql:6" in warn[0]
    assert "fax" not in lint_sqlite.state()[2]


def test_off_logs_nothing_and_applies(lint_sqlite):
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "off"))
    assert p.returncode == 0, describe(p)
    assert "drop-column" not in p.stderr


def test_only_pending_revisions_count(lint_sqlite):
    # a1 (applied) would be fine anyway; make an applied one unsafe: b2
    # applied with --lint off, then a safe c3 passes --lint error.
    assert sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "off")).returncode == 0
    lint_sqlite.w.revision("c3", "b2", "ALTER TABLE patients ADD COLUMN email TEXT;")
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "error"))
    assert p.returncode == 0, describe(p)


def test_lint_allow_lets_run_error_pass(lint_sqlite):
    for f in os.listdir(lint_sqlite.w.migrations):
        if f.endswith("_b2.sql"):
            os.unlink(os.path.join(lint_sqlite.w.migrations, f))
    lint_sqlite.w.revision("b2", "a1", "ALTER TABLE patients DROP COLUMN fax;",
                    headers="-- lint_allow: drop-column\n")
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "error"))
    assert p.returncode == 0, describe(p)


def test_bad_mode_is_usage_error(lint_sqlite):
    p = sg(lint_sqlite.w.args(lint_sqlite.url, "--lint", "strict"))
    assert p.returncode == 2, describe(p)
    assert "off, warn or error" in p.stderr


class RunLintServers:
    """`run --lint error` on the real servers: nothing created, no backup."""

    def __init__(self):
        self.w = Workdir()

    def close(self):
        self.w.cleanup()

    def check_refused(self, url):
        # Both pending on an empty database: a1 is fine, b2 is not.
        self.w.revision("a1", "", "CREATE TABLE patients (id int, fax int);")
        self.w.revision("b2", "a1", "ALTER TABLE patients DROP COLUMN fax;")
        p = sg(self.w.args(url, "--lint", "error", "--backup", "always"))
        assert p.returncode == 13, describe(p)
        assert "drop-column" in p.stderr
        assert not (os.path.exists(self.w.backups) and os.listdir(self.w.backups)), "a backup was made"
        assert not self.w.read_report()["lock_taken"]


@pytest.fixture
def lint_servers():
    case = RunLintServers()
    try:
        yield case
    finally:
        case.close()


def test_postgresql(lint_servers):
    need_env("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    name, url = pg_create_db("sg_lint")
    try:
        lint_servers.check_refused(url)
        tables = pg_query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables == []
    finally:
        pg_drop_db(name)


def test_mariadb(lint_servers):
    need_env("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    name, url = mysql_create_db("sg_lint")
    try:
        lint_servers.check_refused(url)
        assert mysql_query(url, "SHOW TABLES") == []
    finally:
        mysql_drop_db(name)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
