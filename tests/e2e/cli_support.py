"""Helpers for the CLI end-to-end scripts (tests/e2e/test_cli_*.py,
test_example_migrations.py, test_pg_alembic_interop.py).

These scripts are not unittest modules: each registers its cases (`@test`, or a
backend x scenario matrix), runs them all, prints PASS / SKIP / FAIL per case
and a summary, and exits non-zero on any failure. The server helpers they use
(fresh databases, queries) live in run_support.py.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import run_support as rs

SG = os.environ.get("SG_BIN", "")
SOURCE = os.environ.get("SG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CI = os.environ.get("CI") == "true"
RESULTS = []  # (name, None | "skip" | exception)
TESTS = []


class Skip(Exception):
    pass


# --- running the binary -------------------------------------------------------

def clean_env(**extra):
    return rs.clean_env(extra)


def sg(*args, cwd, env=None, stdin=None):
    p = subprocess.run([SG] + list(args), cwd=cwd, env=env or clean_env(), input=stdin,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(result, code, what):
    rc, out, err = result
    if rc != code:
        raise AssertionError("%s: exit %d, wanted %d\nstdout: %s\nstderr: %s"
                             % (what, rc, code, out[-2000:], err[-2000:]))
    return out, err


def need(*names):
    """Fails (CI=true) or skips the case when a server variable is missing."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        msg = "missing %s (source /tmp/schemagate-test-servers/env)" % ", ".join(missing)
        if CI:
            raise AssertionError(msg)
        raise Skip(msg)


# --- migrations files and SQLite state ------------------------------------------

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


# --- fresh server databases for one case, dropped by cleanup() --------------------

class ServerDatabases:
    """Subclasses name the server: its variables, create/drop/query helpers and catalog SQL."""
    env = ()
    tables_sql = columns_sql = ""

    def __init__(self, prefix):
        need(*self.env)
        self.prefix = prefix
        self.dbs = []

    def fresh(self):
        name, url = self.create(self.prefix)
        self.dbs.append(name)
        return url

    def cleanup(self):
        for n in self.dbs:
            self.drop(n)

    def tables(self, url):
        return {r[0] for r in self.query(url, self.tables_sql)}

    def columns(self, url, table):
        return sorted(r[0] for r in self.query(url, self.columns_sql % table))


class PostgresDatabases(ServerDatabases):
    name = "postgresql"
    env = ("SG_TEST_PG_URL", "SG_TEST_PG_ADMIN_URL")
    create, drop = staticmethod(rs.pg_create_db), staticmethod(rs.pg_drop_db)
    tables_sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    columns_sql = ("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                   "'public' AND table_name = '%s'")

    def query(self, url, sql):
        return rs.pg_query("postgresql" + url[url.index("://"):], sql)  # libpq: no "+driver"


class MariadbDatabases(ServerDatabases):
    name = "mysql"
    env = ("SG_TEST_MYSQL_URL", "SG_TEST_MYSQL_ADMIN_URL")
    create, drop = staticmethod(rs.mysql_create_db), staticmethod(rs.mysql_drop_db)
    tables_sql = "SHOW TABLES"
    columns_sql = "SHOW COLUMNS FROM `%s`"

    def query(self, url, sql):
        return rs.mysql_query(url, sql)


# --- running the cases ----------------------------------------------------------

def test(fn):
    TESTS.append(fn)
    return fn


def run_case(name, tmp_prefix, body):
    """Runs body(tmp) in a fresh temporary directory; records and prints the outcome."""
    tmp = tempfile.mkdtemp(prefix=tmp_prefix)
    try:
        body(tmp)
        RESULTS.append((name, None))
        print("PASS", name, flush=True)
    except Skip as e:
        RESULTS.append((name, "skip"))
        print("SKIP", name, "-", e, flush=True)
    except Exception as e:  # noqa: BLE001 - report every failure, keep going
        RESULTS.append((name, e))
        print("FAIL", name, "\n   ", ("%s: %s" % (type(e).__name__, e)).replace("\n", "\n    "),
              flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_test(fn):
    run_case(fn.__name__, "sg_e2e_cli_", fn)


def run_on(name, make_db, fn):
    """A run_case body: fn(db, tmp) with db = make_db(tmp), whose databases are dropped after."""
    def body(tmp):
        db = make_db(tmp)
        try:
            fn(db, tmp)
        finally:
            try:
                db.cleanup()
            except Exception as e:  # noqa: BLE001
                print("warning: cleanup of", name, "failed:", e)
    return body


def binary_ok():
    if not SG or not os.access(SG, os.X_OK):
        print("FAIL: SG_BIN (%r) is not an executable" % SG)
        return False
    return True


def summary():
    """Prints the counts; returns the exit status."""
    failed = [n for n, e in RESULTS if e is not None and e != "skip"]
    skipped = [n for n, e in RESULTS if e == "skip"]
    print("\n%d passed, %d failed, %d skipped%s" % (
        len(RESULTS) - len(failed) - len(skipped), len(failed), len(skipped),
        (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


def main(precheck=None):
    """Runs the @test cases named on the command line (all without arguments).
    precheck() may return an exit status to stop before any case runs."""
    if not binary_ok():
        return 1
    if precheck is not None:
        status = precheck()
        if status is not None:
            return status
    only = sys.argv[1:]
    for fn in TESTS:
        if not only or fn.__name__ in only:
            run_test(fn)
    return summary()


def run_matrix(backends, scenarios, tmp_prefix, make_db, call):
    """Runs call(db, tmp, scenario) for every backend x scenario named on the command line
    (by scenario or backend name; all without arguments); make_db(backend, tmp) opens db."""
    only = sys.argv[1:]
    for backend in backends:
        for fn in scenarios:
            if only and fn.__name__ not in only and backend.name not in only:
                continue
            name = "%s[%s]" % (fn.__name__, backend.name)
            run_case(name, tmp_prefix, run_on(name, lambda tmp, b=backend: make_db(b, tmp),
                                              lambda db, tmp, f=fn: call(db, tmp, f)))
    return summary()
