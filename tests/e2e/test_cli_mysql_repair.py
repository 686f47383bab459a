#!/usr/bin/python3
"""End-to-end: a dirty step through the CLI on MariaDB (exit 9 and `repair`).

MySQL/MariaDB commit DDL implicitly, so a revision that fails after its first
statement leaves the database dirty: `upgrade` exits 9, later `upgrade` and
`check` refuse with 9 and name the `repair` choices, and `repair
--mark-reverted` / `--mark-applied` / `--resume` resolve it. Uses
SG_TEST_MYSQL_URL (required when CI=true, skipped otherwise) with table names
unique to this process, dropped at the end.
Exits non-zero on any failure and prints a summary.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse

SG = os.environ.get("SG_BIN", "")
SOURCE = os.environ.get("SG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
RESULTS = []


# --- helpers (each test_cli_*.py is self-contained) -------------------------

def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SCHEMAGATE_") and not k.startswith("DATABASE_")}
    env.update(extra)
    return env


def sg(*args, cwd, env=None, stdin=None):
    p = subprocess.run([SG] + list(args), cwd=cwd, env=env or clean_env(), input=stdin,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def write_rev(d, rev, down="", message="", up="SELECT 1;", down_sql=None, labels="", depends="",
              name=None):
    lines = ["-- revision: " + rev, "-- down_revision: " + down, "-- message: " + message,
             "-- create_date: 2025-01-01 00:00:00"]
    if labels:
        lines.append("-- branch_labels: " + labels)
    if depends:
        lines.append("-- depends_on: " + depends)
    text = "\n".join(lines) + "\n\n-- +upgrade\n" + up + "\n"
    if down_sql is not None:
        text += "\n-- +downgrade\n" + down_sql + "\n"
    path = os.path.join(d, name or (rev + ".sql"))
    with open(path, "w") as f:
        f.write(text)
    return path


def rows(db, table="alembic_version"):
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute("SELECT version_num FROM " + table))
    finally:
        con.close()


def tables(db):
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
    finally:
        con.close()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(result, code, what):
    rc, out, err = result
    if rc != code:
        raise AssertionError("%s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                             % (what, rc, code, out[-2000:], err[-2000:]))
    return out, err


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run_test(fn):
    name = fn.__name__
    tmp = tempfile.mkdtemp(prefix="sg_e2e_cli_")
    try:
        fn(tmp)
        RESULTS.append((name, None))
        print("PASS", name)
    except Exception as e:  # noqa: BLE001 - report every failure, keep going
        RESULTS.append((name, e))
        print("FAIL", name, "\n   ", str(e).replace("\n", "\n    "))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)



URL = os.environ.get("SG_TEST_MYSQL_URL", "")
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


@test
def dirty_then_mark_reverted(tmp):
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


@test
def dirty_then_mark_applied(tmp):
    cleanup()
    try:
        m = make_dirty(tmp)
        mysql("CREATE TABLE %s (x INTEGER)" % T3)  # the person finishes by hand
        expect(sg(*args(m), "repair", "--mark-applied", cwd=tmp), 0, "repair --mark-applied")
        check(versions() == ["bbbb00000002"], "applied: %s" % versions())
        expect(sg(*args(m), "repair", "--resume", cwd=tmp), 0, "nothing left to repair")
    finally:
        cleanup()


@test
def dirty_then_resume(tmp):
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


def main():
    if not SG or not os.access(SG, os.X_OK):
        print("FAIL: SG_BIN (%r) is not an executable" % SG)
        return 1
    if not URL:
        if os.environ.get("CI") == "true":
            print("FAIL: SG_TEST_MYSQL_URL is not set (CI=true)")
            return 1
        print("SKIP: SG_TEST_MYSQL_URL is not set (source /tmp/schemagate-test-servers/env)")
        return 0
    only = sys.argv[1:]
    for fn in TESTS:
        if not only or fn.__name__ in only:
            run_test(fn)
    failed = [n for n, e in RESULTS if e is not None]
    print("\n%d passed, %d failed%s" % (len(RESULTS) - len(failed), len(failed),
                                        (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
