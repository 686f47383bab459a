#!/usr/bin/python3
"""End-to-end: what the migration-file layer refuses or accepts at load time.

- Transaction control (COMMIT, BEGIN, ...) in a transactional revision: exit 3
  with file:line from verify, upgrade, run and offline --sql, for a SQLite,
  PostgreSQL and MySQL URL alike, before any connection (the server URLs
  point at a closed port) and without creating the SQLite file. A
  `transaction: false` revision may hold them.
- A generic section valid on SQLite and PostgreSQL but not on MySQL
  ('C:\\', ESCAPE '\\'): verify checks every dialect unless --dialect
  narrows it; run and upgrade check the URL's dialect only.
- `stamp -1` where several heads share one parent: exit 3 naming the
  revision to stamp, nothing written (it was a SIGSEGV).
"""
import os
import re
import sys

from cli_support import check, expect, rows, sg, write_rev

CLOSED_PG = "postgresql://u:p@127.0.0.1:1/app"
CLOSED_MY = "mysql://u:p@127.0.0.1:1/app"


def migrations(tmp):
    m = os.path.join(tmp, "migrations")
    os.makedirs(m, exist_ok=True)
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE one (x INTEGER);", "DROP TABLE one;")
    return m


def sqlite_url(tmp):
    return "sqlite:///" + os.path.join(tmp, "app.db")


def refused(tmp, args, pattern):
    rc, _, err = sg(*args, cwd=tmp)
    check(rc == 3, "%s: exit %d, wanted 3\n%s" % (args, rc, err))
    check(re.search(pattern, err), "%s: stderr lacks %r:\n%s" % (args, pattern, err))
    check(not os.path.exists(os.path.join(tmp, "app.db")), "%s: created the database" % (args,))


def test_commit_in_transactional_revision(tmp):
    m = migrations(tmp)
    write_rev(m, "bbbb00000002", "aaaa00000001", "two",
              "CREATE TABLE two (x INTEGER);\nCOMMIT;\nINSERT INTO two VALUES (1);")
    where = r"bbbb00000002\.sql:8: transaction control \(COMMIT\)"
    for url in (sqlite_url(tmp), CLOSED_PG, CLOSED_MY):
        for cmd in (["verify"], ["upgrade"], ["run", "--wait-timeout", "0"],
                    ["upgrade", "--sql"]):
            refused(tmp, ["--url", url, "--migrations", m] + cmd, where)


def test_each_word_in_each_dialect_section(tmp):
    m = migrations(tmp)
    cases = [("postgresql", "BEGIN;", "BEGIN"), ("postgresql", "END;", "END"),
             ("mysql", "START TRANSACTION;", "START TRANSACTION"), ("mysql", "ROLLBACK;", "ROLLBACK"),
             ("sqlite", "BEGIN IMMEDIATE;", "BEGIN"), ("sqlite", "END TRANSACTION;", "END")]
    for dialect, sql, word in cases:
        path = os.path.join(m, "tx.sql")
        with open(path, "w") as f:
            f.write("-- revision: cccc00000003\n-- down_revision: aaaa00000001\n"
                    "-- +upgrade\nSELECT 1;\n-- +upgrade %s\nSELECT 1;\n%s\n" % (dialect, sql))
        refused(tmp, ["--migrations", m, "verify", "--dialect", dialect],
                r"tx\.sql:7: transaction control \(%s\)" % re.escape(word))


def test_transaction_false_may_control_transactions(tmp):
    m = migrations(tmp)
    with open(os.path.join(m, "own.sql"), "w") as f:
        f.write("-- revision: bbbb00000002\n-- down_revision: aaaa00000001\n"
                "-- transaction: false\n\n-- +upgrade\n"
                "BEGIN;\nCREATE TABLE two (x INTEGER);\nINSERT INTO two VALUES (1);\nCOMMIT;\n")
    expect(sg("--migrations", m, "verify", cwd=tmp), 0, "verify")
    expect(sg("--url", sqlite_url(tmp), "--migrations", m, "run", cwd=tmp), 0, "run")
    check(rows(os.path.join(tmp, "app.db")) == ["bbbb00000002"], "rows after run")


def test_generic_section_split_for_the_dialect_it_runs_on(tmp):
    m = migrations(tmp)
    write_rev(m, "bbbb00000002", "aaaa00000001", "paths",
              "CREATE TABLE paths (p TEXT);\nINSERT INTO paths VALUES ('C:\\');\n"
              "SELECT p FROM paths WHERE p LIKE 'C:\\_%' ESCAPE '\\';")
    rc, _, err = sg("--migrations", m, "verify", cwd=tmp)
    check(rc == 3 and "when split as mysql" in err, "verify, every dialect: %d\n%s" % (rc, err))
    expect(sg("--migrations", m, "verify", "--dialect", "sqlite", cwd=tmp), 0, "verify sqlite")
    expect(sg("--migrations", m, "verify", "--dialect", "postgresql", cwd=tmp), 0, "verify pg")
    refused(tmp, ["--migrations", m, "verify", "--dialect", "mysql"], r"bbbb00000002\.sql:\d+: ")
    refused(tmp, ["--url", CLOSED_MY, "--migrations", m, "run", "--wait-timeout", "0"],
            r"bbbb00000002\.sql:\d+: ")
    expect(sg("--url", sqlite_url(tmp), "--migrations", m, "run", cwd=tmp), 0, "run on sqlite")
    check(rows(os.path.join(tmp, "app.db")) == ["bbbb00000002"], "rows after run")
    out, _ = expect(sg("--url", sqlite_url(tmp), "--migrations", m, "heads", cwd=tmp), 0, "heads")
    check("bbbb00000002" in out, "heads: " + out)


def test_verify_names_a_dialect_without_an_upgrade_section(tmp):
    # Only a MySQL upgrade section: loading accepts it (a revision needs some
    # upgrade), verify names each dialect it cannot run on, --dialect narrows.
    m = migrations(tmp)
    with open(os.path.join(m, "my.sql"), "w") as f:
        f.write("-- revision: bbbb00000002\n-- down_revision: aaaa00000001\n\n"
                "-- +upgrade mysql\nCREATE TABLE two (x INT) ENGINE=InnoDB;\n")
    rc, _, err = sg("--migrations", m, "verify", cwd=tmp)
    check(rc == 3, "verify: exit %d, wanted 3\n%s" % (rc, err))
    for dialect in ("postgresql", "sqlite"):
        check("revision bbbb00000002 has no -- +upgrade section for %s" % dialect in err,
              "verify names %s:\n%s" % (dialect, err))
    check("section for mysql" not in err, "verify names mysql:\n" + err)
    expect(sg("--migrations", m, "verify", "--dialect", "mysql", cwd=tmp), 0, "verify mysql")
    refused(tmp, ["--migrations", m, "verify", "--dialect", "sqlite"],
            r"my\.sql: .*has no -- \+upgrade section for sqlite")


def test_stamp_minus_one_with_heads_on_one_parent(tmp):
    m = migrations(tmp)
    write_rev(m, "bbbb00000002", "aaaa00000001", "b")
    write_rev(m, "cccc00000003", "aaaa00000001", "c")
    db = os.path.join(tmp, "app.db")
    expect(sg("--url", sqlite_url(tmp), "--migrations", m, "upgrade", "aaaa00000001", cwd=tmp), 0,
           "prepare")
    expect(sg("--url", sqlite_url(tmp), "--migrations", m, "downgrade", "base", cwd=tmp), 0,
           "back to base")
    rc, _, err = sg("--url", sqlite_url(tmp), "--migrations", m, "stamp", "-1", cwd=tmp)
    check(rc == 3, "stamp -1: exit %d, wanted 3\n%s" % (rc, err))
    check("stamp aaaa00000001" in err, "stamp -1 names the revision:\n" + err)
    check(rows(db) == [], "stamp -1 wrote rows: %s" % rows(db))


if __name__ == "__main__":
    import pytest
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
