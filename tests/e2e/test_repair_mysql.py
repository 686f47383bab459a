#!/usr/bin/python3
"""End-to-end: a dirty step through the CLI on MariaDB (exit 9 and `repair`).

MySQL/MariaDB commit DDL implicitly, so a revision that fails after its first
statement leaves the database dirty: `upgrade` exits 9, later `upgrade` and
`check` refuse with 9 and name the `repair` choices, and `repair
--mark-reverted` / `--mark-applied` / `--resume` resolve it. Uses
SG_TEST_MYSQL_URL (required when CI=true, skipped otherwise) with table names
unique to this process, dropped at the end.
"""
import os
import re
import shutil
import sys
import urllib.parse

import pytest

from cli_support import check, expect, need, sg, write_rev


URL = os.environ.get("SG_TEST_MYSQL_URL", "")


@pytest.fixture(autouse=True)
def _server():
    """Skips (fails with CI=true) without SG_TEST_MYSQL_URL."""
    need("SG_TEST_MYSQL_URL")
PID = os.getpid()
VT = "sgcli_version_%d" % PID
HT = "sgcli_history_%d" % PID
T1, T2, T3 = "sgcli_t1_%d" % PID, "sgcli_t2_%d" % PID, "sgcli_t3_%d" % PID
MISSING = "sgcli_missing_%d" % PID


def mysql(sql):
    import pymysql
    u = urllib.parse.urlsplit(URL)
    con = pymysql.connect(host=u.hostname, port=u.port or 3306,
                          user=urllib.parse.unquote(u.username or ""),
                          password=urllib.parse.unquote(u.password or ""),
                          database=u.path.lstrip("/"), autocommit=True)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def cleanup():
    for t in (T1, T2, T3, MISSING, VT, HT):
        mysql("DROP TABLE IF EXISTS " + t)


def versions():
    return sorted(r[0] for r in mysql("SELECT version_num FROM " + VT))


def dirty_dir(tmp, second):
    m = os.path.join(tmp, "migrations")
    shutil.rmtree(m, ignore_errors=True)
    os.makedirs(m)
    write_rev(m, "aaaa00000001", "", "one", "CREATE TABLE %s (x INTEGER);" % T1,
              "DROP TABLE %s;" % T1)
    write_rev(m, "bbbb00000002", "aaaa00000001", "two", second,
              "DROP TABLE IF EXISTS %s;\nDROP TABLE IF EXISTS %s;" % (T3, T2))
    return m


FAILING = "CREATE TABLE %s (x INTEGER);\nINSERT INTO %s VALUES (1);\nCREATE TABLE %s (x INTEGER);" % (
    T2, MISSING, T3)


def args(m):
    return ["--url", URL, "--migrations", m, "--version-table", VT, "--history-table", HT]


def make_dirty(tmp):
    m = dirty_dir(tmp, FAILING)
    rc, out, err = sg(*args(m), "upgrade", cwd=tmp)
    check(rc == 9, "failing revision on MariaDB: exit %d, wanted 9: %s" % (rc, err))
    check(re.search(r"bbbb00000002\.sql:\d+", err), "file:line named: " + err)
    return m


def test_dirty_then_mark_reverted(tmp):
    cleanup()
    try:
        m = make_dirty(tmp)
        _, err = expect(sg(*args(m), "upgrade", cwd=tmp), 9, "upgrade on a dirty database")
        check("repair" in err and "--mark-reverted" in err, "repair choices named: " + err)
        expect(sg(*args(m), "check", cwd=tmp), 9, "check on a dirty database")
        mysql("DROP TABLE " + T2)  # the person undoes the partial change
        expect(sg(*args(m), "repair", "--mark-reverted", cwd=tmp), 0, "repair --mark-reverted")
        check(versions() == ["aaaa00000001"], "reverted: %s" % versions())
        m = dirty_dir(tmp, "CREATE TABLE %s (x INTEGER);" % T2)
        expect(sg(*args(m), "upgrade", cwd=tmp), 0, "upgrade after repair")
        check(versions() == ["bbbb00000002"], "at head: %s" % versions())
        expect(sg(*args(m), "downgrade", "base", cwd=tmp), 0, "downgrade base")
    finally:
        cleanup()


def test_dirty_then_mark_applied(tmp):
    cleanup()
    try:
        m = make_dirty(tmp)
        mysql("CREATE TABLE %s (x INTEGER)" % T3)  # the person finishes by hand
        expect(sg(*args(m), "repair", "--mark-applied", cwd=tmp), 0, "repair --mark-applied")
        check(versions() == ["bbbb00000002"], "applied: %s" % versions())
        expect(sg(*args(m), "repair", "--resume", cwd=tmp), 0, "nothing left to repair")
    finally:
        cleanup()


def test_dirty_then_resume(tmp):
    cleanup()
    try:
        m = make_dirty(tmp)
        mysql("CREATE TABLE %s (x INTEGER)" % MISSING)  # the cause is fixed
        try:
            expect(sg(*args(m), "repair", "--resume", cwd=tmp), 0, "repair --resume")
            check(versions() == ["bbbb00000002"], "resumed: %s" % versions())
            tables = [r[0] for r in mysql("SHOW TABLES LIKE 'sgcli_t3_%d'" % PID)]
            check(tables == [T3], "the remaining statement ran: %s" % tables)
        finally:
            mysql("DROP TABLE IF EXISTS " + MISSING)
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
